"""The household's answer to a usage alert (did its use change for good?), stored and used by the
nightly scoring: a "yes" makes the model learn the new level instead of flagging it again."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from backend.clock import local_today
from backend.extensions import db
from backend.models import AnomalyEpisode, DailyReading, GuestStay, Notification, UsageScore
from backend.services.anomalies import (
    AFTER_REPAIR,
    AFTER_REPAIR_DAYS,
    _update_episode,
    confirmed_changes,
    easing,
)
from backend.services.household_panel import household_panel
from ml.told import ConfirmedChange
from notifications.alerts import GUESTS_HINT, QUESTION, enqueue_usage_alert
from tests.conftest import bearer, make_household


def feedback(client, household, episode_id, body):
    return client.post(
        f"/api/v1/me/anomalies/{episode_id}/feedback", json=body, headers=bearer(household)
    )


def test_a_confirmed_lasting_change_ends_the_episode_and_a_denied_one_keeps_it(client, unusual_use):
    home, model, runner = unusual_use.household, unusual_use.model, unusual_use.runner
    assert runner.invoke(args=["notify", "score-all", "--model", model]).exit_code == 0
    episode = db.session.query(AnomalyEpisode).one()
    alert = db.session.query(Notification).filter_by(kind="usage_alert").one()
    assert alert.body.endswith(f"{QUESTION} {GUESTS_HINT}")  # the question, then the hint
    notices = client.get("/api/v1/me/notices", headers=bearer(home)).get_json()["notices"]
    assert notices[0]["anomaly_id"] == episode.id  # the app knows what to answer

    no = feedback(client, home, episode.id, {"lasting_change": False, "note": None})
    assert no.status_code == 200 and no.get_json()["lasting_change"] is False
    runner.invoke(args=["notify", "score-all", "--model", model])
    db.session.refresh(episode)
    assert episode.is_open  # "nothing changed": still unusual

    yes = feedback(client, home, episode.id, {"lasting_change": True, "note": " Mua máy lạnh "})
    assert yes.status_code == 200
    assert yes.get_json()["note"] == "Mua máy lạnh" and yes.get_json()["feedback_at"]
    usage = client.get("/api/v1/me/usage", headers=bearer(home)).get_json()["anomaly"]
    assert usage["anomaly_id"] == episode.id and usage["lasting_change"] is True
    result = runner.invoke(args=["notify", "score-all", "--model", model])
    assert "0 new episodes" in result.output
    db.session.refresh(episode)
    assert not episode.is_open  # learnt as the new normal: quiet, and no second alert
    assert db.session.query(Notification).filter_by(kind="usage_alert").count() == 1
    panel = household_panel(db.session, home, today=date.today())
    assert [(e.id, e.lasting_change, e.feedback_note) for e in panel.answers] == [
        (episode.id, True, "Mua máy lạnh")
    ]


@pytest.fixture
def episode(household):
    row = AnomalyEpisode(
        household_id=household.id,
        start_day=date(2026, 11, 20),
        last_day=date(2026, 11, 26),
        expected_kwh=70.0,
        actual_kwh=96.0,
        weather_kwh=21.0,
        excess_days=7,
        explanation="Tuần qua nhà bạn dùng 96 kWh.",
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "lasting_change", "bắt buộc"),
        ({"lasting_change": "có"}, "lasting_change", "true hoặc false"),
        ({"lasting_change": 1}, "lasting_change", "true hoặc false"),  # 1 == True in Python
        ({"lasting_change": None}, "lasting_change", "không được để trống"),
        ({"lasting_change": True, "note": "x" * 501}, "note", "dài quá 500"),
        ({"lasting_change": True, "mood": 1}, "mood", "Dữ liệu gửi lên: không có trường 'mood'."),
        ({"lasting_change": True, "change": "máy lạnh"}, "change", "Điều đã thay đổi"),
        ({"lasting_change": True, "change": 3}, "change", "Điều đã thay đổi"),
    ],
)
def test_bad_feedback_is_a_422_naming_the_field_in_vietnamese(
    client, household, episode, body, field, message
):
    res = feedback(client, household, episode.id, body)
    assert res.status_code == 422
    assert res.get_json()["field"] == field and message in res.get_json()["message"]
    db.session.refresh(episode)
    assert episode.lasting_change is None


@pytest.mark.parametrize(
    ("change", "text", "cooling"),
    [
        ("air_conditioner", "dùng điều hòa nhiều hơn", True),
        ("people", "có thêm người ở", None),  # more people may cool more too
        ("appliance", "có thêm máy giặt, tủ lạnh, xe điện hay thiết bị tương tự", False),
        (None, None, None),  # not said
    ],
)
def test_what_changed_is_stored_said_back_and_read_by_the_scoring(
    client, household, episode, change, text, cooling
):
    add_score(household, episode.last_day)  # the usage answer needs the nightly score
    body = {"lasting_change": True} | ({"change": change} if change else {})
    res = feedback(client, household, episode.id, body)
    assert res.status_code == 200
    assert (res.get_json()["change"], res.get_json()["change_text"]) == (change, text)
    usage = client.get("/api/v1/me/usage", headers=bearer(household)).get_json()["anomaly"]
    assert usage["change_text"] == text
    assert confirmed_changes(db.session, [household.id]) == {
        household.id: [ConfirmedChange(episode.start_day, cooling)]
    }


def test_a_later_yes_that_names_nothing_keeps_what_changed_and_a_repair_clears_it(
    client, household, episode
):
    feedback(client, household, episode.id, {"lasting_change": True, "change": "appliance"})
    res = feedback(client, household, episode.id, {"lasting_change": True, "note": "đúng vậy"})
    assert res.get_json()["change"] == "appliance"
    res = feedback(client, household, episode.id, {"lasting_change": True, "change": "people"})
    assert res.get_json()["change"] == "people"  # a kind said again replaces it
    res = client.post(f"/api/v1/me/anomalies/{episode.id}/repaired", headers=bearer(household))
    assert res.status_code == 200 and res.get_json()["change"] is None
    db.session.refresh(episode)
    assert (episode.lasting_change, episode.change_kind) == (False, None)


def test_what_changed_goes_with_a_yes_only(client, household, episode):
    assert feedback(client, household, episode.id, {"lasting_change": True, "change": "people"})
    res = feedback(client, household, episode.id, {"lasting_change": False, "change": "people"})
    assert res.status_code == 200 and res.get_json()["change"] is None
    db.session.refresh(episode)
    assert (episode.lasting_change, episode.change_kind) == (False, None)
    assert confirmed_changes(db.session, [household.id]) == {}


@pytest.mark.parametrize("other", [True, False])
def test_feedback_on_another_households_alert_is_a_404(client, household, episode, other):
    someone = make_household("someone-else")
    target = episode.id if other else 2**40
    res = feedback(client, someone, target, {"lasting_change": True})
    assert res.status_code == 404 and res.get_json()["field"] == "anomaly_id"
    db.session.refresh(episode)
    assert episode.lasting_change is None


def repaired(client, household, episode_id):
    return client.post(f"/api/v1/me/anomalies/{episode_id}/repaired", headers=bearer(household))


def test_a_repair_told_closes_the_alert_once_that_day_is_read(client, unusual_use):
    """ "Tôi đã sửa xong": nothing lasting changed, and the scoring restarts its evidence from
    the day of the repair, so the alert closes with that day's reading, without a second one."""
    home, model, runner = unusual_use.household, unusual_use.model, unusual_use.runner
    assert runner.invoke(args=["notify", "score-all", "--model", model]).exit_code == 0
    episode = db.session.query(AnomalyEpisode).one()
    res = repaired(client, home, episode.id)
    assert res.status_code == 200
    today = local_today()
    assert res.get_json()["repaired_on"] == today.isoformat()
    assert res.get_json()["lasting_change"] is False and res.get_json()["is_open"]
    usage = client.get("/api/v1/me/usage", headers=bearer(home)).get_json()["anomaly"]
    assert usage["repaired_on"] == today.isoformat()
    runner.invoke(args=["notify", "score-all", "--model", model])
    db.session.refresh(episode)
    assert episode.is_open  # the repair day has no reading yet: the verdict stands
    db.session.add(DailyReading(household_id=home.id, day=today, kwh=8.2))
    db.session.commit()
    result = runner.invoke(args=["notify", "score-all", "--model", model])
    assert "0 new episodes" in result.output
    db.session.refresh(episode)
    assert not episode.is_open  # closed on the repair day's reading
    assert db.session.query(Notification).filter_by(kind="usage_alert").count() == 1
    panel = household_panel(db.session, home, today=today)
    assert [(e.id, e.repaired_on) for e in panel.answers] == [(episode.id, today)]


def add_score(household, day: date) -> None:
    """A nightly score of `day`: the usage answer reports an alert only once scoring ran."""
    db.session.add(
        UsageScore(
            household_id=household.id, day=day, expected_kwh=10.0, score=4.0, is_anomaly=True
        )
    )
    db.session.commit()


def usage_alert(client, household, *, scored_on: date) -> dict:
    """The usage answer's alert, the night of `scored_on` scored."""
    add_score(household, scored_on)
    return client.get("/api/v1/me/usage", headers=bearer(household)).get_json()["anomaly"]


def scored_days(last: date, flags: list[bool]) -> pd.DataFrame:
    """Scored rows ending on `last`, as the nightly scoring hands them to `_update_episode`."""
    days = [last - timedelta(days=len(flags) - 1 - i) for i in range(len(flags))]
    run, runs = 0, []
    for flag in flags:
        run = run + 1 if flag else 0
        runs.append(run)
    return pd.DataFrame(
        {
            "date": days,
            "kwh": 15.0,
            "expected_kwh": 8.0,
            "weather_kwh": 0.0,
            "is_anomaly": flags,
            "excess_days": runs,
        }
    )


@pytest.mark.parametrize(
    ("flags", "new_alert"),
    [
        # readings of the repair day (the 4th) and the days after it came in one night, use still
        # high: the evidence restarted and built up again, a new run of flags → a new alert
        ([True, True, True, False, False, True], True),
        # the repair day has no reading yet: the run of flags goes on, the same alert
        ([True, True, True], False),
    ],
)
def test_flags_after_a_repair_are_a_new_alert_not_the_old_one(household, episode, flags, new_alert):
    episode.repaired_on = date(2026, 11, 27)
    db.session.commit()
    last = date(2026, 11, 24) + timedelta(days=len(flags) - 1)
    created, closed = _update_episode(db.session, household, scored_days(last, flags))
    db.session.refresh(episode)
    assert (created is not None, closed, episode.is_open) == (new_alert, new_alert, not new_alert)
    said = AFTER_REPAIR.format(day="27/11/2026")
    if new_alert:
        fresh = db.session.get(AnomalyEpisode, created)
        assert fresh.start_day == last and fresh.repaired_on is None and fresh.is_open
        assert fresh.explanation.endswith(said)  # the new alert says the repair did not hold


@pytest.mark.parametrize(
    ("after", "says"),
    [(0, True), (5, True), (AFTER_REPAIR_DAYS, True), (AFTER_REPAIR_DAYS + 1, False)],
)
def test_an_alert_soon_after_a_repair_says_so_on_the_page_and_in_the_push(
    client, household, episode, after, says
):
    episode.repaired_on, episode.is_open = date(2026, 11, 27), False
    db.session.commit()
    start = date(2026, 11, 27) + timedelta(days=after)
    created, _ = _update_episode(
        db.session, household, scored_days(start + timedelta(days=2), [True] * 3)
    )
    db.session.commit()
    fresh = db.session.get(AnomalyEpisode, created)
    said = AFTER_REPAIR.format(day="27/11/2026")
    assert fresh.start_day == start and (said in fresh.explanation) == says
    push = enqueue_usage_alert(db.session, fresh)
    db.session.commit()
    assert (said in push.body) == says
    usage = usage_alert(client, household, scored_on=start + timedelta(days=2))
    assert usage["anomaly_id"] == fresh.id and (said in usage["explanation"]) == says


def test_a_repair_on_another_households_or_a_closed_alert_is_refused(client, household, episode):
    someone = make_household("someone-else")
    res = repaired(client, someone, episode.id)
    assert res.status_code == 404 and res.get_json()["field"] == "anomaly_id"
    res = repaired(client, household, 2**40)  # beyond the integer column: no such alert
    assert res.status_code == 404 and res.get_json()["field"] == "anomaly_id"
    episode.is_open = False
    db.session.commit()
    res = repaired(client, household, episode.id)
    assert res.status_code == 409 and "đã đóng" in res.get_json()["message"]
    db.session.refresh(episode)
    assert episode.repaired_on is None and episode.lasting_change is None


def test_a_lasting_change_answered_after_a_repair_takes_its_place(client, household, episode):
    assert repaired(client, household, episode.id).get_json()["repaired_on"]
    res = feedback(client, household, episode.id, {"lasting_change": True})
    assert res.status_code == 200 and res.get_json()["repaired_on"] is None
    db.session.refresh(episode)
    assert episode.lasting_change is True and episode.repaired_on is None


def test_alerts_and_their_answers_are_exported_and_deleted_with_the_household(
    client, household, episode
):
    feedback(client, household, episode.id, {"lasting_change": True, "change": "people"})
    export = client.get("/api/v1/me/export", headers=bearer(household)).get_json()
    assert export["usage_alerts"][0]["change_kind"] == "people"  # what it said changed, too
    repaired(client, household, episode.id)
    export = client.get("/api/v1/me/export", headers=bearer(household)).get_json()
    [alert] = export["usage_alerts"]
    assert alert["start_day"] == "2026-11-20" and alert["repaired_on"] == local_today().isoformat()
    assert alert["lasting_change"] is False and alert["change_kind"] is None
    assert client.delete("/api/v1/me", headers=bearer(household)).status_code == 200
    assert db.session.query(AnomalyEpisode).count() == 0


@pytest.fixture
def scored_episode(household, episode):
    """The open alert, with the nightly score of its last day (the usage answer needs one)."""
    add_score(household, episode.last_day)
    return episode


@pytest.mark.parametrize(
    ("stay", "told"),
    [
        ((date(2026, 11, 18), date(2026, 11, 27)), True),  # takes in every day of the alert
        ((date(2026, 11, 18), date(2026, 11, 22)), False),  # use stayed high after the guests
        ((date(2026, 11, 21), date(2026, 11, 27)), False),  # began after the alert's first day
        (None, False),
    ],
)
def test_the_usage_answer_names_the_guest_stay_behind_an_alert(
    client, household, scored_episode, stay, told
):
    """The page says an alert answered with a stay of guests was the guests' (not "nothing
    changed, check the appliances"), also after a reload, and no repair is offered; an alert that
    outlived the stay is not the guests', and its repair can be told."""
    episode = scored_episode
    if stay is not None:
        db.session.add(GuestStay(household_id=household.id, first_day=stay[0], last_day=stay[1]))
    db.session.commit()
    assert feedback(client, household, episode.id, {"lasting_change": False}).status_code == 200
    usage = client.get("/api/v1/me/usage", headers=bearer(household)).get_json()["anomaly"]
    assert usage["anomaly_id"] == episode.id and usage["lasting_change"] is False
    if told:
        assert usage["guest_stay"]["text"] == "Có khách từ 18/11/2026 đến 27/11/2026"
    else:
        assert usage["guest_stay"] is None
    assert usage["repair_offered"] is not told


@pytest.mark.parametrize(
    ("lasting_change", "repaired_on", "offered"),
    [
        (None, None, True),
        (False, None, True),
        (True, None, False),
        (False, date(2026, 11, 27), False),
    ],
)
def test_a_repair_is_offered_until_told_and_not_after_a_new_normal(
    client, household, scored_episode, lasting_change, repaired_on, offered
):
    episode = scored_episode
    episode.lasting_change, episode.repaired_on = lasting_change, repaired_on
    db.session.commit()
    usage = client.get("/api/v1/me/usage", headers=bearer(household)).get_json()["anomaly"]
    assert usage["repair_offered"] is offered


@pytest.mark.parametrize(("kwh", "easing"), [(15.0, False), (7.0, True)])
def test_an_open_alert_whose_last_week_is_back_to_expected_says_so(
    client, service_auth, household, episode, kwh, easing
):
    """The flag outlives a repaired fault by weeks; while it does, the page and the chat answer
    must not call a usual week higher (expected 8 kWh a day)."""
    rows = scored_days(date(2026, 12, 3), [True] * 14).assign(kwh=kwh)
    assert _update_episode(db.session, household, rows) == (None, False)  # the same alert
    usage = usage_alert(client, household, scored_on=date(2026, 12, 3))
    assert usage["anomaly_id"] == episode.id and usage["easing"] is easing
    said = usage["explanation"]
    assert ("không cao hơn mức dự kiến" in said) is easing
    assert ("Cảnh báo bắt đầu từ ngày 20/11/2026 sẽ tự tắt" in said) is easing
    assert ("cao hơn mức dự kiến theo thời tiết khoảng" in said) is not easing
    # the bot reads the alert from the service API: a bare "có" then answers nothing
    latest = client.get(
        f"/api/v1/service/households/{household.id}/anomalies/latest", headers=service_auth
    ).get_json()["anomaly"]
    assert latest["id"] == episode.id and latest["easing"] is easing


def test_flags_from_the_repair_day_on_are_a_new_alert_that_names_the_repair(household, episode):
    """Repaired on 22/11 with use still high from that day: the repaired alert closes and the new
    one, starting that very day, says the repair did not hold."""
    episode.repaired_on = date(2026, 11, 22)
    db.session.commit()
    created, closed = _update_episode(
        db.session, household, scored_days(date(2026, 11, 24), [True] * 3)
    )
    fresh = db.session.get(AnomalyEpisode, created)
    assert closed and fresh.start_day == date(2026, 11, 22)
    assert fresh.explanation.endswith(AFTER_REPAIR.format(day="22/11/2026"))


@pytest.mark.parametrize(("kwh", "says_repair"), [(15.0, True), (7.0, False)])
def test_the_after_repair_sentence_is_left_out_once_use_is_back_to_normal(
    household, episode, kwh, says_repair
):
    episode.repaired_on, episode.is_open = date(2026, 11, 27), False
    db.session.commit()
    rows = scored_days(date(2026, 12, 10), [True] * 8).assign(kwh=kwh)
    created, _ = _update_episode(db.session, household, rows)
    fresh = db.session.get(AnomalyEpisode, created)
    assert ("Bạn đã báo sửa xong ngày 27/11/2026" in fresh.explanation) is says_repair
    assert ("mức dùng đã trở lại bình thường" in fresh.explanation) is not says_repair


def test_a_new_alert_that_is_not_above_expected_is_not_pushed(household):
    """Readings of several days can open an alert whose own days are not above the expected
    use: it has nothing to tell the household, so no push (its card says use is normal)."""
    rows = scored_days(date(2026, 12, 3), [False] * 4 + [True] * 3).assign(kwh=7.0)
    created, _ = _update_episode(db.session, household, rows)
    fresh = db.session.get(AnomalyEpisode, created)
    assert easing(fresh) and "3 ngày qua nhà bạn dùng 21 kWh, không cao hơn" in fresh.explanation


def test_a_young_alert_whose_week_holds_low_days_is_told_on_its_own_days(household):
    """Three flagged days after four far below normal (a trip): the week is not above the
    expected use, the alert's own days are, and those are what it says."""
    rows = scored_days(date(2026, 12, 3), [False] * 4 + [True] * 3)
    rows.loc[:3, "kwh"] = 1.0
    created, _ = _update_episode(db.session, household, rows)
    said = db.session.get(AnomalyEpisode, created).explanation
    assert said.startswith("3 ngày qua nhà bạn dùng 45 kWh, cao hơn mức dự kiến theo thời tiết")
    assert "kéo dài 3 ngày" in said


def test_an_alerts_figures_are_summed_over_the_last_week_by_date(household, episode):
    """Readings missing on 4–7/12: the week is 8–10/12 (three readings), not the last seven rows
    reaching back to 2/12, and the explanation names the three days it sums."""
    rows = pd.concat(
        [scored_days(date(2026, 12, 3), [True] * 3), scored_days(date(2026, 12, 10), [True] * 3)]
    )
    assert _update_episode(db.session, household, rows) == (None, False)
    assert episode.actual_kwh == 45.0 and episode.expected_kwh == 24.0
    assert episode.explanation.startswith("3 ngày qua nhà bạn dùng 45 kWh")
