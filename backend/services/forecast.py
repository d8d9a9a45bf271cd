"""Daily forecast temperatures per province from Open-Meteo, stored with when they were fetched.

One request asks for every province at once (Open-Meteo takes comma-separated coordinates and
answers a list); transient failures are retried with exponential backoff (urllib3's Retry). The
recent past days it returns are observations of a sort (its reanalysis), so they also fill
`WeatherObservation` where nothing better was imported. Without a fresh forecast the projection
falls back on the climate normals and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from urllib3.util.retry import Retry

from backend.models import WeatherForecast, WeatherObservation
from ml.points import province_points

FORECAST_DAYS = 16
PAST_DAYS = 7
MAX_AGE = timedelta(hours=36)  # an older forecast is not used
REFRESH_AFTER = timedelta(hours=6)  # a newer one is not fetched again
TIMEZONE = "Asia/Bangkok"  # UTC+7 all year, as Việt Nam


class ForecastUnavailable(Exception):
    """Open-Meteo did not answer usefully (after retries)."""


@dataclass(frozen=True)
class FetchResult:
    provinces: int
    forecast_days: int
    observed_days: int
    skipped: bool = False


def http_session(retries: int = 3, backoff: float = 0.5) -> requests.Session:
    """A session retrying connection errors, 429 and 5xx with exponential backoff."""
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _request(url: str, codes: list[int], session: requests.Session, timeout: float) -> list[Any]:
    points = province_points()
    params: dict[str, str | int] = {
        "latitude": ",".join(f"{points[c][0]:.2f}" for c in codes),
        "longitude": ",".join(f"{points[c][1]:.2f}" for c in codes),
        "daily": "temperature_2m_mean,temperature_2m_max",
        "timezone": TIMEZONE,
        "forecast_days": FORECAST_DAYS,
        "past_days": PAST_DAYS,
    }
    try:
        response = session.get(url, params=params, timeout=timeout)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ForecastUnavailable(str(exc)) from exc
    answers = body if isinstance(body, list) else [body]
    if len(answers) != len(codes):
        raise ForecastUnavailable(f"{len(answers)} answers for {len(codes)} places")
    return answers


def _daily(answer: Any) -> list[tuple[date, float, float | None]]:
    try:
        daily = answer["daily"]
        rows = zip(
            daily["time"], daily["temperature_2m_mean"], daily["temperature_2m_max"], strict=True
        )
        return [
            (date.fromisoformat(day), float(mean), None if high is None else float(high))
            for day, mean, high in rows
            if mean is not None and -20 <= float(mean) <= 50
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ForecastUnavailable(f"unexpected answer: {exc}") from exc


def fetch_forecasts(
    session: Session,
    *,
    url: str,
    now: datetime,
    today: date,
    force: bool = False,
    http: requests.Session | None = None,
    timeout: float = 10.0,
) -> FetchResult:
    """Fetch and store every province's daily temperatures (past week and next 16 days).

    Skipped when the stored forecast is younger than REFRESH_AFTER (unless `force`): a cache in
    the database, shared by every worker. Raises ForecastUnavailable when Open-Meteo fails."""
    codes = sorted(province_points())
    latest = session.scalar(
        select(WeatherForecast.fetched_at).order_by(WeatherForecast.fetched_at.desc()).limit(1)
    )
    if not force and latest is not None and now - latest < REFRESH_AFTER:
        return FetchResult(0, 0, 0, skipped=True)
    answers = _request(url, codes, http or http_session(), timeout)
    forecast_days = observed_days = 0
    observed_known = {
        (c, d)
        for c, d in session.execute(
            select(WeatherObservation.province_code, WeatherObservation.day).where(
                WeatherObservation.day >= today - timedelta(days=PAST_DAYS)
            )
        ).all()
    }
    session.execute(delete(WeatherForecast).where(WeatherForecast.province_code.in_(codes)))
    for code, answer in zip(codes, answers, strict=True):
        for day, mean, high in _daily(answer):
            if day >= today:
                session.add(
                    WeatherForecast(
                        province_code=code,
                        day=day,
                        mean_temp_c=round(mean, 1),
                        max_temp_c=None if high is None else round(high, 1),
                        fetched_at=now,
                    )
                )
                forecast_days += 1
            elif (code, day) not in observed_known:
                session.add(
                    WeatherObservation(province_code=code, day=day, avg_temp_c=round(mean, 1))
                )
                observed_days += 1
    session.commit()
    return FetchResult(len(codes), forecast_days, observed_days)


def forecast_for(
    session: Session, province_code: int | None, start: date, end: date, *, now: datetime
) -> dict[date, tuple[float, float | None]]:
    """The stored forecast (mean, max °C) of the province's days in [start, end], if fetched
    within MAX_AGE of `now`; empty otherwise (the caller uses the climate normals)."""
    if province_code is None:
        return {}
    rows = session.execute(
        select(WeatherForecast.day, WeatherForecast.mean_temp_c, WeatherForecast.max_temp_c).where(
            WeatherForecast.province_code == province_code,
            WeatherForecast.day.between(start, end),
            WeatherForecast.fetched_at >= now - MAX_AGE,
        )
    ).all()
    return {day: (mean, high) for day, mean, high in rows}


def forecasts_by_province(
    session: Session, start: date, end: date, *, now: datetime
) -> dict[int, dict[date, float]]:
    """Every province's fresh forecast means in [start, end] (for the nightly job)."""
    out: dict[int, dict[date, float]] = {}
    for code, day, mean in session.execute(
        select(
            WeatherForecast.province_code, WeatherForecast.day, WeatherForecast.mean_temp_c
        ).where(
            WeatherForecast.day.between(start, end), WeatherForecast.fetched_at >= now - MAX_AGE
        )
    ):
        out.setdefault(code, {})[day] = mean
    return out
