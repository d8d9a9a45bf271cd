"""Blocking Zalo OA client for the backend and workers: customer-service messages and ZNS.

- `send_text`: a free reply, allowed in the 48 hours after the user's last message.
- `send_zns`: a pre-approved template to a phone number, for notices outside that window.
Zalo answers failures with HTTP 200 and a non-zero `error`; those raise `ZaloError`. An expired
access token (-216) is refreshed once, shared with every other process through `TokenStore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from zalo.tokens import TokenStore, refresh_access_token

TOKEN_EXPIRED = -216


class ZaloError(Exception):
    """Zalo refused the message (`code` is Zalo's error number, 0 when the HTTP call failed).

    `transient` when trying again later may succeed: no answer, a timeout, HTTP 429 or 5xx
    (`retry_after` seconds, from Retry-After, at most 10)."""

    def __init__(self, code: int, message: str, *, retry_after: float = 0.0) -> None:
        super().__init__(f"zalo error {code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.code == 0


@dataclass
class OaClient:
    api_base: str
    oauth_base: str
    zns_base: str
    app_id: str
    app_secret_key: str
    store: TokenStore
    timeout: float = 10.0

    def send_text(self, user_id: str, text: str) -> str:
        """Send one text to a user who wrote to the OA; returns Zalo's message id."""
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        return self._send(f"{self.api_base.rstrip('/')}/v3.0/oa/message/cs", body)

    def send_zns(
        self, phone: str, template_id: str, template_data: dict[str, Any], tracking_id: str
    ) -> str:
        """Send an approved ZNS template to `phone` (84… form); returns Zalo's message id."""
        body = {
            "phone": phone,
            "template_id": template_id,
            "template_data": template_data,
            "tracking_id": tracking_id,
        }
        return self._send(f"{self.zns_base.rstrip('/')}/message/template", body)

    def _send(self, url: str, body: dict[str, Any]) -> str:
        token = str(self.store.read()["access_token"])
        result = self._post(url, token, body)
        if result.get("error") == TOKEN_EXPIRED:
            token = refresh_access_token(
                self.store, self.oauth_base, self.app_id, self.app_secret_key, token
            )
            result = self._post(url, token, body)
        if result.get("error") != 0:
            raise ZaloError(int(result.get("error") or -1), str(result.get("message", "")))
        return str((result.get("data") or {}).get("message_id", ""))

    def _post(self, url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = requests.post(
                url, json=body, headers={"access_token": token}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise ZaloError(0, f"{type(exc).__name__}: {exc}") from exc
        if reply.status_code == 429 or reply.status_code >= 500:
            header = reply.headers.get("Retry-After", "")
            wait = min(float(header), 10.0) if header.isdigit() else 0.0
            raise ZaloError(0, f"HTTP {reply.status_code}", retry_after=wait)
        try:
            result = reply.json()
        except ValueError as exc:
            raise ZaloError(0, str(exc)) from exc
        if not isinstance(result, dict):
            raise ZaloError(0, f"unexpected answer: {result!r}")
        return result
