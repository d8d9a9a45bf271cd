"""Broker events the conversation consumer set aside (dead letters), with the reason."""

from __future__ import annotations

from flask import render_template, request, url_for

from backend.extensions import db
from backend.services.conversation_events import MAX_ATTEMPTS, dead_letter_page
from backend.services.masking import mask_text
from backend.staff.blueprint import bp, role_required

EXCERPT = 300  # characters of the payload shown (masked)


@bp.get("/dead-letters")
@role_required("supervisor")
def dead_letters():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, pages, total = dead_letter_page(db.session(), page)
    return render_template(
        "staff/dead_letters.html",
        rows=rows,
        total=total,
        page=min(page, pages),
        pages=pages,
        max_attempts=MAX_ATTEMPTS,
        page_url=lambda n: url_for("staff.dead_letters", page=n),
        excerpt=lambda text: mask_text((text or "")[:EXCERPT]),
    )
