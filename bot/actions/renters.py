"""Renters: is the landlord's price per kWh what the rules allow today?

"em ở trọ, chủ nhà thu 4 nghìn một số có đúng không", "150 số mà chủ trọ thu 600 nghìn": the
landlord's price (or a month's bill and its kWh), the kWh and the people on the meter are read
with actions.parsing; the backend (POST /api/v1/bills/renter-check) compares them with today's
ceiling (the tier-3 price plus VAT) and the registered-renter bill, and names the rule and what
to do from its sourced facts. No figure or rule is typed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from components.text import nfc, strip_diacritics
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import CANCEL, latest_text
from actions.parsing import find_people, find_quantities

# "4 nghìn một số", "3.500đ/số", "4k 1 kí", "3800 mỗi chữ", "2.570 đ/kWh"
# not "bảy mươi mốt kí" / "mười một số": there "mốt"/"một" is the last digit of 71 or 11 kWh
PER_KWH = re.compile(
    r"(?:/\s*|(?<!\w)(?<!muoi )(?:mot|1|moi|cho mot|cho 1)\s+)(?:so|ki|ky|chu|kwh|kw|do)(?!\w)"
)
MIN_PRICE, MAX_PRICE = 500, 50_000  # đồng per kWh a landlord could plausibly charge
MIN_BILL = 10_000
UNAVAILABLE = (
    "Xin lỗi, máy tính hóa đơn đang tạm ngưng nên tôi chưa so được giá chủ nhà thu. "
    "Bạn thử lại sau ít phút nhé."
)
NOT_UNDERSTOOD = (
    "Tôi chưa đọc được giá chủ nhà thu. Bạn viết giúp kiểu: 4 nghìn một số, 3.500 đ/kWh, "
    "hoặc cả số điện và tiền điện của tháng: 150 số, 600 nghìn."
)


@dataclass(frozen=True)
class LandlordPrice:
    """What the renter told: a price per kWh, or a bill and its kWh; kWh and people if said."""

    price_per_kwh: int | None = None
    kwh: int | None = None
    bill: int | None = None
    people: int | None = None

    def payload(self) -> dict[str, int]:
        fields = {
            "price_per_kwh": self.price_per_kwh,
            "kwh": self.kwh,
            "bill": self.bill,
            "people": self.people,
        }
        return {name: value for name, value in fields.items() if value is not None}


def _whole(value: float) -> int | None:
    return int(value) if float(value).is_integer() else None


def read_landlord_price(text: str | None) -> LandlordPrice | None:
    """The landlord's price in a renter's message, or None when it holds none we understood."""
    if not text:
        return None
    text = nfc(text)
    plain = strip_diacritics(text).lower()
    price: int | None = None
    rest = text
    marker = PER_KWH.search(plain)
    if marker:
        before = find_quantities(text[: marker.start()])
        candidates = [q for q in before if q.unit != "kwh" and q.range is None]
        if candidates:
            value = _whole(candidates[-1].value)
            if value is None or not MIN_PRICE <= value <= MAX_PRICE:
                return None  # "4 một số": thousands or đồng? ask rather than guess
            price = value
        rest = text[: marker.start()] + " , " + text[marker.end() :]
    quantities = [q for q in find_quantities(rest) if q.range is None]
    kwh = next((_whole(q.value) for q in quantities if q.unit == "kwh"), None)
    wholes = [
        _whole(q.value)
        for q in quantities
        if q.unit != "kwh" and (q.unit == "money" or q.hint == "money" or q.value >= 1000)
    ]
    money = [m for m in wholes if m is not None and m != price]
    bill = next((m for m in money if m >= MIN_BILL), None)
    if price is None:
        loose = next((m for m in money if MIN_PRICE <= m <= MAX_PRICE and m < MIN_BILL), None)
        if loose is not None:
            price = loose  # "chủ nhà thu 4 nghìn": no month's bill is 4.000 đ
        elif bill is None or not kwh:
            return None
    if price is not None and bill is not None and not kwh:
        bill = None
    people = find_people(text)
    return LandlordPrice(
        price_per_kwh=price, kwh=kwh or None, bill=bill if price is None else None, people=people
    )


def renter_reply(check: dict[str, Any], said: LandlordPrice) -> str:
    """The answer, from the backend's figures and facts."""
    rule = check["rule"]
    ceiling = check["ceiling_per_kwh_text"]
    parts = [
        f"Theo {rule}, người thuê nhà chưa được đăng ký định mức chỉ phải trả tối đa giá bậc "
        f"{check['tier']} ({check['tier_from_kwh']}–{check['tier_to_kwh']} kWh) là "
        f"{check['tier_price_text']}/kWh, cộng thuế GTGT {check['vat_percent']}% là "
        f"{ceiling}/kWh."
    ]
    price = check["price_per_kwh_text"]
    if check["over"]:
        parts.append(
            f"Chủ nhà thu {price}/kWh, cao hơn mức được phép {check['over_per_kwh_text']} mỗi số."
        )
    else:
        parts.append(f"Chủ nhà thu {price}/kWh, không vượt mức được phép.")
    month = check.get("month")
    if month:
        if month["over"] > 0:
            parts.append(
                f"Với {check['kwh']} số một tháng, bạn trả {month['charged_text']}, trong khi mức "
                f"tối đa là {month['allowed_text']}: dư {month['over_text']} mỗi tháng."
            )
        else:
            parts.append(
                f"Với {check['kwh']} số một tháng, bạn trả {month['charged_text']}, không quá "
                f"mức tối đa {month['allowed_text']}."
            )
    elif check["over"]:
        parts.append("Bạn cho tôi biết mỗi tháng dùng bao nhiêu số, tôi tính số tiền dư cả tháng.")
    registered = check.get("registered")
    if registered and month:
        cheaper = registered["below_ceiling"] > 0
        parts.append(
            f"Nếu chủ nhà đăng ký {registered['people']} người ở với điện lực, {check['kwh']} số "
            f"tính theo định mức là {registered['total_text']}"
            + (
                f", thấp hơn mức tối đa {registered['below_ceiling_text']}."
                if cheaper
                else "; với mức dùng này, giá bậc 3 lại có lợi hơn."
            )
        )
    elif month and check["over"]:
        parts.append(
            "Nếu cho tôi biết có mấy người ở chung công tơ, tôi tính thêm tiền điện khi chủ nhà "
            "đăng ký định mức cho người thuê."
        )
    if check["over"] or registered:
        parts.append(check["what_to_do"])
    basis = "giá chủ nhà thu mỗi số" if said.price_per_kwh else "tiền điện chia cho số điện"
    parts.append(
        f"(So theo {basis}, biểu giá {check['tariff_text']} và thuế GTGT hiện hành, kỳ 30 ngày.)"
    )
    return " ".join(parts)


def answer_renter(dispatcher: CollectingDispatcher, said: LandlordPrice) -> None:
    try:
        check = client().post("/api/v1/bills/renter-check", said.payload())
    except (BackendUnavailable, BackendError):
        dispatcher.utter_message(text=UNAVAILABLE)
        return
    dispatcher.utter_message(
        text=renter_reply(check, said),
        buttons=[{"title": "Tính tiền điện", "payload": "/calculate_bill"}],
    )


class ValidateRenterForm(FormValidationAction):
    """Reads the whole message for the landlord's price; asks once more when it holds none."""

    def name(self) -> str:
        return "validate_renter_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        asked = tracker.get_slot("requested_slot") == "landlord_price"
        if asked and CANCEL.match(strip_diacritics(text).lower().strip()):
            dispatcher.utter_message(text="Vâng, tôi dừng ở đây. Khi cần bạn cứ hỏi lại nhé.")
            return [SlotSet("landlord_price", "-"), SlotSet("requested_slot", None)]
        if read_landlord_price(text) is not None:
            return [SlotSet("landlord_price", text), SlotSet("requested_slot", None)]
        if asked:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
        return [SlotSet("landlord_price", None)]


class ActionRenterPriceCheck(Action):
    def name(self) -> str:
        return "action_renter_price_check"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        said = read_landlord_price(tracker.get_slot("landlord_price"))
        if said is not None:
            answer_renter(dispatcher, said)
        return [SlotSet("landlord_price", None)]
