"""Talking to the Rasa server's REST channel on behalf of a household."""

from __future__ import annotations

import unicodedata
import zlib
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError


class AssistantUnavailable(Exception):
    """Rasa did not answer (down, timed out or broken)."""


def normalise_text(text: str) -> str:
    """NFC + trimmed: the same sentence typed on different phones has the same code points."""
    return unicodedata.normalize("NFC", text).strip()


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


def post_to_rasa(rasa_url: str, sender_id: str, path: str, body: Any, timeout: float) -> Any:
    """POST `body` to `path` on the sender's Rasa server and return the JSON answer.

    Each sender has a home server in the pool (hash of the id); when it refuses the connection
    the request goes to the next one. Any server can take any turn (shared tracker and lock
    store), but two turns of one conversation arriving at the same instant on two servers would
    contend for its lock: keeping a conversation on one server while it is up avoids that."""
    servers = rasa_servers(rasa_url)
    first = zlib.crc32(sender_id.encode())
    for attempt in range(len(servers)):
        server = servers[(first + attempt) % len(servers)]
        try:
            response = requests.post(f"{server}{path}", json=body, timeout=timeout)
            response.raise_for_status()
            return response.json()
        except requests.RequestException as exc:
            if not _never_reached(exc) or attempt == len(servers) - 1:
                raise AssistantUnavailable(str(exc)) from exc
        except ValueError as exc:
            raise AssistantUnavailable(str(exc)) from exc
    raise AssistantUnavailable("no Rasa server configured")


def send_to_rasa(rasa_url: str, sender_id: str, text: str, timeout: float) -> list[dict[str, Any]]:
    replies = post_to_rasa(
        rasa_url,
        sender_id,
        "/webhooks/rest/webhook",
        {"sender": sender_id, "message": normalise_text(text)},
        timeout,
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
