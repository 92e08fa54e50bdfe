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
- An exception escaping the run (a programmer error, or a crash injected by a test) still
  finishes the run red before it propagates, so the company is not locked out (E4). A process
  that dies leaves its run open; after each round of pages the run stores its progress, which is
  its heartbeat, and a run silent for long is released by the store (the next ``start_run`` of
  the company, or the scheduler). A run released while it was in fact alive is refused its next
  heartbeat and stops there.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.confirm import sync_settings
from released_intacct.app.guards import chosen_date, intacct_at_entity, refusal, stored_connection
from released_intacct.app.ports import Ports, settled
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.recovery import resolve_open_intents
from released_intacct.app.sync.steps import run_steps
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctId
from released_intacct.domain.ports import IntacctPort, Notification
from released_intacct.domain.results import RunStatus, run_status
from released_intacct.domain.settings import SyncSettings
from released_intacct.domain.state import Connection, Phase, Run

__all__ = ["SyncService"]

_log = logging.getLogger(__name__)


class SyncService:
    """Runs the sync of one confirmed connection at a time per company (E4)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports

    def run(self, id: ConnectionId) -> FutureResult[Run, SyncError]:
        """The finished run (blue or red); a Failure when no run could be taken (E4, unknown or
        unconfirmed connection, the store failing)."""
        return FutureResult(self._run(id))

    async def _run(self, id: ConnectionId) -> Result[Run, SyncError]:
        store, clock = self._ports.store, self._ports.clock
        connection = (await stored_connection(store, id)).bind(_confirmed)
        if not is_successful(connection):
            return Failure(connection.failure())
        started = await settled(store.start_run(id, at=clock.now()))
        if not is_successful(started):
            return Failure(started.failure())
        run, tally = started.unwrap(), Tally()
        try:
            stopped = await self._sync(connection.unwrap(), run, tally)
        except Exception:
            await self._finish(run, tally, stopped=_crashed())
            raise
        return await self._finish(run, tally, stopped=stopped)

    async def _sync(self, connection: Connection, run: Run, tally: Tally) -> SyncError | None:
        """None when every step ran to its end; else why the run stopped."""
        prepared = await self._prepare(connection)
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
        )
        done = (await resolve_open_intents(ctx, tally)).bind(lambda _: Success(None))
        if is_successful(done):
            done = await run_steps(ctx, tally)
        return None if is_successful(done) else done.failure()

    async def _prepare(
        self, connection: Connection
    ) -> Result[tuple[IntacctPort, SyncSettings, frozenset[IntacctId]], SyncError]:
        sync_from = chosen_date(connection)
        port = await intacct_at_entity(self._ports, connection)
        if not is_successful(sync_from) or not is_successful(port):
            return Failure(port.failure() if is_successful(sync_from) else sync_from.failure())
        intacct, entity = port.unwrap()
        setup = await settled(intacct.setup(entity))
        if not is_successful(setup):
            return Failure(setup.failure())
        items = frozenset(item.item_id for item in setup.unwrap().items)
        settings = sync_settings(connection, sync_from.unwrap(), setup.unwrap())
        return settings.map(lambda s: (intacct, s, items))

    async def _finish(
        self, run: Run, tally: Tally, *, stopped: SyncError | None
    ) -> Result[Run, SyncError]:
        status = RunStatus.FAILED if stopped else run_status(finished=True, errors=tally.errors)
        now = self._ports.clock.now()
        errors = tally.errors + (1 if stopped else 0)
        done = replace(tally.snapshot(run), status=status, finished_at=now, errors=errors)
        finished = await settled(self._ports.store.finish_run(done))
        if not is_successful(finished):
            return finished
        note = await settled(self._ports.store.notify(run.connection, _note(done, stopped), at=now))
        if not is_successful(note):
            _log.warning("event=sync_notification_failed run=%s error=%s", run.id, note.failure())
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


def _crashed() -> SyncError:
    return refusal(
        None,
        "The sync stopped unexpectedly.",
        "Nothing was lost: the next sync picks up where this one stopped.",
    )


def _note(run: Run, stopped: SyncError | None) -> Notification:
    counts = run.counts
    created = sum(c.created for c in counts.by_type.values())
    updated = sum(c.updated for c in counts.by_type.values())
    summary = (
        f"{created} created, {updated} updated, {counts.skipped} skipped, {counts.failed} failed."
    )
    if stopped is not None:
        title, body = "Sync failed", f"The sync stopped: {stopped} {summary}"
    elif run.status is RunStatus.FAILED:
        title, body = "Sync finished with errors", f"{summary} See the sync results."
    else:
        title, body = "Sync finished", summary
    return Notification(connection=run.connection, title=title, body=body)
