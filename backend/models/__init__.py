"""Database models. Import every model module here so Alembic sees all tables."""

from backend.models.anomalies import AnomalyEpisode, UsageScore
from backend.models.audit import AuditRecord
from backend.models.households import Device, Household, ZaloLinkCode
from backend.models.readings import Bill, DailyReading, MeterIndex
from backend.models.weather import WeatherObservation

__all__ = [
    "AnomalyEpisode",
    "AuditRecord",
    "Bill",
    "DailyReading",
    "Device",
    "Household",
    "MeterIndex",
    "UsageScore",
    "WeatherObservation",
    "ZaloLinkCode",
]
