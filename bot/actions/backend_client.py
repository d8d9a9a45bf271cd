"""A small client for the backend's HTTP API (the action server never imports backend code)."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from datetime import date, datetime, timedelta, timezone
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


# Answers that change a few times a year (a new tariff decision): kept this many seconds, then
# asked again (with If-None-Match when the backend sent an ETag, so an unchanged table costs a 304).
CACHE_TTL = float(os.environ.get("BACKEND_CACHE_TTL", "600"))
CACHED_GETS = frozenset({"/api/v1/tariffs"})
# Bill estimates are a pure function of the body, the tariff table and today's date (Vietnam):
# the same "350 số" asked by a thousand households is computed once per TTL.
CACHED_POSTS = frozenset({"/api/v1/bills/estimate"})
VIETNAM = timedelta(hours=7)


def vietnam_today() -> date:
    """Today in Vietnam (UTC+7, no daylight saving), as the backend's clock has it."""
    return (datetime.now(timezone.utc) + VIETNAM).date()  # noqa: UP017 (3.10)


class _Entry:
    __slots__ = ("body", "etag", "fetched_at")

    def __init__(self, body: Any, etag: str | None, fetched_at: float) -> None:
        self.body, self.etag, self.fetched_at = body, etag, fetched_at


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
        self.cache_ttl = CACHE_TTL
        self._cache: dict[str, _Entry] = {}
        self._cache_lock = threading.Lock()
        self.cache_hits = 0
        self.fetches = 0  # requests that reached the backend

    def _cache_key(self, method: str, path: str, kwargs: dict[str, Any]) -> str | None:
        if method == "GET" and path in CACHED_GETS and not kwargs:
            return path
        if method == "POST" and path in CACHED_POSTS and set(kwargs) == {"json"}:
            today = vietnam_today().isoformat()
            return f"{path} {today} {json.dumps(kwargs['json'], sort_keys=True)}"
        return None

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        key = self._cache_key(method, path, kwargs)
        if key is None:
            return self._send(method, path, None, **kwargs)[0]
        with self._cache_lock:
            entry = self._cache.get(key)
        if entry is not None and time.monotonic() < entry.fetched_at + self.cache_ttl:
            self.cache_hits += 1
            return entry.body
        body, etag = self._send(method, path, entry, **kwargs)
        with self._cache_lock:
            if len(self._cache) >= 1000:  # bounded: estimates of odd amounts do not pile up
                self._cache.clear()
            self._cache[key] = _Entry(body, etag, time.monotonic())
        return body

    def _send(
        self, method: str, path: str, stale: _Entry | None, **kwargs: Any
    ) -> tuple[Any, str | None]:
        """(JSON body, ETag); a 304 to the If-None-Match of `stale` returns its body."""
        url = f"{self.base_url}{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        if stale is not None and stale.etag:
            headers["If-None-Match"] = stale.etag
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
            self.fetches += 1
            if response.status_code == 304 and stale is not None:
                return stale.body, stale.etag
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
            return body, response.headers.get("ETag")
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


_clients: dict[tuple[str, str], BackendClient] = {}
_clients_lock = threading.Lock()


def client() -> BackendClient:
    """The action server's client for the configured backend: one per BACKEND_URL and token, so
    its connections stay open between turns and its cache lives as long as the process."""
    fresh = BackendClient()
    key = (fresh.base_url, fresh.token)
    with _clients_lock:
        return _clients.setdefault(key, fresh)
