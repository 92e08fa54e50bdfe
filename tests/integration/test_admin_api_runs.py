"""Rule E4 over the admin API: ``POST /connections/{id}/sync`` answers the run it started (202,
``runId``), or 409 naming the run already open and since when; served without a worker loop
(``serve --api-only``) it answers that the run is requested (no run id yet: no worker started it)
or the same 409. ``GET /connections/{id}/runs/{run}`` reads one run of the connection, 404 in the
error envelope for a run that is not this connection's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from returns.future import FutureResult
from returns.result import Result

from released_intacct.app.admin import create_admin_app
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    ReleasedCompanyId,
)
from released_intacct.domain.ports import Credentials, IntacctCredentials, IntacctPort, ReleasedPort
from released_intacct.domain.results import RunStatus
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import DEFAULT_STALE_AFTER, Connection, Phase, Run
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

TOKEN = "admin-runs-token-0f6b93d2e7a54c18"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
A, B = ConnectionId("conn-a"), ConnectionId("conn-b")


class _Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


class _World:
    """Two confirmed companies with nothing to sync, the service and its admin API."""

    def __init__(self, store: FakeStateStore | None = None) -> None:
        self.clock, self.store = _Clock(), store or FakeStateStore()
        self.intacct = FakeIntacct()
        self.intacct.clock = self.clock.now
        self.released = FakeReleased(clock=self.clock.now)
        ports = Ports(store=self.store, intacct_for=self._intacct_for,
                      released_for=self._released_for, clock=self.clock)  # fmt: skip
        self.service = Service(ports)
        self.app = create_admin_app(self.service, token=Secret(TOKEN))

    def _intacct_for(self, given: Credentials, _: EntityId | None) -> IntacctPort:
        return self.intacct

    def _released_for(self, company: ReleasedCompanyId) -> ReleasedPort:
        return self.released

    async def companies(self) -> None:
        secret = Secret("pw-never-shown")
        for id in (A, B):
            connection = Connection(
                id=id, released_company=ReleasedCompanyId(f"RL-{id}"),
                intacct_company=IntacctCompanyId(id), phase=Phase.CONFIRMED, entity=EntityId(""),
                sync_from=date(2026, 1, 1), created_at=T0, confirmed_at=T0,
            )  # fmt: skip
            credentials = IntacctCredentials(
                sender_id="s", sender_password=secret, company_id=id, user_id="u",
                user_password=secret,
            )  # fmt: skip
            await value(self.store.add_connection(connection, credentials))

    async def open_run(self, id: ConnectionId) -> Run:
        """A run of ``id`` open in another live process (as the store sees it)."""
        return await value(self.store.start_run(id, at=self.clock.now(), holder="other/7"))

    async def call(self, method: str, path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://admin", headers=headers
        ) as client:
            return await client.request(method, path)


def _run(body: Callable[[_World], Awaitable[None]], store: FakeStateStore | None = None) -> None:
    async def go() -> None:
        world = _World(store)
        await world.companies()
        try:
            await body(world)
        finally:
            await world.service.drain()

    asyncio.run(go())


def _error(answer: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = answer.json()["error"]
    return error


def test_E4_sync_answers_the_id_of_the_run_it_started_and_it_can_be_read() -> None:
    async def body(world: _World) -> None:
        answer = await world.call("POST", f"/connections/{A}/sync")
        assert answer.status_code == 202
        queued = answer.json()
        assert queued == {"runId": queued["runId"], "status": "running",
                          "requestedAt": "2026-03-01T09:00:00Z"}  # fmt: skip
        (stored,) = await value(world.store.runs(A))
        assert stored.id == queued["runId"]  # the run exists (and holds the company) already
        await world.service.drain()
        read = await world.call("GET", f"/connections/{A}/runs/{queued['runId']}")
        assert read.status_code == 200
        assert (read.json()["id"], read.json()["status"]) == (stored.id, RunStatus.SUCCEEDED.value)

    _run(body)


def test_E4_sync_while_a_run_is_open_is_409_naming_the_run_and_since_when() -> None:
    async def body(world: _World) -> None:
        elsewhere = await world.open_run(A)
        refused = await world.call("POST", f"/connections/{A}/sync")
        assert refused.status_code == 409
        error = _error(refused)
        assert (error["kind"], error["rule"]) == ("rejected", "E4")
        assert f"run {elsewhere.id}, started 2026-03-01T09:00:00+00:00" in error["message"]
        assert elsewhere.id in error["fix"]
        assert [r.id for r in await value(world.store.runs(A))] == [elsewhere.id]

    _run(body)


def test_E4_a_second_sync_while_the_first_runs_here_is_409_naming_the_first() -> None:
    async def body(world: _World) -> None:
        first, second = await asyncio.gather(
            world.call("POST", f"/connections/{A}/sync"),
            world.call("POST", f"/connections/{A}/sync"),
        )
        answers = sorted((first, second), key=lambda a: a.status_code)
        assert [a.status_code for a in answers] == [202, 409]
        run_id = answers[0].json()["runId"]
        assert f"run {run_id}, started" in _error(answers[1])["message"]
        assert len(await value(world.store.runs(A))) == 1

    _run(body)


def test_E4_left_to_the_workers_sync_is_requested_without_a_run_id_or_409_while_one_is_open() -> (
    None
):
    async def body(world: _World) -> None:
        world.service.leave_runs_to_workers()
        elsewhere = await world.open_run(A)
        refused = await world.call("POST", f"/connections/{A}/sync")
        assert refused.status_code == 409
        assert f"run {elsewhere.id}, started" in _error(refused)["message"]
        due = await value(world.store.claim_due("w/1", 2, at=T0, ttl=timedelta(minutes=1)))
        assert [lease.requested_at for lease in due] == [None, None]  # refused: not requested
        await value(world.store.finish_run(_finished(elsewhere)))
        world.clock.at = T0 + timedelta(minutes=5)
        answer = await world.call("POST", f"/connections/{A}/sync")
        assert answer.status_code == 202
        assert answer.json() == {"runId": None, "status": "requested",
                                 "requestedAt": "2026-03-01T09:05:00Z"}  # fmt: skip
        assert world.service.runner.running() == frozenset()  # a worker runs it, not this API
        (lease,) = await value(
            world.store.claim_due("w/1", 1, at=world.clock.at, ttl=timedelta(minutes=1))
        )
        assert (lease.connection, lease.requested_at) == (A, world.clock.at)

    _run(body)


def test_E4_a_stale_open_run_does_not_block_a_request_to_the_workers() -> None:
    async def body(world: _World) -> None:
        world.service.leave_runs_to_workers()
        await world.open_run(A)
        world.clock.at = T0 + timedelta(hours=1)  # silent far longer than sync.stale_after
        answer = await world.call("POST", f"/connections/{A}/sync")
        assert (answer.status_code, answer.json()["status"]) == (202, "requested")

    _run(body)


def test_E3_a_run_is_read_only_under_its_own_connection() -> None:
    async def body(world: _World) -> None:
        run = await world.open_run(A)
        mine = await world.call("GET", f"/connections/{A}/runs/{run.id}")
        assert mine.status_code == 200
        assert (mine.json()["id"], mine.json()["status"]) == (run.id, "running")
        for path in (f"/connections/{B}/runs/{run.id}", f"/connections/{A}/runs/run-none"):
            answer = await world.call("GET", path)
            assert answer.status_code == 404, path
            error = _error(answer)
            assert error["kind"] == "not_found"
            assert "There is no run" in error["message"]
        unknown = await world.call("GET", f"/connections/conn-none/runs/{run.id}")
        assert unknown.status_code == 404
        assert "connection conn-none" in _error(unknown)["message"]

    _run(body)


class _Gated(FakeStateStore):
    """``start_run`` waits for ``gate``: a run that has not yet taken its company."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    def start_run(
        self, id: ConnectionId, *, at: datetime, stale_after: timedelta = DEFAULT_STALE_AFTER,
        holder: str = "",
    ) -> FutureResult[Run, SyncError]:  # fmt: skip
        async def later() -> Result[Run, SyncError]:
            await self.gate.wait()
            taken = super(_Gated, self).start_run(id, at=at, stale_after=stale_after, holder=holder)
            return await settled(taken)

        return FutureResult(later())


def test_E4_a_sync_asked_while_the_service_stops_is_told_so_and_never_hangs() -> None:
    async def body(world: _World) -> None:
        asked = asyncio.create_task(world.call("POST", f"/connections/{A}/sync"))
        while not world.service.runner.is_running(A):
            await asyncio.sleep(0.01)
        await world.service.stop()  # the run is cancelled before it took the company
        answer = await asyncio.wait_for(asked, timeout=5)
        assert answer.status_code == 503
        assert "stopping" in _error(answer)["message"]
        assert await value(world.store.runs(A)) == ()

    _run(body, _Gated())


def _finished(run: Run) -> Run:
    return replace(run, status=RunStatus.SUCCEEDED, finished_at=T0 + timedelta(minutes=1))
