"""The household app's API: chat history from the conversation log, notices with read state,
the 60-day chart (the staff console's chart component, with the expected band), bills with their
amount as text, Retry-After on a 503 from the chat, and `/` opening demo-1."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta

from backend.clock import local_today
from backend.extensions import db
from backend.models import (
    Bill,
    ChatMessage,
    Conversation,
    DailyReading,
    Household,
    Notification,
    UsageScore,
)
from tests.conftest import bearer, make_household


def said(sender: str, role: str, text: str, key: str) -> None:
    if db.session.get(Conversation, sender) is None:
        db.session.add(Conversation(sender_id=sender, household_id=sender, tags=[]))
        db.session.flush()
    db.session.add(ChatMessage(sender_id=sender, role=role, text=text, event_key=key))
    db.session.commit()


def notify(household_id: str, kind: str, title: str, at: datetime) -> Notification:
    row = Notification(
        household_id=household_id,
        kind=kind,
        dedupe_key=f"{household_id}:{kind}:{title}",
        title=title,
        body=f"{title} — nội dung",
        created_at=at,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_chat_history_is_the_households_own_log_oldest_first(client, household, other_household):
    said(household.id, "user", "350 số hết bao nhiêu?", "e1")
    said(household.id, "bot", "Khoảng 979.560 đ.", "e2")
    said(other_household.id, "user", "tin của nhà khác", "e3")
    said(household.id, "agent", "Chào chị, em là nhân viên CSKH.", "e4")

    res = client.get("/api/v1/chat/history", headers=bearer(household))

    assert res.status_code == 200
    assert [(m["role"], m["text"]) for m in res.json["messages"]] == [
        ("user", "350 số hết bao nhiêu?"),
        ("bot", "Khoảng 979.560 đ."),
        ("agent", "Chào chị, em là nhân viên CSKH."),
    ]
    assert res.json["status"] == "bot"
    assert res.json["messages"][0]["at"].endswith("Z")


def test_chat_history_pages_back_with_before_and_limit(client, household):
    for i in range(5):
        said(household.id, "user", f"tin {i}", f"k{i}")
    newest = client.get("/api/v1/chat/history?limit=2", headers=bearer(household)).json
    assert [m["text"] for m in newest["messages"]] == ["tin 3", "tin 4"]
    older = client.get(
        f"/api/v1/chat/history?limit=2&before={newest['messages'][0]['id']}",
        headers=bearer(household),
    ).json
    assert [m["text"] for m in older["messages"]] == ["tin 1", "tin 2"]


def test_chat_history_bad_limit_is_a_422_naming_it(client, household):
    res = client.get("/api/v1/chat/history?limit=0", headers=bearer(household))
    assert res.status_code == 422
    assert "limit" in res.get_data(as_text=True)
    assert client.get("/api/v1/chat/history").status_code == 401


def test_notices_inbox_lists_newest_first_and_keeps_read_state(client, household, other_household):
    now = datetime(2026, 12, 1, 2, 0)
    tip = notify(household.id, "weekly_tip", "Mẹo tuần này", now - timedelta(days=2))
    outage = notify(household.id, "outage", "Lịch cắt điện", now - timedelta(days=1))
    notify(other_household.id, "usage_alert", "Của nhà khác", now)
    auth = bearer(household)

    inbox = client.get("/api/v1/me/notices", headers=auth).json
    assert [n["title"] for n in inbox["notices"]] == ["Lịch cắt điện", "Mẹo tuần này"]
    assert inbox["unread"] == 2
    assert inbox["notices"][0]["read"] is False

    read = client.post(f"/api/v1/me/notices/{tip.id}/read", headers=auth)
    assert read.status_code == 200 and read.json["read"] is True
    first_read_at = read.json["read_at"]
    again = client.post(f"/api/v1/me/notices/{tip.id}/read", headers=auth).json
    assert again["read_at"] == first_read_at  # idempotent: the first reading is kept

    inbox = client.get("/api/v1/me/notices", headers=auth).json
    assert inbox["unread"] == 1
    assert {n["id"]: n["read"] for n in inbox["notices"]} == {tip.id: True, outage.id: False}
    only_outages = client.get("/api/v1/me/notices?kind=outage", headers=auth).json
    assert [n["id"] for n in only_outages["notices"]] == [outage.id]

    assert client.post("/api/v1/me/notices/read", headers=auth).json == {"marked": 1}
    assert client.get("/api/v1/me/notices", headers=auth).json["unread"] == 0


def test_a_notice_of_another_household_cannot_be_read(client, household, other_household):
    theirs = notify(other_household.id, "usage_alert", "Của nhà khác", datetime(2026, 12, 1))
    res = client.post(f"/api/v1/me/notices/{theirs.id}/read", headers=bearer(household))
    assert res.status_code == 404
    assert db.session.get(Notification, theirs.id).read_at is None
    huge = client.post("/api/v1/me/notices/99999999999/read", headers=bearer(household))
    assert huge.status_code == 404
    bad_kind = client.get("/api/v1/me/notices?kind=spam", headers=bearer(household))
    assert bad_kind.status_code == 422 and "kind" in bad_kind.get_data(as_text=True)


def scored_days(household: Household, days: int, flagged: set[int]) -> None:
    today = local_today()
    for i in range(days):
        day = today - timedelta(days=days - i)
        kwh = 10.0 + (i % 5) * 0.4 + (8.0 if i in flagged else 0.0)
        db.session.add(DailyReading(household_id=household.id, day=day, kwh=kwh))
        db.session.add(
            UsageScore(
                household_id=household.id,
                day=day,
                expected_kwh=10.8,
                score=9.0 if i in flagged else 0.1,
                is_anomaly=i in flagged,
            )
        )
    db.session.commit()


def test_daily_series_has_the_expected_band_flags_and_the_shared_svg(client, household):
    scored_days(household, 60, flagged={57, 58})

    res = client.get("/api/v1/me/daily?days=60", headers=bearer(household))

    assert res.status_code == 200
    days = res.json["days"]
    assert len(days) == 60
    assert [i for i, d in enumerate(days) if d["is_anomaly"]] == [57, 58]
    for d in days:
        assert d["low_kwh"] <= d["expected_kwh"] <= d["high_kwh"]
    # the band holds the unflagged days' usual spread (10.0 … 11.6 kWh around 10.8)
    assert days[0]["low_kwh"] >= 9.9 and days[0]["high_kwh"] <= 11.7
    svg = res.json["svg"]
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'class="band"' in svg
    assert svg.count('class="bar anomaly"') == 2
    assert 'aria-label="Điện tiêu thụ hằng ngày' in svg


def test_daily_days_out_of_range_is_a_422(client, household):
    res = client.get("/api/v1/me/daily?days=1000", headers=bearer(household))
    assert res.status_code == 422 and "days" in res.get_data(as_text=True)


def test_bills_carry_their_amount_as_text(client, household):
    db.session.add(
        Bill(
            household_id=household.id,
            period_start=date(2026, 10, 16),
            period_end=date(2026, 11, 15),
            kwh=350,
            amount=979560,
        )
    )
    db.session.commit()
    bills = client.get("/api/v1/me/bills", headers=bearer(household)).json["bills"]
    assert bills[0]["amount_text"] == "979.560 đ"


def test_a_503_from_the_chat_says_when_to_retry(app, client, household, fake_server):
    down = fake_server(lambda method, path, body: (500, {"error": "boom"}))
    app.config["RASA_URL"] = down.url
    res = client.post("/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household))
    assert res.status_code == 503
    assert res.headers["Retry-After"] == str(app.config["CHAT_RETRY_AFTER"])


def test_root_opens_demo_1_not_the_alphabetically_first(app, client):
    make_household("aaa-newcomer", display_name="Nhà mới")
    make_household("demo-1", display_name="Nhà chị Lan")
    page = client.get("/").get_data(as_text=True)
    assert '<meta name="household-name" content="Nhà chị Lan">' in page
    token = re.search(r'<meta name="demo-token" content="([^"]+)"', page).group(1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["id"] == "demo-1"
    chosen = client.get("/?household=aaa-newcomer").get_data(as_text=True)
    assert 'content="Nhà mới"' in chosen
    assert client.get("/?household=nope").status_code == 404


def test_pwa_manifest_and_service_worker_are_served_from_the_project(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["start_url"] == "/" and manifest.json["display"] == "standalone"
    for icon in manifest.json["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
    # the worker runs under its own response's policy: "default-src 'none'" would stop it caching
    assert worker.headers["Content-Security-Policy"].startswith("default-src 'self'")
    page = client.get("/").get_data(as_text=True)
    assert "https://" not in page  # nothing from a CDN


def test_static_files_named_by_their_content_hash_are_cached_a_year(client):
    make_household("demo-1", display_name="Nhà chị Lan")
    page = client.get("/").get_data(as_text=True)
    script = re.search(r'src="(/static/app/app\.js\?v=[0-9a-f]{12})"', page).group(1)
    assert client.get(script).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # any other version, or none, is revalidated: a stale ?v= never pins today's file
    assert "immutable" not in client.get("/static/app/app.js?v=000000000000").headers.get(
        "Cache-Control", ""
    )
    assert "immutable" not in client.get("/static/app/app.js").headers.get("Cache-Control", "")


WEB_CONFIG = {
    "apiKey": "AIzaTest",
    "projectId": "p",
    "messagingSenderId": "1",
    "appId": "1:1:web:a",
}


def test_web_push_settings_reach_the_page_only_when_complete(app, client):
    make_household("demo-1", display_name="Nhà chị Lan")
    page = client.get("/")
    assert 'name="web-push"' not in page.get_data(as_text=True)
    assert "connect-src 'self';" in page.headers["Content-Security-Policy"]

    app.config.update(FIREBASE_WEB_CONFIG=WEB_CONFIG, FIREBASE_VAPID_KEY="")  # no VAPID key
    assert 'name="web-push"' not in client.get("/").get_data(as_text=True)

    app.config.update(FIREBASE_VAPID_KEY="BVapidPublicKey")
    page = client.get("/")
    text = page.get_data(as_text=True)
    assert 'id="push-enable"' in text
    settings = re.search(r"<meta name=\"web-push\" content='([^']+)'>", text).group(1)
    assert json.loads(html.unescape(settings)) == {
        "firebase": WEB_CONFIG,
        "vapidKey": "BVapidPublicKey",
    }
    assert (
        "connect-src 'self' https://firebaseinstallations.googleapis.com "
        "https://fcmregistrations.googleapis.com;" in page.headers["Content-Security-Policy"]
    )
