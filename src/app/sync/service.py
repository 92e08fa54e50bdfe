"""One company's sync run, end to end over the ports (rules E1, E3, E4; design "A sync run").

``SyncService(ports).run(connection)``:

1. the connection must be confirmed; the run is taken (``store.start_run``: a second run of the
   same company while one is open is refused, E4);
2. the Intacct port at the connection's entity and the sync settings (Intacct's set-up: base
   currency, Order Entry / Purchasing) are prepared;
3. every open outbox intent is resolved (``recovery``) before anything new is sent;
4. the steps run in dependency order (``steps``), each page planned by the domain and applied
   through the outbox (``apply``), cursors never moved past the start of the run (``reading``);
5. the run is finished with its counts per record type and status blue / red (``run_status``),
   and a notification is stored (E3).

Decided:
- A failure of one record is a sync result and the run goes on. A FATAL error, a feed that cannot
  be read, or a state store that fails stops this company's run: it finishes red, with a
  notification naming the cause; nothing is shared with other companies' runs.
- An exception escaping the run (a programmer error, or a crash injected by a test), and an
  interruption (the task cancelled, Ctrl-C, SIGTERM), still finish the run red before they
  propagate, so the company is not locked out (E4). A process that dies leaves its run open.
- Fencing (issue 16, F1): the run beats on a timer (``app.holding.heartbeat``, every
  ``heartbeat_every(policy.stale_after)``), independent of pages, and after each round of pages
  with its progress. A run silent for ``stale_after`` is released by the store (the next
  ``start_run`` of the company: a takeover, logged; or the scheduler). Every write of the run to
  the store is fenced by its epoch, and every send is preceded by a fenced ``hold``: a run that
  lost its company is refused there, or by its heartbeat, which stops the run at once (its task
  is cancelled). It then sends nothing more, does not finish the run (the store finished it when
  it released it) and stores a notification saying it was taken over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app.holding import heartbeat
from released_intacct.app.ports import Ports, settled
from released_intacct.app.preconditions import (
    chosen_date,
    intacct_at_entity,
    refusal,
    stored_connection,
)
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.recovery import resolve_open_intents
from released_intacct.app.sync.steps import run_steps
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctId
from released_intacct.domain.ports import IntacctPort, Notification
from released_intacct.domain.results import RunStatus, run_status
from released_intacct.domain.settings import SyncSettings, sync_settings
from released_intacct.domain.state import Connection, Phase, Run, lost

__all__ = ["Started", "SyncService", "tell"]

Started = asyncio.Future[Result[Run, SyncError]]
"""Answered once a run holds its company (the open run) or could not take it (why): what an
on-demand caller waits for before it answers with the run's id (``SyncRunner.begin``)."""


def tell(started: Started | None, outcome: Result[Run, SyncError]) -> None:
    """Answer ``started`` with ``outcome`` unless it is answered already (or there is none)."""
    if started is not None and not started.done():
        started.set_result(outcome)


_log = logger(__name__)


class SyncService:
    """Runs the sync of one confirmed connection at a time per company (E4)."""

    def __init__(self, ports: Ports, *, stopped_by: Callable[[], str | None] | None = None) -> None:
        """``stopped_by``: why a run cancelled was stopped ("stopped by Ctrl-C"), said in its
        notification; None: unknown."""
        self._ports = ports
        self._stopped_by = stopped_by or _nobody

    async def run(
        self, id: ConnectionId, *, started: Started | None = None
    ) -> Result[Run, SyncError]:
        """The finished run (blue or red); a Failure when no run could be taken (E4, unknown or
        unconfirmed connection, the store failing). ``started`` is answered as soon as the run
        holds the company (the open run), or with why it could not."""
        store, clock = self._ports.store, self._ports.clock
        connection = (await stored_connection(store, id)).bind(_confirmed)
        if not is_successful(connection):
            tell(started, Failure(connection.failure()))
            return Failure(connection.failure())
        policy = self._ports.policy
        before = await settled(store.runs(id, limit=1))
        taken = await settled(
            store.start_run(
                id, at=clock.now(), stale_after=policy.stale_after, holder=policy.holder
            )
        )
        tell(started, taken)
        if not is_successful(taken):
            return Failure(taken.failure())
        run, tally = taken.unwrap(), Tally()
        _log_takeover(before, run)
        stop = _Stop()
        beat = heartbeat(store, clock, lambda: tally.snapshot(run), policy, stop)
        beat.start()
        try:
            stopped = await self._sync(connection.unwrap(), run, tally)
            beat.cancel()  # no beat after the finish (it would be refused: a finished run)
            return await self._finish(run, tally, stopped=stopped)
        except asyncio.CancelledError:
            beat.cancel()
            if stop.lost and stop.resume() == 0:  # only the heartbeat cancelled: run lost
                return await self._lost(run, tally)
            stopped = _interrupted(self._stopped_by())
            await asyncio.shield(self._finish(run, tally, stopped=stopped))
            raise
        except BaseException:
            beat.cancel()
            await asyncio.shield(self._finish(run, tally, stopped=_crashed()))
            raise
        finally:
            await beat.stop()

    async def _lost(self, run: Run, tally: Tally) -> Result[Run, SyncError]:
        """F1: another run took the company over; stop here, say so, send nothing more."""
        now = self._ports.clock.now()
        _log.warning("run_taken_over", connection=run.connection, run=run.id)
        note = Notification(
            connection=run.connection,
            run=run.id,
            title="Sync stopped: taken over",
            body=(
                f"This sync (run {run.id}, process {run.holder or 'unknown'}) lost the company "
                "to another run, which took it over after it showed no sign of life for too "
                "long; it stopped at once and sent nothing more. The run that took over carries "
                f"on. {_summary(tally.snapshot(run))}"
            ),
        )
        told = await settled(self._ports.store.notify(run.connection, note, at=now))
        if not is_successful(told):
            _log.warning("sync_notification_failed", run=run.id, error=told.failure())
        return Failure(lost(run.fence))

    async def _sync(self, connection: Connection, run: Run, tally: Tally) -> SyncError | None:
        """None when every step ran to its end; else why the run stopped."""
        prepared = await self._prepare(connection, tally)
        if not is_successful(prepared):
            return prepared.failure()
        intacct, settings, items = prepared.unwrap()
        ctx = RunContext(
            items=items,
            store=self._ports.store,
            intacct=intacct,
            released=self._ports.released_for(connection.released_company),
            settings=settings,
            run=run,
            clock=self._ports.clock,
            policy=self._ports.policy,
            sleep=self._ports.sleep,
        )
        try:
            done = (await resolve_open_intents(ctx, tally)).bind(lambda _: Success(None))
            if is_successful(done):
                done = await run_steps(ctx, tally)
        finally:
            ctx.billed.close()
        return None if is_successful(done) else done.failure()

    async def _prepare(
        self, connection: Connection, tally: Tally
    ) -> Result[tuple[IntacctPort, SyncSettings, frozenset[IntacctId]], SyncError]:
        sync_from = chosen_date(connection)
        port = await intacct_at_entity(self._ports, connection)
        if not is_successful(sync_from) or not is_successful(port):
            return Failure(port.failure() if is_successful(sync_from) else sync_from.failure())
        intacct, entity = port.unwrap()
        tally.meter(intacct)
        setup = await settled(intacct.setup(entity, reuse=True))
        if not is_successful(setup):
            return Failure(setup.failure())
        items = frozenset(item.item_id for item in setup.unwrap().items)
        settings = sync_settings(connection.id, sync_from.unwrap(), setup.unwrap())
        return settings.map(lambda s: (intacct, s, items))

    async def _finish(
        self, run: Run, tally: Tally, *, stopped: SyncError | None
    ) -> Result[Run, SyncError]:
        status = RunStatus.FAILED if stopped else run_status(finished=True, errors=tally.errors)
        now = self._ports.clock.now()
        errors = tally.errors + (1 if stopped else 0)
        done = replace(tally.snapshot(run), status=status, finished_at=now, errors=errors)
        if stopped is not None and stopped == lost(run.fence):
            return await self._lost(run, tally)
        finished = await settled(self._ports.store.finish_run(done))
        if not is_successful(finished) and finished.failure() == lost(run.fence):
            return await self._lost(run, tally)
        if not is_successful(finished):
            return finished
        note = await settled(self._ports.store.notify(run.connection, _note(done, stopped), at=now))
        if not is_successful(note):
            _log.warning("sync_notification_failed", run=run.id, error=note.failure())
        return finished


def _confirmed(connection: Connection) -> Result[Connection, SyncError]:
    if connection.phase is Phase.CONFIRMED:
        return Success(connection)
    return Failure(
        refusal(
            Rule.O5,
            "This connection is not confirmed yet, so it does not sync.",
            "Finish onboarding and confirm it; the initial sync then starts by itself.",
        )
    )


class _Stop:
    """Called by the heartbeat when the run lost its company: cancels the run's task at once."""

    __slots__ = ("_task", "lost")

    def __init__(self) -> None:
        self._task = asyncio.current_task()
        self.lost = False

    def __call__(self) -> None:
        self.lost = True
        if self._task is not None:
            self._task.cancel()

    def resume(self) -> int:
        """Take back this cancellation; the cancellations still asked of the task (others')."""
        return 0 if self._task is None else self._task.uncancel()


def _log_takeover(before: Result[tuple[Run, ...], SyncError], run: Run) -> None:
    """A takeover (``start_run`` released an open run of the company) is logged as a warning."""
    earlier = before.unwrap()[0] if is_successful(before) and before.unwrap() else None
    if earlier is not None and not earlier.status.finished:
        _log.warning(
            "run_takeover",
            connection=run.connection,
            run=run.id,
            released=earlier.id,
            holder=earlier.holder or "unknown",
            last_alive=earlier.last_alive.isoformat(),
        )


def _nobody() -> str | None:
    return None


def _interrupted(reason: str | None) -> SyncError:
    return refusal(
        None,
        f"The sync was interrupted ({reason or 'stopped by the operator or the system'}).",
        "Nothing was lost: the next sync picks up where this one stopped.",
    )


def _crashed() -> SyncError:
    return refusal(
        None,
        "The sync stopped unexpectedly.",
        "Nothing was lost: the next sync picks up where this one stopped.",
    )


def _summary(run: Run) -> str:
    counts = run.counts
    created = sum(c.created for c in counts.by_type.values())
    updated = sum(c.updated for c in counts.by_type.values())
    return (
        f"{created} created, {updated} updated, {counts.skipped} skipped, {counts.failed} failed."
    )


def _note(run: Run, stopped: SyncError | None) -> Notification:
    summary = _summary(run)
    if stopped is not None:
        title, body = "Sync failed", f"The sync stopped: {stopped} {summary}"
    elif run.status is RunStatus.FAILED:
        title, body = "Sync finished with errors", f"{summary} See the sync results."
    else:
        title, body = "Sync finished", summary
    return Notification(connection=run.connection, title=title, body=body, run=run.id)
