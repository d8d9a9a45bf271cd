"""The deleting turn written by Rasa 3.6 itself (its SQL tracker store and SQL event broker, run
in bot/.venv on SQLite files): after the deletion, the consumer and the purge job leave nothing
of the household in any store, and a replay from cursor 0 brings nothing back."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from backend.clock import utc_now
from backend.extensions import db
from backend.models import EventCursor
from backend.services import privacy
from backend.services.conversation_events import consume
from tests.backend.forget_rasa_stores import dump, needles
from tests.conftest import make_household

ROOT = Path(__file__).resolve().parents[2]
BOT_PYTHON = ROOT / "bot" / ".venv" / "bin" / "python"
WRITER = Path(__file__).with_name("forget_rasa_writer.py")
TYPED = "Mướp-7Q"
CONFIRMATION = "Đã xóa toàn bộ dữ liệu của hộ gia đình bạn và lịch sử trò chuyện."

pytestmark = pytest.mark.skipif(not BOT_PYTHON.exists(), reason="bot/.venv is not set up")


def rasa(tmp_path: Path, phase: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    args = [str(tmp_path / "tracker.db"), str(tmp_path / "broker.db"), "hh-1", phase]
    return subprocess.Popen(
        [str(BOT_PYTHON), str(WRITER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def test_the_turn_rasa_saves_after_a_chat_deletion_is_forgotten(app, client, tmp_path):
    make_household("hh-1", display_name="Nguyễn Thị Lan", phone="0912345678")
    app.config["RASA_TRACKER_DB_URL"] = f"sqlite:///{tmp_path / 'tracker.db'}"
    app.config["RASA_EVENTS_DB_URL"] = f"sqlite:///{tmp_path / 'broker.db'}"
    stores = privacy.Stores.from_config(app.config)
    broker = create_engine(stores.events_db_url)
    key = stores.key
    chat = rasa(tmp_path, "chat")
    assert chat.wait(timeout=300) == 0
    assert consume(db.session(), broker, forget_key=key).messages == 2

    turn = rasa(tmp_path, "confirm")
    assert turn.stdout.readline().strip() == "loaded"
    answer = client.post(
        "/api/v1/service/households/hh-1/deletion",
        headers={"Authorization": f"Bearer {app.config['SERVICE_TOKEN']}"},
    )
    assert answer.status_code == 202
    written, _ = turn.communicate("\n", timeout=300)
    tracker_rows, broker_rows = (int(n) for n in written.split())
    assert tracker_rows > 0 and broker_rows > 0  # Rasa wrote the session back

    assert consume(db.session(), broker, forget_key=key).messages == 0
    privacy.purge_forgotten(db.session(), stores=stores, now=utc_now())

    tracker = create_engine(stores.tracker_db_url)
    values = needles("hh-1", TYPED, "0912345678", "Nguyễn Thị Lan", CONFIRMATION)
    for engine in (db.engine, tracker, broker):
        assert not [line for line in dump(engine).splitlines() if any(v in line for v in values)]
    db.session.execute(update(EventCursor).values(last_id=0))
    db.session.commit()
    assert consume(db.session(), broker, forget_key=key).messages == 0
    tracker.dispose()
    broker.dispose()
