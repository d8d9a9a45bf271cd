"""Rasa 3.6's SQL tracker store and SQL event broker for backend tests: their real table schemas
(copied from rasa/core/tracker_store.py `SQLEvent` and rasa/core/brokers/sql.py `SQLBrokerEvent`)
and a writer that saves a conversation the way `SQLTrackerStore.save` does (stream the events
the stored tracker lacks to the broker, then append the events past the stored count), on SQLite
files or, under scripts/with-postgres.sh, on two PostgreSQL databases of the test cluster."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
    text,
)
from sqlalchemy.engine import make_url

TRACKER = MetaData()
Table(
    "events",
    TRACKER,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
BROKER = MetaData()
Table(
    "events",
    BROKER,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


def database_url(tmp_path: Path, name: str) -> Iterator[str]:
    """A fresh database for one of Rasa's stores: PostgreSQL when the tests run on it."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    database = f"forget_{name}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {database}"))
    try:
        yield make_url(base).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        admin.dispose()


def user(text_: str, intent: str, at: float | None = None) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": at or time.time(),
        "metadata": {},
        "text": text_,
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.97},
            "entities": [],
            "text": text_,
            "message_id": uuid.uuid4().hex,
            "metadata": {},
        },
        "input_channel": "rest",
        "message_id": uuid.uuid4().hex,
    }


def bot(text_: str, utter: str | None = None, at: float | None = None) -> dict[str, Any]:
    return {
        "event": "bot",
        "timestamp": at or time.time(),
        "metadata": {"utter_action": utter} if utter else {},
        "text": text_,
        "data": {"elements": None, "quick_replies": None, "buttons": None},
    }


def action(name: str, at: float | None = None) -> dict[str, Any]:
    return {
        "event": "action",
        "timestamp": at or time.time(),
        "metadata": {},
        "name": name,
        "policy": "RulePolicy",
        "confidence": 1.0,
    }


def slot(name: str, value: Any, at: float | None = None) -> dict[str, Any]:
    return {"event": "slot", "timestamp": at or time.time(), "name": name, "value": value}


@dataclass
class RasaStores:
    """The tracker store and the event broker, and Rasa's in-memory trackers between turns."""

    tracker: Engine
    broker: Engine
    sessions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def create(cls, tracker_url: str, broker_url: str) -> RasaStores:
        tracker, broker = create_engine(tracker_url), create_engine(broker_url)
        TRACKER.create_all(tracker)
        BROKER.create_all(broker)
        return cls(tracker, broker)

    def turn(self, sender: str, *events: dict[str, Any]) -> None:
        """Rasa's processor: the tracker is loaded once per turn, grows, then is saved."""
        session = self.sessions.setdefault(sender, [])
        if not session:
            session += [
                action("action_session_start"),
                {"event": "session_started", "timestamp": time.time(), "metadata": {}},
                action("action_listen"),
            ]
        session += events
        self.save(sender)

    def save(self, sender: str) -> None:
        """SQLTrackerStore.save: `stream_events` publishes what the stored tracker lacks (all of
        the session when the store has none), then the events past the stored count are added."""
        session = self.sessions[sender]
        with self.tracker.begin() as connection:
            stored = connection.execute(
                text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}
            ).scalar()
        with self.broker.begin() as connection:
            for event in session[stored:]:
                body = {"sender_id": sender, **event}
                connection.execute(
                    text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"),
                    {"s": sender, "d": json.dumps(body)},
                )
        with self.tracker.begin() as connection:
            for event in session[stored:]:
                connection.execute(
                    text(
                        "INSERT INTO events (sender_id, type_name, timestamp, intent_name,"
                        " action_name, data) VALUES (:s, :t, :ts, :i, :a, :d)"
                    ),
                    {
                        "s": sender,
                        "t": event["event"],
                        "ts": event.get("timestamp"),
                        "i": (event.get("parse_data") or {}).get("intent", {}).get("name"),
                        "a": event.get("name"),
                        "d": json.dumps(event),
                    },
                )

    def count(self, engine: Engine, sender: str) -> int:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}
            ).scalar()

    def dispose(self) -> None:
        self.tracker.dispose()
        self.broker.dispose()


def dump(engine: Engine) -> str:
    """Every row of every table of a database, as text (for searching what is left)."""
    parts: list[str] = []
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        for table in tables:
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                # str, not repr: repr would double the backslashes of JSON's \uXXXX escapes
                parts.append(f"{table}: " + " | ".join(str(value) for value in row))
    return "\n".join(parts)


def needles(*values: str) -> list[str]:
    """The values as typed and as JSON escapes them (Rasa stores `json.dumps`, ASCII only)."""
    found: list[str] = []
    for value in values:
        found += [value, json.dumps(value)[1:-1]]
    return found
