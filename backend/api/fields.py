"""Schema fields shared by the API: strict numbers and plausible dates.

marshmallow turns "7.5" into 7.5 and accepts any date from 0001 to 9999; the API refuses both,
with a Vietnamese message naming the field (the household's app shows it as is).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields

from backend.clock import local_today
from backend.services.readings import EARLIEST_DATE, TOO_EARLY

# clauses that follow the field's label ("Số kWh: phải là một số…", backend.errors.labelled)
NOT_A_NUMBER = "phải là một số (không phải chuỗi ký tự)."
NOT_A_NUMBER_BUT_BOOLEAN = "phải là một số (không phải true hay false)."


def latest_date() -> date:
    """The latest date a household can mean: today in Việt Nam (the product's clock)."""
    return local_today()


class StrictFloat(fields.Float):
    """A JSON number only: a string ("7.5") or a boolean is refused, not converted."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise ValidationError(NOT_A_NUMBER_BUT_BOOLEAN)
        if not isinstance(value, int | float):
            raise ValidationError(NOT_A_NUMBER)
        return super()._deserialize(value, attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """A JSON true or false only: "yes", "false" or 1 are refused, not converted (1 == True in
    Python, so `truthy={True}` alone would take 1)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def check_plausible(value: date) -> None:
    if value < EARLIEST_DATE:
        raise ValidationError(TOO_EARLY)
    if value > latest_date():
        raise ValidationError("Ngày không được ở tương lai.")


def plausible_date(**kwargs: Any) -> fields.Date:
    """A date from 2000-01-01 to tomorrow (see latest_date)."""
    return fields.Date(validate=check_plausible, **kwargs)
