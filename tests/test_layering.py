"""Dependencies point one way: bot → backend over HTTP only; notifications → backend; the
backend never imports notifications (its `notify` commands arrive as a plugin)."""

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
