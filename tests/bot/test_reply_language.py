"""The guard on the bot's real replies: every action run against a fake backend (loopback) with
realistic data, linked and not, backend up and down; each reply passes the language checks of
tests/content/checks.py (no ISO date, "0%", banned spelling, English, missing diacritics)."""

from __future__ import annotations

import pytest
from actions.bills import ActionEstimateBill, ActionExplainTariff, ActionKwhForBudget
from actions.changes import ActionApplyChange
from actions.compare import ActionCompareBills
from actions.fallback import ActionDefaultFallback
from actions.handoff import ActionHandoff
from actions.linking import ActionLinkAccount
from actions.meter import ActionPrepareMeterReading
from actions.outages import ActionOutageSchedule, ActionReportOutage
from actions.privacy import ActionPrepareDeletion
from actions.saving import ActionPeakHours, ActionSavingTips
from actions.subscriptions import ActionSubscribe, ActionUnsubscribe
from actions.usage import ActionCheckUsage
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.bot.test_actions import backend
from tests.content.checks import problems

KNOWN: set[tuple[str, str]] = set()  # (action, problem) pairs allowed to fail: none

ACTIONS = [
    (ActionEstimateBill, {"kwh": 350}),
    (ActionKwhForBudget, {"money": 500_000}),
    (ActionExplainTariff, {}),
    (ActionDefaultFallback, {}),
    (ActionHandoff, {}),
    (ActionLinkAccount, {"link_code": "123456"}),
    (ActionPrepareMeterReading, {"meter_reading": 12345}),
    (ActionOutageSchedule, {}),
    (ActionReportOutage, {}),
    (ActionPrepareDeletion, {}),
    (ActionSavingTips, {}),
    (ActionSavingTips, {"appliance": "air_conditioner"}),
    (ActionSavingTips, {"appliance": "water_heater"}),
    (ActionPeakHours, {}),
    (ActionCompareBills, {}),
    (ActionSubscribe, {}),
    (ActionUnsubscribe, {}),
    (ActionCheckUsage, {}),
    (ActionApplyChange, {}),
    (ActionApplyChange, {"pending_change": {"kind": "link", "code": "123456"}}),
    (
        ActionApplyChange,
        {"pending_change": {"kind": "subscriptions", "changes": {"weekly_tips": False}}},
    ),
    (
        ActionApplyChange,
        {"pending_change": {"kind": "subscriptions", "changes": {"outage_notices": True}}},
    ),
    (ActionApplyChange, {"pending_change": {"kind": "budget", "set": {"amount": 800_000}}}),
    (ActionApplyChange, {"pending_change": {"kind": "budget", "set": {"kwh": 250}}}),
    (ActionApplyChange, {"pending_change": {"kind": "budget", "clear": True}}),
    (ActionApplyChange, {"pending_change": {"kind": "budget"}}),
    (ActionApplyChange, {"pending_change": {"kind": "meter_reading", "reading": 12345}}),
    (ActionApplyChange, {"pending_change": {"kind": "deletion"}}),
]


def replies(action, sender: str, slots: dict) -> list[str]:
    track = Tracker(
        sender,
        slots,
        {
            "text": "",
            "intent": {"name": "affirm" if slots.get("pending_change") else ""},
            "intent_ranking": [],
            "entities": [],
        },
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, track, {})
    texts = []
    for message in dispatcher.messages:
        texts.append(message.get("text") or "")
        texts += [button["title"] for button in message.get("buttons") or []]
    return texts


@pytest.mark.parametrize("sender", ["hh-1", "zalo-999"])
def test_every_reply_reads_as_vietnamese(fake_server, monkeypatch, sender):
    server = fake_server(backend)
    monkeypatch.setenv("BACKEND_URL", server.url)
    said = [
        (cls.__name__, text) for cls, slots in ACTIONS for text in replies(cls(), sender, slots)
    ]
    assert len(said) >= len(ACTIONS)
    bad = [
        f"{name}: {problem}: {text}"
        for name, text in said
        for problem in problems(text)
        if (name, problem) not in KNOWN
    ]
    assert not bad, "\n".join(bad)


def test_replies_with_the_backend_down_read_as_vietnamese(monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    said = [(cls.__name__, t) for cls, slots in ACTIONS for t in replies(cls(), "hh-1", slots)]
    bad = [f"{name}: {problem}: {text}" for name, text in said for problem in problems(text)]
    assert not bad, "\n".join(bad)
