"""Applying what planning decided: every write through the outbox, every refusal as a result.

``apply`` records the intents of a page's writes (PENDING, held by this run) before anything is
sent, sends them (Re-Leased writes one by one, Intacct writes in one batch), and settles each
intent with its link: the successes of a page together in one store transaction, each failure on
its own. Every one of these store calls is fenced by the run (issue 16, F1): a run that no longer
holds its company is refused and stops. Just before each send, the intents sent are marked SENT
(``StateStore.hold``, fenced too), so nothing leaves a run that lost its company, and a crash
between the send and the settle leaves the intent SENT, to be looked up (F2). Only the writes
whose intents this run holds are sent: a planned write whose intent is SENT by an earlier run
(its outcome unknown) stops the run instead. What a write answers decides what follows
(``outcomes``, through the outbox applier, ``app.applier``).

Voids (rule D7) are not intents: voiding twice is harmless. A void that fails retriably stops the
run too (the reversal is read again next run). The link of a copy we voided remembers it
(``VOIDED_BY_US`` as its Re-Leased fingerprint), so the voided copy read back is our own echo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.applier import Answer, intacct_answers, intent_key, no_answer
from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.outbox import about
from released_intacct.app.sync.outcomes import applier, follow_up, report, unconfirmed
from released_intacct.domain.actions import (
    Action,
    ArchiveInReleased,
    CreateInIntacct,
    CreateInReleased,
    LinkRecords,
    RecordResult,
    Skip,
    UnarchiveInReleased,
    UpdateInIntacct,
    UpdateInReleased,
    VoidInReleased,
    WriteAction,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.planning.written import VOIDED_BY_US, link_for_released_write
from released_intacct.domain.released import ReleasedRecord

_WRITES = (CreateInIntacct, UpdateInIntacct, CreateInReleased, UpdateInReleased)
_NOT_IN_A_SYNC = (ArchiveInReleased, UnarchiveInReleased, LinkRecords)


async def apply(
    ctx: RunContext, tally: Tally, actions: Sequence[Action], links: LinkIndex
) -> Result[None, SyncError]:
    """Apply one page's actions; a Failure means the run must stop (FATAL, or the store)."""
    unexpected = [a for a in actions if isinstance(a, _NOT_IN_A_SYNC)]
    if unexpected:
        msg = f"sync planning does not link or archive (onboarding does): {unexpected[0]}"
        raise TypeError(msg)
    writes = [a for a in actions if isinstance(a, _WRITES)]
    if writes:
        held = await applier(ctx).record(writes)
        if not is_successful(held):
            return Failure(held.failure())
        if len(held.unwrap()) < len({intent_key(ctx.connection, w) for w in writes}):
            return Failure(unconfirmed(_in_flight()))
        sent = await send(ctx, tally, writes, links)
        if not is_successful(sent):
            return sent
    for void in (a for a in actions if isinstance(a, VoidInReleased)):
        voided = await _void(ctx, tally, void, links)
        if not is_successful(voided):
            return voided
    errors = [a.error for a in actions if isinstance(a, RecordResult)]
    errors += [a.reason for a in actions if isinstance(a, Skip)]
    return await report(ctx, tally, errors)


async def plan_and_apply(
    ctx: RunContext, tally: Tally, wanted: Wanted, plan: Callable[[LinkIndex], Sequence[Action]]
) -> Result[None, SyncError]:
    """Load the links ``wanted``, plan with them, apply the plan."""
    links = await wanted.load(ctx)
    if not is_successful(links):
        return Failure(links.failure())
    return await apply(ctx, tally, plan(links.unwrap()), links.unwrap())


async def send(
    ctx: RunContext, tally: Tally, writes: Sequence[WriteAction], links: LinkIndex
) -> Result[None, SyncError]:
    """Send writes whose intents are stored, and settle each by its answer
    (``outcomes.follow_up``). The writes to Re-Leased are settled before the batch to Intacct
    is sent, so a failure that stops the run stops it before that batch, as a failing update
    stops the updates after it."""
    creates = [w for w in writes if isinstance(w, CreateInReleased)]
    holding = await _hold(ctx, creates)
    if not is_successful(holding):
        return holding
    answers = await _create_in_released(ctx, creates)
    for update in (w for w in writes if isinstance(w, UpdateInReleased)):
        holding = await _hold(ctx, [update])
        if not is_successful(holding):
            await follow_up(ctx, tally, answers)
            return holding
        linked = await _update_released(ctx, update, links)
        answers.append((update, linked))
        if not is_successful(linked):
            done = await follow_up(ctx, tally, answers)
            answers = []
            if not is_successful(done):
                return done
    done = await follow_up(ctx, tally, answers)
    if not is_successful(done):
        return done
    batch = [w for w in writes if isinstance(w, CreateInIntacct | UpdateInIntacct)]
    holding = await _hold(ctx, batch)
    if not is_successful(holding):
        return holding
    return await follow_up(ctx, tally, await _write_to_intacct(ctx, batch, links))


async def _hold(ctx: RunContext, writes: Sequence[WriteAction]) -> Result[None, SyncError]:
    """Just before a send: this run still holds its company; the intents go SENT (F1, F2)."""
    if not writes:
        return Success(None)
    keys = [intent_key(ctx.connection, write) for write in writes]
    return await settled(ctx.store.hold(ctx.fence, keys, at=ctx.clock.now()))


async def _create_in_released(ctx: RunContext, creates: Sequence[CreateInReleased]) -> list[Answer]:
    """The creates in Re-Leased in one ``create_all``, and what each answered."""
    if not creates:
        return []
    made = await settled(ctx.released.create_all([(w.key, w.record) for w in creates]))
    return [
        (write, written.map(partial(link_for_released_write, write, existing=None)))
        for write, written in zip(creates, _each(made, len(creates)), strict=True)
    ]


async def _write_to_intacct(
    ctx: RunContext, batch: Sequence[CreateInIntacct | UpdateInIntacct], links: LinkIndex
) -> list[Answer]:
    """The Intacct writes in one batch, and what each answered."""
    if not batch:
        return []
    sent = await settled(ctx.intacct.write(batch))
    return intacct_answers(batch, sent, unknown=ctx.settings.unconfirmed, links=links)


def _each(
    made: Result[tuple[Result[ReleasedRecord, SyncError], ...], SyncError], count: int
) -> tuple[Result[ReleasedRecord, SyncError], ...]:
    """Per record, what ``create_all`` answered (its own failure, when the call failed)."""
    if is_successful(made) and len(made.unwrap()) == count:
        return made.unwrap()
    error = made.failure() if not is_successful(made) else no_answer("Re-Leased")
    return tuple(Failure(error) for _ in range(count))


async def _update_released(
    ctx: RunContext, write: UpdateInReleased, links: LinkIndex
) -> Result[Link, SyncError]:
    written = await settled(ctx.released.update(write.record))
    existing = links.by_released(write.record_type, write.released_id)
    if existing is None:
        msg = f"an update in Re-Leased needs the link of {write.released_id}"
        raise ValueError(msg)
    return written.map(partial(link_for_released_write, write, existing=existing))


async def _void(
    ctx: RunContext, tally: Tally, void: VoidInReleased, links: LinkIndex
) -> Result[None, SyncError]:
    """Rule D7: void the copy, then store the link remembering that we voided it."""
    holding = await settled(ctx.store.hold(ctx.fence, at=ctx.clock.now()))
    if not is_successful(holding):
        return holding
    done = await settled(ctx.released.void(void.record_type, void.released_id))
    if not is_successful(done):
        error = done.failure()
        if error.kind is ErrorKind.FATAL:
            return Failure(error)
        reported = await report(ctx, tally, [about(void, error)])
        if is_successful(reported) and error.kind is ErrorKind.RETRIABLE:
            return Failure(unconfirmed(error))
        return reported
    existing = links.by_released(void.record_type, void.released_id)
    if existing is None:
        msg = f"a void in Re-Leased needs the link of {void.released_id}"
        raise ValueError(msg)
    link = existing.with_fingerprints(released=VOIDED_BY_US, intacct=void.source_fingerprint)
    saved = await settled(ctx.store.save_links(ctx.connection, [link]))
    if is_successful(saved):
        tally.wrote(void.record_type, created=False)
    return saved


def _in_flight() -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message="an earlier send of one of these changes is still unconfirmed",
        fix="Nothing to do: the next sync looks it up first.",
    )
