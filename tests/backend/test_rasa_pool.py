"""The chat proxy over a pool of Rasa servers (RASA_URL with several URLs): each household
keeps its server while it is up, moves on when it refuses connections, and is never retried
elsewhere once a turn may have reached a server."""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import bearer, make_household


class Rasa:
    """A fake Rasa REST channel that remembers who it served; optionally answers too late."""

    def __init__(self, delay: float = 0.0) -> None:
        self.senders: list[str] = []
        rasa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                rasa.senders.append(body["sender"])
                time.sleep(delay)
                data = json.dumps([{"text": f"chào {body['sender']}"}]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def pool(app):
    servers = [Rasa(), Rasa()]
    app.config["RASA_URL"] = ",".join(s.url for s in servers)
    yield servers
    for server in servers:
        server.server.shutdown()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_household_keeps_its_server_and_households_spread(client, pool):
    households = [make_household(f"hh-pool-{n}") for n in range(12)]
    for _ in range(3):
        for household in households:
            response = client.post(
                "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household)
            )
            assert response.status_code == 200
    for server in pool:
        for sender in set(server.senders):
            assert server.senders.count(sender) == 3  # all three turns on the same server
    assert pool[0].senders and pool[1].senders


def test_a_server_that_refuses_hands_the_turn_to_the_next(app, client):
    alive = Rasa()
    app.config["RASA_URL"] = f"{closed_port_url()},{alive.url}"
    households = [make_household(f"hh-down-{n}") for n in range(6)]
    for household in households:  # whichever is their home server, every turn is answered
        response = client.post(
            "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household)
        )
        assert response.status_code == 200
        assert response.get_json()["messages"][0]["text"] == f"chào {household.id}"
    assert sorted(alive.senders) == sorted(h.id for h in households)
    alive.server.shutdown()


def test_a_turn_that_reached_a_slow_server_is_not_sent_again(app, client):
    slow, other = Rasa(delay=3.0), Rasa()
    app.config.update(RASA_URL=f"{slow.url},{other.url}", RASA_TIMEOUT=1.0)
    # A household whose home is the slow server (the first of the pool): chosen by the pool's
    # hash, not by which turn happened to time out, so a busy machine cannot pick another one.
    household = next(
        h
        for h in (make_household(f"hh-slow-{n}") for n in range(20))
        if zlib.crc32(h.id.encode()) % 2 == 0
    )
    response = client.post("/api/v1/chat", json={"message": "?"}, headers=bearer(household))
    assert response.status_code == 503
    assert household.id in slow.senders and household.id not in other.senders
    for server in (slow, other):
        server.server.shutdown()
