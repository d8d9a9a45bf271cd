"""Zalo Official Account channel: POST /webhooks/zalo/webhook.

Verifies X-ZEvent-Signature (sha256 of app_id + raw body + timestamp + OA secret key), refuses
events older than 5 minutes, acknowledges at once and processes in the background, ignores a
repeated msg_id, and replies through the OA API, refreshing the access token on error -216.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import redis
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.limits import (
    MAX_BODY_BYTES,
    TOO_FAST,
    TOO_LONG,
    SenderRate,
    parse_json,
    too_long,
)
from zalo.oa import OaClient, ZaloError
from zalo.tokens import TokenStore

log = logging.getLogger(__name__)

MAX_AGE_MS = 5 * 60 * 1000
MAX_TEXT = 2000  # Zalo's limit for one text message
SENDER_PREFIX = "zalo-"
ZALO_USER_ID_MAX = 32  # digits; the backend links ids of 1 to 32 digits
RATE_PER_MINUTE = 20  # messages a minute from one sender: more than a person types
# Said when a turn ends without any reply (a custom action failed: action server down or broken),
# as the web and app chat do, so the household is not left waiting in silence.
NO_ANSWER = (
    "Xin lỗi, trợ lý đang gặp sự cố khi tra cứu nên chưa trả lời được câu này. "
    "Bạn vui lòng thử lại sau ít phút nhé."
)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at line, then sentence, then word boundaries so no part exceeds `limit`."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n"), window.rfind(". ") + 1, 0)
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts


class ZaloApi:
    """The channel's replies through the one OA client (`zalo.oa.OaClient`, shared with the
    backend and the notification workers: same request, same -216 token refresh), run off the
    event loop, retried with growing pauses while Zalo is unreachable, slow, 429 or 5xx."""

    def __init__(
        self,
        api_base: str,
        oauth_base: str,
        app_id: str,
        app_secret_key: str,
        store: TokenStore,
        send_timeout: float = 5.0,
        backoff: tuple[float, ...] = (0.5, 2.0, 5.0),
    ) -> None:
        self.client = OaClient(
            api_base=api_base,
            oauth_base=oauth_base,
            zns_base="",
            app_id=app_id,
            app_secret_key=app_secret_key,
            store=store,
            timeout=send_timeout,
        )
        self.backoff = backoff

    async def send_text(self, user_id: str, text: str) -> str | None:
        """Zalo's message id, or None when it could not be delivered (logged with the reason)."""
        loop = asyncio.get_running_loop()
        for pause in (*self.backoff, None):
            try:
                return await loop.run_in_executor(None, self.client.send_text, user_id, text)
            except ZaloError as exc:
                if not exc.transient or pause is None:
                    log.error("zalo send to %s failed: %s", user_id, exc)
                    return None
                wait = max(pause, exc.retry_after)
                log.warning("zalo send: %s; retrying in %.1f s", exc, wait)
                await asyncio.sleep(wait)
        return None


class ZaloOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "zalo"

    def __init__(self, api: ZaloApi) -> None:
        self.api = api
        self.sent = 0  # replies of this turn

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        user_id = recipient_id.removeprefix(SENDER_PREFIX)
        self.sent += 1
        for part in split_text(text):
            await self.api.send_text(user_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = "\n".join(f"• {button['title']}" for button in buttons)
        await self.send_text_message(recipient_id, f"{text}\n{choices}")

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)


class ZaloInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ZaloInput:
        return cls(**(credentials or {}))

    def __init__(
        self,
        app_id: str = "",
        oa_secret_key: str = "",
        app_secret_key: str = "",
        api_base: str = "",
        oauth_base: str = "",
        token_file: str = "",
        seen_capacity: int = 10_000,
        send_timeout: float = 5.0,
        rate_per_minute: int | str = RATE_PER_MINUTE,
        rate_window: int | str = 60,
    ) -> None:
        self.app_id = str(app_id or "")
        self.oa_secret_key = str(oa_secret_key or "")
        store = TokenStore(token_file or os.path.join("..", "var", "zalo_tokens.json"))
        self.api = ZaloApi(
            api_base or "https://openapi.zalo.me",
            oauth_base or "https://oauth.zaloapp.com",
            self.app_id,
            str(app_secret_key or ""),
            store,
            send_timeout=float(send_timeout),
        )
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.seen_capacity = seen_capacity
        # Several Rasa servers behind a load balancer must share what they have seen, or a
        # replayed msg_id reaching another server is answered twice: Redis when configured.
        replay_redis = os.environ.get("ZALO_REPLAY_REDIS_URL")
        self.seen_redis = (
            redis.Redis.from_url(replay_redis, socket_timeout=2) if replay_redis else None
        )
        self.tasks: set[asyncio.Task[Any]] = set()
        self.rate = SenderRate(
            int(rate_per_minute or 0), int(rate_window or 60), replay_redis or ""
        )

    def signature_ok(self, raw: bytes, timestamp: str, header: str) -> bool:
        if not self.oa_secret_key:
            return False  # never accept unsigned events
        digest = hashlib.sha256(
            self.app_id.encode() + raw + timestamp.encode() + self.oa_secret_key.encode()
        ).hexdigest()
        return hmac.compare_digest(header.strip(), f"mac={digest}")

    def first_time(self, msg_id: str) -> bool:
        if self.seen_redis is not None:
            try:  # SET NX: exactly one server of the pool wins; kept one day (Zalo retries less)
                return bool(self.seen_redis.set(f"zalo:msg:{msg_id}", 1, nx=True, ex=86_400))
            except redis.RedisError:
                log.warning("replay store down; msg_id %s checked on this server only", msg_id)
        if msg_id in self.seen:
            return False
        self.seen[msg_id] = None
        if len(self.seen) > self.seen_capacity:
            self.seen.popitem(last=False)
        return True

    async def answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: UserMessage,
        agent: Any,
    ) -> None:
        """Run the turn; when it ends without a reply and staff has not taken the conversation
        over (Rasa's pause), apologise instead of leaving the household in silence."""
        try:
            await on_new_message(message)
        except Exception:
            log.exception("turn of %s failed", message.sender_id)
        output = message.output_channel
        if not isinstance(output, ZaloOutput) or output.sent:
            return
        if agent is not None:
            tracker = await agent.tracker_store.retrieve(message.sender_id)
            if tracker is not None and tracker.is_paused():
                return
        try:
            await output.send_text_message(str(message.sender_id), NO_ANSWER)
        except Exception:
            log.exception("apology to %s not delivered", message.sender_id)

    def reply_later(self, sender_id: str, text: str) -> None:
        async def send() -> None:
            try:
                await ZaloOutput(self.api).send_text_message(sender_id, text)
            except Exception:
                log.exception("notice to %s not delivered", sender_id)

        task = asyncio.create_task(send())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("zalo_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            # "pending": turns and notices still being answered in the background
            return response.json({"status": "ok", "pending": len(self.tasks)})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            raw = request.body or b""
            if len(raw) > MAX_BODY_BYTES:
                return response.json({"error": "event too large"}, status=413)
            event, problem = parse_json(raw)
            if problem:
                return response.json({"error": f"malformed event: {problem}"}, status=400)
            try:
                timestamp = str(event["timestamp"])
                sent_ms = int(timestamp)
            except (ValueError, KeyError, TypeError):
                return response.json({"error": "malformed event"}, status=400)
            if not self.signature_ok(raw, timestamp, request.headers.get("X-ZEvent-Signature", "")):
                return response.json({"error": "bad signature"}, status=401)
            if abs(time.time() * 1000 - sent_ms) > MAX_AGE_MS:
                return response.json({"error": "stale event"}, status=401)
            if event.get("event_name") != "user_send_text":
                return response.json({"status": "ignored"})
            message = event.get("message") or {}
            sender = str((event.get("sender") or {}).get("id") or "")
            msg_id = str(message.get("msg_id") or "")
            text = message.get("text")
            if not sender or not isinstance(text, str) or not text.strip():
                return response.json({"error": "no sender or text"}, status=400)
            if not sender.isdigit() or len(sender) > ZALO_USER_ID_MAX:
                return response.json({"error": "sender.id is not a Zalo user id"}, status=400)
            if msg_id and not self.first_time(msg_id):
                return response.json({"status": "duplicate"})
            # refused before the NLU, with a polite word to the household (in the background)
            over = self.rate.over(sender)
            if over:
                if over == 1:  # once per window, not an answer to every message of a flood
                    self.reply_later(f"{SENDER_PREFIX}{sender}", TOO_FAST)
                return response.json({"status": "rate_limited"})
            if too_long(text):
                self.reply_later(f"{SENDER_PREFIX}{sender}", TOO_LONG)
                return response.json({"status": "too_long"})
            user_message = UserMessage(
                unicodedata.normalize("NFC", text),
                ZaloOutput(self.api),
                f"{SENDER_PREFIX}{sender}",
                input_channel=self.name(),
                message_id=msg_id or None,
                metadata={"zalo_timestamp": timestamp},
            )
            task = asyncio.create_task(  # acknowledge Zalo within 2 s, answer in the background
                self.answer(on_new_message, user_message, getattr(request.app.ctx, "agent", None))
            )
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            return response.json({"status": "accepted"})

        return webhook
