"""bot/nlu_source/written_sets.py: the read development sets join the training data, with the
figure, reading, code or appliance their request is about annotated as sources.py does."""

from __future__ import annotations

from pathlib import Path

import pytest
from nlu_source.sources import TOPICS
from nlu_source.written_sets import WRITTEN_DIR, annotate, read_examples, written_examples

BOT = Path(__file__).resolve().parents[2] / "bot"
AC = '{"entity": "appliance", "value": "air_conditioner"}'
WH = '{"entity": "appliance", "value": "water_heater"}'


@pytest.mark.parametrize(
    ("intent", "text", "annotated"),
    [
        ("calculate_bill", "nhà xài 350 chữ tính giùm", "nhà xài [350](kwh) chữ tính giùm"),
        ("calculate_bill", "dùng 1.200 kWh hết nhiêu", "dùng [1.200](kwh) kWh hết nhiêu"),
        ("calculate_bill", "dùng hai trăm số", "dùng hai trăm số"),  # words stay plain
        ("ask_kwh_for_budget", "1tr5 thì đc bn số", "[1tr5](money) thì đc bn số"),
        ("set_budget", "hạn mức 500k mỗi tháng", "hạn mức [500k](money) mỗi tháng"),
        ("set_budget", "đặt mức 250 số thôi", "đặt mức [250](kwh) số thôi"),
        (
            "ask_renter_price",
            "chủ thu 3 ngàn 8 một kí, tháng rồi xài 120 kí",
            "chủ thu [3 ngàn 8](money) một kí, tháng rồi xài 120 kí",
        ),
        ("ask_renter_price", "lấy 3500 một số", "lấy [3500](money) một số"),
        (
            "report_meter_reading",
            "chỉ số công tơ 05621 nè",
            "chỉ số công tơ [05621](meter_reading) nè",
        ),
        ("link_account", "liên kết mã 482913", "liên kết mã [482913](link_code)"),
        ("link_account", "mã khách hàng PD13000876543", "mã khách hàng PD13000876543"),
        ("ask_saving_tips", "máy lạnh để mấy độ", f"[máy lạnh]{AC} để mấy độ"),
        ("ask_saving_tips", "binh nong lanh bat bao lau", f"[binh nong lanh]{WH} bat bao lau"),
        # a figure of another intent's kind, and a story's appliance, stay plain
        ("ask_tariff", "nhà xài 350 số, giá bậc 3 nhiêu", "nhà xài 350 số, giá bậc 3 nhiêu"),
        ("ask_bill_spike", "mới lắp máy lạnh mà tăng vọt", "mới lắp máy lạnh mà tăng vọt"),
    ],
)
def test_annotate_marks_what_the_intent_reads(intent, text, annotated):
    assert annotate(intent, text) == annotated


def test_every_written_sentence_belongs_to_an_intent_of_the_sources():
    intents = {intent for topic in TOPICS.values() for intent in topic}
    written = written_examples()
    assert set(written) <= intents
    assert sum(len(v) for v in written.values()) == 12 * 240


def test_a_set_that_trains_is_not_also_measured():
    """A set moves from bot/tests to nlu_source/written; it cannot be in both."""
    training = {p.name for p in WRITTEN_DIR.glob("*.yml")}
    measuring = {p.name for p in (BOT / "tests").glob("nlu_*.yml")}
    assert training and not training & measuring


def test_every_written_sentence_is_in_the_generated_yaml_under_its_intent():
    generated: dict[str, set[str]] = {}
    for path in (BOT / "data" / "nlu").glob("*.yml"):
        for example in read_examples(path.read_text(encoding="utf-8")):
            generated.setdefault(example.intent, set()).add(example.text.lower())
    for path in WRITTEN_DIR.glob("*.yml"):
        for example in read_examples(path.read_text(encoding="utf-8")):
            assert example.text.lower() in generated[example.intent], example.text


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_renter_price", "chủ trọ thu 4k/số có đúng ko"),
        ("set_budget", "set hạn mức 400k/tháng"),
        ("calculate_bill", "nhà e dùng 612kwh thì bn"),
        ("link_account", "mã khách hàng PC05AA123456"),
    ],
)
def test_a_figure_inside_a_token_stays_plain(intent, text):
    """The tokenizer keeps "4k/số" whole: an annotation of "4k" would be misaligned."""
    assert annotate(intent, text) == text
