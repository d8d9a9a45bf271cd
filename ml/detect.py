"""Sequential detection on standardised residuals: two one-sided CUSUMs and a slow, causal level.

A fast CUSUM (large allowance k) and a slow one (small allowance, for a leak of a tenth of the
household's use) share one residual series; a day is flagged when either crosses its threshold.
With k above every slow allowance and equal thresholds the fast statistic never exceeds the slow
one (ml/EVALUATION.md, 2026-12-04). The slow threshold is the higher (12 against 10) since
2026-12-07: it sets the operating point, fewer false alerts for a day more on a mid-sized fault;
the fast one may then decide a large excess's flag.
A flag holds until both fall below `release` × their thresholds, so a persisting excess makes one
episode instead of several. Each statistic stops at `evidence_cap` ×
its threshold, so the episode ends within weeks of the excess stopping.

The level that follows slow drift is a random walk seen through each day's noise (a Kalman filter):
a quiet day at the household's base use teaches it far more than a hot day whose noise, and
whose weather misfit, are several times larger.

Where the model's expectation holds parts it is unsure of (the weather response of a household on
temperatures its history does not cover), their scales are random effects learnt causally by a
Kalman filter: day t is standardised by sqrt(sigma² + uᵀPu) (the prediction's own variance) and,
while the evidence is calm, the household's own readings update the scales. The innovations of such a
filter are independent, so a household that simply cools more than its peers stops accruing
evidence once its scale is learnt, while a sudden excess still stands out.

A lasting change the household confirmed (a baby, a new air conditioner) is learnt as a step and
a new scale on the weather part of the expectation, jointly in one Kalman state: a step learnt
as a level alone in a mild April leaves July's extra cooling to raise a second alert.

The CUSUMs sum independent evidence: each household's standardised residuals are pre-whitened
with the persistence φ of its training residuals and divided by their tail scale (ml/noise.py),
so a meter whose noise comes in runs, or with heavy tails, does not drift into an alert.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.parameters import MIN_EXPECTED_KWH


@dataclass(frozen=True)
class CusumResult:
    """Per household and day ([households, days]) what the detector concluded."""

    expected: np.ndarray  # model prediction + adapted level + learnt weather scales
    score: np.ndarray  # evidence in units of the fast threshold (flagged above `h`)
    flagged: np.ndarray  # bool
    run_length: np.ndarray  # consecutive flagged days up to each day


@dataclass(frozen=True)
class Detector:
    """The detector's settings, and the one home of their defaults (UnusualUsageModel takes its
    detector defaults from here). Allowances and thresholds are in residual standard deviations.
    How the defaults were chosen: ml/EVALUATION.md, "Tuning history"."""

    k: float = 1.0  # fast CUSUM allowance: catches a large excess (a water heater stuck on)
    h: float = 10.0  # fast CUSUM threshold
    slow_k: float = 0.55  # slow CUSUM allowance: catches a small lasting excess (a leak)
    # slow CUSUM threshold: 12 rather than 10 brings survey (tuning) to 0.10 false alerts a year
    # for a day's delay on a mid-sized fault (ml/EVALUATION.md, "The operating point chosen")
    slow_h: float = 12.0
    # a flag holds while either statistic is above release × threshold: a fault whose excess
    # wavers stays one alert instead of alerting again after each dip (ml/EVALUATION.md)
    release: float = 0.2
    # days: how fast the level follows drift while calm, on a day as noisy as the household's
    # base use (slower on noisier days)
    level_halflife: float = 45.0
    calm_fraction: float = 0.5  # the level adapts only while both statistics are below this share
    # the uncertain weather scales learn while both are below this share: an unusual cooling is
    # learnt on its first warm days instead of freezing as soon as it has built some evidence
    learn_fraction: float = 0.8
    z_cap: float = 5.0  # one odd day adds at most this much evidence
    # each statistic stops at this multiple of its threshold: an episode ends within weeks of the
    # excess stopping (a heater repaired), not after as many days as the fault lasted
    evidence_cap: float = 2.0
    # days: an episode that lasts this long is taken as the household's new normal (a baby, a new
    # air conditioner): the level moves by the episode's mean excess and the evidence restarts,
    # so a lasting step makes one alert, not a flag for the rest of the year (0: never). Off: an
    # unconfirmed step is as likely a fault (a failing AC, a device left on) as a new normal
    adopt_days: int = 0
    # days after a household-confirmed lasting change (a new appliance, more people) during which
    # no evidence accrues while the level learns the new normal from scratch
    rebaseline_days: int = 14
    # share of each household's residual persistence φ (ml/noise.py) the CUSUM pre-whitens: runs
    # of high days that its noise makes anyway add no evidence (0: residuals taken as independent)
    whiten: float = 1.0
    # exponent on each household's tail scale (ml/noise.py) that divides its evidence: noise with
    # heavy tails needs more of it (0: the robust spread alone)
    tail: float = 1.0
    # days: half-life of the out-of-sample spread, a running mean of the squared evidence of the
    # calm days scored so far (starting at 1); evidence is divided by its root where that is above
    # 1, so a household noisier than its history said needs more of it (0: off)
    spread_halflife: float = 0.0
    # after a household-confirmed lasting change, learn its step in use and a new scale on the
    # weather part of the expectation together, as one Kalman state (a new air conditioner
    # changes how use follows the heat, not only its level); False: the level alone learns it
    confirmed_weather: bool = True
    # after a household-confirmed lasting change, the day's noise grows with what the change adds
    # to its expected use, as an independent appliance's of the same relative spread (in
    # quadrature): a first air conditioner's summer days vary more than its old base use did
    confirmed_spread: bool = True


# the previous day's standardised residual, when pre-whitening the next, is clipped to this:
# the last day of a week away says little about the next day back
PREVIOUS_CLIP = 3.0
# the out-of-sample spread averages squared evidence clipped to this; the mean of a standard
# normal's square clipped there
SPREAD_CLIP, SPREAD_CLIP_MEAN = 3.0, 0.9707


def cusum(
    *,
    actual: np.ndarray,
    predicted: np.ndarray,
    sigma: np.ndarray,
    valid: np.ndarray,
    detector: Detector,
    warmup: np.ndarray | None = None,
    adapt: np.ndarray | None = None,
    uncertain: np.ndarray | None = None,
    prior_var: np.ndarray | float = 0.0,
    weather: np.ndarray | None = None,
    level_sd: np.ndarray | None = None,
    slow_k: np.ndarray | None = None,
    adopting: np.ndarray | None = None,
    confirmed: np.ndarray | None = None,
    persistence: np.ndarray | None = None,
    tail_scale: np.ndarray | None = None,
    weather_part: int | None = None,
    repaired: np.ndarray | None = None,
    confirmed_shape: np.ndarray | None = None,
) -> CusumResult:
    """Run `detector` over matrices [households, days] in date order; day t uses days ≤ t only.

    z = (actual − predicted − level) / sigma (`sigma` in kWh, `valid` marks real days);
    S = max(0, S + z − k) for both allowances. `level` follows slow drift (a Kalman filter on the
    residuals whose gain is largest on days as noisy as `level_sd`, the spread of the household's
    base use; default `sigma`) only while the evidence is weak, so a fault is not learnt away,
    and only on `adapt` days (default: all). `warmup[i]` days at the start of household i are
    never flagged. `slow_k` [households, days] overrides the detector's slow allowance per day.
    `uncertain` [households, days, parts] (or [households, days]): regressors, in kWh, of what
    `predicted` may miss (each a shape whose scale is unknown), with prior variances `prior_var`
    per part; the scales θ start at 0 and are learnt jointly. What they take away is at most
    `weather` (the weather part of `predicted`): learning that a household cools less than its
    peers never makes a hot day expect less than no cooling. Only `adopting` households
    [households] (default: all) take an episode of `adopt_days` as their new normal.
    `confirmed` [households, days] (bool) marks days the household said its use changed for good:
    from such a day the level forgets what it knew (its variance becomes the household's spread
    of a whole day's use), learns on every day whatever the evidence, and no evidence accrues
    for `rebaseline_days`; the episode in progress ends there.
    `persistence` [households]: the AR(1) φ of each household's residuals; the CUSUMs sum the
    innovations (z − w·φ·z_prev) / √(1 − (w·φ)²) (w = `detector.whiten`; z_prev of the previous
    reading; z itself after a day without one). `tail_scale` [households] (≥ 1) divides them (^ `detector.tail`).
    `weather_part`: the index of the uncertain part that scales `weather`. With it and
    `detector.confirmed_weather`, a confirmed change adds one more uncertain part, its step in
    kWh (prior variance: the day's expected use²), and from then on the weather part holds
    `confirmed_shape` (default `weather`) on every day with its prior variance added again; the
    two are learnt jointly, the step in place of the level. With `detector.confirmed_spread` the
    day's noise `sigma` then grows with what the expectation has gained over `predicted` (a, of
    `predicted` p) as the noise of an independent appliance as variable as the old use:
    sigma × √(1 + (a/max(p, MIN_EXPECTED_KWH))²), as `sigma` is a share of max(p,
    MIN_EXPECTED_KWH) (ml/consumption.py); it never shrinks.
    `repaired` [households, days] (bool) marks days the household said it had put the cause right
    (a heater repaired): the episode in progress ends there and both statistics restart from
    zero, so an excess that goes on raises a new alert instead of holding the old flag up.
    """
    d = detector
    households, days = actual.shape
    alpha = 1 - 0.5 ** (1 / d.level_halflife)
    slow_allowance = np.broadcast_to(d.slow_k if slow_k is None else slow_k, actual.shape)
    # the level is a random walk (drift) seen through each day's noise: a Kalman filter whose
    # gain is `alpha` on a day as noisy as `level_sd` (the household's base use), smaller on
    # noisier days, so a summer's weather misfit does not drag the level the drift set
    base_var = (sigma if level_sd is None else level_sd) ** 2
    step_var = base_var * alpha**2 / (1 - alpha)
    level_var = base_var[:, 0] * alpha / (1 - alpha) - step_var[:, 0]
    level = np.zeros(households)
    fast = np.zeros(households)
    slow = np.zeros(households)
    on = np.zeros(households, dtype=bool)
    run = np.zeros(households)
    excess = np.zeros(households)  # kWh summed over the current episode's days
    episode = np.zeros(households)  # valid days of the current episode
    may_adopt = np.ones(households, dtype=bool) if adopting is None else adopting
    told = np.zeros(actual.shape, dtype=bool) if confirmed is None else confirmed
    fixed = np.zeros(actual.shape, dtype=bool) if repaired is None else repaired
    since = np.full(households, np.inf)  # days since the last confirmed change
    expected = np.empty_like(actual)
    score = np.zeros_like(actual)
    flagged = np.zeros(actual.shape, dtype=bool)
    run_length = np.zeros_like(actual)
    warm = np.zeros(households) if warmup is None else warmup
    u_all = np.zeros((*actual.shape, 1)) if uncertain is None else uncertain
    if u_all.ndim == 2:
        u_all = u_all[..., None]
    parts = u_all.shape[2]
    prior = np.broadcast_to(np.asarray(prior_var, dtype=float), parts)
    # a confirmed change's step and weather scale are learnt jointly (see the docstring)
    # (only where some household confirmed one: otherwise the extra state would stay zero)
    joint = d.confirmed_weather and weather_part is not None and weather is not None and told.any()
    states = parts + 1 if joint else parts  # the last one: the step since a confirmed change
    weather_kwh = np.zeros_like(actual) if weather is None else np.maximum(weather, 0.0)
    after_change = weather_kwh if confirmed_shape is None else np.maximum(confirmed_shape, 0.0)
    theta = np.zeros((households, states))  # learnt scales of the uncertain parts
    covariance = np.broadcast_to(
        np.diag(np.append(prior, 0.0) if joint else prior), (households, states, states)
    ).copy()
    phi = np.zeros(households) if persistence is None else d.whiten * persistence
    innovation_sd = np.sqrt(1 - phi**2)
    tails = np.ones(households) if tail_scale is None else tail_scale**d.tail
    previous = np.zeros(households)  # the last reading's standardised residual …
    has_previous = np.zeros(households, dtype=bool)  # … if the day before had a reading
    spread_var = np.ones(households)  # out-of-sample spread² of the evidence (spread_halflife)
    spread_gain = 1 - 0.5 ** (1 / d.spread_halflife) if d.spread_halflife else 0.0
    for t in range(days):
        ok = valid[:, t]
        u = u_all[:, t]
        new = told[:, t]
        since = np.where(new, 0.0, since + 1)
        relearn = since < d.rebaseline_days
        # a confirmed change: the old level says little of the new one (a step of the order of
        # the day's expected use), and the episode it raised is over
        if joint:
            changed = np.isfinite(since)
            u = np.concatenate([u, changed[:, None].astype(float)], axis=1)
            u[changed, weather_part] = after_change[changed, t]
            covariance[new, weather_part, weather_part] += prior[weather_part]
            covariance[new, -1, -1] += predicted[new, t] ** 2
        else:
            level_var = np.where(new, level_var + predicted[:, t] ** 2, level_var)
        restart = new | fixed[:, t]
        fast, slow = np.where(restart, 0.0, fast), np.where(restart, 0.0, slow)
        on = on & ~restart
        learnt = np.einsum("hp,hp->h", theta[:, :parts], u[:, :parts])
        if weather is not None:
            learnt = np.maximum(learnt, -weather_kwh[:, t])
        if joint:
            learnt = learnt + theta[:, -1] * u[:, -1]
        expected[:, t] = predicted[:, t] + level + learnt
        residual = np.where(ok, actual[:, t] - expected[:, t], 0.0)
        pu = np.einsum("hpq,hq->hp", covariance, u)
        noise = sigma[:, t]
        if joint and d.confirmed_spread:
            added = np.maximum(expected[:, t] - predicted[:, t], 0.0)
            # (the spread is a share of the expected use, of at least MIN_EXPECTED_KWH)
            grown = np.hypot(1.0, added / np.maximum(predicted[:, t], MIN_EXPECTED_KWH))
            noise = noise * np.where(changed, grown, 1.0)
        total_var = noise**2 + np.einsum("hp,hp->h", u, pu)
        sd = np.sqrt(total_var)
        raw = residual / sd
        innovation = np.where(has_previous, (raw - phi * previous) / innovation_sd, raw)
        whitened = innovation / tails
        out_of_sample = np.sqrt(np.maximum(spread_var, 1.0))
        z = np.where(relearn, 0.0, np.minimum(whitened / out_of_sample, d.z_cap))
        previous = np.where(ok, np.clip(raw, -PREVIOUS_CLIP, PREVIOUS_CLIP), 0.0)
        has_previous = ok & ~relearn
        fast = np.where(ok, np.clip(fast + z - d.k, 0.0, d.evidence_cap * d.h), fast)
        slow = np.where(
            ok, np.clip(slow + z - slow_allowance[:, t], 0.0, d.evidence_cap * d.slow_h), slow
        )
        evidence = np.maximum(fast / d.h, slow / d.slow_h)
        on = np.where(ok, np.where(on, evidence > d.release, evidence > 1.0), on)
        is_flag = ok & on & (t >= warm)
        run = np.where(is_flag, run + 1, np.where(ok, 0, run))
        quiet = ok & (evidence < d.calm_fraction)
        calm = quiet if adapt is None else quiet & adapt[:, t]
        if not joint:
            calm = calm | (ok & relearn)
        clipped = np.clip(whitened, -SPREAD_CLIP, SPREAD_CLIP) ** 2 / SPREAD_CLIP_MEAN
        spread_var = np.where(
            quiet & ~relearn, spread_var + spread_gain * (clipped - spread_var), spread_var
        )
        spread = np.where(relearn, np.inf, 2 * sigma[:, t])
        predicted_var = level_var + step_var[:, t]
        level_gain = np.where(calm, predicted_var / (predicted_var + total_var), 0.0)
        level = level + level_gain * np.clip(residual, -spread, spread)
        level_var = (1 - level_gain) * predicted_var
        learn = ok & (evidence < d.learn_fraction) & (u > 0).any(axis=1)
        gain = np.where(learn[:, None], pu / total_var[:, None], 0.0)
        # the relearning after a confirmed change takes the whole step, as the level did
        bound = np.where(relearn, np.inf, 2 * sd) if joint else 2 * sd
        theta = theta + gain * np.clip(residual, -bound, bound)[:, None]
        covariance = covariance - np.einsum("hp,hq->hpq", gain, pu)
        score[:, t] = evidence * d.h
        flagged[:, t] = is_flag
        run_length[:, t] = run
        episode = np.where(on, episode + ok, 0.0)
        excess = np.where(on, excess + residual, 0.0)
        if d.adopt_days:
            adopt = on & (episode >= d.adopt_days) & may_adopt
            level = np.where(adopt, level + excess / np.maximum(episode, 1), level)
            fast, slow = np.where(adopt, 0.0, fast), np.where(adopt, 0.0, slow)
            on = on & ~adopt
    return CusumResult(expected, score, flagged, run_length)
