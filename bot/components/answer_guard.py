"""A yes or a no is read only from words people answer with.

An answer confirms or cancels an action (delete the household's data, stop its notices, hand
the chat to staff), so a keyboard mash or a stray "ppppp" must never be one. DIET's character
n-grams give such a message some intent, and when the training data's real yeses and noes
outweigh its handful of mashes, that intent can be affirm or deny at a confidence above the
fallback threshold (docs/benchmarks.md, "The read development sets as training data").

This component learns, at training, the normalised words of the answer intents' examples. At
inference, a message classified as an answer that contains none of them falls back
(`nlu_fallback`, as Rasa's FallbackClassifier does: the bot asks again), whatever DIET's
confidence. It runs after the fallback classifier and changes nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.clauses import lemmas

INTENTS_KEY = "intents"
VOCABULARY_FILE = "answer_vocabulary.json"


def answer_vocabulary(
    examples: Iterable[tuple[str | None, str]], *, intents: Iterable[str]
) -> frozenset[str]:
    """The normalised words of the examples (intent, text) of the answer intents."""
    answers = set(intents)
    return frozenset(
        word for intent, text in examples if intent in answers for word in lemmas(text)
    )


def reads_as_answer(text: str, *, vocabulary: frozenset[str]) -> bool:
    """Whether the message has a word the answer examples use (else it is no answer)."""
    return any(word in vocabulary for word in lemmas(text))


def guard(message: Message, *, vocabulary: frozenset[str], intents: frozenset[str]) -> None:
    """Turn an answer without an answer word into the NLU fallback (the ranking is kept)."""
    intent = message.get(INTENT) or {}
    if intent.get(INTENT_NAME_KEY) not in intents:
        return
    if reads_as_answer(message.get(TEXT) or "", vocabulary=vocabulary):
        return
    fallback = {
        INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
        PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
    }
    message.data[INTENT] = fallback
    message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, dict(fallback))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class AnswerWordGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {INTENTS_KEY: ["affirm", "deny"]}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not config[INTENTS_KEY]:
            raise ValueError("AnswerWordGuard needs the answer intents")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: frozenset[str] = frozenset(),
    ) -> None:
        self.intents = frozenset(config[INTENTS_KEY])
        self.vocabulary = vocabulary
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AnswerWordGuard:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> AnswerWordGuard:
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, frozenset(words))

    def train(self, training_data: TrainingData) -> Resource:
        examples = ((m.get(INTENT), m.get(TEXT) or "") for m in training_data.intent_examples)
        self.vocabulary = answer_vocabulary(examples, intents=self.intents)
        if not self.vocabulary:
            raise ValueError(f"no training examples of {sorted(self.intents)}")
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(self.vocabulary), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            guard(message, vocabulary=self.vocabulary, intents=self.intents)
        return messages
