"""Database models. Import every model module here so Alembic sees all tables."""

from backend.models.anomalies import AnomalyEpisode, UsageScore
from backend.models.audit import AuditRecord
from backend.models.conversations import ChatMessage, Conversation, EventCursor
from backend.models.households import Device, Household, ZaloLinkCode
from backend.models.notifications import Notification, NotificationDelivery
from backend.models.outages import Outage
from backend.models.readings import Bill, DailyReading, MeterIndex
from backend.models.staff import StaffUser
from backend.models.weather import WeatherObservation

__all__ = [
    "AnomalyEpisode",
    "AuditRecord",
    "Bill",
    "ChatMessage",
    "Conversation",
    "DailyReading",
    "Device",
    "EventCursor",
    "Household",
    "MeterIndex",
    "Notification",
    "NotificationDelivery",
    "Outage",
    "StaffUser",
    "UsageScore",
    "WeatherObservation",
    "ZaloLinkCode",
]
