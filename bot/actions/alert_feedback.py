"""The household's answer to a usage alert from chat: "có, nhà mới mua thêm điều hòa", "đúng rồi,
nhà có em bé", "không, không có gì thay đổi".

The alert (notifications/alerts.py) and the usage answer (actions/usage.py) ask whether the
household's use changed for good. action_prepare_alert_feedback reads the answer, finds the alert
it is about (GET .../anomalies/latest: the open one, else the latest of the last 30 days), reads
what changed from the answer's words when they name it (`change_kind`: an air conditioner, more
people, another appliance; the backend says it back), says exactly what will be recorded and
what follows, and leaves it in `pending_change`; the yes goes
to action_apply_change (actions/changes.py: kind "alert_feedback"), which calls
apply_alert_feedback. Nothing is stored before that yes.

"Không, chỉ là mấy hôm có khách thôi": the alert was a visit. The bot offers to record the stay
(the days the answer names, else the alert's days) with the answer, so the nightly scoring
neither learns nor flags those days (kind "guest_stay" with the alert's id, actions/guests.py).

"Đã sửa xong bình nóng lạnh rồi": the alert's cause was put right. action_prepare_alert_repair
asks to confirm it for the open alert; the yes (kind "alert_repair") makes the backend restart the
scoring's evidence from today's reading, as the app's "Tôi đã sửa xong chỗ gây tốn điện" does.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from components.text import strip_diacritics
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client, vietnam_today
from actions.common import (
    UNAVAILABLE,
    ask_to_confirm,
    call_for_household,
    latest_text,
    post_alert_answer,
    yes_no,
)
from actions.dates import read_stay
from actions.guests import WHAT_IT_DOES

YES_INTENTS = ("confirm_lasting_change", "affirm")
NO_INTENTS = ("deny_lasting_change", "deny")
PLAIN = ("affirm", "deny")  # a bare yes or no: only an answer to the question just asked
NOTE_MAX = 500  # the backend's limit on the note
NOTE_MIN_WORDS = 3  # shorter answers ("có", "đúng rồi") say nothing more than the yes or no
NO_ALERT = (
    "Trong 30 ngày qua nhà bạn không có cảnh báo dùng điện bất thường nào nên chưa có gì để ghi "
    "lại. Khi có cảnh báo, bạn cứ nhắn cho tôi nếu nhà có thay đổi lâu dài (mua thêm thiết bị, "
    "có thêm người ở)."
)
STAFF = "nhân viên chăm sóc khách hàng cũng thấy câu trả lời này khi hỗ trợ nhà bạn"
# the answer puts the unusual use down to guests ("khách hàng" is a customer, not a guest)
GUESTS = re.compile(
    r"\bkhach\b(?! hang)|\b(?:ba con|ho hang|con chau)\b|\b(?:len|ve|xuong|o) choi\b"
)

# what a "yes" says changed (the backend's CHANGE_KINDS), read from the household's words without
# diacritics: more air conditioning (learnt as cooling), more people, or an appliance that is not
# for cooling; heaters, a water heater and fans follow the weather too, so they are left unsaid
CHANGE_WORDS = (
    ("air_conditioner", re.compile(r"\b(?:dieu hoa|may lanh|cuc nong|cuc lanh|air ?con)\b")),
    (
        "people",
        re.compile(
            r"\b(?:em be|sinh (?:con|em|chau)|co (?:them )?(?:con|chau) nho|them (?:\d+ |mot |"
            r"hai |ba )?(?:nguoi|dua|thanh vien|mieng an)|nguoi (?:o|thue)|(?:o|thue) ghep|"
            r"cho thue|(?:ve|len|sang|xuong) o (?:cung|chung|voi)|giup viec|osin|con dau|con re)\b"
        ),
    ),
    (
        "appliance",
        re.compile(
            r"\b(?:may say|xe (?:may |dap )?dien|o to dien|tu lanh|tu cap dong|tu mat|"
            r"(?:mua|them|sam|lap|chiec) (?:them )?tu dong|bep (?:tu|dien|hong ngoai)|"
            r"lo (?:vi song|nuong)|noi chien|may bom|may giat|may rua bat|"
            r"may loc (?:nuoc|khong khi)|may tinh|be ca (?:canh|thuy sinh))\b"
        ),
    ),
)
# a name preceded by one of these within three words of the same clause is not what changed
# ("không phải do cái máy lạnh", "chưa lắp điều hòa"; "chả"/"chẳng" only before "phải"/"có", as
# "cha mẹ" and "chàng rể" read the same without diacritics) …
NOT = re.compile(
    r"\b(?:khong|ko|k|khg|hong|hok|hk|chua|dau (?:phai|co)|(?:chang|cha) (?:phai|co))"
    r"(?: \w+){0,3} $"
)
# … nor one followed by a denial ("điều hòa thì không", "điều hòa vẫn như cũ")
NOT_AFTER = re.compile(r"^(?: \w+)?(?: thi)? (?:khong|chua|van (?:nhu cu|vay|the))\b")
# devices that follow the weather but are not air conditioning: a yes that names one is recorded
# as not said, and the bot does not offer the kinds (none fits)
WEATHER_DEVICES = re.compile(
    r"\b(?:binh nong lanh|nong lanh|may nuoc nong|may suoi|den suoi|suoi dien|quat)\b"
)
# what the bot offers to choose when the words name none (the confirm question's buttons): the
# backend's own words follow "Đồng ý — "
KIND_BUTTONS = ("air_conditioner", "people", "appliance")


def change_kind(text: str) -> str | None:
    """What the household's words say changed for good: the kind named first and not denied;
    None when they name none."""
    plain = " ".join(strip_diacritics(text).lower().split())
    found = [
        (match.start(), kind)
        for kind, words in CHANGE_WORDS
        for match in words.finditer(plain)
        if not NOT.search(plain[: match.start()]) and not NOT_AFTER.search(plain[match.end() :])
    ]
    return min(found)[1] if found else None


def note_from(text: str) -> str | None:
    """The household's own words for staff, when they say more than yes or no."""
    text = " ".join(text.split())
    if text.startswith("/") or len(text.split()) < NOTE_MIN_WORDS:
        return None
    return text[:NOTE_MAX].rstrip()


def question(
    alert: dict[str, Any], lasting: bool, note: str | None, what: str | None, choose: bool = False
) -> str:
    """`what`: the backend's words for what changed (`change_kinds`), None when not said;
    `choose`: the buttons offer what changed."""
    day = alert["start_day_text"]
    said = f' ("{note}")' if note else ""
    what = f" — {what}" if what else ""
    again = (
        " Câu trả lời này thay cho câu trả lời trước."
        if alert.get("lasting_change") is not None
        else ""
    )
    if lasting:
        return (
            f"Tôi sẽ ghi lại cho cảnh báo dùng điện bất thường từ ngày {day}: nhà bạn có thay "
            f"đổi lâu dài{what}{said}. Từ lần cập nhật hằng đêm tới, mức dự kiến sẽ theo mức dùng mới của "
            f"nhà bạn tính từ ngày {day} và tôi không báo bất thường vì thay đổi này nữa; "
            f"{STAFF}.{again} Bạn đồng ý không?"
            + (" Nếu biết, bạn chọn luôn điều gì đã thay đổi nhé." if choose else "")
        )
    return (
        f"Tôi sẽ ghi lại cho cảnh báo dùng điện bất thường từ ngày {day}: nhà bạn không có thay "
        f"đổi lâu dài nào{said}. Mức dự kiến giữ như trước, nên mức dùng cao hơn thường lệ vẫn "
        f"được xem là bất thường; {STAFF}.{again} Bạn đồng ý không?"
    )


class ActionPrepareAlertFeedback(Action):
    """Read the answer and ask to confirm it; nothing is stored yet."""

    def name(self) -> str:
        return "action_prepare_alert_feedback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        forget = [SlotSet("pending_change", None)]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in YES_INTENTS + NO_INTENTS:
            dispatcher.utter_message(response="utter_anything_else")
            return forget
        pending = tracker.get_slot("pending_change")
        if (
            intent in YES_INTENTS
            and isinstance(pending, dict)
            and pending.get("kind") == "alert_feedback"
            and pending.get("offered")
            and _just_asked(tracker, self.name())
        ):
            # "Đồng ý — có thêm người ở" typed in answer to the question that offered the kinds
            # (Zalo shows the buttons as text to type): the yes, with what its words name
            apply_alert_feedback(dispatcher, tracker, pending)
            return forget
        body = call_for_household(tracker, dispatcher, "GET", "anomalies/latest")
        if body is None:
            return forget
        alert = body.get("anomaly")
        if intent in PLAIN and (
            alert is None
            or not alert.get("is_open")
            or alert.get("lasting_change") is not None
            or alert.get("easing")
        ):
            # "có" after a usage answer that asked nothing (no alert, or one answered already, or
            # whose use is back to normal): not an answer to any alert
            dispatcher.utter_message(response="utter_anything_else")
            return forget
        if alert is None:
            dispatcher.utter_message(text=NO_ALERT)
            return forget
        lasting = intent in YES_INTENTS
        note = note_from(latest_text(tracker))
        if not lasting and GUESTS.search(strip_diacritics(latest_text(tracker)).lower()):
            stay = _guest_stay(dispatcher, tracker, alert, note)
            if stay is not None:
                return stay
        kinds = body.get("change_kinds") or {}
        named = change_kind(latest_text(tracker)) if lasting else None
        kind = named if named in kinds else None  # only what the backend takes
        change = {
            "kind": "alert_feedback",
            "anomaly_id": int(alert["id"]),
            "lasting_change": lasting,
            "note": note,
            "start_day_text": alert["start_day_text"],
        }
        if kind is not None:
            change["change"] = kind
        # a yes that names nothing keeps what an earlier yes said (the backend does so)
        kept = alert.get("change_text") if alert.get("lasting_change") is True else None
        what = kinds.get(kind) if kind else kept
        weather_device = WEATHER_DEVICES.search(strip_diacritics(latest_text(tracker)).lower())
        ask = lasting and what is None and named is None and not weather_device
        offered = [k for k in KIND_BUTTONS if k in kinds] if ask else []
        text = question(alert, lasting, note, what, choose=bool(offered))
        if not offered:
            return ask_to_confirm(dispatcher, text, change)
        # the words named nothing: the yes buttons say what changed, as the app's card asks
        change["offered"] = offered
        buttons = [
            {"title": f"Đồng ý — {kinds[k]}", "payload": f'/affirm{{"change_kind": "{k}"}}'}
            for k in offered
        ] + yes_no("Đồng ý, thay đổi khác hoặc không rõ", "Không")
        return ask_to_confirm(dispatcher, text, change, buttons)


def _stay_days(text: str, alert: dict[str, Any]) -> tuple[date, date] | None:
    """The days of the visit: as the answer names them (a visit that has begun), else the
    alert's (to today while it is open)."""
    today = vietnam_today()
    said = read_stay(text, today=today)
    if said.first is not None and said.last is not None and said.first <= today:
        return said.first, said.last
    try:
        first = date.fromisoformat(str(alert.get("start_day")))
        last = today if alert.get("is_open") else date.fromisoformat(str(alert.get("last_day")))
    except ValueError:
        return None
    return (first, last) if first <= last <= today + timedelta(days=1) else None


def _guest_stay(
    dispatcher: CollectingDispatcher, tracker: Tracker, alert: dict[str, Any], note: str | None
) -> list[EventType] | None:
    """Ask to record the visit behind the alert; None (the usual question follows) when the
    backend would not take it (told too late, too long) or cannot be asked."""
    days = _stay_days(latest_text(tracker), alert)
    if days is None:
        return None
    body = {"first_day": days[0].isoformat(), "last_day": days[1].isoformat()}
    backend = client()
    try:
        linked = backend.household_of(tracker.sender_id)
        preview = backend.post(
            f"/api/v1/service/households/{linked['household_id']}/guest-stays/preview", body
        )
    except (BackendError, BackendUnavailable, KeyError):
        return None
    period = preview["stay"]["period_text"]
    question = (
        f"Tôi sẽ ghi lại cho cảnh báo dùng điện bất thường từ ngày {alert['start_day_text']}: "
        f"nhà bạn không có thay đổi lâu dài nào, chỉ là có khách {period}. {WHAT_IT_DOES} "
        f"Ngoài ra, {STAFF}. Bạn đồng ý không?"
    )
    change = {"kind": "guest_stay", **body, "anomaly_id": int(alert["id"]), "note": note}
    return ask_to_confirm(dispatcher, question, change, yes_no("Đúng, ghi lại", "Không"))


def chosen_kind(tracker: Tracker, offered: list[str]) -> str | None:
    """What the yes to a question that offered `offered` chose: a button's `change_kind`, else
    what a typed yes names ("ừ, thêm người ở"); None for a plain yes."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "change_kind" and entity.get("value") in offered:
            return str(entity["value"])
    kind = change_kind(latest_text(tracker))
    return kind if kind in offered else None


def apply_alert_feedback(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    """The household said yes: record its answer to the alert asked about just before, with what
    changed when the yes chose it (a button's `change_kind`, or the words of a typed yes)."""
    lasting = bool(change.get("lasting_change"))
    chosen = chosen_kind(tracker, change.get("offered") or [])
    if lasting and chosen is not None and not change.get("change"):
        change = {**change, "change": chosen}
    done = post_alert_answer(
        tracker,
        dispatcher,
        change,
        lasting=lasting,
        unavailable=UNAVAILABLE + " Câu trả lời của bạn chưa được ghi lại.",
    )
    if done is None:
        return
    recorded = done.get("anomaly") or {}
    day = recorded.get("start_day_text") or change.get("start_day_text")
    if lasting:
        what = f" — {recorded['change_text']}" if recorded.get("change_text") else ""
        text = (
            f"Đã ghi lại: nhà bạn có thay đổi lâu dài từ ngày {day}{what}. Từ lần cập nhật hằng "
            "đêm tới, mức dự kiến sẽ theo mức dùng mới của nhà bạn và tôi không báo bất thường "
            f"vì thay đổi này nữa. Ngoài ra, {STAFF}."
        )
    else:
        text = (
            "Đã ghi lại: nhà bạn không có thay đổi lâu dài nào. Mức dự kiến giữ như trước; nếu "
            "mức dùng vẫn cao hơn thường lệ, bạn nên xem thiết bị nào trong nhà đang chạy nhiều "
            f"hơn bình thường. Ngoài ra, {STAFF}."
        )
    dispatcher.utter_message(
        text=text, buttons=[{"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"}]
    )


# --- "Đã sửa xong bình nóng lạnh rồi": the cause of the alert was put right (a repaired fault,
# not a lasting change). The backend restarts the scoring's evidence from today's reading
# (POST .../anomalies/<id>/repaired): the alert closes at the next nightly check with a real
# reading, and if use stays high the new evidence raises a new one.
NO_ALERT_REPAIR = (
    "Trong 30 ngày qua nhà bạn không có cảnh báo dùng điện bất thường nào nên chưa có gì để ghi "
    "lại. Cảm ơn bạn đã báo."
)
STAFF_REPAIR = "nhân viên chăm sóc khách hàng cũng thấy việc này khi hỗ trợ nhà bạn"


def watched_again(since: str) -> str:
    """What the scoring does after a repair (ml/detect.py restarts its evidence that day); true
    whether or not the household gets usage alerts as notices."""
    return (
        f"Tôi theo dõi lại mức dùng của nhà bạn từ đầu, tính từ {since}: nếu vẫn cao hơn mức dự "
        "kiến, mức dùng sẽ lại được báo là bất thường"
    )


def repair_question(alert: dict[str, Any]) -> str:
    again = (
        " Việc này thay cho câu trả lời trước: mức dự kiến sẽ không theo mức dùng mới nữa."
        if alert.get("lasting_change") is True
        else ""
    )
    return (
        f"Tôi sẽ ghi lại cho cảnh báo dùng điện bất thường từ ngày {alert['start_day_text']}: "
        f"nhà bạn đã sửa xong chỗ gây tốn điện (ghi ngày hôm nay). {watched_again('hôm nay')}; "
        "cảnh báo này sẽ đóng sau lần kiểm tra ban đêm có số điện thực tế từ hôm nay trở đi. "
        f"Ngoài ra, {STAFF_REPAIR}.{again} Bạn đồng ý không?"
    )


def _just_asked(tracker: Tracker, action: str) -> bool:
    """Whether the bot's last action before the latest message was `action`'s question."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") == action
    return False


class ActionPrepareAlertRepair(Action):
    """Read "đã sửa xong" and ask to confirm it for the alert it is about; nothing is stored
    yet (the yes goes to action_apply_change, kind "alert_repair"). "Đúng, đã sửa xong" in answer
    to that question (Zalo shows the buttons as text to type) is the yes."""

    def name(self) -> str:
        return "action_prepare_alert_repair"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        forget = [SlotSet("pending_change", None)]
        pending = tracker.get_slot("pending_change")
        if (
            isinstance(pending, dict)
            and pending.get("kind") == "alert_repair"
            and _just_asked(tracker, self.name())
        ):
            apply_alert_repair(dispatcher, tracker, pending)
            return forget
        body = call_for_household(tracker, dispatcher, "GET", "anomalies/latest")
        if body is None:
            return forget
        alert = body.get("anomaly")
        if alert is None:
            dispatcher.utter_message(text=NO_ALERT_REPAIR)
            return forget
        day = alert["start_day_text"]
        if alert.get("repaired_on_text"):
            dispatcher.utter_message(
                text=f"Bạn đã báo sửa xong ngày {alert['repaired_on_text']} cho cảnh báo dùng "
                f"điện bất thường từ ngày {day}. {watched_again('hôm đó')}."
            )
            return forget
        if not alert.get("is_open"):
            dispatcher.utter_message(
                text=f"Cảnh báo dùng điện bất thường từ ngày {day} đã đóng vì mức dùng không "
                "còn cao hơn mức dự kiến, nên không cần ghi thêm gì. Cảm ơn bạn đã báo."
            )
            return forget
        change = {"kind": "alert_repair", "anomaly_id": int(alert["id"]), "start_day_text": day}
        return ask_to_confirm(
            dispatcher, repair_question(alert), change, yes_no("Đúng, ghi lại", "Không")
        )


def apply_alert_repair(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    """The household said yes: record that the alert's cause was put right today."""
    done = call_for_household(
        tracker,
        dispatcher,
        "POST",
        f"anomalies/{int(change.get('anomaly_id') or 0)}/repaired",
        {},
        UNAVAILABLE + " Việc sửa xong chưa được ghi lại.",
        refused="Tôi chưa ghi được.",
    )
    if done is None:
        return
    alert = done.get("anomaly") or {}
    since = f"ngày {alert['repaired_on_text']}" if alert.get("repaired_on_text") else "hôm nay"
    dispatcher.utter_message(
        text=f"Đã ghi lại: nhà bạn đã sửa xong chỗ gây tốn điện ({since}). "
        f"{watched_again(since)}. Ngoài ra, {STAFF_REPAIR}."
    )
