"""Reviewed corrections → Rasa NLU training data (the same export as `flask nlu export`)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from backend.extensions import db
from backend.services.nlu_export import write_export
from backend.services.staff_conversations import reviewed_corrections, unreviewed_corrections
from backend.staff import bp, role_required
from backend.staff.forms import ActionForm


@bp.route("/nlu/export", methods=["GET", "POST"])
@role_required("supervisor")
def nlu_export():
    form = ActionForm()
    corrections = reviewed_corrections(db.session())
    result = None
    if form.validate_on_submit():
        result = write_export(corrections, Path(current_app.config["NLU_EXPORT_DIR"]))
    return render_template(
        "staff/export.html",
        form=form,
        pending=len(corrections),
        unreviewed=unreviewed_corrections(db.session()),
        result=result,
    )
