"""Properties of the engine over many inputs (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.billing import (
    PeriodUsage,
    compare_bills,
    estimate_bill,
    explain_comparison_vi,
    kwh_for_budget,
)
from backend.services.errors import InvalidInput

kwh = st.integers(min_value=0, max_value=5000)
starts = st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 12, 1))
lengths = st.integers(min_value=1, max_value=100)
households = st.sampled_from([1, 2, 3])


@st.composite
def periods(draw):
    start = draw(starts)
    return start, start + timedelta(days=draw(lengths) - 1)


@settings(max_examples=200, deadline=None)
@given(kwh, st.integers(min_value=1, max_value=300), periods(), households)
def test_total_never_decreases_when_kwh_grows(base, extra, period, shared):
    start, end = period
    low = estimate_bill(base, period_start=start, period_end=end, households=shared)
    high = estimate_bill(base + extra, period_start=start, period_end=end, households=shared)
    assert high.total >= low.total


@settings(max_examples=200, deadline=None)
@given(kwh, periods(), households)
def test_tiers_add_up_to_segments_and_segments_to_the_period(amount, period, shared):
    start, end = period
    bill = estimate_bill(amount, period_start=start, period_end=end, households=shared)
    assert sum(segment.kwh for segment in bill.segments) == amount
    for segment in bill.segments:
        assert sum(line.kwh for line in segment.tiers) == segment.kwh
        assert all(line.kwh >= 0 and line.amount == line.kwh * line.price for line in segment.tiers)
    assert bill.segments[0].start == start and bill.segments[-1].end == end
    for before, after in zip(bill.segments, bill.segments[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    assert bill.total == bill.subtotal + bill.vat


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=5_000_000))
def test_kwh_for_budget_is_the_largest_affordable(amount):
    today = date(2026, 3, 1)
    kwh_found, total = kwh_for_budget(amount, today=today)
    assert total == estimate_bill(kwh_found, today=today).total <= amount
    assert estimate_bill(kwh_found + 1, today=today).total > amount


@settings(max_examples=150, deadline=None)
@given(kwh, periods(), kwh, periods())
def test_compare_parts_add_up_to_the_difference(kwh_a, period_a, kwh_b, period_b):
    comparison = compare_bills(PeriodUsage(kwh_a, *period_a), PeriodUsage(kwh_b, *period_b))
    assert sum(part.amount for part in comparison.parts) == comparison.difference
    assert comparison.difference == comparison.current_total - comparison.previous_total


any_starts = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def any_periods(draw):
    start = draw(any_starts)
    return start, start + timedelta(days=draw(st.integers(min_value=-5, max_value=110)))


@settings(max_examples=150, deadline=None)
@given(kwh, any_periods(), kwh, any_periods())
def test_compare_either_explains_or_names_a_bad_field(kwh_a, period_a, kwh_b, period_b):
    try:
        comparison = compare_bills(PeriodUsage(kwh_a, *period_a), PeriodUsage(kwh_b, *period_b))
    except InvalidInput as error:
        assert error.field and error.field.split(".")[0] in ("previous", "current")
        assert error.message
        return
    assert sum(part.amount for part in comparison.parts) == comparison.difference
    text = explain_comparison_vi(comparison)
    assert text.endswith(".") and 1 <= text.count(". ") + 1 <= 3
