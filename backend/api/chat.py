from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.auth import current_household, household_required
from backend.clock import utc_now
from backend.extensions import db, limiter
from backend.models import MAX_INTEGER, ConversationStatus
from backend.services import handoff, household_inbox, privacy
from backend.services.chat import AssistantUnavailable, RasaLink, send_to_rasa
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


RESUMED = "Trợ lý tự động đã quay lại. Bạn cần tôi giúp gì ạ?"
WAITING = {
    "text": "Bạn đang chờ nhân viên chăm sóc khách hàng; tin nhắn của bạn đã được ghi lại. "
    "Nếu muốn, bạn có thể quay lại trò chuyện với trợ lý tự động.",
    "buttons": [{"title": "Quay lại trợ lý tự động", "payload": handoff.RESUME_COMMAND}],
}


NO_ANSWER = {
    "text": "Xin lỗi, trợ lý đang gặp sự cố khi tra cứu nên chưa trả lời được câu này. "
    "Bạn vui lòng thử lại sau ít phút nhé."
}


class AssistantDown(ServiceError):
    status = 503
    code = "assistant_unavailable"


@blp.after_request
def retry_after(response):
    """A client may try once more after a 503 (the assistant busy or restarting): say when."""
    if response.status_code == 503:
        response.headers.setdefault(
            "Retry-After", str(current_app.config["CHAT_RETRY_AFTER_SECONDS"])
        )
    return response


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
    rasa = RasaLink.from_config(current_app.config)
    try:
        if body["message"].strip() == handoff.RESUME_COMMAND:
            handoff.hand_back(db.session(), rasa, household.id)
            return {"messages": [{"text": RESUMED}]}
        messages = send_to_rasa(rasa, household.id, body["message"])
    except AssistantUnavailable as exc:
        raise AssistantDown(
            "Trợ lý đang bận hoặc tạm ngưng, bạn vui lòng thử lại sau ít phút."
        ) from exc
    # a turn that deleted the household was saved again by Rasa after the deletion: purge it now
    stores = privacy.Stores.from_config(current_app.config)
    if privacy.settle_after_turn(db.session(), household.id, stores=stores, now=utc_now()):
        return {"messages": messages}
    if not messages:
        # Rasa answers nothing when a custom action failed (action server down or broken); a
        # silent chat would look like a hang, so say so, unless staff is about to answer.
        status = handoff.status_of(db.session(), household.id)
        messages = (
            [WAITING]
            if status == ConversationStatus.WAITING
            else [NO_ANSWER]
            if status == ConversationStatus.BOT
            else []
        )
    return {"messages": messages}


class AgentMessagesQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_INTEGER))


class AgentMessageOut(Schema):
    id = fields.Integer()
    text = fields.String()
    at = fields.DateTime()


class AgentMessagesOut(Schema):
    status = fields.String(metadata={"description": "bot, waiting or taken_over"})
    messages = fields.List(fields.Nested(AgentMessageOut))


@blp.route("/chat/messages", methods=["GET"])
@household_required
@blp.doc(security=[{"household": []}])
@blp.arguments(AgentMessagesQuery, location="query")
@blp.response(200, AgentMessagesOut)
def agent_messages(query):
    """Messages customer-care staff sent to this household after message id `after` (polled
    by the app and the web chat while a person answers)."""
    household = current_household()
    return {
        "status": handoff.status_of(db.session(), household.id),
        "messages": handoff.agent_messages(db.session(), household, query["after"]),
    }


class HistoryQuery(Schema):
    before = fields.Integer(validate=validate.Range(min=1, max=MAX_INTEGER))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class HistoryMessageOut(Schema):
    id = fields.Integer()
    role = fields.String(metadata={"description": "user, bot or agent (customer-care staff)"})
    text = fields.String()
    at = fields.String(metadata={"example": "2026-12-01T02:00:00Z"})


class HistoryOut(Schema):
    status = fields.String(metadata={"description": "bot, waiting or taken_over"})
    messages = fields.List(fields.Nested(HistoryMessageOut))


@blp.route("/chat/history", methods=["GET"])
@household_required
@blp.doc(security=[{"household": []}])
@blp.arguments(HistoryQuery, location="query")
@blp.response(200, HistoryOut)
def chat_history(query):
    """The household's conversation from the backend's log, oldest first: the `limit` newest
    messages (before message id `before`, to page back). Button clicks appear as their payload
    (a text starting with "/"); staff messages have role `agent`."""
    household = current_household()
    rows = household_inbox.chat_history(
        db.session(), household=household, before_id=query.get("before"), limit=query["limit"]
    )
    return {
        "status": handoff.status_of(db.session(), household.id),
        "messages": [
            {
                "id": m.id,
                "role": m.role,
                "text": m.text,
                "at": m.at.replace(microsecond=0).isoformat() + "Z",
            }
            for m in rows
        ],
    }
