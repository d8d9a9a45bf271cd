"""Intent accuracy on the held-out sentences (tests/holdout_source.py), overall and per style;
and held-out nonsense (keyboard mashing, punctuation), which must never be read as a yes or a no.

Usage: bot/.venv/bin/python bot/scripts/eval.py [--model bot/models/current.tar.gz]
Also writes tests/nlu_holdout.yml (the same sentences as Rasa NLU YAML, for `rasa test nlu`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections import Counter
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BOT))

from tests.holdout_source import HOLDOUT  # noqa: E402

STYLES = ("diacritics", "plain", "shorthand")
LABELS = {"diacritics": "có dấu", "plain": "không dấu", "shorthand": "viết tắt"}
NONSENSE = "nonsense"  # a style of out_of_scope only
ANSWERS = {"affirm", "deny"}  # what nonsense must never be: it would confirm or cancel an action


def write_yaml(path: Path) -> None:
    lines = ['version: "3.1"', "nlu:"]
    for intent, styles in HOLDOUT.items():
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {s}" for style in (*STYLES, NONSENSE) for s in styles.get(style, [])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def evaluate(agent) -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    confusions: Counter[tuple[str, str]] = Counter()
    for style in STYLES:
        right = count = 0
        for intent, styles in HOLDOUT.items():
            for sentence in styles.get(style, []):
                parsed = await agent.parse_message(sentence)
                predicted = parsed["intent"]["name"]
                count += 1
                if predicted == intent:
                    right += 1
                else:
                    confusions[(intent, predicted)] += 1
                    print(f"  miss [{style}] {sentence!r}: {intent} → {predicted}")
        totals[style] = (right, count)
    return totals


async def nonsense_read_as_answers(agent) -> list[str]:
    wrong = []
    for sentence in HOLDOUT["out_of_scope"][NONSENSE]:
        predicted = (await agent.parse_message(sentence))["intent"]["name"]
        print(f"  nonsense {sentence!r}: {predicted}")
        if predicted in ANSWERS:
            wrong.append(sentence)
    return wrong


async def run(model: str) -> tuple[dict[str, tuple[int, int]], list[str]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return await evaluate(agent), await nonsense_read_as_answers(agent)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(BOT / "models" / "current.tar.gz"))
    parser.add_argument("--min-overall", type=float, default=0.0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    write_yaml(BOT / "tests" / "nlu_holdout.yml")
    totals, answers = asyncio.run(run(args.model))
    right = sum(r for r, _ in totals.values())
    count = sum(c for _, c in totals.values())
    print(f"\nintent accuracy on {count} held-out sentences")
    for style in STYLES:
        r, c = totals[style]
        print(f"  {style:<11} ({LABELS[style]}): {r / c:.3f}  ({r}/{c})")
    print(f"  {'overall':<11}          : {right / count:.3f}  ({right}/{count})")
    total = len(HOLDOUT["out_of_scope"][NONSENSE])
    print(f"nonsense read as a yes or a no: {len(answers)}/{total} {answers}")
    return 0 if right / count >= args.min_overall and not answers else 1


if __name__ == "__main__":
    sys.exit(main())
