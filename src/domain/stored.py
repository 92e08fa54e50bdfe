"""What the state store keeps (rules C1, C5, E1, issue 16): connections and the confirm that
holds one (O5), acknowledgements, the outbox's write intents and the user's answers about them,
per-feed cursors, the filter of sync results, and notifications as stored. Runs, fences and
leases are ``domain.runs``'s; the port is ``domain.state.StateStore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from released_intacct.domain.actions import WriteAction
from released_intacct.domain.enums import Direction, IntacctApi, Prerequisite, RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IdempotencyKey,
    IntacctCompanyId,
    IntacctKey,
    ReleasedCompanyId,
)
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.ports import Notification


class Phase(Enum):
    """Where a connection is in the connect-and-onboard workflow (seeds 000 and 001)."""

    CONNECTED = "connected"
    """Credentials checked by a live login (C2); no entity chosen yet."""
    ENTITY_CHOSEN = "entity_chosen"
    """The entity to sync with is chosen (C3)."""
    ONBOARDING = "onboarding"
    """The sync-from date is set (C4); matching steps under way (O1-O5)."""
    CONFIRMING = "confirming"
    """A confirm is under way (``Connection.confirming``), one at a time; nothing else changes the
    connection meanwhile. A confirm that fails goes back to ONBOARDING; one whose process died is
    taken over by the next confirm once its lease has run out (``rules.confirming``)."""
    CONFIRMED = "confirmed"
    """Confirmed: the date is fixed and the link can never be removed or changed (C1, C4)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmClaim:
    """The confirm under way of a CONFIRMING connection: who holds it, since when, until when."""

    token: str
    """Drawn afresh by each confirm; only its holder renews, finishes or releases the claim."""
    since: datetime
    until: datetime
    """The lease: renewed by its holder while it lives; once passed, another confirm takes over."""
    holder: str = ""
    """Which process confirms (``host/pid``): one of this host that is gone is taken over now."""

    def lapsed(self, *, at: datetime) -> bool:
        return at >= self.until


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    id: ConnectionId
    released_company: ReleasedCompanyId
    intacct_company: IntacctCompanyId
    phase: Phase = Phase.CONNECTED
    entity: EntityId | None = None
    """None until chosen; ``""`` is the top level of a company without entities."""
    sync_from: date | None = None
    created_at: datetime
    confirmed_at: datetime | None = None
    confirming: ConfirmClaim | None = None
    """Set exactly while the phase is CONFIRMING."""
    api: IntacctApi = IntacctApi.XML
    """Its setting ``intacct.api``: the API its credentials log in to (``rules.connection.api_of``),
    fixed when the connection is stored."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement:
    """Rule C5: the user checked a prerequisite Intacct could not report, and said so."""

    prerequisite: Prerequisite
    at: datetime


class IntentState(Enum):
    PENDING = "pending"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """One write in the outbox, stored before it is sent."""

    connection: ConnectionId
    key: IdempotencyKey
    """Unique per write: the action's idempotency key (an update's carries a content suffix)."""
    action: WriteAction
    state: IntentState = IntentState.PENDING
    run: str | None = None
    """The run that last recorded it (None: recorded outside a run, by confirm)."""
    sent_at: datetime | None = None
    """When it was last marked SENT (``hold``), just before it was sent; None while never sent."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one sent write came to: its intent's new state, with the link to store (if any)."""

    key: IdempotencyKey
    state: IntentState
    link: Link | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    """The user's answer about an open create that no Intacct record carries the key of, while
    records that may be its copy exist (issue 16, F3: a NEEDS_USER result names them): link the
    write to ``link_to``, one of those records, or (None) send it again. Acted on once, by the next
    run (``app.sync.uncertain``)."""

    link_to: IntacctKey | None = None

    @classmethod
    def link(cls, key: IntacctKey) -> Resolution:
        return cls(link_to=key)

    @classmethod
    def send_again(cls) -> Resolution:
        return cls()


@dataclass(frozen=True, slots=True, kw_only=True)
class Cursor:
    feed: str
    position: datetime


def advanced(
    stored: Cursor | None, wanted: Cursor, *, run_started: datetime
) -> tuple[Cursor, bool]:
    """The cursor as ``advance_cursor`` leaves it, and whether it moved (to be stored):
    ``wanted`` clamped to ``run_started`` (never past the start of the run), or ``stored`` when
    that is already there or further (a cursor never moves back)."""
    position = min(wanted.position, run_started)
    if stored is not None and stored.position >= position:
        return stored, False
    return Cursor(feed=wanted.feed, position=position), True


def read_to(
    high: datetime | None,
    *,
    since: datetime | None,
    run_started: datetime,
    overlap: timedelta | None,
) -> datetime | None:
    """Where a source read to its end asks its cursor to move (``advanced`` then clamps it):
    the highest mark of its pages (``high``), or, when it brought nothing new (no mark past
    ``since``) and reads ``overlap`` before its cursor, the run's start less ``overlap``, so
    what was written inside the overlap window is not read again on every later run. ``overlap``
    None: the source reads from its cursor exactly, and moves only to what it read."""
    new = high is not None and (since is None or high > since)
    if new or overlap is None:
        return high
    floor = run_started - overlap
    return floor if high is None else max(high, floor)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultFilter:
    """Which sync results to list (the admin API's filters)."""

    record_type: RecordType | None = None
    direction: Direction | None = None
    link_status: LinkStatus | None = None
    since: datetime | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredNotification:
    id: int
    notification: Notification
    created_at: datetime
    read: bool = False


def not_open(id: ConnectionId, key: IdempotencyKey) -> SyncError:
    """An answer about a write that is not open (``resolve_intent``, issue 16, F3)."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Connection {id} has no open write {key} to answer about.",
        fix="List the open writes with `released-intacct intents CONNECTION` and name one of them.",
    )


def no_notification(id: ConnectionId, number: int) -> SyncError:
    """``mark_read`` of a notification the connection does not have."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Connection {id} has no notification {number}.",
        fix="Mark one of the connection's own notifications, as listed.",
    )
