"""Calendar and weather features of daily readings (pure functions of each row: causal)."""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ml.climate import NATIONAL, normal_temps

REQUIRED = ("household_id", "date", "kwh", "avg_temp_c")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@cache
def _holiday_days(years: tuple[int, ...]) -> tuple[frozenset, frozenset]:
    """(Tết days, other public holidays): Tết changes use far more than a one-day holiday."""
    days = holidays.Vietnam(years=list(years))
    tet = frozenset(d for d, name in days.items() if "Lunar" in name or "Tết" in name)
    return tet, frozenset(days) - tet


def after_tet(day_number: np.ndarray, *, valid: np.ndarray, days: int) -> np.ndarray:
    """True on `valid` cells whose `day_number` (days since 1970) is one of the `days` days after
    a year's last official Tết holiday: the Tết season goes on past the days off (families visit,
    guests stay, those who went home return), so a household's use there is not yet its normal."""
    if days <= 0 or not valid.any():
        return np.zeros(day_number.shape, dtype=bool)
    first, last = (
        np.datetime64(int(v), "D").astype(object).year
        for v in (day_number[valid].min(), day_number[valid].max())
    )
    tet, _ = _holiday_days(tuple(range(first, last + 1)))
    last_days: dict[int, int] = {}  # year → day number of its last Tết holiday
    for day in tet:
        number = day.toordinal() - EPOCH_ORDINAL
        last_days[day.year] = max(number, last_days.get(day.year, number))
    after = [end + k for end in last_days.values() for k in range(1, days + 1)]
    return np.isin(day_number, after) & valid


def fill_temperatures(frame: pd.DataFrame) -> pd.Series:
    """Observed temperature, else the province's climate normal (national without a province)."""
    temps = pd.to_numeric(frame["avg_temp_c"], errors="coerce")
    missing = temps.isna().to_numpy()
    if missing.any():
        provinces = (
            frame["province_code"].fillna(NATIONAL).astype(int).to_numpy()
            if "province_code" in frame
            else np.full(len(frame), NATIONAL)
        )
        doy = pd.to_datetime(frame["date"]).dt.day_of_year.to_numpy()
        temps = temps.to_numpy().copy()
        temps[missing] = normal_temps(provinces[missing], doy[missing])
        return pd.Series(temps, index=frame.index)
    return temps


class CalendarFeatures(BaseEstimator, TransformerMixin):
    """date → [weekend, Tết, other holiday]; holidays from the `holidays` package."""

    def fit(self, X: pd.DataFrame, y: object = None) -> CalendarFeatures:
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        dates = pd.to_datetime(X["date"])
        years = tuple(sorted(set(dates.dt.year.tolist())))
        tet, other = _holiday_days(years)
        day = dates.dt.date
        weekend = (dates.dt.day_of_week >= 5).to_numpy(dtype=float)
        return np.column_stack(
            [weekend, day.isin(tet).to_numpy(dtype=float), day.isin(other).to_numpy(dtype=float)]
        )

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array(["weekend", "tet", "holiday"])
