"""How the guest form reads the days of a stay on the frozen helper-written sets
(bot/tests/stay_dates_tet_*.yml): per set, messages read right, asked (a stated day left unread:
the form asks) and misread (a day read where none is stated, or another day than the stated
one). Usage: bot/.venv/bin/python bot/scripts/eval_stay_dates.py [--show]"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import yaml

BOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BOT))

from actions.dates import read_stay  # noqa: E402  (the bot's actions, from bot/)

SETS = sorted((BOT / "tests").glob("stay_dates_tet_*.yml"))


def entries(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def verdict(entry: dict[str, Any]) -> str:
    read = read_stay(entry["text"], today=entry["today"])
    said: tuple[date | None, date | None] = (entry["first"], entry["last"])
    got = (read.first, read.last)
    if any(day is not None and day != want for day, want in zip(got, said, strict=True)):
        return "misread"
    return "right" if got == said else "asked"


def main(show: bool) -> None:
    for path in SETS:
        rows = entries(path)
        counts = Counter(verdict(row) for row in rows)
        print(
            f"{path.name}: {counts['right']} read, {counts['asked']} asked, "
            f"{counts['misread']} misread of {len(rows)}"
        )
        for row in rows if show else ():
            if verdict(row) == "misread":
                print(f"  misread: {row['text']}")


if __name__ == "__main__":
    main(show="--show" in sys.argv)
