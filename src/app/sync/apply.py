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
(``outcomes``).

Voids (rule D7) are not intents: voiding twice is harmless. A void that fails retriably stops the
run too (the reversal is read again next run). The link of a copy we voided remembers it
(``VOIDED_BY_US`` as its Re-Leased fingerprint), so the voided copy read back is our own echo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.outbox import about, intent_key, intents_for
from released_intacct.app.sync.outcomes import Confirmed, Failed, report, settle_all, unconfirmed
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
from released_intacct.domain.intacct import IntacctRecord
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.planning.written import (
    VOIDED_BY_US,
    link_for_intacct_write,
    link_for_released_write,
)
from released_intacct.domain.ports import WriteOutcome
from released_intacct.domain.released import ReleasedRecord
from released_intacct.domain.rules.prerequisites import explain

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
        intents = intents_for(ctx.connection, writes)
        held = await settled(ctx.store.record_intents(intents, fence=ctx.fence))
        if not is_successful(held):
            return Failure(held.failure())
        if len(held.unwrap()) < len({i.key for i in intents}):
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
    """Send writes whose intents are stored, and settle each: the successes together in one
    store transaction, each failure on its own after them (``outcomes.settle_all``). The writes to
    Re-Leased are settled before the batch to Intacct is sent, so a failure that stops the run
    stops it before that batch, as a failing update stops the updates after it."""
    confirmed: Confirmed = []
    failed: Failed = []
    creates = [w for w in writes if isinstance(w, CreateInReleased)]
    holding = await _hold(ctx, creates)
    if not is_successful(holding):
        return holding
    await _create_in_released(ctx, creates, confirmed, failed)
    for update in (w for w in writes if isinstance(w, UpdateInReleased)):
        holding = await _hold(ctx, [update])
        if not is_successful(holding):
            await settle_all(ctx, tally, confirmed, failed)
            return holding
        linked = await _update_released(ctx, update, links)
        if is_successful(linked):
            confirmed.append((update, linked.unwrap()))
            continue
        failed.append((update, linked))
        done = await settle_all(ctx, tally, confirmed, failed)
        if not is_successful(done):
            return done
    done = await settle_all(ctx, tally, confirmed, failed)
    if not is_successful(done):
        return done
    batch = [w for w in writes if isinstance(w, CreateInIntacct | UpdateInIntacct)]
    holding = await _hold(ctx, batch)
    if not is_successful(holding):
        return holding
    await _write_to_intacct(ctx, batch, links, confirmed, failed)
    return await settle_all(ctx, tally, confirmed, failed)


async def _hold(ctx: RunContext, writes: Sequence[WriteAction]) -> Result[None, SyncError]:
    """Just before a send: this run still holds its company; the intents go SENT (F1, F2)."""
    if not writes:
        return Success(None)
    keys = [intent_key(ctx.connection, write) for write in writes]
    return await settled(ctx.store.hold(ctx.fence, keys, at=ctx.clock.now()))


async def _create_in_released(
    ctx: RunContext, creates: Sequence[CreateInReleased], confirmed: Confirmed, failed: Failed
) -> None:
    """The creates in Re-Leased in one ``create_all``, each sorted by its outcome."""
    if not creates:
        return
    made = await settled(ctx.released.create_all([(w.key, w.record) for w in creates]))
    for write, written in zip(creates, _each(made, len(creates)), strict=True):
        linked = written.map(partial(link_for_released_write, write, existing=None))
        if is_successful(linked):
            confirmed.append((write, linked.unwrap()))
        else:
            failed.append((write, linked))


async def _write_to_intacct(
    ctx: RunContext,
    batch: Sequence[CreateInIntacct | UpdateInIntacct],
    links: LinkIndex,
    confirmed: Confirmed,
    failed: Failed,
) -> None:
    """The Intacct writes in one batch, each sorted by its outcome."""
    if not batch:
        return
    sent = await settled(ctx.intacct.write(batch))
    batch_error = None if is_successful(sent) else sent.failure()
    outcomes = {o.key: o for o in sent.unwrap()} if batch_error is None else {}
    for write in batch:
        existing = links.by_released(write.record_type, write.released_id)
        result = _outcome(outcomes.get(write.key), batch_error, write).alt(
            partial(explain, write=write, unknown=ctx.settings.unconfirmed)
        )
        linked = result.map(partial(link_for_intacct_write, write, existing=existing))
        if is_successful(linked):
            confirmed.append((write, linked.unwrap()))
        else:
            failed.append((write, linked))


def _each(
    made: Result[tuple[Result[ReleasedRecord, SyncError], ...], SyncError], count: int
) -> tuple[Result[ReleasedRecord, SyncError], ...]:
    """Per record, what ``create_all`` answered (its own failure, when the call failed)."""
    if is_successful(made) and len(made.unwrap()) == count:
        return made.unwrap()
    error = made.failure() if not is_successful(made) else _no_answer()
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


def _outcome(
    outcome: WriteOutcome | None,
    batch_error: SyncError | None,
    write: CreateInIntacct | UpdateInIntacct,
) -> Result[IntacctRecord, SyncError]:
    if outcome is not None:
        return outcome.result
    return Failure(batch_error or _no_answer("Sage Intacct"))


def _no_answer(system: str = "Re-Leased") -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"{system} did not answer for this record.",
        fix="Nothing to do: it is looked up and sent again on the next sync.",
    )


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
