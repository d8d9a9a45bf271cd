"""A second view of the message for the intent classifier: the clause that carries the request.

A long message tells a story before the question; the other featurizers see every word of it,
so the story's words weigh as much as the question's. This featurizer adds sentence-level
features of the request clause only (components.clauses.request_clause: the whole text of a
short message), as hashed bags of its normalised words and word pairs. It adds no sequence
features: the text, its tokens and therefore the entities (and the actions' number parsing of
the whole message) are untouched. The same function runs at training and at inference, and the
hashing needs no vocabulary, so the component has nothing to train or persist.
"""

from __future__ import annotations

import itertools
import zlib
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.clauses import MIN_WORDS, lemmas, request_clause


def clause_features(text: str, dimensions: int, min_words: int = MIN_WORDS) -> list[int]:
    """Column indexes (sorted, unique) of the request clause's words and word pairs."""
    clause = lemmas(request_clause(text, min_words))
    grams = [f"w:{w}" for w in clause] + [f"b:{a} {b}" for a, b in itertools.pairwise(clause)]
    return sorted({zlib.crc32(g.encode("utf-8")) % dimensions for g in grams})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class RequestClauseFeaturizer(SparseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            "dimensions": 8192,  # hashed columns
            "min_words": MIN_WORDS,  # shorter messages are their own request clause
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config["dimensions"]) < 1 or int(config["min_words"]) < 1:
            raise ValueError("dimensions and min_words must be positive")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RequestClauseFeaturizer:
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.dimensions = int(config["dimensions"])
        self.min_words = int(config["min_words"])

    def featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        columns = clause_features(text, self.dimensions, self.min_words)
        sentence = scipy.sparse.coo_matrix(
            (np.ones(len(columns)), (np.zeros(len(columns), dtype=int), columns)),
            shape=(1, self.dimensions),
        )
        self.add_features_to_message(None, sentence, TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self.featurize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.featurize(message)
        return messages
