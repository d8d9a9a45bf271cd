"""The audit log page (reveals of personal data and other recorded actions)."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from backend.extensions import db
from backend.services.masking import mask_text
from backend.services.pii_audit import audit_page
from backend.staff.blueprint import bp, role_required

ACTIONS = {
    "pii_revealed": "Xem dữ liệu cá nhân",
    "household_deleted": "Hộ gia đình xóa dữ liệu",
}


@bp.get("/audit")
@role_required("supervisor")
def audit():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    records, pages = audit_page(db.session(), page)
    return render_template(
        "staff/audit.html",
        records=records,
        page=min(page, pages),
        pages=pages,
        actions=ACTIONS,
        page_url=lambda n: url_for("staff.audit", page=n),
        mask=mask_text,  # a reason may quote a customer
        retention_months=current_app.config["CONVERSATION_RETENTION_MONTHS"],
    )
