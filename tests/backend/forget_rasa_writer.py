"""Run with bot/.venv's Python (tests/backend/test_forget_real_rasa.py does): Rasa 3.6's own
SQLTrackerStore and SQLEventBroker save a conversation on SQLite files.

    forget_rasa_writer.py TRACKER_DB BROKER_DB SENDER chat|confirm

`chat`: one exchange in which the household gives its phone number. `confirm`: the turn of a
confirmed deletion, as Rasa's processor runs it: the tracker is loaded and the user's "Có"
logged, then (after a line on stdin: the backend deletes the household meanwhile) the action,
the bot's confirmation and action_listen are added and the tracker is saved.
"""

import asyncio
import sqlite3
import sys

from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)

TYPED = "nhà tôi nuôi con mèo tên Mướp-7Q, số 0912345678"
CONFIRMATION = "Đã xóa toàn bộ dữ liệu của hộ gia đình bạn và lịch sử trò chuyện."


async def main(tracker_db: str, broker_db: str, sender: str, phase: str) -> None:
    domain = Domain.from_dict(
        {"slots": {"phone": {"type": "text", "mappings": [{"type": "custom"}]}}}
    )
    store = SQLTrackerStore(domain=domain, db=tracker_db, event_broker=SQLEventBroker(db=broker_db))
    tracker = await store.get_or_create_tracker(sender)
    if phase == "chat":
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(TYPED, {"name": "inform", "confidence": 0.9}))
        tracker.update(SlotSet("phone", "0912345678"))
        tracker.update(BotUttered("Cảm ơn chị Nguyễn Thị Lan"))
        tracker.update(ActionExecuted("action_listen"))
    else:
        tracker.update(UserUttered("Có", {"name": "affirm", "confidence": 0.99}))
        print("loaded", flush=True)
        sys.stdin.readline()
        tracker.update(ActionExecuted("action_apply_change"))
        tracker.update(BotUttered(CONFIRMATION))
        tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
    for path in sys.argv[1:3]:
        with sqlite3.connect(path) as connection:
            query = "SELECT COUNT(*) FROM events WHERE sender_id = ?"
            print(connection.execute(query, (sys.argv[3],)).fetchone()[0], flush=True)
