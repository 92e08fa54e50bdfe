"""The worker loop: companies claimed from the store, run when due, handed back (rule E4; issue 17).

``Scheduler(runner, schedule=..., capacity=...)`` and ``await scheduler.serve(stop)``. Any number
of processes may serve one store at once (the ``worker`` command, on PostgreSQL); ``serve`` runs
one beside the admin API (SQLite or PostgreSQL). Each ``tick()`` claims up to ``capacity`` minus
the companies it holds (``StateStore.claim_due``: due by their ``next_run_at``, never scheduled,
or requested on demand; a lease whose worker stopped renewing it is taken over), and for each
lease reads the company's latest run and asks ``domain.due.on_claim`` whether to run it now:

- to run it, the ``SyncRunner`` runs it (one run per company, companies in parallel, E4); the
  run holds the company under the lease's epoch (``start_run`` with ``stale_after`` = the lease
  ttl, which releases red, with a notification, the open run of a worker that died, in the same
  transaction as it opens its own), and the lease is handed back with the next scheduled time
  (``domain.schedule.next_run`` after the run's start), answering a request made before it;
- else it is handed back at once with the time ``on_claim`` gives.

Between ticks it naps until ``poll`` has passed (or a company it handed back is due, if sooner),
a run is requested (``StateStore.wait_requested``:
with PostgreSQL, a ``NOTIFY`` from any process), a run of its own ended (room for another), or
``stop`` is set. Every ``heartbeat_every(ttl)`` (a third of the ttl) it renews all its leases in
one statement, finishes red the runs of any company left with no sign of life for the ttl
(``release_stale_runs``, so a company whose process died is not shown running when nothing
claims it), and logs one ``event=worker_heartbeat`` line (``holding.Every``, real time).

Decided:
- The lease ttl is ``sync.stale_after`` (``Ports.policy``): the same span decides when a silent
  run and a silent worker's lease are taken over, so every process of one store shares it. A run
  beats every third of it, so only a process that is dead, paused or cut off loses its company.
- The worker's name is the policy's holder, ``host/pid``: the runs it starts and the leases it
  holds name the same process.
- A company whose latest run is open in this process (an on-demand or initial run) is not started
  again: the worker waits for that run and hands the lease back after it, as if it had run it.
  One open elsewhere and alive is handed back until it would be stale; ``start_run`` refusing it
  anyway (it started between the read and the start) hands it back to be claimed at the next
  ``poll``.
- ``stop`` set: no more claims; the runs under way finish, or with ``grace`` set, are given that
  long and then stopped (each finished red by the sync service); every lease is handed back, a
  stopped run's due at once, so another worker takes it at its next tick. A cancelled ``serve``
  (a second SIGTERM) waits for nothing: whoever cancelled it stops the runs (``Service.stop``),
  and ``drain()`` waits for the hand-backs.
- A store that fails (claim, read, hand-back, renewal) is logged and tried again later; it never
  ends the loop. A lease not handed back runs out after the ttl and is claimed again.
"""

from __future__ import annotations

import asyncio
import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from returns.pipeline import is_successful

from released_intacct.adapters.log import logger
from released_intacct.app.holding import Every
from released_intacct.app.ports import Sleep, settled, this_process
from released_intacct.app.runner import SyncRunner
from released_intacct.domain.due import HandBack, Start, on_claim
from released_intacct.domain.errors import Rule
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.schedule import Schedule, next_run
from released_intacct.domain.state import Lease, Run, heartbeat_every

__all__ = ["DEFAULT_CAPACITY", "DEFAULT_POLL", "Scheduler", "Sleep", "WorkerSettings"]

_log = logger(__name__)


DEFAULT_CAPACITY: Final = 8
"""Companies one worker runs at once."""
DEFAULT_POLL: Final = timedelta(seconds=1)
"""The longest nap between two claims: how late a due company or a dead worker's is noticed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    """How one process's worker loop claims and stops (``worker.*`` settings)."""

    capacity: int = DEFAULT_CAPACITY
    """Companies it runs at once."""
    poll: timedelta = DEFAULT_POLL
    """The longest nap between two claims."""
    grace: timedelta | None = None
    """After ``stop``: how long the runs under way may go on before they are stopped (finished
    red, their companies handed back due at once); None: until they finish."""

    def __post_init__(self) -> None:
        refuse_wrong(self.capacity, self.poll, self.grace)


def refuse_wrong(capacity: int, poll: timedelta, grace: timedelta | None) -> None:
    """``ValueError`` naming the first value a worker cannot run with."""
    if capacity < 1:
        msg = f"capacity must be at least 1 company, got {capacity}"
        raise ValueError(msg)
    for name, span in (("poll", poll), ("grace", grace or poll)):
        if span <= timedelta(0):
            msg = f"{name} must be positive, got {span}"
            raise ValueError(msg)


class Scheduler:
    """Claims due companies and runs each (E4), as one of any number of workers."""

    def __init__(
        self,
        runner: SyncRunner,
        *,
        schedule: Schedule | None = None,
        capacity: int = DEFAULT_CAPACITY,
        poll: timedelta = DEFAULT_POLL,
        grace: timedelta | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        refuse_wrong(capacity, poll, grace)
        self._runner = runner
        self._schedule = schedule or Schedule()
        self._capacity = capacity
        self._poll = poll
        self._grace = grace
        self._sleep = sleep
        policy = runner.ports.policy
        self._ttl = policy.stale_after
        self.worker = policy.holder or this_process()
        self._held: dict[ConnectionId, asyncio.Task[None]] = {}
        self._handing: set[ConnectionId] = set()
        """Held, and being handed back now."""
        self._freed = asyncio.Event()
        self._dues: list[datetime] = []
        """The next run times this worker handed back (a heap): it wakes for the earliest."""

    @property
    def held(self) -> frozenset[ConnectionId]:
        """The companies this worker holds a lease on now."""
        return frozenset(self._held)

    async def serve(self, stop: asyncio.Event) -> None:
        """Claim and run due companies until ``stop`` is set; then wind down (see the module)."""
        await self.beat()
        beating = Every(self._beaten, heartbeat_every(self._ttl), name="worker-heartbeat")
        beating.start()
        try:
            while not stop.is_set():
                await self.tick()
                await self._nap(stop)
            await self._wind_down()
        finally:
            await beating.stop()

    async def tick(self) -> int:
        """Claim what is due, up to the room left; how many leases were claimed."""
        self._freed.clear()  # a run that ends from now on wakes the next nap
        free = self._capacity - len(self._held)
        if free <= 0:
            return 0
        now = self._now()
        claimed = await settled(
            self._runner.ports.store.claim_due(self.worker, free, at=now, ttl=self._ttl)
        )
        if not is_successful(claimed):
            _log.warning("claim_failed", worker=self.worker, error=claimed.failure())
            return 0
        for lease in claimed.unwrap():
            if lease.connection in self._held:  # its lease ran out while held here: renewed
                continue
            task = asyncio.create_task(self._hold(lease), name=f"lease-{lease.connection}")
            self._held[lease.connection] = task
            task.add_done_callback(partial(self._let_go, lease.connection))
        return len(claimed.unwrap())

    async def drain(self) -> None:
        """Wait until every lease this worker holds is handed back (its run ended or stopped)."""
        while self._held:
            await asyncio.wait(set(self._held.values()))

    async def beat(self) -> None:
        """Renew every lease held, release the runs of dead processes, log a heartbeat line."""
        store, now = self._runner.ports.store, self._now()
        before = set(self._held)
        renewed = await settled(store.renew_leases(self.worker, at=now, ttl=self._ttl))
        count = renewed.value_or(-1)
        # held all along, and not being handed back (claims and hand-backs race the renewal)
        kept = (before & set(self._held)) - self._handing
        if not is_successful(renewed):
            _log.warning("renew_failed", worker=self.worker, error=renewed.failure())
        elif count < len(kept):
            _log.warning("leases_lost", worker=self.worker, held=len(kept), renewed=count)
        await self._release_stale(now)
        _log.info(
            "worker_heartbeat",
            worker=self.worker,
            running=len(self._runner.running()),
            capacity=self._capacity,
            renewed=count,
        )

    # --- one lease ------------------------------------------------------------------------------

    async def _hold(self, lease: Lease) -> None:
        id = lease.connection
        try:
            await self._decide_and_run(lease)
        except asyncio.CancelledError:
            await asyncio.shield(self._hand_back(id, self._now(), ran_from=None, why="stopped"))
            raise
        except Exception as error:  # a bug: logged, and the company handed back, not held
            _log.exception("lease_crashed", connection=id, error_type=type(error).__name__)
            await self._hand_back(id, self._now() + self._ttl, ran_from=None, why="crashed")

    async def _decide_and_run(self, lease: Lease) -> None:
        id, store = lease.connection, self._runner.ports.store
        if self._runner.is_running(id):  # an on-demand or initial run of this process
            outcome = await self._runner.wait(id)
            await self._after(id, outcome.value_or(None) if outcome is not None else None)
            return
        latest = await settled(store.runs(id, limit=1))
        if not is_successful(latest):
            _log.warning("lease_unreadable", connection=id, error=latest.failure())
            await self._hand_back(id, self._now() + self._poll, ran_from=None, why="unreadable")
            return
        found = latest.unwrap()
        decided = on_claim(
            lease,
            found[0] if found else None,
            now=self._now(),
            schedule=self._schedule,
            stale_after=self._ttl,
        )
        if isinstance(decided, HandBack):
            await self._hand_back(
                id, decided.next_run_at, ran_from=decided.ran_from, why=decided.why
            )
            return
        assert isinstance(decided, Start)
        ran = await self._runner.run_now(id)
        if not is_successful(ran) and ran.failure().rule is Rule.E4:
            await self._hand_back(id, self._now() + self._poll, ran_from=None, why="refused")
            return
        await self._after(id, ran.value_or(None))

    async def _after(self, id: ConnectionId, run: Run | None) -> None:
        """Hand ``id`` back after its run: due next by the schedule after the run's start (after
        now when no run started: it failed before, and the failure was logged by the runner)."""
        if run is not None and run.released_at is None and run.status.finished:
            due = next_run(self._schedule, after=run.started_at)
            await self._hand_back(id, due, ran_from=run.started_at, why=f"ran {run.id}")
            return
        if run is not None and not run.status.finished:  # stopped mid-way (shutdown)
            await self._hand_back(id, self._now(), ran_from=None, why=f"stopped {run.id}")
            return
        # it did not start (the store failed; logged by the runner): again after a ttl
        await self._hand_back(id, self._now() + self._ttl, ran_from=None, why="not run")

    async def _hand_back(
        self, id: ConnectionId, next_run_at: datetime, *, ran_from: datetime | None, why: str
    ) -> None:
        self._handing.add(id)
        handed = await settled(
            self._runner.ports.store.release_lease(
                self.worker, id, next_run_at=next_run_at, ran_from=ran_from
            )
        )
        if not is_successful(handed):
            _log.warning("hand_back_failed", connection=id, error=handed.failure())
        elif not handed.unwrap():
            _log.warning("lease_taken_over", connection=id, worker=self.worker)
        else:
            heapq.heappush(self._dues, next_run_at)
            _log.debug(
                "lease_handed_back", connection=id, next_run_at=next_run_at.isoformat(), why=why
            )

    def _let_go(self, id: ConnectionId, _: asyncio.Task[None]) -> None:
        self._held.pop(id, None)
        self._handing.discard(id)
        self._freed.set()

    # --- time -----------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._runner.ports.clock.now()

    async def _beaten(self) -> bool:
        await self.beat()
        return True

    async def _release_stale(self, now: datetime) -> None:
        """Rule E4: finish red the runs left open by a process that died (logged, one by one)."""
        released = await settled(
            self._runner.ports.store.release_stale_runs(
                before=now - self._ttl, at=now, alive=self._runner.running()
            )
        )
        if not is_successful(released):
            _log.warning("stale_runs_unreleased", error=released.failure())
            return
        for run in released.unwrap():
            _log.warning(
                "stale_run_released",
                connection=run.connection,
                run=run.id,
                last_alive=run.last_alive.isoformat(),
            )

    def _nap_for(self) -> float:
        """Seconds until the next claim: ``poll``, or sooner when a company handed back here is
        due sooner."""
        now = self._now()
        while self._dues and self._dues[0] <= now:
            heapq.heappop(self._dues)
        until = now + self._poll
        if self._dues:
            until = min(until, self._dues[0])
        return (until - now).total_seconds()

    async def _nap(self, stop: asyncio.Event) -> None:
        waits = {
            asyncio.ensure_future(self._sleep(self._nap_for())),
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(self._freed.wait()),
            asyncio.ensure_future(settled(self._runner.ports.store.wait_requested(self._poll))),
        }
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def _wind_down(self) -> None:
        """``stop`` is set: let the runs under way finish (within ``grace``), then stop them."""
        if self._held and self._grace is not None:
            _, late = await asyncio.wait(
                set(self._held.values()), timeout=self._grace.total_seconds()
            )
            if late:
                _log.warning("worker_grace_over", worker=self.worker, stopping=len(late))
                await self._runner.stop()
        await self.drain()
