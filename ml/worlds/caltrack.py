"""The peer: CalTRACK's daily model (eemeter 4.1.1, the reference implementation) per household,
with a one-sided CUSUM on its standardised residuals, and CalTRACK's fit statistics.

eemeter 4.1.1 predates pandas 3: its granularity check compares a `Day` offset with a Timedelta,
which pandas 3 refuses. The daily data classes get a granularity check that answers "daily" for a daily index
(the only data given to them here); nothing else of the package is changed.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from eemeter.eemeter import DailyBaselineData, DailyModel, DailyReportingData
from eemeter.eemeter.models.daily import data as _daily_data

from ml.worlds.cusum import cusum

_original_granularity = _daily_data.compute_minimum_granularity


def _granularity(index: pd.DatetimeIndex, default_granularity: str | None) -> str | None:
    if len(index) > 1 and index.inferred_freq == "D":
        return "daily"
    return _original_granularity(index, default_granularity)


_daily_data.compute_minimum_granularity = _granularity
logging.getLogger("eemeter").setLevel(logging.ERROR)

MODEL = "legacy"  # CalTRACK 2.0 settings (see fit_predict)
CUSUM_K = 0.5  # textbook allowance (half a standard deviation); not tuned on any world
CUSUM_H = 5.0  # textbook threshold: ~1 false run per 465 in-control days for Gaussian residuals


def _series(dates: pd.Series, values: pd.Series) -> pd.Series:
    index = pd.DatetimeIndex(pd.to_datetime(dates.to_numpy())).tz_localize("UTC")
    return pd.Series(values.to_numpy(dtype=float), index=index)


def _inputs(frame: pd.DataFrame, days: pd.DatetimeIndex) -> tuple[pd.Series, pd.Series]:
    """Meter kWh (NaN on days with no read) on every day of `days`, and the day's mean °F on
    every hour (eemeter's temperature check, too, compares offsets pandas 3 no longer orders;
    hourly data take the branch that does not)."""
    kwh = _series(frame["date"], frame["kwh"]).reindex(days)
    celsius = _series(frame["date"], frame["avg_temp_c"]).reindex(days).interpolate().bfill()
    hours = pd.date_range(days[0], days[-1] + pd.Timedelta(hours=23), freq="h")
    return kwh, (celsius * 9 / 5 + 32).reindex(hours, method="ffill")


def fit_predict(*, train: pd.DataFrame, test: pd.DataFrame) -> tuple[pd.Series, pd.Series, float]:
    """One household: CalTRACK daily model fitted on `train` (date, kwh, avg_temp_c); returns
    the observed and predicted kWh of `test` (indexed by day, UTC) and the model's residual
    spread on `train`."""
    first, last = pd.Timestamp(train["date"].min()), pd.Timestamp(train["date"].max())
    days = pd.date_range(first, last, freq="D", tz="UTC")
    kwh, temp = _inputs(train, days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        baseline = DailyBaselineData.from_series(kwh, temp, is_electricity_data=True)
        model = DailyModel(model=MODEL).fit(baseline, ignore_disqualification=True)
        fitted = model.predict(baseline, ignore_disqualification=True)
        t_first, t_last = pd.Timestamp(test["date"].min()), pd.Timestamp(test["date"].max())
        t_days = pd.date_range(t_first, t_last, freq="D", tz="UTC")
        t_kwh, t_temp = _inputs(test, t_days)
        reporting = DailyReportingData.from_series(t_kwh, t_temp, is_electricity_data=True)
        predicted = model.predict(reporting, ignore_disqualification=True)
    residual = (fitted["observed"] - fitted["predicted"]).dropna()
    spread = float(residual.std()) if len(residual) > 10 else float(kwh.std())
    return predicted["observed"], predicted["predicted"], max(spread, 0.05)


def cusum_path(
    *, observed: np.ndarray, predicted: np.ndarray, sigma: float, k: float = CUSUM_K
) -> np.ndarray:
    """The upper CUSUM's sum on (observed − predicted)/sigma, day by day (`cusum`)."""
    return cusum((np.asarray(observed) - np.asarray(predicted)) / sigma, k=k)


Paths = dict[str, tuple[list[date], np.ndarray]]  # household → scored days, CUSUM sum on them


def caltrack_paths(
    readings: pd.DataFrame, ids: Sequence[str], *, test_day: date, k: float = CUSUM_K
) -> Paths:
    """CalTRACK's daily model fitted once per household on the days before `test_day`, and the
    upper CUSUM's sum (allowance `k`) on its standardised residuals from `test_day` on."""
    out: Paths = {}
    by_household = dict(tuple(readings.groupby("household_id")))
    for household in ids:
        rows = by_household[household]
        train, test = rows[rows["date"] < test_day], rows[rows["date"] >= test_day]
        observed, predicted, sigma = fit_predict(train=train, test=test)
        path = cusum_path(
            observed=observed.to_numpy(), predicted=predicted.to_numpy(), sigma=sigma, k=k
        )
        out[household] = (list(predicted.index.date), path)
    return out


def flags_at(paths: Paths, h: float) -> pd.DataFrame:
    """household_id, date, is_anomaly: a day is flagged while the CUSUM's sum exceeds `h`."""
    parts = [
        pd.DataFrame({"household_id": household, "date": days, "is_anomaly": path > h})
        for household, (days, path) in paths.items()
    ]
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Fit:
    cv_rmse: float  # %
    nmbe: float  # %


def fit_statistics(*, observed: np.ndarray, predicted: np.ndarray, parameters: int) -> Fit:
    """CV(RMSE) and NMBE as CalTRACK (ASHRAE Guideline 14) reports them, in %, over the days
    with both values; `parameters` is the model's number of fitted coefficients."""
    ok = np.isfinite(observed) & np.isfinite(predicted)
    obs, pred = observed[ok], predicted[ok]
    n, mean = len(obs), float(np.mean(obs))
    rmse = np.sqrt(np.sum((obs - pred) ** 2) / max(n - parameters, 1))
    return Fit(
        cv_rmse=100 * rmse / mean,
        nmbe=100 * float(np.sum(obs - pred)) / (max(n - parameters, 1) * mean),
    )
