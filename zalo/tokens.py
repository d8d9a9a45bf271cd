"""The Zalo OA access token and its single-use refresh token, shared by every process.

Stored as JSON (written to a temp file then os.replace'd) under an exclusive flock, so that when
several Rasa servers see error -216 at once only one uses the refresh token and the others pick up
the new access token it stored.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

log = logging.getLogger(__name__)


class TokenStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_suffix(self.path.suffix + ".lock")

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {
                "access_token": os.environ.get("ZALO_ACCESS_TOKEN", ""),
                "refresh_token": os.environ.get("ZALO_REFRESH_TOKEN", ""),
                "expires_at": 0,
            }

    def write(self, tokens: dict[str, Any]) -> None:
        temp = self.path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps(tokens), encoding="utf-8")
        os.replace(temp, self.path)

    def store_refreshed(self, response: dict[str, Any]) -> dict[str, Any]:
        tokens = {
            "access_token": response["access_token"],
            "refresh_token": response["refresh_token"],
            "expires_at": int(time.time()) + int(response.get("expires_in", 90000)),
        }
        self.write(tokens)
        return tokens


def refresh_access_token(
    store: TokenStore, oauth_base: str, app_id: str, app_secret_key: str, stale_token: str
) -> str:
    """Refresh once for every process: if another one already did, use the token it stored.

    Zalo's refresh token is single-use, so the exchange happens under the store's lock.
    """
    with store.locked():
        tokens = store.read()
        if tokens["access_token"] != stale_token:
            return str(tokens["access_token"])
        try:
            reply = requests.post(
                f"{oauth_base.rstrip('/')}/v4/oa/access_token",
                headers={"secret_key": app_secret_key},
                data={
                    "refresh_token": tokens["refresh_token"],
                    "app_id": app_id,
                    "grant_type": "refresh_token",
                },
                timeout=10,
            )
            body = reply.json()
        except (requests.RequestException, ValueError) as exc:
            log.error("zalo token refresh failed: %s", exc)
            return stale_token
        if "access_token" not in body:
            log.error("zalo token refresh failed: %s", body)
            return stale_token
        return str(store.store_refreshed(body)["access_token"])
