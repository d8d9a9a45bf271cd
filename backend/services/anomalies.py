"""Nightly scoring of every household with the consumption model; one episode per run of flags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from backend.content.dates import date_vi
from backend.models import (
    MAX_INTEGER,
    AnomalyEpisode,
    DailyReading,
    Household,
    UsageScore,
    WeatherObservation,
)
from backend.services.errors import Conflict, NotFound
from backend.services.guests import announced_stays
from backend.services.households import household_pages
from ml.api import (
    RETRAIN_HOLDOUT_DAYS,
    back_to_expected,
    explain_vi,
    save_model,
    training_rows,
    without_announced,
)
from ml.card import write_card
from ml.model import UnusualUsageModel
from ml.told import ConfirmedChange

HISTORY_DAYS = 400
PAGE = 500
SUMMARY_DAYS = 7
NOTE_MAX = 500
RECENT_ALERT_DAYS = 30  # an answer from chat is about an alert of this many days at most
# an alert that starts this many days or fewer after a repair the household told says so: the
# cause may not be put right (the page, the chat answer and the push all read the explanation)
AFTER_REPAIR_DAYS = 30
AFTER_REPAIR = (
    "Bạn đã báo sửa xong ngày {day}, nhưng sau đó mức dùng lại cao hơn dự kiến: có thể chỗ gây "
    "tốn điện chưa được sửa hết, hoặc có nguyên nhân khác."
)


# what a household may say changed for good, as it reads back (after "nhà bạn …"), and whether
# the model may learn the new use as cooling, as its peers with one more air conditioner cool
# (True), or on the home's own weather pattern only (False: appliances that do not follow the
# weather; a water heater, a heater or a fan is "not said"); None: either (more people may also
# cool more)
CHANGE_KINDS: dict[str, tuple[str, bool | None]] = {
    "air_conditioner": ("dùng điều hòa nhiều hơn", True),
    "people": ("có thêm người ở", None),
    "appliance": ("có thêm máy giặt, tủ lạnh, xe điện hay thiết bị tương tự", False),
}


def change_text(kind: str | None) -> str | None:
    """The household's words for what changed (`CHANGE_KINDS`), None when it did not say."""
    return CHANGE_KINDS[kind][0] if kind in CHANGE_KINDS else None


@dataclass(frozen=True)
class ScoreSummary:
    households: int
    rows: int
    flagged_now: int
    new_episodes: list[int]
    closed_episodes: int


def _frame(session: Session, households: list[Household], start: date, end: date) -> pd.DataFrame:
    ids = [h.id for h in households]
    readings = session.execute(
        select(DailyReading.household_id, DailyReading.day, DailyReading.kwh).where(
            DailyReading.household_id.in_(ids), DailyReading.day.between(start, end)
        )
    ).all()
    frame = pd.DataFrame(readings, columns=["household_id", "date", "kwh"])
    if frame.empty:
        return frame
    info = pd.DataFrame(
        [(h.id, h.province_code, h.occupants, h.air_conditioners) for h in households],
        columns=["household_id", "province_code", "occupants", "air_conditioners"],
    )
    frame = frame.merge(info, on="household_id")
    provinces = [p for p in info["province_code"].dropna().unique().tolist()]
    weather = pd.DataFrame(
        session.execute(
            select(
                WeatherObservation.province_code,
                WeatherObservation.day,
                WeatherObservation.avg_temp_c,
            ).where(
                WeatherObservation.province_code.in_(provinces),
                WeatherObservation.day.between(start, end),
            )
        ).all(),
        columns=["province_code", "date", "avg_temp_c"],
    )
    frame = frame.merge(weather, on=["province_code", "date"], how="left")
    if "avg_temp_c" not in frame:
        frame["avg_temp_c"] = float("nan")
    return frame.sort_values(["household_id", "date"]).reset_index(drop=True)


def _update_episode(
    session: Session, household: Household, rows: pd.DataFrame
) -> tuple[int | None, bool]:
    """Open, extend or close the household's episode from its latest scored day."""
    latest = rows.iloc[-1]
    episode = session.scalar(
        select(AnomalyEpisode).where(
            AnomalyEpisode.household_id == household.id, AnomalyEpisode.is_open
        )
    )
    if not bool(latest["is_anomaly"]):
        if episode is not None:
            episode.is_open = False
            return None, True
        return None, False
    days = int(latest["excess_days"])
    # the evidence restarted on a repair day: a run of flags since then is use that stayed high
    # after the repair, a new alert, not more of the repaired one (readings of several days may
    # come in one night)
    run_start = latest["date"] - timedelta(days=days - 1)
    closed = bool(episode and episode.repaired_on and run_start >= episode.repaired_on)
    if closed and episode is not None:
        episode.is_open, episode = False, None
    start = run_start if episode is None else episode.start_day
    repaired = repair_before(session, household_id=household.id, day=start)
    window = summary_window(rows, start=start, last=latest["date"], after_repair=bool(repaired))
    actual, expected = float(window["kwh"].sum()), float(window["expected_kwh"].sum())
    weather = float(window["weather_kwh"].sum())
    # use back to normal: the repair may have held after all, so nothing is said of it
    repaired = None if back_to_expected(actual, expected) else repaired
    text = explain_vi(
        actual,
        expected,
        weather,
        days,
        household.appliances,
        since=date_vi(start),
        window_days=(latest["date"] - min(window["date"])).days + 1,
    )
    created = episode is None
    if episode is None:
        episode = AnomalyEpisode(household_id=household.id, start_day=start)
        session.add(episode)
    episode.last_day = latest["date"]
    episode.actual_kwh, episode.expected_kwh, episode.weather_kwh = actual, expected, weather
    episode.excess_days = days
    episode.explanation = (
        f"{text} {AFTER_REPAIR.format(day=date_vi(repaired))}" if repaired else text
    )
    session.flush()
    return (episode.id if created else None), closed


def summary_window(
    rows: pd.DataFrame, *, start: date, last: date, after_repair: bool
) -> pd.DataFrame:
    """The scored rows an alert's explanation sums: the SUMMARY_DAYS days up to `last`, or, for
    an alert younger than that, its own days from `start` when the week is not above the
    expected use (low days before it, a trip) or the alert follows a told repair (the days
    before it were the repaired fault's)."""
    week = rows[rows["date"] > last - timedelta(days=SUMMARY_DAYS)]
    young = (last - start).days + 1 < SUMMARY_DAYS
    own = rows[rows["date"] >= start]
    if (
        young
        and len(own)
        and (after_repair or back_to_expected(week["kwh"].sum(), week["expected_kwh"].sum()))
    ):
        return own
    return week


def easing(episode: AnomalyEpisode) -> bool:
    """An open alert whose summed days are not above the expected use: its explanation says use
    is back to normal, and nobody is asked whether use changed for good (page, chat)."""
    return back_to_expected(episode.actual_kwh, episode.expected_kwh)


def repair_before(session: Session, *, household_id: str, day: date) -> date | None:
    """The latest repair the household told, of an alert that began before `day`, on `day` or in
    the AFTER_REPAIR_DAYS before it."""
    return session.scalar(
        select(func.max(AnomalyEpisode.repaired_on)).where(
            AnomalyEpisode.household_id == household_id,
            AnomalyEpisode.start_day < day,
            AnomalyEpisode.repaired_on.between(day - timedelta(days=AFTER_REPAIR_DAYS), day),
        )
    )


def train_model(
    session: Session, until: date, days: int = 730, *, holdout_days: int = 0
) -> tuple[UnusualUsageModel, pd.DataFrame]:
    """Fit the model on every household's readings of the `days` before `until`, less the last
    `holdout_days` of year-long households (`training_rows`: a fault in progress is not learnt
    as normal) and less the guest stays each announced (not its normal use)."""
    frames = [
        without_announced(
            _frame(session, page, until - timedelta(days=days), until - timedelta(days=1)),
            announced_stays(session, [h.id for h in page]),
        )
        for page in household_pages(session, page=PAGE)
    ]
    frame = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if frames
        else pd.DataFrame()
    )
    frame = training_rows(frame, until=until, holdout_days=holdout_days) if len(frame) else frame
    if frame.empty:
        raise ValueError("no readings to train on")
    return UnusualUsageModel().fit(frame), frame


def retrain(
    session: Session,
    path: str | Path,
    *,
    today: date,
    holdout_days: int = RETRAIN_HOLDOUT_DAYS,
) -> int:
    """Train on the readings before `today`, less the last `holdout_days` days of each household
    with a year of history before them (ml.api.training_rows), replace the model at `path`
    (atomically: the nightly scoring loads the old one or the new one) and write its card beside
    it. Returns the household-days trained on."""
    model, frame = train_model(session, today, holdout_days=holdout_days)
    save_model(model, path)
    write_card(model, Path(path).with_suffix(".md"), frame)
    return len(frame)


def episode_of(session: Session, *, household: Household, episode_id: int) -> AnomalyEpisode:
    """The household's usage alert `episode_id`; NotFound for another household's or none (an
    id beyond the integer column included)."""
    episode = session.get(AnomalyEpisode, episode_id) if episode_id <= MAX_INTEGER else None
    if episode is None or episode.household_id != household.id:
        raise NotFound("Không tìm thấy cảnh báo này.", "anomaly_id")
    return episode


def record_feedback(
    session: Session,
    *,
    household: Household,
    episode_id: int,
    lasting_change: bool,
    note: str | None,
    now: datetime,
    change_kind: str | None = None,
) -> AnomalyEpisode:
    """Store the household's answer to a usage alert: did its use change for good, and what
    changed (`change_kind`, one of CHANGE_KINDS, kept with a yes only)? A later answer replaces
    an earlier one; a yes that does not say what changed keeps what an earlier yes said. Raises
    NotFound for another household's episode."""
    episode = episode_of(session, household=household, episode_id=episode_id)
    if not lasting_change:
        episode.change_kind = None
    elif change_kind is not None or episode.lasting_change is not True:
        episode.change_kind = change_kind
    episode.lasting_change = lasting_change
    if lasting_change:
        episode.repaired_on = None  # a lasting change is not a repaired fault
    episode.feedback_note = (note or "").strip() or None
    episode.feedback_at = now
    session.commit()
    return episode


def record_repair(
    session: Session, *, household: Household, episode_id: int, today: date, now: datetime
) -> AnomalyEpisode:
    """Store that the household put an open usage alert's cause right today (a heater repaired):
    nothing lasting changed, and from today's reading the scoring restarts its evidence, so the
    episode ends, or a new alert comes if use stays high. Raises NotFound for another
    household's episode and Conflict for one already closed."""
    episode = episode_of(session, household=household, episode_id=episode_id)
    if not episode.is_open:
        raise Conflict("Cảnh báo này đã đóng, không cần báo sửa nữa.", "anomaly_id")
    episode.repaired_on = today
    episode.lasting_change = False
    episode.change_kind = None
    episode.feedback_note = None  # an earlier answer's words no longer hold
    episode.feedback_at = now
    session.commit()
    return episode


def latest_alert(session: Session, *, household: Household, today: date) -> AnomalyEpisode | None:
    """The usage alert an answer from chat is about: the household's open episode, else its
    latest one that went on into the last RECENT_ALERT_DAYS days (an episode closes as soon as
    use looks usual again, which may be before the household reads the alert)."""
    return session.scalar(
        select(AnomalyEpisode)
        .where(
            AnomalyEpisode.household_id == household.id,
            or_(
                AnomalyEpisode.is_open,
                AnomalyEpisode.last_day >= today - timedelta(days=RECENT_ALERT_DAYS),
            ),
        )
        .order_by(
            AnomalyEpisode.is_open.desc(), AnomalyEpisode.start_day.desc(), AnomalyEpisode.id.desc()
        )
        .limit(1)
    )


def alert_start(session: Session, *, household: Household, today: date) -> date | None:
    """The first day of the usage alert a guest stay told now may answer (latest_alert's)."""
    episode = latest_alert(session, household=household, today=today)
    return episode.start_day if episode is not None else None


def answered_episodes(
    session: Session, *, household: Household, limit: int = 5
) -> list[AnomalyEpisode]:
    """The household's latest answered usage alerts (newest first), for staff."""
    return list(
        session.scalars(
            select(AnomalyEpisode)
            .where(
                AnomalyEpisode.household_id == household.id,
                AnomalyEpisode.lasting_change.is_not(None),
            )
            .order_by(AnomalyEpisode.start_day.desc())
            .limit(limit)
        )
    )


def _days_by_household(rows: Iterable[tuple[str, date | None]]) -> dict[str, list[date]]:
    out: dict[str, list[date]] = {}
    for household_id, day in rows:
        if day is not None:
            out.setdefault(household_id, []).append(day)
    return out


def confirmed_changes(
    session: Session, household_ids: list[str]
) -> dict[str, list[ConfirmedChange]]:
    """household_id → the episodes its household said were a lasting change, from their first
    day, with whether what changed cools (CHANGE_KINDS): the model learns the new level, and how
    the new use follows the weather, from each instead of flagging it."""
    out: dict[str, list[ConfirmedChange]] = {}
    for household_id, day, kind in session.execute(
        select(
            AnomalyEpisode.household_id, AnomalyEpisode.start_day, AnomalyEpisode.change_kind
        ).where(
            AnomalyEpisode.household_id.in_(household_ids),
            AnomalyEpisode.lasting_change.is_(True),
        )
    ):
        cooling = CHANGE_KINDS[kind][1] if kind in CHANGE_KINDS else None
        out.setdefault(household_id, []).append(ConfirmedChange(day, cooling))
    return out


def repairs(session: Session, household_ids: list[str]) -> dict[str, list[date]]:
    """household_id → the days its household said it had put an alert's cause right: the
    detector restarts its evidence from each."""
    return _days_by_household(
        session.execute(
            select(AnomalyEpisode.household_id, AnomalyEpisode.repaired_on).where(
                AnomalyEpisode.household_id.in_(household_ids),
                AnomalyEpisode.repaired_on.is_not(None),
            )
        )
    )


def score_all(session: Session, model: UnusualUsageModel, *, today: date) -> ScoreSummary:
    """Score every household's last HISTORY_DAYS days (causal verdicts), page by page; days of
    an announced guest stay are neither learnt from nor flagged, and a repair the household told
    restarts the evidence from its day."""
    start = today - timedelta(days=HISTORY_DAYS)
    households = rows = flagged = closed = 0
    new: list[int] = []
    for page in household_pages(session, page=PAGE):
        frame = _frame(session, page, start, today)
        households += len(page)
        if frame.empty:
            continue
        page_ids = [h.id for h in page]
        verdicts = model.score_frame(
            frame,
            confirmed_changes=confirmed_changes(session, page_ids),
            announced=announced_stays(session, page_ids),
            repaired=repairs(session, page_ids),
        )
        scored = pd.concat([frame, verdicts], axis=1)
        ids = scored["household_id"].unique().tolist()
        session.execute(
            delete(UsageScore).where(UsageScore.household_id.in_(ids), UsageScore.day >= start)
        )
        session.execute(
            insert(UsageScore),
            [
                {
                    "household_id": r.household_id,
                    "day": r.date,
                    "expected_kwh": float(r.expected_kwh),
                    "weather_kwh": float(r.weather_kwh),
                    "score": float(r.score),
                    "is_anomaly": bool(r.is_anomaly),
                }
                for r in scored.itertuples()
            ],
        )
        rows += len(scored)
        by_id = {h.id: h for h in page}
        for household_id, group in scored.groupby("household_id"):
            created, was_closed = _update_episode(session, by_id[str(household_id)], group)
            flagged += bool(group.iloc[-1]["is_anomaly"])
            closed += was_closed
            if created is not None:
                new.append(created)
        session.commit()
    return ScoreSummary(households, rows, flagged, new, closed)
