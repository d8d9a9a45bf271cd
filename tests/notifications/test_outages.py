from __future__ import annotations

import json
from datetime import datetime, timedelta

from backend.extensions import db
from backend.models import Notification
from tests.conftest import make_household

NOW = datetime(2026, 11, 24, 10, 0)


def feed(tmp_path, items) -> str:
    path = tmp_path / "outages.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return str(path)


def item(**changes):
    base = {
        "province_code": 1,
        "area_name": "Phường Hoàn Kiếm",
        "start": (NOW + timedelta(days=2)).isoformat(),
        "end": (NOW + timedelta(days=2, hours=4)).isoformat(),
        "reason": "Bảo dưỡng lưới điện",
    }
    return {**base, **changes}


def notices():
    return db.session.query(Notification).filter_by(kind="outage").order_by(Notification.id).all()


def test_each_household_of_the_area_gets_one_notice_per_version(app, tmp_path, monkeypatch):
    import notifications.outages as outages

    make_household("in-area", province_code=1)
    make_household("elsewhere", province_code=79)
    opted_out = make_household("opted-out", province_code=1)
    opted_out.notify_outages = False
    db.session.commit()
    runner = app.test_cli_runner()
    assert "1 created" in runner.invoke(args=["outages-import", feed(tmp_path, [item()])]).output
    assert outages.enqueue_outage_notices(db.session, NOW) == 1
    assert outages.enqueue_outage_notices(db.session, NOW) == 0  # never twice for one version
    first = notices()
    assert [n.household_id for n in first] == ["in-area"] and first[0].title == "Lịch cắt điện"
    assert "Bảo dưỡng lưới điện" in first[0].body and first[0].data["urgent"] is False
    moved = item(
        id=1,
        start=(NOW + timedelta(hours=6)).isoformat(),
        end=(NOW + timedelta(hours=9)).isoformat(),
    )
    assert "1 changed" in runner.invoke(args=["outages-import", feed(tmp_path, [moved])]).output
    assert outages.enqueue_outage_notices(db.session, NOW) == 1
    changed = notices()[-1]
    assert (
        changed.title == "Thay đổi lịch cắt điện" and changed.data["urgent"] is True
    )  # within 12 h
    assert (
        "0 created, 0 changed"
        in runner.invoke(args=["outages-import", feed(tmp_path, [moved])]).output
    )
    cancelled = {**moved, "cancelled": True}
    runner.invoke(args=["outages-import", feed(tmp_path, [cancelled])])
    outages.enqueue_outage_notices(db.session, NOW)
    assert notices()[-1].title == "Hủy lịch cắt điện"
    assert [n.dedupe_key for n in notices()] == [
        "outage:1:in-area:v1",
        "outage:1:in-area:v2",
        "outage:1:in-area:v3",
    ]


def test_a_bad_feed_imports_nothing(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["outages-import", feed(tmp_path, [item(), item(province_code=2)])]
    )
    assert result.exit_code != 0 and "unknown province" in result.output
    from backend.models import Outage

    assert db.session.query(Outage).count() == 0
