"""Bot tests run in the bot environment (bot/.venv, Python 3.10): `bash bot/scripts/test.sh`."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.fakes import FakeServer, fake_server

BOT = Path(__file__).resolve().parents[2] / "bot"
sys.path.insert(0, str(BOT))

__all__ = ["FakeServer", "fake_server"]
