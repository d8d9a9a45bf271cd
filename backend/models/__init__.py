"""Database models. Import every model module here so Alembic sees all tables."""

from backend.models.anomalies import AnomalyEpisode, GuestStay, UsageScore
from backend.models.audit import AuditRecord
from backend.models.budgets import Budget, ProjectionAlert, WeatherForecast
from backend.models.conversations import (
    CannedReply,
    ChatMessage,
    Conversation,
    ConversationRead,
    ConversationStatus,
    DeadLetterEvent,
    EventCursor,
)
from backend.models.households import (
    Device,
    Household,
    RenterStatus,
    ZaloLinkCode,
    ZaloLinkFailure,
)
from backend.models.notifications import (
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationStatus,
)
from backend.models.outages import Outage
from backend.models.privacy import ForgottenSender
from backend.models.readings import Bill, DailyReading, MeterIndex
from backend.models.staff import StaffLoginFailure, StaffSession, StaffUser
from backend.models.weather import WeatherObservation

# the largest value an Integer column holds (PostgreSQL `integer`; SQLite's is larger): an id or
# amount taken from a request is checked against it, so a huge one is a clear 4xx, not a driver
# overflow
MAX_INTEGER = 2**31 - 1

__all__ = [
    "MAX_INTEGER",
    "AnomalyEpisode",
    "AuditRecord",
    "Bill",
    "Budget",
    "CannedReply",
    "ChatMessage",
    "Conversation",
    "ConversationRead",
    "ConversationStatus",
    "DailyReading",
    "DeadLetterEvent",
    "DeliveryStatus",
    "Device",
    "EventCursor",
    "ForgottenSender",
    "GuestStay",
    "Household",
    "MeterIndex",
    "Notification",
    "NotificationDelivery",
    "NotificationStatus",
    "Outage",
    "ProjectionAlert",
    "RenterStatus",
    "StaffLoginFailure",
    "StaffSession",
    "StaffUser",
    "UsageScore",
    "WeatherForecast",
    "WeatherObservation",
    "ZaloLinkCode",
    "ZaloLinkFailure",
]
