"""Checks every request passes before a view, API or staff page."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import abort

from backend.services.storable import UNSTORABLE

UNSTORABLE_MESSAGE = "Có ký tự không hợp lệ (ký tự NUL hoặc mã Unicode hỏng)."
MAX_JSON_DEPTH = 32  # the deepest body of the API is 4 levels; a page of nesting is an attack
NESTED_MESSAGE = f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} tầng)."


def _depth(value: Any, limit: int) -> int:
    """How deep lists and objects nest in `value`, counted without recursion; stops past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            break
        stack.extend(
            (child, level + 1) for child in (item.values() if isinstance(item, dict) else item)
        )
    return deepest


def readable_json_body() -> Any:
    """The request's JSON body (None when there is none or it is not JSON). JSON nested past
    Python's recursion limit raised RecursionError inside the parser (a 500 on /api/v1/chat);
    it and any body nested past MAX_JSON_DEPTH are a 400 here, before a view or schema reads it."""
    if not request.is_json:
        return None
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        abort(400, message=NESTED_MESSAGE)
    if _depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        abort(400, message=NESTED_MESSAGE)
    return body


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
    cannot store is a 422 naming its field, not a 500 from the driver; JSON nested too deep is a
    400 (readable_json_body)."""
    body = readable_json_body()
    for location, values in (
        ("path", request.view_args or {}),
        ("query", {key: "\n".join(values) for key, values in request.args.lists()}),
        ("form", {key: "\n".join(values) for key, values in request.form.lists()}),
        ("json", body),
    ):
        field = _unstorable_field(values, "")
        if field is not None:
            abort(422, messages={location: {field or "body": [UNSTORABLE_MESSAGE]}})
