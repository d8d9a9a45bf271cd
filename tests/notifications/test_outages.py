from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from backend.clock import to_utc
from backend.extensions import db
from backend.models import Notification
from tests.conftest import make_household

NOW = datetime(2026, 11, 24, 10, 0)  # Việt Nam time, as the feeds give outages
NOW_UTC = to_utc(NOW)


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
    assert outages.enqueue_outage_notices(db.session, now=NOW_UTC) == 1
    # never twice for one version
    assert outages.enqueue_outage_notices(db.session, now=NOW_UTC) == 0
    first = notices()
    assert [n.household_id for n in first] == ["in-area"] and first[0].title == "Lịch cắt điện"
    assert "Bảo dưỡng lưới điện" in first[0].body and first[0].data["urgent"] is False
    moved = item(
        id=1,
        start=(NOW + timedelta(hours=6)).isoformat(),
        end=(NOW + timedelta(hours=9)).isoformat(),
    )
    assert "1 changed" in runner.invoke(args=["outages-import", feed(tmp_path, [moved])]).output
    assert outages.enqueue_outage_notices(db.session, now=NOW_UTC) == 1
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
    outages.enqueue_outage_notices(db.session, now=NOW_UTC)
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


CSV_HEADER = "id,province_code,ward_code,area_name,start,end,reason,cancelled\n"


def csv_feed(tmp_path, *lines: str) -> str:
    path = tmp_path / "outages.csv"
    path.write_text(CSV_HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


def test_a_csv_feed_imports_like_json_and_bumps_versions(app, tmp_path):
    from backend.models import Outage

    runner = app.test_cli_runner()
    first = csv_feed(
        tmp_path,
        ',1,70,Phường Hoàn Kiếm,2026-11-26T08:00,2026-11-26T12:00,"Bảo dưỡng, thay cáp",',
        ",79,,TP Hồ Chí Minh,2026-11-27T13:00,2026-11-27T15:00,Sửa chữa lưới điện,false",
    )
    assert "2 created, 0 changed" in runner.invoke(args=["outages-import", first]).output
    hanoi = db.session.get(Outage, 1)
    assert (hanoi.ward_code, hanoi.reason, hanoi.version) == (70, "Bảo dưỡng, thay cáp", 1)
    assert db.session.get(Outage, 2).ward_code is None
    cancel = csv_feed(
        tmp_path,
        '1,1,70,Phường Hoàn Kiếm,2026-11-26T08:00,2026-11-26T12:00,"Bảo dưỡng, thay cáp",có',
    )
    assert "0 created, 1 changed" in runner.invoke(args=["outages-import", cancel]).output
    db.session.refresh(hanoi)
    assert hanoi.cancelled is True and hanoi.version == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (",1,,Hà Nội,26/11/2026 08:00,2026-11-26T12:00,Bảo dưỡng,", "line 3, field 'start'"),
        (",1,,Hà Nội,,2026-11-26T12:00,Bảo dưỡng,", "line 3, field 'start': missing"),
        (
            ",1,26734,Hà Nội,2026-11-26T08:00,2026-11-26T12:00,Bảo dưỡng,",
            "line 3, field 'ward_code'",
        ),
        (
            ",99,,Hà Nội,2026-11-26T08:00,2026-11-26T12:00,Bảo dưỡng,",
            "line 3, field 'province_code'",
        ),
        (",1,,Hà Nội,2026-11-26T08:00,2026-11-26T07:00,Bảo dưỡng,", "line 3, field 'end'"),
        (",1,,Hà Nội,2026-11-26T08:00,2026-11-26T12:00,Bảo dưỡng,maybe", "field 'cancelled'"),
    ],
)
def test_a_bad_csv_line_is_named_and_nothing_is_imported(app, tmp_path, line, message):
    from backend.models import Outage

    good = ",1,,Hà Nội,2026-11-26T08:00,2026-11-26T12:00,Bảo dưỡng,"
    result = app.test_cli_runner().invoke(args=["outages-import", csv_feed(tmp_path, good, line)])
    assert result.exit_code != 0 and message in result.output
    assert db.session.query(Outage).count() == 0


def test_a_csv_without_a_required_column_is_refused(app, tmp_path):
    path = tmp_path / "outages.csv"
    path.write_text("province_code,area_name,start\n1,Hà Nội,2026-11-26T08:00\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["outages-import", str(path)])
    assert result.exit_code != 0 and "missing column(s) end" in result.output


def test_a_bad_json_item_names_the_item_and_field(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["outages-import", feed(tmp_path, [item(), item(end="soon")])]
    )
    assert result.exit_code != 0 and "item 1, field 'end'" in result.output


@pytest.mark.parametrize(
    ("field", "text"),
    [("area_name", "Hà\x00Nội"), ("reason", "Bảo dưỡng \ud800")],
)
def test_text_the_database_cannot_store_names_the_field_and_imports_nothing(
    app, tmp_path, field, text
):
    from backend.models import Outage

    path = tmp_path / "outages.json"  # json.dumps escapes NUL and a lone surrogate as \u…
    path.write_text(json.dumps([item(), item(**{field: text})]), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["outages-import", str(path)])
    assert result.exit_code != 0 and f"item 1, field '{field}'" in result.output
    assert "Traceback" not in result.output
    assert db.session.query(Outage).count() == 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_feed_that_is_not_utf8_is_refused_with_a_message(app, tmp_path, fmt):
    from backend.models import Outage

    path = tmp_path / f"outages.{fmt}"
    body = CSV_HEADER + ",1,,Hà Nội,2026-11-26T08:00,2026-11-26T12:00,Bảo dưỡng,\n"
    if fmt == "json":
        body = json.dumps([item(area_name="Hà Nội")], ensure_ascii=False)
    path.write_bytes(body.encode("cp1258", errors="replace").replace(b"N", b"\xff"))
    result = app.test_cli_runner().invoke(args=["outages-import", str(path)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert db.session.query(Outage).count() == 0
