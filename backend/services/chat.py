"""Talking to the Rasa server's REST channel on behalf of a household."""

from __future__ import annotations

import unicodedata
from typing import Any

import requests


class AssistantUnavailable(Exception):
    """Rasa did not answer (down, timed out or broken)."""


def normalise_text(text: str) -> str:
    """NFC + trimmed: the same sentence typed on different phones has the same code points."""
    return unicodedata.normalize("NFC", text).strip()


def send_to_rasa(rasa_url: str, sender_id: str, text: str, timeout: float) -> list[dict[str, Any]]:
    try:
        response = requests.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender_id, "message": normalise_text(text)},
            timeout=timeout,
        )
        response.raise_for_status()
        replies = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise AssistantUnavailable(str(exc)) from exc
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
