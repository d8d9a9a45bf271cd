"""Sets of sentences written independently of the generator, read as training data (issue 19).

Each set was written by a helper who saw only the intent list, frozen, and used once to judge a
round of training data (docs/benchmarks.md). Once a set has judged its round and its misses have
been read, it is no longer a fair measure; its sentences are what households write, so they join
the training data as written. The sets that still measure (the frozen held-out set and the
unread development sets) stay in bot/tests and are never listed here.

The sets carry no entity annotations. `annotate` marks the figure, reading, code or appliance a
request is about, with the conventions of sources.py, for the intents whose actions read them:
a conservative pattern per intent, so a sentence it cannot read stays plain text (as a story's
numbers do in long_written.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from components.text import strip_diacritics

from nlu_source.long_written import LONG_WRITTEN
from nlu_source.sources import TOPICS

WRITTEN_DIR = Path(__file__).resolve().parent / "written"

STYLE = re.compile(r"^\s*#\s*style:\s*(\S+)\s*$", re.IGNORECASE)
EXAMPLE = re.compile(r"^\s+-\s+(.+?)\s*$")
INTENT = re.compile(r"^\s*-\s*intent:\s*(\S+)\s*$")
OTHER_KEY = re.compile(r"^\s*-?\s*(?:synonym|regex|lookup|intent):")
# "[350](kwh)", "[điều hòa]{"entity": ...}" → the words as typed
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    intent: str
    style: str | None
    text: str


def read_examples(text: str) -> list[Example]:
    """The examples of a Rasa NLU YAML file with the style their `# style:` comments give."""
    examples: list[Example] = []
    intent: str | None = None
    style: str | None = None
    in_examples = False
    for line in text.splitlines():
        if match := STYLE.match(line):
            style = match.group(1)
            continue
        if line.strip().startswith("#") or not line.strip():
            continue
        if match := INTENT.match(line):
            intent, in_examples = match.group(1), False
            continue
        if OTHER_KEY.match(line):
            intent, in_examples = None, False
            continue
        if re.match(r"^\s*examples:\s*\|", line):
            in_examples = intent is not None
            continue
        if in_examples and intent and (match := EXAMPLE.match(line)):
            sentence = ANNOTATION.sub(r"\1", match.group(1)).strip()
            if sentence:
                examples.append(Example(intent, style, sentence))
    return examples


# --- entity annotation ------------------------------------------------------------------------

NUMBER = r"(?<![\w.,])\d+(?:[.,]\d{3})*(?:[.,]\d+)?(?![\w.,]?\d)"
KWH_UNIT = r"\s*(?:số|so|chữ|chu|ký|kí|ky|ki|kwh|kw|độ|do)(?!\w)"
MONEY_UNIT = (
    r"\s*(?:k|nghìn|nghin|ngàn|ngan|triệu|trieu|tr|củ|cu|đồng|dong|đ|vnđ|vnd)(?![^\W\d_])"
    r"(?:\s?\d(?![\d\w]))?"  # "3 ngàn 8", "1tr5"
)
KWH = re.compile(rf"({NUMBER})(?={KWH_UNIT})", re.IGNORECASE)
MONEY = re.compile(rf"({NUMBER}{MONEY_UNIT})", re.IGNORECASE)
READING = re.compile(r"(?<![\w.,])(\d{3,9}|\d{1,3}(?:[.,]\d{3})+)(?![\w.,]?\d)")
# a landlord's price: "3500 một số", "4.000đ/kí"
PRICE = re.compile(
    rf"({NUMBER})(?=\s*(?:đồng|dong|đ)?\s*(?:/\s*|một\s+|mot\s+|1\s+|mỗi\s+|moi\s+)"
    r"(?:số|so|chữ|chu|ký|kí|ky|ki|kwh|kw)(?!\w))",
    re.IGNORECASE,
)
CODE = re.compile(r"(?<!\w)(\d{6})(?!\w)")

TOKEN_END = re.compile(r"[\s,.!?;:)]")

# which entities each intent's action reads from the message
FIGURES: dict[str, tuple[str, ...]] = {
    "calculate_bill": ("kwh",),
    "ask_kwh_for_budget": ("money",),
    "set_budget": ("money", "kwh"),
    "ask_renter_price": ("money", "price"),
    "report_meter_reading": ("meter_reading",),
    "link_account": ("link_code",),
    "ask_saving_tips": ("appliance",),
}

APPLIANCE = re.compile(r'\[([^\]]+)\]\{"entity": "appliance", "value": "(\w+)"\}')


def _appliance_words() -> list[tuple[str, str]]:
    """Every appliance word annotated in the hand-written sources, with its value; longest first."""
    written = [s for intents in TOPICS.values() for group in intents.values() for s in group]
    written += [s for group in LONG_WRITTEN.values() for s in group]
    words: dict[str, str] = {}
    for sentence in written:
        for word, value in APPLIANCE.findall(sentence):
            for form in (word.lower(), strip_diacritics(word).lower()):
                words.setdefault(form, value)
    return sorted(words.items(), key=lambda item: -len(item[0]))


APPLIANCE_WORDS = _appliance_words()


def _spans(intent: str, text: str) -> list[tuple[int, int, str]]:
    """(start, end, annotation tail) of each entity the intent's action reads, left to right."""
    spans: list[tuple[int, int, str]] = []
    for entity in FIGURES.get(intent, ()):
        if entity == "appliance":
            lower = text.lower()
            for word, value in APPLIANCE_WORDS:
                tail = '{"entity": "appliance", "value": "' + value + '"}'
                pattern = rf"(?<!\w){re.escape(word)}(?!\w)"
                spans += [(m.start(), m.end(), tail) for m in re.finditer(pattern, lower)]
            continue
        patterns = {"kwh": KWH, "money": MONEY, "price": PRICE, "meter_reading": READING}
        pattern = patterns.get(entity, CODE)
        name = "money" if entity == "price" else entity
        spans += [(m.start(1), m.end(1), f"({name})") for m in pattern.finditer(text)]
    # a span inside a token ("4k/số", "612kwh") cannot be annotated: Rasa would drop it
    spans = [s for s in spans if s[0] == 0 or not text[s[0] - 1].isalnum()]
    spans = [s for s in spans if s[1] == len(text) or TOKEN_END.match(text[s[1]])]
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if not kept or span[0] >= kept[-1][1]:  # no overlaps: the first, longest span wins
            kept.append(span)
    return kept


def annotate(intent: str, text: str) -> str:
    """The sentence with Rasa's entity annotations for the figures its intent reads."""
    out, last = [], 0
    for start, end, tail in _spans(intent, text):
        out += [text[last:start], f"[{text[start:end]}]{tail}"]
        last = end
    out.append(text[last:])
    return "".join(out).replace("\n", " ")


def written_examples(directory: Path = WRITTEN_DIR) -> dict[str, list[str]]:
    """Every sentence of the written sets, annotated, by intent (files in name order)."""
    by_intent: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        for example in read_examples(path.read_text(encoding="utf-8")):
            by_intent.setdefault(example.intent, []).append(annotate(example.intent, example.text))
    return by_intent
