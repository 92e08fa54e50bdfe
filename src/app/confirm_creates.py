"""What confirm creates in Intacct, the "create as" contacts (rules O3, O5), never twice.

Through the outbox: each intent stored PENDING before it is sent (only the keys the store answers
held are sent), settled CONFIRMED with its link (``link_for_intacct_write``) or FAILED. A confirm
may be an attempt after another that failed half-way, was interrupted or whose process died, so
before anything is sent what an earlier attempt did is taken into account:

- a create whose record is linked already was made (and settled) by an earlier attempt: it is not
  sent, nor looked up;
- a create whose intent is still open (PENDING or SENT: the earlier attempt never learnt the
  outcome, a lost reply or a process that died) is looked up in Intacct by its idempotency key:
  found, it is settled with its link and not sent; absent, it is sent with the same key. A look-up
  that fails stops the confirm (the intent stays open for the next attempt).

The claim is checked (renewed) just before the creates are sent: a confirm that lost it sends
nothing. Every create carries its deterministic key as ``controlid`` too, a second guard where
Intacct enforces ``uniqueid`` (spec correction 6), but nothing here relies on it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.claim import Claim
from released_intacct.app.ports import Ports, settled
from released_intacct.domain.actions import ArchiveInReleased, CreateInIntacct
from released_intacct.domain.enums import Direction, Prerequisite, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, SyncError
from released_intacct.domain.ids import ConnectionId, ReleasedId
from released_intacct.domain.planning.confirm import link_for_intacct_write
from released_intacct.domain.ports import IntacctPort, WriteOutcome
from released_intacct.domain.rules.prerequisites import explain
from released_intacct.domain.state import Intent, IntentState

__all__ = ["STOPS", "about", "create_in_intacct"]

_log = logging.getLogger(__name__)

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
    id = claim.id
    left = await _not_created(ports, claim, intacct, planned)
    if not is_successful(left) or not left.unwrap():
        return left.map(lambda _: [])
    intents = [Intent(connection=id, key=create.key, action=create) for create in left.unwrap()]
    recorded = await settled(ports.store.record_intents(intents))
    if not is_successful(recorded):
        return Failure(recorded.failure())
    creates = [create for create in left.unwrap() if create.key in recorded.unwrap()]
    for create in left.unwrap():
        if create.key not in recorded.unwrap():  # SENT by another: the next look-up resolves it
            _log.warning("event=confirm_create_not_held connection=%s key=%s", id, create.key)
    held = await claim.check()
    if not is_successful(held):
        return Failure(held.failure())
    sent = await settled(intacct.write(creates))
    if not is_successful(sent):
        return Failure(sent.failure())
    return await _settle_sent(ports, id, creates, sent.unwrap(), unknown=unknown)


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


async def _settle_sent(
    ports: Ports,
    id: ConnectionId,
    creates: Sequence[CreateInIntacct],
    outcomes: Sequence[WriteOutcome],
    *,
    unknown: frozenset[Prerequisite],
) -> Result[list[SyncError], SyncError]:
    """Each create settled with its link or as FAILED; the refusals, as sync results."""
    by_key = {create.key: create for create in creates}
    refused: list[SyncError] = []
    for outcome in outcomes:
        action = by_key[outcome.key]
        if is_successful(outcome.result):
            link = link_for_intacct_write(action, outcome.result.unwrap(), existing=None)
            settle = ports.store.settle(id, action.key, state=IntentState.CONFIRMED, link=link)
        elif outcome.result.failure().kind in STOPS:
            return Failure(outcome.result.failure())
        else:
            refused.append(about(explain(outcome.result.failure(), action, unknown), action))
            settle = ports.store.settle(id, action.key, state=IntentState.FAILED)
        settled_one = await settled(settle)
        if not is_successful(settled_one):
            return Failure(settled_one.failure())
    return Success(refused)


async def _not_created(
    ports: Ports, claim: Claim, intacct: IntacctPort, creates: Sequence[CreateInIntacct]
) -> Result[list[CreateInIntacct], SyncError]:
    """The creates no earlier attempt made: no link yet, and not found in Intacct by key when
    their intent is still open (those found are settled here)."""
    linked = await _linked(ports, claim.id, creates)
    if not is_successful(linked):
        return Failure(linked.failure())
    opened = await settled(ports.store.open_intents(claim.id))
    if not is_successful(opened):
        return Failure(opened.failure())
    unsure = {intent.key for intent in opened.unwrap()}
    left: list[CreateInIntacct] = []
    for create in creates:
        if (create.record_type, create.released_id) in linked.unwrap():
            continue
        if create.key in unsure:
            found = await _found(ports, claim, intacct, create)
            if not is_successful(found):
                return Failure(found.failure())
            if found.unwrap():
                continue
        left.append(create)
    return Success(left)


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


async def _found(
    ports: Ports, claim: Claim, intacct: IntacctPort, create: CreateInIntacct
) -> Result[bool, SyncError]:
    """True: Intacct holds the record of an open ``create`` (found by key), now settled. False:
    it does not (nor can it be on its way any more, ``app.claim``), so it is sent."""
    found = await settled(intacct.find_written(create))
    if not is_successful(found):
        return Failure(found.failure())
    record = found.unwrap()
    if record is None:
        return Success(False)
    link = link_for_intacct_write(create, record, existing=None)
    done = ports.store.settle(claim.id, create.key, state=IntentState.CONFIRMED, link=link)
    _log.info("event=confirm_create_found connection=%s key=%s", claim.id, create.key)
    return (await settled(done)).map(lambda _: True)
