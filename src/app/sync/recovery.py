"""At the start of a run, every open outbox intent is resolved before anything new is sent.

A create is looked up by its key: found → CONFIRMED with its link; absent → if it may still be
in flight (SENT by a run that was taken over, ``app.holding.in_flight_until``): while its process
may live (within ``RunPolicy.in_flight`` of its send), the run stops with a sync result and sends
nothing, and a later run looks it up again (issue 16, F1); when its process is provably dead, its
last request may still be running at the other end for ``RunPolicy.attempt``: the run waits that
out (once, for every such intent; the heartbeat beats on its own timer meanwhile) and looks each
up again, found → CONFIRMED, still absent → it can no longer be in flight. Else
``uncertain.unfound`` decides (F3): sent again with the same key when it cannot have been sent or
nothing like it is in Intacct (or the user said so), linked to the record the user named, or kept
open with a NEEDS_USER result naming the records that may be it, and the run stops. A look-up
that fails stops the run (a sync result; the intent stays open for the next run) unless the user
answered about it: nothing new is read or sent while an earlier write is unconfirmed, so it
cannot come back as a user's record. The writes sent again are recorded anew, held by this run
(a SENT one is put back to PENDING first), and sent through ``apply.send``, which marks them SENT
just before (F2).

An open update of a document in Intacct is checked against what Intacct holds now (rule D20):
Intacct still as last synced → sent again; landed → CONFIRMED, judged on the fields the update
wrote only (``planning.landed``: what Intacct derives, such as an Order Entry document's tax, is
no conflict), with the link a reply would have left (the document as sent: what Intacct derived
reaches Re-Leased with the next read of its feed); changed in Intacct meanwhile (an edit, a post,
a reversal) → not sent: Intacct wins, the intent is closed with a D20 result, and the feed brings
Intacct's version. Other open updates are sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.holding import InFlight, in_flight_until, looked_again
from released_intacct.app.ports import settled
from released_intacct.app.sync.apply import send
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.outbox import about, look_up
from released_intacct.app.sync.outcomes import applier, report, unconfirmed
from released_intacct.app.sync.uncertain import linked, unfound
from released_intacct.domain.actions import UpdateInIntacct, UpdateInReleased
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.links import Link
from released_intacct.domain.planning.document_results import superseded
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.planning.landed import update_landed
from released_intacct.domain.planning.written import link_for_intacct_write
from released_intacct.domain.state import Intent, IntentState

Verdict = bool | InFlight
"""What became of an open intent: True, send it again; False, settled; an ``InFlight``, not found
yet but a dead process's write of it may still be running until then: looked up again after it
(``holding.looked_again``)."""


async def resolve_open_intents(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    opened = await settled(ctx.store.open_intents(ctx.connection))
    if not is_successful(opened):
        return Failure(opened.failure())
    verdicts: list[tuple[Intent, Verdict]] = []
    for intent in opened.unwrap():
        write = intent.action
        checked: Result[Verdict, SyncError]
        if isinstance(write, UpdateInIntacct) and isinstance(write.record, Transaction):
            checked = await _open_update(ctx, tally, write)
        else:
            checked = await _open_write(ctx, tally, intent)
        if not is_successful(checked):
            return Failure(checked.failure())
        verdicts.append((intent, checked.unwrap()))
    waited = await looked_again(
        verdicts,
        partial(_looked_again, ctx, tally),
        clock=ctx.clock,
        sleep=ctx.sleep,
        connection=ctx.connection,
        who={"run": ctx.run.id},
    )
    if not is_successful(waited):
        return Failure(waited.failure())
    again = [intent for intent, verdict in waited.unwrap() if verdict is True]
    wanted = Wanted()
    for write in (intent.action for intent in again):
        if isinstance(write, UpdateInIntacct | UpdateInReleased):
            wanted.released(write.record_type, [write.released_id])
    links = await wanted.load(ctx)
    if not is_successful(links):
        return Failure(links.failure())
    held = await _take(ctx, again)
    if not is_successful(held):
        return held
    return await send(ctx, tally, [intent.action for intent in again], links.unwrap())


async def _take(ctx: RunContext, intents: Sequence[Intent]) -> Result[None, SyncError]:
    """Hold the intents to send again in this run: a SENT one back to PENDING, then all
    recorded anew (fenced; ``send`` marks them SENT again just before it sends)."""
    outbox = applier(ctx)
    for intent in intents:
        if intent.state is IntentState.SENT:
            done = await outbox.reopen(intent.action)
            if not is_successful(done):
                return done
    recorded = await outbox.record([intent.action for intent in intents])
    if is_successful(recorded) and len(recorded.unwrap()) < len({i.key for i in intents}):
        msg = "an open intent put back to PENDING was not held again"
        raise AssertionError(msg)
    return recorded.map(lambda _: None)


async def _open_write(ctx: RunContext, tally: Tally, intent: Intent) -> Result[Verdict, SyncError]:
    """Settle an open write by what its key finds; True: send it again (``uncertain.unfound``); an
    ``InFlight``: its dead sender's write may still be running, looked up again once that is
    past (``_looked_again``)."""
    looked = await _looked_up(ctx, tally, intent)
    if not is_successful(looked):
        return Failure(looked.failure())
    verdict = looked.unwrap()
    if verdict is not None:
        return Success(verdict)
    free = await _not_in_flight(ctx, tally, intent)
    if not is_successful(free) or free.unwrap() is not True:
        return free
    return await unfound(ctx, tally, intent)


async def _looked_again(ctx: RunContext, tally: Tally, intent: Intent) -> Result[bool, SyncError]:
    """An open write looked up again after the wait for its dead sender: it can no longer be in
    flight, so not found, ``uncertain.unfound`` decides."""
    looked = await _looked_up(ctx, tally, intent)
    if not is_successful(looked):
        return Failure(looked.failure())
    verdict = looked.unwrap()
    return Success(verdict) if verdict is not None else await unfound(ctx, tally, intent)


async def _looked_up(
    ctx: RunContext, tally: Tally, intent: Intent
) -> Result[bool | None, SyncError]:
    """An open write looked up by its key: found, linked (False); the look-up failed,
    ``uncertain.unfound`` decides (True: send it again); None: not found."""
    write = intent.action
    found = await look_up(ctx, write)
    link = found.value_or(None)
    if link is not None:
        return await linked(ctx, tally, write, link)
    if not is_successful(found):
        return await unfound(ctx, tally, intent, unreadable=found.failure())
    return Success(None)


async def _not_in_flight(
    ctx: RunContext, tally: Tally, intent: Intent
) -> Result[Verdict, SyncError]:
    """True when ``intent``, not found by its key, cannot still be in flight (send it again);
    until when its dead sender's last request may still be running (look again then); else,
    its sender may live, a sync result and the run stops (F1)."""
    now = ctx.clock.now()
    until = await in_flight_until(ctx.store, intent, now=now, policy=ctx.policy)
    if not is_successful(until):
        return Failure(until.failure())
    flight = until.unwrap()
    if flight is None:
        return Success(True)
    if flight.sender_dead:
        return Success(flight)
    waiting = _still_in_flight(flight.until)
    reported = await report(ctx, tally, [about(intent.action, waiting)])
    return reported.bind(lambda _: Failure(unconfirmed(waiting)))


def _still_in_flight(until: datetime) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=(
            "this change was sent by a sync that another process took over, and may still be on "
            f"its way; it is not sent again before {until.isoformat(timespec='seconds')}"
        ),
        fix="Nothing to do: a later sync looks it up again and sends it only if it never landed.",
    )


async def _open_update(
    ctx: RunContext, tally: Tally, update: UpdateInIntacct
) -> Result[bool, SyncError]:
    """An open update of a document, judged by what Intacct holds; True: send it again."""
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
    return await _landed_or_changed(ctx, tally, update, sent=record, current=current, link=link)


async def _landed_or_changed(
    ctx: RunContext,
    tally: Tally,
    update: UpdateInIntacct,
    *,
    sent: Transaction,
    current: Transaction,
    link: Link,
) -> Result[bool, SyncError]:
    """Intacct no longer holds what was last synced: our update landed, or someone changed it.
    ``sent``: the document as the update wrote it; ``current``: as Intacct holds it now."""
    if update_landed(sent, current):
        landed = link_for_intacct_write(update, sent, existing=link)
        done = await applier(ctx).settle([(update, Success(landed))])
        return done.map(lambda _: False)
    done = await applier(ctx).settle([(update, Failure(superseded(current, update)))])
    if not is_successful(done):
        return Failure(done.failure())
    told = await report(ctx, tally, [superseded(current, update)])
    return told.map(lambda _: False)
