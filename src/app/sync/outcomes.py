"""What a sent write answered decides what follows (design, "Exactly-once writes"); ``apply``
sends, this settles each intent with what its write answered, every store call fenced by the run:

- success: CONFIRMED with the link ``planning.written`` describes (both fingerprints, rule D21);
- FATAL: the run stops (the intent stays open and is resolved by look-up on the next run);
- RETRIABLE and ``unsent`` (the request never left: no connection could be had): nothing is
  looked up; the intent goes back to PENDING (it was marked SENT for a send that never left),
  with a sync result, and the run stops (``not_sent``); the next run resolves it first;
- RETRIABLE (the adapter already backed off; the outcome is uncertain): a create is looked up by
  its key; found → CONFIRMED; absent, or the look-up itself failing → the intent is left open
  (SENT) with a sync result and **the run stops** (``unconfirmed``): going on could read the
  unconfirmed record back as a user's new one (a duplicate), or fail the records that depend on
  it and move the cursor past them. The next run resolves the intent first and resumes the step
  from its cursor;
- any other refusal: FAILED, and a sync result (rule E1); a document refused because its
  customer / vendor was deleted in Intacct reads as rule D5 (``vanished``).

The successes of a page are CONFIRMED together in one store transaction (``settle_all``), each
failure on its own after them.
"""

from __future__ import annotations

from collections.abc import Sequence

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.outbox import about, intent_key, look_up
from released_intacct.app.sync.vanished import explain_refusal
from released_intacct.domain.actions import CreateInIntacct, CreateInReleased, WriteAction
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.links import Link
from released_intacct.domain.state import IntentState

Confirmed = list[tuple[WriteAction, Link]]
"""Writes that succeeded, with their links, not yet CONFIRMED in the store."""
Failed = list[tuple[WriteAction, Result[Link, SyncError]]]
"""Writes that failed, with what they answered, not yet settled."""


async def settle_all(
    ctx: RunContext, tally: Tally, confirmed: Confirmed, failed: Failed
) -> Result[None, SyncError]:
    """Settle what was sent (emptying both lists): the successes first, together."""
    done = await _confirm(ctx, tally, confirmed)
    failures = list(failed)
    failed.clear()
    if not is_successful(done):
        return done
    for write, linked in failures:
        done = await _settle(ctx, tally, write, linked)
        if not is_successful(done):
            return done
    return Success(None)


async def _confirm(ctx: RunContext, tally: Tally, confirmed: Confirmed) -> Result[None, SyncError]:
    """CONFIRM the writes that succeeded, with their links, in one store transaction (emptying
    ``confirmed``); should the store refuse one, each is settled on its own instead."""
    if not confirmed:
        return Success(None)
    pairs = [(intent_key(ctx.connection, write), link) for write, link in confirmed]
    together = await settled(ctx.store.confirm_all(ctx.connection, pairs, fence=ctx.fence))
    writes = list(confirmed)
    confirmed.clear()
    if is_successful(together):
        for write, _ in writes:
            tally.wrote(
                write.record_type, created=isinstance(write, CreateInIntacct | CreateInReleased)
            )
        return Success(None)
    for write, link in writes:
        done = await _settle(ctx, tally, write, Success(link))
        if not is_successful(done):
            return done
    return Success(None)


async def _settle(
    ctx: RunContext, tally: Tally, write: WriteAction, linked: Result[Link, SyncError]
) -> Result[None, SyncError]:
    """Settle one sent write from what it answered (see the module docstring)."""
    key = intent_key(ctx.connection, write)
    if is_successful(linked):
        link: Link | None = linked.unwrap()
    elif linked.failure().unsent:
        return await _unsent(ctx, tally, write, linked.failure())
    else:
        recovered = await _recover(ctx, tally, write, linked.failure())
        if not is_successful(recovered):
            return Failure(recovered.failure())
        link = recovered.unwrap()
    if link is None:
        return Success(None)
    confirmed = await settled(
        ctx.store.settle(
            ctx.connection, key, state=IntentState.CONFIRMED, link=link, fence=ctx.fence
        )
    )
    if is_successful(confirmed):
        tally.wrote(
            write.record_type, created=isinstance(write, CreateInIntacct | CreateInReleased)
        )
    return confirmed


async def _recover(
    ctx: RunContext, tally: Tally, write: WriteAction, error: SyncError
) -> Result[Link | None, SyncError]:
    """A refused write: FATAL stops; an uncertain one is looked up; else FAILED with a result."""
    if error.kind is ErrorKind.FATAL:
        return Failure(error)
    state = IntentState.FAILED
    if error.kind is ErrorKind.RETRIABLE:
        found = await look_up(ctx, write)
        if is_successful(found) and found.unwrap() is not None:
            return found
        state = IntentState.SENT  # left open: resolved first on the next run
    else:
        error = await explain_refusal(ctx, write, error)
    key = intent_key(ctx.connection, write)
    done = await settled(ctx.store.settle(ctx.connection, key, state=state, fence=ctx.fence))
    if not is_successful(done):
        return Failure(done.failure())
    reported = await report(ctx, tally, [about(write, error)])
    if not is_successful(reported):
        return Failure(reported.failure())
    if state is IntentState.SENT:
        return Failure(unconfirmed(error))
    return Success(None)


async def _unsent(
    ctx: RunContext, tally: Tally, write: WriteAction, error: SyncError
) -> Result[None, SyncError]:
    """A write known never to have left (``SyncError.unsent``): nothing is looked up, and its
    intent goes back to PENDING (``hold`` marked it SENT just before the send that never left);
    a result, and the run stops, so that nothing that depends on it is sent before it (the next
    run resolves it first)."""
    key = intent_key(ctx.connection, write)
    pending = IntentState.PENDING
    reopened = await settled(ctx.store.settle(ctx.connection, key, state=pending, fence=ctx.fence))
    if not is_successful(reopened):
        return Failure(reopened.failure())
    reported = await report(ctx, tally, [about(write, error)])
    return reported.bind(lambda _: Failure(not_sent(error)))


def unconfirmed(error: SyncError) -> SyncError:
    """Why a run stopped at a write it could not confirm (see the module docstring)."""
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=(
            "The sync stopped at a change it could not confirm, so that nothing is sent twice "
            f"or skipped ({error.message})"
        ),
        fix="Nothing to do: the next sync checks that change first and carries on from there.",
    )


def not_sent(error: SyncError) -> SyncError:
    """Why a run stopped at a write that could not be sent (nothing left: ``_unsent``)."""
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"The sync stopped at a change it could not send ({error.message})",
        fix="Nothing to do: the next sync sends it first and carries on from there.",
    )


async def report(
    ctx: RunContext, tally: Tally, errors: Sequence[SyncError]
) -> Result[None, SyncError]:
    """Rule E1: store a result per record (the same failure again updates its row) and count."""
    tally.reported(errors)
    about_records = [error for error in errors if error.record is not None]
    if not about_records:
        return Success(None)
    stored = await settled(
        ctx.store.record_results(ctx.connection, about_records, at=ctx.clock.now())
    )
    return stored.map(lambda _: None)
