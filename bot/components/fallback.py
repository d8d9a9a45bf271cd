"""The NLU fallback with its own thresholds for long messages.

A long message (a story before the question) spreads DIET's confidence over the intents its
story also touches, so its right answer more often comes out below the short message's
thresholds: replayed on the development sets, a long message's fallback was twice as often a
right answer held back as a wrong one avoided (docs/benchmarks.md, "Long messages' own fallback
thresholds"). Long messages (components.clauses.MIN_WORDS normalised words or more, the same
length from which the request clause is read apart) therefore fall back below
`long_threshold` / `long_ambiguity_threshold`; short ones keep `threshold` /
`ambiguity_threshold`, as Rasa's FallbackClassifier, which this extends.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import (
    AMBIGUITY_THRESHOLD_KEY,
    THRESHOLD_KEY,
    FallbackClassifier,
)
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.clauses import MIN_WORDS, lemmas

LONG_THRESHOLD_KEY = "long_threshold"
LONG_AMBIGUITY_THRESHOLD_KEY = "long_ambiguity_threshold"
MIN_WORDS_KEY = "min_words"


def falls_back(
    ranking: list[dict[str, Any]], *, threshold: float, ambiguity_threshold: float
) -> bool:
    """True when the top intent's confidence is below `threshold` or within
    `ambiguity_threshold` of the second's (Rasa's FallbackClassifier's two tests)."""
    if not ranking:
        return True
    first = ranking[0].get(PREDICTED_CONFIDENCE_KEY, 0.0)
    second = ranking[1].get(PREDICTED_CONFIDENCE_KEY, 0.0) if len(ranking) > 1 else 0.0
    return first < threshold or first - second < ambiguity_threshold


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LongMessageFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **FallbackClassifier.get_default_config(),
            LONG_THRESHOLD_KEY: 0.35,
            LONG_AMBIGUITY_THRESHOLD_KEY: 0.04,
            MIN_WORDS_KEY: MIN_WORDS,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LongMessageFallbackClassifier:
        return cls(config)

    def thresholds(self, text: str) -> tuple[float, float]:
        """(confidence, ambiguity) thresholds for a message of this text."""
        config = self.component_config
        if len(lemmas(text or "")) >= int(config[MIN_WORDS_KEY]):
            return float(config[LONG_THRESHOLD_KEY]), float(config[LONG_AMBIGUITY_THRESHOLD_KEY])
        return float(config[THRESHOLD_KEY]), float(config[AMBIGUITY_THRESHOLD_KEY])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.data.get(INTENT) or {}
            threshold, ambiguity = self.thresholds(message.get(TEXT))
            # nothing classified (an empty message) falls back, as with Rasa's classifier
            ranking = message.data.get(INTENT_RANKING_KEY) or ([intent] if intent else [])
            if not falls_back(ranking, threshold=threshold, ambiguity_threshold=ambiguity):
                continue
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: threshold,
            }
            message.data[INTENT] = fallback
            message.data.setdefault(INTENT_RANKING_KEY, [])
            message.data[INTENT_RANKING_KEY].insert(0, dict(fallback))
        return messages
