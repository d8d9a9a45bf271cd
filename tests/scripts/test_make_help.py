"""`make help` lists every target a user can run, each with its description."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def phony_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith(".PHONY:"))
    return set(line.removeprefix(".PHONY:").split())


def test_make_help_lists_every_phony_target_with_a_description():
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SKIP_PREREQS": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = {
        match.group(1): match.group(2).strip()
        for match in re.finditer(r"^\s+(?:\x1b\[\d+m)?([\w-]+)(?:\x1b\[0m)?\s+(.+)$", shown, re.M)
    }
    assert phony_targets() - set(listed) == set()
    assert all(listed[target] for target in phony_targets())
    # a description names targets literally: make does not expand variables in the help text
    assert not [target for target, text in listed.items() if "$(" in text]
