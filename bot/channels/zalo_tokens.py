"""The Zalo OA access token and its single-use refresh token, shared by every process.

Stored as JSON (written to a temp file then os.replace'd) under an exclusive flock, so that when
several Rasa servers see error -216 at once only one uses the refresh token and the others pick up
the new access token it stored.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


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
