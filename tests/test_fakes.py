"""The loopback helpers the suites share: a server a test starts waits for its own answer."""

from __future__ import annotations

import sys

import pytest

import tests.fakes as fakes

# answers GET / with 200 {"pending": 0}; exits when its port is taken
SERVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b'{"pending": 0}')
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def ours(status: int, body: bytes) -> bool:
    return status == 200 and b'"pending"' in body


def test_a_port_another_server_took_is_not_taken_for_ours(fake_server, monkeypatch):
    foreign = fake_server(lambda method, path, body: (404, {}))  # answers every path, with 404
    foreign_port = int(foreign.url.rsplit(":", 1)[1])
    free = fakes.free_port
    ports = iter([foreign_port])
    monkeypatch.setattr(fakes, "free_port", lambda: next(ports, None) or free())
    process, port = fakes.start_server(
        lambda port: [sys.executable, "-c", SERVER, str(port)],
        lambda port: f"http://127.0.0.1:{port}/",
        ready=ours,
    )
    try:
        assert port != foreign_port
        assert process.poll() is None
    finally:
        fakes.stop_server(process)


def test_a_server_that_never_gets_its_port_is_an_error(fake_server, monkeypatch):
    foreign = fake_server(lambda method, path, body: (404, {}))
    foreign_port = int(foreign.url.rsplit(":", 1)[1])
    monkeypatch.setattr(fakes, "free_port", lambda: foreign_port)
    # the error says why: what the server wrote to stderr
    with pytest.raises(RuntimeError, match=r"(?s)exited on 2 ports.*Address already in use"):
        fakes.start_server(
            lambda port: [sys.executable, "-c", SERVER, str(port)],
            lambda port: f"http://127.0.0.1:{port}/",
            ready=ours,
            attempts=2,
        )
