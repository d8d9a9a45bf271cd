"""The chat proxy's hop to Rasa keeps a connection open between turns that follow each other
closely (no new connection and no proxy/netrc lookup per turn), but never sends a turn on a
connection idle long enough for Rasa to be closing it: every turn reaches Rasa exactly once,
in order, whatever Rasa does with its connections."""

from __future__ import annotations

import pytest

from backend.services.chat import RasaLink, post_to_rasa, rasa_session
from tests.conftest import bearer, make_household
from tests.fakes import free_port, rasa_guard

TOKEN = "test-rasa-token"
TURNS = 6


def answering(method, path, body):
    return 200, [{"recipient_id": body["sender"], "text": f"đã nhận: {body['message']}"}]


@pytest.fixture
def link():
    def make(server) -> RasaLink:
        return RasaLink(server.url, TOKEN, 5.0)

    return make


def send_turns(server, link, session) -> list[str]:
    replies = []
    for n in range(TURNS):
        answer = post_to_rasa(
            link(server),
            "hh-conn",
            "/webhooks/rest/webhook",
            {"sender": "hh-conn", "message": f"câu {n}"},
            session=session,
        )
        replies.append(answer[0]["text"])
    return replies


def sent_messages(server) -> list[str]:
    return [body["message"] for _, _, body, _ in server.calls]


@pytest.mark.parametrize(
    ("keep_alive", "reuse_within", "connections"),
    [
        # turns in quick succession share one connection
        (True, 60, 1),
        # a connection idle past the window is not reused (every pooled one counts as stale)
        (True, 0, TURNS),
        # a Rasa that closes every connection still gets each turn once
        (False, 60, TURNS),
    ],
    ids=["quick-turns-share-one", "idle-past-window-not-reused", "rasa-closes-each"],
)
def test_each_turn_reaches_rasa_once_in_order(
    fake_server, link, keep_alive, reuse_within, connections
):
    server = fake_server(answering, rasa_guard(TOKEN), keep_alive=keep_alive)
    session = rasa_session(reuse_within=reuse_within)

    replies = send_turns(server, link, session)
    session.close()

    assert replies == [f"đã nhận: câu {n}" for n in range(TURNS)]
    assert sent_messages(server) == [f"câu {n}" for n in range(TURNS)]
    assert len(set(server.peers)) == connections


def test_the_app_path_answers_every_turn_in_order_over_kept_connections(app, fake_server):
    server = fake_server(answering, rasa_guard(app.config["RASA_AUTH_TOKEN"]), keep_alive=True)
    app.config["RASA_URL"] = server.url
    household = make_household("hh-kept")
    client = app.test_client()

    answers = [
        client.post("/api/v1/chat", json={"message": f"câu {n}"}, headers=bearer(household))
        for n in range(TURNS)
    ]

    assert [a.status_code for a in answers] == [200] * TURNS
    assert [a.get_json()["messages"][0]["text"] for a in answers] == [
        f"đã nhận: câu {n}" for n in range(TURNS)
    ]
    assert sent_messages(server) == [f"câu {n}" for n in range(TURNS)]
    assert {body["sender"] for _, _, body, _ in server.calls} == {"hh-kept"}


def test_a_turn_rasa_did_not_answer_says_why_in_the_log(app, caplog):
    app.config["RASA_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    household = make_household("hh-unanswered")

    with caplog.at_level("WARNING"):
        response = app.test_client().post(
            "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household)
        )

    assert response.status_code == 503
    assert response.get_json()["code"] == "assistant_unavailable"
    assert any("Rasa did not answer the turn" in r.getMessage() for r in caplog.records)
