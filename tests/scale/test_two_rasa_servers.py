"""Two Rasa servers sharing the tracker store (PostgreSQL) and the lock store (Redis): one
conversation may hop between them turn by turn and stays consistent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.scale.conftest import API, make_households, say


def test_a_form_survives_alternating_servers(stack, stack_app):
    [(household, _)] = make_households(stack_app, "two-servers", 1)
    a, b = stack.url("rasa-a"), stack.url("rasa-b")

    asked = say(a, household, "/report_meter_reading")
    assert any("Chỉ số trên công tơ" in text for text in asked), asked

    confirm = say(b, household, "12345")  # the form's requested slot was set on server A
    assert any("Chỉ số công tơ là 12345" in text for text in confirm), confirm

    stored = say(a, household, "/affirm")  # the filled slot was set on server B
    assert any(text.startswith("Đã lưu chỉ số 12345") for text in stored), stored

    tracker = requests.get(f"{b}/conversations/{household}/tracker", params=API, timeout=30).json()
    assert tracker["active_loop"] == {} or tracker["active_loop"].get("name") is None
    assert tracker["slots"]["meter_reading"] is None  # reset by the action after storing


def test_a_form_survives_a_postgres_restart_between_turns(stack, stack_app):
    """Both servers' pooled connections die with the restart; the next turns still find and
    store the conversation (no silent in-memory fallback on one server)."""
    [(household, _)] = make_households(stack_app, "pg-restart-form", 1)
    a, b = stack.url("rasa-a"), stack.url("rasa-b")
    for server in (a, b):  # both servers hold pooled connections to the tracker database
        say(server, f"{household}-warm", "/greet")
    assert any("Chỉ số trên công tơ" in t for t in say(a, household, "/report_meter_reading"))
    stack.postgres.restart()
    confirm = say(b, household, "12345")
    assert any("Chỉ số công tơ là 12345" in text for text in confirm), confirm
    stack.postgres.restart()
    stored = say(a, household, "/affirm")
    assert any(text.startswith("Đã lưu chỉ số 12345") for text in stored), stored


def test_concurrent_turns_on_both_servers_never_interleave(stack, stack_app):
    """The Redis lock store serialises turns of one conversation across servers: every user
    message is followed by its own answer before the next user message is handled."""
    [(household, _)] = make_households(stack_app, "lock-store", 1)
    servers = [stack.url("rasa-a"), stack.url("rasa-b")]
    messages = ["/greet", "/ask_tariff", "/ask_saving_tips", "/greet", "/ask_tariff", "/thank"]
    for server in servers:  # warm servers, as in production (a cold first turn can take longer
        say(server, household, "/greet")  # than Rasa's 60 s lock lifetime on 2 busy cores)
    with ThreadPoolExecutor(len(messages)) as pool:
        replies = list(
            pool.map(lambda i: say(servers[i % 2], household, messages[i]), range(len(messages)))
        )
    assert all(replies), replies  # every turn got an answer

    tracker = requests.get(
        f"{servers[0]}/conversations/{household}/tracker", params=API, timeout=30
    ).json()
    turns: list[list[str]] = []  # per user message: the actions that followed it
    for event in tracker["events"]:
        if event["event"] == "user":
            turns.append([])
        elif event["event"] == "action" and turns:
            turns[-1].append(event["name"])
    assert len(turns) == len(messages) + len(servers), turns
    for actions in turns:  # answered, then listening, before the next message came in
        assert len(actions) >= 2 and actions[-1] == "action_listen", turns
