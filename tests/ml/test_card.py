"""The model card states the evaluation report's figures, never figures typed into the code."""

from __future__ import annotations

import re

import pytest

from ml import card
from ml.card import EVALUATION_FILE, figures, limits
from ml.evaluate import SETTINGS

PRODUCT_ROW = "model, year of history, retrained monthly (as the product runs)"


@pytest.fixture(scope="module")
def report() -> str:
    return EVALUATION_FILE.read_text(encoding="utf-8")


def table_range(report: str, column: int) -> str:
    """A column's range over every held-out family's product rows, read from the table itself
    (not from the range lines the card reads)."""
    values = [
        float(cells[column])
        for line in report.splitlines()
        if "(held out)" in line and f"| {PRODUCT_ROW} |" in line
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    ]
    assert len(values) >= 9  # three held-out families × three seeds
    return f"{min(values):.3f}–{max(values):.3f}"


def test_the_card_states_the_held_out_figures_of_the_report(report):
    text = limits(report)
    assert f"told of {table_range(report, 5)} of the faults within 14 days" in text  # alerted
    assert f"at {table_range(report, 7)} false alerts per household-year" in text
    assert (
        "On three simulated worlds written apart from the ones it was tuned on (appliances, meters, diary)"
        in text
    )


def test_the_card_states_the_tuning_simulator_s_figures_of_the_report(report):
    line = next(line for line in report.splitlines() if line.startswith("- as trained"))
    recall = re.search(r"recall (\d\.\d{3}–\d\.\d{3})", line).group(1)
    assert f"with a year of history is {recall} over five seeds" in limits(report)


def test_a_new_report_changes_the_card(report):
    line = next(
        line for line in report.splitlines() if line.startswith(f"- diary, {PRODUCT_ROW} (all)")
    )
    changed = re.sub(r"\(alerted [\d.–]+\)", "(alerted 0.011–0.999)", line)
    assert changed != line
    text = limits(report.replace(line, changed))
    assert "told of 0.011–0.999 of the faults" in text


@pytest.mark.parametrize("cut", ["", "# Evaluation of the consumption model\n\nnothing yet\n"])
def test_without_a_report_the_card_states_no_figure(cut):
    assert figures(cut) is None
    text = limits(cut)
    assert "make ml-eval" in text
    assert not re.search(r"\d\.\d{2}", text)


def test_hand_written_sections_do_not_change_the_card(report):
    note = (
        "\n## A note written by hand\n\n**oracle** — held out, a word in a hand-written section.\n"
    )
    assert limits(report + note) == limits(report)


@pytest.mark.parametrize(
    ("label", "noise", "history_days", "retrain_every", "share"),
    [
        (card.YEAR, 0.10, 365, None, 1.0),
        (card.NOISIER, 0.16, 365, None, 1.0),
        (card.EVERYONE_SHORT, 0.10, 60, None, 1.0),
        (card.SHORT_RETRAINED, 0.10, 60, 30, 1.0),
        (card.THIRD_ONCE, 0.10, 60, None, 1 / 3),
        (card.THIRD_RETRAINED, 0.10, 60, 30, 1 / 3),
    ],
)
def test_the_card_names_each_tuning_setting_by_what_it_runs(
    label, noise, history_days, retrain_every, share
):
    """The card takes its settings from ml.evaluate.SETTINGS by position: reordered, a label
    would carry another setting's figures; this fails first."""
    setting = next(s for s in SETTINGS if s[0] == label)
    assert setting[1:] == pytest.approx((noise, history_days, retrain_every, share))
