"""Endpoints for the action server (service token): the bot acts for a sender's household."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.fields import JsonBoolean
from backend.api.household_app import FeedbackIn, GuestStayIn
from backend.api.households import BudgetIn, MeterIndexIn, session
from backend.auth import service_required
from backend.clock import local_now, local_today, utc_now
from backend.content.dates import day_vi, span_vi
from backend.models import AnomalyEpisode, ConversationStatus, Household
from backend.services import anomalies, budgets, guests, places, privacy, projection, readings
from backend.services import handoff as handoff_service
from backend.services import households as service
from backend.services import outages as outage_service
from backend.services.errors import NotFound
from ml.climate import region_of

blp = Blueprint(
    "service", __name__, url_prefix="/api/v1/service", description="For the action server"
)
SERVICE: list[dict[str, list[str]]] = [{"service": []}]


class SubscriptionsIn(Schema):
    weekly_tips = JsonBoolean()
    outage_notices = JsonBoolean()
    usage_alerts = JsonBoolean()


class ZaloLinkIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    zalo_user_id = fields.String(required=True, validate=validate.Regexp(r"^\d{1,32}$"))


class HandoffIn(Schema):
    sender_id = fields.String(required=True, validate=validate.Length(min=1, max=96))
    channel = fields.String(load_default="rest", validate=validate.Length(max=16))
    reason = fields.String(load_default="request_human", validate=validate.Length(max=64))


def household_or_404(household_id: str) -> Household:
    household = session().get(Household, household_id)
    if household is None:
        raise NotFound("Không tìm thấy hộ gia đình này.", "household_id")
    return household


@blp.route("/senders/<string:sender_id>")
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def sender(sender_id):
    """Which household a chat sender is (app: its own id; Zalo: "zalo-<user id>")."""
    household = service.household_for_sender(session(), sender_id)
    if household is None:
        return {
            "household_id": None,
            "linked": False,
            "display_name": None,
            "province_code": None,
            "region": None,
        }
    return {
        "household_id": household.id,
        "linked": True,
        "display_name": household.display_name,
        "province_code": household.province_code,
        "region": region_of(household.province_code),
    }


@blp.route("/households/<string:household_id>/usage")
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def household_usage(household_id):
    """As GET /api/v1/me/usage for the household (its projection included)."""
    return projection.usage_with_projection(
        session(),
        household_or_404(household_id),
        today=local_today(),
        now=utc_now(),
        model=projection.configured_consumption(current_app.config),
    )


@blp.route("/households/<string:household_id>/projection")
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def household_projection(household_id):
    """The current period's projected bill (as `projection` in GET /api/v1/me/usage)."""
    return projection.project_household(
        session(),
        household_or_404(household_id),
        today=local_today(),
        now=utc_now(),
        model=projection.configured_consumption(current_app.config),
    ).as_dict()


@blp.route("/households/<string:household_id>/budget", methods=["PUT"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(BudgetIn)
@blp.response(200)
def set_budget(body, household_id):
    """Set the budget from chat (after the household confirmed it)."""
    budget = budgets.set_budget(
        session(),
        household_or_404(household_id),
        amount=body.get("amount"),
        kwh=body.get("kwh"),
        source="chat",
    )
    return {"budget": budgets.as_dict(budget)}


@blp.route("/households/<string:household_id>/budget/preview", methods=["POST"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(BudgetIn)
@blp.response(200)
def preview_budget(body, household_id):
    """The budget as it would be set, checked but not stored (`amount_text` for the bot to say
    before the household confirms it)."""
    household_or_404(household_id)
    return {"budget": budgets.preview(amount=body.get("amount"), kwh=body.get("kwh"))}


@blp.route("/households/<string:household_id>/guest-stays/preview", methods=["POST"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(GuestStayIn)
@blp.response(200)
def preview_guest_stay(body, household_id):
    """The stay as it would be announced, checked but not stored (`period_text` for the bot to
    say before the household confirms it); 422 naming the field, in Vietnamese."""
    household = household_or_404(household_id)
    first, last, today = body["first_day"], body["last_day"], local_today()
    guests.check_stay(
        first_day=first,
        last_day=last,
        today=today,
        alert_start=anomalies.alert_start(session(), household=household, today=today),
    )
    return {"stay": guests.describe(first, last)}


@blp.route("/households/<string:household_id>/guest-stays", methods=["POST"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(GuestStayIn)
@blp.response(201)
def add_guest_stay(body, household_id):
    """Announce a stay from chat, after the household confirmed it (as POST
    /api/v1/me/guest-stays; the answer is the stay as stored, merged with those it touches)."""
    household, today = household_or_404(household_id), local_today()
    stay = guests.add_stay(
        session(),
        household=household,
        first_day=body["first_day"],
        last_day=body["last_day"],
        today=today,
        alert_start=anomalies.alert_start(session(), household=household, today=today),
    )
    return {"stay": guests.as_dict(stay)}


@blp.route("/households/<string:household_id>/guest-stays", methods=["GET"])
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def list_guest_stays(household_id):
    """The stays the household announced that are coming, going on or ended in the last 30
    days (as GET /api/v1/me/guest-stays), for the bot to withdraw one the household names."""
    stays = guests.list_stays(
        session(), household=household_or_404(household_id), today=local_today()
    )
    return {"stays": [guests.as_dict(s) for s in stays]}


@blp.route("/households/<string:household_id>/guest-stays/<int:stay_id>", methods=["DELETE"])
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def withdraw_guest_stay(household_id, stay_id):
    """Withdraw a stay from chat, after the household confirmed it (the guests did not come);
    the answer is the stay as it was; 404 when it is not this household's."""
    household = household_or_404(household_id)
    return {"stay": guests.remove_stay(session(), household=household, stay_id=stay_id)}


@blp.route("/households/<string:household_id>/budget", methods=["DELETE"])
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def clear_budget(household_id):
    removed = budgets.clear_budget(session(), household_or_404(household_id))
    return {"budget": None, "removed": removed}


def _alert(episode: AnomalyEpisode | None) -> dict:
    if episode is None:
        return {"anomaly": None}
    return {
        "anomaly": {
            "id": episode.id,
            "start_day": episode.start_day.isoformat(),
            "start_day_text": day_vi(episode.start_day),
            "last_day": episode.last_day.isoformat(),
            "is_open": episode.is_open,
            "explanation": episode.explanation,
            "lasting_change": episode.lasting_change,
            "change": episode.change_kind,
            "change_text": anomalies.change_text(episode.change_kind),
            "note": episode.feedback_note,
            "repaired_on": episode.repaired_on.isoformat() if episode.repaired_on else None,
            "repaired_on_text": day_vi(episode.repaired_on) if episode.repaired_on else None,
            # use back to normal: the usage answer asked nothing, so a bare yes/no answers nothing
            "easing": anomalies.easing(episode),
        },
        # what a household may say changed (the feedback's `change`), as said back to it
        "change_kinds": {kind: text for kind, (text, _) in anomalies.CHANGE_KINDS.items()},
    }


@blp.route("/households/<string:household_id>/anomalies/latest")
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def latest_alert(household_id):
    """The usage alert a household's answer from chat is about (`anomaly` null when none):
    its open episode, else the latest of the last 30 days."""
    return _alert(
        anomalies.latest_alert(
            session(), household=household_or_404(household_id), today=local_today()
        )
    )


@blp.route(
    "/households/<string:household_id>/anomalies/<int:anomaly_id>/feedback", methods=["POST"]
)
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(FeedbackIn)
@blp.response(200)
def alert_feedback(body, household_id, anomaly_id):
    """The household's answer to a usage alert, from chat after it confirmed it (as
    POST /api/v1/me/anomalies/{id}/feedback); 404 when the alert is not this household's."""
    return _alert(
        anomalies.record_feedback(
            session(),
            household=household_or_404(household_id),
            episode_id=anomaly_id,
            lasting_change=body["lasting_change"],
            note=body.get("note"),
            now=utc_now(),
            change_kind=body.get("change"),
        )
    )


@blp.route(
    "/households/<string:household_id>/anomalies/<int:anomaly_id>/repaired", methods=["POST"]
)
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def alert_repaired(household_id, anomaly_id):
    """The household put an open usage alert's cause right today, from chat after it confirmed
    (as POST /api/v1/me/anomalies/{id}/repaired): the nightly scoring restarts its evidence from
    today's reading. 404 when the alert is not this household's, 409 when it has closed."""
    return _alert(
        anomalies.record_repair(
            session(),
            household=household_or_404(household_id),
            episode_id=anomaly_id,
            today=local_today(),
            now=utc_now(),
        )
    )


@blp.route("/households/<string:household_id>/meter-index", methods=["POST"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(MeterIndexIn)
@blp.response(201)
def meter_index(body, household_id):
    day = local_today()
    return readings.record_meter_index(
        session(),
        household_or_404(household_id),
        body["reading"],
        body.get("read_on") or day,
        today=day,
        source="chat",
    ).as_dict()


@blp.route("/households/<string:household_id>/subscriptions", methods=["PUT"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(SubscriptionsIn)
@blp.response(200)
def subscriptions(body, household_id):
    """Turn notices on or off; the answer carries the household's quiet hours too, so the bot
    states the hours it really keeps (households can change them)."""
    household = service.set_subscriptions(session(), household_or_404(household_id), body)
    return {
        **service.notification_preferences(household),
        "quiet_hours": {
            "start": f"{household.quiet_start:%H:%M}",
            "end": f"{household.quiet_end:%H:%M}",
        },
    }


@blp.route("/households/<string:household_id>/outages")
@service_required
@blp.doc(security=SERVICE)
@blp.response(200)
def outages(household_id):
    """Upcoming planned outages in the household's province (whole province or its ward): those
    not over yet, compared in Việt Nam time as the outages' times are stored."""
    household = household_or_404(household_id)
    rows = outage_service.upcoming_for(session(), household, now_local=local_now())
    return {"outages": _outage_rows(rows)}


class AreaQuery(Schema):
    province = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ward = fields.String(validate=validate.Length(max=200))


def _place(place: places.Place | None) -> dict | None:
    return None if place is None else {"code": place.code, "name": place.name}


def _outage_rows(rows) -> list[dict]:
    """Outages as the bot says them: `when_text` is "8:00–17:00 thứ Hai 12/5" (Việt Nam time)."""
    return [
        {
            "id": o.id,
            "start": o.starts_at.isoformat(),
            "end": o.ends_at.isoformat(),
            "when_text": span_vi(o.starts_at, o.ends_at),
            "reason": o.reason,
            "area_name": o.area_name,
        }
        for o in rows
    ]


@blp.route("/outages")
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(AreaQuery, location="query")
@blp.response(200)
def area_outages(query):
    """Upcoming planned outages of an area named as people type it (accents optional, small
    typos forgiven), for a chat not linked to a household. The province (and ward) found, or the
    close candidates to ask about; outages once the province is known."""
    province = places.match_province(text=query["province"])
    ward = places.Match(None)
    if province.place is not None and query.get("ward"):
        ward = places.match_ward(province_code=province.place.code, text=query["ward"])
    outages = []
    if province.place is not None:
        rows = outage_service.upcoming_in_area(
            session(),
            province_code=province.place.code,
            ward_code=ward.place.code if ward.place else None,
            now_local=local_now(),
        )
        outages = _outage_rows(rows)
    return {
        "province": _place(province.place),
        "province_candidates": [_place(p) for p in province.candidates],
        "ward": _place(ward.place),
        "ward_candidates": [_place(p) for p in ward.candidates],
        "outages": outages,
    }


@blp.route("/zalo-links", methods=["POST"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(ZaloLinkIn)
@blp.response(200)
def zalo_link(body):
    household = service.link_zalo_user(
        session(),
        code=body["code"],
        zalo_user_id=body["zalo_user_id"],
        key=current_app.config["SECRET_KEY"],
        now=utc_now(),
    )
    return {"household_id": household.id, "display_name": household.display_name}


@blp.route("/households/<string:household_id>/deletion", methods=["POST"])
@service_required
@blp.doc(security=SERVICE)
@blp.response(202)
def deletion(household_id):
    counts = privacy.delete_household(
        session(),
        household_or_404(household_id),
        stores=privacy.Stores.from_config(current_app.config),
        actor="chat",
        now=utc_now(),
    )
    return {"status": "deleted", "deleted": counts}


@blp.route("/handoffs", methods=["POST"])
@service_required
@blp.doc(security=SERVICE)
@blp.arguments(HandoffIn)
@blp.response(201)
def handoff(body):
    """Mark a conversation as waiting for staff; returns its place in the queue."""
    position = handoff_service.queue_for_staff(
        session(),
        sender_id=body["sender_id"],
        channel=body["channel"],
        reason=body["reason"],
        now=utc_now(),
    )
    return {"status": ConversationStatus.WAITING, "queue_position": position}
