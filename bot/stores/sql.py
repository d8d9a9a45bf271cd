"""Rasa's SQL tracker store and SQL event broker, made to survive a database restart.

Rasa creates their engines without `pool_pre_ping`: after PostgreSQL restarts, every pooled
connection is dead, the next save (which first publishes to the event broker) fails, and Rasa's
fail-safe wrapper quietly keeps the turn in an in-memory tracker of that one server. With two
Rasa servers the other one then sees a conversation without that turn (a form forgets its
question). Checking each connection on checkout replaces dead ones before they are used.

Two servers starting at the same instant both run the broker's CREATE TABLE and PostgreSQL
refuses the second ("already exists"); unlike the tracker store, Rasa's broker does not retry,
so the server died at start-up. The broker here tries again once the other one has created it.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


def _pre_pinging(engine: sa.engine.Engine) -> sa.engine.Engine:
    url = engine.url
    engine.dispose()
    return sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))


class ResilientSQLTrackerStore(SQLTrackerStore):
    """`type: stores.sql.ResilientSQLTrackerStore` in endpoints (same keys as `type: SQL`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engine = _pre_pinging(self.engine)  # type: ignore[has-type]
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


CREATE_ATTEMPTS = 5


class ResilientSQLEventBroker(SQLEventBroker):
    """`type: stores.sql.ResilientSQLEventBroker` in endpoints (same keys as `type: SQL`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for attempt in range(CREATE_ATTEMPTS):
            try:
                super().__init__(*args, **kwargs)
                break
            except (sa.exc.IntegrityError, sa.exc.ProgrammingError) as exc:
                if attempt == CREATE_ATTEMPTS - 1 or "already exists" not in str(exc.orig):
                    raise
                time.sleep(1)  # another server is creating the table right now
        self.engine = _pre_pinging(self.engine)  # type: ignore[has-type]
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
