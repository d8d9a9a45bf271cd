"""Canned replies: supervisors write and edit them, agents insert them in the reply box."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from backend.extensions import db
from backend.services import staff_conversations as service
from backend.services.errors import ServiceError
from backend.staff.blueprint import bp, flash_form_errors, role_required
from backend.staff.forms import ActionForm, CannedReplyForm


@bp.get("/canned-replies")
@role_required("supervisor")
def canned_replies():
    replies = service.canned_replies(db.session())
    forms = {r.id: CannedReplyForm(formdata=None, title=r.title, text=r.text) for r in replies}
    return render_template(
        "staff/canned_replies.html",
        replies=replies,
        forms=forms,
        new=CannedReplyForm(formdata=None),
        action=ActionForm(),
    )


@bp.post("/canned-replies")
@bp.post("/canned-replies/<int:reply_id>")
@role_required("supervisor")
def save_canned_reply(reply_id: int | None = None):
    form = CannedReplyForm()
    if form.validate_on_submit():
        try:
            service.save_canned_reply(
                db.session(),
                reply_id=reply_id,
                title=form.title.data or "",
                text=form.text.data or "",
                staff=current_user.login,
            )
            flash("Đã lưu câu trả lời mẫu.", "info")
        except ServiceError as exc:
            label = {"title": "Tên", "text": "Nội dung"}.get(exc.field or "", "Câu trả lời mẫu")
            flash(f"{label}: {exc.message}", "error")
    else:
        flash_form_errors(form)
    return redirect(url_for("staff.canned_replies"), code=303)


@bp.post("/canned-replies/<int:reply_id>/delete")
@role_required("supervisor")
def delete_canned_reply(reply_id: int):
    if ActionForm().validate_on_submit():
        service.delete_canned_reply(db.session(), reply_id)
        flash("Đã xóa câu trả lời mẫu.", "info")
    return redirect(url_for("staff.canned_replies"), code=303)
