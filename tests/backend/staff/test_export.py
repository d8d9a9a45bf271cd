"""Reviewed corrections → bot/data/nlu/corrections.yml (Rasa 3.x NLU YAML)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backend.extensions import db
from backend.models import ChatMessage
from backend.services.nlu_export import Correction, annotate, existing_examples, render
from backend.services.staff_conversations import correct_message, mark_reviewed
from backend.services.staff_demo import user
from tests.backend.staff.conftest import conversation

BOT_NLU = Path(__file__).resolve().parents[3] / "bot" / "data" / "nlu"


@pytest.fixture
def out_dir(app, tmp_path):
    (tmp_path / "chitchat.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - xin chào\n    - [chào](greet_word) bạn\n',
        encoding="utf-8",
    )
    app.config["NLU_EXPORT_DIR"] = str(tmp_path)
    return tmp_path


def corrected(
    sender: str, text: str, intent: str, entities: str = "", reviewed: bool = True
) -> ChatMessage:
    conv = conversation(sender, [user(text, "out_of_scope", 0.3)])
    message = db.session.scalars(
        db.select(ChatMessage).where(ChatMessage.sender_id == sender)
    ).one()
    correct_message(db.session(), sender, message.id, intent, entities, "an")
    if reviewed:
        mark_reviewed(db.session(), conv, "binh")
    return message


def test_annotations_with_and_without_a_value():
    text = "350 số hết bao nhiêu, máy lạnh tốn ko"
    entities = [
        {"entity": "kwh", "value": "350", "start": 0, "end": 3},
        {"entity": "appliance", "value": "air_conditioner", "start": 22, "end": 30},
    ]
    assert annotate(text, entities) == (
        '[350](kwh) số hết bao nhiêu, [máy lạnh]{"entity": "appliance", "value": "air_conditioner"} tốn ko'
    )


def test_personal_data_outside_entities_is_masked_and_brackets_cannot_fake_annotations():
    assert annotate("gọi 0912345678 [gấp] nhé", []) == "gọi 091*****78 (gấp) nhé"


def test_render_dedupes_latest_wins_skips_known_and_unknown_intents():
    text, examples, intents, skipped = render(
        [
            Correction("lắp pin mặt trời lợi ko", "ask_tariff", []),
            Correction(
                "Lắp  pin mặt trời lợi ko", "ask_solar", []
            ),  # same sentence, corrected again
            Correction("xin chào", "greet", []),  # already in the training data
            Correction("thời tiết mai", "ask_weather", []),  # not a fixed intent
        ],
        known={"xin chào"},
    )
    assert (examples, intents, skipped) == (1, 1, 1)
    data = yaml.safe_load(text)
    assert data == {
        "version": "3.1",
        "nlu": [{"intent": "ask_solar", "examples": "- Lắp pin mặt trời lợi ko\n"}],
    }


def test_existing_examples_strip_annotations(out_dir):
    assert existing_examples(out_dir) == {"xin chào", "chào bạn"}


def test_cli_exports_only_reviewed_corrections(app, out_dir):
    corrected("a", "lắp pin mặt trời lợi ko", "ask_solar", "appliance: pin mặt trời = solar_panel")
    corrected("b", "dùng 350 số hết nhiêu", "calculate_bill", "kwh: 350")
    corrected("c", "cúp điện rồi ad ơi", "report_outage", reviewed=False)
    corrected("d", "xin chào", "greet")
    result = app.test_cli_runner().invoke(args=["nlu", "export"])
    assert result.exit_code == 0, result.output
    assert (
        "wrote 2 examples for 2 intents" in result.output
        and "(1 already in the training data)" in result.output
    )
    data = yaml.safe_load((out_dir / "corrections.yml").read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert {item["intent"]: item["examples"] for item in data["nlu"]} == {
        "ask_solar": '- lắp [pin mặt trời]{"entity": "appliance", "value": "solar_panel"} lợi ko\n',
        "calculate_bill": "- dùng [350](kwh) số hết nhiêu\n",
    }


def test_export_page_for_supervisors(supervisor, out_dir):
    corrected("a", "lắp pin mặt trời lợi ko", "ask_solar")
    corrected("b", "cúp điện rồi", "report_outage", reviewed=False)
    page = supervisor.get("/staff/nlu/export").get_data(as_text=True)
    assert "1 chỉnh sửa đã xem xét" in page and "1 chỉnh sửa khác đang chờ" in page
    page = supervisor.post("/staff/nlu/export").get_data(as_text=True)
    assert "Đã ghi 1 câu cho 1 ý định" in page and "- lắp pin mặt trời lợi ko" in page
    assert (out_dir / "corrections.yml").exists()


def test_the_fixed_intent_list_matches_the_bot_domain():
    from backend.services.nlu_export import ENTITIES, INTENTS

    domain = yaml.safe_load((BOT_NLU.parents[1] / "domain.yml").read_text(encoding="utf-8"))
    assert set(INTENTS) <= set(domain["intents"])
    # an entity with properties is a mapping of its name (`change_kind: {influence_conversation}`)
    entities = {e if isinstance(e, str) else next(iter(e)) for e in domain["entities"]}
    assert set(ENTITIES) <= entities
