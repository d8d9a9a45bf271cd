"""The shipped reference data (data/advice.yml): peak hours, hotlines, EVN's saving tips."""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "advice.yml"
HANOI, HCMC = 1, 79


@lru_cache(maxsize=1)
def advice() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def hotline(region: str | None, province_code: int | None = None) -> str:
    numbers = advice()["hotlines"]
    if province_code == HANOI:
        return f"{numbers['ha_noi']} (EVN Hà Nội)"
    if province_code == HCMC:
        return f"{numbers['ho_chi_minh']} (EVN TP.HCM)"
    names = {"north": "miền Bắc", "centre": "miền Trung", "south": "miền Nam"}
    if region in names:
        return f"{numbers[region]} (EVN {names[region]})"
    return (
        f"{numbers['north']} (miền Bắc), {numbers['centre']} (miền Trung), "
        f"{numbers['south']} (miền Nam)"
    )


def tips_for(appliance: str | None, rng: random.Random | None = None) -> list[str]:
    tips = advice()["tips"]
    chosen = list(tips.get(appliance or "", [])) or list(tips["general"])
    (rng or random).shuffle(chosen)
    return chosen
