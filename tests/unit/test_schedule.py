"""Scheduled and on-demand runs (rule E4): next run times, DST, and one run at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.schedule import Schedule, may_start, next_run

NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def test_E4_the_default_is_nightly_at_two_utc() -> None:
    schedule = Schedule()
    assert (schedule.at, schedule.timezone, schedule.every) == (time(2, 0), UTC, None)
    after = datetime(2026, 5, 1, 1, 59, tzinfo=UTC)
    assert next_run(schedule, after=after) == datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


def test_E4_next_run_is_strictly_after() -> None:
    at_two = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    assert next_run(Schedule(), after=at_two) == datetime(2026, 5, 2, 2, 0, tzinfo=UTC)


def test_E4_nightly_runs_at_local_time_whatever_the_zone_of_after() -> None:
    schedule = Schedule(at=time(23, 30), timezone=AUCKLAND)
    after = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 00:00 on 2 July in Auckland (NZST)
    run = next_run(schedule, after=after)
    assert run == datetime(2026, 7, 2, 11, 30, tzinfo=UTC)
    local = run.astimezone(AUCKLAND)
    assert (local.date(), local.time(), local.utcoffset()) == (
        date(2026, 7, 2),
        time(23, 30),
        timedelta(hours=12),
    )


def test_E4_a_run_time_skipped_by_dst_moves_forward_by_the_gap() -> None:
    schedule = Schedule(at=time(2, 30), timezone=NEW_YORK)
    run = next_run(schedule, after=datetime(2024, 3, 10, 0, 0, tzinfo=NEW_YORK))
    local = run.astimezone(NEW_YORK)
    assert (local.date(), local.time()) == (date(2024, 3, 10), time(3, 30))
    assert run == datetime(2024, 3, 10, 7, 30, tzinfo=UTC)


def test_E4_a_run_time_repeated_by_dst_runs_once() -> None:
    schedule = Schedule(at=time(1, 30), timezone=NEW_YORK)
    first = next_run(schedule, after=datetime(2024, 11, 3, 0, 0, tzinfo=NEW_YORK))
    assert first == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first one
    second = next_run(schedule, after=first)
    assert second == datetime(2024, 11, 4, 6, 30, tzinfo=UTC)  # next day, 01:30 EST


def test_E4_an_interval_schedule_runs_on_a_fixed_grid() -> None:
    schedule = Schedule(at=time(0, 15), every=timedelta(hours=6))
    after = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    assert next_run(schedule, after=after) == datetime(2026, 5, 1, 12, 15, tzinfo=UTC)
    on_grid = datetime(2026, 5, 1, 12, 15, tzinfo=UTC)
    assert next_run(schedule, after=on_grid) == datetime(2026, 5, 1, 18, 15, tzinfo=UTC)


def test_E4_a_naive_datetime_is_a_programmer_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(Schedule(), after=datetime(2026, 5, 1))  # noqa: DTZ001


def test_E4_a_schedule_needs_a_wall_clock_time_and_a_positive_interval() -> None:
    with pytest.raises(ValueError, match="wall-clock"):
        Schedule(at=time(2, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="positive"):
        Schedule(every=timedelta(0))


def test_E4_a_run_may_start_when_none_is_running() -> None:
    assert may_start(running=False).unwrap() is None


def test_E4_a_second_run_while_one_is_running_is_rejected() -> None:
    error = may_start(running=True, company="Harbour Properties").failure()
    assert (error.rule, error.kind) == (Rule.E4, ErrorKind.REJECTED)
    assert error.message == (
        "A sync is already in progress for Harbour Properties; only one runs at a time."
    )
    assert may_start(running=True).failure().message.startswith("A sync is already in progress;")


# --- properties ----------------------------------------------------------------------------------

_afters = st.datetimes(
    min_value=datetime(2000, 1, 3),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2090, 12, 28),  # noqa: DTZ001
    timezones=st.timezones(),
)


def _exists(day: date, at: time, zone: tzinfo) -> bool:
    """Whether the wall-clock time ``at`` happens on ``day`` in ``zone`` (not in a DST gap)."""
    local = datetime.combine(day, at).replace(tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


@given(_afters, st.times(), st.timezones())
def test_E4_nightly_next_run_is_strictly_after_and_at_the_local_time(
    after: datetime, at: time, zone: tzinfo
) -> None:
    run = next_run(Schedule(at=at, timezone=zone), after=after)
    local = run.astimezone(zone)
    assert run > after
    assert run.tzinfo is UTC
    day = local.date()
    assert (
        local.time() == at
        or not _exists(day, at, zone)
        or not _exists(day - timedelta(1), at, zone)
    )
    assert run - after <= timedelta(days=1, hours=3)  # never skips a night


@given(_afters, st.times(), st.timezones(), st.integers(1, 7 * 24 * 60))
def test_E4_interval_next_run_is_the_first_grid_point_after(
    after: datetime, at: time, zone: tzinfo, minutes: int
) -> None:
    every = timedelta(minutes=minutes)
    schedule = Schedule(at=at, timezone=zone, every=every)
    run = next_run(schedule, after=after)
    assert run.tzinfo is UTC
    assert after < run <= after.astimezone(UTC) + every
    assert next_run(schedule, after=run) - run == every
    assert next_run(schedule, after=run - every) == run
