"""What the in-memory ``StateStore`` keeps for one connection (``fakes.state_store``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Prerequisite, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Credentials
from released_intacct.domain.results import ResultIdentity, SyncResult
from released_intacct.domain.rules import confirming
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    Acknowledgement,
    Connection,
    Cursor,
    Fence,
    Intent,
    IntentState,
    Lease,
    Phase,
    Resolution,
    Run,
    Settlement,
    StoredNotification,
    lost,
    not_open,
)
from released_intacct.fakes.state_refusals import key_clash, refused

Links = dict[tuple[RecordType, ReleasedId], Link]


@dataclass(eq=False, repr=False)
class Book:
    """All that is stored for one connection; ``repr`` is object's, so credentials never show."""

    connection: Connection
    credentials: Credentials
    onboarding: Onboarding | None = None
    links: Links = field(default_factory=dict)
    cursors: dict[str, Cursor] = field(default_factory=dict)
    intents: dict[IdempotencyKey, Intent] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    results: dict[ResultIdentity, SyncResult] = field(default_factory=dict)
    notifications: list[StoredNotification] = field(default_factory=list)
    acknowledged: dict[Prerequisite, datetime] = field(default_factory=dict)
    resolutions: dict[IdempotencyKey, Resolution] = field(default_factory=dict)
    epoch: int = 0
    """The company's run epoch: raised by every run that starts (fencing)."""
    leased_by: str | None = None
    lease_until: datetime | None = None
    next_run_at: datetime | None = None
    requested_at: datetime | None = None
    refresh_token: Secret | None = None
    """A REST connection's OAuth refresh token (authorization-code grant)."""


def due(book: Book, at: datetime) -> bool:
    """Confirmed, due at ``at`` (schedule come, never set, or requested) and not leased."""
    scheduled = book.next_run_at is None or book.next_run_at <= at
    free = book.leased_by is None or (book.lease_until is not None and book.lease_until < at)
    confirmed = book.connection.phase is Phase.CONFIRMED
    return confirmed and (scheduled or book.requested_at is not None) and free


def due_order(book: Book) -> tuple[bool, bool, datetime, datetime, str]:
    """Requested first, then never scheduled, then the longest due, then by id."""
    never = datetime.min.replace(tzinfo=UTC)
    return (
        book.requested_at is None,
        book.next_run_at is not None,
        book.next_run_at or never,
        book.requested_at or never,
        book.connection.id,
    )


def lease(book: Book, worker: str, until: datetime) -> Lease:
    book.leased_by, book.lease_until = worker, until
    return Lease(
        connection=book.connection.id,
        worker=worker,
        until=until,
        epoch=book.epoch,
        requested_at=book.requested_at,
    )


def hand_back(book: Book, worker: str, next_run_at: datetime, ran_from: datetime | None) -> bool:
    """``release_lease`` of ``book``: whether ``worker`` held it."""
    if book.leased_by != worker:
        return False
    book.leased_by, book.lease_until, book.next_run_at = None, None, next_run_at
    asked = book.requested_at
    if ran_from is not None and asked is not None and asked <= ran_from:
        book.requested_at = None
    return True


def fence_refusal(book: Book, fence: Fence | None) -> SyncError | None:
    """``lost`` unless ``fence``'s run is open under the company's epoch (or no fence)."""
    if fence is None:
        return None
    run = book.runs.get(fence.run)
    held = run is not None and not run.status.finished and run.epoch == fence.epoch == book.epoch
    return None if held else lost(fence)


def merged_links(book: Book, links: Sequence[Link]) -> Result[Links, SyncError]:
    """Store ``links`` in ``book`` unless one's Intacct key is held by another record."""
    merged = dict(book.links)
    for link in links:
        merged[(link.record_type, link.released_id)] = link
    clash = key_clash(merged.values())
    if clash is not None:
        return Failure(clash)
    so_far = dict(book.links)  # each link judged as if those before it were saved (E2)
    for link in links:
        before = so_far.get((link.record_type, link.released_id))
        if (before.status if before else LinkStatus.LINKED) is not link.status:
            _restate_results(book, link)
        so_far[(link.record_type, link.released_id)] = link
    book.links = merged
    return Success(merged)


def links_of(
    record_type: RecordType,
    *,
    released_ids: Sequence[ReleasedId] = (),
    intacct_keys: Sequence[IntacctKey] = (),
) -> Callable[[Book], tuple[Link, ...]]:
    """The links of ``record_type`` a book holds for these ids or keys (none given: all)."""
    wanted, keys = set(released_ids), set(intacct_keys)
    every = not wanted and not keys
    return lambda book: tuple(
        link
        for link in book.links.values()
        if link.record_type is record_type
        and (every or link.released_id in wanted or link.intacct_key in keys)
    )


def links_by_prefix(book: Book, record_type: RecordType, prefix: str) -> tuple[Link, ...]:
    """The links of ``record_type`` whose Intacct key starts with ``prefix``, by key."""
    found = [
        link
        for link in book.links.values()
        if link.record_type is record_type and link.intacct_key.startswith(prefix)
    ]
    return tuple(sorted(found, key=lambda link: link.intacct_key))


def _restate_results(book: Book, link: Link) -> None:
    """The record's sync results show its link status as it is now (rule E2)."""
    for identity, row in book.results.items():
        ids = (row.released_id == link.released_id, row.intacct_key == link.intacct_key)
        if row.record_type is link.record_type and any(ids):
            book.results[identity] = replace(row, link_status=link.status)


def settle_intents(
    book: Book, settlements: Sequence[Settlement], fence: Fence | None
) -> Result[None, SyncError]:
    """Move each intent to its state and merge the links, all or none (the outbox's
    ``settle_many``, ``settle`` of one); fenced."""
    refusal = fence_refusal(book, fence)
    if refusal is not None:
        return Failure(refusal)
    missing = next((s.key for s in settlements if s.key not in book.intents), None)
    if missing is not None:
        return Failure(refused(f"No write {missing} is in the outbox.", "Record it first."))
    outcome = merged_links(book, [s.link for s in settlements if s.link is not None])
    if isinstance(outcome, Success):
        for settlement in settlements:
            book.intents[settlement.key] = replace(
                book.intents[settlement.key], state=settlement.state
            )
    return outcome.map(lambda _: None)


def acknowledge(
    book: Book, prerequisites: Sequence[Prerequisite], at: datetime
) -> Result[None, SyncError]:
    """Rule C5: the first acknowledgement of each stays; refused once confirmed (C1) and while
    a confirm holds the connection (O5)."""
    error = confirming.changes_refused(book.connection)
    if error is not None:
        return Failure(error)
    for prerequisite in prerequisites:
        book.acknowledged.setdefault(prerequisite, at)
    return Success(None)


def acknowledged(book: Book) -> tuple[Acknowledgement, ...]:
    held = book.acknowledged
    return tuple(Acknowledgement(prerequisite=p, at=held[p]) for p in Prerequisite if p in held)


def resolve_open(
    book: Book, key: IdempotencyKey, resolution: Resolution
) -> Result[None, SyncError]:
    """Store the user's answer about an open intent (issue 16, F3); refused for any other key."""
    intent = book.intents.get(key)
    if intent is None or intent.state not in (IntentState.PENDING, IntentState.SENT):
        return Failure(not_open(book.connection.id, key))
    book.resolutions[key] = resolution
    return Success(None)


def take_answer(
    book: Book, key: IdempotencyKey, fence: Fence | None
) -> Result[Resolution | None, SyncError]:
    """The user's answer about ``key``, removed (fenced: ``lost``, nothing removed)."""
    refusal = fence_refusal(book, fence)
    if refusal is not None:
        return Failure(refusal)
    return Success(book.resolutions.pop(key, None))
