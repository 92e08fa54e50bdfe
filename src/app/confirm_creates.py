"""What confirm creates in Intacct, the "create as" contacts (rules O3, O5), never twice.

Through the outbox: each intent stored PENDING before it is sent (only the keys the store answers
held are sent), settled CONFIRMED with its link (``link_for_found_write``) or FAILED. A confirm
may be an attempt after another that failed half-way, was interrupted or whose process died, so
before anything is sent what an earlier attempt did is taken into account:

- a create whose record is linked already was made (and settled) by an earlier attempt: it is not
  sent, nor looked up;
- every intent still open (PENDING or SENT: the earlier attempt never learnt the outcome, a lost
  reply or a process that died) is looked up in Intacct by its idempotency key, as it was sent:
  found and still wanted so, it is settled with its link and not sent; absent, it is sent with the
  same key only when no record may be its copy (issue 16, F3, as a sync does:
  ``app.sync.uncertain``): the user's answer (``released-intacct resolve``) is taken first (link it
  to one of the candidates, or send it again); else a record that may be its copy (the customer /
  vendor of its name, linked to no Re-Leased record) stops the confirm with a NEEDS_USER naming
  each, the intent left open. A look-up that fails stops the confirm (the intent stays open for
  the next attempt).
- a confirm that took over from a process provably gone (``Claim.in_flight``): that process's
  last create may still be running in Intacct (developer.intacct.com sync-vs-async: a sender that
  timed out or died does not stop it), so a create not found is looked up again after one wait
  for all of them (until ``RunPolicy.attempt`` from now, never past ``sync.in_flight`` from the
  gone confirm's last renewal; ``holding.looked_again``, as a sync's recovery waits), the claim
  held and renewed meanwhile: found, settled with its link; still absent, as above. A confirm
  intent is never marked SENT (no run, no ``sent_at``), so every open create counts as that
  process's. A take-over from a process that may live waits before it takes the claim instead.
- the user may change the onboarding between attempts: an open create no longer wanted as it was
  sent (the contact now matched or archived, or to be created on the other side) is closed
  (FAILED: never sent again, not even by the initial sync's recovery); if Intacct holds its record
  it is left unlinked and a NEEDS_USER result names it, and the same key is not sent again.

The claim is checked (renewed) just before the creates are sent: a confirm that lost it sends
nothing. Every create carries its deterministic key as ``controlid`` too, a second guard where
Intacct enforces ``uniqueid`` (spec correction 6), but nothing here relies on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app.applier import Applied, Applier, intacct_answers
from released_intacct.app.candidates import (
    answer_key,
    candidates_error,
    keys_of,
    not_a_candidate,
)
from released_intacct.app.claim import Claim
from released_intacct.app.holding import InFlight, looked_again
from released_intacct.app.ports import Ports, settled
from released_intacct.domain.actions import ArchiveInReleased, CreateInIntacct
from released_intacct.domain.enums import Direction, Prerequisite, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctRecord, Party
from released_intacct.domain.planning.written import intacct_link_key, link_for_found_write
from released_intacct.domain.ports import IntacctPort
from released_intacct.domain.state import IntentState

__all__ = ["STOPS", "about", "create_in_intacct"]

_log = logger(__name__)

STOPS: Final = frozenset({ErrorKind.RETRIABLE, ErrorKind.FATAL})
"""Failures of a call, not of one record: they stop the confirm."""


async def create_in_intacct(
    ports: Ports,
    claim: Claim,
    intacct: IntacctPort,
    planned: Sequence[CreateInIntacct],
    *,
    unknown: frozenset[Prerequisite],
) -> Result[list[SyncError], SyncError]:
    """The creates an earlier attempt did not make, sent and settled; the refusals of single
    records (sync results), or the failure that stops the confirm."""
    looked = await _not_created(ports, claim, intacct, planned)
    if not is_successful(looked):
        return Failure(looked.failure())
    left, earlier = looked.unwrap()
    if not left:
        return Success(earlier)
    refused = await _send(ports, claim, intacct, left, unknown=unknown)
    return refused.map(lambda more: earlier + more)


async def _send(
    ports: Ports,
    claim: Claim,
    intacct: IntacctPort,
    left: Sequence[CreateInIntacct],
    *,
    unknown: frozenset[Prerequisite],
) -> Result[list[SyncError], SyncError]:
    """``left`` recorded, sent (only those held) and settled; the refusals, as sync results."""
    id = claim.id
    outbox = _outbox(ports, id)
    recorded = await outbox.record(left)
    if not is_successful(recorded):
        return Failure(recorded.failure())
    creates = [create for create in left if create.key in recorded.unwrap()]
    for create in left:
        if create.key not in recorded.unwrap():  # SENT by another: the next look-up resolves it
            _log.warning("confirm_create_not_held", connection=id, key=create.key)
    held = await claim.check()
    if not is_successful(held):
        return Failure(held.failure())
    sent = await settled(intacct.write(creates))
    if not is_successful(sent):
        return Failure(sent.failure())
    settling = await outbox.settle(intacct_answers(creates, sent, unknown=unknown))
    if not is_successful(settling):
        return Failure(settling.failure())
    applied = settling.unwrap()
    if applied.stopped is not None:
        return Failure(applied.stopped[1])
    return Success([about(error, write) for write, error in _refused(applied)])


def _outbox(ports: Ports, id: ConnectionId) -> Applier:
    """Confirm's outbox: no run to fence it, its intents never marked SENT (no ``hold``)."""
    return Applier(store=ports.store, connection=id, sent_as=IntentState.PENDING)


def _refused(applied: Applied) -> list[tuple[CreateInIntacct, SyncError]]:
    return [(w, e) for w, e in applied.refused if isinstance(w, CreateInIntacct)]


def about(error: SyncError, action: ArchiveInReleased | CreateInIntacct) -> SyncError:
    """``error`` attached to the Re-Leased record ``action`` concerns, unless it names one."""
    if error.record is not None:
        return error
    return error.about(
        RecordRef(
            record_type=action.record_type,
            direction=Direction.OUTGOING,
            released_id=action.released_id,
        )
    )


Resolved = tuple[bool, SyncError | None]
"""What came of an open create (``_resolved``): whether it covers the create wanted with its
key (not to be sent), and the result to record."""


async def _not_created(
    ports: Ports, claim: Claim, intacct: IntacctPort, creates: Sequence[CreateInIntacct]
) -> Result[tuple[list[CreateInIntacct], list[SyncError]], SyncError]:
    """The creates no earlier attempt made, and what earlier attempts made that is no longer
    wanted (sync results): every open intent is settled by what Intacct holds (``_resolved``),
    and a create whose record is linked already is not sent. One not found that the gone
    process of the confirm taken over may still be making (``Claim.in_flight``) is looked up
    again once that is past, all such creates after one wait (``holding.looked_again``)."""
    id = claim.id
    opened = await settled(ports.store.open_intents(id))
    if not is_successful(opened):
        return Failure(opened.failure())
    wanted = {create.key: create for create in creates}
    flight = claim.in_flight()
    verdicts: list[tuple[CreateInIntacct, Resolved | InFlight]] = []
    for intent in opened.unwrap():
        if not isinstance(intent.action, CreateInIntacct):
            continue
        looked = await _looked_up(ports, id, intacct, intent.action, wanted, flight=flight)
        if not is_successful(looked):
            return Failure(looked.failure())
        verdicts.append((intent.action, looked.unwrap()))
    waited = await looked_again(
        verdicts,
        partial(_looked_again, ports, id, intacct, wanted),
        clock=ports.clock,
        sleep=ports.sleep,
        connection=id,
        who={"by": "confirm"},
    )
    if not is_successful(waited):
        return Failure(waited.failure())
    results: list[SyncError] = []
    for sent, (covered, result) in waited.unwrap():
        if covered:
            wanted.pop(sent.key, None)
        results += [] if result is None else [result]
    linked = await _linked(ports, id, list(wanted.values()))
    if not is_successful(linked):
        return Failure(linked.failure())
    left = [c for c in wanted.values() if (c.record_type, c.released_id) not in linked.unwrap()]
    return Success((left, results))


async def _looked_up(
    ports: Ports,
    id: ConnectionId,
    intacct: IntacctPort,
    sent: CreateInIntacct,
    wanted: Mapping[IdempotencyKey, CreateInIntacct],
    *,
    flight: InFlight | None,
) -> Result[Resolved | InFlight, SyncError]:
    """An open create ``sent`` by an earlier attempt, looked up by its key and settled
    (``_resolved``); ``flight`` when it is not found but still wanted, and may still be running
    in Intacct until then (``_looked_again`` after it)."""
    found = await settled(intacct.find_written(sent))
    if not is_successful(found):
        return Failure(found.failure())
    record, now = found.unwrap(), wanted.get(sent.key)
    if record is None and flight is not None and now is not None and _same_side(sent, now):
        return Success(flight)
    return await _resolved(ports, id, intacct, sent, now, record=record)


async def _looked_again(
    ports: Ports,
    id: ConnectionId,
    intacct: IntacctPort,
    wanted: Mapping[IdempotencyKey, CreateInIntacct],
    sent: CreateInIntacct,
) -> Result[Resolved, SyncError]:
    """An open create looked up again once it can no longer be in flight, and settled."""
    found = await settled(intacct.find_written(sent))
    if not is_successful(found):
        return Failure(found.failure())
    record = found.unwrap()
    return await _resolved(ports, id, intacct, sent, wanted.get(sent.key), record=record)


async def _resolved(
    ports: Ports,
    id: ConnectionId,
    intacct: IntacctPort,
    sent: CreateInIntacct,
    wanted: CreateInIntacct | None,
    *,
    record: IntacctRecord | None,
) -> Result[Resolved, SyncError]:
    """An open create ``sent`` by an earlier attempt, and the ``record`` its key found: whether
    that covers the create now ``wanted`` with the same key (it must not be sent), and the
    result to record.

    Found and still wanted as it was sent (same side): CONFIRMED with its link. Found but no
    longer wanted so (the decision changed since): FAILED, unlinked, and a NEEDS_USER result
    naming the record, which the user checks in Intacct; the same key is not sent again. Not
    found: FAILED when no longer wanted (never sent again), else left to be sent."""
    still = wanted is not None and _same_side(sent, wanted)
    if record is None and still:
        return await _unfound(ports, id, intacct, sent)
    if record is not None and still:
        link = link_for_found_write(sent, record)
        done = await _outbox(ports, id).settle([(sent, Success(link))])
        _log.info("confirm_create_found", connection=id, key=sent.key)
        return done.map(lambda _: (True, None))
    closed = await _outbox(ports, id).abandon(sent)
    if record is None:
        return closed.map(lambda _: (False, None))
    stray = _unwanted(sent, intacct_link_key(record))
    return closed.map(lambda _: (True, stray))


async def _unfound(
    ports: Ports, id: ConnectionId, intacct: IntacctPort, sent: CreateInIntacct
) -> Result[tuple[bool, SyncError | None], SyncError]:
    """An open create no Intacct record carries the key of (F3): sent again (False) when the user
    said so or no free record may be its copy; settled with the candidate the user named (True);
    else the confirm stops with a NEEDS_USER naming the candidates, the intent open."""
    taken = await settled(ports.store.take_resolution(id, sent.key))
    if not is_successful(taken):
        return Failure(taken.failure())
    answer = taken.unwrap()
    if answer is not None and answer.link_to is None:
        return Success((False, None))
    free = await _free_candidates(ports, id, intacct, sent)
    if not is_successful(free):
        if answer is not None:  # kept for the next attempt, which reads the candidates again
            await settled(ports.store.resolve_intent(id, sent.key, answer))
        return Failure(free.failure())
    candidates = free.unwrap()
    if answer is not None and answer.link_to is not None:
        return await _link_to(ports, id, sent, candidates, answer.link_to)
    if not candidates:
        return Success((False, None))
    return Failure(about(candidates_error(id, sent.key, sent, candidates), sent))


async def _link_to(
    ports: Ports,
    id: ConnectionId,
    sent: CreateInIntacct,
    candidates: Sequence[IntacctRecord],
    chosen: IntacctKey,
) -> Result[tuple[bool, SyncError | None], SyncError]:
    """The user's answer: ``sent`` made ``chosen``, one of its candidates (else refused)."""
    record = next((r for r in candidates if answer_key(r) == chosen), None)
    if record is None:
        return Failure(about(not_a_candidate(id, sent.key, sent, chosen), sent))
    link = link_for_found_write(sent, record)
    done = await _outbox(ports, id).settle([(sent, Success(link))])
    return done.map(lambda _: (True, None))


async def _free_candidates(
    ports: Ports, id: ConnectionId, intacct: IntacctPort, sent: CreateInIntacct
) -> Result[tuple[IntacctRecord, ...], SyncError]:
    """The records that may be ``sent``'s copy, linked to no Re-Leased record."""
    found = await settled(intacct.candidates(sent))
    if not is_successful(found):
        return Failure(found.failure())
    records = [r for r in found.unwrap() if keys_of(r)]
    keys = [k for r in records for k in keys_of(r)]
    linked = await settled(ports.store.links(id, sent.record_type, intacct_keys=keys))
    if not is_successful(linked):
        return Failure(linked.failure())
    held = {link.intacct_key for link in linked.unwrap()}
    return Success(tuple(r for r in records if not held.intersection(keys_of(r))))


def _same_side(sent: CreateInIntacct, wanted: CreateInIntacct) -> bool:
    """The same kind of record and, for a contact, the same side (customer or vendor)."""
    if isinstance(sent.record, Party) and isinstance(wanted.record, Party):
        return sent.record.role is wanted.record.role
    return type(sent.record) is type(wanted.record)


def _unwanted(sent: CreateInIntacct, key: IntacctKey) -> SyncError:
    what = sent.record_type.value.replace("_", " ")
    if isinstance(sent.record, Party):
        what = sent.record.role.value
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.O3,
        message=(
            f"An earlier confirm created {what} {key} in Sage Intacct for this Re-Leased record, "
            "but the onboarding decision for it has changed since, so it is not linked."
        ),
        fix=f"Check {key} in Sage Intacct: delete it if it is not wanted; it is never created "
        "again.",
        record=RecordRef(
            record_type=sent.record_type,
            direction=Direction.OUTGOING,
            released_id=sent.released_id,
            intacct_key=key,
        ),
    )


async def _linked(
    ports: Ports, id: ConnectionId, creates: Sequence[CreateInIntacct]
) -> Result[set[tuple[RecordType, ReleasedId]], SyncError]:
    linked: set[tuple[RecordType, ReleasedId]] = set()
    for record_type in {create.record_type for create in creates}:
        wanted = [c.released_id for c in creates if c.record_type is record_type]
        found = await settled(ports.store.links(id, record_type, released_ids=wanted))
        if not is_successful(found):
            return Failure(found.failure())
        linked |= {(link.record_type, link.released_id) for link in found.unwrap()}
    return Success(linked)
