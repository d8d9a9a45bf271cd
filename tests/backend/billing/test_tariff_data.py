from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backend.app import create_app
from backend.billing import estimate_bill
from backend.billing import peak_hours as peak_module
from backend.billing import tariffs as tariffs_module
from backend.billing.peak_hours import load_peak_hours_file, peak_hours
from backend.billing.tariffs import TariffDataError, load_tariff_book, load_tariffs
from backend.config import TestConfig

FIVE_TIER = """
schema_version = 1

[[tariffs]]
decision = "1279/QĐ-BCT"
effective_from = 2025-05-10
tier_sizes = [50, 50, 100, 100, 100]
prices = [1984, 2050, 2380, 2998, 3350, 3460]

[[tariffs]]
decision = "TEST-5/QĐ-BCT"
effective_from = 2027-01-01
tier_sizes = [100, 100, 200, 300]
prices = [2000, 2400, 3000, 3400, 3600]

[vat]
default = "10/100"
"""


def test_a_five_tier_structure_is_a_data_change_only(tmp_path: Path):
    path = tmp_path / "tariffs.toml"
    path.write_text(FIVE_TIER, encoding="utf-8")
    book = load_tariff_book(path)
    bill = estimate_bill(800, today=date(2027, 2, 1), book=book)
    assert [(line.tier, line.kwh) for line in bill.segments[0].tiers] == [
        (1, 100),
        (2, 100),
        (3, 200),
        (4, 300),
        (5, 100),
    ]
    assert bill.subtotal == 100 * 2000 + 100 * 2400 + 200 * 3000 + 300 * 3400 + 100 * 3600
    # a period across the switch prorates between six and five tiers
    across = estimate_bill(
        620, period_start=date(2026, 12, 17), period_end=date(2027, 1, 16), book=book
    )
    assert [s.tariff for s in across.segments] == ["1279/QĐ-BCT", "TEST-5/QĐ-BCT"]
    assert len(across.segments[0].tiers) == 6 and len(across.segments[1].tiers) == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema_version = 2", "schema_version"),
        (
            FIVE_TIER.replace("prices = [2000, 2400, 3000, 3400, 3600]", "prices = [2000]"),
            "one more price",
        ),
        (FIVE_TIER.replace('default = "10/100"', 'default = "abc"'), "VAT"),
        (
            FIVE_TIER.replace(
                "tier_sizes = [100, 100, 200, 300]", "tier_sizes = [100, -1, 200, 300]"
            ),
            "positive",
        ),
        ("schema_version = 1\n[[tariffs]]\ndecision = 'x'\n", "effective_from"),
        ("not toml [", "tariffs.toml"),
        (
            FIVE_TIER.replace("prices = [2000,", "prepaid_prise = 1\nprices = [2000,"),
            "prepaid_prise",
        ),
        (FIVE_TIER.replace("2027-01-01", "2027-01-01T00:00:00"), "effective_from"),
        (FIVE_TIER.replace("TEST-5/QĐ-BCT", "1279/QĐ-BCT"), "decision"),
        ("schema_version = 1\ntariffs = 5\n", "array of tables"),
        (FIVE_TIER.replace('default = "10/100"', 'default = "10/100"\nreduced = 3'), "vat.reduced"),
        (
            FIVE_TIER + "\n[[vat.reduced]]\nfrom = 2027-02-01\nto = 2027-01-01\nrate = '8/100'\n",
            "before",
        ),
    ],
)
def test_a_bad_tariff_file_is_refused_with_a_reason(tmp_path: Path, text, message):
    path = tmp_path / "tariffs.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TariffDataError, match=message):
        load_tariff_book(path)


def test_shipped_file_holds_every_published_tariff():
    book = load_tariffs()
    assert [t.decision for t in book.tariffs] == [
        "4495/QĐ-BCT",
        "648/QĐ-BCT",
        "1062/QĐ-BCT",
        "2941/QĐ-BCT",
        "2699/QĐ-BCT",
        "1279/QĐ-BCT",
    ]
    assert book.tariff_on(date(2026, 11, 24)).prepaid_price == 2909


@pytest.fixture
def fresh_data_cache():
    load_tariffs.cache_clear()
    peak_module.load_peak_hours.cache_clear()
    yield
    load_tariffs.cache_clear()
    peak_module.load_peak_hours.cache_clear()


def test_the_app_refuses_to_start_on_a_bad_tariff_file(tmp_path, monkeypatch, fresh_data_cache):
    bad = tmp_path / "tariffs.toml"
    bad.write_text(FIVE_TIER.replace("prices = [2000, 2400, 3000, 3400, 3600]", "prices = []"))
    monkeypatch.setattr(tariffs_module, "TARIFFS_FILE", bad)
    with pytest.raises(TariffDataError, match="tariffs\\[1\\]"):
        create_app(TestConfig)


def test_the_app_refuses_to_start_on_a_bad_peak_hours_file(tmp_path, monkeypatch, fresh_data_cache):
    bad = tmp_path / "peak_hours.toml"
    bad.write_text(peak_module.PEAK_HOURS_FILE.read_text().replace("09:30-11:30", "9h30-11h30"))
    monkeypatch.setattr(peak_module, "PEAK_HOURS_FILE", bad)
    with pytest.raises(TariffDataError, match="HH:MM"):
        create_app(TestConfig)


def test_peak_hours_follow_the_date_each_schedule_applies_from(tmp_path):
    assert peak_hours(date(2026, 11, 24))["current"]["peak"] == ["09:30-11:30", "17:00-20:00"]
    assert peak_hours(date(2010, 1, 1))["current"] is None
    shipped = peak_module.PEAK_HOURS_FILE.read_text()
    dated = shipped.replace(
        'peak = ["17:30-22:30"]', 'applies_from = 2027-01-01\npeak = ["17:30-22:30"]'
    )
    path = tmp_path / "peak_hours.toml"
    path.write_text(dated)
    schedules = load_peak_hours_file(path)["schedules"]
    assert [s["applies_from"] for s in schedules] == [date(2014, 8, 1), date(2027, 1, 1)]
