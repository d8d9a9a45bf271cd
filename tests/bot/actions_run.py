"""Running one custom action outside Rasa: a tracker as Rasa would pass it, and the replies and
events the action returns (shared by the action tests of each feature)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(
    *,
    sender: str = "hh-1",
    text: str = "",
    intent: str = "",
    slots: dict | None = None,
    events: list | None = None,
) -> Tracker:
    """The tracker of `sender` whose latest message is `text`, classified as `intent`."""
    return Tracker(
        sender,
        slots or {},
        {"text": text, "intent": {"name": intent}, "intent_ranking": [], "entities": []},
        events or [],
        False,
        None,
        {},
        "action_listen",
    )


def run(action, track: Tracker) -> tuple[list[dict], list]:
    """(the messages the action sent, the events it returned)."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, track, {})
    return dispatcher.messages, events
