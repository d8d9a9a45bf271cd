"""The monthly retraining job: its schedule, and a model the nightly scoring can load."""

from __future__ import annotations

from datetime import datetime

from ml.api import load_model
from tests.conftest import daily_readings, make_household


def test_retraining_runs_once_a_month_before_that_night_s_scoring():
    from notifications.tasks import monthly_retraining, nightly_scoring

    retraining = monthly_retraining.s()
    hours = [
        (day, hour)
        for day in range(1, 31)
        for hour in range(24)
        if retraining.validate_datetime(datetime(2026, 11, day, hour, 0))
    ]
    assert hours == [(1, 18)]  # 01:00 on the 2nd in Việt Nam
    assert nightly_scoring.s().validate_datetime(datetime(2026, 11, 1, 19, 30))  # then 02:30


def test_the_retraining_job_replaces_the_model_the_scoring_loads(app, tmp_path, monkeypatch):
    import notifications.tasks as tasks

    for index in range(3):
        make_household(f"m{index}", province_code=40)
        daily_readings(f"m{index}", 90, 0)
    app.config["ANOMALY_MODEL_PATH"] = str(tmp_path / "anomaly.skops")
    monkeypatch.setattr(tasks, "app", lambda: app)
    tasks.monthly_retraining.call_local()
    model = load_model(tmp_path / "anomaly.skops")
    assert sorted(model.consumption_.household_ids_) == ["m0", "m1", "m2"]
