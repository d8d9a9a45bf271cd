"""The request clause of a long message (bot/components/clauses.py)."""

import pytest
from components.clauses import clauses, request_clause
from components.text import strip_diacritics

STORY_THEN_QUESTION = [
    (
        "năm nay nóng dữ lắm, nhà tui mở quạt suốt ngày đêm, tháng này xài 380 chữ, "
        "ad tính coi hết nhiêu tiền",
        "ad tính coi hết nhiêu tiền",
    ),
    (
        "cuối tuần này nhà tôi có giỗ ông, mời mấy chục người, sợ nhất là mất điện, "
        "em xem giúp khu tôi mấy hôm tới có lịch cắt điện không",
        "em xem giúp khu tôi mấy hôm tới có lịch cắt điện không",
    ),
    (
        "tôi già rồi, điện thoại cứ ting ting suốt, đọc cũng không hiểu hết, "
        "thôi đừng gửi thông báo cho tôi nữa",
        "thôi đừng gửi thông báo cho tôi nữa",
    ),
    # a connective opens the request; the short request takes its topic clause along
    (
        "em là sinh viên năm hai, thuê phòng ở gần trường, chủ trọ tính 4.500 một số điện "
        "vậy có đúng không",
        "chủ trọ tính 4.500 một số điện vậy có đúng không",
    ),
    # "cho hỏi" announces the request, even after a story full of question words
    (
        "nắng gì đâu mà nắng quá trời, vợ chồng tui bán quán ăn sáng, "
        "giờ cho hỏi mẹo tiết kiệm điện đi ad",
        "cho hỏi mẹo tiết kiệm điện đi ad",
    ),
    # chatter after the question is not the request
    (
        "mấy hôm nay mưa suốt, nhà bị dột, cho em hỏi giờ cao điểm là mấy giờ, "
        "trả lời giúp em với nhé",
        "cho em hỏi giờ cao điểm là mấy giờ",
    ),
]


@pytest.mark.parametrize(("message", "expected"), STORY_THEN_QUESTION)
def test_the_request_is_the_question_without_the_story(message, expected):
    assert request_clause(message) == expected


@pytest.mark.parametrize(("message", "expected"), STORY_THEN_QUESTION)
def test_the_same_clause_is_chosen_without_diacritics(message, expected):
    assert request_clause(strip_diacritics(message)) == strip_diacritics(expected)


def test_shorthand_reads_as_the_full_words():
    message = "nha e co 4 ng, 2 vo chong vs 2 dua nho, ad tinh gium tien dien thang nay bn z"
    assert request_clause(message) == "ad tinh gium tien dien thang nay bn z"


@pytest.mark.parametrize(
    "message",
    [
        "giá điện bậc 3 bao nhiêu",
        "500 nghìn thì dùng được bao nhiêu số điện",  # short: "thì" does not cut it
        "tháng này xài 350 chữ thì đóng nhiêu tiền dzậy ad",
    ],
)
def test_a_short_message_is_its_own_request(message):
    assert request_clause(message) == message


def test_without_any_cue_the_last_clause_is_the_request():
    message = "đang nấu cơm dở, hàng xóm bên cạnh cũng tối om, cả xóm mất điện hơn một tiếng"
    assert request_clause(message) == "cả xóm mất điện hơn một tiếng"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # decimal and thousands separators are not clause boundaries
        (
            "chủ thu 3,5 nghìn một số, tháng này 1.200 số",
            ["chủ thu 3,5 nghìn một số", "tháng này 1.200 số"],
        ),
        # a connective with nothing after it stays with its clause
        ("tôi không hiểu sao lại tăng như vậy", ["tôi không hiểu sao lại tăng như vậy"]),
        ("sao tăng dữ vậy ad", ["sao tăng dữ vậy ad"]),
        # a connective followed by a clause cuts, with or without diacritics
        ("lương không cao nên muốn dùng ít", ["lương không cao", "nên muốn dùng ít"]),
        ("luong khong cao nen muon dung it", ["luong khong cao", "nen muon dung it"]),
        # "?" ends its clause and stays with it
        ("giá bậc 1 bao nhiêu? cảm ơn", ["giá bậc 1 bao nhiêu?", "cảm ơn"]),
    ],
)
def test_clause_boundaries(message, expected):
    assert clauses(message) == expected
