"""A worker killed mid-batch loses nothing: after its lease expires another pass sends every row;
only messages that were in flight at the kill can arrive twice, and they are counted."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade

from backend.app import create_app
from backend.config import TestConfig
from backend.extensions import db
from backend.models import Device, Notification
from notifications.delivery import deliver_due
from notifications.outbox import LEASE, enqueue
from tests.conftest import make_household

HERE = Path(__file__).parent
COUNT = 40


def test_worker_killed_mid_batch_then_restarted(tmp_path, fake_fcm):
    fcm_app, fake = fake_fcm
    database = f"sqlite:///{tmp_path}/outbox.db"
    app = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": database,
        }
    )
    with app.app_context():
        upgrade()
        household = make_household("crash")
        household.quiet_start = household.quiet_end  # no quiet hours in this test
        db.session.add_all(
            Device(household_id="crash", token=f"token-{i:03d}") for i in range(COUNT)
        )
        db.session.commit()
        enqueue(
            db.session, household, "usage_alert", "crash:1", "Cảnh báo", "Dùng điện cao bất thường"
        )
        for i in range(1, COUNT):  # one row per device would be odd; many rows, one device each
            db.session.add(
                Notification(
                    household_id="crash",
                    kind="usage_alert",
                    dedupe_key=f"crash:{i + 1}",
                    title="Cảnh báo",
                    body=f"#{i}",
                )
            )
        db.session.commit()
        db.session.query(Device).filter(Device.token != "token-000").delete()
        db.session.commit()

        fake.delay[0] = 0.5  # slow FCM: the worker will be inside send_each when killed
        worker = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "crash_worker.py"),
                database,
                fake.base,
                json.dumps(fake.account),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 60
        while len(fake.sent) < 5 and time.time() < deadline:
            time.sleep(0.05)
        worker.kill()
        worker.wait(10)
        time.sleep(fake.delay[0] * 3)  # requests already received finish being answered
        in_flight = len(fake.sent)
        assert 0 < in_flight < COUNT  # killed inside a batch, before the outbox was done
        db.session.expire_all()
        recorded = db.session.query(Notification).filter_by(status="sent").count()
        assert recorded < COUNT  # the kill left rows unsent

        fake.delay[0] = 0.0
        later = datetime.utcnow() + LEASE + timedelta(seconds=1)  # the dead worker's lease ran out
        for _ in range(6):  # the restarted worker's passes (a transient error is retried later)
            deliver_due(db.session, fcm_app, now=later)
            later += timedelta(hours=1)
        db.session.expire_all()
        sent = db.session.query(Notification).filter_by(status="sent").count()
        assert sent == COUNT  # nothing lost
        bodies = [m["notification"]["body"] for m in fake.sent]
        duplicates = len(bodies) - len(set(bodies))
        assert len(set(bodies)) == COUNT
        assert duplicates <= in_flight - recorded  # only unrecorded messages in flight arrive twice
        print(f"in flight at the kill: {in_flight}, duplicates: {duplicates}")
