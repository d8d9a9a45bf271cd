"""What every input channel refuses before the NLU sees it: over-long messages and sender ids,
JSON nested too deep, and (Zalo) a sender sending faster than a person types.

A 200 KB message kept Rasa busy for 7.6 s; the backend's /api/v1/chat already caps at 2,000
characters, which is also Zalo's own limit for one text message.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import redis

MAX_MESSAGE_CHARS = 2000
SENDER_ID_MAX = 96  # the backend's conversations.sender_id
MAX_BODY_BYTES = 64 * 1024  # one chat message with its envelope is far below this
TOO_LONG = (
    "Tin nhắn của bạn dài quá 2.000 ký tự nên trợ lý chưa đọc được. "
    "Bạn vui lòng gửi ngắn gọn hơn hoặc chia thành vài tin nhắn nhé."
)
TOO_FAST = (
    "Bạn đang gửi tin nhắn nhanh quá nên trợ lý chưa kịp trả lời. "
    "Bạn vui lòng đợi một chút rồi gửi lại nhé."
)


def parse_json(raw: bytes) -> tuple[Any, str | None]:
    """(value, None) or (None, why) — JSON nested past Python's recursion limit is refused
    instead of raising RecursionError out of the handler (a 500)."""
    try:
        return json.loads(raw), None
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError:
        return None, "malformed JSON"


def too_long(text: Any) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS


class SenderRate:
    """At most `limit` messages per `window` seconds (a fixed window) per sender: counted in
    Redis when given (every Rasa server of a pool shares the count), else in this process."""

    def __init__(self, limit: int, window: int = 60, redis_url: str = "") -> None:
        self.limit, self.window = limit, window
        self.redis = redis.Redis.from_url(redis_url, socket_timeout=2) if redis_url else None
        self.local: dict[tuple[str, int], int] = {}
        self.lock = threading.Lock()

    def over(self, sender: str) -> int:
        """Counts this message: 0 while within the limit, else how many messages past it (1 for
        the first refused one, so a notice is sent once per window, not to every message)."""
        if self.limit <= 0:
            return 0
        slot = int(time.time() // self.window)
        count = None
        if self.redis is not None:
            key = f"zalo:rate:{sender}:{slot}"
            try:
                count = int(self.redis.incr(key))
                if count == 1:
                    self.redis.expire(key, self.window * 2)
            except redis.RedisError:
                count = None  # the shared store is down: count on this server rather than refuse
        if count is None:
            with self.lock:
                if len(self.local) > 100_000:  # forget past windows
                    for old in [k for k in self.local if k[1] < slot]:
                        del self.local[old]
                count = self.local[(sender, slot)] = self.local.get((sender, slot), 0) + 1
        return max(0, count - self.limit)
