"""The consumption model's targets (issue 21), the one home of the bounds every report states,
and the names the reports and the model card (ml/card.py) share to find each other's figures."""

from __future__ import annotations

import re

RECALL = 0.95  # share of faults flagged within 14 days of onset, at least
MEDIAN_DELAY_DAYS = 3.0  # days from onset to the first flag, at most
FALSE_ALERTS = 0.10  # alerts outside any fault per household-year, at most
WEATHER_FALSE_ALERTS = 0.02  # of them starting in a heat wave (or a cold spell), at most

# metric of `ml.evaluate.Metrics` → (bound, True if the metric must stay at or below it)
TARGETS = {
    "recall": (RECALL, False),
    "median_delay": (MEDIAN_DELAY_DAYS, True),
    "false_alerts": (FALSE_ALERTS, True),
    "heat_wave_false_alerts": (WEATHER_FALSE_ALERTS, True),
}
STATED = (
    f"recall ≥ {RECALL:.2f}, median delay ≤ {MEDIAN_DELAY_DAYS:g} d, false alerts ≤ "
    f"{FALSE_ALERTS:.2f}, heat-wave/cold-spell ≤ {WEATHER_FALSE_ALERTS:.2f}"
)


# ml/worlds/report.py writes this section of ml/EVALUATION.md; ml/card.py reads its figures
HELD_OUT_HEADING = "## Held-out worlds"
HELD_OUT_SECTION = re.compile(rf"^{re.escape(HELD_OUT_HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
# the method name of the held-out rows scored as the product runs
PRODUCT_ROW = "model, year of history, retrained monthly (as the product runs)"
# … with half of the worlds' guest visits told beforehand (chat or app, backend/services/guests.py)
PRODUCT_ANNOUNCED_ROW = f"{PRODUCT_ROW}, households announce half of their guests"


def span(values: list[float]) -> str:
    """A range over seeds as the reports print it ("0.914–0.973"; "n/a" without values)."""
    return f"{min(values):.3f}–{max(values):.3f}" if values else "n/a"
