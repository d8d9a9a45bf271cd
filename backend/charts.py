"""Geometry of the small SVG charts (drawn server-side: no script, works offline), shared by the
staff console and the household's page: one chart component, rendered by templates/chart.html."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from backend.services.household_panel import Day

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 22, 28


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict] = field(default_factory=list)
    line: str = ""  # polyline points of the second series
    expected: str = ""
    band: str = ""  # polygon points of the expected band (household page only)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    y2_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    plot: tuple[int, int, int, int] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)


def _scale(value: float, low: float, high: float) -> float:
    """Value → y pixel inside the plot area."""
    span = (high - low) or 1.0
    return HEIGHT - BOTTOM - (value - low) / span * (HEIGHT - BOTTOM - TOP)


def _ticks(low: float, high: float, unit: str) -> list[tuple[float, str]]:
    return [
        (_scale(low + (high - low) * i / 4, low, high), f"{low + (high - low) * i / 4:.0f}{unit}")
        for i in range(5)
    ]


def _x_labels(days: list[date], slot: float) -> list[tuple[float, str]]:
    step = max(1, len(days) // 6)
    return [
        (LEFT + slot * (i + 0.5), f"{d.day:02d}/{d.month:02d}")
        for i, d in enumerate(days)
        if i % step == 0
    ]


BAND_QUANTILES = (0.1, 0.9)  # the band holds the usual 80 % of the days the model did not flag
MIN_BAND_DAYS = 10


def expected_band(days: list[Day]) -> list[tuple[float, float] | None]:
    """Per day, the usual range around the model's expected kWh: expected × (1 + the 10th and
    90th percentile of the relative miss on the days in view it did not flag). None where the
    model has no expectation, or for every day when too few days were scored to say."""
    misses = [
        (d.kwh - d.expected_kwh) / d.expected_kwh
        for d in days
        if d.expected_kwh and not d.is_anomaly
    ]
    if len(misses) < MIN_BAND_DAYS:
        return [None] * len(days)
    cuts = statistics.quantiles(misses, n=10, method="inclusive")
    low, high = min(cuts[0], 0.0), max(cuts[-1], 0.0)
    return [
        (max(0.0, d.expected_kwh * (1 + low)), d.expected_kwh * (1 + high))
        if d.expected_kwh
        else None
        for d in days
    ]


def consumption_chart(days: list[Day], *, band: bool = False) -> Chart:
    """Bars of daily kWh (red when the model flagged the day), the expected kWh dotted, and the
    temperature as a line on the right axis; with `band`, the expected band shaded behind."""
    chart = Chart()
    if not days:
        return chart
    slot = (WIDTH - LEFT - RIGHT) / len(days)
    ranges = expected_band(days) if band else [None] * len(days)
    kwh_high = (
        max(
            max(d.kwh for d in days),
            max((d.expected_kwh or 0) for d in days),
            max((r[1] for r in ranges if r), default=0),
        )
        * 1.1
        or 1.0
    )
    t_low = min(d.avg_temp_c for d in days) - 2
    t_high = max(d.avg_temp_c for d in days) + 2
    base = HEIGHT - BOTTOM
    expected = []
    for i, d in enumerate(days):
        y = _scale(d.kwh, 0, kwh_high)
        chart.bars.append(
            {
                "x": round(LEFT + slot * i + slot * 0.1, 1),
                "y": round(y, 1),
                "w": round(slot * 0.8, 1),
                "h": round(base - y, 1),
                "anomaly": d.is_anomaly,
                "title": f"{d.day:%d/%m/%Y}: {d.kwh:.1f} kWh, {d.avg_temp_c:.1f} °C"
                + (" — bất thường" if d.is_anomaly else ""),
            }
        )
        if d.expected_kwh is not None:
            expected.append(
                f"{LEFT + slot * (i + 0.5):.1f},{_scale(d.expected_kwh, 0, kwh_high):.1f}"
            )
    chart.expected = " ".join(expected)
    upper = [
        f"{LEFT + slot * (i + 0.5):.1f},{_scale(r[1], 0, kwh_high):.1f}"
        for i, r in enumerate(ranges)
        if r
    ]
    lower = [
        f"{LEFT + slot * (i + 0.5):.1f},{_scale(r[0], 0, kwh_high):.1f}"
        for i, r in enumerate(ranges)
        if r
    ]
    chart.band = " ".join(upper + lower[::-1])
    chart.line = " ".join(
        f"{LEFT + slot * (i + 0.5):.1f},{_scale(d.avg_temp_c, t_low, t_high):.1f}"
        for i, d in enumerate(days)
    )
    chart.y_ticks = _ticks(0, kwh_high, "")
    chart.y2_ticks = _ticks(t_low, t_high, "°")
    chart.x_labels = _x_labels([d.day for d in days], slot)
    return chart


def count_chart(per_day: list[tuple[date, int]]) -> Chart:
    """Bars of a count per day (the dashboard's conversations per day)."""
    chart = Chart()
    if not per_day:
        return chart
    slot = (WIDTH - LEFT - RIGHT) / len(per_day)
    high = max(max(count for _, count in per_day), 4) * 1.1
    base = HEIGHT - BOTTOM
    for i, (day, count) in enumerate(per_day):
        y = _scale(count, 0, high)
        chart.bars.append(
            {
                "x": round(LEFT + slot * i + slot * 0.1, 1),
                "y": round(y, 1),
                "w": round(slot * 0.8, 1),
                "h": round(base - y, 1),
                "anomaly": False,
                "title": f"{day:%d/%m/%Y}: {count} hội thoại",
            }
        )
    chart.y_ticks = _ticks(0, high, "")
    chart.x_labels = _x_labels([d for d, _ in per_day], slot)
    return chart
