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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import (
    AMBIGUITY_THRESHOLD_KEY,
    THRESHOLD_KEY,
    FallbackClassifier,
)
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.clauses import MIN_WORDS, lemmas

LONG_THRESHOLD_KEY = "long_threshold"
LONG_AMBIGUITY_THRESHOLD_KEY = "long_ambiguity_threshold"
MIN_WORDS_KEY = "min_words"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LongMessageFallbackClassifier(FallbackClassifier):
    """Rasa's FallbackClassifier (this instance, short messages) and a second one at the long
    thresholds (long messages): both tests and the fallback intent stay Rasa's own."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **FallbackClassifier.get_default_config(),
            LONG_THRESHOLD_KEY: 0.35,
            LONG_AMBIGUITY_THRESHOLD_KEY: 0.04,
            MIN_WORDS_KEY: MIN_WORDS,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.min_words = int(config[MIN_WORDS_KEY])
        self.long = FallbackClassifier(
            {
                **config,
                THRESHOLD_KEY: config[LONG_THRESHOLD_KEY],
                AMBIGUITY_THRESHOLD_KEY: config[LONG_AMBIGUITY_THRESHOLD_KEY],
            }
        )

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if len(lemmas(message.get(TEXT) or "")) >= self.min_words:
                self.long.process([message])
            else:
                super().process([message])
        return messages
