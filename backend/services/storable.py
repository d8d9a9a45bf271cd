"""Text the database cannot store: NUL (PostgreSQL refuses it in text columns) and a lone UTF-16
surrogate (no driver encodes it as UTF-8). Requests holding either are refused (backend/guards.py);
what arrives another way, such as a chat message through Rasa's event broker, is kept readable."""

from __future__ import annotations

import re
from typing import Any

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """`value` with every unstorable character of its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value
