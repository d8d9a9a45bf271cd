"""A delivery worker in its own process, for the crash test: one pass over the outbox, then exit.

Usage: python crash_worker.py DATABASE_URL FCM_BASE SERVICE_ACCOUNT_JSON
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import firebase_admin
from firebase_admin import credentials, messaging

from backend.app import create_app
from backend.extensions import db
from notifications.delivery import deliver_due


def main() -> None:
    database, fcm_base, account = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    messaging._MessagingService.FCM_URL = fcm_base + "/v1/projects/{0}/messages:send"
    fcm = firebase_admin.initialize_app(credentials.Certificate(account), name="crash-worker")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        while deliver_due(db.session(), fcm, limit=10).sent:  # batches of 10 until done
            pass


if __name__ == "__main__":
    main()
