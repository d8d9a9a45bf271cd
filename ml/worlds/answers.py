"""Households that answer the usage alert's question (issue 21): "did something change for good?"

The product asks, in the usage alert, whether the household's use changed for good (a new
appliance, more people); a "yes" is a confirmed change date the detector re-baselines from
(`UnusualUsageModel.score_frame(confirmed_changes=...)`). Here a simulated household answers
"yes" on the day of its first alert for a lasting normal change the world injected (the worlds
know which changes are lasting and normal, and which are faults), and never for a fault or a
passing change (Tết, a vacation, an estimated read). With `share` < 1 only that share of the
lasting changes is confirmed (the others stay unanswered), chosen at random per change.

Households can also tell the product beforehand that guests will stay (`announced_guests`): the
detector then neither learns from nor flags those days (`score_frame(announced=...)`). A
simulated household that tells announces the visit's exact first and last day.

The alert that prompted the answer was sent, so its day stays flagged in the scored flags even
though the re-scored detector (which re-baselines from that day) no longer flags it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.evaluate import alert_starts
from ml.model import UnusualUsageModel
from ml.told import ConfirmedChange

# an alert counts as "for" a change if it starts this many days before its onset …
BEFORE = 2
# … up to this many days after it
AFTER = 30
# re-scoring after an answer can move a later alert; answers are collected over this many passes
PASSES = 3


# what a household that says what changed tells of each of the worlds' lasting changes, as the
# product records it (backend.services.anomalies.CHANGE_KINDS → `ConfirmedChange.cooling`): more
# air conditioning (True; "first_ac" is ml/worlds/first_ac.py's), more people (None: they may cool
# more; fewer people, "Khác", is None too), another appliance or a change it cannot name (False).
# A kind missing here is an error: a new world's changes must be placed.
SAID_COOLING: dict[str, bool | None] = {
    **dict.fromkeys(("new_ac", "new_second_ac", "step_new_ac", "first_ac"), True),
    **dict.fromkeys(("new_baby", "new_tenant", "new_move_out", "step_baby"), None),
    **dict.fromkeys(
        (
            "lasting_step",
            "new_dryer",
            "new_e_scooter",
            "new_electric_scooter",
            "new_efficient_fridge",
            "new_second_fridge",
        ),
        False,
    ),
}


def said_cooling(kind: str) -> bool | None:
    """`ConfirmedChange.cooling` of a household that says what its change of `kind` was."""
    return SAID_COOLING[kind]


@dataclass(frozen=True)
class Answers:
    """Confirmed change dates per household, the alerts that prompted them, and for each
    (household, date) what the household says of its cooling (`said_cooling`)."""

    dates: dict[str, list[date]] = field(default_factory=dict)
    alerts: set[tuple[str, date]] = field(default_factory=set)
    cooling: dict[tuple[str, date], bool | None] = field(default_factory=dict)

    def told(self, *, say_what: bool) -> dict[str, list[ConfirmedChange]]:
        """What the households told: each change with whether it cools when they `say_what`
        changed, else undescribed."""
        return {
            h: [ConfirmedChange(d, self.cooling.get((h, d)) if say_what else None) for d in days]
            for h, days in self.dates.items()
        }


def lasting_changes(changes: pd.DataFrame, *, first_day: date) -> pd.DataFrame:
    """Lasting normal changes (no end) starting on or after `first_day`."""
    lasting = changes[changes["end"].isna()]
    return lasting[lasting["onset"] >= first_day].reset_index(drop=True)


def collect(
    *, flags: pd.DataFrame, changes: pd.DataFrame, willing: np.ndarray, known: Answers
) -> Answers:
    """`known` plus a "yes" to the first alert for each lasting change (`changes` rows where
    `willing`) not yet answered."""
    starts = alert_starts(flags)
    dates = {h: list(d) for h, d in known.dates.items()}
    alerts = set(known.alerts)
    cooling = dict(known.cooling)
    for row, yes in zip(changes.itertuples(), willing, strict=True):
        first = [
            d
            for d in starts.get(row.household_id, [])
            if row.onset - timedelta(days=BEFORE) <= d <= row.onset + timedelta(days=AFTER)
        ]
        if not yes or not first or (row.household_id, first[0]) in alerts:
            continue
        if any(row.onset - timedelta(days=BEFORE) <= d for d in dates.get(row.household_id, [])):
            continue  # this change was answered already (on an earlier alert)
        dates.setdefault(row.household_id, []).append(first[0])
        alerts.add((row.household_id, first[0]))
        cooling[(row.household_id, first[0])] = said_cooling(str(row.kind))
    return Answers(dates, alerts, cooling)


def scored_flags(
    model: UnusualUsageModel,
    test: pd.DataFrame,
    answers: Answers | None = None,
    *,
    announced: Mapping[str, list[tuple[date, date]]] | None = None,
    repaired: Mapping[str, list[date]] | None = None,
    say_what: bool = True,
) -> pd.DataFrame:
    """household_id, date, is_anomaly of `test` scored with `answers` (alerts sent stay; the
    households say what changed if `say_what`), the guest visits households `announced` and the
    repairs they told (`repaired`)."""
    confirmed = answers.told(say_what=say_what) if answers else {}
    scored = model.score_frame(
        test, confirmed_changes=confirmed, announced=announced, repaired=repaired
    )
    flags = pd.DataFrame(
        {
            "household_id": test["household_id"].to_numpy(),
            "date": test["date"].to_numpy(),
            "is_anomaly": scored["is_anomaly"].to_numpy(),
        }
    )
    if answers and answers.alerts:
        sent = pd.Series(list(zip(flags["household_id"], flags["date"], strict=True)))
        flags.loc[sent.isin(answers.alerts).to_numpy(), "is_anomaly"] = True
    return flags


def answer_changes(
    model: UnusualUsageModel,
    test: pd.DataFrame,
    *,
    changes: pd.DataFrame,
    share: float,
    seed: int,
    silent: pd.DataFrame | None = None,
    say_what: bool = True,
) -> tuple[Answers, pd.DataFrame]:
    """The answers, and the flags of `test`, when households confirm `share` of `changes`
    (lasting, normal) on their first alert for each, saying what changed if `say_what`; answers
    are gathered pass by pass (an answer can move later alerts). `silent`:
    `scored_flags(model, test)` if the caller has it."""
    willing = np.random.default_rng(seed).random(len(changes)) < share
    answers = Answers()
    flags = scored_flags(model, test) if silent is None else silent
    for _ in range(PASSES):
        more = collect(flags=flags, changes=changes, willing=willing, known=answers)
        if more.alerts == answers.alerts:
            break
        answers = more
        flags = scored_flags(model, test, answers, say_what=say_what)
    return answers, flags


def answered_flags(
    model: UnusualUsageModel,
    test: pd.DataFrame,
    *,
    changes: pd.DataFrame,
    share: float,
    seed: int,
    silent: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The flags of `answer_changes`."""
    return answer_changes(model, test, changes=changes, share=share, seed=seed, silent=silent)[1]


GUEST_KINDS = frozenset({"guests", "tet_guests"})


def announced_guests(
    changes: pd.DataFrame, *, share: float, seed: int
) -> dict[str, list[tuple[date, date]]]:
    """household_id → (first, last) day of the guest visits its household announced: `share` of
    the worlds' visits (Tết hosting included), chosen at random per visit."""
    visits = changes[changes["kind"].isin(GUEST_KINDS) & changes["end"].notna()]
    telling = np.random.default_rng(seed).random(len(visits)) < share
    out: dict[str, list[tuple[date, date]]] = {}
    for row, tells in zip(visits.itertuples(), telling, strict=True):
        if tells:
            out.setdefault(str(row.household_id), []).append((row.onset, row.end))
    return out


@dataclass(frozen=True)
class ChangeCost:
    """What lasting normal changes cost a household: alerts and flagged days after each."""

    changes: int
    alerts: float  # per change, starting from BEFORE days before its onset
    flagged_days: float  # per change, from its onset to the end of the scored year


def change_cost(flags: pd.DataFrame, changes: pd.DataFrame) -> ChangeCost:
    starts = alert_starts(flags)
    on = flags[flags["is_anomaly"]]
    alerts, days = [], []
    for row in changes.itertuples():
        mine = starts.get(row.household_id, [])
        alerts.append(sum(d >= row.onset - timedelta(days=BEFORE) for d in mine))
        days.append(
            int(((on["household_id"] == row.household_id) & (on["date"] >= row.onset)).sum())
        )
    n = len(changes)
    return ChangeCost(n, float(np.mean(alerts)) if n else 0.0, float(np.mean(days)) if n else 0.0)


# a told repair's tail: flagged days counted this many days after the fault's last day
TAIL_DAYS = 60
# an alert that starts within a fault or this many days after its end is the fault's, not false
# (ml.worlds.heldout.score)
FAULT_GRACE_DAYS = 7


@dataclass(frozen=True)
class Repairs:
    """The days households said "đã sửa xong", and the faults they said it of."""

    days: dict[str, list[date]]
    faults: pd.DataFrame  # household_id, kind, onset, end


def told_repairs(faults: pd.DataFrame, flags: pd.DataFrame, *, lag: int, last_day: date) -> Repairs:
    """Households tell "đã sửa xong" `lag` days after the last day of each fault an alert
    started for while it lasted (a household not alerted has nothing to tell), when that day is
    scored (`last_day` at the latest)."""
    starts = alert_starts(flags)
    days: dict[str, list[date]] = {}
    told = []
    for i, row in enumerate(faults.itertuples()):
        day = row.end + timedelta(days=lag)
        alerted = any(row.onset <= d <= row.end for d in starts.get(row.household_id, []))
        if alerted and day <= last_day:
            days.setdefault(str(row.household_id), []).append(day)
            told.append(i)
    return Repairs(days, faults.iloc[told].reset_index(drop=True))


def tail_days(flags: pd.DataFrame, faults: pd.DataFrame) -> int:
    """Days flagged in the TAIL_DAYS after the last day of each of `faults`: what a household
    sees of an alert once its cause is gone."""
    on = flags[flags["is_anomaly"]]
    total = 0
    for row in faults.itertuples():
        mine = on[on["household_id"] == row.household_id]["date"]
        total += int(((mine > row.end) & (mine <= row.end + timedelta(days=TAIL_DAYS))).sum())
    return total


@dataclass(frozen=True)
class Revealed:
    """Alerts that a run with answers starts, after a household's answer, and the run without
    answers does not. An answer ends an episode, so an excess the open episode had absorbed
    (one flag standing for months) opens a new one: `flagged_anyway` counts those whose day the
    silent run had the household flagged already."""

    alerts: int = 0
    # … starting within a fault of the household (onset to FAULT_GRACE_DAYS after its end): a
    # fault the open episode had hidden, found; the scoring does not count these as false
    during_fault: int = 0
    flagged_anyway: int = 0
    days_after: tuple[int, ...] = ()  # from the household's last answer before each alert

    def __add__(self, other: Revealed) -> Revealed:
        return Revealed(
            self.alerts + other.alerts,
            self.during_fault + other.during_fault,
            self.flagged_anyway + other.flagged_anyway,
            self.days_after + other.days_after,
        )

    @property
    def median_days_after(self) -> float:
        return float(np.median(self.days_after)) if self.days_after else float("nan")

    def cells(self) -> str:
        """Markdown cells: alerts | during a fault | flagged anyway | median days after."""
        median = f"{self.median_days_after:.0f}" if self.days_after else "–"
        return f"{self.alerts} | {self.during_fault} | {self.flagged_anyway} | {median}"


def revealed(
    silent: pd.DataFrame,
    answered: pd.DataFrame,
    *,
    told: Mapping[str, Iterable[date]],
    faults: pd.DataFrame,
) -> Revealed:
    """What the answers `told` (household_id → answer days) reveal: the alert starts of
    `answered` after a household's first answer that `silent` lacks (both: household_id, date,
    is_anomaly); `faults`: the world's (household_id, onset, end). An alert on an answer's own
    day came before the answer (a confirmation answers it), so it is not counted."""
    before, after = alert_starts(silent), alert_starts(answered)
    on = silent[silent["is_anomaly"]]
    flagged = set(zip(on["household_id"], on["date"], strict=True))
    spans: dict[str, list[tuple[date, date]]] = {}
    for row in faults.itertuples():
        spans.setdefault(str(row.household_id), []).append(
            (row.onset, row.end + timedelta(days=FAULT_GRACE_DAYS))
        )
    alerts, during, anyway, days_after = 0, 0, 0, []
    for household, days in told.items():
        answers = sorted(days)
        for start in sorted(set(after.get(household, [])) - set(before.get(household, []))):
            earlier = [d for d in answers if d < start]
            if not earlier:
                continue
            alerts += 1
            during += any(a <= start <= b for a, b in spans.get(household, []))
            anyway += (household, start) in flagged
            days_after.append((start - earlier[-1]).days)
    return Revealed(alerts, during, anyway, tuple(days_after))
