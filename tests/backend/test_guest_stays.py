"""Guest stays the household announces beforehand: stored, listed, withdrawn, exported and deleted
with the household, and used by the nightly scoring (no usage alert for announced days)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.clock import local_today
from backend.content.dates import date_vi
from backend.extensions import db
from backend.models import AnomalyEpisode, DailyReading, GuestStay, Notification
from backend.services.anomalies import train_model
from tests.conftest import bearer, make_household

URL = "/api/v1/me/guest-stays"


def announce(client, household, first: date, last: date):
    body = {"first_day": first.isoformat(), "last_day": last.isoformat()}
    return client.post(URL, json=body, headers=bearer(household))


def listed(client, household) -> list[tuple[str, str]]:
    stays = client.get(URL, headers=bearer(household)).get_json()["stays"]
    return [(s["first_day"], s["last_day"]) for s in stays]


def test_a_stay_is_stored_listed_in_vietnamese_and_withdrawn(client, household):
    today = local_today()
    first, last = today + timedelta(days=3), today + timedelta(days=6)
    res = announce(client, household, first, last)
    assert res.status_code == 201
    stay = res.get_json()
    assert stay["text"] == (
        f"Có khách từ {first.day}/{first.month}/{first.year} đến {last.day}/{last.month}/{last.year}"
    )
    assert listed(client, household) == [(first.isoformat(), last.isoformat())]
    gone = client.delete(f"{URL}/{stay['id']}", headers=bearer(household))
    assert gone.status_code == 204
    assert listed(client, household) == []


def test_overlapping_and_touching_stays_are_merged(client, household):
    today = local_today()
    announce(client, household, today + timedelta(days=2), today + timedelta(days=4))
    announce(client, household, today + timedelta(days=8), today + timedelta(days=9))
    announce(
        client, household, today + timedelta(days=5), today + timedelta(days=7)
    )  # touches both
    assert listed(client, household) == [
        ((today + timedelta(days=2)).isoformat(), (today + timedelta(days=9)).isoformat())
    ]
    assert db.session.query(GuestStay).count() == 1


@pytest.mark.parametrize(
    ("first", "last", "field", "message"),
    [
        (3, 1, "last_day", "Ngày khách về phải từ ngày khách tới trở đi."),
        (0, 31, "last_day", "Ngày khách về quá xa: mỗi lần báo có khách tối đa 31 ngày"),
        (-8, 0, "first_day", "Ngày khách tới đã qua quá 7 ngày: chỉ báo được đợt khách tới từ"),
        (400, 401, "first_day", "Ngày khách tới quá xa"),
    ],
)
def test_a_stay_that_cannot_be_true_is_a_422_naming_the_field(
    client, household, first, last, field, message
):
    today = local_today()
    res = announce(client, household, today + timedelta(days=first), today + timedelta(days=last))
    assert res.status_code == 422
    assert res.get_json()["field"] == field and res.get_json()["message"].startswith(message)
    assert db.session.query(GuestStay).count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_day": "2026-12-24"}, "last_day"),
        ({"first_day": "24/12", "last_day": "x"}, "first_day"),
    ],
)
def test_a_missing_or_unreadable_day_is_a_422(client, household, body, field):
    res = client.post(URL, json=body, headers=bearer(household))
    assert res.status_code == 422 and field in res.get_json()["field"]


def test_a_merge_longer_than_the_limit_is_refused_and_keeps_both(client, household):
    today = local_today()
    announce(client, household, today, today + timedelta(days=20))
    res = announce(client, household, today + timedelta(days=21), today + timedelta(days=35))
    assert res.status_code == 422 and res.get_json()["field"] == "last_day"
    assert listed(client, household) == [
        (today.isoformat(), (today + timedelta(days=20)).isoformat())
    ]


def test_nobody_withdraws_another_households_stay(client, household):
    stay = announce(client, household, local_today(), local_today()).get_json()
    someone = make_household("someone-else")
    res = client.delete(f"{URL}/{stay['id']}", headers=bearer(someone))
    assert res.status_code == 404 and res.get_json()["field"] == "stay_id"
    assert client.delete(f"{URL}/{2**40}", headers=bearer(household)).status_code == 404
    assert len(listed(client, household)) == 1


def test_stays_are_exported_and_deleted_with_the_household(client, household):
    announce(client, household, local_today(), local_today() + timedelta(days=2))
    export = client.get("/api/v1/me/export", headers=bearer(household)).get_json()
    assert [s["first_day"] for s in export["guest_stays"]] == [local_today().isoformat()]
    assert client.delete("/api/v1/me", headers=bearer(household)).status_code == 200
    assert db.session.query(GuestStay).count() == 0


def test_announced_days_raise_no_usage_alert_until_the_stay_is_withdrawn(client, unusual_use):
    """The household's use rose 7 kWh a day for its last 8 days: announced as guests, the nightly
    scoring opens no episode and sends nothing; withdrawn, the same readings raise the alert."""
    home, model, runner = unusual_use.household, unusual_use.model, unusual_use.runner
    raised = db.session.query(DailyReading.day).filter_by(household_id=home.id)
    last = max(day for (day,) in raised)
    stay = GuestStay(household_id=home.id, first_day=last - timedelta(days=7), last_day=last)
    db.session.add(stay)
    db.session.commit()
    scored = runner.invoke(args=["notify", "score-all", "--model", model])
    assert scored.exit_code == 0, scored.output
    assert db.session.query(AnomalyEpisode).count() == 0
    assert db.session.query(Notification).filter_by(kind="usage_alert").count() == 0

    assert client.delete(f"{URL}/{stay.id}", headers=bearer(home)).status_code == 204
    runner.invoke(args=["notify", "score-all", "--model", model])
    assert db.session.query(AnomalyEpisode).filter_by(household_id=home.id).count() == 1
    assert db.session.query(Notification).filter_by(kind="usage_alert").count() == 1


def test_training_leaves_announced_days_out(unusual_use):
    home = unusual_use.household
    until = local_today() + timedelta(days=1)
    _, before = train_model(db.session, until, holdout_days=0)
    first, last = local_today() - timedelta(days=30), local_today() - timedelta(days=21)
    db.session.add(GuestStay(household_id=home.id, first_day=first, last_day=last))
    db.session.commit()
    _, after = train_model(db.session, until, holdout_days=0)
    mine = after[after["household_id"] == home.id]["date"]
    assert not mine.between(first, last).any()
    assert len(before) - len(after) == 10


def test_the_bot_previews_then_stores_a_stay_in_the_words_it_says(client, household, service_auth):
    """What actions/guests.py reads: stay.period_text before the yes, the stored stay after."""
    base = f"/api/v1/service/households/{household.id}/guest-stays"
    first, last = local_today() + timedelta(days=1), local_today() + timedelta(days=3)
    body = {"first_day": first.isoformat(), "last_day": last.isoformat()}
    preview = client.post(f"{base}/preview", json=body, headers=service_auth)
    assert preview.status_code == 200
    period = f"từ {first.day}/{first.month}/{first.year} đến {last.day}/{last.month}/{last.year}"
    assert preview.get_json()["stay"]["period_text"] == period
    assert db.session.query(GuestStay).count() == 0  # a preview stores nothing
    one_day = {"first_day": first.isoformat(), "last_day": first.isoformat()}
    single = client.post(f"{base}/preview", json=one_day, headers=service_auth).get_json()
    assert single["stay"]["period_text"] == f"ngày {first.day}/{first.month}/{first.year}"
    too_long = {
        "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=40)).isoformat(),
    }
    refused = client.post(f"{base}/preview", json=too_long, headers=service_auth)
    assert refused.status_code == 422 and "tối đa 31 ngày" in refused.get_json()["message"]
    stored = client.post(base, json=body, headers=service_auth)
    assert stored.status_code == 201
    assert {k: stored.get_json()["stay"][k] for k in ("first_day", "last_day", "period_text")} == {
        **body,
        "period_text": period,
    }
    assert client.post(base, json=body).status_code == 401  # the service token only


def alert(household, *, began: int, ended: int | None) -> AnomalyEpisode:
    """A usage alert of `household` that began `began` days ago (open when `ended` is None)."""
    today = local_today()
    episode = AnomalyEpisode(
        household_id=household.id,
        start_day=today - timedelta(days=began),
        last_day=today - timedelta(days=ended or 0),
        is_open=ended is None,
        expected_kwh=30.0,
        actual_kwh=45.0,
        weather_kwh=0.0,
        excess_days=began,
        explanation="Tuần qua nhà bạn dùng cao hơn mức dự kiến khoảng 50%.",
    )
    db.session.add(episode)
    db.session.commit()
    return episode


@pytest.mark.parametrize("channel", ["app", "chat"])
def test_a_stay_answering_a_recent_alert_may_begin_on_its_first_day(
    client, household, service_auth, channel
):
    """Told 12 days after the guests came, a stay is refused, unless a usage alert of the
    household began then: the stay answers it ("chỉ là nhà có khách")."""
    today = local_today()
    body = {
        "first_day": (today - timedelta(days=12)).isoformat(),
        "last_day": today.isoformat(),
    }
    base = f"/api/v1/service/households/{household.id}/guest-stays"

    def post(path_suffix: str = ""):
        if channel == "app":
            return client.post(URL, json=body, headers=bearer(household))
        return client.post(base + path_suffix, json=body, headers=service_auth)

    refused = post()
    assert refused.status_code == 422 and refused.get_json()["field"] == "first_day"
    alert(household, began=12, ended=None)
    if channel == "chat":
        assert post("/preview").status_code == 200
    assert post().status_code == 201
    assert listed(client, household) == [(body["first_day"], body["last_day"])]
    body["first_day"] = (today - timedelta(days=13)).isoformat()  # before the alert: refused
    before = post()
    assert before.status_code == 422 and before.get_json()["message"] == (
        "Ngày khách tới sớm hơn ngày bắt đầu cảnh báo dùng điện gần đây "
        f"({date_vi(today - timedelta(days=12))}): chỉ báo được đợt khách tới từ ngày đó trở đi."
    )


def test_the_bot_lists_and_withdraws_only_the_households_own_stays(
    client, household, other_household, service_auth
):
    """What actions/guests.py reads to withdraw a stay the guests of which did not come."""
    base = f"/api/v1/service/households/{household.id}/guest-stays"
    first, last = local_today() + timedelta(days=2), local_today() + timedelta(days=4)
    stay = announce(client, household, first, last).get_json()
    theirs = announce(client, other_household, first, last).get_json()
    listed_for_bot = client.get(base, headers=service_auth).get_json()["stays"]
    assert [s["id"] for s in listed_for_bot] == [stay["id"]]
    assert listed_for_bot[0]["period_text"] == stay["period_text"]
    wrong = client.delete(f"{base}/{theirs['id']}", headers=service_auth)
    assert wrong.status_code == 404 and wrong.get_json()["field"] == "stay_id"
    assert client.delete(f"{base}/{2**40}", headers=service_auth).status_code == 404
    assert client.delete(f"{base}/{stay['id']}").status_code == 401  # the service token only
    gone = client.delete(f"{base}/{stay['id']}", headers=service_auth)
    assert gone.status_code == 200 and gone.get_json()["stay"]["id"] == stay["id"]
    assert listed(client, household) == [] and len(listed(client, other_household)) == 1
