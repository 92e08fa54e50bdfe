"""At the start of a run, every open outbox intent is resolved before anything new is sent.

A create is looked up by its key: found → CONFIRMED with its link; absent → sent again with the
same key. An open update is sent again. A look-up that fails leaves the intent open for the next
run (and a sync result); a FATAL one stops the run.
"""

from __future__ import annotations

from returns.pipeline import is_successful
from returns.result import Failure, Result

from released_intacct.app.ports import settled
from released_intacct.app.sync.apply import report, send
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.outbox import about, intent_key, look_up
from released_intacct.domain.actions import UpdateInIntacct, UpdateInReleased, WriteAction
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.state import IntentState


async def resolve_open_intents(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    opened = await settled(ctx.store.open_intents(ctx.connection))
    if not is_successful(opened):
        return Failure(opened.failure())
    again: list[WriteAction] = []
    wanted = Wanted()
    for intent in opened.unwrap():
        write = intent.action
        found = await look_up(ctx, write)
        if not is_successful(found):
            if found.failure().kind is ErrorKind.FATAL:
                return Failure(found.failure())
            reported = await report(ctx, tally, [about(write, found.failure())])
            if not is_successful(reported):
                return reported
            continue
        link = found.unwrap()
        if link is None:
            again.append(write)
            if isinstance(write, UpdateInIntacct | UpdateInReleased):
                wanted.released(write.record_type, [write.released_id])
            continue
        key = intent_key(ctx.connection, write)
        done = await settled(
            ctx.store.settle(ctx.connection, key, state=IntentState.CONFIRMED, link=link)
        )
        if not is_successful(done):
            return done
        tally.wrote(write.record_type, created=True)
    links = await wanted.load(ctx)
    if not is_successful(links):
        return Failure(links.failure())
    return await send(ctx, tally, again, links.unwrap())
