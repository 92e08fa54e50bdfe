"""Sync runs of many companies in one asyncio process (rules E3, E4; issue 7, items 4 and 5).

``SyncRunner(ports)`` runs each company's sync (``app.sync.SyncService``) as an asyncio task:

- ``start(id)`` queues a run and answers at once; ``begin(id)`` (on demand, E4) queues one and
  answers as soon as it holds the company (the open run, so its id can be followed);
  ``run_now(id)`` (on demand, E4) queues one and answers the finished run; ``wait(id)`` awaits
  the run under way; ``drain()`` awaits them all.
- One run per company at a time (E4): a second is refused with the E4 ``SyncError`` while this
  process runs one (``domain.schedule.may_start``); the store refuses it (E4 too) while a run of
  the company is open there in another live process. A run left open by a process that died
  (no heartbeat for ``domain.state.DEFAULT_STALE_AFTER``) is released by the store when the
  company's next run starts (``start_run``), and by the scheduler's every tick.
- Companies run in parallel, each through its own Intacct port: the runner keeps one
  ``SyncService`` per connection whose ``intacct_for`` builds the port once and keeps it (built
  again only if the stored credentials or entity differ), so each company's requests go through
  its own session and concurrency governor, never one shared by all companies (and, built by
  ``bootstrap``, through its company's own HTTP connection pool: ``adapters.pools``).
- ``start_initial_sync`` is the ``ConnectionWorkflow`` hook (``StartSync``): confirm queues the
  initial run here.

Decided:
- A failure stays with its company. A red run, a run refused or not started is logged (a warning,
  or info for an E4 refusal) with the connection and the ``SyncError``'s text, which names no
  credential. An exception escaping a run (the service has already finished it red) is logged
  with its type and traceback and becomes a FATAL ``SyncError`` for whoever waits; it never
  reaches another company's task. Credentials are ``Secret``s, so nothing logged shows them.
- A caller of ``run_now`` or ``wait`` that is cancelled does not cancel the run (it is shielded):
  a run cancelled half-way would stay open in the store and lock the company out (E4).
- ``stop()`` is how the runs end when the process must (SIGINT, SIGTERM: ``bootstrap.open_service``
  left by an interruption): each run under way is cancelled, which the sync service answers by
  finishing it red in the store, and no new run starts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app.ports import IntacctFor, Ports
from released_intacct.app.sync import SyncService
from released_intacct.app.sync.service import Started, tell
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, EntityId
from released_intacct.domain.ports import Credentials, IntacctPort
from released_intacct.domain.results import RunStatus
from released_intacct.domain.schedule import may_start
from released_intacct.domain.state import Run, run_open

__all__ = ["SyncRunner"]

_log = logger(__name__)

Outcome = Result[Run, SyncError]


class SyncRunner:
    """Runs the syncs of many companies in parallel, one run per company at a time (E4)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._services: dict[ConnectionId, SyncService] = {}
        self._kept: dict[ConnectionId, _KeptPort] = {}
        self._tasks: dict[ConnectionId, asyncio.Task[Outcome]] = {}
        self._started: dict[ConnectionId, Started] = {}
        """Of each run under way: answered once it holds its company (``begin``)."""
        self._stopping = False
        self._stopped_by: str | None = None

    @property
    def ports(self) -> Ports:
        return self._ports

    def is_running(self, id: ConnectionId) -> bool:
        return id in self._tasks

    def running(self) -> frozenset[ConnectionId]:
        return frozenset(self._tasks)

    def transactions_spent(self, id: ConnectionId) -> int:
        """Intacct API transactions the runs of ``id`` used in this process."""
        kept = self._kept.get(id)
        return 0 if kept is None else kept.spent

    def start(self, id: ConnectionId) -> Result[None, SyncError]:
        """Queue a run of ``id``; refused (E4) while this process runs one of that company, and
        once the runner is stopping (``stop``)."""
        return self._launch(id).map(lambda _: None)

    async def begin(self, id: ConnectionId) -> Result[Run, SyncError]:
        """Rule E4, on demand: queue a run of ``id`` and answer as soon as it holds the company:
        the open run (it goes on in the background), or why none started. While a run of ``id``
        is under way here, refused naming that run (``run_open``); the store refuses alike, naming
        it, while one is open in another live process."""
        under_way = self._started.get(id)
        if under_way is not None:
            held = await asyncio.shield(under_way)
            return held.bind(lambda run: Failure(run_open(run)))
        launched = self._launch(id)
        if not is_successful(launched):
            return Failure(launched.failure())
        return await asyncio.shield(launched.unwrap())

    def _launch(self, id: ConnectionId) -> Result[Started, SyncError]:
        if self._stopping:
            return Failure(_stopping())
        allowed = may_start(running=self.is_running(id), company=id)
        if not is_successful(allowed):
            return Failure(allowed.failure())
        started: Started = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._guarded(id, started), name=f"sync-{id}")
        self._tasks[id], self._started[id] = task, started
        task.add_done_callback(lambda done: self._forget(id, done, started))
        return Success(started)

    async def run_now(self, id: ConnectionId) -> Result[Run, SyncError]:
        """Rule E4, on demand: the finished run (blue or red), or why none could run."""
        started = self.start(id)
        if not is_successful(started):
            _log.info("sync_refused", connection=id, error=started.failure())
            return Failure(started.failure())
        return await asyncio.shield(self._tasks[id])

    async def wait(self, id: ConnectionId) -> Outcome | None:
        """The outcome of the run of ``id`` under way; None when none is."""
        task = self._tasks.get(id)
        return None if task is None else await asyncio.shield(task)

    async def drain(self) -> None:
        """Wait until no run is under way (runs queued meanwhile included)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks.values()))

    async def stop(self, reason: str | None = None) -> None:
        """Stop the runs under way and start no more (the process is ending: SIGINT, SIGTERM, a
        crash): each is cancelled, which the sync service answers by finishing it red in the
        store with ``reason`` (e.g. "stopped by Ctrl-C") in its notification, so its company is
        not left locked (E4); answers once they all have."""
        self._stopping = True
        self._stopped_by = self._stopped_by or reason
        cancelled: set[asyncio.Task[Outcome]] = set()
        while self._tasks:
            tasks = set(self._tasks.values())
            for task in tasks - cancelled:
                _log.warning("sync_stopping", task=task.get_name())
                task.cancel()
            cancelled |= tasks
            await asyncio.wait(tasks)

    async def start_initial_sync(self, id: ConnectionId) -> None:
        """The ``ConnectionWorkflow`` hook: run the initial sync here (its outcome is logged)."""
        await self.run_now(id)

    async def _guarded(self, id: ConnectionId, started: Started) -> Outcome:
        try:
            outcome = await self._service(id).run(id, started=started)
        except Exception as error:
            _log.exception("sync_crashed", connection=id, error_type=type(error).__name__)
            outcome = Failure(_crashed(error))
            tell(started, outcome)
        finally:
            self._tasks.pop(id, None)
            self._started.pop(id, None)
        _report(id, outcome)
        return outcome

    def _forget(self, id: ConnectionId, task: asyncio.Task[Outcome], started: Started) -> None:
        """Also for a task cancelled before it started (its ``finally`` never ran); a run
        cancelled before it held its company answers ``begin`` that the runner is stopping."""
        if self._tasks.get(id) is task:
            del self._tasks[id]
        if self._started.get(id) is started:
            del self._started[id]
        tell(started, Failure(_stopping()))

    def _service(self, id: ConnectionId) -> SyncService:
        service = self._services.get(id)
        if service is None:
            kept = _KeptPort(self._ports.intacct_for)
            self._kept[id] = kept
            service = SyncService(
                replace(self._ports, intacct_for=kept), stopped_by=lambda: self._stopped_by
            )
            self._services[id] = service
        return service


class _KeptPort:
    """One connection's ``intacct_for``: the port is built once and kept while the credentials
    and the entity stay the same, so the company's session and governor outlive a run."""

    __slots__ = ("_build", "_earlier", "_key", "_port")

    def __init__(self, build: IntacctFor) -> None:
        self._build = build
        self._key: tuple[Credentials, EntityId | None] | None = None
        self._port: IntacctPort | None = None
        self._earlier = 0
        """Transactions spent by the ports built before this one."""

    def __call__(self, credentials: Credentials, entity: EntityId | None) -> IntacctPort:
        key = (credentials, entity)
        if self._port is None or self._key != key:
            self._earlier = self.spent
            self._port, self._key = self._build(credentials, entity), key
        return self._port

    @property
    def spent(self) -> int:
        """API transactions of every port this one built."""
        return self._earlier + (0 if self._port is None else self._port.transactions_spent())


def _report(id: ConnectionId, outcome: Outcome) -> None:
    if not is_successful(outcome):
        error = outcome.failure()
        level = logging.INFO if error.rule is Rule.E4 else logging.WARNING
        _log.log(level, "sync_not_run", connection=id, error=error)
        return
    run = outcome.unwrap()
    if run.status is RunStatus.FAILED:
        _log.warning("sync_red", connection=id, run=run.id, errors=run.errors)
    else:
        _log.info("sync_done", connection=id, run=run.id, status=run.status.value)


def _stopping() -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message="The service is stopping, so no sync starts now.",
        fix="Nothing to do: the sync runs when the service is started again.",
    )


def _crashed(error: Exception) -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message=f"The sync stopped unexpectedly ({type(error).__name__}).",
        fix="Nothing was lost: the next sync picks up where this one stopped.",
    )
