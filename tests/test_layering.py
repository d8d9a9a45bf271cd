"""Dependencies point one way: bot → backend over HTTP only; notifications → backend; the
backend never imports notifications (its `notify` commands arrive as a plugin). Imports sit at
the top of each file, where the layering is visible: an import inside a function hides a
dependency (or a cycle) from a reader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> dict[str, set[str]]:
    """Every module a package's files import (top level or not), by file."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if ".venv" in path.parts or "migrations" in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


# Imports inside a function or class that have to stay there, each with the reason why:
# {(file, the import statement as ast.unparse writes it): reason}.
LATE_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {
    ("backend/__init__.py", "from backend.app import create_app"): (
        "`flask --app backend` (a fixed command) finds the factory as backend.create_app; "
        "imported on first use so that importing any backend module does not build the app"
    ),
}


def late_imports(package: str) -> set[tuple[str, str]]:
    """(file, statement) of every import inside a function or class body of a package."""
    found: set[tuple[str, str]] = set()
    for path in sorted((ROOT / package).rglob("*.py")):
        if ".venv" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for scope in ast.walk(tree):
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found.update(
                    (str(path.relative_to(ROOT)), ast.unparse(node))
                    for node in ast.walk(scope)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                )
    return found


@pytest.mark.parametrize("package", ["backend", "notifications"])
def test_imports_sit_at_the_top_of_each_file(package):
    """A new import inside a function fails here: move it to the top of its file, and where a
    cycle forbids that, move the code to where it belongs rather than hiding the cycle."""
    allowed = {key for key in LATE_IMPORTS_ALLOWED if key[0].startswith(package + "/")}
    assert late_imports(package) - allowed == set()


def test_the_late_import_allow_list_holds_only_imports_that_exist():
    present = late_imports("backend") | late_imports("notifications")
    assert set(LATE_IMPORTS_ALLOWED) - present == set()


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("backend", "notifications"), ("bot", "backend"), ("ml", "backend"), ("zalo", "backend")],
)
def test_dependencies_point_one_way(package, forbidden):
    offenders = {
        path: sorted(n for n in names if n == forbidden or n.startswith(forbidden + "."))
        for path, names in imported_modules(package).items()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_notify_commands_reach_the_backend_cli_as_a_plugin(app):
    assert {"notify", "outages-import", "ml", "chat"} <= set(app.cli.commands)
    result = app.test_cli_runner().invoke(args=["notify", "--help"])
    assert result.exit_code == 0
    assert {"send", "weekly", "outages", "score-all"} <= set(result.output.split())
