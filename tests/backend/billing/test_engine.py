from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from backend.billing import Renters, estimate_bill, kwh_for_budget
from backend.services.errors import InvalidInput


def test_evn_hanoi_2019_price_change_check():
    """EVN Hà Nội: 520 kWh 13/3–12/4/2019 across the 20/3/2019 change."""
    bill = estimate_bill(520, period_start=date(2019, 3, 13), period_end=date(2019, 4, 12))
    old, new = bill.segments
    assert (old.tariff, old.start, old.end, old.kwh) == (
        "4495/QĐ-BCT",
        date(2019, 3, 13),
        date(2019, 3, 19),
        117,
    )
    assert [line.kwh for line in old.tiers[:5]] == [11, 11, 23, 23, 23]
    assert old.amount == 261_564
    assert (new.tariff, new.kwh) == ("648/QĐ-BCT", 403)
    assert [line.kwh for line in new.tiers[:5]] == [39, 39, 77, 77, 77]
    assert new.amount == 976_774
    assert (bill.subtotal, bill.vat, bill.total) == (1_238_338, 123_834, 1_362_172)
    assert bill.vat_rate == Fraction(1, 10)


@pytest.mark.parametrize(
    ("kwh", "start", "end", "subtotal", "vat", "total"),
    [
        (134, date(2025, 6, 1), date(2025, 6, 30), 282_620, 22_610, 305_230),
        (165, date(2025, 12, 1), date(2025, 12, 31), 356_400, 28_512, 384_912),
    ],
)
def test_published_monthly_checks(kwh, start, end, subtotal, vat, total):
    bill = estimate_bill(kwh, period_start=start, period_end=end)
    assert (bill.subtotal, bill.vat, bill.total) == (subtotal, vat, total)


def test_without_period_uses_todays_tariff_unscaled():
    bill = estimate_bill(165, today=date(2025, 12, 15))
    assert bill.total == 384_912
    assert bill.segments[0].start == bill.segments[0].end == date(2025, 12, 15)


def test_long_period_scales_tiers_evn_hanoi_57_days():
    """4/1–29/2/2024: tiers 1–2 of 92 kWh and 3–5 of 184 kWh."""
    bill = estimate_bill(1000, period_start=date(2024, 1, 4), period_end=date(2024, 2, 29))
    assert [line.kwh for line in bill.segments[0].tiers] == [92, 92, 184, 184, 184, 264]


def test_regular_period_across_months_has_ratio_one():
    bill = estimate_bill(300, period_start=date(2026, 4, 15), period_end=date(2026, 5, 14))
    assert [line.kwh for line in bill.segments[0].tiers] == [50, 50, 100, 100, 0, 0]


def test_shared_meter_multiplies_tiers():
    bill = estimate_bill(200, households=2, today=date(2026, 1, 1))
    assert [line.kwh for line in bill.segments[0].tiers] == [100, 100, 0, 0, 0, 0]


@pytest.mark.parametrize(("people", "first_tier"), [(2, 25), (4, 50), (6, 75)])
def test_registered_renters_count_four_people_per_household(people, first_tier):
    bill = estimate_bill(400, renters=Renters(people, True), today=date(2026, 1, 1))
    assert bill.segments[0].tiers[0].kwh == first_tier


def test_unregistered_renters_pay_tier_three_for_everything():
    bill = estimate_bill(150, renters=Renters(5, False), today=date(2026, 1, 1))
    (line,) = bill.segments[0].tiers
    assert (line.tier, line.kwh, line.price, line.amount) == (3, 150, 2380, 357_000)


def test_prepaid_is_flat_and_needs_a_prepaid_price():
    bill = estimate_bill(100, meter="prepaid", today=date(2026, 1, 1))
    assert bill.subtotal == 290_900
    with pytest.raises(InvalidInput) as error:
        estimate_bill(100, meter="prepaid", today=date(2024, 1, 1))
    assert error.value.field == "meter"


@pytest.mark.parametrize(
    ("end", "rate"),
    [
        (date(2022, 6, 30), Fraction(8, 100)),
        (date(2023, 3, 31), Fraction(10, 100)),
        (date(2026, 12, 31), Fraction(8, 100)),
        (date(2027, 1, 31), Fraction(10, 100)),
    ],
)
def test_vat_follows_the_period_end(end, rate):
    bill = estimate_bill(100, period_start=end.replace(day=1), period_end=end)
    assert bill.vat_rate == rate


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kwh": -1}, "kwh"),
        ({"kwh": 2**53}, "kwh"),
        ({"kwh": 1, "meter": "smart"}, "meter"),
        ({"kwh": 1, "households": 0}, "households"),
        (
            {"kwh": 1, "period_start": date(2026, 2, 1), "period_end": date(2026, 1, 1)},
            "period_end",
        ),
        (
            {"kwh": 1, "period_start": date(2026, 1, 1), "period_end": date(2026, 4, 30)},
            "period_end",
        ),
        ({"kwh": 1, "period_start": date(2026, 1, 1)}, "period_end"),
    ],
)
def test_invalid_input_names_the_field(kwargs, field):
    kwh = kwargs.pop("kwh")
    with pytest.raises(InvalidInput) as error:
        estimate_bill(kwh, **kwargs)
    assert error.value.field == field


def test_kwh_for_budget_examples():
    today = date(2026, 1, 1)
    kwh, total = kwh_for_budget(384_912, today=today)
    assert (kwh, total) == (165, 384_912)
    assert kwh_for_budget(0, today=today) == (0, 0)


def test_tier_sizes_round_half_up_each_on_its_own():
    """7 days of a 28-day February: 50 × 7 ÷ 28 = 12.5 → 13 (half up), 100 × 7 ÷ 28 = 25."""
    bill = estimate_bill(200, period_start=date(2026, 2, 1), period_end=date(2026, 2, 7))
    assert [line.kwh for line in bill.segments[0].tiers] == [13, 13, 25, 25, 25, 99]


def test_proration_rounds_half_up():
    """1 kWh over 9–10/5/2025 across the 10/5 change: 1 × 1 ÷ 2 = 0.5 → the old price gets 1."""
    bill = estimate_bill(1, period_start=date(2025, 5, 9), period_end=date(2025, 5, 10))
    assert [(s.tariff, s.kwh) for s in bill.segments] == [("2699/QĐ-BCT", 1), ("1279/QĐ-BCT", 0)]


def test_tier_scale_uses_the_month_where_the_period_starts():
    """31 days from 15/1 (T = 31) keep monthly tiers; 28 days from 1/2/2026 (T = 28) too."""
    january = estimate_bill(300, period_start=date(2026, 1, 15), period_end=date(2026, 2, 14))
    february = estimate_bill(300, period_start=date(2026, 2, 1), period_end=date(2026, 2, 28))
    for bill in (january, february):
        assert [line.kwh for line in bill.segments[0].tiers] == [50, 50, 100, 100, 0, 0]


def test_registered_renters_replace_the_household_count():
    bill = estimate_bill(400, households=3, renters=Renters(8, True), today=date(2026, 1, 1))
    assert bill.segments[0].tiers[0].kwh == 100


def test_prepaid_over_a_period_is_flat_in_every_segment():
    bill = estimate_bill(
        310, meter="prepaid", period_start=date(2026, 6, 1), period_end=date(2026, 6, 30)
    )
    (segment,) = bill.segments
    assert [(line.kwh, line.price) for line in segment.tiers] == [(310, 2909)]
    assert (bill.subtotal, bill.vat) == (901_790, 72_143)  # 8 % of 901,790 = 72,143.2


def test_money_stays_far_below_2_to_the_53():
    bill = estimate_bill(10_000_000, period_start=date(2026, 1, 1), period_end=date(2026, 4, 10))
    assert bill.total < 2**53
    assert kwh_for_budget(30_000_000_000, today=date(2026, 1, 1))[1] < 2**53
    with pytest.raises(InvalidInput) as refused:  # more than 10,000,000 kWh cost: not capped
        kwh_for_budget(10**13, today=date(2026, 1, 1))
    assert refused.value.field == "amount" and "10.000.000 kWh" in refused.value.message
