"""Confirming an onboarding (rules C4, C5, O3, O5, C1): check, write what it decided, fix the link.

One confirm at a time: confirm first claims the connection (``app.claim``: ONBOARDING becomes
CONFIRMING by a compare-and-set in the store), so of two confirms at once, in one process or two,
one goes ahead and the other is refused (REJECTED: the admin API's 409, the CLI's refusal) with
since when the other is under way. Nothing else changes the connection while it is CONFIRMING.

Then, in order: the connection has its entity and sync-from date; Intacct's set-up passes C5
(Account Labels on blocks here, with the fix named); every step is continued (O5). The actions of
``plan_onboarding`` are applied: matches become links; archives archive the Re-Leased record;
*create as* creates the contact in Intacct through the outbox (each intent stored PENDING before it
is sent, settled CONFIRMED with its link, from ``link_for_intacct_write``, or FAILED). Last, in one
transaction, the confirmed onboarding is stored and the connection becomes CONFIRMED, which fixes
the date and the link for good.

Decided (what a confirm that goes wrong leaves):
- A refusal of one record (REJECTED, NEEDS_USER, SKIPPED) becomes a sync result (E1) and confirm
  goes on: the initial sync meets that record again.
- A failure of the call itself (Intacct or Re-Leased down, RETRIABLE; a refusal of the whole
  request, FATAL; the store) stops confirm before anything is marked confirmed, and the connection
  is ONBOARDING again: confirm can simply be tried again, and so can a confirm interrupted
  (cancelled, SIGTERM). Nothing is written twice by the retry: links are replaced, archiving twice
  is harmless, and no create is sent again blindly (``app.confirm_creates``: one already linked is
  not sent, one whose outcome was never learnt is looked up by its idempotency key first).
- A process that dies while confirming leaves the connection CONFIRMING: the next confirm takes
  it over once its lease (``sync.stale_after``) has run out, or at once when that process ran on
  this host and is gone (``app.claim``), and goes on as a retry does.
- A confirm whose claim was lost (its process stalled past its lease and another took over) stops
  before its next batch of writes and sends nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app.claim import Claim
from released_intacct.app.confirm_creates import STOPS, about, create_in_intacct
from released_intacct.app.gather import read_all
from released_intacct.app.ports import Ports, settled
from released_intacct.app.preconditions import (
    checked_setup,
    chosen_date,
    refusal,
    stored_onboarding,
    unconfirmed_connection,
)
from released_intacct.domain.actions import (
    Action,
    ArchiveInReleased,
    CreateInIntacct,
    LinkRecords,
    RecordResult,
    Skip,
)
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import ConnectionId, ReleasedId
from released_intacct.domain.links import Link
from released_intacct.domain.matching import CreateAs, Step
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.onboarding import confirm as confirm_steps
from released_intacct.domain.planning.onboarding import plan_onboarding
from released_intacct.domain.ports import IntacctPort, ReleasedPort
from released_intacct.domain.released import Contact, TrackingCategory
from released_intacct.domain.rules.connection import validate_sync_from
from released_intacct.domain.rules.prerequisites import check_can_confirm
from released_intacct.domain.settings import SyncSettings, sync_settings
from released_intacct.domain.state import (
    Connection,
)

_log = logger(__name__)


async def confirm_connection(ports: Ports, id: ConnectionId) -> Result[Connection, SyncError]:
    found = await unconfirmed_connection(ports.store, id)
    if not is_successful(found):
        return found
    taken = await Claim.take(ports, id)
    if not is_successful(taken):
        return Failure(taken.failure())
    claim = taken.unwrap()
    try:
        async with claim:
            done = await _confirm(ports, claim)
    except BaseException:
        await claim.release()
        raise
    if not is_successful(done):
        await claim.release()
    return done


async def _confirm(ports: Ports, claim: Claim) -> Result[Connection, SyncError]:
    connection = claim.connection
    ready = await _ready(ports, connection)
    if not is_successful(ready):
        return Failure(ready.failure())
    intacct, settings, onboarding = ready.unwrap()
    released = ports.released_for(connection.released_company)
    actions = await _planned(released, onboarding, settings)
    if not is_successful(actions):
        return Failure(actions.failure())
    applied = await _apply(
        ports, claim, actions.unwrap(), intacct=intacct, released=released, settings=settings
    )
    if not is_successful(applied):
        return Failure(applied.failure())
    return await claim.finish(onboarding)


async def _ready(
    ports: Ports, connection: Connection
) -> Result[tuple[IntacctPort, SyncSettings, Onboarding], SyncError]:
    """C4, C5 and O5 hold: the Intacct port, the sync settings and the confirmed onboarding."""
    sync_from = chosen_date(connection).bind(validate_sync_from)
    if not is_successful(sync_from):
        return Failure(sync_from.failure())
    onboarding = await stored_onboarding(ports.store, connection.id)
    if not is_successful(onboarding):
        return Failure(onboarding.failure())
    checked = await checked_setup(ports, connection)
    if not is_successful(checked):
        return Failure(checked.failure())
    intacct, setup = checked.unwrap().intacct, checked.unwrap().setup
    ready = check_can_confirm(setup, checked.unwrap().acknowledged)
    if not is_successful(ready):
        return Failure(ready.failure())
    stored = onboarding.unwrap()
    confirmed = Success(stored) if stored.confirmed else confirm_steps(stored)
    if not is_successful(confirmed):
        return Failure(confirmed.failure())
    settings = sync_settings(connection.id, sync_from.unwrap(), setup)
    return settings.map(lambda s: (intacct, s, confirmed.unwrap()))


async def _planned(
    released: ReleasedPort, onboarding: Onboarding, settings: SyncSettings
) -> Result[tuple[Action, ...], SyncError]:
    """The onboarding's actions, with the Re-Leased contacts to create and the categories."""
    categories = await read_all(
        released.tracking_categories, what="Re-Leased tracking categories", key=_id
    )
    if not is_successful(categories):
        return Failure(categories.failure())
    contacts = await _to_create(released, onboarding)
    if not is_successful(contacts):
        return Failure(contacts.failure())
    return plan_onboarding(
        onboarding, settings, contacts=contacts.unwrap(), categories=categories.unwrap().items
    )


async def _to_create(
    released: ReleasedPort, onboarding: Onboarding
) -> Result[dict[ReleasedId, Contact], SyncError]:
    """The contacts to create in Intacct, as Re-Leased holds them now."""
    state = onboarding.state(Step.CONTACTS)
    wanted = [d.released_id for d in state.decisions.values() if isinstance(d, CreateAs)]
    if not wanted:
        return Success({})
    read = await read_all(released.contacts, what="Re-Leased contacts", key=_id)
    if not is_successful(read):
        return Failure(read.failure())
    found = {contact.id: contact for contact in read.unwrap().items}
    gone = [released_id for released_id in wanted if released_id not in found]
    if gone:
        label = next((c.label for c in state.candidates if c.released_id == gone[0]), gone[0])
        return Failure(
            refusal(
                Rule.O3,
                f"The contact '{label}' to create in Sage Intacct is no longer in Re-Leased.",
                "Start matching again, so that the contacts step shows Re-Leased as it is now.",
            )
        )
    return Success({released_id: found[released_id] for released_id in wanted})


async def _apply(
    ports: Ports,
    claim: Claim,
    actions: Sequence[Action],
    *,
    intacct: IntacctPort,
    released: ReleasedPort,
    settings: SyncSettings,
) -> Result[None, SyncError]:
    """Links, then archives, then creates; refusals of single records become sync results. The
    claim is checked before the writes to either side."""
    id = claim.id
    results = [a.error for a in actions if isinstance(a, RecordResult)]
    results += [a.reason for a in actions if isinstance(a, Skip)]
    links = [_link(a) for a in actions if isinstance(a, LinkRecords)]
    if links:
        saved = await settled(ports.store.save_links(id, links))
        if not is_successful(saved):
            return Failure(saved.failure())
    archives = [a for a in actions if isinstance(a, ArchiveInReleased)]
    held = await claim.check() if archives else Success(None)
    if not is_successful(held):
        return Failure(held.failure())
    for archive in archives:
        done = await settled(
            released.set_archived(archive.record_type, archive.released_id, archived=True)
        )
        if not is_successful(done):
            if done.failure().kind in STOPS:
                return Failure(done.failure())
            results.append(about(done.failure(), archive))
    creates = [a for a in actions if isinstance(a, CreateInIntacct)]  # none: earlier ones settle
    written = await create_in_intacct(ports, claim, intacct, creates, unknown=settings.unconfirmed)
    if not is_successful(written):
        return Failure(written.failure())
    return await _record(ports, id, results + written.unwrap())


async def _record(
    ports: Ports, id: ConnectionId, errors: list[SyncError]
) -> Result[None, SyncError]:
    about_records = [error for error in errors if error.record is not None]
    for error in errors:
        if error.record is None:
            _log.warning("onboarding_result_without_record", connection=id, error=error)
    if not about_records:
        return Success(None)
    recorded = await settled(ports.store.record_results(id, about_records, at=ports.clock.now()))
    return recorded.map(lambda _: None)


def _link(action: LinkRecords) -> Link:
    return Link(
        record_type=action.record_type,
        released_id=action.released_id,
        intacct_key=action.intacct_key,
        origin=action.origin,
        released_fingerprint=action.released_fingerprint,
        intacct_fingerprint=action.intacct_fingerprint,
    )


def _id(record: TrackingCategory | Contact) -> ReleasedId:
    return record.id
