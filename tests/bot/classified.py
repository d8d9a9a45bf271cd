"""A message as an intent classifier leaves it, for tests of the components that come after."""

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message


def classified(text: str, ranking: list[tuple[str, float]]) -> Message:
    """`text` read with `ranking` (intent, confidence), best first."""
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message({TEXT: text, INTENT: dict(ranked[0]), INTENT_RANKING_KEY: ranked})
