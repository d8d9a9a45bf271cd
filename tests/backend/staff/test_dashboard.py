"""Dashboard figures over a window of days."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from backend.clock import ZONE, frozen, local_today, to_utc, utc_now
from backend.extensions import db
from backend.models import Notification
from backend.services.staff_dashboard import dashboard
from backend.services.staff_demo import add_conversation, user
from tests.backend.staff.conftest import conversation, sign_in


def test_figures(app, conversations, household):
    conversation("old", [user("chào", "greet", 0.2)], hours_ago=24 * 40)  # outside 30 days
    for kind, status in (("usage_alert", "sent"), ("outage", "sent"), ("weekly_tip", "failed")):
        db.session.add(
            Notification(
                household_id=household.id,
                kind=kind,
                dedupe_key=kind,
                title="t",
                body="b",
                status=status,
                sent_at=utc_now() if status == "sent" else None,
            )
        )
    db.session.commit()
    d = dashboard(db.session(), today=local_today(), days=30)
    assert d.conversations == 4
    assert (d.fallback_rate, d.handoff_rate) == (0.25, 0.25)
    assert abs(d.mean_confidence - (0.97 + 0.41 + 0.3 + 0.9) / 4) < 1e-9
    assert dict(d.top_intents) == {
        "calculate_bill": 1,
        "ask_tariff": 1,
        "nlu_fallback": 1,
        "request_human": 1,
    }
    assert d.notices_sent == {"usage_alert": 1, "outage": 1}
    assert len(d.per_day) == 30 and sum(n for _, n in d.per_day) == 4
    assert d.waiting == 1


def test_corrected_intents_count_as_corrected(app, conversations, agent):
    from backend.models import ChatMessage

    message = db.session.scalars(
        db.select(ChatMessage).where(ChatMessage.sender_id == "web-unsure")
    ).one()
    agent.post(
        "/staff/conversations/web-unsure/correct",
        data={"message_id": message.id, "intent": "ask_solar"},
    )
    d = dashboard(db.session(), today=local_today(), days=30)
    assert "ask_tariff" not in dict(d.top_intents) and dict(d.top_intents)["ask_solar"] == 1


def test_dashboard_page(agent, conversations):
    page = agent.get("/staff/dashboard?days=7").get_data(as_text=True)
    assert "Tổng quan" in page and 'id="total">4<' in page
    assert "25,0 %" in page and "Ý định thường gặp" in page
    assert page.count('class="bar"') == 7


def test_empty_dashboard(agent):
    page = agent.get("/staff/dashboard").get_data(as_text=True)
    assert 'id="total">0<' in page and 'id="fallback-rate">—<' in page


def test_days_are_vietnamese_days(app):
    from backend.services.staff_demo import add_conversation

    # 20:00 UTC on 9 March is 03:00 on 10 March in Vietnam
    add_conversation(
        db.session(), "late", [user("chào", "greet", 0.9)], datetime(2026, 3, 9, 20, 0)
    )
    add_conversation(
        db.session(), "early", [user("chào", "greet", 0.9)], datetime(2026, 3, 9, 16, 59)
    )
    d = dashboard(db.session(), today=date(2026, 3, 10), days=2)
    assert d.per_day == [(date(2026, 3, 9), 1), (date(2026, 3, 10), 1)]


@pytest.mark.parametrize(
    ("moment", "started"),
    [
        (datetime(2027, 3, 1, 0, 30, tzinfo=ZONE), datetime(2027, 3, 1, 0, 10)),
        (datetime(2027, 2, 28, 23, 30, tzinfo=ZONE), datetime(2027, 2, 28, 0, 10)),
    ],
    ids=["00:30", "23:30"],
)
def test_the_dashboard_page_counts_vietnams_today(client, staff, moment, started):
    """At 00:30 in Việt Nam (17:30 UTC the day before) a conversation of ten past midnight is
    today's; at 23:30 one of ten past midnight is still today's."""
    add_conversation(db.session(), "night", [user("chào", "greet", 0.9)], to_utc(started))
    with frozen(moment):
        assert sign_in(client, "an").status_code == 302
        page = client.get("/staff/dashboard?days=7").get_data(as_text=True)
        listed = client.get("/staff/conversations").get_data(as_text=True)
    today = f"{moment:%d/%m/%Y}"
    assert f"– {today}</h1>" in page and 'id="total">1<' in page
    assert f"{today}: 1 hội thoại" in page
    assert f"{started:%d/%m/%Y %H:%M}" in listed  # staff read Việt Nam time
