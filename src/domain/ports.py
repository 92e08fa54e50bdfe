"""The ports: what the service needs from the outside, as ``typing.Protocol``s.

Async ports return ``FutureResult[T, SyncError]``; nothing here is awaited by domain code. Change
feeds are paged: a ``FeedQuery`` names the cursor (records modified at or after ``since``) and the
continuation ``token`` of the previous page; a ``Page`` carries the records, the next token (None on
the last page) and the page's high-water mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Generic, Protocol, TypeVar

from returns.future import FutureResult
from returns.result import Result

from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.diagnosis import Diagnosis
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IdempotencyKey,
    IntacctId,
    IntacctKey,
    ReleasedId,
)
from released_intacct.domain.intacct import (
    Deletion,
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Item,
    Party,
    TaxDetail,
    Transaction,
)
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.tokens import TokenSource

T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedQuery:
    since: datetime | None = None
    token: str | None = None
    size: int | None = None
    """At most this many records a page (None: the source's own page size); a source never
    answers more (the paginator refuses a page that does)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T_co]):
    items: tuple[T_co, ...]
    next_token: str | None = None
    high_water: datetime | None = None
    problems: tuple[SyncError, ...] = ()
    """Records of this page that could not be read; each becomes a sync result (rule E1)."""
    total: int | None = None
    """On the first page of a read, how many records the whole read holds when the source says
    (an estimate for progress: records change while a feed is read); None otherwise."""
    overlap: timedelta | None = None
    """How long before ``since`` the source read again (records written late with an earlier
    stamp); None: it reads from ``since`` exactly. A feed that brings nothing new moves its
    cursor to the run's start less this (``domain.stored.read_to``)."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    connection: ConnectionId
    title: str
    body: str
    run: str | None = None
    """The run it tells the end of (its finish, its release, its takeover); None: no run's."""


# --- Intacct -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class IntacctCredentials:
    """Rule C2: a Web Services user. Both passwords are ``Secret``s."""

    sender_id: str
    sender_password: Secret
    company_id: str
    user_id: str
    user_password: Secret


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthCredentials:
    """Rule C2 over the REST API (``intacct.api = "rest"``): an OAuth 2 client of the company.
    ``user_id`` is the Web Services user of the client-credentials grant; None: the
    authorization-code grant, whose rotating refresh token the state store keeps
    (``StateStore.spend_refresh_token``)."""

    client_id: str
    client_secret: Secret
    company_id: str
    user_id: str | None
    refresh: TokenSource | None = field(default=None, compare=False, repr=False)
    """The authorization-code grant's: where its refresh token is kept (never stored with the
    credentials; the service names it when it reads a connection's credentials,
    ``app.ports.credentials_of``). Not part of equality: the same client is the same
    credentials wherever its token is kept."""

    @property
    def by_authorization(self) -> bool:
        """The authorization-code grant (no Web Services user): a refresh token signs it in."""
        return self.user_id is None


Credentials = IntacctCredentials | OAuthCredentials
"""What a connection logs in with: the XML API's sender and Web Services user, or an OAuth 2
client of the REST API."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    """An entity of a multi-entity company (LOCATIONENTITY); id ``""`` is the top level."""

    id: EntityId
    name: str
    currency: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IntacctSetup:
    """The facts rule C5 checks before confirm. ``None`` is *unknown*: no documented source in
    Intacct says (spec correction 5); the product never takes unknown for on or off."""

    customer_sequencing: bool | None
    vendor_sequencing: bool | None
    account_labels: bool | None
    order_entry: bool
    purchasing: bool
    items: tuple[Item, ...]
    tax_solution_external: bool | None
    subtotal_dimension_defaulting: bool | None
    base_currency: str | None
    """None: Intacct names no one base currency here (a top level with several)."""
    sources: tuple[tuple[str, str], ...] = ()
    """(fact, how it was read), for the user and ``doctor``: ``("account_labels", "ARACCOUNTLABEL:
    2 active labels")``."""
    item_creates: bool = True
    """Whether the product can create the Items Order Entry / Purchasing lines need (rule D17)
    over the connection's API: the XML ``ITEM`` create names its GL accounts; no REST page shows
    how (docs/intacct-rest.md, "Gaps"), so the REST adapter says False."""


class IntacctDirectory(Protocol):
    """Log-in and company set-up (rules C2, C3, C5)."""

    def login(self, credentials: Credentials) -> FutureResult[tuple[Entity, ...], SyncError]:
        """Check the credentials by a live login; return the entities to choose from. An adapter
        refuses the kind of credentials its API does not take (FATAL, naming the fix)."""

    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]:
        """The set-up at ``entity`` (rule C5). ``reuse``: a sync run, which may take facts an
        earlier read kept for a stated lifetime; onboarding and confirm read afresh."""

    def diagnose(self, entity: EntityId) -> FutureResult[Diagnosis, SyncError]:
        """Read-only checks of the company against what the product relies on (``doctor``)."""


class IntacctFeeds(Protocol):
    """Change feeds, each filtered on WHENMODIFIED and de-duplicated by the adapter."""

    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]: ...

    def tax_details(self, query: FeedQuery) -> FutureResult[Page[TaxDetail], SyncError]: ...

    def dimension_values(
        self, kind: DimensionKind, query: FeedQuery
    ) -> FutureResult[Page[DimensionValue], SyncError]: ...

    def parties(
        self, role: ContactRole, query: FeedQuery
    ) -> FutureResult[Page[Party], SyncError]: ...

    def transactions(
        self, origin: Origin, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Transaction], SyncError]: ...

    def payments(
        self, origin: Origin, query: FeedQuery
    ) -> FutureResult[Page[IntacctPayment], SyncError]: ...

    def deletions(
        self, record_type: RecordType, query: FeedQuery
    ) -> FutureResult[Page[Deletion], SyncError]: ...

    def parties_held(
        self, role: ContactRole, ids: Sequence[IntacctId]
    ) -> FutureResult[frozenset[IntacctId], SyncError]:
        """Which of ``ids`` Intacct holds now as customers / vendors of ``role`` (rule D5: a
        linked one that is not held was deleted in Intacct)."""

    def transaction_held(
        self, origin: Origin, kind: DocumentKind, key: IntacctKey
    ) -> FutureResult[Transaction | None, SyncError]:
        """The document ``key`` (its link key: RECORDNO, or DOCID for OE/PO) as Intacct holds it
        now, or None when it is gone (rule D20: checked before an edit is sent)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteOutcome:
    """The result of one function of a batch: the record as Intacct holds it, or why not."""

    key: IdempotencyKey
    result: Result[IntacctRecord, SyncError]


CANDIDATES: Final = 20
"""``IntacctWriter.candidates`` names at most this many records as what may be a create's copy,
whichever API it speaks."""


class IntacctWriter(Protocol):
    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        """Send ``CreateInIntacct`` / ``UpdateInIntacct`` actions, batched, exactly once each."""

    def find_written(self, write: CreateInIntacct) -> FutureResult[IntacctRecord | None, SyncError]:
        """The record ``write`` created, found by the idempotency key written into it, or None.

        Used after an uncertain outcome, and for every open outbox intent at start.
        """

    def candidates(
        self, write: CreateInIntacct
    ) -> FutureResult[tuple[IntacctRecord, ...], SyncError]:
        """The records that may be the copy ``write`` created although none carries its key (a
        user changed the field it is written in; issue 16, F3), as Intacct holds them: customers /
        vendors of its name; documents of its party and kind with its number, its reference or
        its date; payments of its party on its date for its amount. ``CANDIDATES`` at most; none
        for an item (its id is its key). Asked when ``find_written`` finds nothing for a create
        whose outcome is unknown: whether it may be sent again (``app.sync.uncertain``).
        """

    def transactions_spent(self) -> int:
        """API transactions used so far: one per record written, one per query."""


class IntacctPort(IntacctDirectory, IntacctFeeds, IntacctWriter, Protocol):
    """Everything the service needs from Intacct."""


# --- Re-Leased -----------------------------------------------------------------------------------


class ReleasedFeeds(Protocol):
    def contacts(self, query: FeedQuery) -> FutureResult[Page[Contact], SyncError]: ...

    def invoices(
        self, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Invoice], SyncError]: ...

    def payments(self, query: FeedQuery) -> FutureResult[Page[Payment], SyncError]: ...

    def accounts(self, query: FeedQuery) -> FutureResult[Page[Account], SyncError]: ...

    def tax_types(self, query: FeedQuery) -> FutureResult[Page[TaxType], SyncError]: ...

    def tracking_categories(
        self, query: FeedQuery
    ) -> FutureResult[Page[TrackingCategory], SyncError]: ...

    def document_held(
        self, kind: DocumentKind, released_id: ReleasedId
    ) -> FutureResult[Invoice | None, SyncError]:
        """The invoice or credit note ``released_id`` as Re-Leased holds it now, or None when it
        holds none (rule D20: checked before Intacct's version of an unposted document is
        written over its copy)."""


class ReleasedWriter(Protocol):
    def create(
        self, key: IdempotencyKey, record: ReleasedRecord
    ) -> FutureResult[ReleasedRecord, SyncError]:
        """Create ``record`` and return it as stored.

        ``record.id`` is a proposal (planning proposes the idempotency key); the store may keep it
        or assign its own. A repeated ``key`` returns the record first created with it.
        """

    def create_all(
        self, writes: Sequence[tuple[IdempotencyKey, ReleasedRecord]]
    ) -> FutureResult[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
        """Create each record as ``create`` does; per record its outcome, in order.

        A store may write several at once (the HTTP adapter writes the tracking options of one
        category in one write of the category, rather than rewriting it once per option); a
        host with nothing to gain loops over ``create``.
        """

    def update(self, record: ReleasedRecord) -> FutureResult[ReleasedRecord, SyncError]: ...

    def set_archived(
        self, record_type: RecordType, released_id: ReleasedId, *, archived: bool
    ) -> FutureResult[None, SyncError]: ...

    def void(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> FutureResult[None, SyncError]: ...

    def find_by_key(
        self, record_type: RecordType, key: IdempotencyKey
    ) -> FutureResult[ReleasedRecord | None, SyncError]: ...


class ReleasedPort(ReleasedFeeds, ReleasedWriter, Protocol):
    """Everything the service needs from Re-Leased; a host implements it over its own data."""
