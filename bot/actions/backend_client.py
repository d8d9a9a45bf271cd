"""A small client for the backend's HTTP API (the action server never imports backend code)."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import requests

log = logging.getLogger(__name__)


class BackendUnavailable(Exception):
    """The backend did not answer usefully; personal data cannot be shown right now."""


class BackendError(Exception):
    """The backend refused the request (4xx) with a JSON error {"code", "message", "field"?}."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.status = status
        self.code = body.get("code", "")
        self.message = body.get("message", "")


class BackendClient:
    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        timeout: float = 3.0,
        retries: int = 1,
    ) -> None:
        self.base_url = (
            base_url or os.environ.get("BACKEND_URL") or "http://127.0.0.1:5000"
        ).rstrip("/")
        self.token = token or os.environ.get("SERVICE_TOKEN") or "dev-service-token"
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base_url}{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=self.timeout, **kwargs
                )
            except requests.RequestException as exc:
                log.warning("backend %s %s failed: %s", method, path, exc)
                if attempt < self.retries:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise BackendUnavailable(str(exc)) from exc
            if response.status_code >= 500:
                if attempt < self.retries:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise BackendUnavailable(f"HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError as exc:
                raise BackendUnavailable("not JSON") from exc
            if response.status_code >= 400:
                raise BackendError(response.status_code, body if isinstance(body, dict) else {})
            return body
        raise BackendUnavailable("no attempt made")  # pragma: no cover

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        return self.request("POST", path, json=payload or {})

    def put(self, path: str, payload: dict[str, Any]) -> Any:
        return self.request("PUT", path, json=payload)

    def household_of(self, sender_id: str) -> dict[str, Any]:
        """{"household_id", "linked", "display_name", "province_code", "region"}."""
        return self.get(f"/api/v1/service/senders/{sender_id}")


def client() -> BackendClient:
    return BackendClient()
