"""An open create that no Intacct record carries the key of (issue 16, F3): never a second copy.

The key of a create is written where users do not routinely write (``docs/intacct-fidelity.md``,
"Where the key of a create lives"), so an open create whose key is found is confirmed with that
record (``recovery``). When the key is not found, the record may still be there: a user may have
changed the field the key is in. ``unfound`` decides, before anything is sent:

0. A create that cannot have been sent is sent: a PENDING intent held by a run (a run marks an
   intent SENT just before it sends it, ``StateStore.hold``; one left PENDING never left that
   run). The rest concerns SENT intents, and PENDING ones recorded outside a run (confirm sends
   its creates without marking them).
1. The user answered (``released-intacct resolve``, ``StateStore.resolve_intent``; each answer is
   acted on once): *send it again* → sent; *link it to* an Intacct record → that record, if it is
   still one of the candidates (below), is linked and the intent CONFIRMED; another key is a
   NEEDS_USER result saying so, and the intent stays open. The answer holds even when the look-up
   by key itself failed (a company whose key field cannot be queried, ``doctor``'s
   ``keys.fields``): that is the way out; without an answer such a failure stops the run with a
   result, the intent open, as any look-up that fails.
2. Else the **candidates** are read (``IntacctWriter.candidates``: a customer / vendor of its name;
   a document of its party with its number, reference or date; a payment of its party on its date
   for its amount), less those already linked to a Re-Leased record (the copy a create made is
   linked to nothing while its intent is open).
3. No candidate → sent again. This is safe: a copy the first send made carries the key, and the
   record's name (party), number, reference and date (document) or party, date and amount
   (payment) as sent; to be missed, a user must have changed the key's field and every one of
   those. ``uniqueid`` (correction 6) refuses the function again if Intacct still remembers its
   control id, and that refusal is looked up once more (``writer``).
4. Candidates → a NEEDS_USER result names each (its key, name, number, reference, amount and
   date), says how to answer, and the intent stays open, sending nothing. The run stops there:
   going on would read the candidate, which may be this very record, as a new Intacct record
   and create it in Re-Leased (rule D3: the duplicate contact of F3). The next runs ask again
   until the user answers; the answer holds for one attempt.

Creates in Re-Leased, updates and anything else are sent again as before (``recovery``). Taking
the user's answer is fenced like every change a run makes (issue 16, F1).
"""

from __future__ import annotations

from collections.abc import Sequence

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.applier import intent_key
from released_intacct.app.candidates import (
    answer_key,
    candidates_error,
    keys_of,
    not_a_candidate,
)
from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.outbox import about
from released_intacct.app.sync.outcomes import follow_up, report, unconfirmed
from released_intacct.domain.actions import CreateInIntacct, WriteAction
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctKey
from released_intacct.domain.intacct import IntacctRecord
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.planning.written import link_for_found_write
from released_intacct.domain.state import Intent, IntentState, Resolution

__all__ = ["linked", "may_have_been_sent", "unfound"]


async def unfound(
    ctx: RunContext, tally: Tally, intent: Intent, *, unreadable: SyncError | None = None
) -> Result[bool, SyncError]:
    """An open write whose key found nothing (``unreadable``: the look-up by key failed, why):
    True, send it (again); False, settled here (linked as the user answered); a Failure stops the
    run with the intent open (a result says why)."""
    write = intent.action
    if unreadable is not None and (
        unreadable.kind is ErrorKind.FATAL or not isinstance(write, CreateInIntacct)
    ):
        return await _unchecked(ctx, tally, write, unreadable)
    if not isinstance(write, CreateInIntacct) or not may_have_been_sent(intent):
        return Success(True)
    key = intent_key(ctx.connection, write)
    taken = await settled(ctx.store.take_resolution(ctx.connection, key, fence=ctx.fence))
    if not is_successful(taken):
        return Failure(taken.failure())
    return await _answered(ctx, tally, write, taken.unwrap(), unreadable)


def may_have_been_sent(intent: Intent) -> bool:
    """Whether ``intent``'s write may have reached Intacct: it is SENT (a run marks an intent SENT
    just before it sends it, ``StateStore.hold``), or it was recorded outside a run (confirm
    sends its creates without marking them). A PENDING intent a run holds never left it."""
    return intent.state is IntentState.SENT or intent.run is None


async def _answered(
    ctx: RunContext,
    tally: Tally,
    write: CreateInIntacct,
    resolution: Resolution | None,
    unreadable: SyncError | None,
) -> Result[bool, SyncError]:
    """The user's answer first (it holds even when the key could not be looked up: the way out
    of a company whose key field cannot be queried), then the candidates."""
    if resolution is not None and resolution.link_to is None:
        return Success(True)
    if unreadable is not None and resolution is None:
        return await _unchecked(ctx, tally, write, unreadable)
    found = await _free_candidates(ctx, write)
    if not is_successful(found):
        if resolution is not None:  # kept for the next run, which reads them again
            key = intent_key(ctx.connection, write)
            await settled(ctx.store.resolve_intent(ctx.connection, key, resolution))
        return await _unchecked(ctx, tally, write, found.failure())
    chosen = None if resolution is None else resolution.link_to
    return await _decide(ctx, tally, write, found.unwrap(), chosen)


async def _decide(
    ctx: RunContext,
    tally: Tally,
    write: CreateInIntacct,
    candidates: Sequence[IntacctRecord],
    chosen: IntacctKey | None,
) -> Result[bool, SyncError]:
    """Linked to ``chosen`` (the user's answer), sent again (no candidate), or asked about."""
    if chosen is not None:
        return await _link(ctx, tally, write, candidates, chosen)
    if not candidates:
        return Success(True)
    key = intent_key(ctx.connection, write)
    return await _ask(ctx, tally, write, candidates_error(ctx.connection, key, write, candidates))


async def _unchecked(
    ctx: RunContext, tally: Tally, write: WriteAction, error: SyncError
) -> Result[bool, SyncError]:
    """What Intacct holds of an open write could not be read: a result about it, and the run
    stops with the intent open (a FATAL error stops it as it is)."""
    if error.kind is ErrorKind.FATAL:
        return Failure(error)
    told = await report(ctx, tally, [about(write, error)])
    return told.bind(lambda _: Failure(unconfirmed(error)))


async def _free_candidates(
    ctx: RunContext, write: CreateInIntacct
) -> Result[tuple[IntacctRecord, ...], SyncError]:
    """The records that may be ``write``'s copy and are linked to no Re-Leased record."""
    found = await settled(ctx.intacct.candidates(write))
    if not is_successful(found):
        return Failure(found.failure())
    records = [r for r in found.unwrap() if keys_of(r)]
    wanted = Wanted().intacct(write.record_type, [k for r in records for k in keys_of(r)])
    loaded = await wanted.load(ctx)
    if not is_successful(loaded):
        return Failure(loaded.failure())
    links = loaded.unwrap()
    return Success(tuple(r for r in records if not _linked(links, write, r)))


def _linked(links: LinkIndex, write: CreateInIntacct, record: IntacctRecord) -> bool:
    return any(links.by_intacct(write.record_type, key) for key in keys_of(record))


async def _link(
    ctx: RunContext,
    tally: Tally,
    write: CreateInIntacct,
    candidates: Sequence[IntacctRecord],
    chosen: IntacctKey,
) -> Result[bool, SyncError]:
    """The user's answer: ``write`` made ``chosen``, one of its candidates."""
    record = next((r for r in candidates if chosen == answer_key(r)), None)
    key = intent_key(ctx.connection, write)
    if record is None:
        return await _ask(ctx, tally, write, not_a_candidate(ctx.connection, key, write, chosen))
    return await linked(ctx, tally, write, link_for_found_write(write, record))


async def linked(
    ctx: RunContext, tally: Tally, write: WriteAction, link: Link
) -> Result[bool, SyncError]:
    """An open create settled: CONFIRMED with ``link`` (False: nothing to send)."""
    done = await follow_up(ctx, tally, [(write, Success(link))])
    return done.map(lambda _: False)


async def _ask(
    ctx: RunContext, tally: Tally, write: CreateInIntacct, error: SyncError
) -> Result[bool, SyncError]:
    """Report ``error`` about ``write`` and stop the run, the intent left open."""
    told = await report(ctx, tally, [about(write, error)])
    if not is_successful(told):
        return Failure(told.failure())
    return Failure(_waiting(ctx.connection))


def _waiting(connection: ConnectionId) -> SyncError:
    """Why the run stopped: a create that may already be in Intacct waits for the user."""
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=None,
        message=(
            "The sync stopped at a record Sage Intacct may already hold, so that it is not "
            "created twice."
        ),
        fix=(
            f"See `released-intacct intents {connection}` and the record's sync result, then "
            "answer with `released-intacct resolve`; the next sync carries on from there."
        ),
    )
