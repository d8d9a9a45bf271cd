"""The bill engine: EVN residential bills to the đồng, tariffs as data, bill comparison."""

from backend.billing.compare import (
    BillComparison,
    HouseholdContext,
    PeriodUsage,
    compare_bills,
    explain_comparison_vi,
)
from backend.billing.engine import (
    BillEstimate,
    Renters,
    Segment,
    TierLine,
    estimate_bill,
    kwh_for_budget,
)
from backend.billing.tariffs import Tariff, TariffBook, TariffDataError, load_tariffs
from backend.clock import local_today


def current_tariff() -> Tariff:
    """The tariff in force on Việt Nam's calendar day."""
    return load_tariffs().tariff_on(local_today())


__all__ = [
    "BillComparison",
    "BillEstimate",
    "HouseholdContext",
    "PeriodUsage",
    "Renters",
    "Segment",
    "Tariff",
    "TariffBook",
    "TariffDataError",
    "TierLine",
    "compare_bills",
    "current_tariff",
    "estimate_bill",
    "explain_comparison_vi",
    "kwh_for_budget",
    "load_tariffs",
]
