from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.auth import current_household, household_required
from backend.extensions import limiter
from backend.services.chat import AssistantUnavailable, send_to_rasa
from backend.services.errors import ServiceError

blp = Blueprint("chat", __name__, url_prefix="/api/v1", description="Chat with the assistant")


class ChatIn(Schema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ButtonOut(Schema):
    title = fields.String()
    payload = fields.String()


class MessageOut(Schema):
    text = fields.String()
    buttons = fields.List(fields.Nested(ButtonOut))
    image = fields.String()


class ChatOut(Schema):
    messages = fields.List(fields.Nested(MessageOut))


class AssistantDown(ServiceError):
    status = 503
    code = "assistant_unavailable"


def _household_key() -> str:
    return f"chat:{current_household().id}"


@blp.route("/chat", methods=["POST"])
@household_required
@limiter.limit(lambda: current_app.config["CHAT_RATE_LIMIT"], key_func=_household_key)
@blp.doc(security=[{"household": []}])
@blp.arguments(ChatIn)
@blp.response(200, ChatOut)
def chat(body):
    """Send a message as the signed-in household; the sender id is always its own id."""
    household = current_household()
    try:
        messages = send_to_rasa(
            current_app.config["RASA_URL"],
            household.id,
            body["message"],
            current_app.config["RASA_TIMEOUT"],
        )
    except AssistantUnavailable as exc:
        raise AssistantDown(
            "Trợ lý đang bận hoặc tạm ngưng, bạn vui lòng thử lại sau ít phút."
        ) from exc
    return {"messages": messages}
