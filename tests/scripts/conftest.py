"""A PATH of real tools with some left out, to see what a newcomer's machine would see."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What make, bash and the scripts call; pyenv shims are resolved to the interpreters behind them.
TOOLS = [
    "bash",
    "sh",
    "env",
    "date",
    "make",
    "dpkg",
    "apt-get",
    "sha256sum",
    "cut",
    "cat",
    "find",
    "sort",
    "xargs",
    "ls",
    "tail",
    "grep",
    "awk",
    "mkdir",
]


def real_python(name: str) -> str | None:
    if not shutil.which(name):
        return None
    done = subprocess.run(
        [name, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else None


@pytest.fixture
def tool_path(tmp_path: Path) -> Callable[..., str]:
    """`tool_path(without={"redis-server"}, fakes={"redis-server"})` -> a PATH string."""

    def build(without: set[str] = frozenset(), fakes: set[str] = frozenset()) -> str:
        bin_dir = tmp_path / f"bin{len(list(tmp_path.iterdir()))}"
        bin_dir.mkdir()
        links = {tool: shutil.which(tool) for tool in [*TOOLS, "redis-server", "chromium"]}
        links |= {name: real_python(name) for name in ("python3", "python3.10")}
        for tool, target in links.items():
            if tool not in without | fakes and target:
                (bin_dir / tool).symlink_to(target)
        for tool in fakes:
            fake = bin_dir / tool
            fake.write_text(f"#!/bin/sh\necho '{tool} (fake) 1.0'\n")
            fake.chmod(0o755)
        return str(bin_dir)

    return build


def run(command: list[str], path: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL"}}
    return subprocess.run(
        command,
        cwd=ROOT,
        env=environment | {"PATH": path} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
