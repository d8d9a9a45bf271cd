"""The firebase-admin App of this process, created once from FIREBASE_CREDENTIALS."""

from __future__ import annotations

import firebase_admin
from firebase_admin import credentials
from flask import current_app

APP_NAME = "backend"


def firebase_app() -> firebase_admin.App:
    try:
        return firebase_admin.get_app(APP_NAME)
    except ValueError:
        path = current_app.config["FIREBASE_CREDENTIALS"]
        cred = credentials.Certificate(path) if path else None
        options = {"projectId": current_app.config["FIREBASE_PROJECT_ID"]} if not path else None
        return firebase_admin.initialize_app(cred, options=options, name=APP_NAME)
