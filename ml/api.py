"""What the backend uses: load/save the model (skops, trusted types only), score, explain."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import skops.io as sio

from ml.model import UnusualUsageModel

# Every type the saved model may contain; loading refuses anything else.
TRUSTED_TYPES = [
    "ml.model.UnusualUsageModel",
    "ml.consumption.ConsumptionModel",
    # models saved before ConsumptionModel moved to ml/consumption.py (ml.model still imports it)
    "ml.model.ConsumptionModel",
    "ml.features.CalendarFeatures",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.pipeline.Pipeline",
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.int64",
    "builtins.slice",
]


# recent days a retraining leaves out of each household with a year of history before them, so
# that a fault in progress is not learnt as its normal use (ml/EVALUATION.md, "Retraining leaves
# a year-long household's last 14 days out"); ml/evaluate.py retrains the same way
RETRAIN_HOLDOUT_DAYS = 14
YEAR_DAYS = 365


def training_rows(
    readings: pd.DataFrame, *, until: date, holdout_days: int = RETRAIN_HOLDOUT_DAYS
) -> pd.DataFrame:
    """The rows a retraining on `until` learns from: every reading before `until`, less the last
    `holdout_days` days of each household whose readings before those days span a year. A newer
    household keeps them: its recent days are what teach it its first summer, and leaving them
    out raised its false alerts ("Tuning history")."""
    before = readings[readings["date"] < until]
    if not holdout_days or before.empty:
        return before
    cut = until - timedelta(days=holdout_days)
    first = before.groupby("household_id")["date"].transform("min")
    year_long = first <= cut - timedelta(days=YEAR_DAYS)
    return before[~(year_long & (before["date"] >= cut))]


def without_announced(
    readings: pd.DataFrame, announced: Mapping[str, Iterable[tuple[date, date]]]
) -> pd.DataFrame:
    """`readings` less the days inside a period their household announced would not be its
    normal (guests staying): the model does not learn them as the household's use."""
    if readings.empty or not announced:
        return readings
    inside = pd.Series(False, index=readings.index)
    for household, periods in announced.items():
        mine = readings["household_id"] == household
        for first, last in periods:
            inside |= mine & (readings["date"] >= first) & (readings["date"] <= last)
    return readings[~inside]


def save_model(model: UnusualUsageModel, path: str | Path) -> None:
    """Write to a temporary file beside `path`, then rename: the nightly scoring never loads a
    half-written model, and a failed save leaves the previous one in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        sio.dump(model, temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def load_model(path: str | Path) -> UnusualUsageModel:
    """Load a model saved by save_model; raises skops' UntrustedTypesFoundException otherwise."""
    model = sio.load(Path(path), trusted=TRUSTED_TYPES)
    if not isinstance(model, UnusualUsageModel):
        raise TypeError(f"{path} does not hold an UnusualUsageModel")
    return model


def score_readings(model: UnusualUsageModel, frame: pd.DataFrame) -> pd.DataFrame:
    """Input columns household_id, date, kwh, avg_temp_c (+ optional province_code, occupants,
    air_conditioners); returns the same rows with expected_kwh, weather_kwh, score, is_anomaly,
    excess_days. Causal: a day's verdict depends on that household's days up to it only."""
    scored = model.score_frame(frame.reset_index(drop=True))
    return pd.concat([frame.reset_index(drop=True), scored], axis=1)


APPLIANCE_HINTS = {
    "water_heater": "bình nóng lạnh có thể đang bật liên tục",
    "air_conditioner": "điều hòa có thể cần vệ sinh hoặc kiểm tra gas",
}


def back_to_expected(actual_kwh: float, expected_kwh: float) -> bool:
    """An alert still open whose last week was not above the expected use: the excess stopped
    (a heater repaired) but the evidence it built has not yet decayed."""
    return actual_kwh <= expected_kwh


def explain_vi(
    actual_kwh: float,
    expected_kwh: float,
    weather_kwh: float,
    excess_days: int,
    appliances: dict | None = None,
    *,
    since: str | None = None,
    window_days: int = 7,
) -> str:
    """One or two Vietnamese sentences a household understands, on the figures of the last
    `window_days` days (a week, or a younger alert's own days); `since`: the alert's first day
    as the household reads it (10/5/2025)."""
    window = "Tuần qua" if window_days == 7 else f"{window_days} ngày qua"
    if back_to_expected(actual_kwh, expected_kwh):
        alert = f"Cảnh báo bắt đầu từ ngày {since}" if since else "Cảnh báo này"
        return (
            f"{window} nhà bạn dùng {actual_kwh:.0f} kWh, không cao hơn mức dự kiến theo thời "
            f"tiết (dự kiến {expected_kwh:.0f} kWh): mức dùng đã trở lại bình thường. {alert} "
            "sẽ tự tắt nếu mức dùng tiếp tục như vậy thêm ít lâu."
        )
    excess = round((actual_kwh - expected_kwh) / expected_kwh * 100) if expected_kwh > 0 else 0
    # a rise that rounds to 0% (or has no base) is said in kWh: "0%" reads as no rise
    by = f"khoảng {excess}%" if excess else "một chút"
    weather = f", trong đó khoảng {weather_kwh:.0f} kWh do nóng/lạnh" if weather_kwh >= 1 else ""
    text = (
        f"{window} nhà bạn dùng {actual_kwh:.0f} kWh, cao hơn mức dự kiến theo thời tiết {by} "
        f"(dự kiến {expected_kwh:.0f} kWh{weather}) và đã kéo dài {excess_days} ngày"
    )
    owned = {key for key, value in (appliances or {}).items() if value}
    # in cool weather the likely culprit is the water heater; in hot weather the air conditioner
    order = (
        ["air_conditioner", "water_heater"]
        if weather_kwh >= 0.3 * expected_kwh
        else ["water_heater", "air_conditioner"]
    )
    hints = [APPLIANCE_HINTS[key] for key in order if key in owned][:1]
    if hints:
        return text + "; hãy kiểm tra: " + hints[0] + "."
    return text + "; hãy kiểm tra thiết bị nào đang chạy lâu hơn thường lệ hoặc có rò điện không."
