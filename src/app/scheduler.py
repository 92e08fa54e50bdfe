"""Scheduled syncs of every confirmed company (rule E4: nightly by default, configurable).

``Scheduler(runner, schedule=settings.schedule)`` and ``await scheduler.serve(stop)``: each
``tick()`` first releases the runs left open by a process that died (``store.release_stale_runs``:
no heartbeat for ``stale_after``), then reads the connections; a CONFIRMED one that is not running
here starts a run (through the ``SyncRunner``, so one run per company at a time and companies in
parallel) when it never ran, or when ``domain.schedule.next_run`` after its last run's start has
come. The loop then sleeps until the next company is due, or ``poll`` at most (a company
confirmed or a run finished meanwhile is seen at the latest then), and wakes at once when
``stop`` is set. The first tick comes at once, so stale runs are released when serving starts.

Decided:
- Time comes from the ports' clock and waiting from the ``sleep`` given (``asyncio.sleep`` by
  default), so a test moves a fake clock and runs in milliseconds.
- ``stop`` ends the loop, which then waits for the runs under way to finish. A cancelled loop
  does not wait: the process is ending, and ``bootstrap.open_service`` stops the runs (each
  finished red in the store, so no company is left locked, E4).
- A run left open by a dead process would lock its company out (E4): every tick releases the open
  runs with no sign of life for ``stale_after`` (``domain.state.DEFAULT_STALE_AFTER``, 30
  minutes), except those of the companies this process is running (alive, whatever their
  heartbeat). A released run is red and counts as the company's last run: the next one starts
  when the schedule says after its start, at once for a run that died long ago.
- A company whose last run is still open in the store but not running here (another live
  process) is skipped, not started: the store would refuse it (E4).
- A store that cannot list connections or runs is logged and tried again at the next tick; it
  never ends the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from returns.pipeline import is_successful

from released_intacct.app.ports import settled
from released_intacct.app.runner import SyncRunner
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.schedule import Schedule, next_run
from released_intacct.domain.state import DEFAULT_STALE_AFTER, Phase

__all__ = ["Scheduler", "Sleep"]

_log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
"""Waits the given number of seconds (``asyncio.sleep``)."""


class Scheduler:
    """Starts each confirmed company's run when its schedule says (E4)."""

    def __init__(
        self,
        runner: SyncRunner,
        *,
        schedule: Schedule | None = None,
        sleep: Sleep = asyncio.sleep,
        poll: timedelta = timedelta(minutes=1),
        stale_after: timedelta = DEFAULT_STALE_AFTER,
    ) -> None:
        for name, span in (("poll", poll), ("stale_after", stale_after)):
            if span <= timedelta(0):
                msg = f"Scheduler.{name} must be positive, got {span}"
                raise ValueError(msg)
        self._runner = runner
        self._schedule = schedule or Schedule()
        self._sleep = sleep
        self._poll = poll
        self._stale_after = stale_after

    async def serve(self, stop: asyncio.Event) -> None:
        """Start runs as they fall due until ``stop`` is set; then wait for the runs under way.
        Cancelled, it waits for nothing: whoever cancelled it stops the runs (``runner.stop``)."""
        while not stop.is_set():
            wake = await self.tick()
            await self._nap(stop, wake)
        await self._runner.drain()

    async def tick(self) -> datetime:
        """Start the run of every company that is due; answer when to look again."""
        now = self._runner.ports.clock.now()
        wake = now + self._poll
        await self._release_stale(now)
        listed = await settled(self._runner.ports.store.connections())
        if not is_successful(listed):
            _log.warning("event=schedule_unreadable error=%s", listed.failure())
            return wake
        for connection in listed.unwrap():
            if connection.phase is not Phase.CONFIRMED or self._runner.is_running(connection.id):
                continue
            due = await self._due(connection.id, now)
            if due is None:
                continue
            if due <= now:
                self._runner.start(connection.id)
            else:
                wake = min(wake, due)
        return wake

    async def _release_stale(self, now: datetime) -> None:
        """Rule E4: finish red the runs left open by a process that died (logged, one by one)."""
        released = await settled(
            self._runner.ports.store.release_stale_runs(
                before=now - self._stale_after, at=now, alive=self._runner.running()
            )
        )
        if not is_successful(released):
            _log.warning("event=stale_runs_unreleased error=%s", released.failure())
            return
        for run in released.unwrap():
            _log.warning(
                "event=stale_run_released connection=%s run=%s last_alive=%s",
                run.connection,
                run.id,
                run.last_alive.isoformat(),
            )

    async def _due(self, id: ConnectionId, now: datetime) -> datetime | None:
        """When the company's next run is due (``now`` if it never ran); None: not to start."""
        latest = await settled(self._runner.ports.store.runs(id, limit=1))
        if not is_successful(latest):
            _log.warning(
                "event=schedule_runs_unreadable connection=%s error=%s", id, latest.failure()
            )
            return None
        runs = latest.unwrap()
        if not runs:
            return now
        if not runs[0].status.finished:
            _log.debug("event=schedule_skipped connection=%s open_run=%s", id, runs[0].id)
            return None
        return next_run(self._schedule, after=runs[0].started_at)

    async def _nap(self, stop: asyncio.Event, until: datetime) -> None:
        seconds = max(0.0, (until - self._runner.ports.clock.now()).total_seconds())
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
            await asyncio.gather(sleeper, stopper, return_exceptions=True)
