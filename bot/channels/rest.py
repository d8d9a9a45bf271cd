"""Rasa's REST channel with the text normalised to Unicode NFC at the edge.

The same sentence typed on different phones may arrive composed (NFC) or decomposed (NFD);
the NLU must see one form. URL stays /webhooks/rest/webhook.

Before Rasa reads a message: a body that is not a JSON object (or is nested too deep) is a 400,
a sender id longer than the backend's conversations column is a 400, and a message over
MAX_MESSAGE_CHARS is answered with a polite Vietnamese reply without reaching the NLU.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.limits import MAX_BODY_BYTES, SENDER_ID_MAX, TOO_LONG, parse_json, too_long


def refused(request: Request) -> HTTPResponse | None:
    """The response for a message Rasa must not read, or None to let it through."""
    if request.method != "POST" or not request.path.endswith("/webhook"):
        return None
    raw = request.body or b""
    if len(raw) > MAX_BODY_BYTES:
        return response.json({"error": "body too large"}, status=413)
    body, problem = parse_json(raw)
    if problem or not isinstance(body, dict):
        return response.json({"error": problem or "the body must be a JSON object"}, status=400)
    sender = body.get("sender")
    if sender is not None and (not isinstance(sender, str) or len(sender) > SENDER_ID_MAX):
        return response.json(
            {"error": f"sender must be a string of at most {SENDER_ID_MAX} characters"},
            status=400,
        )
    if too_long(body.get("message")):
        return response.json([{"recipient_id": sender or "default", "text": TOO_LONG}])
    return None


class NfcRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_message(self, req: Request) -> Any:
        text = super()._extract_message(req)
        return unicodedata.normalize("NFC", text) if isinstance(text, str) else text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        webhook.middleware(refused, "request")
        return webhook
