"""bot/scripts/eval.py reads every held-out file's examples with the style its comments give."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
SPEC = importlib.util.spec_from_file_location("bot_eval", BOT / "scripts" / "eval.py")
assert SPEC is not None and SPEC.loader is not None
EVAL = importlib.util.module_from_spec(SPEC)
sys.modules[SPEC.name] = EVAL  # its dataclasses look their module up
SPEC.loader.exec_module(EVAL)

SAMPLE = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - chào ad
    # style: southern
    - chào bác nghen
- intent: calculate_bill
  # style: long
  examples: |
    - tháng này nhà tui xài [350](kwh) chữ, tính giùm tiền điện
    # style: central
    - [điều hòa]{"entity": "appliance"} chạy suốt, tiền điện răng rứa
"""


def test_style_comments_above_examples_inside_or_outside_the_block():
    examples = EVAL.read_examples(SAMPLE)
    assert [(e.intent, e.style, e.text) for e in examples] == [
        ("greet", None, "chào ad"),
        ("greet", "southern", "chào bác nghen"),
        ("calculate_bill", "long", "tháng này nhà tui xài 350 chữ, tính giùm tiền điện"),
        ("calculate_bill", "central", "điều hòa chạy suốt, tiền điện răng rứa"),
    ]


def test_the_generated_holdout_is_written_with_its_styles(tmp_path):
    path = tmp_path / "nlu_holdout.yml"
    EVAL.write_yaml(path)
    styles = {e.style for e in EVAL.read_examples(path.read_text(encoding="utf-8"))}
    assert styles == {"diacritics", "plain", "shorthand", "nonsense"}


class Agent:
    """Reads every message as a greeting."""

    async def parse_message(self, text: str) -> dict:
        return {"intent": {"name": "greet"}}


def test_accuracy_per_style_and_overall():
    totals = asyncio.run(EVAL.evaluate(Agent(), EVAL.read_examples(SAMPLE)))
    assert totals == {"southern": (1, 1), "long": (0, 1), "central": (0, 1), "overall": (2, 4)}


def test_a_frozen_set_prints_its_figures_but_never_its_misses(capsys):
    examples = EVAL.read_examples(SAMPLE)
    asyncio.run(EVAL.evaluate(Agent(), examples, show_misses=False))
    assert "miss" not in capsys.readouterr().out
    asyncio.run(EVAL.evaluate(Agent(), examples))
    assert "miss [long]" in capsys.readouterr().out
    assert "nlu_heldout_independent.yml" in EVAL.FROZEN
