"""The model card (skops Card) written next to the model: intended use, limits, evaluation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from skops.card import Card

from ml.model import UnusualUsageModel

EVALUATION_FILE = Path(__file__).parent / "EVALUATION.md"

INTENDED_USE = (
    "Flags a household's daily electricity use that the weather, the day of week and holidays do "
    "not explain, so the household can be told within days (a water heater left on, a failing "
    "air conditioner, a leak) while heat waves do not alarm everyone. Advice to households, "
    "not billing, not credit or enforcement decisions."
)
LIMITS = (
    "Trained and evaluated on simulated households (ml/simulate.py), not yet on real EVN meter "
    "data. On three simulated worlds written apart from the ones it was tuned on, retrained "
    "monthly as the product runs, it is told of 0.26–0.62 of the faults within 14 days at "
    "0.09–0.38 false alerts per household-year, where a detector that knew each home's true "
    'normal use would find 0.54–0.87 (ml/EVALUATION.md, "Held-out worlds"): treat an alert '
    "as a question to the household, not a finding. Each monthly retraining leaves out the "
    "last 14 days of households with a year of history, so a fault in progress is not learnt "
    "as normal. Needs daily readings; temperature falls back to provincial climate normals when no "
    "observation is given, which weakens the weather correction. A small continuous excess "
    "(about 5–10% of a household's use, one noise standard deviation or less a day, most often a "
    "leak starting in the hot months, when a day's noise is largest) often takes 15–30 days to "
    "reach the threshold, so recall within 14 days is 0.93–0.99 over five seeds with a year of "
    "history and 0.85–0.89 for noisier households (see the evaluation; on the seed where it is "
    "0.93, even an oracle that knows each household's true normal use reaches only 0.95 at the "
    "0.10 false-alert target). A household whose "
    "history holds no summer has an unknown cooling response: on temperatures it has not seen, "
    "the model widens its spread and expects at least its base use × the weather share of "
    "similar households that saw them (never falling with more heat above 30 °C); on those days "
    "a Kalman filter learns, day by day from its own readings, its cooling slope per °C beyond "
    "its history, the scale of its peers' curve and of their high weather share, and "
    "standardises by the prediction's own variance (a Tết its history never held needs more "
    "evidence too); on temperatures its history holds only a few days of, the spread grows with "
    "the fit's leverage. Retrained monthly, as the product does, households with 60 days of "
    "history still raise 0.10–0.18 false alerts and 0.00–0.02 heat-wave false alerts per "
    "household-year (recall 0.90–0.95), and 0.05–0.21 when they are a third of the households "
    "(recall 0.91–0.96); a model never retrained raises 0.20–0.36 and 0.01–0.04 for them beside "
    "year-long households, and up to 0.66 and 0.23 when no household at all has seen a summer. "
    "Those false alerts start mostly on the first days beyond a household's history, when its "
    "cooling is far from its peers' and the filter has not learnt it yet, and in the next cool "
    "season; after a fault that a retraining learnt as normal (a heater stuck on in summer read "
    "as stronger cooling), the next cool season can be flagged. A history whose fit would need "
    "a trend steeper than 20% of base use a year (a fault in its first months) is fit without "
    "one; a real drift that fast is then followed by the detector's level alone, as is a drift the "
    "history cannot tell from its months' own swings (the trend is kept only as far as it "
    "stands out from them). Tết's days off "
    "and the three days after them add no evidence (guests, families away): a fault that "
    "starts then is flagged only after them. When a household answers that its use changed for "
    "good, the detector learns from that day the step and how the new use follows the weather "
    "(a new air conditioner cools more in July than in April), adding no evidence for 14 days; "
    "without an answer a lasting rise stays flagged until the monthly retraining learns it (one "
    "to three months), and one that follows the heat can alert again in the summer. An "
    "episode ends within about three weeks of the excess stopping; an excess that comes back "
    "after that is a new alert. New households (< 30 days) borrow the median shape of similar "
    "households and are not flagged in their first 14 days."
)


def write_card(model: UnusualUsageModel, path: Path, training: pd.DataFrame) -> None:
    card = Card(model, trusted=None)
    card.add(
        **{
            "Model description": "Per-household regression of daily kWh on cooling/heating degree days "
            "(household-specific balance temperatures, non-negative slopes) and trend, times "
            "weekend, Tết and holiday shares, with two causal one-sided CUSUMs (fast and slow) on "
            "standardised residuals and a slowly adapting level (a Kalman filter that learns most "
            "from the quiet days at the household's base use).",
            "Model description/Intended uses & limitations": f"{INTENDED_USE}\n\n{LIMITS}",
            "Training data": f"{len(training)} daily readings of {training['household_id'].nunique()} households.",
            "Evaluation": EVALUATION_FILE.read_text(encoding="utf-8")
            if EVALUATION_FILE.exists()
            else "Run `make ml-eval`.",
        }
    )
    card.save(path)
