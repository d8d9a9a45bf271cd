"""Where notifications go out: Firebase (FCM) for push, the Zalo OA for Zalo; set up once from the
app's configuration by the CLI (notifications/cli.py) and the worker (notifications/tasks.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import firebase_admin

from backend.firebase import firebase_app
from notifications.delivery import tune_fcm_session
from notifications.zalo_channel import ZaloChannel


def push_app(config: Mapping[str, Any]) -> firebase_admin.App | None:
    """The Firebase app for FCM with its HTTP session tuned, or None without credentials (then
    notifications go to the local log channel)."""
    if not config["FIREBASE_CREDENTIALS"]:
        return None
    app = firebase_app()
    tune_fcm_session(app, proxy=config["FCM_PROXY"] or None)
    return app


def zalo_channel(config: Mapping[str, Any]) -> ZaloChannel | None:
    return ZaloChannel.from_config(config)
