"""Checks every request passes before a view, API or staff page."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import abort

from backend.services.storable import UNSTORABLE

UNSTORABLE_MESSAGE = "Có ký tự không hợp lệ (ký tự NUL hoặc mã Unicode hỏng)."


def _unstorable_field(value: Any, path: str) -> str | None:
    """The path ("renters.0.name") of the first string in `value` that cannot be stored."""
    if isinstance(value, str):
        return path if UNSTORABLE.search(value) else None
    if isinstance(value, dict | list):
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(key, str) and UNSTORABLE.search(key):
                return path  # a key cannot name itself: its object is the field
            found = _unstorable_field(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
    return None


def storable_text_only() -> None:
    """Every request, API or staff page: a path, query, form or JSON string that the database
    cannot store is a 422 naming its field, not a 500 from the driver."""
    body = request.get_json(silent=True) if request.is_json else None
    for location, values in (
        ("path", request.view_args or {}),
        ("query", {key: "\n".join(values) for key, values in request.args.lists()}),
        ("form", {key: "\n".join(values) for key, values in request.form.lists()}),
        ("json", body),
    ):
        field = _unstorable_field(values, "")
        if field is not None:
            abort(422, messages={location: {field or "body": [UNSTORABLE_MESSAGE]}})
