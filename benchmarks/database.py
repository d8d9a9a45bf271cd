"""The benchmarks' database: migrated, then filled page by page with households `bench-000000`,
`bench-000001`, … and whatever rows each benchmark needs for them. A database already holding
enough households is used as it is (a second run skips the fill)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import insert

from backend.app import create_app
from backend.extensions import db
from backend.models import Household
from ml.climate import province_codes

PROVINCES = province_codes()
# (model, rows to insert) for one page of household ids, in the order they are inserted
PageRows = Callable[[random.Random, list[str]], Iterable[tuple[type, list[dict[str, Any]]]]]


def household_id(index: int) -> str:
    return f"bench-{index:06d}"


def household(rng: random.Random, household_id: str) -> dict[str, Any]:
    """A household's row: a random province and 1–6 occupants (a benchmark adds its own columns
    after these, so that the draws keep their order)."""
    return {
        "id": household_id,
        "display_name": household_id,
        "province_code": rng.choice(PROVINCES),
        "occupants": rng.randint(1, 6),
    }


def fill(url: str, *, households: int, page: int, rows: PageRows, seed: int = 1) -> None:
    """Migrate the database at `url` and insert `households` households in pages of `page`:
    `rows(rng, ids)` yields each page's rows (households first), drawn from one random stream."""
    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        if db.session.query(Household).count() >= households:
            return
        for start in range(0, households, page):
            ids = [household_id(i) for i in range(start, min(households, start + page))]
            for model, values in rows(rng, ids):
                db.session.execute(insert(model), values)
            db.session.commit()
