"""FCM that hangs: the real firebase-admin client against the fake FCM of tests/notifications.
Errors (429, 503) are covered there; here the request never answers in time."""

from __future__ import annotations

from datetime import timedelta

import firebase_admin
from firebase_admin import credentials

from backend.extensions import db
from notifications.delivery import deliver_due
from tests.notifications.conftest import fake_fcm  # noqa: F401  (fixture)
from tests.notifications.test_delivery import NOON_VN, add_device, alert, home  # noqa: F401


def test_a_hanging_fcm_times_out_and_the_notification_is_sent_later(home, fake_fcm):  # noqa: F811
    _, fake = fake_fcm
    impatient = firebase_admin.initialize_app(
        credentials.Certificate(fake.account), options={"httpTimeout": 1}, name="impatient"
    )
    try:
        add_device(home, "ok-token-hanging")
        row = alert(home)
        fake.delay[0] = 3.0  # longer than the client's timeout
        assert deliver_due(db.session, impatient, now=NOON_VN).retried == 1
        db.session.refresh(row)
        assert row.status == "pending" and "Read timed out" in row.last_error
        # backoff from the pass's clock, not a hot loop
        assert row.next_attempt_at >= NOON_VN + timedelta(seconds=29)

        fake.delay[0] = 0.0
        assert deliver_due(db.session, impatient, now=NOON_VN).sent == 0  # not due yet
        assert deliver_due(db.session, impatient, now=row.next_attempt_at).sent == 1
        db.session.refresh(row)
        assert row.status == "sent" and row.attempts == 2
        assert (
            deliver_due(db.session, impatient, now=row.next_attempt_at + timedelta(hours=1)).sent
            == 0
        )
    finally:
        firebase_admin.delete_app(impatient)
