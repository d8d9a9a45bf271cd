"""Flask backend of the household energy-saving advisor.

The app factory lives in backend/app.py. `flask --app backend` (a fixed command) and
`gunicorn 'backend:create_app()'` find it here as `backend.create_app`, loaded on first use, so
that importing one module (`python -m backend.services.retrain`, a worker, a script) does not
build the whole app first."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """`backend.create_app`: the factory of backend/app.py, imported when first asked for."""
    if name == "create_app":
        from backend.app import create_app

        return create_app
    raise AttributeError(f"module 'backend' has no attribute {name!r}")
