"""Reviewed corrections → Rasa NLU training data (the same export as `flask nlu export`), and
the retraining loop: a candidate model trained in the background, its held-out accuracy beside
the current model's, put live by a supervisor."""

from __future__ import annotations

import shlex
from pathlib import Path

from flask import Response, current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from backend.clock import utc_now
from backend.extensions import db
from backend.services import retrain
from backend.services.errors import ServiceError
from backend.services.nlu_export import (
    EXPORT_FILE,
    changes,
    existing_examples,
    render,
    write_export,
)
from backend.services.staff_conversations import reviewed_corrections, unreviewed_corrections
from backend.staff.blueprint import bp, role_required
from backend.staff.forms import ActionForm


def _preview() -> tuple[str, str]:
    """(the file as it is, the file an export would write now)."""
    folder = Path(current_app.config["NLU_EXPORT_DIR"])
    path = folder / EXPORT_FILE
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    new, *_ = render(reviewed_corrections(db.session()), existing_examples(folder))
    return old, new


def _runs_dir() -> Path:
    return Path(current_app.config["RETRAIN_DIR"])


@bp.route("/nlu/export", methods=["GET", "POST"])
@role_required("supervisor")
def nlu_export():
    form = ActionForm()
    corrections = reviewed_corrections(db.session())
    result = None
    if form.validate_on_submit():
        result = write_export(corrections, Path(current_app.config["NLU_EXPORT_DIR"]))
    old, new = _preview()
    added, removed = changes(old, new)
    return render_template(
        "staff/export.html",
        form=form,
        pending=len(corrections),
        unreviewed=unreviewed_corrections(db.session()),
        result=result,
        added=added,
        removed=removed,
        runs=retrain.runs(runs_dir=_runs_dir()),
    )


@bp.get("/nlu/export/corrections.yml")
@role_required("supervisor")
def nlu_export_download():
    """The YAML an export writes now, as a file to download."""
    _, new = _preview()
    return Response(
        new,
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{EXPORT_FILE}"'},
    )


@bp.post("/nlu/retrain")
@role_required("supervisor")
def nlu_retrain():
    if ActionForm().validate_on_submit():
        try:
            retrain.start_run(
                command=shlex.split(current_app.config["RETRAIN_COMMAND"]),
                runs_dir=_runs_dir(),
                started_by=current_user.login,
                now=utc_now(),
            )
            flash("Đã bắt đầu huấn luyện mô hình mới; trang tự cập nhật khi xong.", "info")
        except ServiceError as exc:
            flash(f"Huấn luyện lại: {exc.message}", "error")
    return redirect(url_for("staff.nlu_export", _anchor="retrain"), code=303)


@bp.get("/nlu/retrain/runs")
@role_required("supervisor")
def nlu_retrain_runs():
    """The runs as HTML, polled by the export page while one is running."""
    runs = retrain.runs(runs_dir=_runs_dir())
    html = render_template("staff/_retrain_runs.html", runs=runs, form=ActionForm())
    return jsonify(
        {"html": html, "running": any(r.status == retrain.RunStatus.RUNNING for r in runs)}
    )


@bp.post("/nlu/retrain/<name>/promote")
@role_required("supervisor")
def nlu_retrain_promote(name: str):
    if ActionForm().validate_on_submit():
        try:
            retrain.promote(
                runs_dir=_runs_dir(),
                name=name,
                live_model=Path(current_app.config["BOT_MODEL_PATH"]),
                promoted_by=current_user.login,
            )
            flash(
                "Mô hình mới đã thay mô hình đang dùng; khởi động lại Rasa để trợ lý dùng nó.",
                "info",
            )
        except ServiceError as exc:
            flash(f"Đưa vào sử dụng: {exc.message}", "error")
    return redirect(url_for("staff.nlu_export", _anchor="retrain"), code=303)
