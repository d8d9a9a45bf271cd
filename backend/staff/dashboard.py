"""The dashboard: conversations per day, fallback and handoff rates, intents, notices sent."""

from __future__ import annotations

from flask import render_template, request

from backend.clock import local_today
from backend.extensions import db
from backend.services.staff_dashboard import dashboard as build_dashboard
from backend.staff.blueprint import bp, role_required
from backend.staff.charts import count_chart

WINDOWS = (7, 30, 90)
NOTICE_KINDS = {
    "usage_alert": "Cảnh báo dùng điện bất thường",
    "outage": "Thông báo lịch cắt điện",
    "weekly_tip": "Mẹo tiết kiệm hằng tuần",
}


@bp.get("/dashboard")
@role_required("agent")
def dashboard():
    days = request.args.get("days", type=int)
    days = days if days in WINDOWS else 30
    figures = build_dashboard(db.session(), today=local_today(), days=days)
    return render_template(
        "staff/dashboard.html",
        d=figures,
        days=days,
        windows=WINDOWS,
        chart=count_chart(figures.per_day),
        notice_kinds=NOTICE_KINDS,
    )
