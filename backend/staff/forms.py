"""Flask-WTF forms of the staff console (each carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from backend.services.nlu_export import INTENTS
from backend.services.staff_users import MIN_PASSWORD_LENGTH


def new_password(label: str) -> PasswordField:
    """A password being chosen: the service's minimum length, said in the label."""
    return PasswordField(
        f"{label} (ít nhất {MIN_PASSWORD_LENGTH} ký tự)",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
    )


class LoginForm(FlaskForm):
    login = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(), Length(max=256)])


class NewStaffForm(FlaskForm):
    login = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=64)])
    role = SelectField(
        "Vai trò",
        choices=[
            SelectChoice("agent", "Nhân viên"),
            SelectChoice("supervisor", "Giám sát viên"),
            SelectChoice("admin", "Quản trị viên"),
        ],
    )
    password = new_password("Mật khẩu")


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired(), Length(max=256)]
    )
    new_password = new_password("Mật khẩu mới")


class ResetPasswordForm(FlaskForm):
    password = new_password("Mật khẩu mới")


class ActionForm(FlaskForm):
    """Buttons with nothing to fill in (mark reviewed, take over, hand back, export, log out)."""


class TagsForm(FlaskForm):
    tags = StringField("Nhãn (cách nhau bằng dấu phẩy)", validators=[Length(max=300)])


class NoteForm(FlaskForm):
    note = TextAreaField("Ghi chú", validators=[Length(max=4000)])


class CorrectionForm(FlaskForm):
    message_id = HiddenField(validators=[DataRequired()])
    intent = SelectField("Ý định đúng", choices=[SelectChoice(i, i) for i in INTENTS])
    entities = TextAreaField(
        "Thực thể (mỗi dòng: loại: đoạn trong câu, hoặc loại: đoạn = giá trị)",
        validators=[Length(max=2000)],
    )


class AgentMessageForm(FlaskForm):
    text = TextAreaField("Tin nhắn", validators=[DataRequired(), Length(max=2000)])


class RevealForm(FlaskForm):
    reason = StringField("Lý do xem dữ liệu cá nhân", validators=[DataRequired(), Length(max=200)])


class FilterForm(FlaskForm):
    """GET filters of the conversation list (no CSRF: reading only)."""

    class Meta:
        csrf = False

    q = StringField("Tìm trong tin nhắn", validators=[Optional(), Length(max=200)])
    date_from = DateField("Từ ngày", validators=[Optional()])
    date_to = DateField("Đến ngày", validators=[Optional()])
    channel = SelectField(
        "Kênh",
        choices=[
            SelectChoice("", "Tất cả"),
            SelectChoice("rest", "Ứng dụng / web"),
            SelectChoice("zalo", "Zalo"),
        ],
        validators=[Optional()],
    )
    intent = SelectField(
        "Ý định",
        choices=[SelectChoice("", "Tất cả"), *[SelectChoice(i, i) for i in INTENTS]],
        validators=[Optional()],
    )
    confidence_below = FloatField(
        "Độ tin cậy dưới", validators=[Optional(), NumberRange(min=0, max=1)]
    )
    fallback = BooleanField("Có lượt trợ lý không hiểu")
    human_requested = BooleanField("Khách yêu cầu gặp nhân viên")
    reviewed = SelectField(
        "Xem xét",
        choices=[
            SelectChoice("", "Tất cả"),
            SelectChoice("yes", "Đã xem xét"),
            SelectChoice("no", "Chưa xem xét"),
        ],
        validators=[Optional()],
    )
    tag = StringField("Nhãn", validators=[Optional(), Length(max=40)])
    province = SelectField("Tỉnh/thành", choices=[], validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)])
