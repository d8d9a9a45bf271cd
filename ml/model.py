"""The unusual-use model: the consumption model (ml/consumption.py) + the CUSUM detector.

`UnusualUsageModel` is what is trained, saved (ml/api.py) and scored: it flags daily use that
the weather, the day of week and holidays do not explain, causally (a day's verdict depends on
that household's days up to it only). Its detector settings default to `Detector()`'s
(ml/detect.py); the settings below are its own: the slow CUSUM's allowance on days the weather
dominates (`hot_slow_k`: a day's noise is then several times the household's base noise, so a
leak of a given kWh is a smaller multiple of it) and without a year of history
(`short_history_slow_k`: a larger excess is needed while the household's seasons are unknown),
and the prior spreads of the weather response the detector learns where a short history has not
seen the heat. How the defaults were chosen: ml/EVALUATION.md, "Tuning history".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ml.consumption import ConsumptionModel
from ml.design import Design, make_design
from ml.detect import Detector, cusum
from ml.features import after_tet
from ml.logspace import OFFSET_KWH, LogFit, fit_log, to_log
from ml.parameters import WEATHER_PART, Prediction
from ml.told import ConfirmedChange, announced_matrix, confirmed_matrix, may_cool

DEFAULT = Detector()
# on days when the weather makes at least this share of the expected use, the slow CUSUM uses
# `hot_slow_k`
HOT_WEATHER_SHARE = 0.7


class UnusualUsageModel(BaseEstimator):
    """ConsumptionModel + two CUSUMs: flags what the weather does not explain, causally."""

    def __init__(
        self,
        k: float = DEFAULT.k,
        h: float = DEFAULT.h,
        slow_k: float = DEFAULT.slow_k,
        slow_h: float = DEFAULT.slow_h,
        short_history_slow_k: float = 0.6,
        hot_slow_k: float = 0.35,
        release: float = DEFAULT.release,
        level_halflife: float = DEFAULT.level_halflife,
        calm_fraction: float = DEFAULT.calm_fraction,
        learn_fraction: float = DEFAULT.learn_fraction,
        alpha: float = 3.0,
        min_history_days: int = 30,
        evidence_cap: float = DEFAULT.evidence_cap,
        weather_prior_sd: float = 0.5,
        slope_prior_sd: float = 0.3,
        peer_scale_sd: float = 0.6,
        adopt_days: int = DEFAULT.adopt_days,
        rebaseline_days: int = DEFAULT.rebaseline_days,
        whiten: float = DEFAULT.whiten,
        tail: float = DEFAULT.tail,
        spread_halflife: float = DEFAULT.spread_halflife,
        confirmed_weather: bool = DEFAULT.confirmed_weather,
        tet_evidence: bool = False,
        after_tet_days: int = 3,
        log_space: bool = False,
        confirmed_cooling: bool = True,
        confirmed_spread: bool = DEFAULT.confirmed_spread,
    ) -> None:
        """Detector settings as in `Detector`; `alpha` and `min_history_days` as in
        `ConsumptionModel`; prior standard deviations of the three learnt weather scales (the
        peers' high weather share, the household's own cooling slope per °C beyond its history,
        a scale on the peers' expectation; see `Prediction.uncertain`); `adopt_days` as in
        `Detector`, and `rebaseline_days`, `whiten`, `tail` and `spread_halflife`. Without
        `tet_evidence` Tết days are scored as days without a reading (no evidence, no learning), and
        so are the `after_tet_days` days after the last official Tết holiday. With
        `log_space` the detector runs on log kWh, year-long households expected by their own
        degree-day regression on log kWh (ml/logspace.py). With `confirmed_cooling` a confirmed
        change relearns the weather its peers with one more air conditioner use as well
        (`_confirmed_shape`); `confirmed_spread` as in `Detector`."""
        self.k = k
        self.h = h
        self.slow_k = slow_k
        self.slow_h = slow_h
        self.short_history_slow_k = short_history_slow_k
        self.hot_slow_k = hot_slow_k
        self.release = release
        self.level_halflife = level_halflife
        self.calm_fraction = calm_fraction
        self.learn_fraction = learn_fraction
        self.alpha = alpha
        self.min_history_days = min_history_days
        self.evidence_cap = evidence_cap
        self.weather_prior_sd = weather_prior_sd
        self.slope_prior_sd = slope_prior_sd
        self.peer_scale_sd = peer_scale_sd
        self.adopt_days = adopt_days
        self.rebaseline_days = rebaseline_days
        self.whiten = whiten
        self.tail = tail
        self.spread_halflife = spread_halflife
        self.confirmed_weather = confirmed_weather
        self.tet_evidence = tet_evidence
        self.after_tet_days = after_tet_days
        self.log_space = log_space
        self.confirmed_cooling = confirmed_cooling
        self.confirmed_spread = confirmed_spread

    def fit(self, X: pd.DataFrame, y: object = None) -> UnusualUsageModel:
        """Fit the consumption model; the detector has nothing to fit (it runs causally)."""
        self.consumption_ = ConsumptionModel(self.alpha, self.min_history_days).fit(X)
        if self.log_space:
            fit = fit_log(make_design(X, self.consumption_.calendar_).measured(), alpha=self.alpha)
            # plain arrays (skops loads only trusted types)
            self.log_ids_, self.log_coef_, self.log_cool_ = fit.ids, fit.coef, fit.cool
            self.log_heat_, self.log_span_, self.log_sigma_ = fit.heat, fit.span, fit.sigma
            self.log_noise_, self.log_temp_range_ = fit.noise, fit.temp_range
        return self

    def log_fit(self) -> LogFit | None:
        """The log-space fit of a model trained with `log_space` (None otherwise)."""
        if not getattr(self, "log_space", False) or not hasattr(self, "log_ids_"):
            return None
        return LogFit(
            self.log_ids_,
            self.log_coef_,
            self.log_cool_,
            self.log_heat_,
            self.log_span_,
            self.log_sigma_,
            self.log_noise_,
            self.log_temp_range_,
        )

    def detector(self) -> Detector:
        """This model's detector settings (z_cap as in Detector)."""
        return Detector(
            k=self.k,
            h=self.h,
            slow_k=self.slow_k,
            slow_h=self.slow_h,
            release=self.release,
            level_halflife=self.level_halflife,
            calm_fraction=self.calm_fraction,
            learn_fraction=self.learn_fraction,
            evidence_cap=self.evidence_cap,
            adopt_days=self.adopt_days,
            # models saved before households could confirm a change have no such attribute
            rebaseline_days=getattr(self, "rebaseline_days", DEFAULT.rebaseline_days),
            whiten=getattr(self, "whiten", DEFAULT.whiten),
            tail=getattr(self, "tail", DEFAULT.tail),
            spread_halflife=getattr(self, "spread_halflife", DEFAULT.spread_halflife),
            confirmed_weather=getattr(self, "confirmed_weather", DEFAULT.confirmed_weather),
            confirmed_spread=getattr(self, "confirmed_spread", DEFAULT.confirmed_spread),
        )

    def slow_allowance(self, p: Prediction) -> np.ndarray:
        """[households, days]: `hot_slow_k` on days the weather dominates a year-long household's
        expected use, `slow_k` on its other days, `short_history_slow_k` without a year."""
        hot = p.weather >= HOT_WEATHER_SHARE * p.expected
        own = np.where(hot, self.hot_slow_k, self.slow_k)
        return np.where(p.short[:, None], self.short_history_slow_k, own)

    def _confirmed_shape(
        self, X: pd.DataFrame, design: Design, p: Prediction, cooling: np.ndarray
    ) -> np.ndarray | None:
        """The kWh whose scale a confirmed change relearns with its step (`cusum`'s
        `confirmed_shape`): for the households in `cooling` (a change that may add cooling:
        `ml.told.may_cool`), the larger of the household's weather part and the weather use of
        its peers with one more air conditioner (`ConsumptionModel.added_cooling`), so a first
        air conditioner's summer is learnt from its spring instead of scaling a weather part near
        zero; for the others their own weather part. None (the weather part alone) without
        `confirmed_cooling` or such a change. How it was chosen: ml/EVALUATION.md, "A first air
        conditioner" and "Saying what changed"."""
        # models saved before this setting existed have none: they score with it (a scoring rule,
        # not a fitted part)
        if not getattr(self, "confirmed_cooling", True) or not cooling.any():
            return None
        added = self.consumption_.added_cooling(X, design, p)
        return np.where(cooling[:, None], np.maximum(p.weather, added), p.weather)

    def score_frame(
        self,
        X: pd.DataFrame,
        *,
        confirmed_changes: Mapping[str, Iterable[date | ConfirmedChange]] | None = None,
        announced: Mapping[str, Iterable[tuple[date, date]]] | None = None,
        repaired: Mapping[str, Iterable[date]] | None = None,
    ) -> pd.DataFrame:
        """One row per input row (same order): expected_kwh, weather_kwh, score, is_anomaly,
        excess_days. Rows of a household are processed in date order; day d sees days ≤ d.
        `confirmed_changes`: household_id → dates (or `ConfirmedChange`s, which may say whether
        the change cools) from which the household confirmed that its use changed for good (a new
        appliance, more people); from each the detector learns the new level, and a new scale on
        the weather part (a new air conditioner cools more in July than in April;
        `_confirmed_shape`), instead of flagging it (`Detector.rebaseline_days`,
        `confirmed_weather`, `confirmed_spread`).
        `announced`: household_id → (first, last) days the household said beforehand would not be
        its normal (guests staying); the detector neither learns from nor flags those days, and
        an episode that was already open goes on over them (`announced_matrix`).
        `repaired`: household_id → dates the household said it had put the alert's cause right;
        from its first reading on or after each, the episode ends and the evidence restarts."""
        design = make_design(X, self.consumption_.calendar_)
        p = self.consumption_.predict_design(X, design)
        skipped = design.estimated | announced_matrix(design, announced or {})
        if not getattr(self, "tet_evidence", True):
            skipped |= design.calendar[..., 1] > 0
            # models saved before the Tết season was skipped have no such attribute
            season = getattr(self, "after_tet_days", 0)
            skipped |= after_tet(design.day_number, valid=design.valid, days=season)
        slow_k = self.slow_allowance(p)
        told = confirmed_matrix(design, confirmed_changes or {})
        weather_kwh, actual, fit, detector = p.weather, design.kwh, self.log_fit(), self.detector()
        if fit is None:
            shape = self._confirmed_shape(X, design, p, may_cool(design, confirmed_changes or {}))
        else:
            logged = to_log(design, p, fit)
            # the shape and the noise's growth are in kWh; log space relearns the weather part
            # alone, and its noise already grows with the use
            actual, p, shape = logged.actual, logged.prediction, None
            detector = replace(detector, confirmed_spread=False)
        result = cusum(
            actual=actual,
            predicted=p.expected,
            sigma=p.sigma,
            valid=design.valid & ~skipped,
            detector=detector,
            warmup=p.warmup,
            adapt=p.seen,
            uncertain=p.uncertain,
            prior_var=np.array([self.weather_prior_sd, self.slope_prior_sd, self.peer_scale_sd])
            ** 2,
            weather=p.weather,
            level_sd=p.level_sd,
            slow_k=slow_k,
            # a short history's episodes are mostly what it has not seen yet: adopting them
            # would raise the level and hide a later fault
            adopting=~p.short,
            confirmed=told,
            repaired=confirmed_matrix(design, repaired or {}),
            persistence=p.persistence,
            tail_scale=p.tail_scale,
            weather_part=WEATHER_PART,
            confirmed_shape=shape,
        )
        where = design.rows[design.valid]
        out = pd.DataFrame(
            {
                "expected_kwh": np.zeros(len(X)),
                "weather_kwh": np.zeros(len(X)),
                "score": np.zeros(len(X)),
                "is_anomaly": np.zeros(len(X), dtype=bool),
                "excess_days": np.zeros(len(X), dtype=int),
            }
        )
        expected = result.expected if fit is None else np.exp(result.expected) - OFFSET_KWH
        out.loc[where, "expected_kwh"] = np.maximum(expected[design.valid], 0.0)
        out.loc[where, "weather_kwh"] = np.maximum(weather_kwh[design.valid], 0.0)
        out.loc[where, "score"] = result.score[design.valid]
        out.loc[where, "is_anomaly"] = carried(result.flagged, skipped)[design.valid]
        out.loc[where, "excess_days"] = result.run_length[design.valid].astype(int)
        return out


def carried(flagged: np.ndarray, estimated: np.ndarray) -> np.ndarray:
    """`flagged` [households, days] with each estimated read taking the verdict of the read
    before it: an episode goes on over a day the utility estimated instead of splitting in two."""
    out = flagged.copy()
    for t in range(1, out.shape[1]):
        out[:, t] |= estimated[:, t] & out[:, t - 1]
    return out
