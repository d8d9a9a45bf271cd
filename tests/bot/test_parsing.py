import pytest
from actions.parsing import parse_money, parse_whole_number
from components.text import normalise_text, normalise_token, strip_diacritics


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


# Kinship words and other words whose plain form is a word the assistant must read ("bác" is not
# "bậc", the tariff tier): typed with the accent, they keep it in the features.
COLLISIONS = [
    ("bác", "bậc"),
    ("chị", "chỉ"),
    ("chú", "chủ"),
    ("cô", "có"),
    ("bà", "ba"),
    ("sợ", "số"),
    ("cát", "cắt"),
    ("diễn", "điện"),
]


@pytest.mark.parametrize(("kin", "word"), COLLISIONS)
def test_accented_words_keep_apart_from_the_word_they_would_become(kin, word):
    assert normalise_token(kin) != normalise_token(word)
    assert normalise_token(kin.upper()) == normalise_token(kin)
    # the domain word still reads the same typed with or without its accents
    assert normalise_token(word) == normalise_token(strip_diacritics(word))


def test_bac_is_the_tier_and_bac_the_person():
    assert normalise_text("Bác ơi giá bậc 3") == "bác oi gia bac 3"
    assert normalise_text("bac oi gia bac 3").split()[3] == normalise_token("bậc")
    assert "bác" not in normalise_text("giá điện bậc 4 bao nhiêu")


def test_southern_and_central_words_read_as_the_common_word():
    assert normalise_text("xài 300 chữ, cúp điện rồi") == normalise_text(
        "dùng 300 số, cắt điện rồi"
    )
    assert normalise_text("răng tháng ni tăng rứa") == normalise_text("sao tháng nay tăng vậy")
    # typed without accents these words are others: "chu" is also "chủ" (chủ trọ), "mo" "mở"
    assert normalise_token("chu") == "chu"
    assert normalise_token("mo") == "mo"
