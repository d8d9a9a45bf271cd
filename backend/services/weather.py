"""Observed daily temperatures per province (the climate normals live in ml.climate)."""

from __future__ import annotations

import csv
from datetime import date
from typing import TextIO

from sqlalchemy import delete, tuple_
from sqlalchemy.orm import Session

from backend.models import WeatherObservation
from backend.services.households import province_exists


class WeatherImportError(ValueError):
    pass


def import_observations(session: Session, handle: TextIO) -> int:
    """Validate every row first (line numbers in errors), then upsert them in one transaction."""
    reader = csv.DictReader(handle)
    missing = {"province_code", "date", "avg_temp_c"} - set(reader.fieldnames or [])
    if missing:
        raise WeatherImportError(f"missing column(s): {', '.join(sorted(missing))}")
    rows: dict[tuple[int, date], float] = {}
    for line, row in enumerate(reader, start=2):
        try:
            code, day, temp = (
                int(row["province_code"]),
                date.fromisoformat(row["date"]),
                float(row["avg_temp_c"]),
            )
        except (TypeError, ValueError) as exc:
            raise WeatherImportError(f"line {line}: {exc}") from exc
        if not province_exists(code):
            raise WeatherImportError(f"line {line}: unknown province code {code}")
        if not -20 <= temp <= 50:
            raise WeatherImportError(f"line {line}: temperature {temp} outside -20…50 °C")
        rows[(code, day)] = temp
    if rows:
        session.execute(
            delete(WeatherObservation).where(
                tuple_(WeatherObservation.province_code, WeatherObservation.day).in_(list(rows))
            )
        )
        session.add_all(
            WeatherObservation(province_code=c, day=d, avg_temp_c=t) for (c, d), t in rows.items()
        )
    session.commit()
    return len(rows)
