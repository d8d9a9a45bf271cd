"""Conversation list, one conversation beside its household, and the staff actions on it."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from backend.clock import local_today
from backend.content.labels import intent_label, pressed_button
from backend.extensions import db
from backend.models import MAX_INTEGER, ChatMessage, Conversation, Household
from backend.services import handoff
from backend.services import staff_conversations as service
from backend.services.chat import AssistantUnavailable, RasaLink
from backend.services.errors import ServiceError
from backend.services.household_panel import household_panel
from backend.services.households import province_codes, province_name
from backend.services.pii_audit import record_reveal, reveals_of, subject_of
from backend.services.projection import configured_consumption
from backend.staff.blueprint import bp, flash_form_errors, role_required
from backend.staff.charts import consumption_chart
from backend.staff.forms import (
    ActionForm,
    AgentMessageForm,
    AssignForm,
    CorrectionForm,
    FilterForm,
    NoteForm,
    RevealForm,
    TagsForm,
)
from backend.staff.privacy import household_summary, is_revealed, reveal, shown_text

RASA_DOWN = "Không liên lạc được với trợ lý (Rasa), vui lòng thử lại sau ít phút."


def _province_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Tất cả")] + [
        SelectChoice(str(c), province_name(c) or str(c)) for c in province_codes()
    ]


def _filters(form: FilterForm) -> service.Filters:
    return service.Filters(
        q=(form.q.data or "").strip(),
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        channel=form.channel.data or "",
        intent=form.intent.data or "",
        confidence_below=form.confidence_below.data,
        fallback=bool(form.fallback.data),
        human_requested=bool(form.human_requested.data),
        reviewed=form.reviewed.data or "",
        tag=(form.tag.data or "").strip().lower(),
        province=int(form.province.data) if form.province.data else None,
    )


@bp.get("/")
@role_required("agent")
def home():
    return redirect(url_for("staff.conversations"))


@bp.get("/conversations")
@role_required("agent")
def conversations():
    form = FilterForm(request.args)
    form.province.choices = _province_choices()
    status = 200
    if request.args and not form.validate():
        status = 422
        filters = service.Filters()
    else:
        filters = _filters(form)
    page = service.conversation_page(db.session(), filters, form.page.data or 1)
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    queue = service.queue(db.session())
    return render_template(
        "staff/conversations.html",
        form=form,
        page=page,
        queue=queue,
        inbox=_inbox([*queue, *page.items]),
        page_url=lambda n: url_for("staff.conversations", **args, page=n),
    ), status


def _inbox(conversations: list[Conversation]) -> dict[str, Any]:
    """What the list shows of each conversation beside its id: the household's name (masked),
    the last message (masked, cut), and the messages this staff member has not read."""
    session = db.session()
    ids = list(dict.fromkeys(c.sender_id for c in conversations))
    households = {
        h.id: h
        for h in session.scalars(
            select(Household).where(
                Household.id.in_({c.household_id for c in conversations if c.household_id})
            )
        )
    }
    last = service.last_messages(session, ids)
    return {
        "names": {
            c.sender_id: household_summary(households[c.household_id], False)["name"]
            for c in conversations
            if c.household_id in households
        },
        "last": {sender: _last_line(m) for sender, m in last.items()},
        "unread": service.unread_counts(session, staff_id=current_user.id, sender_ids=ids),
    }


def _last_line(message: ChatMessage) -> str:
    who = {"user": "Khách", "bot": "Trợ lý"}.get(message.role, message.author or "Nhân viên")
    if message.role == "user" and message.text.startswith("/"):
        text = f"bấm nút {pressed_button(message.text, message.button_title)}"
    else:
        text = shown_text(message.text, False)
    text = " ".join(text.split())
    return f"{who}: {text[:90]}{'…' if len(text) > 90 else ''}"


@bp.get("/inbox/queue")
@role_required("agent")
def live_queue():
    """The queue as HTML, polled by the conversations page every few seconds."""
    queue = service.queue(db.session())
    html = render_template("staff/_queue.html", queue=queue, inbox=_inbox(queue))
    return jsonify({"html": html, "waiting": len(queue)})


@bp.get("/conversations/<sender_id>")
@role_required("agent")
def conversation(sender_id: str):
    session = db.session()
    conv = service.get_conversation(session, sender_id)
    revealed = is_revealed(sender_id)
    messages = service.messages_of(session, sender_id)
    household = session.get(Household, conv.household_id) if conv.household_id else None
    panel = (
        household_panel(
            session,
            household,
            today=local_today(),
            model=configured_consumption(current_app.config),
        )
        if household
        else None
    )
    forms = {
        "action": ActionForm(),
        "tags": TagsForm(tags=", ".join(conv.tags or [])),
        "note": NoteForm(note=conv.note or ""),
        "message": AgentMessageForm(),
        "reveal": RevealForm(),
        "assign": AssignForm(),
    }
    corrections = _correction_forms(messages)
    if messages:
        service.mark_read(
            session, staff_id=current_user.id, sender_id=sender_id, last_message_id=messages[-1].id
        )
    forms["assign"].assignee.choices = _assignees(conv)
    forms["assign"].assignee.data = conv.assigned_to or ""
    return render_template(
        "staff/conversation.html",
        conv=conv,
        messages=messages,
        canned=service.canned_replies(session),
        revealed=revealed,
        show=lambda text: shown_text(text, revealed),
        panel=panel,
        profile=household_summary(household, revealed) if household else None,
        chart=consumption_chart(panel.days) if panel else None,
        forms=forms,
        corrections=corrections,
        reveals=reveals_of(session, sender_id) if current_user.has_role("supervisor") else [],
        audit_subject=subject_of(sender_id),
    )


def _correction_forms(messages: list[ChatMessage]) -> dict[int, CorrectionForm]:
    return {
        m.id: CorrectionForm(
            formdata=None,
            message_id=m.id,
            intent=m.corrected_intent or m.intent,
            entities=service.entity_lines(
                m.text, m.corrected_entities if m.corrected_entities is not None else m.entities
            ),
        )
        for m in messages
        if m.role == "user"
    }


def _assignees(conv: Conversation) -> list[SelectChoice]:
    logins = service.assignable_staff(db.session())
    if conv.assigned_to and conv.assigned_to not in logins:
        logins.append(conv.assigned_to)
    return [SelectChoice("", "Chưa giao"), *[SelectChoice(login, login) for login in logins]]


@bp.get("/conversations/<sender_id>/live")
@role_required("agent")
def live_conversation(sender_id: str):
    """Messages after `after` as HTML, and the conversation's state, polled by the open
    conversation; what is returned counts as read."""
    session = db.session()
    conv = service.get_conversation(session, sender_id)
    text = request.args.get("after", "0")
    after = min(int(text), MAX_INTEGER) if text.isdecimal() else 0  # a cursor the column can hold
    messages = service.messages_after(session, sender_id, after)
    revealed = is_revealed(sender_id)
    html = render_template(
        "staff/_messages.html",
        messages=messages,
        conv=conv,
        show=lambda text: shown_text(text, revealed),
        corrections=_correction_forms(messages),
        forms={"action": ActionForm()},
    )
    if messages:
        service.mark_read(
            session, staff_id=current_user.id, sender_id=sender_id, last_message_id=messages[-1].id
        )
    return jsonify(
        {
            "html": html,
            "last_id": messages[-1].id if messages else after,
            "status": conv.status,
            "reviewed": conv.reviewed_at is not None,
            "assigned_to": conv.assigned_to or "",
        }
    )


@bp.post("/conversations/<sender_id>/assign")
@role_required("agent")
def assign(sender_id: str):
    form = AssignForm()
    form.assignee.choices = []
    if form.validate_on_submit():
        conv = service.get_conversation(db.session(), sender_id)
        try:
            service.assign(db.session(), conv, form.assignee.data or "")
            flash(
                f"Đã giao hội thoại cho {conv.assigned_to}."
                if conv.assigned_to
                else "Hội thoại chưa giao cho ai.",
                "info",
            )
        except ServiceError as exc:
            flash(f"Giao cho: {exc.message}", "error")
    return _back(sender_id)


def _back(sender_id: str, anchor: str = "") -> Response:
    return redirect(url_for("staff.conversation", sender_id=sender_id) + anchor, code=303)


@bp.post("/conversations/<sender_id>/review")
@role_required("agent")
def review(sender_id: str):
    if ActionForm().validate_on_submit():
        conv = service.get_conversation(db.session(), sender_id)
        service.mark_reviewed(db.session(), conv, current_user.login)
        flash("Đã đánh dấu hội thoại là đã xem xét.", "info")
    return _back(sender_id)


@bp.post("/conversations/<sender_id>/tags")
@role_required("agent")
def tags(sender_id: str):
    form = TagsForm()
    if form.validate_on_submit():
        conv = service.get_conversation(db.session(), sender_id)
        try:
            service.set_tags(db.session(), conv, form.tags.data or "")
            flash("Đã lưu nhãn.", "info")
        except ServiceError as exc:
            flash(f"Nhãn: {exc.message}", "error")
    else:
        flash_form_errors(form)
    return _back(sender_id)


@bp.post("/conversations/<sender_id>/note")
@role_required("agent")
def note(sender_id: str):
    form = NoteForm()
    if form.validate_on_submit():
        conv = service.get_conversation(db.session(), sender_id)
        service.set_note(db.session(), conv, form.note.data or "")
        flash("Đã lưu ghi chú.", "info")
    else:
        flash_form_errors(form)
    return _back(sender_id)


@bp.post("/conversations/<sender_id>/correct")
@role_required("agent")
def correct(sender_id: str):
    form = CorrectionForm()
    if not form.validate_on_submit() or not (form.message_id.data or "").isdigit():
        flash_form_errors(form)
        return _back(sender_id)
    try:
        message = service.correct_message(
            db.session(),
            sender_id,
            int(form.message_id.data or 0),
            form.intent.data or "",
            form.entities.data or "",
            current_user.login,
        )
    except ServiceError as exc:
        flash(f"Sửa ý định: {exc.message}", "error")
        return _back(sender_id)
    flash(f"Đã sửa ý định thành {intent_label(message.corrected_intent)}.", "info")
    return _back(sender_id, f"#m{message.id}")


@bp.post("/conversations/<sender_id>/take-over")
@role_required("agent")
def take_over(sender_id: str):
    if ActionForm().validate_on_submit():
        rasa = RasaLink.from_config(current_app.config)
        try:
            handoff.take_over(db.session(), rasa, sender_id, current_user.login)
            flash("Bạn đã tiếp quản hội thoại; trợ lý tự động tạm dừng.", "info")
        except AssistantUnavailable:
            flash(RASA_DOWN, "error")
        except ServiceError as exc:
            flash(exc.message, "error")
    return _back(sender_id)


@bp.post("/conversations/<sender_id>/hand-back")
@role_required("agent")
def hand_back(sender_id: str):
    if ActionForm().validate_on_submit():
        rasa = RasaLink.from_config(current_app.config)
        try:
            handoff.hand_back(db.session(), rasa, sender_id)
            flash("Đã trả hội thoại lại cho trợ lý tự động.", "info")
        except AssistantUnavailable:
            flash(RASA_DOWN, "error")
    return _back(sender_id)


@bp.post("/conversations/<sender_id>/send")
@role_required("agent")
def send(sender_id: str):
    form = AgentMessageForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(sender_id)
    try:
        handoff.agent_send(
            db.session(), current_app.config, sender_id, current_user.login, form.text.data or ""
        )
        flash("Đã gửi tin nhắn.", "info")
    except ServiceError as exc:
        flash(exc.message, "error")
    return _back(sender_id, "#compose")


@bp.post("/conversations/<sender_id>/reveal")
@role_required("supervisor")
def reveal_personal_data(sender_id: str):
    form = RevealForm()
    if form.validate_on_submit():
        service.get_conversation(db.session(), sender_id)
        record_reveal(db.session(), sender_id, current_user.login, form.reason.data or "")
        reveal(sender_id)
        flash(
            "Dữ liệu cá nhân của hội thoại này đang hiện trong 15 phút; lần xem đã được ghi nhật ký.",
            "info",
        )
    else:
        flash_form_errors(form)
    return _back(sender_id)
