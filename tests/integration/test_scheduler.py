"""Scheduled and on-demand runs of many companies in one process (rule E4; E3 per company): the
worker loop (``Scheduler``) over the in-memory store's leases, and the ``SyncRunner``.

Each company is a confirmed connection with its own in-memory Intacct and Re-Leased; the clock
stands still until the scheduler's fake ``sleep`` moves it, so the tests run in milliseconds.
The same loop over PostgreSQL, in many processes: ``tests/e2e/test_workers.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.app.connection import ConnectionWorkflow
from released_intacct.app.ports import Ports
from released_intacct.app.runner import SyncRunner
from released_intacct.app.scheduler import Scheduler
from released_intacct.app.service import Service
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    ReleasedCompanyId,
)
from released_intacct.domain.intacct import GlAccount
from released_intacct.domain.ports import (
    Credentials,
    FeedQuery,
    IntacctCredentials,
    IntacctPort,
    IntacctSetup,
    Page,
    ReleasedPort,
)
from released_intacct.domain.results import RunStatus
from released_intacct.domain.schedule import Schedule
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection, Phase, Run
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
A, B = ConnectionId("conn-a"), ConnectionId("conn-b")
PASSWORD = "s3cret-pw"


class Still:
    """A clock that moves only when the scheduler sleeps."""

    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


@dataclass
class Gated(FakeIntacct):
    """Intacct whose set-up waits at ``gate`` (a run held open while the test looks)."""

    gate: asyncio.Event | asyncio.Barrier | None = None
    entered: int = 0

    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]:
        return FutureResult(self._held(entity))

    async def _held(self, entity: EntityId) -> Result[IntacctSetup, SyncError]:
        self.entered += 1
        if isinstance(self.gate, asyncio.Barrier):
            await asyncio.wait_for(self.gate.wait(), timeout=2)  # alone: the run crashes
        elif self.gate is not None:
            await self.gate.wait()
        return await settled(super().setup(entity))


class Expired(FakeIntacct):
    """A company whose Intacct subscription ended: every read is FATAL."""

    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]:
        return FutureResult.from_failure(
            SyncError(
                kind=ErrorKind.FATAL,
                rule=None,
                message="The Sage Intacct company is no longer active.",
                fix="Renew the subscription.",
            )
        )


class Crashing(FakeIntacct):
    """An Intacct port with a bug: set-up raises, naming the credentials it was built with."""

    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]:
        raise RuntimeError(f"boom with {self.credentials}")


def credentials(company: str) -> IntacctCredentials:
    secret = Secret(PASSWORD)
    return IntacctCredentials(
        sender_id="s", sender_password=secret, company_id=company, user_id="u", user_password=secret
    )


@dataclass
class World:
    clock: Still = field(default_factory=Still)
    store: FakeStateStore = field(default_factory=FakeStateStore)
    intacct: dict[str, FakeIntacct] = field(default_factory=dict)
    released: dict[ReleasedCompanyId, FakeReleased] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    runner: SyncRunner = field(init=False)

    def __post_init__(self) -> None:
        self.runner = SyncRunner(self.ports())

    def ports(self) -> Ports:
        return Ports(
            store=self.store,
            intacct_for=self._intacct_for,
            released_for=self._released_for,
            clock=self.clock,
        )

    def _intacct_for(self, given: Credentials, _: EntityId | None) -> IntacctPort:
        self.built.append(given.company_id)
        return self.intacct[given.company_id]

    def _released_for(self, company: ReleasedCompanyId) -> ReleasedPort:
        return self.released.setdefault(company, FakeReleased(clock=self.clock.now))

    async def company(self, id: ConnectionId, intacct: FakeIntacct | None = None) -> None:
        """A confirmed connection of its own Intacct company (``id``) with nothing to sync."""
        port = intacct or FakeIntacct()
        port.clock = self.clock.now
        self.intacct[id] = port
        connection = Connection(
            id=id,
            released_company=ReleasedCompanyId(f"RL-{id}"),
            intacct_company=IntacctCompanyId(id),
            phase=Phase.CONFIRMED,
            entity=EntityId(""),
            sync_from=date(2026, 1, 1),
            created_at=T0,
            confirmed_at=T0,
        )
        await value(self.store.add_connection(connection, credentials(id)))

    def scheduler(
        self,
        schedule: Schedule,
        *,
        poll: timedelta = timedelta(hours=1),
        capacity: int = 8,
        grace: timedelta | None = None,
    ) -> Scheduler:
        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            for _ in range(100):  # the lease tasks just created reach their runs' start first
                await asyncio.sleep(0)
            self.clock.at += timedelta(seconds=seconds)

        return Scheduler(
            self.runner, schedule=schedule, sleep=sleep, poll=poll, capacity=capacity, grace=grace
        )

    async def runs(self, id: ConnectionId) -> list[Run]:
        return sorted(await value(self.store.runs(id)), key=lambda r: r.started_at)

    async def serve_until(self, scheduler: Scheduler, done: Callable[[], Any]) -> None:
        """Serve until ``done()`` answers true (awaited), then stop and wait for the loop."""
        stop = asyncio.Event()
        serving = asyncio.create_task(scheduler.serve(stop))
        for _ in range(100_000):
            if await done():
                break
            await asyncio.sleep(0)
        else:
            pytest.fail("the scheduler never got there")
        stop.set()
        await asyncio.wait_for(serving, timeout=2)


def run(body: Callable[[World], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(body(World()))


async def _finished(world: World, id: ConnectionId, count: int) -> bool:
    runs = await world.runs(id)
    return len(runs) >= count and all(r.status.finished for r in runs)


# --- the schedule ---------------------------------------------------------------------------------


def test_E4_nightly_schedule_runs_at_once_then_at_the_configured_local_time() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        york = ZoneInfo("America/New_York")
        nightly = world.scheduler(Schedule(at=time(1, 30), timezone=york))
        await world.serve_until(nightly, lambda: _finished(world, A, 2))
        starts = [r.started_at for r in await world.runs(A)]
        assert starts == [T0, datetime(2026, 3, 2, 1, 30, tzinfo=york)]  # 06:30 UTC
        assert all(r.status is RunStatus.SUCCEEDED for r in await world.runs(A))

    run(body)


def test_E4_default_schedule_is_nightly_at_two_and_not_sooner() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        nightly = world.scheduler(Schedule(), poll=timedelta(minutes=10))
        await world.serve_until(nightly, lambda: _finished(world, A, 2))
        starts = [r.started_at for r in await world.runs(A)]
        assert starts == [T0, datetime(2026, 3, 2, 2, 0, tzinfo=UTC)]
        assert max(world.sleeps) <= 600  # the poll bounds each nap

    run(body)


def test_E4_interval_schedule_runs_on_its_grid() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        every = world.scheduler(Schedule(at=time(0, 0), every=timedelta(hours=6)))
        await world.serve_until(every, lambda: _finished(world, A, 3))
        starts = [r.started_at.hour for r in await world.runs(A)]
        assert starts == [9, 12, 18]

    run(body)


def test_E4_tick_starts_only_confirmed_companies_that_are_due() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        await world.company(B)
        alive = await value(world.store.start_run(B, at=T0 - timedelta(seconds=10)))  # elsewhere
        onboarding = Connection(
            id=ConnectionId("conn-new"),
            released_company=ReleasedCompanyId("RL-new"),
            intacct_company=IntacctCompanyId("NEW"),
            entity=EntityId(""),
            created_at=T0,
        )
        await value(world.store.add_connection(onboarding, credentials("NEW")))
        scheduler = world.scheduler(Schedule(), poll=timedelta(days=1))
        assert await scheduler.tick() == 2  # A and B: confirmed, never scheduled
        await scheduler.drain()
        assert [r.status for r in await world.runs(A)] == [RunStatus.SUCCEEDED]
        assert await world.runs(B) == [alive]  # alive elsewhere: handed back, not started
        assert await scheduler.tick() == 0  # A: tomorrow at 02:00; B: once its run is stale
        world.clock.at = alive.last_alive + world.runner.ports.policy.stale_after + SECOND
        assert await scheduler.tick() == 1
        await scheduler.drain()
        # B's run went silent for the lease ttl: taken over, released red, and run here
        assert [r.status for r in await world.runs(B)] == [RunStatus.FAILED, RunStatus.SUCCEEDED]
        assert await scheduler.tick() == 0
        world.clock.at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
        assert await scheduler.tick() == 2
        await scheduler.drain()

    run(body)


def test_E4_runs_left_open_by_dead_processes_are_released_and_their_companies_run_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body(world: World) -> None:
        await world.company(A)
        await world.company(B)
        await value(world.store.start_run(A, at=T0 - timedelta(days=2)))  # died long ago
        await value(world.store.start_run(B, at=T0))  # another process, which dies at once
        hourly = world.scheduler(Schedule(at=time(0, 0), every=HOUR), poll=timedelta(minutes=10))
        await world.serve_until(hourly, lambda: _finished(world, B, 2))
        a_runs, b_runs = await world.runs(A), await world.runs(B)
        assert [(r.status, r.finished_at) for r in a_runs[:2]] == [
            (RunStatus.FAILED, T0),  # released at the first beat: serving starts
            (RunStatus.SUCCEEDED, T0),  # and due at once: its last run started long ago
        ]
        # B's run is handed back until it has been silent for the lease ttl (a minute): then,
        # not at the next 10-minute poll, it is released red by the run of B that takes over.
        taken_over = T0 + world.runner.ports.policy.stale_after + timedelta(milliseconds=1)
        assert [(r.status, r.started_at) for r in b_runs] == [
            (RunStatus.FAILED, T0),
            (RunStatus.SUCCEEDED, taken_over),
        ]
        assert b_runs[0].finished_at == taken_over
        notes = [n.notification.body for n in await value(world.store.notifications(B))]
        assert any("stopped unexpectedly" in body for body in notes)

    with caplog.at_level(logging.WARNING, logger="released_intacct.app"):
        run(body)
    assert "event=stale_run_released connection=conn-a" in caplog.text
    assert "event=run_takeover connection=conn-b" in caplog.text


def test_E4_the_scheduler_never_releases_a_run_of_its_own_process() -> None:
    async def body(world: World) -> None:
        gate = asyncio.Event()
        held = Gated(gate=gate)
        await world.company(A, held)
        scheduler = world.scheduler(Schedule(), poll=timedelta(days=1))
        await scheduler.tick()
        while held.entered == 0:
            await asyncio.sleep(0)
        world.clock.at += timedelta(hours=5)  # a long page: no heartbeat for hours
        await scheduler.beat()
        assert await scheduler.tick() == 1  # its lease ran out, and is taken again here
        assert scheduler.held == {A}
        assert [r.status for r in await world.runs(A)] == [RunStatus.RUNNING]
        gate.set()
        await scheduler.drain()
        assert [r.status for r in await world.runs(A)] == [RunStatus.SUCCEEDED]
        assert (
            await value(world.store.notifications(A))
            == (await value(world.store.notifications(A)))[:1]
        )

    run(body)


def test_E4_scheduler_spans_and_capacity_must_be_positive() -> None:
    runner = World().runner
    with pytest.raises(ValueError, match="poll must be positive"):
        Scheduler(runner, poll=timedelta(0))
    with pytest.raises(ValueError, match="grace must be positive"):
        Scheduler(runner, grace=-HOUR)
    with pytest.raises(ValueError, match="capacity must be at least 1"):
        Scheduler(runner, capacity=0)


# --- on demand ------------------------------------------------------------------------------------


def test_E4_on_demand_run_releases_a_run_left_open_by_a_dead_process() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        await value(world.store.start_run(A, at=T0 - HOUR))  # its process died
        done = await value(world.runner.run_now(A))
        assert done.status is RunStatus.SUCCEEDED
        statuses = [(r.status, r.finished_at) for r in await world.runs(A)]
        assert statuses == [(RunStatus.FAILED, T0), (RunStatus.SUCCEEDED, T0)]
        notes = [n.notification.title for n in await value(world.store.notifications(A))]
        assert notes == ["Sync finished", "Sync failed"]  # newest first

    run(body)


def test_E4_on_demand_run_is_refused_while_the_company_runs() -> None:
    async def body(world: World) -> None:
        gate = asyncio.Event()
        held = Gated(gate=gate)
        await world.company(A, held)
        first = asyncio.create_task(world.runner.run_now(A))
        while held.entered == 0:
            await asyncio.sleep(0)
        second = await world.runner.run_now(A)
        assert not is_successful(second)
        refused = second.failure()
        assert (refused.rule, refused.kind) == (Rule.E4, ErrorKind.REJECTED)
        assert "already in progress" in refused.message
        gate.set()
        done = await first
        assert done.unwrap().status is RunStatus.SUCCEEDED
        assert len(await world.runs(A)) == 1
        again = await value(world.runner.run_now(A))  # free again once it finished
        assert again.status.colour == "blue"

    run(body)


def test_E4_on_demand_run_is_refused_while_the_store_holds_an_open_run() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        await value(world.store.start_run(A, at=T0))  # another process is running it
        refused = await world.runner.run_now(A)
        assert not is_successful(refused)
        assert refused.failure().rule is Rule.E4
        assert await world.runner.wait(A) is None

    run(body)


# --- many companies -------------------------------------------------------------------------------


def test_E4_companies_run_in_parallel_each_with_its_own_intacct_port() -> None:
    async def body(world: World) -> None:
        both = asyncio.Barrier(2)  # each run waits in set-up until the other got there too
        await world.company(A, Gated(gate=both))
        await world.company(B, Gated(gate=both))
        runs = await asyncio.gather(value(world.runner.run_now(A)), value(world.runner.run_now(B)))
        assert [r.status for r in runs] == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]
        for port in world.intacct.values():
            assert isinstance(port, Gated)
            port.gate = None
        await value(world.runner.run_now(A))
        await value(world.runner.run_now(A))
        assert sorted(world.built) == [A, B]  # one port per company, kept between runs

    run(body)


def test_E4_one_companys_fatal_failure_or_crash_leaves_the_others_blue(
    caplog: pytest.LogCaptureFixture,
) -> None:
    c = ConnectionId("conn-c")

    async def body(world: World) -> None:
        await world.company(A)
        await world.company(B, Expired())
        await world.company(c, Crashing(credentials=credentials(c)))
        nightly = world.scheduler(Schedule())

        async def all_done() -> bool:
            return all([await _finished(world, id, 1) for id in (A, B, c)])

        await world.serve_until(nightly, all_done)
        colours = {id: [r.status.colour for r in await world.runs(id)] for id in (A, B, c)}
        assert colours == {A: ["blue"], B: ["red"], c: ["red"]}
        notes = await value(world.store.notifications(B))
        assert "no longer active" in notes[-1].notification.body

    with caplog.at_level(logging.INFO, logger="released_intacct.app.runner"):
        run(body)
    assert "event=sync_red connection=conn-b" in caplog.text
    assert "event=sync_crashed connection=conn-c" in caplog.text
    assert PASSWORD not in caplog.text


def test_E4_a_crashed_run_answers_a_fatal_error_to_whoever_waits() -> None:
    async def body(world: World) -> None:
        await world.company(A, Crashing())
        crashed = await world.runner.run_now(A)
        assert not is_successful(crashed)
        assert crashed.failure().kind is ErrorKind.FATAL
        assert [r.status for r in await world.runs(A)] == [RunStatus.FAILED]

    run(body)


# --- stop -----------------------------------------------------------------------------------------


def test_E4_stop_waits_for_the_runs_under_way_then_ends() -> None:
    async def body(world: World) -> None:
        gate = asyncio.Event()
        await world.company(A, Gated(gate=gate))
        stop = asyncio.Event()
        serving = asyncio.create_task(world.scheduler(Schedule()).serve(stop))
        while not world.runner.is_running(A):
            await asyncio.sleep(0)
        stop.set()
        await asyncio.sleep(0.01)
        assert not serving.done()  # the run is still under way
        gate.set()
        await asyncio.wait_for(serving, timeout=2)
        assert [r.status for r in await world.runs(A)] == [RunStatus.SUCCEEDED]
        assert world.runner.running() == frozenset()

    run(body)


def test_E4_stop_wakes_a_sleeping_scheduler_at_once() -> None:
    async def body(world: World) -> None:
        scheduler = Scheduler(world.runner, poll=timedelta(days=1))  # real asyncio.sleep
        stop = asyncio.Event()
        serving = asyncio.create_task(scheduler.serve(stop))
        await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(serving, timeout=1)

    run(body)


# --- confirm --------------------------------------------------------------------------------------


def test_E4_confirm_queues_the_initial_run_through_the_runner() -> None:
    async def body(world: World) -> None:
        world.intacct["ACME"] = FakeIntacct(clock=world.clock.now)
        flow = ConnectionWorkflow(
            world.store,
            intacct_for=world._intacct_for,
            released_for=world._released_for,
            clock=world.clock,
            start_initial_sync=world.runner.start_initial_sync,
        )
        connected = await value(flow.connect(ReleasedCompanyId("RL-1"), credentials("ACME")))
        id = connected.connection.id
        await value(flow.choose_entity(id, EntityId("")))
        await value(flow.set_sync_from(id, date(2026, 1, 1)))
        await value(flow.start_matching(id))
        await value(flow.confirm(id))
        await flow.background()
        runs = await world.runs(id)
        assert [r.status for r in runs] == [RunStatus.SUCCEEDED]
        assert world.runner.running() == frozenset()
        notes = [n.notification.title for n in await value(world.store.notifications(id))]
        assert notes == ["Sync finished"]

    run(body)


# --- the worker loop (issue 17) -------------------------------------------------------------------


def test_E4_an_on_demand_request_wakes_a_napping_worker_at_once() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        scheduler = Scheduler(world.runner, poll=timedelta(days=1))  # real sleep: a day's nap
        stop = asyncio.Event()
        serving = asyncio.create_task(scheduler.serve(stop))
        while not await _finished(world, A, 1):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # napping now: A is due again tomorrow
        world.clock.at += timedelta(minutes=5)
        await value(world.store.request_run(A, at=world.clock.now()))
        await asyncio.wait_for(_until(lambda: _finished(world, A, 2)), timeout=2)
        runs = await world.runs(A)
        assert runs[1].started_at == T0 + timedelta(minutes=5)
        stop.set()
        await asyncio.wait_for(serving, timeout=2)
        # the request was answered by that run: nothing is due until the schedule says
        due = world.store.claim_due("other/2", 5, at=world.clock.now(), ttl=HOUR)
        assert await value(due) == ()

    run(body)


def test_E4_a_run_under_way_in_this_process_counts_and_is_not_started_twice() -> None:
    async def body(world: World) -> None:
        gate = asyncio.Event()
        await world.company(A, Gated(gate=gate))
        initial = asyncio.create_task(world.runner.start_initial_sync(A))  # as confirm does
        while not world.runner.is_running(A):
            await asyncio.sleep(0)
        scheduler = world.scheduler(Schedule(), poll=timedelta(days=1))
        assert await scheduler.tick() == 1  # A was never scheduled: claimed
        await asyncio.sleep(0.01)
        assert scheduler.held == {A}  # waiting for the initial run, not starting another
        gate.set()
        await initial
        await scheduler.drain()
        assert [r.status for r in await world.runs(A)] == [RunStatus.SUCCEEDED]
        assert await scheduler.tick() == 0  # handed back with tomorrow's 02:00

    run(body)


def test_E4_a_worker_runs_no_more_companies_at_once_than_its_capacity() -> None:
    async def body(world: World) -> None:
        gate = asyncio.Event()
        c = ConnectionId("conn-c")
        for id in (A, B, c):
            await world.company(id, Gated(gate=gate))
        scheduler = world.scheduler(Schedule(), poll=timedelta(days=1), capacity=2)
        assert await scheduler.tick() == 2
        assert await scheduler.tick() == 0  # full
        assert len(scheduler.held) == 2
        gate.set()
        await scheduler.drain()
        assert await scheduler.tick() == 1  # the third, once there was room
        await scheduler.drain()
        for id in (A, B, c):
            assert [r.status for r in await world.runs(id)] == [RunStatus.SUCCEEDED]

    run(body)


def test_E4_stop_with_grace_stops_the_late_runs_red_and_hands_them_back_due_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body(world: World) -> None:
        await world.company(A, Gated(gate=asyncio.Event()))  # never let go
        scheduler = Scheduler(world.runner, poll=timedelta(days=1), grace=timedelta(seconds=0.1))
        stop = asyncio.Event()
        serving = asyncio.create_task(scheduler.serve(stop))
        while not world.runner.is_running(A):
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(serving, timeout=5)
        assert [r.status for r in await world.runs(A)] == [RunStatus.FAILED]
        assert scheduler.held == frozenset()
        (lease,) = await value(world.store.claim_due("other/2", 1, at=world.clock.now(), ttl=HOUR))
        assert lease.connection == A  # due at once for another worker

    with caplog.at_level(logging.INFO, logger="released_intacct.app.scheduler"):
        run(body)
    assert "event=worker_grace_over" in caplog.text
    assert "event=worker_heartbeat worker=" in caplog.text


async def _until(done: Callable[[], Any]) -> None:
    while not await done():
        await asyncio.sleep(0.01)


def test_E4_an_api_without_a_worker_loop_requests_its_runs_from_the_workers() -> None:
    async def body(world: World) -> None:
        await world.company(A)
        service = Service(world.ports())
        service.leave_runs_to_workers()
        await value(service.sync_now(A))
        await value(service.sync_now(A))  # a second request is the same request
        assert service.runner.running() == frozenset()
        assert await world.runs(A) == []
        worker = world.scheduler(Schedule(), poll=timedelta(days=1))  # another process's
        (lease,) = await value(world.store.claim_due(worker.worker, 1, at=T0, ttl=HOUR))
        assert (lease.connection, lease.requested_at) == (A, T0)
        unknown = await service.sync_now(ConnectionId("conn-none"))
        assert unknown.failure().kind is ErrorKind.REJECTED

    run(body)


def test_E4_a_bug_while_holding_a_lease_is_logged_and_the_company_handed_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(FakeStateStore):
        def runs(
            self, id: ConnectionId, *, limit: int = 20
        ) -> FutureResult[tuple[Run, ...], SyncError]:
            raise RuntimeError("a bug")

    async def body(world: World) -> None:
        world.store = Broken()
        world.runner = SyncRunner(world.ports())
        await world.company(A)
        scheduler = world.scheduler(Schedule(), poll=timedelta(days=1))
        assert await scheduler.tick() == 1
        await scheduler.drain()
        assert scheduler.held == frozenset()
        ttl = world.runner.ports.policy.stale_after
        assert await value(world.store.claim_due("b/2", 1, at=T0 + ttl - SECOND, ttl=HOUR)) == ()
        (again,) = await value(world.store.claim_due("b/2", 1, at=T0 + ttl, ttl=HOUR))
        assert again.connection == A  # handed back, due again after a ttl

    with caplog.at_level(logging.ERROR, logger="released_intacct.app.scheduler"):
        run(body)
    assert "event=lease_crashed connection=conn-a error_type=RuntimeError" in caplog.text


def test_E4_a_heartbeat_during_a_hand_back_does_not_report_a_lost_lease(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = asyncio.Event()

    class SlowHandBack(FakeStateStore):
        """The hand-back is stored at once, and answered only when the gate opens."""

        def release_lease(
            self,
            worker: str,
            id: ConnectionId,
            *,
            next_run_at: datetime,
            ran_from: datetime | None = None,
        ) -> FutureResult[bool, SyncError]:
            stored = super().release_lease(worker, id, next_run_at=next_run_at, ran_from=ran_from)

            async def answered() -> Result[bool, SyncError]:
                outcome = await settled(stored)
                await gate.wait()
                return outcome

            return FutureResult(answered())

    async def body(world: World) -> None:
        world.store = SlowHandBack()
        world.runner = SyncRunner(world.ports())
        await world.company(A)
        scheduler = world.scheduler(Schedule(), poll=timedelta(days=1))
        assert await scheduler.tick() == 1
        while not await _finished(world, A, 1):
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)  # the hand-back is stored, its answer held
        assert scheduler.held == {A}
        await scheduler.beat()
        gate.set()
        await scheduler.drain()

    with caplog.at_level(logging.INFO, logger="released_intacct.app.scheduler"):
        run(body)
    assert "event=worker_heartbeat" in caplog.text
    assert "event=leases_lost" not in caplog.text
