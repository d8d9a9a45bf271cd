"""A whitespace tokenizer whose tokens carry a normalised lemma (no diacritics, shorthand
expanded). The CountVectorsFeaturizers configured with `use_lemma: true` then see the same
features for "tiền điện", "tien dien" and "tien đien", while the message text and the token
texts stay exactly as the user typed them (entities still point into the original text).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from components.text import normalise_token


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**WhitespaceTokenizer.get_default_config()}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = normalise_token(token.text)
        return tokens
