"""The consumption model: each household's normal use against the weather, and the detector.

`ConsumptionModel` (a scikit-learn regressor) fits, per household, kWh ≈ b0 + b1·CDD + b2·CDD²
+ b3·HDD + b4·weekend + b5·Tết + b6·holiday + b7·trend, with household-specific balance
temperatures for cooling (CDD) and heating (HDD) chosen from a grid. After the training days a
year-long household's trend goes on at half its slope (one year cannot tell drift from a warm
winter, and carrying it in full made steady false alerts late in the next year) and a shorter
history's is held at its last value; the detector's level follows the rest of the drift, learning
most from days as quiet as the household's base use. A trend steeper than `MAX_TREND_SHARE` of
base use a year is a fault in the history, not drift: that household is refit without one. On the
temperatures a history covers, the day's spread grows with the fit's leverage there
(sqrt(1 + xᵀ(XᵀX + penalty)⁻¹x)): a temperature the history holds only a few days of is expected
less surely than one it holds months of. Households with little history borrow the median
coefficients of similar households (region, air conditioners, occupants), scaled to their own
level. A household without a year of history, on a temperature its history does not cover,
expects the larger of its own fit and its base use × its peers' weather share at that temperature
(peers who saw it); Tết needs more evidence (much more if the history never held one: a single
Tết is one sample, a family away for it or at home). On days hotter than such a
history covers, the household's weather response is uncertain: the detector learns it day by day
from the household's own readings (a Kalman filter over three shapes: the peers' high weather
share, a cooling slope per °C beyond the history, a scale on the peers' expectation; priors
`weather_prior_sd`, `slope_prior_sd`, `peer_scale_sd`) and standardises by the prediction's own
variance (ml/detect.py), so by 27 °C a household has learnt its cooling from its 25 °C days.
`UnusualUsageModel` adds the causal CUSUM detector on standardised residuals; a household without
a year of history needs a larger excess (`short_history_slow_k`) to accrue slow evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from ml.climate import region_of
from ml.detect import Detector, cusum
from ml.features import CalendarFeatures, fill_temperatures

COOL_GRID = (22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0)
HEAT_GRID = (14.0, 15.5, 17.0, 18.5, 20.0)
NO_COOLING, NO_HEATING = 60.0, -30.0  # balance points no day reaches: weather plays no part
REFINE_STEPS = (-0.5, -0.25, 0.25, 0.5)  # °C around the best grid point (×1.5 for heating)
N_COEF = 8  # intercept, cdd, cdd², hdd, weekend, Tết, holiday, trend
TREND = N_COEF - 1
# ridge penalty per coefficient (× alpha): none on the intercept, little on Tết and holidays,
# which a year holds only a few days of (a full penalty shrank Tết by a third)
PENALTY_SCALE = np.array([1e-6, 1.0, 1.0, 1.0, 1.0, 0.02, 0.02, 1.0])
WEATHER_COEFS = [1, 2, 3]
CALENDAR_COEFS = [4, 5, 6]  # shares of the day's weather-and-trend use (multiplicative)
BASE_COEFS = [0, 1, 2, 3, 7]
MIN_RELATIVE_SIGMA = 0.04
MIN_EXPECTED_KWH = 2.0
# sigma grows by this share per °C beyond the temperatures a household's history covers: a
# household never seen in the heat has an unknown cooling response, so it needs more evidence
EXTRAPOLATION_WIDENING = 0.5
# sigma × this on Tết days when the household's history holds no Tết: its Tết share is unknown
UNSEEN_TET_WIDENING = 4.0
# and × this when it holds one: a single Tết is one sample (a family away for it, or at home)
SEEN_TET_WIDENING = 2.0
TREND_WEIGHT = 1.0
# beyond the training span a year-long household's trend goes on at this share of its slope (a
# damped trend): one year cannot tell drift from a warm winter, so carrying it in full risks steady
# false alerts, while holding it flat left a whole year's drift to the detector's level (chosen on
# seeds 101–104); a shorter history's slope is mostly noise and stays flat
TREND_CARRY = 0.5
# a trend steeper than this share of base use per year is not drift: a fault in the history (an air
# conditioner failing in the first hot months) read as use falling over time, which drove a
# household's base use below zero by the next season; such a household is refit without a trend
# and the detector's level follows its drift
MAX_TREND_SHARE = 0.2
# peers' weather response (share of base use) on a temperature grid, for days a household's own
# history does not cover; PEER_QUANTILE over the peers who saw that temperature
PEER_GRID = np.arange(-5.0, 45.5, 0.5)
PEER_QUANTILE = 0.25
MIN_PEERS = 3
# where the peers' expectation is in force it already holds part of the unknown response:
# widen less (chosen on seeds 101–102: keeps recall)
PEER_EXTRAPOLATION_WIDENING = 0.25
# on days hotter than a short history covers, what the weather may add is scaled from this
# quantile of the peers' weather share (the prior spread of the household's unknown cooling)
PEER_HIGH_QUANTILE = 0.9
# the peers' typical curve never falls with more heat from here on (°C): beyond it few peers
# with a short history saw the heat and the curve is stitched from fallbacks (a household then
# expected less on a 34 °C day than on a 31 °C one); chosen on seeds 101–102
RISE_FROM = 30.0
FULL_YEAR_DAYS = 300  # history from which a household is taken to have seen its own seasons
# on days when the weather makes at least this share of the expected use, a day's noise is several
# times the household's base noise, so a leak of a given kWh is a smaller multiple of it: the slow
# CUSUM uses `hot_slow_k` there (chosen on seeds 101–104)
HOT_WEATHER_SHARE = 0.7


def ac_key(air_conditioners: float) -> str:
    return "0" if not air_conditioners else ("1" if air_conditioners < 2 else "2+")


def group_key(region: str | None, air_conditioners: float, occupants: float) -> str:
    people = "1-2" if occupants <= 2 else ("3-4" if occupants <= 4 else "5+")
    return f"{region or 'any'}|{ac_key(air_conditioners)}|{people}"


def relative_weather(coef: np.ndarray, cool: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """[households, PEER_GRID]: weather use as a share of base use at each grid temperature."""
    cdd = np.maximum(PEER_GRID - cool[:, None], 0.0)
    hdd = np.maximum(heat[:, None] - PEER_GRID, 0.0)
    weather = coef[:, 1:2] * cdd + coef[:, 2:3] * cdd**2 / 10 + coef[:, 3:4] * hdd
    return weather / np.maximum(coef[:, :1], 0.5)


def peer_curves(
    attributes: list[tuple[str | None, float, float]],
    relative: np.ndarray,
    temp_range: np.ndarray,
    enough: np.ndarray,
    quantile: float | None = None,
) -> dict[str, np.ndarray]:
    """Per group, the peers' weather share at each grid temperature, from the peers whose history
    covers it: the household's group, else households with as many air conditioners, else all;
    where no peer saw a temperature, the air-conditioner group's fits extrapolated."""
    quantile = PEER_QUANTILE if quantile is None else quantile
    covered = (temp_range[:, :1] <= PEER_GRID) & (temp_range[:, 1:] >= PEER_GRID) & enough[:, None]
    observed = np.where(covered, relative, np.nan)
    levels = {
        "group": np.array([group_key(*a) for a in attributes]),
        "ac": np.array([ac_key(a[1]) for a in attributes]),
    }

    def curve(members: np.ndarray, values: np.ndarray) -> np.ndarray:
        picked = values[members]
        count = (~np.isnan(picked)).sum(axis=0)
        out = np.full(len(PEER_GRID), np.nan)
        enough_peers = count >= MIN_PEERS
        if enough_peers.any():
            out[enough_peers] = np.nanquantile(picked[:, enough_peers], quantile, axis=0)
        return out

    everyone = curve(np.ones(len(attributes), dtype=bool), observed)
    curves: dict[str, np.ndarray] = {}
    for ac in set(levels["ac"]):
        in_ac = levels["ac"] == ac
        extrapolated = curve(in_ac & enough, np.where(enough[:, None], relative, np.nan))
        by_ac = _fill(_fill(curve(in_ac, observed), everyone), extrapolated)
        curves[f"ac:{ac}"] = by_ac
        for key in set(levels["group"][in_ac]):
            curves[str(key)] = _fill(curve(levels["group"] == key, observed), by_ac)
    return curves


def rising(share: np.ndarray, start: float = -np.inf) -> np.ndarray:
    """Above the curve's lowest point, more heat never lowers what the weather may add: the
    fallbacks a curve is stitched from must not make the hottest days the least uncertain."""
    low = int(np.nanargmin(share)) if not np.isnan(share).all() else 0
    low = max(low, int(np.searchsorted(PEER_GRID, start)))
    out = share.copy()
    out[low:] = np.fmax.accumulate(share[low:])
    return out


def _fill(values: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), fallback, values)


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
        )


@dataclass
class Prediction:
    """Per household and day ([households, days]) what the detector needs."""

    expected: np.ndarray  # kWh
    weather: np.ndarray  # the part of `expected` due to the weather
    sigma: np.ndarray  # kWh: the day-to-day spread around `expected`
    warmup: np.ndarray  # [households]: days never flagged at the start
    seen: np.ndarray  # bool: conditions the household's own history covers
    # [households, days, 3] kWh shapes whose scales the detector learns, household by household,
    # on days a short history does not cover: the peers' high weather share × base use (hotter
    # days only), base use × °C beyond the hottest day of the history (the household's own
    # cooling slope there), and the weather part of `expected` (how far the peers' curve is off)
    uncertain: np.ndarray
    level_sd: np.ndarray  # kWh: the day-to-day spread of the household's base use
    short: np.ndarray  # [households]: history shorter than a year


def make_design(frame: pd.DataFrame, calendar: Pipeline) -> Design:
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
    kwh = pd.to_numeric(frame["kwh"], errors="coerce").fillna(0).to_numpy()
    return Design(
        [str(i) for i in ids],
        rows,
        valid,
        matrix(frame["_temp"].to_numpy()),
        calendar_matrix,
        matrix(frame["_day"].to_numpy().astype(float)),
        matrix(kwh),
    )


def regressors(
    design: Design,
    cool: np.ndarray,
    heat: np.ndarray,
    span: np.ndarray,
    carry: np.ndarray | float = 0.0,
) -> np.ndarray:
    """[households, days, N_COEF] for per-household balance points and trend spans
    (span[:, 0] first and span[:, 1] last training day): the trend is flat before the span and
    goes on at `carry` × its slope after it."""
    cdd = np.maximum(design.temp - cool[:, None], 0.0)
    hdd = np.maximum(heat[:, None] - design.temp, 0.0)
    after = np.maximum(design.day_number - span[:, 1:], 0.0)
    carried = np.reshape(carry, (-1, 1)) * after
    days = np.clip(design.day_number, span[:, :1], span[:, 1:]) + carried
    trend = (days - span[:, :1]) / 365.0 * TREND_WEIGHT
    ones = np.ones_like(cdd)
    stacked = np.stack(
        [ones, cdd, cdd**2 / 10, hdd, *np.moveaxis(design.calendar, -1, 0), trend], axis=-1
    )
    return stacked * design.valid[..., None]


def expected_kwh(x: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected kWh and its weather part: (base + weather + trend) × (1 + calendar shares)."""
    factor = 1 + np.einsum("hdp,hp->hd", x[..., CALENDAR_COEFS], coef[:, CALENDAR_COEFS])
    base = np.einsum("hdp,hp->hd", x[..., BASE_COEFS], coef[:, BASE_COEFS])
    weather = np.einsum("hdp,hp->hd", x[..., WEATHER_COEFS], coef[:, WEATHER_COEFS])
    return base * factor, weather * factor


def multiplicative_calendar(
    x: np.ndarray, observed: np.ndarray, mask: np.ndarray, coef: np.ndarray, alpha: float
) -> np.ndarray:
    """Refit an additive fit with weekend, Tết and holiday as shares of the day's other use:
    a Tết at home in a heat wave adds more kWh than a Tết in cool weather."""
    base = np.maximum(np.einsum("hdp,hp->hd", x[..., BASE_COEFS], coef[:, BASE_COEFS]), 0.1)
    scaled = x.copy()
    scaled[..., CALENDAR_COEFS] *= base[..., None]
    refit, _ = batched_ridge(scaled * mask[..., None], observed * mask, alpha)
    # where the refit turns a weather slope negative, keep the additive fit as shares of mean use
    keep: np.ndarray = np.any(refit[:, WEATHER_COEFS] < -1e-9, axis=1)
    mean_base = (base * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    additive = coef.copy()
    additive[:, CALENDAR_COEFS] /= mean_base[:, None]
    return np.where(keep[:, None], additive, refit)


def penalised_gram(x: np.ndarray, alpha: float) -> np.ndarray:
    """Per household XᵀX + the ridge penalty: [households, N_COEF, N_COEF]."""
    return np.einsum("hdp,hdq->hpq", x, x) + np.diag(PENALTY_SCALE * alpha)


def batched_ridge(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-household ridge: coefficients and residual sums of squares."""
    gram = penalised_gram(x, alpha)
    coef = np.linalg.solve(gram, np.einsum("hdp,hd->hp", x, y)[..., None])[..., 0]
    residual = y - np.einsum("hdp,hp->hd", x, coef)
    return coef, np.einsum("hd,hd->h", residual, residual)


class ConsumptionModel(BaseEstimator, RegressorMixin):
    """Expected daily kWh of each household given temperature and calendar."""

    def __init__(self, alpha: float = 3.0, min_history_days: int = 30) -> None:
        self.alpha = alpha
        self.min_history_days = min_history_days

    def _calendar(self) -> Pipeline:
        return Pipeline([("calendar", ColumnTransformer([("cal", CalendarFeatures(), ["date"])]))])

    def fit(self, X: pd.DataFrame, y: object = None) -> ConsumptionModel:
        self.calendar_ = self._calendar().fit(X)
        design = make_design(X, self.calendar_)
        span = np.column_stack(
            [
                np.where(design.valid, design.day_number, np.inf).min(axis=1),
                np.where(design.valid, design.day_number, -np.inf).max(axis=1),
            ]
        )
        observed = design.kwh * design.valid
        coef, cool, heat, fitted = self._fit_robust(design, observed, span)
        steep = np.abs(coef[:, TREND]) > MAX_TREND_SHARE * np.maximum(coef[:, 0], 0.5)
        if steep.any():
            # a span of one day makes the trend regressor zero: these households have no trend
            span[steep] = span[steep][:, [0, 0]]
            refit = self._fit_robust(design.subset(steep), observed[steep], span[steep])
            for values, new in zip((coef, cool, heat, fitted), refit, strict=True):
                values[steep] = new
        x = regressors(design, cool, heat, span)
        # (XᵀX + penalty)⁻¹: a day's leverage xᵀ(XᵀX + penalty)⁻¹x is how uncertain the fit is there
        self.xtx_inverse_ = np.linalg.inv(penalised_gram(x, self.alpha))
        sigma = self._relative_sigma(observed - fitted, fitted, design.valid)
        history = design.valid.sum(axis=1)
        temp_range = np.column_stack(
            [
                np.where(design.valid, design.temp, np.inf).min(axis=1),
                np.where(design.valid, design.temp, -np.inf).max(axis=1),
            ]
        )
        attributes = self._attributes(X, design.ids)
        self.groups_ = self._group_medians(attributes, coef, cool, heat, sigma, temp_range, history)
        relative = relative_weather(coef, cool, heat)
        enough = history >= self.min_history_days
        typical = peer_curves(attributes, relative, temp_range, enough)
        self.peer_curves_ = {key: rising(values, RISE_FROM) for key, values in typical.items()}
        high = peer_curves(attributes, relative, temp_range, enough, PEER_HIGH_QUANTILE)
        self.peer_high_curves_ = {key: rising(values) for key, values in high.items()}
        self.temp_range_ = temp_range
        self.household_ids_ = np.array(design.ids)
        self.coef_, self.cool_, self.heat_ = coef, cool, heat
        self.span_, self.sigma_, self.history_days_ = span, sigma, history
        self.seen_tet_ = (design.calendar[..., 1] * design.valid).sum(axis=1) > 0
        return self

    def _fit_robust(
        self, design: Design, observed: np.ndarray, span: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`_fit_all`, then again without the days the first fit cannot explain (vacations, odd
        days)."""
        fitted = self._fit_all(design, observed, design.valid, span)[3]
        sigma = self._relative_sigma(observed - fitted, fitted, design.valid)
        scale = 3 * sigma[:, None] * np.maximum(fitted, 0.5)
        inliers = design.valid & (np.abs(observed - fitted) <= scale)
        return self._fit_all(design, observed, inliers, span)

    def _fit_all(
        self, design: Design, observed: np.ndarray, mask: np.ndarray, span: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Balance points and coefficients (calendar as shares) and the fitted kWh."""
        coef, cool, heat = self._fit_grid(design, observed, mask, span)
        x = regressors(design, cool, heat, span)
        coef = multiplicative_calendar(x, observed, mask, coef, self.alpha)
        return coef, cool, heat, expected_kwh(x, coef)[0]

    def _fit_grid(
        self, design: Design, observed: np.ndarray, mask: np.ndarray, span: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per household, the balance temperatures and coefficients of least SSE: a coarse grid,
        then finer steps around each household's best point (cooling first, then heating)."""
        households = len(design.ids)
        best_sse = np.full(households, np.inf)
        coef = np.zeros((households, N_COEF))
        cool, heat = np.zeros(households), np.zeros(households)

        def consider(c: np.ndarray, h: np.ndarray) -> None:
            x = regressors(design, c, h, span)
            fitted, sse = batched_ridge(x * mask[..., None], observed * mask, self.alpha)
            # more heat or cold never lowers use: a negative slope would predict less on the
            # coldest days and flag them all
            better = (sse < best_sse) & (fitted[:, WEATHER_COEFS] >= -1e-9).all(axis=1)
            best_sse[better] = sse[better]
            coef[better], cool[better], heat[better] = fitted[better], c[better], h[better]

        consider(np.full(households, NO_COOLING), np.full(households, NO_HEATING))
        for c in COOL_GRID:
            for h in HEAT_GRID:
                consider(np.full(households, c), np.full(households, h))
        for step in REFINE_STEPS:
            base_cool, base_heat = cool.copy(), heat.copy()
            consider(base_cool + step, base_heat)
        for step in REFINE_STEPS:
            base_cool, base_heat = cool.copy(), heat.copy()
            consider(base_cool, base_heat + 1.5 * step)
        return coef, cool, heat

    @staticmethod
    def _relative_sigma(residuals: np.ndarray, fitted: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Robust spread of residual ÷ expected: day-to-day noise grows with use (hot days)."""
        relative = np.where(valid, residuals / np.maximum(fitted, 0.5), np.nan)
        centre = np.nanmedian(relative, axis=1, keepdims=True)
        mad = np.nanmedian(np.abs(relative - centre), axis=1)
        return np.maximum(1.4826 * mad, MIN_RELATIVE_SIGMA)

    @staticmethod
    def _attributes(X: pd.DataFrame, ids: list[str]) -> list[tuple[str | None, float, float]]:
        columns = [c for c in ("province_code", "air_conditioners", "occupants") if c in X]
        first = X.groupby("household_id")[columns].first() if columns else pd.DataFrame(index=ids)
        out = []
        for household in ids:
            row = first.loc[household] if household in first.index else {}
            province = row.get("province_code") if "province_code" in columns else None
            region = (
                region_of(int(province)) if province is not None and not pd.isna(province) else None
            )
            acs = float(row.get("air_conditioners", 1) if "air_conditioners" in columns else 1)
            people = float(row.get("occupants", 3) if "occupants" in columns else 3)
            out.append((region, 0.0 if pd.isna(acs) else acs, 3.0 if pd.isna(people) else people))
        return out

    def _group_medians(
        self, attributes, coef, cool, heat, sigma, temp_range, history
    ) -> dict[str, np.ndarray]:
        """Median parameters of households with enough history, per group and overall ("*")."""
        keys = np.array([group_key(*a) for a in attributes])
        enough = history >= self.min_history_days
        table = np.column_stack([coef, cool, heat, sigma, temp_range])
        groups = {"*": np.median(table[enough] if enough.any() else table, axis=0)}
        for key in set(keys[enough]):
            members = table[enough & (keys == key)]
            if len(members) >= 3:
                groups[str(key)] = np.median(members, axis=0)
        return groups

    def parameters_for(
        self, design: Design, attributes: list[tuple[str | None, float, float]]
    ) -> tuple[np.ndarray, ...]:
        """Coefficients, balance points, trend span, sigma, temperature range seen and
        cold-start mask per household, whether its history held Tết, and its days of history."""
        index = {h: i for i, h in enumerate(self.household_ids_)}
        n = len(design.ids)
        coef, cool, heat = np.zeros((n, N_COEF)), np.zeros(n), np.zeros(n)
        span, sigma, temp_range = np.zeros((n, 2)), np.zeros(n), np.zeros((n, 2))
        borrowed = np.zeros(n, dtype=bool)
        seen_tet = np.ones(n, dtype=bool)
        history = np.zeros(n)
        xtx_inverse = np.zeros((n, N_COEF, N_COEF))
        for row, household in enumerate(design.ids):
            known = index.get(household)
            if known is not None and self.history_days_[known] >= self.min_history_days:
                coef[row], cool[row], heat[row] = (
                    self.coef_[known],
                    self.cool_[known],
                    self.heat_[known],
                )
                span[row], sigma[row] = self.span_[known], self.sigma_[known]
                temp_range[row] = self.temp_range_[known]
                seen_tet[row] = self.seen_tet_[known]
                history[row] = self.history_days_[known]
                xtx_inverse[row] = self.xtx_inverse_[known]
                continue
            group = self.groups_.get(group_key(*attributes[row]), self.groups_["*"])
            coef[row], cool[row], heat[row] = group[:N_COEF], group[N_COEF], group[N_COEF + 1]
            coef[row, TREND] = 0.0  # no trend without history
            span[row] = design.day_number[row][design.valid[row]].min()
            sigma[row] = group[N_COEF + 2] * 1.3  # less certain about a borrowed shape
            temp_range[row] = group[N_COEF + 3 :]
            borrowed[row] = True
        return coef, cool, heat, span, sigma, temp_range, borrowed, seen_tet, history, xtx_inverse

    def predict_design(self, X: pd.DataFrame, design: Design) -> Prediction:
        """The detector's level learns only from `seen` days; on days a short history does not
        cover, `uncertain` holds the shapes of what the weather may add there, whose scales the
        detector learns."""
        attributes = self._attributes(X, design.ids)
        coef, cool, heat, span, sigma, temp_range, borrowed, seen_tet, history, xtx_inverse = (
            self.parameters_for(design, attributes)
        )
        short = (history < FULL_YEAR_DAYS)[:, None]
        carry = np.where(short[:, 0], 0.0, TREND_CARRY)
        x = regressors(design, cool, heat, span, carry)
        expected, weather = expected_kwh(x, coef)
        warmup = np.zeros(len(design.ids))
        if borrowed.any():
            # a new household: scale the group's shape to its own level, learnt causally
            actual = np.where(design.valid, design.kwh, np.nan)[borrowed]
            shape = np.where(design.valid[borrowed], expected[borrowed], np.nan)
            counts = np.cumsum(~np.isnan(actual), axis=1)
            ratio = np.nancumsum(actual, axis=1) / np.maximum(np.nancumsum(shape, axis=1), 1e-6)
            ratio = np.where(counts > 0, ratio, 1.0)
            prior = np.concatenate(
                [np.ones((ratio.shape[0], 1)), ratio[:, :-1]], axis=1
            )  # day t uses < t
            expected[borrowed] *= prior
            weather[borrowed] *= prior
            warmup[borrowed] = 14
        beyond = np.maximum(
            np.maximum(design.temp - temp_range[:, 1:], temp_range[:, :1] - design.temp), 0.0
        )
        # days a household without a full year of history has not seen the like of
        unseen = (beyond > 0) & short
        base = np.maximum(expected - weather, 0.0)
        expected, weather, peer_high = self._conservative(
            attributes, design, expected, weather, unseen
        )
        hotter = np.maximum(design.temp - temp_range[:, 1:], 0.0)
        widening = np.where(unseen, PEER_EXTRAPOLATION_WIDENING, EXTRAPOLATION_WIDENING)
        leverage = np.where(unseen, 0.0, np.einsum("hdp,hpq,hdq->hd", x, xtx_inverse, x))
        spread = sigma[:, None] * np.sqrt(1 + leverage) * (1 + widening * beyond)
        tet_widening = np.where(seen_tet, SEEN_TET_WIDENING, UNSEEN_TET_WIDENING)[:, None]
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
            sigma[:, None] * np.maximum(expected - weather, MIN_EXPECTED_KWH),
            short[:, 0],
        )

    def _conservative(
        self,
        attributes: list[tuple[str | None, float, float]],
        design: Design,
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
        share = self._peer_share(self.peer_curves_, attributes, design.temp)
        high = self._peer_share(self.peer_high_curves_, attributes, design.temp)
        base = expected - weather
        peer = base * (1 + share)
        higher = unseen & (peer > expected)
        uncertain = np.where(unseen, np.maximum(base, 0.0) * np.maximum(high, 0.0), 0.0)
        return (
            np.where(higher, peer, expected),
            np.where(higher, peer - base, weather),
            uncertain,
        )

    @staticmethod
    def _peer_share(
        curves: dict[str, np.ndarray], attributes: list, temps: np.ndarray
    ) -> np.ndarray:
        anyone = next(iter(curves.values()))
        return np.nan_to_num(
            np.stack(
                [
                    np.interp(
                        t,
                        PEER_GRID,
                        curves.get(group_key(*a), curves.get(f"ac:{ac_key(a[1])}", anyone)),
                    )
                    for a, t in zip(attributes, temps, strict=True)
                ]
            )
        )

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        design = make_design(X, self.calendar_)
        expected = self.predict_design(X, design).expected
        out = np.zeros(len(X))
        out[design.rows[design.valid]] = expected[design.valid]
        return out


class UnusualUsageModel(BaseEstimator):
    """ConsumptionModel + two CUSUMs: flags what the weather does not explain, causally.

    Defaults were chosen on simulation seeds 101–104 (ml/evaluate.py reports seeds 1–5)."""

    def __init__(
        self,
        k: float = 1.0,
        h: float = 10.0,
        slow_k: float = 0.55,
        slow_h: float = 10.0,
        short_history_slow_k: float = 0.6,
        hot_slow_k: float = 0.35,
        release: float = 0.5,
        level_halflife: float = 45.0,
        calm_fraction: float = 0.5,
        learn_fraction: float = 0.8,
        alpha: float = 3.0,
        min_history_days: int = 30,
        evidence_cap: float = 2.0,
        weather_prior_sd: float = 0.5,
        slope_prior_sd: float = 0.3,
        peer_scale_sd: float = 0.6,
    ) -> None:
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

    def fit(self, X: pd.DataFrame, y: object = None) -> UnusualUsageModel:
        self.consumption_ = ConsumptionModel(self.alpha, self.min_history_days).fit(X)
        return self

    def detector(self) -> Detector:
        return Detector(
            self.k,
            self.h,
            self.slow_k,
            self.slow_h,
            self.release,
            self.level_halflife,
            self.calm_fraction,
            learn_fraction=self.learn_fraction,
            evidence_cap=self.evidence_cap,
        )

    def slow_allowance(self, p: Prediction) -> np.ndarray:
        """[households, days]: `hot_slow_k` on days the weather dominates a year-long household's
        expected use, `slow_k` on its other days, `short_history_slow_k` without a year."""
        hot = p.weather >= HOT_WEATHER_SHARE * p.expected
        own = np.where(hot, self.hot_slow_k, self.slow_k)
        return np.where(p.short[:, None], self.short_history_slow_k, own)

    def score_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """One row per input row (same order): expected_kwh, weather_kwh, score, is_anomaly,
        excess_days. Rows of a household are processed in date order; day d sees days ≤ d."""
        design = make_design(X, self.consumption_.calendar_)
        p = self.consumption_.predict_design(X, design)
        result = cusum(
            design.kwh,
            p.expected,
            p.sigma,
            design.valid,
            self.detector(),
            p.warmup,
            p.seen,
            p.uncertain,
            np.array([self.weather_prior_sd, self.slope_prior_sd, self.peer_scale_sd]) ** 2,
            p.weather,
            p.level_sd,
            self.slow_allowance(p),
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
        out.loc[where, "expected_kwh"] = np.maximum(result.expected[design.valid], 0.0)
        out.loc[where, "weather_kwh"] = np.maximum(p.weather[design.valid], 0.0)
        out.loc[where, "score"] = result.score[design.valid]
        out.loc[where, "is_anomaly"] = result.flagged[design.valid]
        out.loc[where, "excess_days"] = result.run_length[design.valid].astype(int)
        return out
