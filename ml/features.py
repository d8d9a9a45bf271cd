"""Calendar and weather features of daily readings (pure functions of each row: causal)."""

from __future__ import annotations

from functools import cache

import holidays
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ml.climate import NATIONAL, normal_temps

REQUIRED = ("household_id", "date", "kwh", "avg_temp_c")


@cache
def _holiday_days(years: tuple[int, ...]) -> frozenset:
    return frozenset(holidays.Vietnam(years=list(years)).keys())


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
    """date → [weekend, holiday]; holidays from the `holidays` package (Tết included)."""

    def fit(self, X: pd.DataFrame, y: object = None) -> CalendarFeatures:
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        dates = pd.to_datetime(X["date"])
        years = tuple(sorted(set(dates.dt.year.tolist())))
        days = _holiday_days(years)
        holiday = dates.dt.date.isin(days).to_numpy(dtype=float)
        weekend = (dates.dt.day_of_week >= 5).to_numpy(dtype=float)
        return np.column_stack([weekend, holiday])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array(["weekend", "holiday"])
