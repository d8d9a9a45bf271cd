"""Flask-WTF forms of the staff console (each carries a CSRF token)."""

from __future__ import annotations

from typing import Any

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

from backend.content.labels import intent_label
from backend.services.nlu_export import INTENTS
from backend.services.staff_users import MIN_PASSWORD_LENGTH

# WTForms ships no Vietnamese catalogue: the messages its fields and validators can give on
# these forms, translated (anything else stays as WTForms wrote it).
VIETNAMESE = {
    "This field is required.": "Cần điền trường này.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Cần từ %(min)d đến %(max)d ký tự."
    ),
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số không được lớn hơn %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải nằm trong khoảng %(min)s–%(max)s.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Not a valid date value.": "Ngày không hợp lệ (dạng năm-tháng-ngày).",
    "Not a valid integer value.": "Cần một số nguyên.",
    "Not a valid float value.": "Cần một số (dùng dấu chấm cho phần thập phân).",
}


class VietnameseMessages:
    def gettext(self, string: str) -> str:
        return VIETNAMESE.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class StaffForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> VietnameseMessages:
            return VietnameseMessages()


def new_password(label: str) -> PasswordField:
    """A password being chosen: the service's minimum length, said in the label."""
    return PasswordField(
        f"{label} (ít nhất {MIN_PASSWORD_LENGTH} ký tự)",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
    )


def intent_choices() -> list[SelectChoice]:
    """The fixed intents by their Vietnamese label, the identifier in the tooltip."""
    return [SelectChoice(i, intent_label(i), render_kw={"title": i}) for i in INTENTS]


class LoginForm(StaffForm):
    login = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(), Length(max=256)])


class NewStaffForm(StaffForm):
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


class PasswordForm(StaffForm):
    current_password = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired(), Length(max=256)]
    )
    new_password = new_password("Mật khẩu mới")


class ResetPasswordForm(StaffForm):
    password = new_password("Mật khẩu mới")


class ActionForm(StaffForm):
    """Buttons with nothing to fill in (mark reviewed, take over, hand back, export, log out)."""


class TagsForm(StaffForm):
    tags = StringField("Nhãn (cách nhau bằng dấu phẩy)", validators=[Length(max=300)])


class NoteForm(StaffForm):
    note = TextAreaField("Ghi chú", validators=[Length(max=4000)])


class CorrectionForm(StaffForm):
    message_id = HiddenField(validators=[DataRequired()])
    intent = SelectField("Ý định đúng", choices=lambda: intent_choices())
    entities = TextAreaField(
        "Thực thể (mỗi dòng: loại: đoạn trong câu, hoặc loại: đoạn = giá trị)",
        validators=[Length(max=2000)],
    )


class AgentMessageForm(StaffForm):
    text = TextAreaField("Tin nhắn", validators=[DataRequired(), Length(max=2000)])


class AssignForm(StaffForm):
    assignee = SelectField("Giao cho", choices=[], validate_choice=False)


class CannedReplyForm(StaffForm):
    title = StringField("Tên", validators=[DataRequired(), Length(max=80)])
    text = TextAreaField("Nội dung", validators=[DataRequired(), Length(max=2000)])


class RevealForm(StaffForm):
    reason = StringField("Lý do xem dữ liệu cá nhân", validators=[DataRequired(), Length(max=200)])


class FilterForm(StaffForm):
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
        choices=lambda: [SelectChoice("", "Tất cả"), *intent_choices()],
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
    page = IntegerField("Trang", validators=[Optional(), NumberRange(min=1)])
