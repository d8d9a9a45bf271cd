"""Bill comparison: each cause lands in its own part, and the Vietnamese explanation."""

from __future__ import annotations

from datetime import date

import pytest

from backend.billing import HouseholdContext, PeriodUsage, compare_bills, explain_comparison_vi
from backend.services.errors import InvalidInput


def parts_of(previous: PeriodUsage, current: PeriodUsage) -> dict[str, int]:
    comparison = compare_bills(previous, current)
    parts = {part.name: part.amount for part in comparison.parts}
    assert sum(parts.values()) == comparison.difference
    return parts


def test_the_jump_from_the_issue_is_explained_with_the_top_tiers():
    comparison = compare_bills(
        PeriodUsage(300, date(2026, 5, 15), date(2026, 6, 14)),
        PeriodUsage(420, date(2026, 6, 15), date(2026, 7, 14)),
    )
    assert (comparison.previous_total, comparison.current_total) == (798_660, 1_235_196)
    text = explain_comparison_vi(comparison)
    assert text.startswith("Kỳ này nhà bạn dùng 420 kWh, nhiều hơn 40% so với kỳ trước (300 kWh)")
    assert "tiền điện tăng 55% (798.660 đ → 1.235.196 đ)" in text
    assert "vì 120 kWh cuối tính ở bậc 5–6 (3.350–3.460 đ/kWh)" in text
    assert text.count(". ") + 1 <= 3
    assert "điều hòa" not in text  # nothing known of the weather or the home: not guessed


def test_more_kwh_in_the_same_tiers_is_only_volume():
    parts = parts_of(
        PeriodUsage(20, date(2026, 5, 15), date(2026, 6, 14)),
        PeriodUsage(40, date(2026, 6, 15), date(2026, 7, 14)),
    )
    assert parts["more_kwh"] == 20 * 1984
    assert parts["higher_tiers"] == parts["period_length"] == parts["price_change"] == 0


def test_a_longer_period_at_the_same_prices_is_only_period_length_and_vat():
    parts = parts_of(
        PeriodUsage(300, date(2026, 4, 15), date(2026, 5, 14)),
        PeriodUsage(300, date(2026, 5, 15), date(2026, 6, 20)),
    )
    assert parts["period_length"] < 0  # wider tiers: fewer kWh in the dear ones
    assert parts["more_kwh"] == parts["higher_tiers"] == parts["price_change"] == 0


@pytest.mark.parametrize(
    ("previous", "current"),
    [
        # the previous period spans the 11/10/2024 change, the current one is all new prices
        ((date(2024, 9, 15), date(2024, 10, 14)), (date(2024, 10, 15), date(2024, 11, 14))),
        # the current period spans it
        ((date(2024, 9, 10), date(2024, 10, 9)), (date(2024, 10, 10), date(2024, 11, 9))),
    ],
)
def test_a_price_change_is_only_price_change_and_vat(previous, current):
    parts = parts_of(PeriodUsage(300, *previous), PeriodUsage(300, *current))
    assert parts["price_change"] > 0
    assert parts["more_kwh"] == parts["higher_tiers"] == parts["period_length"] == 0
    comparison = compare_bills(PeriodUsage(300, *previous), PeriodUsage(300, *current))
    assert "Giá điện đã điều chỉnh" in explain_comparison_vi(comparison)


def test_a_vat_change_is_only_vat():
    comparison = compare_bills(
        PeriodUsage(300, date(2022, 12, 1), date(2022, 12, 31)),
        PeriodUsage(300, date(2023, 1, 1), date(2023, 1, 31)),
    )
    assert [part.name for part in comparison.parts if part.amount] == ["vat"]
    text = explain_comparison_vi(comparison)
    assert "bằng kỳ trước" in text
    assert "Thuế GTGT đổi từ 8% sang 10%, làm tiền điện tăng 12.512 đ." in text


def test_less_use_is_a_drop_and_gives_no_heat_advice():
    comparison = compare_bills(
        PeriodUsage(400, date(2026, 6, 15), date(2026, 7, 14)),
        PeriodUsage(250, date(2026, 7, 15), date(2026, 8, 14)),
    )
    parts = {part.name: part.amount for part in comparison.parts}
    assert parts["more_kwh"] < 0 and parts["higher_tiers"] < 0
    text = explain_comparison_vi(comparison)
    assert "ít hơn 38%" in text and "giảm" in text and "điều hòa" not in text


def test_from_zero_kwh_has_no_percentages():
    comparison = compare_bills(
        PeriodUsage(0, date(2026, 5, 15), date(2026, 6, 14)),
        PeriodUsage(120, date(2026, 6, 15), date(2026, 7, 14)),
    )
    assert comparison.parts[0].amount == 120 * 1984  # the price of the first kWh
    text = explain_comparison_vi(comparison)
    assert "%" not in text.split(".")[0]
    assert "không dùng điện" in text


def test_equal_bills():
    usage = PeriodUsage(150, date(2026, 6, 1), date(2026, 6, 30))
    comparison = compare_bills(usage, usage)
    assert comparison.difference == 0
    assert explain_comparison_vi(comparison).startswith("Tiền điện kỳ này bằng kỳ trước")


@pytest.mark.parametrize(
    ("previous", "current", "field"),
    [
        (
            PeriodUsage(100, date(2016, 1, 1), date(2016, 1, 30)),
            PeriodUsage(100, date(2026, 1, 1), date(2026, 1, 30)),
            "previous.period_start",
        ),
        (
            PeriodUsage(100, date(2026, 1, 1), date(2026, 1, 30)),
            PeriodUsage(-1, date(2026, 2, 1), date(2026, 2, 28)),
            "current.kwh",
        ),
        (
            PeriodUsage(100, date(2026, 1, 30), date(2026, 1, 1)),
            PeriodUsage(100, date(2026, 2, 1), date(2026, 2, 28)),
            "previous.period_end",
        ),
    ],
)
def test_bad_periods_name_the_field(previous, current, field):
    with pytest.raises(InvalidInput) as error:
        compare_bills(previous, current)
    assert error.value.field == field


def test_a_smaller_bill_is_not_introduced_with_but():
    from datetime import date

    from backend.billing import PeriodUsage, compare_bills, explain_comparison_vi

    text = explain_comparison_vi(
        compare_bills(
            PeriodUsage(167, date(2026, 9, 16), date(2026, 10, 15)),
            PeriodUsage(138, date(2026, 10, 16), date(2026, 11, 15)),
        )
    )
    assert "ít hơn 17% so với kỳ trước (167 kWh) và tiền điện giảm" in text


JUNE = PeriodUsage(300, date(2026, 5, 15), date(2026, 6, 14))
JULY = PeriodUsage(420, date(2026, 6, 15), date(2026, 7, 14))


@pytest.mark.parametrize(
    ("context", "said"),
    [
        (
            HouseholdContext(air_conditioners=2, previous_avg_temp_c=27.0, current_avg_temp_c=30.5),
            True,
        ),
        (
            HouseholdContext(air_conditioners=0, previous_avg_temp_c=27.0, current_avg_temp_c=30.5),
            False,
        ),
        (
            HouseholdContext(air_conditioners=2, previous_avg_temp_c=18.0, current_avg_temp_c=19.0),
            False,
        ),
        (
            HouseholdContext(air_conditioners=2, previous_avg_temp_c=29.5, current_avg_temp_c=30.0),
            False,
        ),
        (HouseholdContext(air_conditioners=2), False),
        (None, False),
    ],
)
def test_the_weather_is_blamed_only_when_observed_heat_and_an_air_conditioner_support_it(
    context, said
):
    text = explain_comparison_vi(compare_bills(JUNE, JULY), context)
    assert ("điều hòa" in text) is said
    if said:
        assert "trung bình 31 °C so với 27 °C" in text  # 30.5 rounds half up


def test_a_one_kwh_rise_never_prints_zero_percent():
    comparison = compare_bills(
        PeriodUsage(400, date(2026, 5, 15), date(2026, 6, 14)),
        PeriodUsage(401, date(2026, 6, 15), date(2026, 7, 14)),
    )
    text = explain_comparison_vi(comparison)
    assert "0%" not in text
    assert "nhiều hơn 1 kWh" in text
    assert "tiền điện tăng 3.737 đ" in text


def test_a_vat_change_is_kept_among_bigger_causes():
    """A longer period, a price change and a VAT change at once: VAT is still said."""
    comparison = compare_bills(
        PeriodUsage(300, date(2022, 12, 1), date(2022, 12, 31)),
        PeriodUsage(450, date(2023, 5, 1), date(2023, 6, 20)),
    )
    names = {part.name for part in comparison.parts if part.amount}
    assert {"period_length", "price_change", "vat"} <= names
    text = explain_comparison_vi(comparison)
    assert "Thuế GTGT đổi từ 8% sang 10%" in text
    assert text.count(". ") + 1 <= 3
    assert "theo Quyết định 1062/QĐ-BCT" in text or "Quyết định" not in text
