"""The exported corrections are training data Rasa itself accepts (`rasa data validate` in bot/.venv).

Runs only with the SQLite suite (not in test-postgres: the database plays no part here)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from backend.services.nlu_export import Correction, write_export

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / "bot" / ".venv" / "bin" / "rasa"


def entity(text: str, name: str, span: str, value: str | None = None) -> dict:
    start = text.index(span)
    return {"entity": name, "value": value or span, "start": start, "end": start + len(span)}


def test_rasa_data_validate_accepts_the_export(tmp_path):
    if not RASA.exists():
        pytest.fail(f"{RASA} is missing: run `make setup` (it creates the bot environment)")
    bot = tmp_path / "bot"
    shutil.copytree(
        ROOT / "bot" / "data", bot / "data", ignore=shutil.ignore_patterns("corrections.yml")
    )
    texts = {
        "solar": "lắp pin mặt trời trên mái có lợi ko, sđt 0912 345 678",
        "bill": "dùng 350 số thì hết bao nhiêu [tiền]",
        "ac": "máy lạnh nhà mình để mấy độ thì đỡ tốn",
        "budget": "tháng này 1tr2 thì dùng được bn số",
    }
    result = write_export(
        [
            Correction(texts["solar"], "ask_solar", []),
            Correction(texts["bill"], "calculate_bill", [entity(texts["bill"], "kwh", "350")]),
            Correction(
                texts["ac"],
                "ask_saving_tips",
                [entity(texts["ac"], "appliance", "máy lạnh", "air_conditioner")],
            ),
            Correction(
                texts["budget"], "ask_kwh_for_budget", [entity(texts["budget"], "money", "1tr2")]
            ),
        ],
        bot / "data" / "nlu",
    )
    assert result.examples == 4
    assert len(yaml.safe_load(result.yaml)["nlu"]) == 4
    run = subprocess.run(
        [
            str(RASA),
            "data",
            "validate",
            "--data",
            str(bot / "data"),
            "--domain",
            str(ROOT / "bot" / "domain.yml"),
            "--config",
            str(ROOT / "bot" / "config.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "Warning" in line]
    for intent in ("ask_solar", "calculate_bill", "ask_saving_tips", "ask_kwh_for_budget"):
        assert not [w for w in warnings if f"'{intent}'" in w], warnings
    assert not [w for w in warnings if "not listed in your domain" in w or "corrections" in w]

    # Rasa's own reader gets back the sentences and entities we meant
    read = subprocess.run(
        [str(RASA.parent / "python"), "-c", READ, str(bot / "data" / "nlu" / "corrections.yml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert read.returncode == 0, read.stderr[-3000:]
    parsed = {tuple(row[:2]): row[2] for row in json.loads(read.stdout.splitlines()[-1])}
    assert parsed == {
        ("ask_solar", "lắp pin mặt trời trên mái có lợi ko, sđt 091*****78"): [],
        ("calculate_bill", "dùng 350 số thì hết bao nhiêu (tiền)"): [["kwh", "350", 5, 8]],
        ("ask_saving_tips", texts["ac"]): [["appliance", "air_conditioner", 0, 8]],
        ("ask_kwh_for_budget", texts["budget"]): [["money", "1tr2", 10, 14]],
    }


READ = """
import json, sys
from rasa.shared.nlu.training_data.loading import load_data
data = load_data(sys.argv[1])
print(json.dumps([
    [m.get("intent"), m.get("text"), [[e["entity"], e["value"], e["start"], e["end"]] for e in m.get("entities") or []]]
    for m in data.intent_examples
], ensure_ascii=False))
"""
