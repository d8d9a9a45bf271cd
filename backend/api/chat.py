from __future__ import annotations

import time
from pathlib import Path

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.auth import current_household, household_required
from backend.clock import utc_now
from backend.extensions import db, limiter
from backend.models import MAX_INTEGER, ConversationStatus
from backend.services import handoff, household_inbox, privacy
from backend.services.chat import (
    AssistantUnavailable,
    Overloaded,
    RasaLink,
    TurnGate,
    send_to_rasa,
    training_minutes_left,
)
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


class AssistantGettingReady(ServiceError):
    """The Rasa model is still training (first `make run`): everything but chat works."""

    status = 503
    code = "assistant_getting_ready"


GETTING_READY = (
    "Trợ lý đang được chuẩn bị cho lần chạy đầu tiên, còn khoảng {minutes} phút nữa. "
    "Trong lúc chờ, bạn vẫn xem được điện năng, hóa đơn và thông báo của mình."
)
GETTING_READY_RETRY_AFTER = 30


BUSY = (
    "Trợ lý đang có quá nhiều người hỏi cùng lúc nên chưa nhận được tin nhắn của bạn. "
    "Bạn vui lòng gửi lại sau vài giây nhé."
)


class ChatBusy(ServiceError):
    status = 503
    code = "chat_busy"

    def __init__(self, retry_after: int) -> None:
        super().__init__(BUSY)
        self.retry_after = retry_after


def turn_gate() -> TurnGate:
    """This process's gate (one per app object, so per gunicorn worker)."""
    gate = current_app.extensions.get("chat_turn_gate")
    if gate is None:
        config = current_app.config
        gate = current_app.extensions.setdefault(
            "chat_turn_gate",
            TurnGate(
                slots=config["CHAT_SLOTS"],
                queue=config["CHAT_QUEUE"],
                wait=config["CHAT_QUEUE_WAIT"],
                retry_after=config["CHAT_RETRY_AFTER"],
            ),
        )
    return gate


@blp.after_request
def _retry_after(response):
    """A turn the assistant could not take (busy, getting ready, down) says when to try again:
    the web page and the app retry once after it."""
    if response.status_code == 503:
        retry_after = g.get("chat_retry_after") or current_app.config["CHAT_RETRY_AFTER"]
        response.headers["Retry-After"] = str(retry_after)
    return response


@blp.before_request
def _turn_started() -> None:
    g.chat_started = time.perf_counter()
    g.chat_timing = {}


def _lap(name: str) -> None:
    """Milliseconds since the last lap (the request's start for the first) under `name`."""
    now = time.perf_counter()
    g.chat_timing[name] = (now - g.get("chat_lap", g.chat_started)) * 1000
    g.chat_lap = now


@blp.after_request
def _server_timing(response):
    """Where the turn's time went, for the benchmark and the browser's network panel:
    `auth` (sign-in: token and household), `limit` (the rate limit and the body), `queue`
    (waiting for a chat slot), `rasa` (Rasa's turn, connection included), `after` (the checks
    after the turn). Durations only, no data."""
    timing = g.get("chat_timing")
    if timing:
        response.headers["Server-Timing"] = ", ".join(
            f"{name};dur={took:.1f}" for name, took in timing.items()
        )
    return response


def _household_key() -> str:
    # the rate limit asks for its key right after the sign-in: the sign-in's lap ends here
    if "auth" not in g.chat_timing:
        _lap("auth")
    return f"chat:{current_household().id}"


@blp.route("/chat", methods=["POST"])
@household_required
@limiter.limit(lambda: current_app.config["CHAT_RATE_LIMIT"], key_func=_household_key)
@blp.doc(security=[{"household": []}])
@blp.arguments(ChatIn)
@blp.response(200, ChatOut)
def chat(body):
    """Send a message as the signed-in household; the sender id is always its own id."""
    household_id = current_household().id
    _lap("limit" if "auth" in g.chat_timing else "auth")
    rasa = RasaLink.from_config(current_app.config)
    gate = turn_gate()
    # no database connection held while the turn queues or Rasa thinks (seconds under load): end
    # the read-only transaction of the sign-in so the pool serves other requests meanwhile
    db.session.commit()
    try:
        gate.acquire()
        _lap("queue")
    except Overloaded as exc:
        g.chat_retry_after = exc.retry_after
        raise ChatBusy(exc.retry_after) from exc
    try:
        if body["message"].strip() == handoff.RESUME_COMMAND:
            handoff.hand_back(db.session(), rasa, household_id)
            _record(household_id, {"text": RESUMED}, "backend_resumed")
            return {"messages": [{"text": RESUMED}]}
        messages = send_to_rasa(rasa, household_id, body["message"])
        _lap("rasa")
    except AssistantUnavailable as exc:
        current_app.logger.warning("chat: Rasa did not answer the turn: %s", exc)
        minutes = training_minutes_left(
            marker=Path(current_app.config["BOT_TRAINING_MARKER"]), now=time.time()
        )
        if minutes is not None:
            g.chat_retry_after = GETTING_READY_RETRY_AFTER
            raise AssistantGettingReady(GETTING_READY.format(minutes=minutes)) from exc
        raise AssistantDown(
            "Trợ lý đang bận hoặc tạm ngưng, bạn vui lòng thử lại sau ít phút."
        ) from exc
    finally:
        gate.release()
    # a turn that deleted the household was saved again by Rasa after the deletion: purge it now
    stores = privacy.Stores.from_config(current_app.config)
    if privacy.settle_after_turn(db.session(), household_id, stores=stores, now=utc_now()):
        _lap("after")
        return {"messages": messages}
    if not messages:
        # Rasa answers nothing when a custom action failed (action server down or broken); a
        # silent chat would look like a hang, so say so, unless staff is about to answer.
        status = handoff.status_of(db.session(), household_id)
        if status == ConversationStatus.WAITING:
            messages = [WAITING]
            _record(household_id, WAITING, "backend_waiting")
        elif status == ConversationStatus.BOT:
            messages = [NO_ANSWER]
            _record(household_id, NO_ANSWER, "backend_no_answer")
    _lap("after")
    return {"messages": messages}


def _record(sender_id: str, message: dict, action: str) -> None:
    """Staff read in the transcript every reply the household saw, these ones too."""
    handoff.record_reply(
        db.session(),
        sender_id=sender_id,
        text=message["text"],
        action=action,
        buttons=message.get("buttons"),
        now=utc_now(),
    )


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
