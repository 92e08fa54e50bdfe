"""Rule E4 with many workers: whether a claimed company runs now (``domain.due.on_claim``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from released_intacct.domain.due import HandBack, Start, on_claim
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.results import RunStatus
from released_intacct.domain.schedule import Schedule
from released_intacct.domain.state import Lease, Run

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
HOURLY = Schedule(at=time(0, 30), every=timedelta(hours=1))  # at 8:30, 9:30, ...
C = ConnectionId("conn-1")
LEASE = Lease(connection=C, worker="host/1", until=NOW + TTL, epoch=3)


def decide(latest: Run | None, lease: Lease = LEASE) -> Start | HandBack:
    return on_claim(lease, latest, now=NOW, schedule=HOURLY, stale_after=TTL)


def ran(started: datetime, *, open_: bool = False, beat: datetime | None = None) -> Run:
    run = Run(id="run-1", connection=C, started_at=started, heartbeat_at=beat)
    if open_:
        return run
    return replace(run, status=RunStatus.SUCCEEDED, finished_at=started + timedelta(minutes=1))


def test_E4_a_company_that_never_ran_starts() -> None:
    assert decide(None) == Start()


def test_E4_the_schedule_after_the_latest_runs_start_decides() -> None:
    assert decide(ran(NOW - timedelta(minutes=61))) == Start()  # ran at 07:59: due at 08:30
    back = decide(ran(NOW - timedelta(minutes=10)))  # ran at 08:50: due at 09:30
    assert back == HandBack(
        next_run_at=NOW + timedelta(minutes=30),
        ran_from=NOW - timedelta(minutes=10),
        why="run run-1 started at 2026-03-01T08:50:00+00:00",
    )


def test_E4_an_open_run_alive_elsewhere_is_handed_back_until_just_after_it_would_be_stale() -> None:
    beat = NOW - timedelta(seconds=10)
    back = decide(ran(NOW - timedelta(minutes=5), open_=True, beat=beat))
    assert isinstance(back, HandBack)
    assert back.next_run_at == beat + TTL + timedelta(milliseconds=1)
    assert back.ran_from is None


def test_E4_an_open_run_silent_for_the_ttl_is_started_over_by_a_takeover() -> None:
    silent = ran(NOW - timedelta(minutes=5), open_=True, beat=NOW - TTL - timedelta(seconds=1))
    assert decide(silent) == Start()
    exactly = ran(NOW - timedelta(minutes=5), open_=True, beat=NOW - TTL)  # stale only after
    assert isinstance(decide(exactly), HandBack)


def test_E4_a_request_runs_the_company_unless_a_run_after_it_answered_it() -> None:
    asked = replace(LEASE, requested_at=NOW - timedelta(minutes=2))
    assert decide(ran(NOW - timedelta(minutes=10)), asked) == Start()  # before the request
    answered = decide(ran(NOW - timedelta(minutes=1)), asked)  # started after it
    assert isinstance(answered, HandBack)
    assert answered.ran_from == NOW - timedelta(minutes=1)  # the request is cleared
    assert answered.next_run_at == NOW + timedelta(minutes=30)


def test_E4_a_run_released_as_dead_is_carried_on_at_once_not_at_the_next_schedule() -> None:
    """A worker's heartbeat (``release_stale_runs``) may release a dead worker's run before its
    lease runs out: the worker that claims the company then starts at once (issue 17)."""
    dead = ran(NOW - timedelta(minutes=1), open_=True)
    released = replace(dead, status=RunStatus.FAILED, finished_at=NOW, released_at=NOW)
    assert decide(released) == Start()  # the schedule alone would wait until 09:30
    assert isinstance(decide(replace(released, released_at=None)), HandBack)
