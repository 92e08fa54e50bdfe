"""When a company's sync runs: on a schedule (nightly by default) and on demand (rule E4).

Nightly: once per local calendar day at ``at`` in ``timezone``. On the day a DST change skips that
wall-clock time (``02:30`` on a spring-forward night) the run is at the same instant shifted
forward by the gap (``03:30``); on a day it happens twice (fall-back) the run is at the first.

Interval (``every`` set): a grid of elapsed time anchored at ``at`` local time on 2000-01-01, so
runs fall at the same instants whatever ``after`` is asked about. The grid counts real elapsed time:
across a DST change its local clock times shift by the change (hourly runs stay hourly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from returns.result import Failure, Result, Success

from released_intacct.domain.errors import ErrorKind, Rule, SyncError

_ANCHOR_DAY = date(2000, 1, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    at: time = time(2, 0)
    """Local wall-clock time of the nightly run (naive: ``timezone`` gives its zone)."""
    timezone: tzinfo = UTC
    every: timedelta | None = None
    """A fixed interval instead of nightly."""

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None:
            msg = "Schedule.at is a wall-clock time; give its zone as Schedule.timezone"
            raise ValueError(msg)
        if self.every is not None and self.every <= timedelta(0):
            msg = f"Schedule.every must be positive, got {self.every}"
            raise ValueError(msg)


def next_run(schedule: Schedule, *, after: datetime) -> datetime:
    """The first scheduled run strictly after ``after``, in UTC.

    UTC, not the schedule's zone: Python compares and subtracts two datetimes of the *same* zone by
    wall clock, which is wrong across a DST change; ``.astimezone(schedule.timezone)`` shows it.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        msg = f"next_run needs a timezone-aware datetime, got {after!r}"
        raise ValueError(msg)
    moment = after.astimezone(UTC)
    if schedule.every is not None:
        return _next_on_grid(schedule, schedule.every, moment)
    return _next_nightly(schedule, moment)


def may_start(*, running: bool, company: str = "") -> Result[None, SyncError]:
    """Rule E4: one run per company at a time; a second on-demand run is refused while one runs."""
    if not running:
        return Success(None)
    named = f" for {company}" if company else ""
    return Failure(
        SyncError(
            kind=ErrorKind.REJECTED,
            rule=Rule.E4,
            message=f"A sync is already in progress{named}; only one runs at a time.",
            fix="Wait for the running sync to finish, then start another if still needed.",
        )
    )


def _next_nightly(schedule: Schedule, after: datetime) -> datetime:
    local_day = after.astimezone(schedule.timezone).date()
    for offset in range(3):
        run = _wall_clock(local_day + timedelta(days=offset), schedule.at, schedule.timezone)
        if run > after:
            return run
    msg = "no nightly run within three days"  # unreachable: a local day is under 27 hours
    raise AssertionError(msg)


def _wall_clock(day: date, at: time, zone: tzinfo) -> datetime:
    """``at`` on ``day`` in ``zone``, in UTC: the first if it happens twice, shifted forward past a
    DST gap (a time in a gap is read with the offset before it)."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def _next_on_grid(schedule: Schedule, every: timedelta, after: datetime) -> datetime:
    anchor = _wall_clock(_ANCHOR_DAY, schedule.at, schedule.timezone)
    return anchor + ((after - anchor) // every + 1) * every
