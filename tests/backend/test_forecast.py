"""The Open-Meteo client against a fake Open-Meteo on loopback: stored with its fetch time,
cached, retried with backoff, and offline → climate normals (and the projection says so)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from backend.clock import frozen
from backend.extensions import db
from backend.models import DailyReading, WeatherForecast, WeatherObservation
from backend.services.forecast import (
    FORECAST_DAYS,
    PAST_DAYS,
    ForecastUnavailable,
    fetch_forecasts,
    http_session,
)
from backend.services.projection import project_household
from ml.points import province_points
from tests.fakes import free_port

TODAY = date(2025, 7, 10)
NOW = datetime(2025, 7, 10, 1, 0)  # 08:00 in Việt Nam, naive UTC


def open_meteo_answer(query: str, hot: float = 33.0) -> list[dict]:
    """What Open-Meteo answers for several coordinates: one object per place, in order."""
    params = parse_qs(urlsplit(query).query)
    latitudes = params["latitude"][0].split(",")
    past, ahead = int(params["past_days"][0]), int(params["forecast_days"][0])
    days = [TODAY + timedelta(days=d) for d in range(-past, ahead)]
    return [
        {
            "latitude": float(lat),
            "daily_units": {"temperature_2m_mean": "°C"},
            "daily": {
                "time": [d.isoformat() for d in days],
                "temperature_2m_mean": [hot - 1 if d < TODAY else hot for d in days],
                "temperature_2m_max": [hot + 4 for _ in days],
            },
        }
        for lat in latitudes
    ]


@pytest.fixture
def open_meteo(fake_server):
    failures = {"left": 0}

    def handler(method, path, body):
        if failures["left"]:
            failures["left"] -= 1
            return 503, {"error": True, "reason": "busy"}
        return 200, open_meteo_answer(path)

    server = fake_server(handler)
    server.failures = failures
    server.forecast_url = f"{server.url}/v1/forecast"
    return server


def test_every_province_is_fetched_in_one_request_and_stored_with_its_time(app, open_meteo):
    result = fetch_forecasts(db.session, url=open_meteo.forecast_url, now=NOW, today=TODAY)
    provinces = len(province_points())
    assert (result.provinces, result.forecast_days, result.observed_days) == (
        provinces,
        provinces * FORECAST_DAYS,
        provinces * PAST_DAYS,
    )
    (call,) = open_meteo.calls
    query = parse_qs(urlsplit(call[1]).query)
    assert query["daily"] == ["temperature_2m_mean,temperature_2m_max"]
    assert len(query["latitude"][0].split(",")) == provinces
    row = db.session.get(WeatherForecast, (79, TODAY + timedelta(days=3)))
    assert (row.mean_temp_c, row.max_temp_c, row.fetched_at) == (33.0, 37.0, NOW)
    # the past week fills observations where nothing was imported
    assert db.session.get(WeatherObservation, (79, TODAY - timedelta(days=1))).avg_temp_c == 32.0


def test_a_recent_forecast_is_not_fetched_again_unless_forced(app, open_meteo):
    fetch_forecasts(db.session, url=open_meteo.forecast_url, now=NOW, today=TODAY)
    later = NOW + timedelta(hours=2)
    assert fetch_forecasts(db.session, url=open_meteo.forecast_url, now=later, today=TODAY).skipped
    assert len(open_meteo.calls) == 1
    fetch_forecasts(db.session, url=open_meteo.forecast_url, now=later, today=TODAY, force=True)
    assert len(open_meteo.calls) == 2
    assert db.session.get(WeatherForecast, (1, TODAY)).fetched_at == later


def test_transient_failures_are_retried_with_backoff(app, open_meteo):
    open_meteo.failures["left"] = 2
    result = fetch_forecasts(
        db.session,
        url=open_meteo.forecast_url,
        now=NOW,
        today=TODAY,
        http=http_session(retries=3, backoff=0.01),
    )
    assert result.forecast_days > 0 and len(open_meteo.calls) == 3


def test_a_server_that_keeps_failing_leaves_the_normals(app, open_meteo):
    open_meteo.failures["left"] = 10
    with pytest.raises(ForecastUnavailable):
        fetch_forecasts(
            db.session,
            url=open_meteo.forecast_url,
            now=NOW,
            today=TODAY,
            http=http_session(retries=2, backoff=0.01),
        )
    assert db.session.query(WeatherForecast).count() == 0


def test_offline_the_command_says_so_and_projections_use_normals(app, household):
    app.config["OPEN_METEO_URL"] = f"http://127.0.0.1:{free_port()}/v1/forecast"
    result = app.test_cli_runner().invoke(args=["weather", "forecast"])
    assert result.exit_code != 0 and "normals stay in use" in result.output
    for d in range(60):
        db.session.add(DailyReading(household_id="hh-1", day=TODAY - timedelta(days=d), kwh=9.0))
    db.session.commit()
    assert project_household(db.session, household, today=TODAY, now=NOW).weather_source == (
        "normals"
    )


def test_the_projection_uses_a_fresh_forecast_and_not_a_stale_one(app, household, open_meteo):
    for d in range(60):
        db.session.add(DailyReading(household_id="hh-1", day=TODAY - timedelta(days=d), kwh=9.0))
    db.session.commit()
    app.config["OPEN_METEO_URL"] = open_meteo.forecast_url
    with frozen(NOW):
        result = app.test_cli_runner().invoke(args=["weather", "forecast"])
    assert result.exit_code == 0, result.output
    assert "forecast days" in result.output
    fresh = project_household(db.session, household, today=TODAY, now=NOW)
    assert fresh.weather_source == "forecast"
    stale = project_household(db.session, household, today=TODAY, now=NOW + timedelta(hours=48))
    assert stale.weather_source == "normals"
