from __future__ import annotations

from datetime import date, datetime, timedelta

from backend.extensions import db
from backend.models import DailyReading, Notification
from notifications.weekly import enqueue_weekly_tips
from tests.conftest import make_household

MONDAY = date(2026, 6, 1)


def week_of_readings(household_id: str, kwh: float, days: int = 14) -> None:
    db.session.add_all(
        DailyReading(
            household_id=household_id,
            day=MONDAY - timedelta(days=d),
            kwh=kwh if d <= 7 else kwh * 0.9,
        )
        for d in range(1, days + 1)
    )
    db.session.commit()


def test_weekly_tip_is_personal_and_sent_once_per_week(app):
    home = make_household(
        "home", province_code=1, occupants=4, appliances={"air_conditioner": {"count": 2}}
    )
    for index in range(3):
        make_household(f"n{index}", province_code=1, occupants=4, appliances={})
        week_of_readings(f"n{index}", 12.0)
    week_of_readings(home.id, 10.0)
    assert enqueue_weekly_tips(db.session, today=MONDAY) == 4
    assert enqueue_weekly_tips(db.session, today=MONDAY) == 0  # the same ISO week: nothing new
    tip = db.session.query(Notification).filter_by(household_id="home").one()
    assert tip.dedupe_key == "weekly-tip:home:2026-W23"
    assert "Tuần qua nhà bạn dùng 70 kWh (tăng 11% so với tuần trước)" in tip.body
    assert "thấp hơn 17% so với các hộ tương tự trong tỉnh — rất tốt!" in tip.body
    assert "điều hòa" in tip.body  # June, two air conditioners: an air-conditioner tip first


def test_no_tip_repeats_within_eight_weeks(app):
    home = make_household("home", province_code=79, appliances={"air_conditioner": {"count": 1}})
    seen = []
    for week in range(8):
        day = MONDAY + timedelta(weeks=week)
        db.session.add_all(
            DailyReading(household_id="home", day=day - timedelta(days=d), kwh=9)
            for d in range(1, 8)
        )
        db.session.commit()
        enqueue_weekly_tips(db.session, today=day)
    for row in (
        db.session.query(Notification).filter_by(household_id=home.id).order_by(Notification.id)
    ):
        seen.append(row.data["tip_id"])
    tips = [t for t in seen if t]
    assert len(tips) == len(set(tips)) and len(seen) == 8


def test_opted_out_households_get_nothing(app):
    home = make_household("quiet", province_code=1)
    home.notify_weekly_tips = False
    db.session.commit()
    week_of_readings("quiet", 10.0)
    assert enqueue_weekly_tips(db.session, today=MONDAY) == 0


def test_pages_split_the_fan_out_and_a_page_run_twice_queues_nothing_twice(app):
    from notifications.weekly import enqueue_page, page_bounds

    for index in range(5):
        make_household(f"p{index}", province_code=1)
        week_of_readings(f"p{index}", 10.0)
    bounds = list(page_bounds(db.session, page=2))
    assert bounds == [("", "p1"), ("p1", "p3"), ("p3", "p4")]
    assert [enqueue_page(db.session, *b, today=MONDAY) for b in bounds] == [2, 2, 1]
    # a second worker
    assert [enqueue_page(db.session, *b, today=MONDAY) for b in bounds] == [0, 0, 0]
    assert db.session.query(Notification).count() == 5


def test_a_page_lost_with_a_killed_worker_is_filled_by_the_monday_catch_up(app):
    from notifications.tasks import weekly_tips
    from notifications.weekly import enqueue_page, page_bounds

    run = weekly_tips.s()
    monday, tuesday = datetime(2026, 11, 30), datetime(2026, 12, 1)  # UTC hours of the schedule
    assert [h for h in range(24) if run.validate_datetime(monday.replace(hour=h))] == [1, 5]
    assert not any(run.validate_datetime(tuesday.replace(hour=h)) for h in range(24))
    for index in range(5):
        make_household(f"c{index}", province_code=1)
        week_of_readings(f"c{index}", 10.0)
    bounds = list(page_bounds(db.session, page=2))
    first, _lost, last = bounds  # the middle page went with a killed worker
    queued = enqueue_page(db.session, *first, today=MONDAY)
    assert queued + enqueue_page(db.session, *last, today=MONDAY) == 3
    assert [enqueue_page(db.session, *b, today=MONDAY) for b in bounds] == [0, 2, 0]  # the catch-up
    assert db.session.query(Notification).count() == 5
