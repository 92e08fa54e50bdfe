"""At the start of a run, every open outbox intent is resolved before anything new is sent.

A create is looked up by its key: found → CONFIRMED with its link; absent → sent again with the
same key. A look-up that fails stops the run (a sync result; the intent stays open for the next
run): nothing new is read or sent while an earlier write is unconfirmed, so it cannot come back
as a user's record.

An open update of a document in Intacct is checked against what Intacct holds now (rule D20):
landed → CONFIRMED; Intacct still as last synced → sent again; changed in Intacct meanwhile (an
edit, a post, a reversal) → not sent: Intacct wins, the intent is closed with a D20 result, and
the feed brings Intacct's version. Other open updates are sent again.
"""

from __future__ import annotations

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.app.sync.apply import report, send, unconfirmed
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.outbox import about, intent_key, look_up
from released_intacct.domain.actions import UpdateInIntacct, UpdateInReleased, WriteAction
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.links import Link
from released_intacct.domain.planning.confirm import link_for_intacct_write
from released_intacct.domain.planning.documents import superseded
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.state import IntentState


async def resolve_open_intents(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    opened = await settled(ctx.store.open_intents(ctx.connection))
    if not is_successful(opened):
        return Failure(opened.failure())
    again: list[WriteAction] = []
    wanted = Wanted()
    for intent in opened.unwrap():
        write = intent.action
        if isinstance(write, UpdateInIntacct) and isinstance(write.record, Transaction):
            checked = await _open_update(ctx, tally, write)
        else:
            checked = await _open_write(ctx, tally, write)
        if not is_successful(checked):
            return Failure(checked.failure())
        if checked.unwrap():
            again.append(write)
            if isinstance(write, UpdateInIntacct | UpdateInReleased):
                wanted.released(write.record_type, [write.released_id])
    links = await wanted.load(ctx)
    if not is_successful(links):
        return Failure(links.failure())
    return await send(ctx, tally, again, links.unwrap())


async def _open_write(ctx: RunContext, tally: Tally, write: WriteAction) -> Result[bool, SyncError]:
    """Settle an open write found by its key; True: not found, send it again."""
    found = await look_up(ctx, write)
    if not is_successful(found):
        if found.failure().kind is ErrorKind.FATAL:
            return Failure(found.failure())
        reported = await report(ctx, tally, [about(write, found.failure())])
        return reported.bind(lambda _: Failure(unconfirmed(found.failure())))
    link = found.unwrap()
    if link is None:
        return Success(True)
    key = intent_key(ctx.connection, write)
    done = await settled(
        ctx.store.settle(ctx.connection, key, state=IntentState.CONFIRMED, link=link)
    )
    if is_successful(done):
        tally.wrote(write.record_type, created=True)
    return done.map(lambda _: False)


async def _open_update(
    ctx: RunContext, tally: Tally, update: UpdateInIntacct
) -> Result[bool, SyncError]:
    """Settle an open update of a document by what Intacct holds; True: send it again."""
    links = await Wanted().released(update.record_type, [update.released_id]).load(ctx)
    if not is_successful(links):
        return Failure(links.failure())
    link = links.unwrap().by_released(update.record_type, update.released_id)
    record = update.record
    if link is None or not isinstance(record, Transaction):
        return Success(True)
    held = ctx.intacct.transaction_held(record.origin, record.kind, update.intacct_key)
    found = await settled(held)
    if not is_successful(found):
        return Failure(unconfirmed(found.failure()))
    current = found.unwrap()
    if current is None:
        return Success(True)  # gone: sending it again gets Intacct's refusal as its result
    now = intacct_fingerprint(current)
    if now == link.intacct_fingerprint:
        return Success(True)
    return await _settle_update(ctx, tally, update, current, link)


async def _settle_update(
    ctx: RunContext, tally: Tally, update: UpdateInIntacct, current: Transaction, link: Link
) -> Result[bool, SyncError]:
    """Intacct no longer holds what was last synced: our update landed, or someone changed it."""
    key = intent_key(ctx.connection, update)
    if intacct_fingerprint(current) == intacct_fingerprint(update.record):
        landed = link_for_intacct_write(update, current, existing=link)
        done = await settled(
            ctx.store.settle(ctx.connection, key, state=IntentState.CONFIRMED, link=landed)
        )
        return done.map(lambda _: False)
    done = await settled(ctx.store.settle(ctx.connection, key, state=IntentState.FAILED))
    if not is_successful(done):
        return Failure(done.failure())
    told = await report(ctx, tally, [superseded(current, update)])
    return told.map(lambda _: False)
