"""Write data/nlu/<topic>.yml from nlu_source/sources.py.

Every hand-written sentence is kept; its no-diacritics form is added, and a chat-shorthand form
where common words can be shortened (không → ko, được → dc, bao nhiêu → bn…). Run after editing
the sources: `bot/.venv/bin/python bot/scripts/generate_nlu.py`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BOT))

from components.text import strip_diacritics  # noqa: E402
from nlu_source.sources import TOPICS  # noqa: E402

TEENCODE = [
    ("bao nhiêu", "bn"),
    ("không", "ko"),
    ("được", "dc"),
    ("gì", "j"),
    ("vậy", "z"),
    ("triệu", "tr"),
    ("rồi", "r"),
    ("nhiều", "nhiu"),
    ("cảm ơn", "tks"),
    ("với", "vs"),
    ("biết", "bit"),
    ("thế nào", "ntn"),
    ("như thế nào", "ntn"),
    ("mình", "mk"),
    ("quá", "wa"),
    ("điều hòa", "đh"),
    ("em", "e"),
    ("anh", "a"),
    ("hóa đơn", "hđ"),
    ("giờ", "h"),
    ("người", "ng"),
    ("tôi", "t"),
    ("thì", "thi"),
    ("nghìn", "k"),
    ("ngàn", "k"),
]
# annotation tails "(kwh)" and "{...}" must stay untouched
ANNOTATION = re.compile(r"(\]\([^)]*\)|\]\{[^}]*\})")


def teencode(sentence: str) -> str:
    parts = ANNOTATION.split(sentence)
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            for long, short in TEENCODE:
                part = re.sub(rf"(?<!\w){re.escape(long)}(?!\w)", short, part)
        out.append(part)
    return "".join(out)


def variants(sentence: str) -> list[str]:
    forms = [sentence, strip_diacritics(sentence), strip_diacritics(teencode(sentence))]
    return list(dict.fromkeys(forms))  # unique, in order


def main() -> None:
    out_dir = BOT / "data" / "nlu"
    for topic, intents in TOPICS.items():
        lines = ['version: "3.1"', "", "nlu:"]
        for intent, sentences in intents.items():
            lines.append(f"- intent: {intent}")
            lines.append("  examples: |")
            seen: set[str] = set()
            for sentence in sentences:
                for form in variants(sentence):
                    if form.lower() not in seen:
                        seen.add(form.lower())
                        lines.append(f"    - {form}")
            lines.append("")
        (out_dir / f"{topic}.yml").write_text("\n".join(lines), encoding="utf-8")
        print(f"{topic}: {sum(len(v) for v in intents.values())} sources")


if __name__ == "__main__":
    main()
