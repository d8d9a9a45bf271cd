"""The sourced facts households are told (backend/content/facts.toml), for the bot and apps."""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.content.facts import facts_on, load_facts

blp = Blueprint("facts", __name__, url_prefix="/api/v1", description="Sourced facts")


@blp.record_once
def _load_data_at_start_up(state) -> None:
    """A bad facts file stops the start-up with a clear error instead of failing a request."""
    load_facts()


class Sourced(Schema):
    source = fields.String(metadata={"description": "where the fact comes from"})
    checked = fields.Date(metadata={"description": "the day the source was last checked"})


class HotlineOut(Sourced):
    utility = fields.String(metadata={"description": 'e.g. "EVNHCMC"'})
    name = fields.String(metadata={"description": 'as households read it: "EVN TP.HCM"'})
    serves = fields.String()
    province_codes = fields.List(
        fields.Integer(), metadata={"description": "2025 province codes served (if listed)"}
    )
    region = fields.String(
        allow_none=True, metadata={"description": "north, centre or south for a regional utility"}
    )
    aliases = fields.List(fields.String(), metadata={"description": "lower-case place names"})
    numbers = fields.List(fields.String(), metadata={"description": 'e.g. ["1900 545454"]'})


class ReferenceOut(Sourced):
    id = fields.String()
    text = fields.String(metadata={"description": 'e.g. "Quyết định 1279/QĐ-BCT"'})
    about = fields.String()


class StatementOut(Sourced):
    id = fields.String()
    text = fields.String()


class TipOut(Sourced):
    id = fields.String()
    appliance = fields.String(allow_none=True)
    season = fields.String(metadata={"description": "hot, cool or any"})
    text = fields.String(metadata={"description": "with today's peak hours filled in"})


class FactsOut(Schema):
    hotlines = fields.List(fields.Nested(HotlineOut))
    references = fields.List(fields.Nested(ReferenceOut))
    statements = fields.List(fields.Nested(StatementOut))
    tips = fields.List(fields.Nested(TipOut))


@blp.route("/facts")
@blp.response(200, FactsOut)
def facts():
    """Hotlines, legal references, fixed statements and saving tips, each with its source and
    the day it was checked; texts carry today's peak hours (GET /api/v1/peak-hours)."""
    return facts_on(date.today())
