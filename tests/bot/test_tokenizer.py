"""The NLU tokenizer: what the featurizers configured with `use_lemma` see."""

from components.tokenizer import VietnameseTokenizer
from rasa.shared.nlu.training_data.message import Message


def test_the_tokenizer_keeps_bac_the_person_apart_from_bac_the_tier():
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message({"text": "Bác hỏi giá bậc 3"}), "text")
    assert [t.lemma for t in tokens] == ["bác", "hoi", "gia", "bac", "3"]
    assert [t.text for t in tokens] == ["Bác", "hỏi", "giá", "bậc", "3"]
    plain = tokenizer.tokenize(Message({"text": "bac hoi gia bac 3"}), "text")
    assert plain[3].lemma == tokens[3].lemma  # the tier reads the same without accents


STORY = "năm nay nóng dữ lắm, nhà tui mở quạt suốt ngày đêm, con nít nghỉ hè ở nhà hết, "
QUESTION = "tháng này xài 380 chữ, ad tính coi hết nhiêu tiền"


def lemmas_seen(tokenizer, text):
    return [t.lemma for t in tokenizer.tokenize(Message({"text": text}), "text") if t.lemma]


def test_without_story_lemmas_a_long_message_reads_as_its_request():
    tokenizer = VietnameseTokenizer(
        {**VietnameseTokenizer.get_default_config(), "story_lemmas": False}
    )
    default = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message({"text": STORY + QUESTION}), "text")
    whole = default.tokenize(Message({"text": STORY + QUESTION}), "text")
    # every token stays (entities point into the whole text); the story's have no lemma
    assert [(t.text, t.start) for t in tokens] == [(t.text, t.start) for t in whole]
    assert lemmas_seen(tokenizer, STORY + QUESTION) == lemmas_seen(tokenizer, QUESTION)
    assert "quat" not in lemmas_seen(tokenizer, STORY + QUESTION)


def test_the_request_keeps_the_clause_before_it_for_its_topic():
    tokenizer = VietnameseTokenizer(
        {**VietnameseTokenizer.get_default_config(), "story_lemmas": False}
    )
    message = (
        "em là sinh viên năm hai, thuê phòng ở gần trường, chủ trọ tính 4 nghìn một số điện, "
        "em muốn hỏi vậy có đúng quy định không"
    )
    seen = lemmas_seen(tokenizer, message)
    assert seen[:2] == ["chu", "tro"]
    assert "sinh" not in seen


def test_short_messages_and_the_default_keep_every_lemma():
    default = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    assert "quat" in lemmas_seen(default, STORY + QUESTION)
    masked = VietnameseTokenizer(
        {**VietnameseTokenizer.get_default_config(), "story_lemmas": False}
    )
    assert lemmas_seen(masked, QUESTION) == lemmas_seen(default, QUESTION)
