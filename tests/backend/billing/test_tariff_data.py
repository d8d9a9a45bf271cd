from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backend.billing import estimate_bill
from backend.billing.tariffs import TariffDataError, load_tariff_book, load_tariffs

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
