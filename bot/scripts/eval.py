"""Intent accuracy on every held-out file bot/tests/nlu_*.yml, overall and per writing style;
and held-out nonsense (keyboard mashing, punctuation), which must never be read as a yes or a no.

A file gives the style of its examples in comments: `# style: <name>` applies to the examples
after it (inside or outside an `examples: |` block) until the next such comment; examples before
any style comment count only in "overall". tests/nlu_holdout.yml is written here from
tests/holdout_source.py (the generator's held-out sentences); other nlu_*.yml files are read as
they are (for example a set written independently of the training data and its generator).
A development set that has judged its round moves to nlu_source/written/ and becomes training
data (nlu_source/written_sets.py); it is no longer evaluated here.

Usage: bot/.venv/bin/python bot/scripts/eval.py [--model bot/models/current.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BOT))  # the model's custom components (components.tokenizer)

from nlu_source.written_sets import Example, read_examples  # noqa: E402


def _holdout() -> dict[str, dict[str, list[str]]]:
    """bot/tests/holdout_source.py, by path (a `tests` package of the repository may be loaded)."""
    spec = importlib.util.spec_from_file_location(
        "holdout_source", BOT / "tests" / "holdout_source.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.HOLDOUT


HOLDOUT = _holdout()

STYLES = ("diacritics", "plain", "shorthand")
NONSENSE = "nonsense"  # a style of out_of_scope only
ANSWERS = {"affirm", "deny"}  # what nonsense must never be: it would confirm or cancel an action
GENERATED = "nlu_holdout.yml"
# Frozen measurement sets: their figures are printed, never which of their sentences fail, so
# that nobody tunes the training data on them.
FROZEN = frozenset({"nlu_heldout_independent.yml"})
OVERALL = "overall"


def write_yaml(path: Path) -> None:
    """The generator's held-out sentences as Rasa NLU YAML, each style under its comment."""
    lines = ['version: "3.1"', "nlu:"]
    for intent, styles in HOLDOUT.items():
        lines += [f"- intent: {intent}", "  examples: |"]
        for style in (*STYLES, NONSENSE):
            sentences = styles.get(style, [])
            if sentences:
                lines.append(f"    # style: {style}")
                lines += [f"    - {s}" for s in sentences]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def evaluate(
    agent, examples: list[Example], show_misses: bool = True
) -> dict[str, tuple[int, int]]:
    """(right, count) per style, in the order styles first appear, and overall."""
    totals: dict[str, list[int]] = {}
    for example in examples:
        predicted = (await agent.parse_message(example.text))["intent"]["name"]
        right = predicted == example.intent
        for key in {example.style, OVERALL} - {None}:
            total = totals.setdefault(key, [0, 0])
            total[0] += right
            total[1] += 1
        if not right and show_misses:
            print(
                f"  miss [{example.style or '-'}] {example.text!r}: {example.intent} → {predicted}"
            )
    ordered = [s for s in dict.fromkeys(e.style for e in examples) if s] + [OVERALL]
    return {key: (totals[key][0], totals[key][1]) for key in ordered if key in totals}


async def nonsense_read_as_answers(agent) -> list[str]:
    wrong = []
    for sentence in HOLDOUT["out_of_scope"][NONSENSE]:
        predicted = (await agent.parse_message(sentence))["intent"]["name"]
        if predicted in ANSWERS:
            wrong.append(sentence)
    return wrong


async def run(model: str, files: list[Path]):
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    results = []
    for path in files:
        print(f"\n{path.name}")
        examples = read_examples(path.read_text(encoding="utf-8"))
        if path.name in FROZEN:
            print("  (frozen set: misses not shown)")
        totals = await evaluate(agent, examples, show_misses=path.name not in FROZEN)
        results.append((path, len(examples), totals))
    return results, await nonsense_read_as_answers(agent)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(BOT / "models" / "current.tar.gz"))
    parser.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="FILE=ACCURACY",
        help="fail when FILE's overall accuracy is below ACCURACY (repeatable)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="FILE",
        help="evaluate only this held-out file of bot/tests (repeatable; default: every nlu_*.yml)",
    )
    args = parser.parse_args()
    floors = {name: float(value) for name, value in (item.split("=", 1) for item in args.min)}
    logging.disable(logging.WARNING)
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    write_yaml(BOT / "tests" / GENERATED)
    files = sorted((BOT / "tests").glob("nlu_*.yml"))
    if args.only:
        files = [path for path in files if path.name in args.only]
    results, answers = asyncio.run(run(args.model, files))
    ok = not answers
    for path, count, totals in results:
        print(f"\nintent accuracy on {count} held-out sentences of {path.name}")
        for style, (right, total) in totals.items():
            print(f"  {style:<14}: {right / total:.3f}  ({right}/{total})")
        right, total = totals.get(OVERALL, (0, 0))
        floor = floors.get(path.name, 0.0)
        if total and right / total < floor:
            print(f"  below the floor of {floor:.3f}")
            ok = False
    total = len(HOLDOUT["out_of_scope"][NONSENSE])
    print(f"nonsense read as a yes or a no: {len(answers)}/{total} {answers}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
