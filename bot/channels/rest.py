"""Rasa's REST channel for the backend's chat proxy only: signed requests, text in NFC.

Households never reach this channel directly. The backend (`POST /api/v1/chat`) verifies the
household's token, sets the sender to the household's own id and signs the raw body with the
secret it shares with Rasa (`RASA_AUTH_TOKEN`):

    X-Chat-Timestamp: <unix seconds>
    X-Chat-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

A request without a valid signature, or signed more than five minutes away from now, is refused
with 401 before Rasa reads it, so nobody can speak as another household by choosing `sender`.
The same sentence typed on different phones may arrive composed (NFC) or decomposed (NFD); the
NLU sees one form. The URL stays /webhooks/rest/webhook.

After the signature, before Rasa reads a message: a body that is not a JSON object (or is nested
too deep) is a 400, a sender id longer than the backend's conversations column is a 400, and a
message over MAX_MESSAGE_CHARS is answered with a polite Vietnamese reply without reaching the NLU.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import action_results
from channels.limits import MAX_BODY_BYTES, SENDER_ID_MAX, TOO_LONG, parse_json, too_long

action_results.install()  # Rasa's check of action answers without re-checking its schema each time

SIGNATURE_HEADER = "X-Chat-Signature"
TIMESTAMP_HEADER = "X-Chat-Timestamp"
MAX_SKEW_SECONDS = 300


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


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of X-Chat-Signature for `body` sent at `timestamp` (the backend signs the same way)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, headers: Any, body: bytes, now: float) -> str | None:
    """None when the request is signed with `secret` within the allowed skew, else why not."""
    if not secret:
        return "the channel has no secret configured"
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    if not timestamp or not given:
        return "missing signature"
    try:
        skew = abs(now - int(timestamp))
    except ValueError:
        return "bad timestamp"
    if skew > MAX_SKEW_SECONDS:
        return "stale timestamp"
    if not hmac.compare_digest(given, signature(secret, timestamp, body)):
        return "bad signature"
    return None


class SignedRestInput(RestInput):
    """RestInput that accepts only requests signed by the backend's chat proxy."""

    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret if secret is not None else os.environ.get("RASA_AUTH_TOKEN", "")

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SignedRestInput:
        secret = (credentials or {}).get("secret")
        return cls(str(secret) if secret else None)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def require_signature(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            unsigned = verify(self.secret, request.headers, request.body or b"", time.time())
            if unsigned:
                return response.json({"error": "unauthorized", "reason": unsigned}, status=401)
            return refused(request)

        return webhook

    def _extract_message(self, req: Request) -> Any:
        text = super()._extract_message(req)
        return unicodedata.normalize("NFC", text) if isinstance(text, str) else text
