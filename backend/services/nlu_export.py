"""Staff corrections of the assistant's reading → Rasa 3.x NLU training data (`flask nlu export`).

Only corrections in conversations marked reviewed are exported. Examples are deduplicated (the latest
correction of a sentence wins) and sentences already in the other training files are left out, so
`rasa data validate` sees no duplicate or conflicting example. Personal data outside the annotated
entities is masked: training files go into the repository.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.services.masking import mask_text

# Fixed in /work/shared/CONTRACTS.md: Rasa must predict exactly these.
INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "ask_tariff",
    "calculate_bill",
    "ask_kwh_for_budget",
    "ask_bill_spike",
    "ask_saving_tips",
    "ask_peak_hours",
    "ask_outage_schedule",
    "report_outage",
    "check_my_usage",
    "report_meter_reading",
    "ask_solar",
    "ask_energy_label",
    "subscribe_notifications",
    "unsubscribe_notifications",
    "request_human",
    "delete_my_data",
    "out_of_scope",
)
ENTITIES = ("kwh", "money", "appliance", "meter_reading", "date", "location", "link_code")
EXPORT_FILE = "corrections.yml"
HEADER = (
    "# Written by `flask nlu export` from reviewed staff corrections; edits here are overwritten.\n"
)

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Correction:
    text: str
    intent: str
    entities: list[dict[str, Any]]


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _plain(segment: str) -> str:
    """Masked, and without brackets Rasa would read as annotation syntax."""
    return mask_text(segment).translate(str.maketrans("[]{}", "()()"))


def annotate(text: str, entities: Iterable[dict[str, Any]]) -> str:
    """`[span](entity)`, or `[span]{"entity": e, "value": v}` when the value differs from the span."""
    out: list[str] = []
    position = 0
    usable = sorted(
        (
            e
            for e in entities
            if e.get("entity") in ENTITIES and 0 <= e["start"] < e["end"] <= len(text)
        ),
        key=lambda e: e["start"],
    )
    for entity in usable:
        if entity["start"] < position:
            continue  # overlapping annotations are not valid training data
        span = text[entity["start"] : entity["end"]]
        out.append(_plain(text[position : entity["start"]]))
        value = entity.get("value")
        if value is None or str(value) == span:
            out.append(f"[{span}]({entity['entity']})")
        else:
            payload = json.dumps(
                {"entity": entity["entity"], "value": str(value)}, ensure_ascii=False
            )
            out.append(f"[{span}]{payload}")
        position = entity["end"]
    out.append(_plain(text[position:]))
    return normalise("".join(out))


def existing_examples(nlu_dir: Path, skip: str = EXPORT_FILE) -> set[str]:
    """Sentences (annotations removed) of every other NLU file in the folder."""
    sentences: set[str] = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        if path.name == skip:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") and not stripped.startswith(("- intent:", "- synonym:")):
                sentences.add(normalise(_ANNOTATION.sub(r"\1", stripped[2:])).casefold())
    return sentences


@dataclass(frozen=True)
class ExportResult:
    path: Path
    examples: int
    intents: int
    skipped_known: int
    yaml: str


def render(corrections: Iterable[Correction], known: set[str]) -> tuple[str, int, int, int]:
    """YAML text, examples written, intents, corrections left out as already known."""
    latest: dict[str, Correction] = {}
    for (
        correction
    ) in corrections:  # in correction order: a later correction replaces an earlier one
        if correction.intent not in INTENTS:
            continue
        latest[normalise(correction.text).casefold()] = correction
    by_intent: dict[str, set[str]] = {}
    skipped = 0
    for key, correction in latest.items():
        if key in known:
            skipped += 1
            continue
        by_intent.setdefault(correction.intent, set()).add(
            annotate(correction.text, correction.entities)
        )
    lines = [HEADER, 'version: "3.1"\n', "\nnlu:\n" if by_intent else "\nnlu: []\n"]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}\n  examples: |\n")
        lines.extend(f"    - {example}\n" for example in sorted(by_intent[intent]))
    examples = sum(len(v) for v in by_intent.values())
    return "".join(lines), examples, len(by_intent), skipped


def write_export(corrections: Iterable[Correction], nlu_dir: Path) -> ExportResult:
    yaml, examples, intents, skipped = render(corrections, existing_examples(nlu_dir))
    nlu_dir.mkdir(parents=True, exist_ok=True)
    path = nlu_dir / EXPORT_FILE
    temporary = path.with_suffix(".yml.tmp")
    temporary.write_text(yaml, encoding="utf-8")
    temporary.replace(path)  # readers never see half a file
    return ExportResult(path, examples, intents, skipped, yaml)


def examples_of(yaml: str) -> set[tuple[str, str]]:
    """(intent, example) pairs of an NLU file written by `render`."""
    pairs: set[tuple[str, str]] = set()
    intent = ""
    for line in yaml.splitlines():
        if line.startswith("- intent: "):
            intent = line.removeprefix("- intent: ").strip()
        elif line.startswith("    - ") and intent:
            pairs.add((intent, line.removeprefix("    - ")))
    return pairs


def changes(old_yaml: str, new_yaml: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What an export changes in the file: (added, removed) examples, sorted."""
    old, new = examples_of(old_yaml), examples_of(new_yaml)
    return sorted(new - old), sorted(old - new)
