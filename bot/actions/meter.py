"""Meter readings: asked for when missing (meter_form), said back and confirmed, then stored
through the backend: action_prepare_meter_reading asks (the one confirm-before-change mechanism,
actions/changes.py) and store_meter_reading stores after the yes."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import UNAVAILABLE, ask_to_confirm, latest_text, linked_household, yes_no
from actions.parsing import parse_whole_number

MAX_INDEX = 999_999_999


class ValidateMeterForm(FormValidationAction):
    def name(self) -> str:
        return "validate_meter_form"

    def validate_meter_reading(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        reading = parse_whole_number(value)
        if reading is None:
            reading = parse_whole_number(latest_text(tracker))
        if reading is None or reading > MAX_INDEX:
            dispatcher.utter_message(
                text="Chỉ số công tơ là một số nguyên (dãy số trên đồng hồ), ví dụ 12345. Bạn nhập lại nhé."
            )
            return {"meter_reading": None}
        return {"meter_reading": reading}


class ActionPrepareMeterReading(Action):
    """The form has the reading: say it back and ask; nothing is stored before a yes (the yes
    goes to action_apply_change, which calls store_meter_reading)."""

    def name(self) -> str:
        return "action_prepare_meter_reading"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reading = parse_whole_number(tracker.get_slot("meter_reading"))
        reset = [SlotSet("meter_reading", None), SlotSet("pending_change", None)]
        if reading is None:
            dispatcher.utter_message(response="utter_ask_meter_reading")
            return reset
        if linked_household(client(), tracker, dispatcher) is None:
            return reset
        question = (
            f"Chỉ số công tơ là {reading}, đúng không ạ? "
            "Tôi sẽ lưu để tính lượng điện nhà bạn dùng."
        )
        return [
            SlotSet("meter_reading", None),
            *ask_to_confirm(
                dispatcher,
                question,
                {"kind": "meter_reading", "reading": reading},
                yes_no("Đúng, lưu lại", "Không, nhập lại"),
            ),
        ]


def store_meter_reading(dispatcher: CollectingDispatcher, tracker: Tracker, reading: int) -> None:
    """Store the reading the household confirmed, through the backend."""
    backend = client()
    household = linked_household(backend, tracker, dispatcher)
    if household is None:
        return
    try:
        stored = backend.post(
            f"/api/v1/service/households/{household['household_id']}/meter-index",
            {"reading": reading},
        )
    except BackendUnavailable:
        dispatcher.utter_message(text=UNAVAILABLE + " Chỉ số chưa được lưu.")
        return
    except BackendError as error:
        if error.code == "index_backwards":
            dispatcher.utter_message(
                text=f"Chỉ số {reading} nhỏ hơn chỉ số lần trước nên tôi chưa lưu. "
                "Bạn kiểm tra lại số trên công tơ giúp tôi nhé."
            )
        else:
            dispatcher.utter_message(text=f"Tôi chưa lưu được chỉ số: {error.message}")
        return
    text = f"Đã lưu chỉ số {reading} ngày {stored['read_on_text']}."
    if stored.get("consumption_kwh") is not None:
        text += f" Từ lần ghi trước nhà bạn đã dùng {stored['consumption_kwh']} kWh."
    dispatcher.utter_message(text=text)
