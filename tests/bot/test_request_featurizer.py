"""The request-clause featurizer (bot/components/request_featurizer.py): what DIET sees."""

import pytest
from components.request_featurizer import RequestClauseFeaturizer
from components.text import strip_diacritics
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

QUESTION = "ad tính giùm tiền điện tháng này hết bao nhiêu"
STORIES = [
    "năm nay nóng dữ lắm, nhà tui mở quạt suốt ngày đêm, ",
    "vợ tôi mới sinh em bé được hai tháng, mấy hôm nay nóng quá, ",
    "tui chạy xe ôm, tối mới về, má tui lớn tuổi rồi, ",
]


@pytest.fixture
def featurizer():
    return RequestClauseFeaturizer(RequestClauseFeaturizer.get_default_config(), "request")


def sentence_columns(featurizer, text):
    message = Message({TEXT: text})
    featurizer.process([message])
    sequence, sentence = message.get_sparse_features(TEXT)
    assert sequence is None  # tokens (and so entities) are left to the other featurizers
    assert sentence.features.shape == (1, featurizer.dimensions)
    return set(sentence.features.tocoo().col)


@pytest.mark.parametrize("story", STORIES)
def test_a_story_before_the_question_adds_no_feature(featurizer, story):
    assert sentence_columns(featurizer, story + QUESTION) == sentence_columns(featurizer, QUESTION)


@pytest.mark.parametrize("story", STORIES)
def test_without_diacritics_the_features_are_the_same(featurizer, story):
    message = story + QUESTION
    assert sentence_columns(featurizer, strip_diacritics(message)) == sentence_columns(
        featurizer, message
    )


def test_a_short_message_is_featurized_whole(featurizer):
    whole = sentence_columns(featurizer, "giá điện bậc 3")
    assert len(whole) == 4 + 3  # four words, three word pairs (hashed columns)
    assert sentence_columns(featurizer, "giá điện bậc 4") != whole


def test_training_data_gets_the_same_features_as_a_parsed_message(featurizer):
    text = STORIES[0] + QUESTION
    example = Message({TEXT: text, "intent": "calculate_bill"})
    featurizer.process_training_data(TrainingData([example]))
    _, trained = example.get_sparse_features(TEXT)
    assert set(trained.features.tocoo().col) == sentence_columns(featurizer, text)


def test_a_message_without_text_gets_no_features(featurizer):
    message = Message({"intent": "greet"})
    featurizer.process([message])
    assert message.get_sparse_features(TEXT) == (None, None)
