"""Who is calling: a household (Firebase ID token, or a demo token in demo mode) or the action
server (service token). Views use the decorators; `current_household()` returns the caller."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from firebase_admin import auth as firebase_auth
from flask import abort, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.extensions import db
from backend.firebase import firebase_app
from backend.models import Household

F = TypeVar("F", bound=Callable[..., Any])
DEMO_SALT = "household-demo-token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEMO_SALT)


def issue_demo_token(household_id: str) -> str:
    return _serializer().dumps({"hid": household_id})


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _household_from_demo_token(token: str) -> Household | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["DEMO_TOKEN_MAX_AGE"])
    except BadSignature:
        return None
    return db.session.get(Household, data.get("hid")) if isinstance(data, dict) else None


def _household_from_firebase_token(token: str) -> Household | None:
    try:
        claims = firebase_auth.verify_id_token(token, app=firebase_app())
    except (ValueError, firebase_auth.InvalidIdTokenError, firebase_auth.CertificateFetchError):
        return None
    uid = claims["uid"]
    household = db.session.query(Household).filter_by(firebase_uid=uid).one_or_none()
    if household is None:  # first sign-in: the profile is created empty, then filled via PUT /me
        household = Household(id=f"fb-{uid}"[:64], firebase_uid=uid, display_name="")
        db.session.add(household)
        db.session.commit()
    return household


def household_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _bearer()
        if token is None:
            abort(401)
        if current_app.config["AUTH_MODE"] == "firebase":
            household = _household_from_firebase_token(token)
        else:
            household = _household_from_demo_token(token)
        if household is None:
            abort(401)
        g.household = household
        return view(*args, **kwargs)

    return cast(F, wrapper)


def current_household() -> Household:
    return cast(Household, g.household)


def service_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _bearer() or ""
        expected = current_app.config["SERVICE_TOKEN"]
        if not hmac.compare_digest(token.encode(), expected.encode()):
            abort(401)
        return view(*args, **kwargs)

    return cast(F, wrapper)
