"""An in-memory Re-Leased behind the domain's ``ReleasedFeeds`` and ``ReleasedWriter`` ports.

It behaves the way ``docs/released-rest.md`` says Re-Leased does, as far as the port can see it:

- a create keeps the proposed ``id`` when it is free, else assigns ``rl-<n>``; it is idempotent
  by key: the same key returns the record first created with it (as it is now), never a second;
- every write stamps ``lastModified`` (strictly increasing, even when the clock stands still) and
  bumps ``version`` (kept on contacts and invoices, the records that carry one);
- an update names the version it read; a stale one is a RETRIABLE conflict (409
  ``version_conflict``), an unknown record a REJECTED 404;
- feeds hold the records modified at or after ``since``, ordered by (lastModified, id), archived
  and voided ones included; the page token is the (lastModified, id) of the page's last record;
- the invoice state machine where the port reaches it, as the Re-Leased simulator decides what
  the REST model leaves open: void from Draft, AwaitingApproval or Approved only (422
  ``invalid_transition``) and only without payments (422 ``has_payments``); ``amountPaid`` is the
  store's, the sum of the active payments whatever a create or update says; a payment needs an
  Approved (or Paid) invoice (422 ``not_payable``) and at most the amount due (422
  ``amount_exceeds_due``); an invoice paid in full becomes Paid. Unlike the simulator, a create may
  ask for Paid (the domain maps Intacct's Paid state so);
- tracking options live in their category: writing one stamps the category.

The refusals are in ``released_states``. Outcomes are kept for tests: ``records``, ``stamps``,
``keys`` and the ``refused`` errors. Calls are not.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result, Success

from released_intacct.app.ports import create_each
from released_intacct.domain.enums import (
    DocumentKind,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
    ReleasedStatus,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.fakes.released_states import (
    VOIDABLE,
    Key,
    invoice_type_of,
    not_found,
    payment_refused,
    record_type_of,
    refusal,
    void_refused,
)

T = TypeVar("T")
TICK = timedelta(microseconds=1)
_ARCHIVABLE = (Contact, Account, TaxType, TrackingCategory, TrackingOption)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeReleased:
    clock: Callable[[], datetime] = _now
    page_size: int = 100
    records: dict[Key, ReleasedRecord] = field(default_factory=dict)
    stamps: dict[Key, datetime] = field(default_factory=dict)
    keys: dict[IdempotencyKey, Key] = field(default_factory=dict)
    refused: list[SyncError] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _last: datetime | None = None

    # --- seeding and reading back, as a user of Re-Leased would ---------------------------------

    def put(self, record: ReleasedRecord) -> ReleasedRecord:
        """Store ``record`` as if a Re-Leased user had created it; the stored record."""
        return self._store(self._with_id(record), version=1)

    def get(self, record_type: RecordType, released_id: ReleasedId) -> ReleasedRecord | None:
        found = self.records.get((record_type, released_id))
        return None if found is None else self._shown((record_type, released_id), found)

    # --- feeds -----------------------------------------------------------------------------------

    def contacts(self, query: FeedQuery) -> FutureResult[Page[Contact], SyncError]:
        return self._feed(query, Contact, (RecordType.CONTACT,))

    def invoices(
        self, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Invoice], SyncError]:
        types = (RecordType.INVOICE if kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE,)
        return self._feed(query, Invoice, types)

    def payments(self, query: FeedQuery) -> FutureResult[Page[Payment], SyncError]:
        return self._feed(query, Payment, (RecordType.PAYMENT,))

    def accounts(self, query: FeedQuery) -> FutureResult[Page[Account], SyncError]:
        return self._feed(query, Account, (RecordType.ACCOUNT,))

    def tax_types(self, query: FeedQuery) -> FutureResult[Page[TaxType], SyncError]:
        return self._feed(query, TaxType, (RecordType.TAX_TYPE,))

    def tracking_categories(
        self, query: FeedQuery
    ) -> FutureResult[Page[TrackingCategory], SyncError]:
        return self._feed(query, TrackingCategory, (RecordType.TRACKING_CATEGORY,))

    def document_held(
        self, kind: DocumentKind, released_id: ReleasedId
    ) -> FutureResult[Invoice | None, SyncError]:
        types = RecordType.INVOICE if kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
        found = self.get(types, released_id)
        return self._done(Success(found if isinstance(found, Invoice) else None))

    # --- writes ----------------------------------------------------------------------------------

    def create(
        self, key: IdempotencyKey, record: ReleasedRecord
    ) -> FutureResult[ReleasedRecord, SyncError]:
        first = self.keys.get(key)
        if first is not None:
            return self._done(Success(self._shown(first, self.records[first])))
        created = self._created(record)
        if isinstance(created, Success):
            self.keys[key] = (record_type_of(created.unwrap()), created.unwrap().id)
        return self._done(created)

    def create_all(
        self, writes: Sequence[tuple[IdempotencyKey, ReleasedRecord]]
    ) -> FutureResult[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
        return create_each(self.create, writes)

    def update(self, record: ReleasedRecord) -> FutureResult[ReleasedRecord, SyncError]:
        key = (record_type_of(record), record.id)
        current = self.records.get(key)
        if current is None:
            return self._done(Failure(not_found(key)))
        version = _version(current)
        named = _version(record)
        # version 0 names none: a record built from Intacct applies to the current version, as
        # the HTTP adapter does (it reads the current version first)
        if version is not None and named not in (0, None, version):
            message = f"{key[0].value} {record.id} was changed by someone else (now {version})."
            error = refusal(ErrorKind.RETRIABLE, message, "409 version_conflict")
            return self._done(Failure(error))
        return self._done(Success(self._store(record, version=(version or 0) + 1)))

    def set_archived(
        self, record_type: RecordType, released_id: ReleasedId, *, archived: bool
    ) -> FutureResult[None, SyncError]:
        current = self.records.get((record_type, released_id))
        if current is None or not isinstance(current, _ARCHIVABLE):
            return self._done(Failure(not_found((record_type, released_id))))
        status = ReleasedStatus.ARCHIVED if archived else ReleasedStatus.ACTIVE
        self._rewrite(replace(current, status=status))
        return self._done(Success(None))

    def void(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> FutureResult[None, SyncError]:
        current = self.records.get((record_type, released_id))
        if not isinstance(current, Invoice):
            return self._done(Failure(not_found((record_type, released_id))))
        if current.status is ReleasedInvoiceStatus.VOIDED:
            return self._done(Success(None))  # as the adapter: already voided is done
        refused = void_refused(current)
        if refused is not None:
            return self._done(Failure(refused))
        self._rewrite(replace(current, status=ReleasedInvoiceStatus.VOIDED))
        return self._done(Success(None))

    def find_by_key(
        self, record_type: RecordType, key: IdempotencyKey
    ) -> FutureResult[ReleasedRecord | None, SyncError]:
        found = self.keys.get(key)
        if found is None or found[0] is not record_type:
            return self._done(Success(None))
        return self._done(Success(self._shown(found, self.records[found])))

    # --- helpers ---------------------------------------------------------------------------------

    def _done(self, result: Result[T, SyncError]) -> FutureResult[T, SyncError]:
        if isinstance(result, Failure):
            self.refused.append(result.failure())
        return FutureResult.from_result(result)

    def _created(self, record: ReleasedRecord) -> Result[ReleasedRecord, SyncError]:
        if isinstance(record, Payment):
            invoice = self.records.get((invoice_type_of(record), record.invoice_id))
            if not isinstance(invoice, Invoice):
                return Failure(not_found((invoice_type_of(record), record.invoice_id)))
            refused = payment_refused(invoice, record.amount)
            if refused is not None:
                return Failure(refused)
        if isinstance(record, TrackingOption) and not self._has_category(record):
            return Failure(
                not_found((RecordType.TRACKING_CATEGORY, record.category_id or ReleasedId("")))
            )
        return Success(self._store(self._with_id(record), version=1))

    def _with_id(self, record: ReleasedRecord) -> ReleasedRecord:
        if record.id and (record_type_of(record), record.id) not in self.records:
            return record
        return replace(record, id=ReleasedId(f"rl-{next(self._numbers)}"))

    def _has_category(self, option: TrackingOption) -> bool:
        category = option.category_id
        return category is not None and (RecordType.TRACKING_CATEGORY, category) in self.records

    def _rewrite(self, record: ReleasedRecord) -> None:
        version = _version(record)
        self._store(record, version=None if version is None else version + 1)

    def _store(self, record: ReleasedRecord, *, version: int | None) -> ReleasedRecord:
        """Keep ``record``, stamped now; what follows from it follows (options, payments)."""
        key = (record_type_of(record), record.id)
        if isinstance(record, Invoice):
            previous = self.records.get(key)
            paid = previous.amount_paid if isinstance(previous, Invoice) else Decimal(0)
            record = replace(record, amount_paid=paid)
        if isinstance(record, Contact | Invoice) and version is not None:
            record = replace(record, version=version)
        if isinstance(record, TrackingCategory):
            self._keep_options(record)
            record = replace(record, options=())
        self.records[key] = record
        self.stamps[key] = self._tick()
        if isinstance(record, TrackingOption) and record.category_id is not None:
            self.stamps[(RecordType.TRACKING_CATEGORY, record.category_id)] = self._tick()
        if isinstance(record, Payment):
            self._recompute_paid(record)
        return self._shown(key, record)

    def _keep_options(self, category: TrackingCategory) -> None:
        for option in category.options:
            owned = replace(option, category_id=category.id)
            if not owned.id:  # a new option without an id gets one
                owned = replace(owned, id=ReleasedId(f"rl-{next(self._numbers)}"))
            self.records[(RecordType.TRACKING_OPTION, owned.id)] = owned
            self.stamps[(RecordType.TRACKING_OPTION, owned.id)] = self._tick()

    def _recompute_paid(self, payment: Payment) -> None:
        """The invoice's amount paid is the sum of its active payments (REST: by the server)."""
        key = (invoice_type_of(payment), payment.invoice_id)
        invoice = self.records[key]
        assert isinstance(invoice, Invoice)
        paid = sum(
            (
                p.amount
                for p in self.records.values()
                if isinstance(p, Payment)
                and p.invoice_id == invoice.id
                and p.status is ReleasedPaymentStatus.ACTIVE
            ),
            Decimal(0),
        )
        status = invoice.status
        if paid >= invoice.total and status in VOIDABLE:
            status = ReleasedInvoiceStatus.PAID
        elif paid < invoice.total and status is ReleasedInvoiceStatus.PAID:
            status = ReleasedInvoiceStatus.APPROVED
        updated = replace(invoice, amount_paid=paid, status=status, version=invoice.version + 1)
        self.records[key] = updated
        self.stamps[key] = self._tick()

    def _tick(self) -> datetime:
        now = self.clock()
        if self._last is not None and now <= self._last:
            now = self._last + TICK
        self._last = now
        return now

    def _shown(self, key: Key, record: ReleasedRecord) -> ReleasedRecord:
        """The record as Re-Leased returns it: its modification time, a category's options."""
        when = self.stamps[key]
        if isinstance(record, Contact | Invoice | Payment):
            return replace(record, modified_at=when)
        if isinstance(record, TrackingCategory):
            options = tuple(
                o
                for (kind, _), o in sorted(self.records.items(), key=lambda item: item[0][1])
                if kind is RecordType.TRACKING_OPTION
                and isinstance(o, TrackingOption)
                and o.category_id == record.id
            )
            return replace(record, options=options)
        return record

    def _feed(
        self, query: FeedQuery, kind: type[T], types: tuple[RecordType, ...]
    ) -> FutureResult[Page[T], SyncError]:
        after = _token(query.token)
        found = sorted(
            (when, key[1], key)
            for key, when in self.stamps.items()
            if key[0] in types
            and (query.since is None or when >= query.since)
            and (after is None or (when, key[1]) > after)
        )
        size = min(self.page_size, query.size or self.page_size)
        page = found[:size]
        items = [self._shown(key, self.records[key]) for _, _, key in page]
        last = page[-1] if page else None
        more = len(found) > size and last is not None
        return FutureResult.from_result(
            Success(
                Page(
                    items=tuple(item for item in items if isinstance(item, kind)),
                    next_token=f"{last[0].isoformat()}|{last[1]}" if more and last else None,
                    high_water=last[0] if last else None,
                    total=len(found) if after is None else None,
                )
            )
        )


def _token(token: str | None) -> tuple[datetime, str] | None:
    if not token:
        return None
    when, _, released_id = token.partition("|")
    return datetime.fromisoformat(when), released_id


def _version(record: ReleasedRecord) -> int | None:
    return record.version if isinstance(record, Contact | Invoice) else None
