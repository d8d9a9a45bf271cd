"""The guard: every household- and staff-facing text, rendered with realistic values, reads as
natural Vietnamese (docs/content.md).

Fails on an ISO date, "0%", a banned spelling variant (hoà, hoá, khoá, xoá, huỷ: the README's
Contributing section picks hòa/hóa/khóa/xóa/hủy), an English word outside the allow-list, or a
common word written without its diacritics. Texts come from: bot/domain.yml responses, string
literals of the bot's actions, notices and staff code, staff and web chat templates, the facts
file, and rendered outputs of the bill comparison, weekly and outage notices, staff demo and
API validation messages.
"""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from backend.billing import HouseholdContext, PeriodUsage, compare_bills, explain_comparison_vi
from backend.content.dates import date_vi
from backend.content.facts import facts_on
from backend.errors import VALIDATION_VI, vietnamese
from backend.models import Household, Outage
from backend.services.anomalies import AFTER_REPAIR
from backend.services.projection import BudgetStatus, HouseholdProjection
from backend.services.staff_demo import DEMO_CONVERSATIONS
from ml.api import explain_vi
from notifications.outages import notice_text
from notifications.projection import budget_message, tier_message
from notifications.weekly import weekly_message
from tests.content.checks import VIETNAMESE, problems

ROOT = Path(__file__).resolve().parents[2]


def domain_texts() -> list[tuple[str, str]]:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    values = {"meter_reading": "12345"}
    texts = []
    for name, variants in domain["responses"].items():
        for variant in variants:
            texts.append((f"domain.yml {name}", variant["text"].format(**values)))
            for button in variant.get("buttons") or []:
                texts.append((f"domain.yml {name} button", button["title"]))
    return texts


def literal_texts(path: Path) -> list[tuple[str, str]]:
    """Vietnamese string literals of a Python file; f-strings with their values as "12"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside_fstrings = {
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for value in node.values
    }
    # for developers, not households: docstrings and OpenAPI descriptions
    skipped = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    skipped |= {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg in ("metadata", "description")
        for inner in ast.walk(node.value)
    }
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "12"
                for v in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in inside_fstrings or id(node) in skipped:
                continue
            text = node.value
        else:
            continue
        if VIETNAMESE.search(text):
            texts.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return texts


def template_texts(path: Path) -> list[tuple[str, str]]:
    html = path.read_text(encoding="utf-8")
    texts = [
        (f"{path.relative_to(ROOT)} script", m.group(1))
        for m in re.finditer(
            r"\"([^\"\n]*)\"", "".join(re.findall(r"<script.*?</script>", html, re.S))
        )
        if VIETNAMESE.search(m.group(1))
    ]
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", html, flags=re.S)
    attributes = re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', html)
    html = re.sub(r"<[^>]+>", "\n", html)
    for chunk in [*attributes, *html.split("\n")]:
        if chunk.strip() and VIETNAMESE.search(chunk):
            texts.append((str(path.relative_to(ROOT)), chunk.strip()))
    return texts


def code_files() -> list[Path]:
    return sorted(
        [
            *(ROOT / "bot" / "actions").glob("*.py"),
            *(ROOT / "bot" / "channels").glob("*.py"),
            *(ROOT / "zalo").glob("*.py"),
            *(ROOT / "notifications").glob("*.py"),
            *(ROOT / "backend" / "staff").glob("*.py"),
            *(ROOT / "backend" / "api").glob("*.py"),
            ROOT / "backend" / "errors.py",
            ROOT / "backend" / "billing" / "compare.py",
            *(p for p in (ROOT / "backend" / "services").glob("*.py") if p.name != "staff_demo.py"),
        ]
    )


def rendered_texts() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    periods = [
        (date(2026, 5, 15), date(2026, 6, 14)),
        (date(2026, 6, 15), date(2026, 7, 14)),
        (date(2022, 12, 1), date(2022, 12, 31)),
        (date(2023, 5, 1), date(2023, 6, 20)),
        (date(2025, 4, 20), date(2025, 5, 19)),
    ]
    context = HouseholdContext(
        air_conditioners=1, previous_avg_temp_c=26.0, current_avg_temp_c=30.0
    )
    for before in (0, 1, 49, 100, 300, 400):
        for after in (0, 1, 50, 101, 301, 401, 900):
            for (p_start, p_end), (c_start, c_end) in pairwise(periods):
                comparison = compare_bills(
                    PeriodUsage(before, p_start, p_end), PeriodUsage(after, c_start, c_end)
                )
                texts.append(("explain_comparison_vi", explain_comparison_vi(comparison, context)))
    for section, entries in facts_on(date(2026, 6, 1)).items():
        texts += [(f"facts.toml {section}", e.get("text") or e["name"]) for e in entries]
    for province, day in ((79, date(2026, 4, 13)), (1, date(2026, 1, 12)), (68, date(2026, 5, 11))):
        home = Household(
            id="h", province_code=province, occupants=4, appliances={"water_heater": True}
        )
        for previous, neighbours in ((70.0, 10.0), (70.2, 9.99), (None, None), (50.0, 12.0)):
            texts.append(
                ("weekly_message", weekly_message(home, 70.0, previous, neighbours, set(), day)[0])
            )
    for reason, cancelled in (("", False), ("Bảo dưỡng lưới điện", False), ("x", True)):
        outage = Outage(
            province_code=1,
            area_name="Phường Hoàn Kiếm",
            starts_at=datetime(2026, 12, 7, 8, 0),
            ends_at=datetime(2026, 12, 8, 17, 0),
            reason=reason,
            version=2,
            cancelled=cancelled,
        )
        texts.append(("notice_text", " ".join(notice_text(outage))))
    for actual, expected, weather in ((86.0, 64.0, 10.0), (64.2, 64.0, 0.0), (12.0, 0.0, 0.0)):
        for appliances in ({}, {"water_heater": True}, {"air_conditioner": {"count": 1}}):
            texts.append(("ml explain_vi", explain_vi(actual, expected, weather, 6, appliances)))
    texts.append(("after a repair", AFTER_REPAIR.format(day=date_vi(date(2026, 11, 27)))))
    for since in ("20/11/2026", None):
        texts.append(("back to expected", explain_vi(60.0, 64.0, 20.0, 30, since=since)))
    for budget in (
        BudgetStatus(800_000, None, 310, True, True, 9.4),
        BudgetStatus(None, 250, 250, True, True, 0.4),
        BudgetStatus(600_000, None, 240, True, True, None),
        BudgetStatus(None, 150, 150, True, True, None, True),  # 180 kWh used: over already
    ):
        for source in ("forecast", "normals"):
            projection = HouseholdProjection(
                "h",
                date(2026, 6, 16),
                date(2026, 7, 15),
                date(2026, 7, 1),
                180.0,
                16,
                14,
                (390.0, 360.0, 420.0),
                (1_020_000, 930_000, 1_110_000),
                source,
                4,
                5,
                3350,
                3350,
                budget,
            )
            for appliances in ({}, {"air_conditioner": {"count": 2}, "water_heater": True}):
                home = Household(id="h", province_code=79, appliances=appliances)
                texts.append(("budget alert", budget_message(home, projection, date(2026, 7, 1))))
            texts.append(("tier alert", tier_message(projection)))
    for _, _, _, _, said in DEMO_CONVERSATIONS:
        texts += [("staff demo", s.text) for s in said if s.role == "bot"]
    samples = {
        r"\1": "1",
        r"\2": "2000",
    }
    for _, vi in VALIDATION_VI:
        text = vi
        for key, value in samples.items():
            text = text.replace(key, value)
        texts.append(("validation message", text))
    texts.append(("validation message", vietnamese("Length must be between 1 and 2000.")))
    return texts


def every_text() -> list[tuple[str, str]]:
    texts = domain_texts()
    for path in code_files():
        texts += literal_texts(path)
    for path in sorted((ROOT / "backend" / "templates").rglob("*.html")):
        texts += template_texts(path)
    return texts + rendered_texts()


def test_the_guard_catches_each_kind_of_problem():
    assert problems("Kỳ 2025-05-10") == ["ISO date"]
    assert problems("nhiều hơn 0%") == ['"0%"']
    assert problems("điều hoà")[0].startswith("banned spelling")
    assert problems("message: Length must be between 1 and 2000.")[0].startswith("English")
    assert problems("tien dien khong tang")[0].startswith("no diacritics")
    assert problems("Thuế GTGT 10%, 1.984 đ/kWh, 10/5/2025, thứ Hai 12/5") == []


def test_every_text_reads_as_vietnamese():
    texts = every_text()
    assert len(texts) > 400  # the sources above were all found
    bad = [
        f"{where}: {problem}: {text[:120]}" for where, text in texts for problem in problems(text)
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", ["README.md"])
def test_the_spelling_convention_is_stated(path):
    readme = (ROOT / path).read_text(encoding="utf-8")
    assert "hòa" in readme and "hủy" in readme
