"""A yes or a no only from words people answer with (bot/components/answer_guard.py)."""

import string
from pathlib import Path

import pytest
from components.answer_guard import AnswerWordGuard, answer_vocabulary, guard, reads_as_answer
from components.clauses import lemmas
from hypothesis import assume, given
from hypothesis import strategies as st
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.bot.classified import classified

BOT = Path(__file__).resolve().parents[2] / "bot"
INTENTS = frozenset({"affirm", "deny"})
EXAMPLES = [
    ("affirm", "đúng rồi"),
    ("affirm", "ok em"),
    ("affirm", "ừ, tính giúp chị"),
    ("deny", "không phải"),
    ("deny", "thôi khỏi"),
    ("ask_tariff", "giá điện bậc 3"),
]


@pytest.fixture
def vocabulary():
    return answer_vocabulary(EXAMPLES, intents=INTENTS)


def test_the_vocabulary_is_the_answer_examples_normalised_words(vocabulary):
    assert {"dung", "roi", "dong", "y", "khong", "thoi", "khoi"} <= vocabulary
    # words of other intents are not answer words
    assert "gia" not in vocabulary and "bac" not in vocabulary


@pytest.mark.parametrize(
    "text",
    ["Đúng rồi", "dung roi", "ok", "K", "ko phải đâu", "thôi, khỏi cần", "Ừ em tính giúp chị nhé"],
)
def test_answers_typed_any_way_keep_their_reading(vocabulary, text):
    assert reads_as_answer(text, vocabulary=vocabulary)
    message = classified(text, [("affirm", 0.62), ("deny", 0.20)])
    guard(message, vocabulary=vocabulary, intents=INTENTS)
    assert message.get(INTENT) == {"name": "affirm", "confidence": 0.62}


@pytest.mark.parametrize("text", ["zxcvbn", "pppp ppp", "wxqz", "...", "", "bbbbbb nnn"])
def test_a_message_without_an_answer_word_is_no_answer(vocabulary, text):
    message = classified(text, [("deny", 0.91), ("out_of_scope", 0.05)])
    guard(message, vocabulary=vocabulary, intents=INTENTS)
    assert message.get(INTENT) == {"name": "nlu_fallback", "confidence": 0.91}
    # the ranking is kept behind the fallback, as Rasa's FallbackClassifier keeps it
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == [
        "nlu_fallback",
        "deny",
        "out_of_scope",
    ]


def test_other_intents_are_never_touched(vocabulary):
    message = classified("zxcvbn", [("greet", 0.70), ("deny", 0.20)])
    guard(message, vocabulary=vocabulary, intents=INTENTS)
    assert message.get(INTENT)["name"] == "greet"


@pytest.fixture(scope="module")
def bot_examples():
    data = load_data(str(BOT / "data" / "nlu"))
    return [(m.get(INTENT), m.get(TEXT)) for m in data.intent_examples]


@pytest.fixture(scope="module")
def bot_vocabulary(bot_examples):
    return answer_vocabulary(bot_examples, intents=INTENTS)


def test_trained_on_the_bot_data_every_answer_example_stays_an_answer(bot_examples, bot_vocabulary):
    answers = [text for intent, text in bot_examples if intent in INTENTS]
    assert len(answers) > 100
    assert all(reads_as_answer(text, vocabulary=bot_vocabulary) for text in answers)


KEYBOARD = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=3, max_size=8)
REPEATED = st.builds(
    lambda letter, n: letter * n, st.sampled_from(string.ascii_lowercase), st.integers(4, 9)
)


@given(words=st.lists(st.one_of(KEYBOARD, REPEATED), min_size=1, max_size=4))
def test_keyboard_mashes_never_read_as_an_answer(bot_vocabulary, words):
    # runs of consonants and one letter held down, unless a run is chat shorthand ("khg" = không)
    assume(lemmas(" ".join(words)) == words)
    assert not reads_as_answer(" ".join(words), vocabulary=bot_vocabulary)


def test_it_trains_persists_and_loads_back(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("answer_guard")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**AnswerWordGuard.get_default_config()}
    trained = AnswerWordGuard.create(config, storage, resource, context)
    data = TrainingData([Message({TEXT: text, INTENT: intent}) for intent, text in EXAMPLES])
    assert trained.train(data) == resource

    loaded = AnswerWordGuard.load(config, storage, resource, context)
    assert loaded.vocabulary == trained.vocabulary == answer_vocabulary(EXAMPLES, intents=INTENTS)
    mash, yes = classified("qwrt", [("affirm", 0.8)]), classified("dung roi", [("affirm", 0.8)])
    loaded.process([mash, yes])
    assert [m.get(INTENT)["name"] for m in (mash, yes)] == ["nlu_fallback", "affirm"]


def test_without_answer_examples_training_fails(tmp_path):
    storage = LocalModelStorage(tmp_path)
    guard_ = AnswerWordGuard.create(
        AnswerWordGuard.get_default_config(),
        storage,
        Resource("g"),
        ExecutionContext(GraphSchema({}), "t"),
    )
    with pytest.raises(ValueError, match="affirm"):
        guard_.train(TrainingData([Message({TEXT: "giá điện", INTENT: "ask_tariff"})]))


def test_lemmas_expand_shorthand_as_the_guard_reads_it():
    assert lemmas("K") == ["khong"] and lemmas("ok") == ["dong", "y"]


TWO_ANSWERS_CONFIG = """
recipe: default.v1
language: vi
assistant_id: answer-guard-test
pipeline:
  - name: components.tokenizer.VietnameseTokenizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
    use_lemma: true
  - name: DIETClassifier
    epochs: 5
    random_seed: 1
  - name: components.fallback.LongMessageFallbackClassifier
    threshold: 0.0
    ambiguity_threshold: 0.0
    long_threshold: 0.0
    long_ambiguity_threshold: 0.0
  - name: components.answer_guard.AnswerWordGuard
    intents: [affirm, deny]
policies: []
"""
TWO_ANSWERS_NLU = """
version: "3.1"
nlu:
- intent: affirm
  examples: |
    - đúng rồi
    - ok em
    - vâng
    - ừ tính giúp chị
- intent: deny
  examples: |
    - không phải
    - thôi khỏi
    - ko cần
"""


def test_in_a_trained_model_a_mash_is_no_answer(tmp_path, monkeypatch):
    # With only two intents and no fallback threshold, DIET reads every message as a yes or a no:
    # the guard, trained and loaded by Rasa's graph with the model, is what holds mashes back.
    import asyncio

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))  # not the repo's .rasa
    (tmp_path / "config.yml").write_text(TWO_ANSWERS_CONFIG, encoding="utf-8")
    (tmp_path / "nlu.yml").write_text(TWO_ANSWERS_NLU, encoding="utf-8")
    model = train_nlu(
        str(tmp_path / "config.yml"),
        str(tmp_path / "nlu.yml"),
        str(tmp_path),
        fixed_model_name="guard",
    )
    agent = Agent.load(model)

    async def intents(texts):
        return [(await agent.parse_message(t))["intent"]["name"] for t in texts]

    answers, mashes = ["vâng ạ", "khong phai", "ok"], ["qwrtpsd", "zzzzz", "hjkl bnm", "..."]
    read = asyncio.run(intents(answers + mashes))
    assert all(name in INTENTS for name in read[: len(answers)])
    assert read[len(answers) :] == ["nlu_fallback"] * len(mashes)
