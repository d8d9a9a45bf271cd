"""The OpenAPI document a mobile developer reads at /docs and /openapi.json.

flask-smorest writes the paths and schemas from the blueprints; this module adds what it cannot
know: how to authenticate, an example request and response for every operation (real answers
of the API, kept in `openapi_examples.json`), and every error status an operation can answer
with the error body exactly as `backend.errors` sends it. The action server's `/api/v1/service`
operations are internal: they stay out of the public document (`internal=True` keeps them, for
the tests that drive every operation).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import flask
from flask_smorest import Api
from marshmallow import Schema, fields
from swagger_ui_bundle import swagger_ui_path

from backend.errors import MESSAGES, error_payload

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")
INTERNAL_PREFIX = "/api/v1/service"
SWAGGER_UI_ASSETS = "/docs/assets/"  # OPENAPI_SWAGGER_UI_URL
METHODS = ("get", "post", "put", "patch", "delete")
DEMO_TOKEN_COMMAND = ".venv/bin/flask --app backend dev-token --household-id demo-1"

AUTHENTICATION = (
    "Every `/api/v1/me…` and `/api/v1/chat…` operation needs `Authorization: Bearer <token>`.\n\n"
    "* **Production** (`AUTH_MODE=firebase`): the Firebase ID token of the signed-in user "
    "(`await user.getIdToken()` on the web, `FirebaseAuth.getInstance().currentUser.getIdToken()` "
    "on Android, `Auth.auth().currentUser?.getIDToken()` on iOS). The backend verifies it "
    "with Firebase; the first call of a new user creates an empty household, filled with "
    "`PUT /api/v1/me`.\n"
    "* **Development** (`AUTH_MODE=demo`, the default of `make run`): a demo token printed by "
    f"`{DEMO_TOKEN_COMMAND}` (creates the household if missing; valid 30 days).\n\n"
    "A missing, expired or wrong token gets `401` with the error body below."
)

DESCRIPTION = (
    "The household's API of the energy-saving advisor: bills under Vietnam's tiered tariff, "
    "the household's profile, readings and usage, and chat with the assistant.\n\n"
    "## Authentication\n\n" + AUTHENTICATION + "\n\n"
    "## Errors\n\n"
    'Every error is JSON `{"code": ..., "message": ..., "field"?: ...}`: `code` is stable '
    "for programs (`unauthorized`, `invalid`, `conflict`, `rate_limited`, …), `message` is a "
    "Vietnamese sentence the app can show as it is, and `field` (for `422`, and some `404`/`409`) "
    "names the input that was refused, as a dotted path into the body (`renters.people`, "
    "`readings.0.kwh`). Money is in whole dong (VND); dates are `YYYY-MM-DD`."
)

HOUSEHOLD_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "Firebase ID token (demo token in development)",
    "description": AUTHENTICATION,
}


class Error(Schema):
    """The body of every error response (backend/errors.py)."""

    code = fields.String(
        required=True,
        metadata={"description": "machine-readable: unauthorized, invalid, conflict, …"},
    )
    message = fields.String(
        required=True, metadata={"description": "in Vietnamese, to show to the household as is"}
    )
    field = fields.String(
        metadata={"description": "the refused input, as a dotted path (422, some 404/409)"}
    )


# What each error status means, and a body the server really sends for it
ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "The body is not readable JSON",
        error_payload(400, "Dữ liệu gửi lên: nội dung không phải JSON hợp lệ."),
    ),
    401: ("No token, or an invalid or expired one", error_payload(401, MESSAGES[401])),
    404: ("Not found", error_payload(404, "Không tìm thấy thiết bị này của hộ.", "token")),
    409: (
        "Conflicts with what is stored",
        error_payload(409, "Đã có hóa đơn cho kỳ này.", "period_start"),
    ),
    413: ("The body is larger than 1 MB", error_payload(413, MESSAGES[413])),
    415: (
        "The body is not JSON",
        error_payload(415, "Dữ liệu gửi lên phải là JSON (Content-Type: application/json)."),
    ),
    422: (
        "An input was refused; `field` names it",
        error_payload(422, "Số kWh: phải từ 0 đến 10.000.000.", "kwh"),
    ),
    429: ("Too many requests; try again later", error_payload(429, MESSAGES[429])),
    503: (
        "The assistant (or the database) is unavailable; send the same request again later",
        error_payload(
            503,
            "Trợ lý đang bận hoặc tạm ngưng, bạn vui lòng thử lại sau ít phút.",
            code="assistant_unavailable",
        ),
    ),
}

# Statuses of one operation beyond those its inputs and security imply
EXTRA_STATUSES: dict[str, tuple[int, ...]] = {
    "POST /api/v1/chat": (429, 503),
    "POST /api/v1/me/meter-index": (409,),
    "POST /api/v1/me/bills": (409,),
    "DELETE /api/v1/me/devices": (404,),
    "POST /api/v1/me/notices/{notice_id}/read": (404,),
    "POST /api/v1/me/anomalies/{anomaly_id}/feedback": (404,),
    "POST /api/v1/me/anomalies/{anomaly_id}/repaired": (404, 409),
    "DELETE /api/v1/me/guest-stays/{stay_id}": (404,),
}


def _swagger_ui_asset(filename: str):
    return flask.send_from_directory(swagger_ui_path, filename, max_age=86400)


@cache
def examples() -> dict[str, dict[str, Any]]:
    """{"METHOD /path": {"request"?, "query"?, "status", "response"}}: real answers of the API."""
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))


def error_statuses(key: str, operation: dict[str, Any]) -> list[int]:
    """Every error status the operation can answer with."""
    statuses: set[int] = set(EXTRA_STATUSES.get(key, ()))
    if operation.get("security"):
        statuses.add(401)
    if "requestBody" in operation:
        statuses.update((400, 413, 415, 422))
    if any(p.get("in") == "query" for p in operation.get("parameters", [])):
        statuses.add(422)
    return sorted(statuses)


def _error_response(status: int) -> dict[str, Any]:
    description, body = ERRORS[status]
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": body,
            }
        },
    }


def schema_of(value: Any) -> dict[str, Any]:
    """A JSON schema read off an example (for the answers no marshmallow schema describes)."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        return {"type": "array", "items": schema_of(value[0]) if value else {}}
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: schema_of(v) for k, v in value.items()}}
    return {"nullable": True}


def _document_operation(key: str, operation: dict[str, Any]) -> None:
    operation.setdefault("description", operation.get("summary", ""))
    example = examples().get(key)
    responses = operation.setdefault("responses", {})
    if example is not None:
        if "request" in example and "requestBody" in operation:
            content = operation["requestBody"]["content"]["application/json"]
            content["example"] = example["request"]
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] in example.get("query", {}):
                parameter["example"] = example["query"][parameter["name"]]
        success = responses.setdefault(str(example["status"]), {"description": "OK"})
        if example.get("response") is not None:
            content = success.setdefault("content", {}).setdefault("application/json", {})
            content["example"] = example["response"]
            content.setdefault("schema", schema_of(example["response"]))
    for status in error_statuses(key, operation):
        responses[str(status)] = _error_response(status)
    operation["responses"] = dict(sorted(responses.items()))


def openapi_document(spec: dict[str, Any], *, internal: bool = False) -> dict[str, Any]:
    """The document as served: examples and error responses added; internal operations (and
    their security scheme) left out unless `internal`."""
    document = copy.deepcopy(spec)
    document.setdefault("info", {})["description"] = DESCRIPTION
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {
                "type": "string",
                "description": Error().fields["code"].metadata["description"],
            },
            "message": {
                "type": "string",
                "description": Error().fields["message"].metadata["description"],
            },
            "field": {
                "type": "string",
                "description": Error().fields["field"].metadata["description"],
            },
        },
    }
    schemes = components.setdefault("securitySchemes", {})
    schemes["household"] = HOUSEHOLD_SCHEME
    paths = document.get("paths", {})
    for path in list(paths):
        if path.startswith(INTERNAL_PREFIX) and not internal:
            del paths[path]
            continue
        for method, operation in paths[path].items():
            if method in METHODS:
                _document_operation(f"{method.upper()} {path}", operation)
    if not internal:
        schemes.pop("service", None)
        _drop_unused_schemas(document)
        used_tags = {
            tag
            for items in paths.values()
            for method, operation in items.items()
            if method in METHODS
            for tag in operation.get("tags", [])
        }
        document["tags"] = [t for t in document.get("tags", []) if t["name"] in used_tags]
    return document


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[-1]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(_refs(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(item) for item in value))
    return set()


def _drop_unused_schemas(document: dict[str, Any]) -> None:
    """Schemas only the internal operations used (their request bodies) leave with them."""
    schemas = document["components"]["schemas"]
    used = _refs(document.get("paths")) | _refs(document["components"].get("responses"))
    todo = list(used)
    while todo:
        for name in _refs(schemas.get(todo.pop(), {})) - used:
            used.add(name)
            todo.append(name)
    for name in set(schemas) - used:
        del schemas[name]


class DocumentedApi(Api):
    """flask-smorest's Api serving the completed public document at /openapi.json."""

    ERROR_SCHEMA = Error

    def _register_swagger_ui_rule(self, blueprint):
        """Swagger UI and its own files (the swagger-ui-bundle package), never a CDN: /docs
        works offline."""
        super()._register_swagger_ui_rule(blueprint)
        blueprint.add_url_rule(
            f"{SWAGGER_UI_ASSETS}<path:filename>",
            endpoint="swagger_ui_asset",
            view_func=_swagger_ui_asset,
        )

    def _openapi_json(self):
        return flask.current_app.response_class(
            json.dumps(openapi_document(self.spec.to_dict()), ensure_ascii=False, indent=2),
            mimetype="application/json",
        )

    def document(self, *, internal: bool = False) -> dict[str, Any]:
        return openapi_document(self.spec.to_dict(), internal=internal)
