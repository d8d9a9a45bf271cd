from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.fields import JsonBoolean
from backend.billing import (
    BillEstimate,
    HouseholdContext,
    PeriodUsage,
    Renters,
    compare_bills,
    estimate_bill,
    explain_comparison_vi,
    kwh_for_budget,
    load_tariffs,
)
from backend.billing.engine import MAX_KWH, MAX_PERIOD_DAYS
from backend.billing.peak_hours import load_peak_hours, peak_hours
from backend.clock import local_today
from backend.content.dates import date_vi
from backend.money import format_vnd
from backend.services.renters import renter_price_check

blp = Blueprint("bills", __name__, url_prefix="/api/v1", description="Electricity bills")


@blp.record_once
def _load_data_at_start_up(state) -> None:
    """Read and validate the tariff and peak-hour files when the app is built: a bad file stops
    the start-up with a clear TariffDataError instead of failing the first request."""
    load_tariffs()
    load_peak_hours()


def kwh_field() -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_KWH))


class RentersIn(Schema):
    people = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=4000))
    registered = JsonBoolean(required=True)


class EstimateIn(Schema):
    kwh = kwh_field()
    period_start = fields.Date()
    period_end = fields.Date()
    households = fields.Float(
        load_default=1,
        allow_nan=False,
        validate=validate.Range(min=0, min_inclusive=False, max=1000),
    )
    meter = fields.String(load_default="postpaid", validate=validate.OneOf(["postpaid", "prepaid"]))
    renters = fields.Nested(RentersIn)


class TierOut(Schema):
    tier = fields.Integer()
    kwh = fields.Integer()
    price = fields.Integer()
    amount = fields.Integer()
    price_text = fields.Function(
        lambda tier: format_vnd(tier.price),
        metadata={"description": 'price as households read it: "1.984 đ"'},
    )
    amount_text = fields.Function(lambda tier: format_vnd(tier.amount))


class SegmentOut(Schema):
    tariff = fields.String()
    from_ = fields.Date(data_key="from", attribute="start")
    to = fields.Date(attribute="end")
    kwh = fields.Integer()
    tiers = fields.List(fields.Nested(TierOut))


class EstimateOut(Schema):
    subtotal = fields.Integer()
    vat = fields.Integer()
    vat_rate = fields.Float()
    total = fields.Integer()
    total_text = fields.String()
    subtotal_text = fields.String()
    vat_text = fields.String()
    segments = fields.List(fields.Nested(SegmentOut))


class BudgetQuery(Schema):
    amount = fields.Integer(required=True, validate=validate.Range(min=0, max=10**13))
    households = fields.Float(
        load_default=1,
        allow_nan=False,
        validate=validate.Range(min=0, min_inclusive=False, max=1000),
        metadata={"description": "households sharing one meter (as in the estimate)"},
    )
    meter = fields.String(load_default="postpaid", validate=validate.OneOf(["postpaid", "prepaid"]))
    renters_people = fields.Integer(
        validate=validate.Range(min=1, max=4000),
        metadata={"description": "renters on the landlord's meter (with renters_registered)"},
    )
    renters_registered = fields.Boolean(
        metadata={"description": "whether the landlord registered them with the utility"}
    )

    @validates_schema
    def renters_together(self, data, **kwargs):
        if "renters_people" in data and "renters_registered" not in data:
            raise ValidationError(
                "bắt buộc phải có khi đã gửi số người thuê.", "renters_registered"
            )
        if "renters_registered" in data and "renters_people" not in data:
            raise ValidationError(
                "bắt buộc phải có khi đã gửi người thuê đã đăng ký tạm trú hay chưa.",
                "renters_people",
            )


class BudgetOut(Schema):
    kwh = fields.Integer()
    total = fields.Integer()
    total_text = fields.String()
    amount_text = fields.String(metadata={"description": "the amount asked about, formatted"})


class PeriodIn(Schema):
    kwh = kwh_field()
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)

    @validates_schema
    def check_period(self, data, **kwargs):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError("Ngày cuối kỳ không được trước ngày đầu kỳ.", "period_end")
        if start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise ValidationError(
                f"một kỳ hóa đơn dài tối đa {MAX_PERIOD_DAYS} ngày.", "period_end"
            )


class ContextIn(Schema):
    air_conditioners = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "air conditioners in the home"},
    )
    previous_avg_temp_c = fields.Float(
        allow_nan=False,
        validate=validate.Range(min=-30, max=60),
        metadata={"description": "mean temperature observed over the previous period"},
    )
    current_avg_temp_c = fields.Float(
        allow_nan=False,
        validate=validate.Range(min=-30, max=60),
        metadata={"description": "mean temperature observed over the current period"},
    )


class CompareIn(Schema):
    previous = fields.Nested(PeriodIn, required=True)
    current = fields.Nested(
        PeriodIn,
        required=True,
        metadata={
            "description": "the later period: it starts after `previous` ends (the periods may "
            "touch or leave a gap, never overlap); otherwise 422 naming `current.period_start`"
        },
    )
    context = fields.Nested(
        ContextIn,
        metadata={
            "description": "what is known of the household; the weather is mentioned only when "
            "observed temperatures and an air conditioner support it"
        },
    )

    @validates_schema
    def current_after_previous(self, data, **kwargs):
        """The current period must come after the previous one: periods given the wrong way
        round would explain the change backwards (a price rise read as a drop), and overlapping
        periods count the same days in both bills. Touching periods (the usual case: one
        reading ends a period, the next day starts the next) and gaps are fine."""
        previous, current = data.get("previous"), data.get("current")
        if not previous or not current:
            return
        before_start, before_end = previous["period_start"], previous["period_end"]
        start = current["period_start"]
        if start <= before_start:
            problem = (
                f"lại bắt đầu {date_vi(start)}, không sau ngày đầu kỳ trước "
                f"({date_vi(before_start)}); có thể hai kỳ đã bị đổi chỗ cho nhau."
            )
        elif start <= before_end:
            problem = (
                f"hai kỳ trùng nhau: kỳ này bắt đầu {date_vi(start)} khi kỳ trước "
                f"({date_vi(before_start)}–{date_vi(before_end)}) chưa kết thúc; ngày đầu kỳ "
                f"này phải từ {date_vi(before_end + timedelta(days=1))} trở đi."
            )
        else:
            return
        raise ValidationError(
            {"period_start": [f"kỳ này phải đến sau kỳ trước, nhưng {problem}"]}, "current"
        )


class PartOut(Schema):
    name = fields.String()
    label = fields.String()
    amount = fields.Integer()


class CompareOut(Schema):
    previous_total = fields.Integer()
    current_total = fields.Integer()
    difference = fields.Integer()
    parts = fields.List(fields.Nested(PartOut))
    explanation = fields.String()


def estimate_payload(bill: BillEstimate) -> dict:
    return {
        "subtotal": bill.subtotal,
        "vat": bill.vat,
        "vat_rate": float(bill.vat_rate),  # a rate, not money
        "total": bill.total,
        "total_text": format_vnd(bill.total),
        "subtotal_text": format_vnd(bill.subtotal),
        "vat_text": format_vnd(bill.vat),
        "segments": bill.segments,
    }


@blp.route("/bills/estimate", methods=["POST"])
@blp.arguments(EstimateIn)
@blp.response(200, EstimateOut)
def estimate(body):
    """The bill EVN would issue for `kwh` (tiers scaled to the period, prorated across changes)."""
    renters = body.get("renters")
    bill = estimate_bill(
        body["kwh"],
        period_start=body.get("period_start"),
        period_end=body.get("period_end"),
        households=Fraction(str(body["households"])).limit_denominator(10_000),
        meter=body["meter"],
        renters=Renters(renters["people"], renters["registered"]) if renters else None,
        today=local_today(),
    )
    return estimate_payload(bill)


@blp.route("/bills/kwh-for-budget")
@blp.arguments(BudgetQuery, location="query")
@blp.response(200, BudgetOut)
def budget(query):
    """The most whole kWh whose bill (today's tariff, VAT included) fits in `amount` đồng, for
    the meter's situation (a shared or prepaid meter, renters) as the estimate prices it."""
    renters = (
        Renters(query["renters_people"], query["renters_registered"])
        if "renters_people" in query
        else None
    )
    kwh, total = kwh_for_budget(
        query["amount"],
        today=local_today(),
        households=Fraction(str(query["households"])).limit_denominator(10_000),
        meter=query["meter"],
        renters=renters,
    )
    return {
        "kwh": kwh,
        "total": total,
        "total_text": format_vnd(total),
        "amount_text": format_vnd(query["amount"]),
    }


class RenterCheckIn(Schema):
    price_per_kwh = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "what the landlord charges per kWh, đồng"},
    )
    kwh = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_KWH),
        metadata={"description": "the renter's kWh in a month (for the month's difference)"},
    )
    bill = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=10**10),
        metadata={"description": "what the landlord charged for `kwh`, when no price is given"},
    )
    people = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=4000),
        metadata={"description": "renters on the meter (for the registered-renter bill)"},
    )

    @validates_schema
    def price_or_bill(self, data, **kwargs):
        if "price_per_kwh" not in data and not ("bill" in data and "kwh" in data):
            raise ValidationError(
                "bắt buộc phải có, trừ khi gửi cả tiền điện và số kWh của tháng.", "price_per_kwh"
            )


class RenterMonthOut(Schema):
    charged = fields.Integer()
    charged_text = fields.String()
    allowed = fields.Integer()
    allowed_text = fields.String()
    over = fields.Integer(metadata={"description": "charged − allowed; negative when below"})
    over_text = fields.String(metadata={"description": "the difference's size, formatted"})


class RenterRegisteredOut(Schema):
    people = fields.Integer()
    total = fields.Integer()
    total_text = fields.String()
    below_ceiling = fields.Integer()
    below_ceiling_text = fields.String()


class RenterCheckOut(Schema):
    tariff = fields.String()
    tariff_text = fields.String(metadata={"description": '"Quyết định 1279/QĐ-BCT"'})
    tier = fields.Integer()
    tier_from_kwh = fields.Integer()
    tier_to_kwh = fields.Integer()
    tier_price = fields.Integer()
    tier_price_text = fields.String()
    vat_rate = fields.Float()
    vat_percent = fields.Integer()
    ceiling_per_kwh = fields.Integer()
    ceiling_per_kwh_text = fields.String()
    price_per_kwh = fields.Integer()
    price_per_kwh_text = fields.String()
    over_per_kwh = fields.Integer()
    over_per_kwh_text = fields.String()
    over = fields.Boolean()
    kwh = fields.Integer(allow_none=True)
    rule = fields.String()
    rule_about = fields.String()
    rule_source = fields.String()
    what_to_do = fields.String()
    month = fields.Nested(RenterMonthOut, allow_none=True)
    registered = fields.Nested(RenterRegisteredOut, allow_none=True)


@blp.route("/bills/renter-check", methods=["POST"])
@blp.arguments(RenterCheckIn)
@blp.response(200, RenterCheckOut)
def renter_check(body):
    """Is a landlord's price per kWh within what the rules allow today (the tier-3 price plus
    VAT for unregistered renters), by how much a month, and the registered-renter bill."""
    return renter_price_check(today=local_today(), **body)


@blp.route("/bills/compare", methods=["POST"])
@blp.arguments(CompareIn)
@blp.response(200, CompareOut)
def compare(body):
    """Why the bill changed: named parts that add up exactly to the difference. `current` must
    start after `previous` ends (touching or with a gap); a current period that starts first or
    overlaps the previous one is a 422 naming `current.period_start`."""
    comparison = compare_bills(
        PeriodUsage(**body["previous"]),
        PeriodUsage(**body["current"]),
    )
    return {
        "previous_total": comparison.previous_total,
        "current_total": comparison.current_total,
        "difference": comparison.difference,
        "parts": comparison.parts,
        "explanation": explain_comparison_vi(
            comparison, HouseholdContext(**body.get("context", {}))
        ),
    }


class TierBoundOut(Schema):
    tier = fields.Integer()
    from_kwh = fields.Integer()
    to_kwh = fields.Integer(allow_none=True, metadata={"description": "null for the last tier"})
    price = fields.Integer(metadata={"description": "đồng/kWh before VAT"})
    price_text = fields.String(metadata={"description": 'as households read it: "1.984 đ"'})


class TariffOut(Schema):
    decision = fields.String()
    decision_text = fields.String(
        metadata={"description": 'as households read it: "Quyết định 1279/QĐ-BCT"'}
    )
    effective_from = fields.Date()
    effective_from_text = fields.String(
        metadata={"description": 'as households read it: "10/5/2025"'}
    )
    tiers = fields.List(fields.Nested(TierBoundOut))
    prepaid_price = fields.Integer(allow_none=True)
    prepaid_price_text = fields.String(allow_none=True)


class VatPeriodOut(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    rate = fields.Float()
    basis = fields.String()


class VatOut(Schema):
    default = fields.Float()
    reduced = fields.List(fields.Nested(VatPeriodOut))


class TariffsOut(Schema):
    tariffs = fields.List(fields.Nested(TariffOut))
    current = fields.String()
    vat = fields.Nested(VatOut)


@blp.route("/tariffs")
@blp.response(200, TariffsOut)
def tariffs():
    """Every residential tariff version with tier bounds and prices (đồng/kWh before VAT), and
    the VAT rates by period end date."""
    book = load_tariffs()
    current = book.tariff_on(local_today())
    return {
        "tariffs": [
            {
                "decision": tariff.decision,
                "decision_text": f"Quyết định {tariff.decision}",
                "effective_from": tariff.effective_from,
                "effective_from_text": date_vi(tariff.effective_from),
                "tiers": [
                    {
                        "tier": index + 1,
                        "from_kwh": low,
                        "to_kwh": high,
                        "price": price,
                        "price_text": format_vnd(price),
                    }
                    for index, ((low, high), price) in enumerate(
                        zip(tariff.tier_bounds(), tariff.prices, strict=True)
                    )
                ],
                "prepaid_price": tariff.prepaid_price,
                "prepaid_price_text": (
                    format_vnd(tariff.prepaid_price) if tariff.prepaid_price is not None else None
                ),
            }
            for tariff in book.tariffs
        ],
        "current": current.decision,
        "vat": {
            "default": float(book.default_vat),  # a rate, not money
            "reduced": [
                {
                    "from_": period.start,
                    "to": period.end,
                    "rate": float(period.rate),
                    "basis": period.basis,
                }
                for period in book.reduced_vat
            ],
        },
    }


class ScheduleOut(Schema):
    basis = fields.String()
    applies_from = fields.Date(allow_none=True)
    peak = fields.List(fields.String())
    normal = fields.List(fields.String())
    off_peak = fields.List(fields.String())
    peak_days = fields.String()


class HotWeatherOut(Schema):
    save_hours = fields.List(fields.String())


class PeakHoursOut(Schema):
    current = fields.Nested(ScheduleOut, allow_none=True)
    announced = fields.List(fields.Nested(ScheduleOut))
    hot_weather = fields.Nested(HotWeatherOut)


@blp.route("/peak-hours")
@blp.response(200, PeakHoursOut)
def peak():
    """Peak, normal and off-peak hours in force today, and announced schedules (not applied)."""
    return peak_hours(local_today())
