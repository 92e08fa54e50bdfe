"""The product as a host, the admin API and the CLI meet it: one ``Service`` per process.

``Service(ports, schedule=...)`` (built by ``app.bootstrap.build_service``) holds:

- ``workflow``: the connection and onboarding steps (``ConnectionWorkflow``: connect, choose the
  entity, the sync-from date, prerequisites, matching, confirm, disconnect); confirm queues the
  initial sync on ``runner``;
- ``runner``: the sync runs, many companies in parallel, one run per company at a time (E4);
- ``scheduler``: the worker loop, the scheduled and requested runs of the companies it claims
  (``serve(stop)``; ``worker`` the settings of its capacity, poll and grace).

and answers what a person asks about one company: its ``status`` (phase, run status and colour,
progress per record type, last and next run, API transactions spent), its sync ``results`` with
filters, ``unlink`` / ``relink`` of a record (E2), the Re-Leased-side ``guard`` (may this user
action proceed? D1, D3, D7, D9, D20) and its ``notifications``.

Decided:
- ``entities(id)`` logs in again with the stored credentials: the list of entities is Intacct's,
  and it may change between connect and choose (C3).
- API transactions are counted by the company's Intacct port in this process (the port is kept
  across runs); a restart counts from zero. They are reported as ``transactions_spent``; each run
  keeps its own in the store (``Run.transactions``).
- ``unlink`` / ``relink`` name the record by its type and Re-Leased id; a record that was never
  linked cannot be unlinked (E2), and the refusal says so.
- ``sync_now`` queues a run and answers as soon as it holds the company, naming it (the admin
  API's 202), or, left to the workers, once the request is stored (``app.demand``); refused
  naming the open run while one is (E4). ``run_now`` awaits the finished run.
"""

from __future__ import annotations

from datetime import datetime

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app.authorize import OAuthFlow
from released_intacct.app.company_status import CompanyStatus
from released_intacct.app.connection import ConnectionWorkflow
from released_intacct.app.demand import Queued, request_unless_open
from released_intacct.app.doctor import DoctorReport, doctor
from released_intacct.app.holding import release_dead
from released_intacct.app.ports import Ports, credentials_of, settled
from released_intacct.app.preconditions import refusal, stored_connection
from released_intacct.app.reasons import run_reasons
from released_intacct.app.runner import SyncRunner
from released_intacct.app.scheduler import Scheduler, WorkerSettings
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, ReleasedId
from released_intacct.domain.links import Link, relink, unlink
from released_intacct.domain.ports import Entity
from released_intacct.domain.reasons import Reason
from released_intacct.domain.results import SyncResult
from released_intacct.domain.rules.guard import GuardRequest, UserAction, guard
from released_intacct.domain.schedule import Schedule, next_run
from released_intacct.domain.state import (
    Connection,
    Phase,
    ResultFilter,
    Run,
    StoredNotification,
)

__all__ = ["Service"]

_log = logger(__name__)


class Service:
    """Connect, onboard, sync and look after many companies in one asyncio process."""

    def __init__(
        self,
        ports: Ports,
        *,
        schedule: Schedule | None = None,
        worker: WorkerSettings | None = None,
        oauth: OAuthFlow | None = None,
    ) -> None:
        worker = worker or WorkerSettings()
        self._to_workers = False
        self.ports = ports
        self.oauth = oauth
        """Connecting with the user's authorization over REST (``app.authorize``); None: a
        service built without it (``build_service`` gives it)."""
        self.schedule = schedule or Schedule()
        self.runner = SyncRunner(ports)
        self.workflow = ConnectionWorkflow(
            ports.store,
            intacct_for=ports.intacct_for,
            released_for=ports.released_for,
            clock=ports.clock,
            start_initial_sync=self._start_initial_sync,
            policy=ports.policy,
            sleep=ports.sleep,
        )
        self.scheduler = Scheduler(
            self.runner,
            schedule=self.schedule,
            capacity=worker.capacity,
            poll=worker.poll,
            grace=worker.grace,
        )

    # --- connections -----------------------------------------------------------------------------

    async def connections(self) -> Result[tuple[Connection, ...], SyncError]:
        return await settled(self.ports.store.connections())

    async def connection(self, id: ConnectionId) -> Result[Connection, SyncError]:
        """The stored connection, or a REJECTED error naming the unknown id."""
        return await stored_connection(self.ports.store, id)

    async def entities(self, id: ConnectionId) -> Result[tuple[Entity, ...], SyncError]:
        """Rule C3: the entities to choose from, by a live log-in with the stored credentials."""
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        credentials = await credentials_of(self.ports.store, id)
        if not is_successful(credentials):
            return Failure(credentials.failure())
        port = self.ports.intacct_for(credentials.unwrap(), None)
        return await settled(port.login(credentials.unwrap()))

    async def doctor(self, id: ConnectionId) -> Result[DoctorReport, SyncError]:
        """Read-only checks of the connection's company against the fidelity ledger."""
        return await doctor(self.ports, id)

    # --- runs (E3, E4) ---------------------------------------------------------------------------

    async def status(self, id: ConnectionId) -> Result[CompanyStatus, SyncError]:
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        latest = await settled(self.ports.store.runs(id, limit=1))
        if not is_successful(latest):
            return Failure(latest.failure())
        connection, runs = found.unwrap(), latest.unwrap()
        last = runs[0] if runs else None
        why = Success(()) if last is None else await run_reasons(self.ports.store, last)
        if not is_successful(why):
            return Failure(why.failure())
        return Success(
            CompanyStatus(
                connection=connection,
                last_run=last,
                running=self.runner.is_running(id),
                next_run=self._next(connection, last),
                transactions_spent=self.runner.transactions_spent(id),
                reasons=why.unwrap(),
            )
        )

    def _next(self, connection: Connection, last: Run | None) -> datetime | None:
        if connection.phase is not Phase.CONFIRMED:
            return None
        if last is None:
            return self.ports.clock.now()
        return next_run(self.schedule, after=last.started_at)

    def leave_runs_to_workers(self) -> None:
        """From now on, the runs asked of this service (``sync_now``, a confirm's initial sync)
        are requested from the workers (``StateStore.request_run``) instead of run here: for an
        admin API served without a worker loop (``serve --api-only``) beside ``worker``
        processes."""
        self._to_workers = True

    async def sync_now(self, id: ConnectionId) -> Result[Queued, SyncError]:
        """Rule E4, on demand: start a run and answer once it holds the company (the run, open),
        or, left to the workers, once it is requested (no run yet); refused, naming the run,
        while one is open (``app.demand``)."""
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        if found.unwrap().phase is not Phase.CONFIRMED:
            return Failure(_unconfirmed())
        if self._to_workers:
            return await request_unless_open(self.ports, id)
        at = self.ports.clock.now()
        started = await self.runner.begin(id)
        return started.map(lambda run: Queued(run=run, requested_at=at))

    async def _request(self, id: ConnectionId) -> Result[None, SyncError]:
        """Ask the workers for a run of ``id`` now (``StateStore.request_run``)."""
        return await settled(self.ports.store.request_run(id, at=self.ports.clock.now()))

    async def _start_initial_sync(self, id: ConnectionId) -> None:
        """The confirm's hook: the initial sync runs here, or is requested from the workers."""
        if not self._to_workers:
            await self.runner.start_initial_sync(id)
            return
        requested = await self._request(id)
        if not is_successful(requested):
            _log.warning("initial_sync_not_requested", connection=id, error=requested.failure())

    async def run_now(self, id: ConnectionId) -> Result[Run, SyncError]:
        """Rule E4, on demand: the finished run, or why none could run."""
        return await self.runner.run_now(id)

    async def release(self, id: ConnectionId) -> Result[Run, SyncError]:
        """Rule E4, the operator's way out: free the company from an open run whose process is
        provably dead or silent for ``sync.stale_after`` (``app.holding.release_dead``); the run
        released (red, with its notification)."""
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        now, policy = self.ports.clock.now(), self.ports.policy
        return await release_dead(self.ports.store, id, now=now, policy=policy)

    async def run(self, id: ConnectionId, run_id: str) -> Result[Run | None, SyncError]:
        """The run ``run_id`` of ``id`` (open or finished); None when ``id`` has no such run."""
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        return await settled(self.ports.store.run(id, run_id))

    async def runs(
        self, id: ConnectionId, *, limit: int = 20
    ) -> Result[tuple[Run, ...], SyncError]:
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        return await settled(self.ports.store.runs(id, limit=limit))

    async def reasons(self, run: Run) -> Result[tuple[Reason, ...], SyncError]:
        """Rule E3: why ``run`` is red, as the store keeps it (``app.reasons``)."""
        return await run_reasons(self.ports.store, run)

    # --- results and links (E1, E2) --------------------------------------------------------------

    async def results(
        self, id: ConnectionId, where: ResultFilter | None = None
    ) -> Result[tuple[SyncResult, ...], SyncError]:
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        return await settled(self.ports.store.results(id, where or ResultFilter()))

    async def unlink(
        self, id: ConnectionId, record_type: RecordType, released_id: ReleasedId
    ) -> Result[Link, SyncError]:
        """Rule E2: take the record out of every later sync; nothing is deleted on either side."""
        return await self._relinked(id, record_type, released_id, linked=False)

    async def relink(
        self, id: ConnectionId, record_type: RecordType, released_id: ReleasedId
    ) -> Result[Link, SyncError]:
        """Rule E2: put an unlinked record back into the sync."""
        return await self._relinked(id, record_type, released_id, linked=True)

    async def _relinked(
        self, id: ConnectionId, record_type: RecordType, released_id: ReleasedId, *, linked: bool
    ) -> Result[Link, SyncError]:
        found = await self._link(id, record_type, released_id)
        changed = found.bind(relink if linked else unlink)
        if not is_successful(changed):
            return changed
        saved = await settled(self.ports.store.save_links(id, [changed.unwrap()]))
        return saved.map(lambda _: changed.unwrap())

    async def _link(
        self, id: ConnectionId, record_type: RecordType, released_id: ReleasedId
    ) -> Result[Link, SyncError]:
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        links = await settled(self.ports.store.links(id, record_type, released_ids=[released_id]))
        if not is_successful(links):
            return Failure(links.failure())
        link = next((k for k in links.unwrap() if k.released_id == released_id), None)
        if link is None:
            noun = record_type.value.replace("_", " ")
            return Failure(
                refusal(
                    Rule.E2,
                    f"Re-Leased {noun} {released_id} is not linked to a Sage Intacct record, so "
                    "there is no link to change.",
                    "Check the record type and the Re-Leased id; only a record that has synced "
                    "can be unlinked or relinked.",
                    kind=ErrorKind.REJECTED,
                )
            )
        return Success(link)

    # --- the Re-Leased-side guard (D1, D3, D7, D9, D20) ------------------------------------------

    async def guard(
        self,
        id: ConnectionId,
        record_type: RecordType,
        action: UserAction,
        *,
        released_id: ReleasedId | None = None,
        label: str = "",
    ) -> Result[None, SyncError]:
        """May a Re-Leased user take ``action`` on the record? Success, or the refusal to show."""
        found = await stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        link: Link | None = None
        if released_id is not None:
            links = await settled(
                self.ports.store.links(id, record_type, released_ids=[released_id])
            )
            if not is_successful(links):
                return Failure(links.failure())
            link = next((k for k in links.unwrap() if k.released_id == released_id), None)
        request = GuardRequest(
            record_type=record_type,
            action=action,
            synced=link is not None and link.is_linked,
            posted=link is not None and link.posted,
            released_id=released_id,
            label=label,
        )
        return guard(request, connected=found.unwrap().phase is Phase.CONFIRMED)

    # --- notifications (E3) ----------------------------------------------------------------------

    async def notifications(
        self, id: ConnectionId, *, unread_only: bool = False
    ) -> Result[tuple[StoredNotification, ...], SyncError]:
        return await settled(self.ports.store.notifications(id, unread_only=unread_only))

    async def mark_read(self, id: ConnectionId, notification_id: int) -> Result[None, SyncError]:
        """Mark a notification of ``id`` read (again: nothing changes)."""
        return await settled(self.ports.store.mark_read(id, notification_id))

    # --- life cycle ------------------------------------------------------------------------------

    async def drain(self) -> None:
        """Wait for the initial syncs and runs under way (for shutdown and tests)."""
        await self.workflow.background()
        await self.runner.drain()
        await self.scheduler.drain()

    async def stop(self, reason: str | None = None) -> None:
        """Stop the runs under way, each finished red in the store (``SyncRunner.stop``; its
        notification says ``reason``, e.g. "stopped by Ctrl-C"), and start no more: for a process
        that must end now (SIGINT, SIGTERM, a crash)."""
        await self.runner.stop(reason)
        await self.workflow.background()
        await self.scheduler.drain()  # every lease handed back


def _unconfirmed() -> SyncError:
    return refusal(
        Rule.O5,
        "This connection is not confirmed yet, so it does not sync.",
        "Finish onboarding and confirm it; the initial sync then starts by itself.",
        kind=ErrorKind.REJECTED,
    )
