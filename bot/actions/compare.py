"""Why did my bill jump? The household's last two bills compared by the backend
(POST /api/v1/bills/compare, backend/billing/compare.py), else the general why.

One word for the concept in code: "compare". The intent `ask_bill_spike` is a contract and the
Rasa action name `action_explain_bill_spike` is what stories and recorded conversations name,
so both keep "spike"."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.reference import facts, statement

TIP_BUTTONS = [
    {"title": "Mẹo với điều hòa", "payload": '/ask_saving_tips{"appliance": "air_conditioner"}'},
    {"title": "Xem mức dùng điện", "payload": "/check_my_usage"},
]


class ActionCompareBills(Action):
    def name(self) -> str:
        return "action_explain_bill_spike"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        backend = client()
        data = facts(backend)
        general = (
            statement(data, "bill_spike_general")
            if data is not None
            else "Tiền điện thường tăng vì dùng thêm điện hoặc vì kỳ ghi chỉ số dài hơn."
        )
        try:
            household = backend.household_of(tracker.sender_id)
            if not household.get("linked"):
                raise LookupError
            usage = backend.get(f"/api/v1/service/households/{household['household_id']}/usage")
        except BackendUnavailable:
            dispatcher.utter_message(
                text=general + " (Hiện tôi chưa lấy được hóa đơn của nhà bạn để phân tích riêng.)",
                buttons=TIP_BUTTONS,
            )
            return []
        except (BackendError, LookupError):
            dispatcher.utter_message(text=general, buttons=TIP_BUTTONS)
            return []
        parts = []
        bills = usage.get("last_bills") or []
        if len(bills) >= 2:
            previous, current = bills[1], bills[0]
            context = {"air_conditioners": usage.get("air_conditioners")}
            if previous.get("avg_temp_c") is not None and current.get("avg_temp_c") is not None:
                context["previous_avg_temp_c"] = previous["avg_temp_c"]
                context["current_avg_temp_c"] = current["avg_temp_c"]
            try:
                comparison = backend.post(
                    "/api/v1/bills/compare",
                    {
                        "previous": {k: previous[k] for k in ("kwh", "period_start", "period_end")},
                        "current": {k: current[k] for k in ("kwh", "period_start", "period_end")},
                        "context": {k: v for k, v in context.items() if v is not None},
                    },
                )
                parts.append(comparison["explanation"])
            except (BackendUnavailable, BackendError):
                parts.append(general)
        else:
            parts.append(general)
        anomaly = usage.get("anomaly")
        if anomaly and anomaly.get("is_anomaly"):
            parts.append(anomaly["explanation"])
        elif anomaly is not None:
            parts.append(
                "So với mức thường thấy của nhà bạn khi thời tiết tương tự, mức dùng điện gần đây "
                "vẫn bình thường."
            )
        dispatcher.utter_message(text=" ".join(parts), buttons=TIP_BUTTONS)
        return []
