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
