"""The consumption model in the product: nightly scoring, episodes, one usage alert per episode."""

from __future__ import annotations

from datetime import date

import pytest

from backend.extensions import db
from backend.models import AnomalyEpisode, Notification, UsageScore
from tests.conftest import bearer, daily_readings, make_household


def test_score_all_opens_one_episode_and_one_alert(client, tmp_path, unusual_use):
    stuck, model, runner = unusual_use.household, unusual_use.model, unusual_use.runner
    assert "Intended uses & limitations" in (tmp_path / "model.md").read_text()  # the card
    first = runner.invoke(args=["notify", "score-all", "--model", model])
    assert first.exit_code == 0, first.output
    assert "1 new episodes" in first.output
    episode = db.session.query(AnomalyEpisode).one()
    assert episode.household_id == "stuck" and episode.is_open
    assert 1 <= episode.excess_days <= 8
    assert "bình nóng lạnh" in episode.explanation
    assert (
        db.session.query(UsageScore).filter_by(household_id="stuck", is_anomaly=True).count()
        == episode.excess_days
    )
    again = runner.invoke(args=["notify", "score-all", "--model", model])
    assert "0 new episodes" in again.output
    alerts = db.session.query(Notification).filter_by(kind="usage_alert").all()
    assert [a.household_id for a in alerts] == ["stuck"]  # one alert per episode, not per day
    usage = client.get("/api/v1/me/usage", headers=bearer(stuck)).get_json()
    assert (
        usage["anomaly"]["is_anomaly"] is True
        and usage["anomaly"]["excess_days"] == episode.excess_days
        and usage["anomaly"]["start_day"] == episode.start_day.isoformat()
    )
    normal = client.get(
        "/api/v1/me/usage", headers=bearer(db.session.get(type(stuck), "normal-0"))
    ).get_json()
    assert normal["anomaly"]["is_anomaly"] is False


def test_score_all_without_a_model_says_what_to_do(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["notify", "score-all", "--model", str(tmp_path / "none.skops")]
    )
    assert result.exit_code != 0 and "make train" in result.output


@pytest.mark.parametrize(
    ("days", "holdout_days", "history"),
    [
        (400, None, 386),  # a year-long household's last 14 days are left out …
        (400, 0, 400),
        (120, None, 120),  # … a newer one keeps them: they teach it its first summer
        (120, 30, 120),
    ],
)
def test_retraining_replaces_the_model_with_one_trained_on_the_days_it_keeps(
    app, tmp_path, days, holdout_days, history
):
    from backend.services.anomalies import retrain
    from ml.api import load_model

    for index in range(3):
        make_household(f"r{index}", province_code=40)
        daily_readings(f"r{index}", days, 0)  # up to yesterday
    path = tmp_path / "model.skops"
    path.write_bytes(b"an older model")
    kept = {} if holdout_days is None else {"holdout_days": holdout_days}
    assert retrain(db.session, path, today=date.today(), **kept) == 3 * history
    assert load_model(path).consumption_.history_days_.tolist() == [history] * 3
    assert "Intended uses & limitations" in (tmp_path / "model.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.md", "model.skops"]
