"""What a sent write answered decides what follows (design, "Exactly-once writes"); ``apply``
sends, the outbox applier (``app.applier``) settles each intent by its answer, every store call
fenced by the run, and this reports what it applied:

- success: CONFIRMED with the link ``planning.written`` describes (both fingerprints, rule D21),
  counted; the successes of a page are CONFIRMED together in one store transaction;
- FATAL: the run stops (the intent stays open and is resolved by look-up on the next run);
- RETRIABLE and ``unsent`` (the request never left: no connection could be had): the intent goes
  back to PENDING (it was marked SENT for a send that never left), with a sync result, and the
  run stops (``not_sent``); the next run resolves it first;
- RETRIABLE (the outcome is uncertain: the adapter looked it up and tried again as long as it
  could, ``app.applier``): the intent is left open (SENT) with a sync result and **the run
  stops** (``unconfirmed``): going on could read the unconfirmed record back as a user's new one
  (a duplicate), or fail the records that depend on it and move the cursor past them. The next
  run resolves the intent first (``recovery``) and resumes the step from its cursor;
- any other refusal: FAILED, and a sync result (rule E1); a document refused because its
  customer / vendor was deleted in Intacct reads as rule D5 (``vanished``).
"""

from __future__ import annotations

from collections.abc import Sequence

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.applier import Answer, Applier
from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.outbox import about
from released_intacct.app.sync.vanished import explain_refusal
from released_intacct.domain.actions import CreateInIntacct, CreateInReleased
from released_intacct.domain.errors import ErrorKind, SyncError


def applier(ctx: RunContext) -> Applier:
    """The run's outbox: every store call fenced by the run, a sent intent SENT."""
    return Applier(store=ctx.store, connection=ctx.connection, fence=ctx.fence)


async def follow_up(
    ctx: RunContext, tally: Tally, answers: Sequence[Answer]
) -> Result[None, SyncError]:
    """Settle what was sent by its ``answers`` and report it (see the module docstring)."""
    if not answers:
        return Success(None)
    settling = await applier(ctx).settle(answers)
    if not is_successful(settling):
        return Failure(settling.failure())
    applied = settling.unwrap()
    for write, _ in applied.written:
        created = isinstance(write, CreateInIntacct | CreateInReleased)
        tally.wrote(write.record_type, created=created)
    for write, error in applied.refused:
        explained = await explain_refusal(ctx, write, error)
        reported = await report(ctx, tally, [about(write, explained)])
        if not is_successful(reported):
            return reported
    if applied.stopped is None:
        return Success(None)
    write, error = applied.stopped
    if error.kind is ErrorKind.FATAL and not error.unsent:
        return Failure(error)
    reported = await report(ctx, tally, [about(write, error)])
    return reported.bind(lambda _: Failure(not_sent(error) if error.unsent else unconfirmed(error)))


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
    """Why a run stopped at a write that could not be sent (it never left)."""
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
