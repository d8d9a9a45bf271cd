"""Vietnamese numbers: a round trip through num2words' spelling, and the informal forms."""

from __future__ import annotations

import pytest
from actions.parsing import Quantity, find_quantities, parse_money, parse_quantity
from components.text import strip_diacritics
from hypothesis import example, given, settings
from hypothesis import strategies as st
from num2words import num2words


def read_one(text: str) -> Quantity:
    found = find_quantities(text)
    assert len(found) == 1, (text, found)
    return found[0]


@pytest.mark.parametrize("start", range(1, 20_001, 2_000))
def test_every_number_up_to_twenty_thousand_reads_back(start):
    for n in range(start, start + 2_000):
        words = num2words(n, lang="vi")
        assert read_one(f"{words} số").value == n, words
        assert read_one(f"{strip_diacritics(words)} so").value == n, words


@settings(max_examples=2_000, deadline=None)
@given(st.integers(min_value=1, max_value=999_999_999_999))
@example(1_000_005)
@example(2_000_000_001)
@example(105_000)
def test_large_numbers_read_back_with_and_without_accents(n):
    words = num2words(n, lang="vi")
    assert read_one(f"dùng {words} số").value == n
    assert read_one(f"dung {strip_diacritics(words)} so").value == n


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from([".", ",", " "]))
def test_digits_with_any_thousands_separator(n, sep):
    written = f"{n:,}".replace(",", sep)
    assert read_one(f"{written} đ").value == n


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from(["số", "chữ", "kí", "ký", "kWh", "kwh", "độ", "so", "ky", "ki"]),
)
def test_kwh_units(n, unit):
    quantity = read_one(f"tháng này nhà mình {n} {unit}")
    assert (quantity.value, quantity.unit) == (n, "kwh")


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from([("k", 1000), ("nghìn", 1000), ("ngàn", 1000), ("triệu", 10**6)]),
)
def test_money_scales(n, scale):
    word, factor = scale
    quantity = read_one(f"ngân sách {n} {word}")
    assert (quantity.value, quantity.unit or quantity.hint) == (n * factor, "money")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("tầm ba trăm rưỡi số", 350, "kwh"),
        ("ba trăm lẻ bảy số", 307, "kwh"),
        ("ba trăm linh bảy số", 307, "kwh"),
        ("một nghìn rưỡi số", 1500, "kwh"),
        ("2 nghìn 1 số", 2100, "kwh"),
        ("chín mươi số", 90, "kwh"),
        ("hai mươi mốt số", 21, "kwh"),
        ("hai mốt số", 21, "kwh"),
        ("ba tư số", 34, "kwh"),
        ("hai lăm số", 25, "kwh"),
        ("năm nhăm số", 55, "kwh"),
        ("một trăm mốt số", 110, "kwh"),
        ("ba trăm năm số", 350, "kwh"),
        ("hai chục số", 20, "kwh"),
        ("nhà dùng 1 nghìn số thì hết bao nhiêu", 1000, "kwh"),
        ("khoảng 4 trăm số", 400, "kwh"),
        ("ba tram ruoi so", 350, "kwh"),
        ("tam tram so", 800, "kwh"),
        ("1 500 kWh", 1500, "kwh"),
        ("500k", 500_000, "money"),
        ("500 nghìn", 500_000, "money"),
        ("nửa triệu", 500_000, "money"),
        ("nua tr", 500_000, "money"),
        ("1tr2", 1_200_000, "money"),
        ("1tr25", 1_250_000, "money"),
        ("1 triệu rưỡi", 1_500_000, "money"),
        ("1 triệu 200", 1_200_000, "money"),
        ("2 củ", 2_000_000, "money"),
        ("3m", 3_000_000, "money"),
        ("2k5", 2_500, "money"),
        ("1,5 triệu", 1_500_000, "money"),
        ("1.200.000 đ", 1_200_000, "money"),
        ("750.000 vnđ", 750_000, "money"),
        ("hai tỷ", 2_000_000_000, "money"),
        ("một trăm hai mươi nghìn đồng", 120_000, "money"),
        ("420", 420, None),
    ],
)
def test_informal_forms(text, value, unit):
    quantity = read_one(text)
    assert (quantity.value, quantity.unit or quantity.hint) == (value, unit)


def test_thousands_are_money_unless_a_unit_says_kwh():
    # "k", "triệu", "củ" are money wherever they stand; a number that ends with "nghìn" is
    # money by default (hint), so "một nghìn" given after "bao nhiêu số?" can still be kWh
    assert read_one("500k") == Quantity(500_000, "money")
    assert read_one("500 nghìn") == Quantity(500_000, None, hint="money")
    assert read_one("một nghìn hai trăm") == Quantity(1200, None)
    assert read_one("1 nghìn số") == Quantity(1000, "kwh")


@pytest.mark.parametrize(
    ("text", "approximate", "value_range"),
    [
        ("tầm 300 số", True, None),
        ("khoảng ba trăm số", True, None),
        ("hơn 400 ký", True, None),
        ("gần 500 số", True, None),
        ("ba trăm mấy số", True, None),
        ("300-350 số", False, (300, 350)),
        ("từ 300 đến 350 số", False, (300, 350)),
        ("tầm 300 - 350 kWh", True, (300, 350)),
        ("hai ba trăm số", False, (200, 300)),
        ("300-350k", False, (300_000, 350_000)),
        ("1-2 triệu", False, (1_000_000, 2_000_000)),
        ("350 số", False, None),
    ],
)
def test_ranges_and_approximations(text, approximate, value_range):
    quantity = read_one(text)
    assert quantity.approximate is approximate
    assert quantity.range == value_range


@pytest.mark.parametrize(
    "text",
    [
        "hai hộ dùng chung một công tơ, tháng này 420 số",
        "tháng 11 nhà em dùng 420 số",
        "năm nay nhà 4 người dùng 420 số",
        "chỉ số 12345, kỳ này 420 số",
    ],
)
def test_counts_dates_and_indexes_are_not_figures(text):
    assert find_quantities(text) == [Quantity(420, "kwh", hint=find_quantities(text)[0].hint)]


def test_the_figure_of_the_preferred_unit_is_chosen():
    text = "dùng 300 số mà hết 900 nghìn"
    assert parse_quantity(text, prefer="kwh") == Quantity(300, "kwh", hint="kwh")
    assert parse_quantity(text, prefer="money").value == 900_000
    assert parse_money("dùng 1 nghìn số") is None  # kWh, not a budget of 1.000 đ


def test_accents_keep_words_apart():
    # "tầm" (about) is not "tám" (eight)
    assert read_one("tầm ba trăm số").value == 300
    assert read_one("tám trăm số").value == 800
    assert find_quantities("không biết") == []
    assert find_quantities("ba ơi") == []
