"""The mobile app's API for the signed-in household: /api/v1/me…"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, json
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.fields import JsonBoolean, StrictFloat, plausible_date
from backend.auth import current_household, household_required
from backend.billing.engine import MAX_PERIOD_DAYS
from backend.clock import local_today, utc_now
from backend.extensions import db
from backend.models import MAX_INTEGER, RenterStatus
from backend.money import format_vnd
from backend.services import budgets, privacy, projection, readings
from backend.services import households as service
from backend.services.errors import InvalidInput

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The signed-in household")
HOUSEHOLD: list[dict[str, list[str]]] = [{"household": []}]
MAX_RANGE_DAYS = 400


class NotificationsIn(Schema):
    weekly_tips = JsonBoolean()
    outage_notices = JsonBoolean()
    usage_alerts = JsonBoolean()


class ChannelsIn(Schema):
    push = JsonBoolean()
    zalo = JsonBoolean()


class QuietHoursIn(Schema):
    start = fields.Time(format="%H:%M")
    end = fields.Time(format="%H:%M")


class ProfileIn(Schema):
    display_name = fields.String(validate=validate.Length(max=120))
    province_code = fields.Integer(strict=True, validate=validate.Range(min=1, max=999))
    ward_code = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=1, max=99999)
    )
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    customer_code = fields.String(allow_none=True, validate=validate.Length(max=13))
    meter_kind = fields.String(validate=validate.OneOf(["postpaid", "prepaid"]))
    households_on_meter = fields.Integer(strict=True, validate=validate.Range(min=1, max=20))
    occupants = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))
    renter_status = fields.String(validate=validate.OneOf([s.value for s in RenterStatus]))
    reading_day = fields.Integer(strict=True, validate=validate.Range(min=1, max=31))
    appliances = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={
            "description": "the whole set of appliances: it replaces the stored one (send every "
            'appliance the household has; true, or {"count", "inverter"} for air conditioners)'
        },
    )
    notifications = fields.Nested(NotificationsIn)
    channels = fields.Nested(ChannelsIn)
    quiet_hours = fields.Nested(QuietHoursIn)
    consent = JsonBoolean()


class ProfileOut(Schema):
    id = fields.String()
    display_name = fields.String()
    province_code = fields.Integer(allow_none=True)
    ward_code = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    customer_code = fields.String(allow_none=True)
    meter_kind = fields.String()
    households_on_meter = fields.Integer()
    occupants = fields.Integer()
    renter_status = fields.String()
    reading_day = fields.Integer()
    appliances = fields.Dict()
    notifications = fields.Dict()
    channels = fields.Dict()
    quiet_hours = fields.Dict(keys=fields.String(), values=fields.Time(format="%H:%M"))
    consent_at = fields.DateTime(allow_none=True)
    consent_version = fields.String(allow_none=True)
    zalo_linked = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DeviceIn(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=4096))
    platform = fields.String(
        load_default="android", validate=validate.OneOf(["android", "ios", "web"])
    )


class DeviceDeleteIn(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class BudgetIn(Schema):
    amount = fields.Integer(strict=True, allow_none=True)
    kwh = fields.Integer(strict=True, allow_none=True)


class ReadingIn(Schema):
    date = plausible_date(required=True)
    kwh = StrictFloat(
        required=True,
        allow_nan=False,
        validate=validate.Range(
            min=0,
            max=readings.MAX_DAILY_KWH,
            error=f"Số kWh một ngày phải từ 0 đến {readings.MAX_DAILY_KWH:g}.",
        ),
    )


class ReadingsIn(Schema):
    readings = fields.List(fields.Nested(ReadingIn), required=True)


class ReadingsQuery(Schema):
    from_ = plausible_date(data_key="from")
    to = plausible_date()

    @validates_schema
    def check_range(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if start and end and end < start:
            raise ValidationError("không được trước ngày bắt đầu (Từ ngày).", "to")
        if start and end and (end - start).days > MAX_RANGE_DAYS:
            raise ValidationError(f"mỗi lần xem tối đa {MAX_RANGE_DAYS} ngày.", "to")


class MeterIndexIn(Schema):
    reading = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=999_999_999)
    )
    read_on = plausible_date()


class BillIn(Schema):
    period_start = plausible_date(required=True)
    period_end = plausible_date(required=True)
    kwh = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    amount = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_INTEGER)
    )

    @validates_schema
    def check_period(self, data, **kwargs):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError("Ngày cuối kỳ không được trước ngày đầu kỳ.", "period_end")
        if start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise ValidationError(
                f"một kỳ hóa đơn dài tối đa {MAX_PERIOD_DAYS} ngày.", "period_end"
            )


def session():
    return db.session()


@blp.route("", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200, ProfileOut)
def get_me():
    """The household's profile and preferences."""
    return service.profile(current_household())


@blp.route("", methods=["PUT"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(ProfileIn)
@blp.response(200, ProfileOut)
def put_me(changes):
    """Change any part of the profile; unknown province/ward or a bad code → 422 naming the field."""
    return service.profile(service.update_profile(session(), current_household(), changes))


@blp.route("", methods=["DELETE"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200)
def delete_me():
    """Delete every piece of the household's data, its conversations included (Nghị định 13)."""
    counts = privacy.delete_household(
        session(),
        current_household(),
        stores=privacy.Stores.from_config(current_app.config),
        actor="household",
        now=utc_now(),
    )
    return {"status": "deleted", "deleted": counts}


@blp.route("/export", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200)
def export_me():
    """All of the household's data as JSON."""
    return json.loads(
        json.dumps(privacy.export_household(session(), current_household()), default=str)
    )


@blp.route("/devices", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(DeviceIn)
@blp.response(201)
def add_device(body):
    """Register a push token (idempotent)."""
    device = service.register_device(
        session(), current_household(), body["token"], body["platform"]
    )
    return {"id": device.id, "platform": device.platform}


@blp.route("/devices", methods=["DELETE"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(DeviceDeleteIn)
@blp.response(204)
def delete_device(body):
    """Forget a push token of this household."""
    service.remove_device(session(), current_household(), body["token"])


@blp.route("/readings", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(ReadingsIn)
@blp.response(200)
def post_readings(body):
    """Daily kWh, up to 5,000 rows; the same day posted again replaces it (never duplicates)."""
    result = readings.record_readings(
        session(), current_household(), body["readings"], today=local_today()
    )
    return {"received": result.received, "created": result.created, "replaced": result.replaced}


@blp.route("/readings", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(ReadingsQuery, location="query")
@blp.response(200)
def get_readings(query):
    """Daily readings between `from` and `to` (default: the last 90 days)."""
    end = query.get("to") or local_today()
    start = query.get("from_") or end - timedelta(days=89)
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"mỗi lần xem tối đa {MAX_RANGE_DAYS} ngày.", "from")
    rows = readings.readings_between(session(), current_household(), start, end)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "readings": [{"date": r.day.isoformat(), "kwh": r.kwh} for r in rows],
    }


@blp.route("/meter-index", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(MeterIndexIn)
@blp.response(201)
def post_meter_index(body):
    """A meter index read by the household; 409 when it goes backwards."""
    day = local_today()
    return readings.record_meter_index(
        session(),
        current_household(),
        body["reading"],
        body.get("read_on") or day,
        today=day,
        source="app",
    ).as_dict()


@blp.route("/bills", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200)
def get_bills():
    """The household's bills, newest first."""
    return {
        "bills": [
            {
                "id": b.id,
                "period_start": b.period_start.isoformat(),
                "period_end": b.period_end.isoformat(),
                "kwh": b.kwh,
                "amount": b.amount,
                "amount_text": format_vnd(b.amount),
            }
            for b in readings.latest_bills(session(), current_household(), 36)
        ]
    }


@blp.route("/bills", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(BillIn)
@blp.response(201)
def post_bill(body):
    """Record a bill received (period, kWh, amount in đồng); 409 if that period exists."""
    bill = readings.add_bill(session(), current_household(), body)
    return {"id": bill.id}


@blp.route("/usage", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200)
def get_usage():
    """This billing period: kWh so far, projected bill, last year, similar households, anomaly,
    and `projection`: the period's expected kWh and bill with an 80% range, from the household's
    own weather response under the forecast (then climate normals), and its budget.
    `projected_kwh`/`projected_bill` are the projection's expected values."""
    return projection.usage_with_projection(
        session(),
        current_household(),
        today=local_today(),
        now=utc_now(),
        model=projection.configured_consumption(current_app.config),
    )


@blp.route("/budget", methods=["GET"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200)
def get_budget():
    """The household's monthly budget ({"budget": null} when none is set)."""
    return {"budget": budgets.as_dict(budgets.get_budget(session(), current_household()))}


@blp.route("/budget", methods=["PUT"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.arguments(BudgetIn)
@blp.response(200)
def put_budget(body):
    """Set the monthly budget: {"amount": đồng} or {"kwh": int}, exactly one; 422 naming the
    field otherwise. Projected-bill alerts compare the period's projection with it."""
    budget = budgets.set_budget(
        session(), current_household(), amount=body.get("amount"), kwh=body.get("kwh")
    )
    return {"budget": budgets.as_dict(budget)}


@blp.route("/budget", methods=["DELETE"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(200)
def delete_budget():
    """Remove the budget (no more budget alerts)."""
    removed = budgets.clear_budget(session(), current_household())
    return {"budget": None, "removed": removed}


@blp.route("/zalo-link-code", methods=["POST"])
@household_required
@blp.doc(security=HOUSEHOLD)
@blp.response(201)
def zalo_link_code():
    """A 6-digit code, valid 10 minutes, to send to the Zalo OA as "liên kết <code>"."""
    link = service.new_link_code(session(), current_household())
    return {"code": link.code, "expires_at": link.expires_at.isoformat() + "Z"}
