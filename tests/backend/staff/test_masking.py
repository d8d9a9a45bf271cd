"""Personal data typed into the chat is masked for staff."""

from __future__ import annotations

import pytest

from backend.services.masking import find_personal_data, mask_name, mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("sđt của tôi là 0912 345 678 nhé", "sđt của tôi là 091*****78 nhé"),
        ("gọi 0912.345.678", "gọi 091*****78"),
        ("số +84 912 345 678", "số +84*******78"),
        ("zalo 84912345678", "zalo 849******78"),
        ("bàn 024 3825 1234", "bàn 024******34"),
        ("mã KH PE01000123456 ạ", "mã KH PE*********56 ạ"),
        ("ma kh pe01000123456", "ma kh pe*********56"),
        ("địa chỉ: 12 Lê Lợi, quận 1. Cảm ơn", "địa chỉ: [địa chỉ đã ẩn]. Cảm ơn"),
        ("số nhà 45 ngách 12 Thái Hà", "số nhà [địa chỉ đã ẩn]"),
        ("nhà tôi ở số 5 ngõ 34 phố Huế", "nhà tôi ở [địa chỉ đã ẩn]"),
        ("tôi ở hẻm 51 Nguyễn Trãi, quận 5", "tôi ở [địa chỉ đã ẩn], quận 5"),
        ("tên tôi là Nguyễn Thị Lan, ở Hà Nội", "tên tôi là [tên đã ẩn], ở Hà Nội"),
        ("tên em là Minh ạ", "tên em là [tên đã ẩn] ạ"),
        ("mình tên lan nhé", "mình tên [tên đã ẩn] nhé"),
        ("ten toi la hoa", "ten toi la [tên đã ẩn]"),
    ],
)
def test_masked(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "350 số hết bao nhiêu tiền",
        "tháng này 1tr2, 500k được mấy số",
        "chỉ số công tơ 012345",
        "mất điện cả đường dây",
        "ở thành phố Huế có cắt điện không",
        "tiền điện tháng 10 là 979.560 đ",
        "tên lửa",
    ],
)
def test_ordinary_chat_is_left_alone(text):
    assert find_personal_data(text) == []
    assert mask_text(text) == text


def test_mask_name_keeps_initials():
    assert mask_name("Nguyễn Thị Lan") == "N. T. L."
    assert mask_name(None) == ""
