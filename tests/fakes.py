"""A JSON HTTP server on loopback for tests of both environments (standard library only)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now (for servers a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# no proxy from the environment for loopback health checks
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def start_server(
    command: Callable[[int], Sequence[str]],
    health: Callable[[int], str],
    *,
    ready: Callable[[int, bytes], bool] = lambda status, body: status == 200,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 240.0,  # importing Rasa or the backend on a loaded 2-core machine is slow
    attempts: int = 3,
) -> tuple[subprocess.Popen, int]:
    """Start a server process on a free loopback port and wait until it answers `health` as
    `ready` says; its process and port. See `start_server_on_ports`."""
    process, ports = start_server_on_ports(
        lambda ports: command(ports[0]),
        lambda ports: health(ports[0]),
        ready=ready,
        cwd=cwd,
        env=env,
        timeout=timeout,
        attempts=attempts,
    )
    return process, ports[0]


def start_server_on_ports(
    command: Callable[[list[int]], Sequence[str]],
    health: Callable[[list[int]], str],
    *,
    count: int = 1,
    ready: Callable[[int, bytes], bool] = lambda status, body: status == 200,
    opener: urllib.request.OpenerDirector | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 240.0,
    attempts: int = 3,
) -> tuple[subprocess.Popen, list[int]]:
    """Start a server process listening on `count` free loopback ports and wait until it answers
    `health` as `ready` says (fetched with `opener`: an HTTPS one that trusts only the server's
    own certificate proves the answer is its own); its process and ports. Test suites run side
    by side, so another server may take a port between `free_port()` and this one's bind: any
    answer that is not this server's ready one is waited past, and a server that exits (its
    bind failed) is started again on other ports. If it never gets going, the error ends with
    what it wrote to stderr."""
    opener = opener or LOOPBACK
    errors = b""
    for _ in range(attempts):
        ports = [free_port() for _ in range(count)]
        argv = list(command(ports))
        with tempfile.TemporaryFile() as stderr:  # the process keeps writing to its own copy
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=None if env is None else dict(env),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            deadline = time.time() + timeout
            while process.poll() is None and time.time() < deadline:
                try:
                    with opener.open(health(ports), timeout=0.5) as response:
                        if ready(response.status, response.read()):
                            return process, ports
                except urllib.error.HTTPError as error:  # a foreign server's 404, or not ready
                    if ready(error.code, error.read()):
                        return process, ports
                except (OSError, ValueError):  # nothing listens yet, it hung up, or not our TLS
                    pass
                time.sleep(0.1)
            timed_out = process.poll() is None
            if timed_out:
                process.kill()
            process.wait(10)
            stderr.seek(0)
            errors = stderr.read()[-2000:]
            if timed_out:
                raise TimeoutError(
                    f"{argv} did not answer {health(ports)} in {timeout} s: "
                    + errors.decode(errors="replace")
                )
    tried = "ports" if count == 1 else "sets of ports"
    raise RuntimeError(
        f"{argv} exited on {attempts} {tried} in a row: " + errors.decode(errors="replace")
    )


def stop_server(process: subprocess.Popen, *, grace: float = 30.0) -> None:
    """Stop a server `start_server` started: SIGTERM, then SIGKILL if it has not exited within
    `grace` seconds (a loaded machine can take that long to run an app's shutdown)."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


Handler = Callable[[str, str, dict[str, Any] | None], tuple[int, Any]]
# (method, path with query, headers, raw body) -> a refusal (status, payload), or None to serve
Guard = Callable[[str, str, Mapping[str, str], bytes], tuple[int, Any] | None]


def chat_signed(secret: str, raw: bytes, at: float | None = None) -> dict[str, str]:
    """Headers of a turn signed as the backend's chat proxy signs it for Rasa's REST channel:
    HMAC-SHA256 over "<timestamp>.<raw body>" (written from the protocol, not imported)."""
    stamp = str(int(time.time() if at is None else at))
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Chat-Timestamp": stamp,
        "X-Chat-Signature": f"sha256={mac}",
    }


def rasa_guard(token: str) -> Guard:
    """What a Rasa server started with `--auth-token token` and our signed REST channel accept:
    `?token=` on the HTTP API; on /webhooks/rest/webhook an HMAC-SHA256 of "<ts>.<body>" signed
    within five minutes. Written here from the protocol, not imported from either side."""

    def guard(method: str, path: str, headers: Mapping[str, str], raw: bytes):
        url = urlsplit(path)
        if url.path.startswith("/webhooks/rest/"):
            stamp = headers.get("X-Chat-Timestamp", "")
            mac = hmac.new(token.encode(), stamp.encode() + b"." + raw, hashlib.sha256)
            fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= 300
            if not fresh or headers.get("X-Chat-Signature") != "sha256=" + mac.hexdigest():
                return 401, {"error": "unauthorized"}
        api = url.path.startswith(("/conversations/", "/model"))
        if api and parse_qs(url.query).get("token") != [token]:
            return 401, {"error": "NotAuthenticated"}
        return None

    return guard


class FakeServer:
    """A JSON HTTP server on loopback whose answers come from `handler(method, path, body)`.

    `keep_alive=True` speaks HTTP/1.1 and keeps connections open between requests (as Rasa's
    server does); `peers` lists the client address of every request, so a test can tell how
    many connections a client opened."""

    def __init__(
        self, handler: Handler, guard: Guard | None = None, *, keep_alive: bool = False
    ) -> None:
        self.handler = handler
        self.guard = guard
        self.calls: list[tuple[str, str, Any, dict[str, str]]] = []
        self.refused: list[tuple[str, str]] = []
        self.peers: list[tuple[str, int]] = []
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            disable_nagle_algorithm = True  # as asyncio servers (Rasa's Sanic) do

            def _serve(self) -> None:
                fake.peers.append(self.client_address)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type", "")
                if raw and "json" in content_type:
                    body: Any = json.loads(raw)
                else:
                    body = raw.decode() or None
                refusal = fake.guard and fake.guard(self.command, self.path, self.headers, raw)
                if refusal:
                    fake.refused.append((self.command, self.path))
                    status, payload = refusal
                else:
                    fake.calls.append((self.command, self.path, body, dict(self.headers)))
                    status, payload = fake.handler(self.command, self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def fake_server():
    servers: list[FakeServer] = []

    def start(
        handler: Handler, guard: Guard | None = None, *, keep_alive: bool = False
    ) -> FakeServer:
        server = FakeServer(handler, guard, keep_alive=keep_alive)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
