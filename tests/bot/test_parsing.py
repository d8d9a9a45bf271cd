import pytest
from actions.parsing import parse_money, parse_whole_number
from components.text import normalise_text, strip_diacritics


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("500k", 500_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("nửa triệu", 500_000),
        ("nua tr", 500_000),
        ("1tr2", 1_200_000),
        ("1 triệu rưỡi", 1_500_000),
        ("1 trieu ruoi", 1_500_000),
        ("2 củ", 2_000_000),
        ("1.5 triệu", 1_500_000),
        ("có 1 triệu thôi", 1_000_000),
        ("1.200.000 đ", 1_200_000),
        ("750000", 750_000),
        ("không biết", None),
        ("500", None),
    ],
)
def test_parse_money(text, amount):
    assert parse_money(text) == amount


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("350", 350),
        ("350 số", 350),
        ("xài 1000 ký", 1000),
        ("12.345", 12345),
        (350.0, 350),
        ("-5", None),
        ("3,5", None),
        ("abc", None),
        (None, None),
    ],
)
def test_parse_whole_number(text, value):
    assert parse_whole_number(text) == value


def test_normalised_forms_meet():
    assert strip_diacritics("Tiền điện tháng này") == "Tien dien thang nay"
    assert normalise_text("tiền điện bao nhiêu") == normalise_text("tien dien bn")
    assert normalise_text("ko dc j z") == "khong duoc gi vay"
    decomposed = "tie\u0302\u0300n đie\u0323\u0302n"
    assert normalise_text(decomposed) == "tien dien"
