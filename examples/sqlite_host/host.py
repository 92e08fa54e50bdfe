"""``SqliteHost``: a host application's own SQLite data behind the product's ``ReleasedPort``.

The host owns its Re-Leased-style records (``tables.py``); this class is all it writes to embed
the product. It behaves as ``docs/released-rest.md`` says Re-Leased does:

- ``create`` keeps the proposed id when it is free (else the host's own ``h-...`` id) and is
  idempotent: a repeated key returns the record first created with it;
- every write stamps ``last_modified`` (strictly increasing) and bumps ``version``; ``update``
  with a stale version is a RETRIABLE conflict; feeds are ordered by (last_modified, id) and paged
  with a token naming the last row seen;
- void only from Draft, AwaitingApproval or Approved, and only without payments; a payment needs
  an Approved (or Paid) invoice and at most the amount due; an invoice's amount paid is the
  host's, the sum of its active payments (summed as Decimal in Python: SQLite's SUM would go
  through float), and an invoice paid in full becomes Paid.

Each write is one transaction (``BEGIN IMMEDIATE``), one at a time per host. A database error is
a ``SyncError``: RETRIABLE when SQLite is busy or locked, FATAL otherwise (``refusals.py``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import aiosqlite
from refusals import VOIDABLE, guarded, not_found, payment_refused, refusal, void_refused
from returns.future import FutureResult
from returns.result import Failure, Result, Success
from tables import (
    TABLES,
    latest_stamp,
    record_of,
    record_type_of,
    row_of,
    schema,
    stamp,
    table_of,
    unstamp,
)

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

T = TypeVar("T")
Clock = Callable[[], datetime]
_ARCHIVABLE = (Contact, Account, TaxType, TrackingCategory, TrackingOption)


def _now() -> datetime:
    return datetime.now(UTC)


class SqliteHost:
    """The Re-Leased port over the host's tables; ``await SqliteHost.open(path)`` to start."""

    def __init__(self, db: aiosqlite.Connection, *, clock: Clock = _now, page_size: int = 100):
        self.db = db
        self.clock = clock
        self.page_size = page_size
        self._lock = asyncio.Lock()
        self._last = datetime.min.replace(tzinfo=UTC)

    @classmethod
    async def open(
        cls, path: str | Path, *, clock: Clock = _now, page_size: int = 100
    ) -> SqliteHost:
        db = await aiosqlite.connect(path, isolation_level=None)
        for statement in schema():
            await db.execute(statement)
        host = cls(db, clock=clock, page_size=page_size)
        latest = list(await db.execute_fetchall(latest_stamp()))
        if latest and latest[0][0]:  # stamps keep increasing across restarts
            host._last = unstamp(latest[0][0])
        return host

    async def close(self) -> None:
        await self.db.close()

    async def add(self, record: ReleasedRecord) -> ReleasedRecord:
        """The host's own users creating a record (no idempotency key: not the product's write)."""
        async with self._transaction():
            return await self._save(await self._free_id(record))

    # --- feeds -----------------------------------------------------------------------------------

    def contacts(self, query: FeedQuery) -> FutureResult[Page[Contact], SyncError]:
        return self._feed(RecordType.CONTACT, Contact, query)

    def invoices(
        self, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Invoice], SyncError]:
        invoice = kind is DocumentKind.INVOICE
        return self._feed(RecordType.INVOICE if invoice else RecordType.CREDIT_NOTE, Invoice, query)

    def payments(self, query: FeedQuery) -> FutureResult[Page[Payment], SyncError]:
        return self._feed(RecordType.PAYMENT, Payment, query)

    def accounts(self, query: FeedQuery) -> FutureResult[Page[Account], SyncError]:
        return self._feed(RecordType.ACCOUNT, Account, query)

    def tax_types(self, query: FeedQuery) -> FutureResult[Page[TaxType], SyncError]:
        return self._feed(RecordType.TAX_TYPE, TaxType, query)

    def tracking_categories(
        self, query: FeedQuery
    ) -> FutureResult[Page[TrackingCategory], SyncError]:
        return self._feed(RecordType.TRACKING_CATEGORY, TrackingCategory, query)

    def document_held(
        self, kind: DocumentKind, released_id: ReleasedId
    ) -> FutureResult[Invoice | None, SyncError]:
        return self._run(self._document(kind, released_id))

    # --- writes ----------------------------------------------------------------------------------

    def create(
        self, key: IdempotencyKey, record: ReleasedRecord
    ) -> FutureResult[ReleasedRecord, SyncError]:
        return self._run(self._create(key, record))

    def create_all(
        self, writes: Sequence[tuple[IdempotencyKey, ReleasedRecord]]
    ) -> FutureResult[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
        return create_each(self.create, writes)

    def update(self, record: ReleasedRecord) -> FutureResult[ReleasedRecord, SyncError]:
        return self._run(self._update(record))

    def set_archived(
        self, record_type: RecordType, released_id: ReleasedId, *, archived: bool
    ) -> FutureResult[None, SyncError]:
        return self._run(self._archive(record_type, released_id, archived=archived))

    def void(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> FutureResult[None, SyncError]:
        return self._run(self._void(record_type, released_id))

    def find_by_key(
        self, record_type: RecordType, key: IdempotencyKey
    ) -> FutureResult[ReleasedRecord | None, SyncError]:
        return self._run(self._by_key(record_type, key))

    # --- the work --------------------------------------------------------------------------------

    async def _create(
        self, key: IdempotencyKey, record: ReleasedRecord
    ) -> Result[ReleasedRecord, SyncError]:
        async with self._transaction():
            first = (await self._by_key(record_type_of(record), key)).unwrap()
            if first is not None:
                return Success(first)
            refused = await self._refused(record)
            if refused is not None:
                return Failure(refused)
            return Success(await self._save(await self._free_id(record), key=key))

    async def _update(self, record: ReleasedRecord) -> Result[ReleasedRecord, SyncError]:
        async with self._transaction():
            current = await self._current(record_type_of(record), record.id)
            if current is None:
                return Failure(not_found(record_type_of(record), record.id))
            stored = current[0]
            versioned = isinstance(stored, Contact | Invoice) and isinstance(
                record, Contact | Invoice
            )
            named = getattr(record, "version", 0)  # 0: built from Intacct, applies to the current
            if versioned and named and named != getattr(stored, "version", None):
                message = f"{record.id} was changed by someone else since it was read."
                return Failure(refusal(ErrorKind.RETRIABLE, message, "409 version_conflict"))
            return Success(await self._save(record))

    async def _archive(
        self, record_type: RecordType, released_id: ReleasedId, *, archived: bool
    ) -> Result[None, SyncError]:
        async with self._transaction():
            current = await self._current(record_type, released_id)
            if current is None or not isinstance(current[0], _ARCHIVABLE):
                return Failure(not_found(record_type, released_id))
            status = ReleasedStatus.ARCHIVED if archived else ReleasedStatus.ACTIVE
            await self._save(replace(current[0], status=status))
            return Success(None)

    async def _void(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> Result[None, SyncError]:
        async with self._transaction():
            current = await self._current(record_type, released_id)
            if current is None or not isinstance(current[0], Invoice):
                return Failure(not_found(record_type, released_id))
            refused = void_refused(current[0])
            if refused is not None:
                return Failure(refused)
            await self._save(replace(current[0], status=ReleasedInvoiceStatus.VOIDED))
            return Success(None)

    async def _by_key(
        self, record_type: RecordType, key: IdempotencyKey
    ) -> Result[ReleasedRecord | None, SyncError]:
        table = TABLES[record_type]
        rows = list(
            await self.db.execute_fetchall(table.select("idempotency_key", record_type), (key,))
        )
        if not rows:
            return Success(None)
        return Success(await self._shown(record_of(table, rows[0][0])))

    async def _refused(self, record: ReleasedRecord) -> SyncError | None:
        if isinstance(record, Payment):
            paid = await self._current(_paid_type(record), record.invoice_id)
            if paid is None or not isinstance(paid[0], Invoice):
                return not_found(_paid_type(record), record.invoice_id)
            return payment_refused(paid[0], record.amount)
        if isinstance(record, TrackingOption):
            category = record.category_id or ReleasedId("")
            if await self._current(RecordType.TRACKING_CATEGORY, category) is None:
                return not_found(RecordType.TRACKING_CATEGORY, category)
        return None

    async def _save(
        self, record: ReleasedRecord, *, key: str | None = None, paid: Decimal | None = None
    ) -> ReleasedRecord:
        """Write ``record`` as the host holds it: stamped now, version + 1, amount paid kept."""
        record_type, table = table_of(record)
        current = await self._current(record_type, record.id)
        version, when = (1 if current is None else current[1] + 1), self._tick()
        if isinstance(record, Invoice):
            kept = current[0].amount_paid if current and isinstance(current[0], Invoice) else None
            record = replace(record, amount_paid=paid if paid is not None else kept or Decimal(0))
        if isinstance(record, Contact | Invoice):
            record = replace(record, modified_at=when, version=version)
        elif isinstance(record, Payment):
            record = replace(record, modified_at=when)
        elif isinstance(record, TrackingCategory):
            for option in record.options:
                await self._save(replace(option, id=option.id or _new_id(), category_id=record.id))
            record = replace(record, options=())
        await self.db.execute(table.upsert(), row_of(record, key=key, when=when, version=version))
        if isinstance(record, TrackingOption):  # an option is written through its category
            sql = "UPDATE tracking_categories SET last_modified = ? WHERE id = ?"
            await self.db.execute(sql, (stamp(self._tick()), record.category_id))
        if isinstance(record, Payment):
            await self._recompute_paid(record)
        return await self._shown(record)

    async def _recompute_paid(self, payment: Payment) -> None:
        current = await self._current(_paid_type(payment), payment.invoice_id)
        invoice = current[0] if current else None
        assert isinstance(invoice, Invoice)
        sql = "SELECT amount FROM payments WHERE invoice_id = ? AND status = ?"
        rows = await self.db.execute_fetchall(sql, (invoice.id, ReleasedPaymentStatus.ACTIVE.value))
        paid = sum((Decimal(row[0]) for row in rows), Decimal(0))
        status = invoice.status
        if paid >= invoice.total and status in VOIDABLE:
            status = ReleasedInvoiceStatus.PAID
        elif paid < invoice.total and status is ReleasedInvoiceStatus.PAID:
            status = ReleasedInvoiceStatus.APPROVED
        await self._save(replace(invoice, status=status), paid=paid)

    async def _current(
        self, record_type: RecordType, released_id: str
    ) -> tuple[ReleasedRecord, int] | None:
        table = TABLES[record_type]
        rows = list(await self.db.execute_fetchall(table.select("id", record_type), (released_id,)))
        return (record_of(table, rows[0][0]), int(rows[0][1])) if rows else None

    async def _document(
        self, kind: DocumentKind, released_id: ReleasedId
    ) -> Result[Invoice | None, SyncError]:
        invoice = kind is DocumentKind.INVOICE
        current = await self._current(
            RecordType.INVOICE if invoice else RecordType.CREDIT_NOTE, released_id
        )
        found = current[0] if current is not None else None
        return Success(found if isinstance(found, Invoice) else None)

    async def _free_id(self, record: ReleasedRecord) -> ReleasedRecord:
        if record.id and await self._current(record_type_of(record), record.id) is None:
            return record
        return replace(record, id=_new_id())

    async def _shown(self, record: ReleasedRecord) -> ReleasedRecord:
        if not isinstance(record, TrackingCategory):
            return record
        sql = "SELECT doc FROM tracking_options WHERE category_id = ? ORDER BY id"
        rows = await self.db.execute_fetchall(sql, (record.id,))
        table = TABLES[RecordType.TRACKING_OPTION]
        options = tuple(o for r in rows if isinstance(o := record_of(table, r[0]), TrackingOption))
        return replace(record, options=options)

    def _feed(
        self, record_type: RecordType, kind: type[T], query: FeedQuery
    ) -> FutureResult[Page[T], SyncError]:
        return self._run(self._page(record_type, kind, query))

    async def _page(
        self, record_type: RecordType, kind: type[T], query: FeedQuery
    ) -> Result[Page[T], SyncError]:
        table = TABLES[record_type]
        since = stamp(query.since) if query.since else ""
        after = tuple(query.token.split("|", 1)) if query.token else ("", "")
        limit = self.page_size + 1
        rows = list(await self.db.execute_fetchall(table.page(record_type), (since, *after, limit)))
        page = rows[: self.page_size]
        items = [await self._shown(record_of(table, row[0])) for row in page]
        more = len(rows) > self.page_size
        return Success(
            Page(
                items=tuple(item for item in items if isinstance(item, kind)),
                next_token=f"{page[-1][1]}|{page[-1][2]}" if more else None,
                high_water=unstamp(page[-1][1]) if page else None,
            )
        )

    # --- plumbing --------------------------------------------------------------------------------

    def _run(self, work: Awaitable[Result[T, SyncError]]) -> FutureResult[T, SyncError]:
        return FutureResult(guarded(work))

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    def _tick(self) -> datetime:
        """Now, but always later than the last stamp (lastModified strictly increases)."""
        now = max(self.clock(), self._last + timedelta(microseconds=1))
        self._last = now
        return now


def _version(record: ReleasedRecord) -> int | None:
    """The version a record carries (contacts and invoices; the others have none)."""
    return record.version if isinstance(record, Contact | Invoice) else None


def _paid_type(payment: Payment) -> RecordType:
    invoice = payment.document_kind is DocumentKind.INVOICE
    return RecordType.INVOICE if invoice else RecordType.CREDIT_NOTE


def _new_id() -> ReleasedId:
    return ReleasedId(f"h-{uuid.uuid4().hex[:16]}")
