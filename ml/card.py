"""The model card (skops Card) written next to the model: intended use, limits, evaluation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from skops.card import Card

from ml.evaluate import SETTINGS
from ml.model import UnusualUsageModel
from ml.targets import HELD_OUT_SECTION, PRODUCT_ROW

EVALUATION_FILE = Path(__file__).parent / "EVALUATION.md"

INTENDED_USE = (
    "Flags a household's daily electricity use that the weather, the day of week and holidays do "
    "not explain, so the household can be told within days (a water heater left on, a failing "
    "air conditioner, a leak) while heat waves do not alarm everyone. Advice to households, "
    "not billing, not credit or enforcement decisions."
)
# the figures the card states are the range-over-seeds lines ml/report.py and
# ml/worlds/report.py write into ml/EVALUATION.md
SPAN = r"(\d+\.\d{3})–(\d+\.\d{3})"
HELD_OUT = re.compile(r"\*\*(\w+)\*\* — held out")
YEAR, NOISIER, SHORT_RETRAINED = SETTINGS[0][0], SETTINGS[1][0], SETTINGS[3][0]
EVERYONE_SHORT, THIRD_ONCE, THIRD_RETRAINED = SETTINGS[2][0], SETTINGS[4][0], SETTINGS[5][0]

NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@dataclass(frozen=True)
class Figures:
    """Ranges over seeds (and held-out families) as ml/EVALUATION.md states them ("0.538–0.865")."""

    held_out: list[str]  # the held-out families
    alerted: str  # faults alerted within 14 days, product row, held-out families
    false_alerts: str  # per household-year, same row
    oracle: str  # the oracle bound's recall on the same families
    recall: str  # the tuning simulator, a year of history
    noisier_recall: str
    short_false_alerts: str  # 60 days of history, retrained monthly
    short_recall: str
    third_false_alerts: str  # a third of households with 60 days, retrained monthly
    third_once_false_alerts: str  # the same, never retrained
    everyone_once_false_alerts: str  # nobody has seen a summer, never retrained


def _merge(spans: list[tuple[str, str]]) -> str:
    """One range over several (held-out families' ranges)."""
    return f"{min(float(lo) for lo, _ in spans):.3f}–{max(float(hi) for _, hi in spans):.3f}"


def _setting(text: str, name: str) -> tuple[str, str] | None:
    """A tuning setting's model recall and false-alert ranges, as its report line states them."""
    line = re.search(
        rf"^- {re.escape(name)}: recall ({SPAN}) .*?; false alerts ({SPAN}) ", text, re.M
    )
    return None if line is None else (line.group(1), line.group(4))


def figures(text: str) -> Figures | None:
    """The card's figures from the report's text, or None where it lacks one (no run yet)."""
    section = HELD_OUT_SECTION.search(text)
    if section is None:
        return None
    worlds = section.group(0)  # the generated section, not what hand-written ones say
    held_out = list(dict.fromkeys(HELD_OUT.findall(worlds)))
    alerted: list[tuple[str, str]] = []
    false_alerts: list[tuple[str, str]] = []
    oracles: list[tuple[str, str]] = []
    for family in held_out:
        row = re.search(
            rf"^- {family}, {re.escape(PRODUCT_ROW)} \(all\): recall {SPAN} \(alerted {SPAN}\), "
            rf"median delay {SPAN}, false alerts {SPAN}",
            worlds,
            re.M,
        )
        oracle = re.search(rf"^- {family}, oracle bound \(all\): recall {SPAN}", worlds, re.M)
        if row is None or oracle is None:
            return None
        alerted.append((row.group(3), row.group(4)))
        false_alerts.append((row.group(7), row.group(8)))
        oracles.append((oracle.group(1), oracle.group(2)))
    names = (YEAR, NOISIER, SHORT_RETRAINED, EVERYONE_SHORT, THIRD_ONCE, THIRD_RETRAINED)
    ranges = {name: found for name in names if (found := _setting(text, name)) is not None}
    if not held_out or len(ranges) < len(names):
        return None
    return Figures(
        held_out=held_out,
        alerted=_merge(alerted),
        false_alerts=_merge(false_alerts),
        oracle=_merge(oracles),
        recall=ranges[YEAR][0],
        noisier_recall=ranges[NOISIER][0],
        short_false_alerts=ranges[SHORT_RETRAINED][1],
        short_recall=ranges[SHORT_RETRAINED][0],
        third_false_alerts=ranges[THIRD_RETRAINED][1],
        third_once_false_alerts=ranges[THIRD_ONCE][1],
        everyone_once_false_alerts=ranges[EVERYONE_SHORT][1],
    )


def limits(text: str) -> str:
    """The card's limits; its figures come from the evaluation report's text, never typed."""
    f = figures(text)
    measured = (
        (
            f"On {NUMBERS.get(len(f.held_out), len(f.held_out))} simulated worlds written apart "
            f"from the ones it was tuned on ({', '.join(f.held_out)}), retrained monthly as the product runs, it is told of "
            f"{f.alerted} of the faults within 14 days at {f.false_alerts} false alerts per "
            "household-year, where a detector that knew each home's true normal use would find "
            f'{f.oracle} (ml/EVALUATION.md, "Held-out worlds"): treat an alert as a question to the '
            "household, not a finding. On the simulator its settings were tuned on "
            "(ml/simulate.py), recall within 14 days with a year of history is "
            f"{f.recall} over five seeds, and {f.noisier_recall} for noisier households. "
            "Households with 60 days of history, retrained monthly as the product does, raise "
            f"{f.short_false_alerts} false alerts per household-year there (recall "
            f"{f.short_recall}), and {f.third_false_alerts} when they are a third of the households; "
            f"a model never retrained raises {f.third_once_false_alerts} beside year-long "
            f"households and {f.everyone_once_false_alerts} when no household has seen a summer. "
        )
        if f is not None
        else "Its measured recall and false alerts are in ml/EVALUATION.md (`make ml-eval`). "
    )
    return (
        "Trained and evaluated on simulated households, not yet on real EVN meter data. "
        + measured
        + "Each monthly retraining leaves out the last 14 days of households with a year of "
        "history, so a fault in progress is not learnt as normal. Needs daily readings; "
        "temperature falls back to provincial climate normals when no observation is given, which "
        "weakens the weather correction. A small continuous excess (about 5–10% of a household's "
        "use, one noise standard deviation or less a day, most often a leak starting in the hot "
        "months, when a day's noise is largest) often takes 15–30 days to reach the threshold. "
        "Guests, a trip or a summer unlike the last (at home with the children, warmer than any "
        "in its history) can raise an alert that no reading before it could have prevented. A "
        "household whose history holds no summer has an unknown cooling response: on temperatures it has not seen, the model widens its spread and "
        "expects at least its base use × the weather share of similar households that saw them "
        "(never falling with more heat above 30 °C); on those days a Kalman filter learns, day by "
        "day from its own readings, its cooling slope per °C beyond its history, the scale of its "
        "peers' curve and of their high weather share, and standardises by the prediction's own "
        "variance (a Tết its history never held needs more evidence too); on temperatures its "
        "history holds only a few days of, the spread grows with the fit's leverage. After a "
        "fault that a retraining learnt as normal (a heater stuck on in summer read as stronger "
        "cooling), the next cool season can be flagged. A history whose fit would need a trend "
        "steeper than 20% of base use a year (a fault in its first months) is fit without one; a "
        "real drift that fast is then followed by the detector's level alone, as is a drift the "
        "history cannot tell from its months' own swings (the trend is kept only as far as it "
        "stands out from them). Tết's days off and the three days after them add no evidence "
        "(guests, families away): a fault that starts then is flagged only after them. When a "
        "household answers that its use changed for good, the detector learns from that day the "
        "step and how the new use follows the weather (a new air conditioner cools more in July "
        "than in April), adding no evidence for 14 days; without an answer a lasting rise stays "
        "flagged until the monthly retraining learns it (one to three months), and one that "
        "follows the heat can alert again in the summer. An episode ends within about three weeks "
        "of the excess stopping; an excess that comes back after that is a new alert. New "
        "households (< 30 days) borrow the median shape of similar households and are not "
        "flagged in their first 14 days."
    )


def write_card(model: UnusualUsageModel, path: Path, training: pd.DataFrame) -> None:
    report = EVALUATION_FILE.read_text(encoding="utf-8") if EVALUATION_FILE.exists() else ""
    card = Card(model, trusted=None)
    card.add(
        **{
            "Model description": "Per-household regression of daily kWh on cooling/heating degree days "
            "(household-specific balance temperatures, non-negative slopes) and trend, times "
            "weekend, Tết and holiday shares, with two causal one-sided CUSUMs (fast and slow) on "
            "standardised residuals and a slowly adapting level (a Kalman filter that learns most "
            "from the quiet days at the household's base use).",
            "Model description/Intended uses & limitations": f"{INTENDED_USE}\n\n{limits(report)}",
            "Training data": f"{len(training)} daily readings of {training['household_id'].nunique()} households.",
            "Evaluation": report or "Run `make ml-eval`.",
        }
    )
    card.save(path)
