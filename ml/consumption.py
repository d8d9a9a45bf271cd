"""The consumption model: each household's normal daily use against the weather and calendar.

`ConsumptionModel` (a scikit-learn regressor) fits, per household, kWh ≈ b0 + b1·CDD + b2·CDD²
+ b3·HDD + b7·trend, times (1 + b4·weekend + b5·Tết + b6·holiday), with household-specific balance
temperatures for cooling (CDD) and heating (HDD) (ml/design.py, robust ridge in ml/ridge.py).

Beyond the training days a year-long household's trend goes on at `TREND_CARRY` of its slope:
one year cannot tell drift from a warm winter, so carrying it in full risks steady false alerts;
a shorter history's slope is mostly noise and is held at its last value. The detector's level
(ml/detect.py) follows the rest of the drift. A trend steeper than `MAX_TREND_SHARE` of base use
a year is a fault in the history (an air conditioner failing in the first hot months read as use
falling over time), not drift: that household is refit without one. A slope its history does
not show beyond the months' own swings (its t against 30-day residual means below about 2) is
shrunk towards none (`ml.ridge.shrink_trend`): over a year or two a school summer or a fault in
the newest months fakes a trend more often than drift makes one.

A prediction also says how sure it is (`Prediction.sigma`). On temperatures a history covers, the
spread grows with the fit's leverage there (sqrt(1 + xᵀ(XᵀX + penalty)⁻¹x)): a temperature the
history holds only a few days of is expected less surely than one it holds months of. Beyond
them it widens per °C, and on Tết more so (a single Tết is one sample: a family away for it, or
at home).

Households with less than `min_history_days` borrow the median parameters of their peers
(ml/peers.py), scaled causally to their own level. A household without a year of history, on a
temperature its history does not cover, expects the larger of its own fit and its base use ×
its peers' weather share there; on days hotter than its history, `Prediction.uncertain` holds the
shapes of what the weather may add, whose scales the detector learns from the household's own
readings.
"""

from __future__ import annotations

import weakref
from dataclasses import fields, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from ml.design import N_COEF, TREND, Design, expected_kwh, make_design, regressors
from ml.detect import Detector
from ml.features import CalendarFeatures
from ml.noise import noise_shape
from ml.parameters import MIN_EXPECTED_KWH, HouseholdParameters, Prediction
from ml.peers import (
    PEER_HIGH_QUANTILE,
    RISE_FROM,
    HouseholdAttributes,
    group_key,
    group_medians,
    household_attributes,
    peer_curves,
    peer_share,
    relative_weather,
    rising,
)
from ml.ridge import fit_robust, penalised_gram, relative_sigma, shrink_trend

# sigma grows by this share per °C beyond the temperatures a household's history covers: a
# household never seen in the heat has an unknown cooling response, so it needs more evidence
EXTRAPOLATION_WIDENING = 0.5
# where the peers' expectation is in force it already holds part of the unknown response
PEER_EXTRAPOLATION_WIDENING = 0.25
UNSEEN_TET_WIDENING = 4.0  # sigma × this on Tết when the history holds no Tết
SEEN_TET_WIDENING = 2.0  # and × this when it holds one: a single Tết is one sample
TREND_CARRY = 0.5  # share of a year-long household's trend slope carried past its training days
MAX_TREND_SHARE = 0.2  # a steeper trend (share of base use a year) is a fault: refit without one
FULL_YEAR_DAYS = 300  # history from which a household is taken to have seen its own seasons
BORROWED_SIGMA_SCALE = 1.3  # a borrowed shape is less certain than the household's own
BORROWED_WARMUP_DAYS = 14  # a household on borrowed parameters is never flagged in these days


def _arrays(value: Prediction | HouseholdParameters) -> list[np.ndarray]:
    """A dataclass's fields in order, not copied (dataclasses.astuple deep-copies arrays)."""
    return [getattr(value, f.name) for f in fields(value)]


class ConsumptionModel(BaseEstimator, RegressorMixin):
    """Expected daily kWh of each household given temperature and calendar."""

    def __init__(self, alpha: float = 3.0, min_history_days: int = 30) -> None:
        self.alpha = alpha  # ridge penalty
        self.min_history_days = min_history_days  # less history: borrow the peers' parameters

    def _calendar(self) -> Pipeline:
        """Weekend, Tết and holiday flags from the date column."""
        return Pipeline([("calendar", ColumnTransformer([("cal", CalendarFeatures(), ["date"])]))])

    def fit(self, X: pd.DataFrame, y: object = None) -> ConsumptionModel:
        """Fit every household of `X` (household_id, date, kwh, avg_temp_c; optional
        province_code, air_conditioners, occupants) and its peers' medians and curves."""
        self.calendar_ = self._calendar().fit(X)
        design = make_design(X, self.calendar_).measured()
        span = np.column_stack(
            [
                np.where(design.valid, design.day_number, np.inf).min(axis=1),
                np.where(design.valid, design.day_number, -np.inf).max(axis=1),
            ]
        )
        observed = design.kwh * design.valid
        coef, cool, heat, curved, fitted = fit_robust(
            design, observed=observed, span=span, alpha=self.alpha
        )
        steep = np.abs(coef[:, TREND]) > MAX_TREND_SHARE * np.maximum(coef[:, 0], 0.5)
        if steep.any():
            # a span of one day makes the trend regressor zero: these households have no trend
            span[steep] = span[steep][:, [0, 0]]
            refit = fit_robust(
                design.subset(steep), observed=observed[steep], span=span[steep], alpha=self.alpha
            )
            for values, new in zip((coef, cool, heat, curved, fitted), refit, strict=True):
                values[steep] = new
        x = regressors(design, cool=cool, heat=heat, span=span, curved=curved)
        coef = shrink_trend(design, coef=coef, x=x, residuals=observed - fitted)
        fitted = expected_kwh(x, coef)[0]
        # (XᵀX + penalty)⁻¹: a day's leverage xᵀ(XᵀX + penalty)⁻¹x is how uncertain the fit is there
        self.xtx_inverse_ = np.linalg.inv(penalised_gram(x, self.alpha))
        sigma = relative_sigma(observed - fitted, fitted, design.valid)
        self.noise_ = np.column_stack(
            noise_shape(
                residuals=observed - fitted,
                fitted=fitted,
                valid=design.valid,
                day_number=design.day_number,
                sigma=sigma,
                cap=Detector().z_cap,
            )
        )
        history = design.valid.sum(axis=1)
        temp_range = np.column_stack(
            [
                np.where(design.valid, design.temp, np.inf).min(axis=1),
                np.where(design.valid, design.temp, -np.inf).max(axis=1),
            ]
        )
        attributes = household_attributes(X, design.ids)
        # a group's row: coef (N_COEF), cool, heat, sigma, temp_range (2); see parameters_for
        self.groups_ = group_medians(
            attributes,
            table=np.column_stack([coef, cool, heat, sigma, temp_range]),
            history=history,
            min_history_days=self.min_history_days,
        )
        relative = relative_weather(coef, cool, heat)
        enough = history >= self.min_history_days
        peers = {"relative": relative, "temp_range": temp_range, "enough": enough}
        typical = peer_curves(attributes, **peers)
        self.peer_curves_ = {key: rising(values, RISE_FROM) for key, values in typical.items()}
        high = peer_curves(attributes, **peers, quantile=PEER_HIGH_QUANTILE)
        self.peer_high_curves_ = {key: rising(values) for key, values in high.items()}
        self.temp_range_ = temp_range
        self.household_ids_ = np.array(design.ids)
        self.coef_, self.cool_, self.heat_, self.curved_ = coef, cool, heat, curved
        self.span_, self.sigma_, self.history_days_ = span, sigma, history
        self.seen_tet_ = (design.calendar[..., 1] * design.valid).sum(axis=1) > 0
        return self

    def parameters_for(
        self, design: Design, attributes: list[HouseholdAttributes]
    ) -> HouseholdParameters:
        """Each household's own fitted parameters if it had `min_history_days` of training
        history, else its group's medians (no trend; sigma × BORROWED_SIGMA_SCALE; the trend
        span starts on its first day in `design`)."""
        index, median_noise = _lookup(self)
        n = len(design.ids)
        p = HouseholdParameters(
            coef=np.zeros((n, N_COEF)),
            cool=np.zeros(n),
            heat=np.zeros(n),
            curved=np.ones(n, dtype=bool),
            span=np.zeros((n, 2)),
            sigma=np.zeros(n),
            temp_range=np.zeros((n, 2)),
            borrowed=np.zeros(n, dtype=bool),
            seen_tet=np.ones(n, dtype=bool),
            history_days=np.zeros(n),
            xtx_inverse=np.zeros((n, N_COEF, N_COEF)),
            noise=np.tile([0.0, 1.0], (n, 1)),
        )
        if median_noise is not None:
            p.noise[:] = median_noise
        # the households with enough training history take their own parameters (copied as
        # whole rows at once), the others their group's
        own = [
            (row, known)
            for row, known in enumerate(map(index.get, design.ids))
            if known is not None and self.history_days_[known] >= self.min_history_days
        ]
        if own:
            rows, known = (np.array(v, dtype=np.intp) for v in zip(*own, strict=True))
            p.coef[rows], p.cool[rows] = self.coef_[known], self.cool_[known]
            p.heat[rows], p.span[rows] = self.heat_[known], self.span_[known]
            p.curved[rows] = self.curved_[known]
            p.sigma[rows] = self.sigma_[known]
            p.temp_range[rows] = self.temp_range_[known]
            p.seen_tet[rows] = self.seen_tet_[known]
            p.history_days[rows] = self.history_days_[known]
            p.xtx_inverse[rows] = self.xtx_inverse_[known]
            p.noise[rows] = _noise(self)[known]
        taken = {row for row, _ in own}
        for row in range(n):
            if row in taken:
                continue
            group = self.groups_.get(group_key(*attributes[row]), self.groups_["*"])
            p.coef[row], p.cool[row], p.heat[row] = group[:N_COEF], group[N_COEF], group[N_COEF + 1]
            p.coef[row, TREND] = 0.0  # no trend without history
            p.span[row] = design.day_number[row][design.valid[row]].min()
            p.sigma[row] = group[N_COEF + 2] * BORROWED_SIGMA_SCALE
            p.temp_range[row] = group[N_COEF + 3 :]
            p.borrowed[row] = True
        return p

    def predict_design(self, X: pd.DataFrame, design: Design) -> Prediction:
        """Expected use, its spread and what the detector needs for every day of `design`
        (built from `X` by make_design). The detector's level learns only from `seen` days; on
        days a short history does not cover, `uncertain` holds the shapes of what the weather
        may add there, whose scales the detector learns."""
        attributes = household_attributes(X, design.ids)
        return self._evaluate(design, attributes, self.parameters_for(design, attributes))

    def predict_with_slope(self, X: pd.DataFrame, design: Design) -> tuple[Prediction, np.ndarray]:
        """predict_design, and how much one more °C changes each day's expected kWh (absolute,
        [households, days]). One prediction: the parameters are looked up once and the warmer
        days are evaluated beside the actual ones as one design of twice the households (every
        household's days are computed on their own, so each half is what predict_design gives)."""
        attributes = household_attributes(X, design.ids)
        p = self.parameters_for(design, attributes)
        both = self._evaluate(
            design.stacked(replace(design, temp=design.temp + 1.0)),
            attributes + attributes,
            HouseholdParameters(*(np.concatenate([v, v]) for v in _arrays(p))),
        )
        n = len(design.ids)
        actual = Prediction(*(v[:n] for v in _arrays(both)))
        return actual, np.abs(both.expected[n:] - actual.expected)

    def _evaluate(
        self, design: Design, attributes: list[HouseholdAttributes], p: HouseholdParameters
    ) -> Prediction:
        short = (p.history_days < FULL_YEAR_DAYS)[:, None]
        carry = np.where(short[:, 0], 0.0, TREND_CARRY)
        x = regressors(design, cool=p.cool, heat=p.heat, span=p.span, carry=carry, curved=p.curved)
        expected, weather = expected_kwh(x, p.coef)
        warmup = np.zeros(len(design.ids))
        borrowed = p.borrowed
        if borrowed.any():
            # a new household: scale the group's shape to its own level, learnt causally
            actual = np.where(design.valid, design.kwh, np.nan)[borrowed]
            shape = np.where(design.valid[borrowed], expected[borrowed], np.nan)
            counts = np.cumsum(~np.isnan(actual), axis=1)
            ratio = np.nancumsum(actual, axis=1) / np.maximum(np.nancumsum(shape, axis=1), 1e-6)
            ratio = np.where(counts > 0, ratio, 1.0)
            # day t uses days < t
            prior = np.concatenate([np.ones((ratio.shape[0], 1)), ratio[:, :-1]], axis=1)
            expected[borrowed] *= prior
            weather[borrowed] *= prior
            warmup[borrowed] = BORROWED_WARMUP_DAYS
        low, high = p.temp_range[:, :1], p.temp_range[:, 1:]
        beyond = np.maximum(np.maximum(design.temp - high, low - design.temp), 0.0)
        # days a household without a full year of history has not seen the like of
        unseen = (beyond > 0) & short
        base = np.maximum(expected - weather, 0.0)
        expected, weather, peer_high = self._conservative(
            attributes, design, expected=expected, weather=weather, unseen=unseen
        )
        hotter = np.maximum(design.temp - high, 0.0)
        widening = np.where(unseen, PEER_EXTRAPOLATION_WIDENING, EXTRAPOLATION_WIDENING)
        leverage = np.where(unseen, 0.0, np.einsum("hdp,hpq,hdq->hd", x, p.xtx_inverse, x))
        spread = p.sigma[:, None] * np.sqrt(1 + leverage) * (1 + widening * beyond)
        tet_widening = np.where(p.seen_tet, SEEN_TET_WIDENING, UNSEEN_TET_WIDENING)[:, None]
        spread = np.where(design.calendar[..., 1] > 0, tet_widening * spread, spread)
        return Prediction(
            expected,
            weather,
            spread * np.maximum(expected, MIN_EXPECTED_KWH),
            warmup,
            ~unseen,
            np.stack(
                [
                    np.where(hotter > 0, peer_high, 0.0),
                    np.where(short, base * hotter, 0.0),
                    np.where(unseen, weather, 0.0),
                ],
                axis=-1,
            ),
            p.sigma[:, None] * np.maximum(expected - weather, MIN_EXPECTED_KWH),
            short[:, 0],
            p.noise[:, 0],
            p.noise[:, 1],
        )

    def _conservative(
        self,
        attributes: list[HouseholdAttributes],
        design: Design,
        *,
        expected: np.ndarray,
        weather: np.ndarray,
        unseen: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """On temperatures a household's history does not cover, expect the larger of its own
        fit and its base use × (1 + its peers' weather share there): alert only on use that
        neither explains. Also the kWh of weather use a household's peers reach there (a high
        quantile of their shares × base): the scale of what the weather may add unseen."""
        if not unseen.any():
            return expected, weather, np.zeros_like(expected)
        share = peer_share(self.peer_curves_, attributes, design.temp)
        high = peer_share(self.peer_high_curves_, attributes, design.temp)
        base = expected - weather
        peer = base * (1 + share)
        higher = unseen & (peer > expected)
        uncertain = np.where(unseen, np.maximum(base, 0.0) * np.maximum(high, 0.0), 0.0)
        return (
            np.where(higher, peer, expected),
            np.where(higher, peer - base, weather),
            uncertain,
        )

    def added_cooling(self, X: pd.DataFrame, design: Design, p: Prediction) -> np.ndarray:
        """[households, days] kWh: the weather use of each household's peers with one more air
        conditioner at each day's temperature (their typical weather share, `peer_curves_`, × the
        household's base use in `p`, predict_design's for `X`; a household without attributes
        counts one air conditioner, so two or more here). The shape of what a confirmed lasting
        change (a first air conditioner) may add where the household's own weather part is small."""
        attributes = [
            a._replace(air_conditioners=a.air_conditioners + 1)
            for a in household_attributes(X, design.ids)
        ]
        share = peer_share(self.peer_curves_, attributes, design.temp)
        return np.maximum(p.expected - p.weather, 0.0) * np.maximum(share, 0.0)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Expected kWh of each row of `X`, in its order."""
        design = make_design(X, self.calendar_)
        expected = self.predict_design(X, design).expected
        out = np.zeros(len(X))
        out[design.rows[design.valid]] = expected[design.valid]
        return out


# per model: its households' rows and the median noise shape, built once (a dict of every
# household the model knows was built on every call: 20 ms a page at 20,000 households), rebuilt
# if the model is fitted again
_LOOKUPS: weakref.WeakKeyDictionary[ConsumptionModel, tuple[object, dict[str, int], Any]] = (
    weakref.WeakKeyDictionary()
)


def _noise(model: ConsumptionModel) -> np.ndarray:
    """The households' noise shapes; models saved before the noise shape was estimated:
    independent Gaussian noise."""
    return getattr(model, "noise_", np.tile([0.0, 1.0], (len(model.household_ids_), 1)))


def _lookup(model: ConsumptionModel) -> tuple[dict[str, int], np.ndarray | None]:
    """household id → row of the model's arrays, and the median noise shape of the households
    with enough history (None without any)."""
    cached = _LOOKUPS.get(model)
    if cached is not None and cached[0] is model.household_ids_:
        return cached[1], cached[2]
    index = {h: i for i, h in enumerate(model.household_ids_)}
    enough = model.history_days_ >= model.min_history_days
    median = np.median(_noise(model)[enough], axis=0) if enough.any() else None
    _LOOKUPS[model] = (model.household_ids_, index, median)
    return index, median
