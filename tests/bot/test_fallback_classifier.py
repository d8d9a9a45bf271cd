"""The NLU fallback with long messages' own thresholds (bot/components/fallback.py)."""

import pytest
from components.clauses import MIN_WORDS, lemmas
from components.fallback import LongMessageFallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from tests.bot.classified import classified

SHORT = "tiền điện tháng này bao nhiêu"
LONG = (
    "Nhà tui ở Cần Thơ, tháng rồi mở máy lạnh suốt vì nóng quá, "
    "giờ cho tui hỏi tiền điện tháng này chắc hết bao nhiêu vậy ad"
)


@pytest.fixture
def classifier():
    return LongMessageFallbackClassifier(
        {
            **LongMessageFallbackClassifier.get_default_config(),
            "threshold": 0.45,
            "ambiguity_threshold": 0.08,
            "long_threshold": 0.35,
            "long_ambiguity_threshold": 0.04,
        }
    )


def intent_after(classifier, text, ranking):
    message = classified(text, ranking)
    classifier.process([message])
    return message.get(INTENT)["name"]


def test_the_two_messages_are_short_and_long():
    assert len(lemmas(SHORT)) < MIN_WORDS <= len(lemmas(LONG))


@pytest.mark.parametrize(
    ("ranking", "short", "long"),
    [
        # confident: both answer
        ([("ask_projected_bill", 0.90), ("calculate_bill", 0.05)], "ask_projected_bill", None),
        # between the two confidence thresholds: only the long message answers
        ([("ask_projected_bill", 0.40), ("calculate_bill", 0.20)], "nlu_fallback", None),
        # below both: both fall back
        ([("ask_projected_bill", 0.30), ("calculate_bill", 0.20)], "nlu_fallback", "nlu_fallback"),
        # the top two 0.06 apart: ambiguous for a short message only
        ([("ask_projected_bill", 0.50), ("calculate_bill", 0.44)], "nlu_fallback", None),
        # 0.02 apart: ambiguous for both
        ([("ask_projected_bill", 0.48), ("calculate_bill", 0.46)], "nlu_fallback", "nlu_fallback"),
    ],
)
def test_long_messages_fall_back_below_their_own_thresholds(classifier, ranking, short, long):
    assert intent_after(classifier, SHORT, ranking) == short
    assert intent_after(classifier, LONG, ranking) == (long or ranking[0][0])


def test_a_fallback_keeps_the_ranking_for_the_buttons(classifier):
    message = classified(SHORT, [("ask_tariff", 0.40), ("calculate_bill", 0.30)])
    classifier.process([message])
    names = [r["name"] for r in message.get(INTENT_RANKING_KEY)]
    assert names == ["nlu_fallback", "ask_tariff", "calculate_bill"]
    assert message.get(INTENT)["confidence"] == 0.45


def test_without_diacritics_a_long_message_is_still_long(classifier):
    plain = "nha tui o Can Tho, thang roi mo may lanh suot vi nong qua, gio cho tui hoi tien dien thang nay het bao nhieu"
    ranking = [("ask_projected_bill", 0.40), ("calculate_bill", 0.20)]
    assert intent_after(classifier, plain, ranking) == "ask_projected_bill"


def test_a_message_nothing_was_classified_for_falls_back(classifier):
    # what DIET gives a message without features: no name, confidence 0, no ranking
    message = Message({TEXT: "", INTENT: {"name": None, "confidence": 0.0}, INTENT_RANKING_KEY: []})
    classifier.process([message])
    assert message.get(INTENT)["name"] == "nlu_fallback"
