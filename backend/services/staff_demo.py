"""Demo conversations for the staff console (`flask staff seed-demo`, development only).

`add_conversation` stores a conversation the way the event consumer would (messages plus the
summary columns the list filters on); the browser tests use it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.billing import estimate_bill, kwh_for_budget
from backend.billing.peak_hours import peak_hours
from backend.content.facts import hours_text
from backend.models import CannedReply, ChatMessage, Conversation, ConversationStatus, Household
from backend.money import format_vnd


@dataclass(frozen=True)
class Said:
    role: str  # user, bot, agent
    text: str
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    is_fallback: bool = False


def user(text: str, intent: str, confidence: float, **entities: str) -> Said:
    """A user message; entities given as name=span (the span must occur in the text)."""
    spans = [
        {
            "entity": name,
            "value": span,
            "start": text.index(span),
            "end": text.index(span) + len(span),
        }
        for name, span in entities.items()
    ]
    fallback = intent == "nlu_fallback"
    return Said("user", text, intent, confidence, spans, fallback)


def bot(text: str) -> Said:
    return Said("bot", text)


def bill_line(kwh: int) -> str:
    """The demo's bill answer, computed by the engine (today's tariff and VAT)."""
    bill = estimate_bill(kwh)
    rate = round(bill.vat_rate * 100)
    return f"{kwh} kWh trong một tháng: {format_vnd(bill.total)} (đã gồm thuế GTGT {rate}%)."


def budget_line(amount: int) -> str:
    kwh, total = kwh_for_budget(amount)
    return f"Với {format_vnd(amount)} mỗi tháng, nhà bạn dùng được tối đa {kwh} kWh ({format_vnd(total)})."


def peak_line() -> str:
    current = peak_hours(date.today())["current"]
    return (
        f"Giờ cao điểm: {hours_text(current['peak'])}, từ {current['peak_days']}. "
        "Hộ gia đình không áp dụng giá theo giờ."
    )


def add_conversation(
    session: Session,
    sender_id: str,
    said: list[Said],
    started_at: datetime,
    channel: str = "rest",
    household_id: str | None = None,
    status: ConversationStatus = ConversationStatus.BOT,
) -> Conversation:
    user_said = [s for s in said if s.role == "user"]
    confidences = [s.confidence for s in user_said if s.confidence is not None]
    conversation = Conversation(
        sender_id=sender_id,
        channel=channel,
        household_id=household_id,
        status=status,
        waiting_since=started_at + timedelta(minutes=len(said))
        if status == ConversationStatus.WAITING
        else None,
        handoff_reason="request_human" if status == ConversationStatus.WAITING else None,
        started_at=started_at,
        last_message_at=started_at + timedelta(minutes=max(len(said) - 1, 0)),
        message_count=len(said),
        min_confidence=min(confidences) if confidences else None,
        had_fallback=any(s.is_fallback for s in user_said),
        human_requested=any(s.intent == "request_human" for s in user_said),
        tags=[],
    )
    session.add(conversation)
    session.flush()
    session.add_all(
        ChatMessage(
            sender_id=sender_id,
            event_key=f"demo:{sender_id}:{index}",
            at=started_at + timedelta(minutes=index),
            role=s.role,
            text=s.text,
            intent=s.intent,
            confidence=s.confidence,
            entities=s.entities,
            is_fallback=s.is_fallback,
        )
        for index, s in enumerate(said)
    )
    session.commit()
    return conversation


DEMO_CONVERSATIONS: list[tuple[str, str, int, ConversationStatus, list[Said]]] = [
    # sender, channel, days ago, status, messages
    (
        "demo-1",
        "rest",
        0,
        ConversationStatus.BOT,
        [
            user("350 số điện hết bao nhiêu tiền", "calculate_bill", 0.97, kwh="350"),
            bot(bill_line(350)),
            user("sao tháng này tiền điện tăng vọt vậy", "ask_bill_spike", 0.91),
            bot(
                "Kỳ này nhà bạn dùng nhiều điện hơn kỳ trước nên tiền điện tăng; phần dùng thêm tính ở bậc giá cao hơn."
            ),
        ],
    ),
    (
        "demo-5",
        "rest",
        0,
        ConversationStatus.WAITING,
        [
            user("nhà tôi tháng này dùng nhiều điện bất thường", "check_my_usage", 0.58),
            bot("Mấy ngày gần đây nhà bạn dùng cao hơn dự kiến khoảng 7 kWh mỗi ngày."),
            user("cho tôi gặp nhân viên, sđt 0912 345 678", "request_human", 0.88),
            bot("Tôi đã chuyển cuộc trò chuyện cho nhân viên chăm sóc khách hàng."),
        ],
    ),
    (
        "demo-2",
        "rest",
        1,
        ConversationStatus.BOT,
        [
            user("mã kh của tôi là PE01000123456, kiểm tra giúp", "check_my_usage", 0.42),
            bot("Xin lỗi, tôi chưa hiểu ý bạn. Bạn nói rõ hơn được không?"),
            user("tien dien thang nay bn", "calculate_bill", 0.36),
            bot("Bạn dùng bao nhiêu số điện (kWh) trong tháng?"),
        ],
    ),
    (
        "zalo-8812345",
        "zalo",
        2,
        ConversationStatus.BOT,
        [
            user(
                "ad oi may lanh de bn do thi tiet kiem",
                "ask_saving_tips",
                0.74,
                appliance="may lanh",
            ),
            bot("Bạn đặt điều hòa từ 26–27 °C trở lên và bật kèm quạt để mát mà tiết kiệm điện."),
            user("mình tên Hoa, địa chỉ 12 Lê Lợi, Huế, mai có cúp điện ko", "nlu_fallback", 0.31),
            bot("Xin lỗi, tôi chưa hiểu ý bạn. Bạn nói rõ hơn được không?"),
        ],
    ),
    (
        "demo-3",
        "rest",
        4,
        ConversationStatus.BOT,
        [
            user("giờ cao điểm là mấy giờ", "ask_peak_hours", 0.95),
            bot(peak_line()),
            user("cảm ơn", "thank", 0.99),
            bot("Không có gì ạ!"),
        ],
    ),
    (
        "demo-4",
        "rest",
        6,
        ConversationStatus.BOT,
        [
            user("500k thì dùng được bao nhiêu số", "ask_kwh_for_budget", 0.63, money="500k"),
            bot(budget_line(500_000)),
            user("lắp điện mặt trời có lợi ko", "ask_tariff", 0.52),
            bot("Biểu giá điện sinh hoạt có 6 bậc…"),
        ],
    ),
]


def seed_conversations(session: Session, *, today: date) -> int:
    """The demo conversations that are missing (the demo households must exist); returns how many
    were created."""
    existing = set(session.scalars(select(Conversation.sender_id)))
    households = set(session.scalars(select(Household.id)))
    created = 0
    for sender, channel, days_ago, status, said in DEMO_CONVERSATIONS:
        if sender in existing:
            continue
        household = sender if sender in households else None
        started = datetime.combine(today - timedelta(days=days_ago), time(2, 30))
        add_conversation(session, sender, said, started, channel, household, status)
        created += 1
    return created


DEMO_CANNED_REPLIES = [
    (
        "Chào khách",
        "Chào anh/chị, em là nhân viên chăm sóc khách hàng. Em xem giúp anh/chị ngay ạ.",
    ),
    (
        "Xin chỉ số công tơ",
        "Anh/chị cho em xin chỉ số công tơ hiện tại và ngày ghi để em kiểm tra hóa đơn nhé.",
    ),
    (
        "Kết thúc",
        "Cảm ơn anh/chị đã liên hệ. Nếu cần thêm, anh/chị cứ nhắn trong cuộc trò chuyện này nhé.",
    ),
]


def seed_canned_replies(session: Session) -> int:
    """The demo canned replies that are missing; returns how many were created."""
    existing = set(session.scalars(select(CannedReply.title)))
    missing = [(t, text) for t, text in DEMO_CANNED_REPLIES if t not in existing]
    session.add_all(CannedReply(title=t, text=text, updated_by="demo") for t, text in missing)
    session.commit()
    return len(missing)
