"""The household app's screens beyond the profile: the daily chart (the same chart component the
staff console draws), and the notices inbox with read state."""

from __future__ import annotations

from flask import render_template_string
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.fields import JsonBoolean
from backend.auth import current_household, household_required
from backend.charts import consumption_chart, expected_band
from backend.clock import local_today, utc_now
from backend.extensions import db
from backend.models import MAX_INTEGER, AnomalyEpisode
from backend.services import anomalies, guests, household_inbox
from backend.services.household_panel import daily_series

blp = Blueprint(
    "me_app", __name__, url_prefix="/api/v1/me", description="The household app's screens"
)
HOUSEHOLD: list[dict[str, list[str]]] = [{"household": []}]
CHART_LABEL = "Điện tiêu thụ hằng ngày (kWh), khoảng dự kiến của mô hình và nhiệt độ (°C)"
SVG_NS = "http://www.w3.org/2000/svg"
CHART_SVG = '{% import "chart.html" as c %}{{ c.svg_chart(chart, label, "kWh", "°C") }}'


def utc_text(moment) -> str | None:
    return None if moment is None else moment.replace(microsecond=0).isoformat() + "Z"


class DailyQuery(Schema):
    days = fields.Integer(load_default=60, validate=validate.Range(min=7, max=120))


class DayOut(Schema):
    date = fields.String(metadata={"example": "2026-11-30"})
    kwh = fields.Float()
    avg_temp_c = fields.Float()
    observed_temp = fields.Boolean(
        metadata={"description": "false: the province's climate normal stands in"}
    )
    expected_kwh = fields.Float(allow_none=True)
    low_kwh = fields.Float(allow_none=True)
    high_kwh = fields.Float(allow_none=True)
    is_anomaly = fields.Boolean()


class DailyOut(Schema):
    days = fields.List(fields.Nested(DayOut))
    svg = fields.String(metadata={"description": "the chart, drawn as the staff console draws it"})


@blp.route("/daily", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(DailyQuery, location="query")
@blp.response(200, DailyOut)
def get_daily(query):
    """The last `days` days (default 60): kWh, temperature, the model's expected kWh with its
    usual band (low/high) and flagged days, and the same data as an SVG chart."""
    days = daily_series(db.session(), current_household(), local_today(), query["days"])
    band = expected_band(days)
    return {
        "days": [
            {
                "date": d.day.isoformat(),
                "kwh": round(d.kwh, 2),
                "avg_temp_c": round(d.avg_temp_c, 1),
                "observed_temp": d.observed_temp,
                "expected_kwh": None if d.expected_kwh is None else round(d.expected_kwh, 2),
                "low_kwh": None if r is None else round(r[0], 2),
                "high_kwh": None if r is None else round(r[1], 2),
                "is_anomaly": d.is_anomaly,
            }
            for d, r in zip(days, band, strict=True)
        ],
        "svg": str(
            render_template_string(
                CHART_SVG, chart=consumption_chart(days, band=True), label=CHART_LABEL
            )
        ).replace("<svg ", f'<svg xmlns="{SVG_NS}" ', 1),  # a document of its own
    }


class NoticesQuery(Schema):
    kind = fields.String(validate=validate.OneOf(household_inbox.NOTICE_KINDS))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class NoticeOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "weekly_tip, outage or usage_alert"})
    title = fields.String()
    body = fields.String()
    created_at = fields.String(metadata={"example": "2026-12-01T02:00:00Z"})
    read_at = fields.String(allow_none=True)
    read = fields.Boolean()
    anomaly_id = fields.Integer(
        allow_none=True,
        metadata={"description": "a usage alert's episode: answer it at /anomalies/{id}/feedback"},
    )


class NoticesOut(Schema):
    unread = fields.Integer()
    notices = fields.List(fields.Nested(NoticeOut))


def notice_out(notice) -> dict:
    return {
        "id": notice.id,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "created_at": utc_text(notice.created_at),
        "read_at": utc_text(notice.read_at),
        "read": notice.read_at is not None,
        "anomaly_id": (notice.data or {}).get("episode_id")
        if notice.kind == "usage_alert"
        else None,
    }


@blp.route("/notices", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(NoticesQuery, location="query")
@blp.response(200, NoticesOut)
def get_notices(query):
    """The notifications sent to the household (weekly tips, outage notices, usage alerts),
    newest first, with read state and the number unread."""
    rows, unread = household_inbox.notices(
        db.session(), household=current_household(), kind=query.get("kind"), limit=query["limit"]
    )
    return {"unread": unread, "notices": [notice_out(n) for n in rows]}


@blp.route("/notices/<int:notice_id>/read", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200, NoticeOut)
def read_notice(notice_id):
    """Mark one notice read (idempotent); 404 when it is not this household's."""
    if notice_id > MAX_INTEGER:
        notice_id = 0  # no such row
    return notice_out(
        household_inbox.mark_read(
            db.session(), household=current_household(), notice_id=notice_id, now=utc_now()
        )
    )


class ReadAllOut(Schema):
    marked = fields.Integer()


@blp.route("/notices/read", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200, ReadAllOut)
def read_all_notices():
    """Mark every notice read."""
    return {
        "marked": household_inbox.mark_all_read(
            db.session(), household=current_household(), now=utc_now()
        )
    }


class FeedbackIn(Schema):
    lasting_change = JsonBoolean(
        required=True,  # JSON true/false only: "có", "yes" or 1 are refused
        metadata={
            "description": "true: the household's use changed for good (a new appliance, more "
            "people), so the model learns the new level; false: nothing lasting changed"
        },
    )
    note = fields.String(
        allow_none=True,
        validate=validate.Length(max=anomalies.NOTE_MAX),
        metadata={"example": "Nhà mới lắp thêm một máy lạnh"},
    )
    change = fields.String(
        allow_none=True,
        validate=validate.OneOf(list(anomalies.CHANGE_KINDS)),
        metadata={
            "description": "with lasting_change true, what changed: air_conditioner (more air "
            "conditioning: the new use may be learnt as cooling, as its peers with one more air "
            "conditioner cool), people (more people living there), appliance (another appliance, "
            "not for cooling: learnt on the home's own weather pattern); omitted or null: not "
            "said (a later yes without it keeps what an earlier one said). Ignored with "
            "lasting_change false",
            "example": "air_conditioner",
        },
    )


class AnomalyOut(Schema):
    id = fields.Integer()
    start_day = fields.String(metadata={"example": "2026-11-20"})
    last_day = fields.String(metadata={"example": "2026-11-26"})
    is_open = fields.Boolean()
    explanation = fields.String()
    lasting_change = fields.Boolean(allow_none=True)
    change = fields.String(allow_none=True, metadata={"example": "air_conditioner"})
    change_text = fields.String(allow_none=True, metadata={"example": "dùng điều hòa nhiều hơn"})
    note = fields.String(allow_none=True)
    feedback_at = fields.String(allow_none=True)
    repaired_on = fields.String(
        allow_none=True,
        metadata={"description": "the day the household said it put the cause right"},
    )


def anomaly_out(episode: AnomalyEpisode) -> dict[str, object]:
    return {
        "id": episode.id,
        "start_day": episode.start_day.isoformat(),
        "last_day": episode.last_day.isoformat(),
        "is_open": episode.is_open,
        "explanation": episode.explanation,
        "lasting_change": episode.lasting_change,
        "change": episode.change_kind,
        "change_text": anomalies.change_text(episode.change_kind),
        "note": episode.feedback_note,
        "feedback_at": utc_text(episode.feedback_at),
        "repaired_on": episode.repaired_on.isoformat() if episode.repaired_on else None,
    }


@blp.route("/anomalies/<int:anomaly_id>/feedback", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(FeedbackIn)
@blp.response(200, AnomalyOut)
def post_anomaly_feedback(body, anomaly_id):
    """The household's answer to a usage alert (its `anomaly_id`): did something change for
    good? With `lasting_change` true the nightly scoring learns the new level from the alert's
    first day instead of flagging it again; false keeps the alert's verdict. A later answer
    replaces the earlier one; 404 when the alert is not this household's."""
    episode = anomalies.record_feedback(
        db.session(),
        household=current_household(),
        episode_id=anomaly_id,
        lasting_change=body["lasting_change"],
        note=body.get("note"),
        now=utc_now(),
        change_kind=body.get("change"),
    )
    return anomaly_out(episode)


@blp.route("/anomalies/<int:anomaly_id>/repaired", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200, AnomalyOut)
def post_anomaly_repaired(anomaly_id):
    """The household put an open usage alert's cause right today (a water heater repaired):
    nothing lasting changed, and from today's reading the nightly scoring starts its evidence
    afresh, so the alert closes, or a new one comes if use stays high. 404 when the alert is not
    this household's, 409 when it has already closed."""
    episode = anomalies.record_repair(
        db.session(),
        household=current_household(),
        episode_id=anomaly_id,
        today=local_today(),
        now=utc_now(),
    )
    return anomaly_out(episode)


class GuestStayIn(Schema):
    first_day = fields.Date(required=True, metadata={"example": "2026-12-24"})
    last_day = fields.Date(required=True, metadata={"example": "2026-12-27"})


class GuestStayOut(Schema):
    id = fields.Integer()
    first_day = fields.String(metadata={"example": "2026-12-24"})
    last_day = fields.String(metadata={"example": "2026-12-27"})
    days = fields.Integer(metadata={"description": "days of the stay, both ends included"})
    period_text = fields.String(metadata={"example": "từ 24/12/2026 đến 27/12/2026"})
    text = fields.String(metadata={"description": "the stay in Vietnamese, to show as is"})


class GuestStaysOut(Schema):
    stays = fields.List(fields.Nested(GuestStayOut))


@blp.route("/guest-stays", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200, GuestStaysOut)
def get_guest_stays():
    """The guest stays the household announced that are coming, going on, or ended in the last
    30 days."""
    stays = guests.list_stays(db.session(), household=current_household(), today=local_today())
    return {"stays": [guests.as_dict(s) for s in stays]}


@blp.route("/guest-stays", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(GuestStayIn)
@blp.response(201, GuestStayOut)
def post_guest_stay(body):
    """Announce that guests will stay from `first_day` to `last_day` (at most 31 days, told at
    most 7 days after they came, or from the first day of the household's recent usage alert
    it answers): the nightly scoring neither learns those days as the household's normal use
    nor raises a usage alert for them (one already open goes on). A stay that overlaps or
    touches an announced one is merged with it; 422 naming the field."""
    household, today = current_household(), local_today()
    stay = guests.add_stay(
        db.session(),
        household=household,
        first_day=body["first_day"],
        last_day=body["last_day"],
        today=today,
        alert_start=anomalies.alert_start(db.session(), household=household, today=today),
    )
    return guests.as_dict(stay)


@blp.route("/guest-stays/<int:stay_id>", methods=["DELETE"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(204)
def delete_guest_stay(stay_id):
    """Withdraw an announced stay (the guests did not come); 404 when it is not this
    household's."""
    guests.remove_stay(db.session(), household=current_household(), stay_id=stay_id)
    return ""
