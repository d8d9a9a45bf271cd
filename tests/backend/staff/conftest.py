"""Staff accounts and conversations for the console's view tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import g, request_started
from flask.testing import FlaskClient

from backend.clock import utc_now
from backend.extensions import db
from backend.models import Conversation
from backend.services.staff_demo import Said, add_conversation, bot, user
from backend.services.staff_users import create_staff

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_user_per_request(app):
    """The tests hold one app context, so `g` would outlive a request and Flask-Login's cached
    user with it; in production every request loads its user anew from its own cookie."""

    def forget(sender, **extra):
        g.pop("_login_user", None)

    request_started.connect(forget, app)
    yield
    request_started.disconnect(forget, app)


@pytest.fixture
def staff(app):
    """One account per role: agent `an`, supervisor `binh`, admin `chi`."""
    return {
        role: create_staff(db.session(), login, PASSWORD, role)
        for login, role in (("an", "agent"), ("binh", "supervisor"), ("chi", "admin"))
    }


def sign_in(client: FlaskClient, login: str, password: str = PASSWORD):
    return client.post("/staff/login", data={"login": login, "password": password})


@pytest.fixture
def agent(client, staff) -> FlaskClient:
    assert sign_in(client, "an").status_code == 302
    return client


@pytest.fixture
def supervisor(client, staff) -> FlaskClient:
    assert sign_in(client, "binh").status_code == 302
    return client


def conversation(
    sender: str,
    said: list[Said],
    hours_ago: float = 1,
    channel: str = "rest",
    household_id: str | None = None,
    status: str = "bot",
) -> Conversation:
    started: datetime = utc_now() - timedelta(hours=hours_ago)
    return add_conversation(db.session(), sender, said, started, channel, household_id, status)


@pytest.fixture
def conversations(app, household):
    """A confident one, a low-confidence one with personal data, a fallback on Zalo, a waiting one."""
    return {
        "fine": conversation(
            household.id,
            [
                user("350 số hết bao nhiêu tiền", "calculate_bill", 0.97, kwh="350"),
                bot("979.560 đ (đã gồm thuế GTGT 8%)."),
            ],
            household_id=household.id,
        ),
        "unsure": conversation(
            "web-unsure",
            [
                user(
                    "sđt tôi 0912 345 678, mã PE01000123456, lắp pin mặt trời lợi ko",
                    "ask_tariff",
                    0.41,
                )
            ],
            hours_ago=30,
        ),
        "fallback": conversation(
            "zalo-777",
            [user("mình tên Hoa ở 12 đường Lê Lợi", "nlu_fallback", 0.3)],
            hours_ago=80,
            channel="zalo",
        ),
        "waiting": conversation(
            "web-waiting",
            [user("cho gặp nhân viên", "request_human", 0.9)],
            hours_ago=2,
            status="waiting",
        ),
    }
