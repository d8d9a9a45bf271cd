"""The design matrix: daily readings as per-household matrices, and the regressors on them.

Every model step works on all households at once, so rows are grouped into matrices
[households, days] (padded, with a mask) instead of one frame per household. A day's expected
use is (base + weather + trend) × (1 + calendar shares): the regressors are, in this order,

    intercept, CDD, CDD²/10, HDD, HDD²/10, weekend, Tết, holiday, trend

with cooling and heating degree days (CDD, HDD) from each household's own balance temperatures.
Heating may be convex (`curved` households: a water heater's use grows faster than linearly as it
gets colder); a household whose history shows no such curve keeps a straight heating line.
Weekend, Tết and holidays act as shares of the day's other use, because a Tết at home in a heat
wave adds more kWh than a Tết in cool weather.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.climate import NATIONAL, normal_temps
from ml.features import fill_temperatures

N_COEF = 9  # intercept, cdd, cdd², hdd, hdd², weekend, Tết, holiday, trend
TREND = N_COEF - 1
COOL_CURVE = 2  # the CDD² regressor
HEAT_CURVE = 4  # the HDD² regressor
WEATHER_COEFS = [1, 2, 3, 4]
CALENDAR_COEFS = [5, 6, 7]  # shares of the day's weather-and-trend use (multiplicative)
BASE_COEFS = [0, 1, 2, 3, 4, 8]
TREND_WEIGHT = 1.0  # the trend regressor is years since the first training day × this


@dataclass
class Design:
    """Rows grouped per household as matrices [households, days] (padded, with a mask)."""

    ids: list[str]
    rows: np.ndarray  # original row index of each cell (-1 for padding)
    valid: np.ndarray
    temp: np.ndarray
    calendar: np.ndarray  # [households, days, 3]: weekend, Tết, holiday
    day_number: np.ndarray  # days since 1970 (for the trend)
    kwh: np.ndarray
    estimated: np.ndarray  # bool: reads that look estimated by the utility (`estimated_reads`)

    def subset(self, households: np.ndarray) -> Design:
        """The design of the households selected by a boolean mask."""
        return Design(
            [h for h, keep in zip(self.ids, households, strict=True) if keep],
            self.rows[households],
            self.valid[households],
            self.temp[households],
            self.calendar[households],
            self.day_number[households],
            self.kwh[households],
            self.estimated[households],
        )

    def measured(self) -> Design:
        """This design with the estimated reads left out (as days without a read)."""
        return replace(self, valid=self.valid & ~self.estimated)

    def stacked(self, other: Design) -> Design:
        """This design's households followed by `other`'s (of as many days), as one design."""
        return Design(
            [*self.ids, *other.ids],
            *(
                np.concatenate([mine, theirs])
                for mine, theirs in (
                    (self.rows, other.rows),
                    (self.valid, other.valid),
                    (self.temp, other.temp),
                    (self.calendar, other.calendar),
                    (self.day_number, other.day_number),
                    (self.kwh, other.kwh),
                    (self.estimated, other.estimated),
                )
            ),
        )


def make_design(frame: pd.DataFrame, calendar: Pipeline) -> Design:
    """Group `frame`'s rows per household in date order; missing temperatures take the
    province's climate normal and `calendar` (a fitted CalendarFeatures pipeline) marks weekend,
    Tết and holidays. `Design.rows` maps each cell back to its row of `frame`."""
    frame = frame.assign(
        _temp=fill_temperatures(frame).to_numpy(),
        _row=np.arange(len(frame)),
        _day=pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[D]").astype(np.int64),
    )
    frame = frame.sort_values(["household_id", "_day"], kind="stable")
    cal = calendar.transform(frame)
    codes, ids = pd.factorize(frame["household_id"], sort=False)
    position = frame.groupby(codes).cumcount().to_numpy()
    shape = (len(ids), int(position.max()) + 1 if len(frame) else 0)
    rows = np.full(shape, -1)
    rows[codes, position] = frame["_row"].to_numpy()
    valid = rows >= 0

    def matrix(values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        out = np.full(shape, fill, dtype=float)
        out[codes, position] = values
        return out

    calendar_matrix = np.zeros((*shape, cal.shape[1]))
    calendar_matrix[codes, position] = cal
    kwh = matrix(pd.to_numeric(frame["kwh"], errors="coerce").fillna(0).to_numpy())
    day_number = matrix(frame["_day"].to_numpy().astype(float))
    return Design(
        [str(i) for i in ids],
        rows,
        valid,
        matrix(frame["_temp"].to_numpy()),
        calendar_matrix,
        day_number,
        kwh,
        estimated_reads(kwh, valid=valid, day_number=day_number),
    )


def estimated_reads(kwh: np.ndarray, *, valid: np.ndarray, day_number: np.ndarray) -> np.ndarray:
    """[households, days] True on reads that look estimated: a run of two or more consecutive
    days with the same kWh (a utility's estimate repeats one figure while it cannot read the
    meter), and the first read after such a run (the catch-up that bills what the estimate
    missed). Neither is a day's use: the model neither learns from them nor flags them."""
    next_day = valid[:, 1:] & valid[:, :-1] & (np.diff(day_number, axis=1) == 1)
    same = next_day & (kwh[:, 1:] == kwh[:, :-1])
    run = np.zeros(kwh.shape, dtype=bool)
    run[:, 1:] |= same
    run[:, :-1] |= same
    catch_up = np.zeros(kwh.shape, dtype=bool)
    catch_up[:, 1:] = run[:, :-1] & ~run[:, 1:] & next_day
    return (run | catch_up) & valid


def grid_design(
    ids: list[str],
    *,
    first: object,
    temp: np.ndarray,
    calendar: Pipeline,
    provinces: np.ndarray | None = None,
) -> Design:
    """The design of households asked about the same consecutive days from `first` (a date), at
    temperatures `temp` [households, days] (nan: the province's climate normal, national without
    `provinces`), kWh unknown: what make_design builds from a frame of every household × day,
    cell for cell, without that frame (the nightly projection asks 500 households × 90 days at a
    time). Households stay in the order of `ids`."""
    n, days = temp.shape
    dates = pd.date_range(pd.Timestamp(first), periods=days, freq="D")
    cal = calendar.transform(pd.DataFrame({"date": dates}))
    day_number = dates.to_numpy().astype("datetime64[D]").astype(np.int64).astype(float)
    temp = np.array(temp, dtype=float)
    missing = np.isnan(temp)
    if missing.any():
        codes = np.full(n, NATIONAL) if provinces is None else provinces
        codes = np.where(pd.isna(codes), NATIONAL, codes).astype(int)
        rows, cols = np.nonzero(missing)
        temp[missing] = normal_temps(codes[rows], dates.day_of_year.to_numpy()[cols])
    return Design(
        list(ids),
        np.arange(n * days).reshape(n, days),
        np.ones((n, days), dtype=bool),
        temp,
        np.repeat(np.asarray(cal, dtype=float)[None], n, axis=0),
        np.repeat(day_number[None], n, axis=0),
        np.zeros((n, days)),
        np.zeros((n, days), dtype=bool),  # nothing read, so nothing estimated
    )


def regressors(
    design: Design,
    *,
    cool: np.ndarray,
    heat: np.ndarray,
    span: np.ndarray,
    carry: np.ndarray | float = 0.0,
    curved: np.ndarray | bool = True,
) -> np.ndarray:
    """[households, days, N_COEF] for per-household balance points and trend spans
    (span[:, 0] first and span[:, 1] last training day): the trend is flat before the span and
    goes on at `carry` × its slope after it. HDD² is zero for households not `curved`. Padding
    cells are zero."""
    cdd = np.maximum(design.temp - cool[:, None], 0.0)
    hdd = np.maximum(heat[:, None] - design.temp, 0.0)
    after = np.maximum(design.day_number - span[:, 1:], 0.0)
    carried = np.reshape(carry, (-1, 1)) * after
    days = np.clip(design.day_number, span[:, :1], span[:, 1:]) + carried
    trend = (days - span[:, :1]) / 365.0 * TREND_WEIGHT
    ones = np.ones_like(cdd)
    stacked = np.stack(
        [
            ones,
            cdd,
            cdd**2 / 10,
            hdd,
            hdd**2 / 10 * np.reshape(curved, (-1, 1)),
            *np.moveaxis(design.calendar, -1, 0),
            trend,
        ],
        axis=-1,
    )
    return stacked * design.valid[..., None]


def expected_kwh(x: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected kWh and its weather part: (base + weather + trend) × (1 + calendar shares)."""
    factor = 1 + np.einsum("hdp,hp->hd", x[..., CALENDAR_COEFS], coef[:, CALENDAR_COEFS])
    base = np.einsum("hdp,hp->hd", x[..., BASE_COEFS], coef[:, BASE_COEFS])
    weather = np.einsum("hdp,hp->hd", x[..., WEATHER_COEFS], coef[:, WEATHER_COEFS])
    return base * factor, weather * factor
