"""Talking to the Rasa server's REST channel on behalf of a household."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import threading
import time
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

if TYPE_CHECKING:  # urllib3 declares its connection protocol for type checkers only
    from urllib3._base_connection import BaseHTTPConnection


class AssistantUnavailable(Exception):
    """Rasa did not answer (down, timed out or broken)."""


class Overloaded(Exception):
    """Every chat slot of this process is taken and the queue is full (or waited too long):
    the household should send the turn again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"chat overloaded; retry after {retry_after} s")
        self.retry_after = retry_after


class TurnGate:
    """At most `slots` chat turns of this process talk to Rasa at once; up to `queue` more wait
    (each at most `wait` seconds) for a slot, and any turn beyond that is refused at once.

    Rasa's timeout then measures Rasa's own work, never the time spent behind other turns, and an
    overload answers in milliseconds instead of holding connections until everything times out.
    Under gevent the semaphore and lock are the monkey-patched, cooperative ones."""

    def __init__(self, *, slots: int, queue: int, wait: float, retry_after: int) -> None:
        self.slots, self.queue, self.wait, self.retry_after = slots, queue, wait, retry_after
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.waiting = 0
        self.refused = 0

    def acquire(self) -> None:
        """Take a slot or raise Overloaded. A newcomer takes a free slot only when nobody is
        waiting, so turns are served about in order of arrival."""
        with self._lock:
            if self.waiting == 0 and self._free.acquire(blocking=False):
                return
            if self.waiting >= self.queue:
                self.refused += 1
                raise Overloaded(self.retry_after)
            self.waiting += 1
        try:
            got = self._free.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self.waiting -= 1
        if not got:
            with self._lock:
                self.refused += 1
            raise Overloaded(self.retry_after)

    def release(self) -> None:
        self._free.release()


def nfc_trimmed(text: str) -> str:
    """NFC + trimmed: the same sentence typed on different phones has the same code points."""
    return unicodedata.normalize("NFC", text).strip()


@dataclass(frozen=True)
class RasaLink:
    """Where the backend finds Rasa and the credential it presents there.

    `token` is Rasa's `--auth-token` (sent as `?token=` to its HTTP API) and the key with which
    the chat proxy signs every turn it hands to the REST channel (bot/channels/rest.py)."""

    url: str
    token: str
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RasaLink:
        return cls(config["RASA_URL"], config["RASA_AUTH_TOKEN"], config["RASA_TIMEOUT"])


def sign_body(*, secret: str, body: bytes, now: float) -> dict[str, str]:
    """Headers that make the REST channel accept `body`: HMAC-SHA256 over "<timestamp>.<body>"."""
    timestamp = str(int(now))
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Chat-Timestamp": timestamp, "X-Chat-Signature": "sha256=" + mac.hexdigest()}


def rasa_servers(setting: str) -> list[str]:
    """RASA_URL holds one Rasa server or a comma-separated pool sharing tracker and lock store."""
    return [url.strip().rstrip("/") for url in setting.split(",") if url.strip()]


def _never_reached(exc: requests.RequestException) -> bool:
    """True when the turn cannot have reached the server (refused or connect timeout): safe to
    hand to the next server of the pool without the risk of processing the message twice."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


# A connection to Rasa is reused only within this many seconds of its last answer: far below
# the keep-alive of Rasa's Sanic server (5 s), so a turn is never sent on a connection the
# server may be closing at that instant (a failure that cannot be retried: the turn may have
# reached Rasa). Older idle connections are closed and a new one opened, as before.
REUSE_WITHIN_SECONDS = 1.0


class _FreshHTTPPool(HTTPConnectionPool):
    """urllib3's pool, except that a pooled connection idle longer than `reuse_within` seconds
    is closed before use (it then reconnects)."""

    reuse_within = REUSE_WITHIN_SECONDS

    def _get_conn(self, timeout: float | None = None) -> BaseHTTPConnection:
        conn = super()._get_conn(timeout)
        returned = getattr(conn, "returned_at", None)
        if returned is not None and time.monotonic() - returned > self.reuse_within:
            conn.close()
        return conn

    def _put_conn(self, conn: BaseHTTPConnection | None) -> None:
        if conn is not None:
            conn.returned_at = time.monotonic()  # type: ignore[attr-defined,unused-ignore]
        super()._put_conn(conn)


class _FreshHTTPSPool(_FreshHTTPPool, HTTPSConnectionPool):
    pass


class _FreshAdapter(HTTPAdapter):
    def __init__(self, reuse_within: float) -> None:
        self.reuse_within = reuse_within
        super().__init__(pool_maxsize=32)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        within = {"reuse_within": self.reuse_within}
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("FreshHTTPPool", (_FreshHTTPPool,), within),
            "https": type("FreshHTTPSPool", (_FreshHTTPSPool,), within),
        }


def rasa_session(reuse_within: float = REUSE_WITHIN_SECONDS) -> requests.Session:
    """An HTTP session for the hops to Rasa: connections reused only while fresh, and no reading
    of proxy variables and ~/.netrc on every turn (Rasa is always reached directly)."""
    session = requests.Session()
    session.trust_env = False
    adapter = _FreshAdapter(reuse_within)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_sessions: dict[int, requests.Session] = {}
_sessions_lock = threading.Lock()


def _session() -> requests.Session:
    """This process's session (a fork gets its own: pooled sockets are never shared)."""
    pid = os.getpid()
    session = _sessions.get(pid)
    if session is None:
        with _sessions_lock:
            session = _sessions.setdefault(pid, rasa_session())
    return session


def post_to_rasa(
    rasa: RasaLink, sender_id: str, path: str, body: Any, *, session: requests.Session | None = None
) -> Any:
    """POST `body` to `path` on the sender's Rasa server and return the JSON answer.

    Every request carries the auth token and a signature of its body, so the same call serves
    Rasa's HTTP API (`?token=`) and the signed REST channel.

    Each sender has a home server in the pool (hash of the id); when it refuses the connection
    the request goes to the next one. Any server can take any turn (shared tracker and lock
    store), but two turns of one conversation arriving at the same instant on two servers would
    contend for its lock: keeping a conversation on one server while it is up avoids that."""
    servers = rasa_servers(rasa.url)
    first = zlib.crc32(sender_id.encode())
    raw = json.dumps(body, ensure_ascii=False).encode()
    for attempt in range(len(servers)):
        server = servers[(first + attempt) % len(servers)]
        headers = {
            "Content-Type": "application/json",
            **sign_body(secret=rasa.token, body=raw, now=time.time()),
        }
        try:
            response = (session or _session()).post(
                f"{server}{path}",
                data=raw,
                headers=headers,
                params={"token": rasa.token},
                timeout=rasa.timeout,
            )
            response.raise_for_status()
            return response.json()
        except requests.RequestException as exc:
            if not _never_reached(exc) or attempt == len(servers) - 1:
                raise AssistantUnavailable(str(exc)) from exc
        except ValueError as exc:
            raise AssistantUnavailable(str(exc)) from exc
    raise AssistantUnavailable("no Rasa server configured")


def training_minutes_left(*, marker: Path, now: float) -> int | None:
    """Whole minutes until the bot's training ends, from the marker bot/scripts/train.sh keeps
    while it trains ({"started": epoch seconds, "expected_s": seconds}); None when it is not
    training. At least 1: past the expected end, training is still finishing."""
    try:
        state = json.loads(marker.read_text(encoding="utf-8"))
        left = float(state["started"]) + float(state["expected_s"]) - now
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return max(1, math.ceil(left / 60))


def send_to_rasa(rasa: RasaLink, sender_id: str, text: str) -> list[dict[str, Any]]:
    replies = post_to_rasa(
        rasa,
        sender_id,
        "/webhooks/rest/webhook",
        {"sender": sender_id, "message": nfc_trimmed(text)},
    )
    messages: list[dict[str, Any]] = []
    for reply in replies if isinstance(replies, list) else []:
        message: dict[str, Any] = {}
        if reply.get("text"):
            message["text"] = reply["text"]
        if reply.get("buttons"):
            message["buttons"] = [
                {"title": b.get("title", ""), "payload": b.get("payload", "")}
                for b in reply["buttons"]
            ]
        if reply.get("image"):
            message["image"] = reply["image"]
        if message:
            messages.append(message)
    return messages
