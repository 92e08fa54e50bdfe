"""An in-memory Intacct behind the domain's Intacct directory, feeds and writer ports.

Log-in and set-up answer from plain attributes: ``entities`` (what ``login`` lists),
``company_setup`` (what ``setup`` reads at any entity) and ``credentials`` (when set, ``login``
refuses any others, FATAL under rule C2, as Intacct refuses a wrong password). ``setup`` at an
entity that is not one of ``entities`` needs the user (rule C3); ``""`` (the top level) is always
open.

The feeds and writer behave the way the contract suite says the real adapter does: change feeds
filtered on the modification time and paged with a continuation token; creates that assign
Intacct's ids (sequenced customer / vendor ids, RECORDNOs, OE/PO document ids) and are idempotent
by key; look-up of a create by its key; deletions reported like AUDITHISTORY; a count of API
transactions.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result, Success

from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.diagnosis import Diagnosis, Finding, Verdict
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey
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
from released_intacct.domain.ports import (
    Credentials,
    Entity,
    FeedQuery,
    IntacctCredentials,
    IntacctSetup,
    Page,
    WriteOutcome,
)

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def ready_setup() -> IntacctSetup:
    """A company that passes rule C5 and uses neither Order Entry nor Purchasing."""
    return IntacctSetup(
        customer_sequencing=True,
        vendor_sequencing=True,
        account_labels=False,
        order_entry=False,
        purchasing=False,
        items=(),
        tax_solution_external=True,
        subtotal_dimension_defaulting=True,
        base_currency="USD",
    )


def _diagnosis(fake: FakeIntacct, entity: EntityId) -> Diagnosis:
    now = fake.clock().isoformat(timespec="seconds")
    kept = "read in memory: nothing to differ"
    checks = ("time.zone", "lines.read", "audit.permission", "payments.kinds")
    return Diagnosis(
        company_id=fake.credentials.company_id if fake.credentials else "",
        entity=entity,
        session_timestamp=now,
        zone="UTC",
        subscriptions=(),
        preferences=(),
        findings=tuple(
            Finding(check=check, verdict=Verdict.OK, expected=kept, seen=kept) for check in checks
        ),
    )


@dataclass
class FakeIntacct:
    clock: Callable[[], datetime] = _now
    page_size: int = 100
    records: list[IntacctRecord] = field(default_factory=list)
    deleted: list[Deletion] = field(default_factory=list)
    by_key: dict[IdempotencyKey, IntacctRecord] = field(default_factory=dict)
    spent: int = 0
    entities: tuple[Entity, ...] = ()
    company_setup: IntacctSetup = field(default_factory=ready_setup)
    credentials: IntacctCredentials | None = None
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- seeding, as a user of Intacct would ------------------------------------------------------

    def put(self, record: IntacctRecord) -> IntacctRecord:
        stamped = self._stamp(self._assign(record))
        self.records.append(stamped)
        return stamped

    def delete(self, record_type: RecordType, key: IntacctKey) -> None:
        self.records = [r for r in self.records if _key(r) != key]
        self.deleted.append(Deletion(record_type=record_type, key=key, deleted_at=self.clock()))

    # --- directory -------------------------------------------------------------------------------

    def login(self, credentials: Credentials) -> FutureResult[tuple[Entity, ...], SyncError]:
        if self.credentials is not None and credentials != self.credentials:
            return FutureResult.from_failure(
                SyncError(
                    kind=ErrorKind.FATAL,
                    rule=Rule.C2,
                    message="Intacct did not accept the Web Services user's sign-in.",
                    fix="Check the Web Services sender and user, then update the credentials.",
                )
            )
        return FutureResult.from_value(self.entities)

    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]:
        """The fake keeps nothing between runs: ``reuse`` changes nothing."""
        if entity and entity not in {e.id for e in self.entities}:
            return FutureResult.from_failure(
                SyncError(
                    kind=ErrorKind.NEEDS_USER,
                    rule=Rule.C3,
                    message=f'Sage Intacct did not open a session at entity "{entity}".',
                    fix="Choose one of the company's entities (or its top level).",
                )
            )
        return FutureResult.from_value(self.company_setup)

    def diagnose(self, entity: EntityId) -> FutureResult[Diagnosis, SyncError]:
        """What an in-memory company shows: it does as the product relies on, and says so."""
        return self.setup(entity).map(lambda _: _diagnosis(self, entity))

    # --- feeds -----------------------------------------------------------------------------------

    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]:
        return self._page(query, GlAccount, lambda _: True)

    def tax_details(self, query: FeedQuery) -> FutureResult[Page[TaxDetail], SyncError]:
        return self._page(query, TaxDetail, lambda _: True)

    def dimension_values(
        self, kind: DimensionKind, query: FeedQuery
    ) -> FutureResult[Page[DimensionValue], SyncError]:
        return self._page(query, DimensionValue, lambda v: v.kind is kind)

    def parties(self, role: ContactRole, query: FeedQuery) -> FutureResult[Page[Party], SyncError]:
        return self._page(query, Party, lambda p: p.role is role)

    def transactions(
        self, origin: Origin, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Transaction], SyncError]:
        return self._page(query, Transaction, lambda t: t.origin is origin and t.kind is kind)

    def payments(
        self, origin: Origin, query: FeedQuery
    ) -> FutureResult[Page[IntacctPayment], SyncError]:
        return self._page(query, IntacctPayment, lambda p: p.origin is origin)

    def deletions(
        self, record_type: RecordType, query: FeedQuery
    ) -> FutureResult[Page[Deletion], SyncError]:
        found = [
            d
            for d in self.deleted
            if d.record_type is record_type and (query.since is None or d.deleted_at >= query.since)
        ]
        return FutureResult.from_result(Success(self._slice(found, query, lambda d: d.deleted_at)))

    def parties_held(
        self, role: ContactRole, ids: Sequence[IntacctId]
    ) -> FutureResult[frozenset[IntacctId], SyncError]:
        self.spent += 1
        held = {r.party_id for r in self.records if isinstance(r, Party) and r.role is role}
        return FutureResult.from_result(Success(frozenset(i for i in ids if i in held)))

    def transaction_held(
        self, origin: Origin, kind: DocumentKind, key: IntacctKey
    ) -> FutureResult[Transaction | None, SyncError]:
        self.spent += 1
        found = next(
            (
                r
                for r in self.records
                if isinstance(r, Transaction)
                and (r.origin, r.kind) == (origin, kind)
                and _key(r) == key
            ),
            None,
        )
        return FutureResult.from_result(Success(found))

    # --- writes ----------------------------------------------------------------------------------

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        outcomes = tuple(WriteOutcome(key=w.key, result=self._write(w)) for w in batch)
        return FutureResult.from_result(Success(outcomes))

    def find_written(self, write: CreateInIntacct) -> FutureResult[IntacctRecord | None, SyncError]:
        """The record created with ``write``'s key as it is now (None if deleted since)."""
        self.spent += 1
        created = self.by_key.get(write.key)
        key = None if created is None else _key(created)
        current = next((r for r in self.records if key is not None and _key(r) == key), None)
        return FutureResult.from_result(Success(current))

    def candidates(
        self, write: CreateInIntacct
    ) -> FutureResult[tuple[IntacctRecord, ...], SyncError]:
        """The records of ``write``'s kind that resemble it (the port's docstring says how)."""
        self.spent += 1
        found = tuple(r for r in self.records if _resembles(r, write.record))
        return FutureResult.from_result(Success(found))

    def transactions_spent(self) -> int:
        return self.spent

    def _write(self, write: IntacctWrite) -> Result[IntacctRecord, SyncError]:
        if isinstance(write, CreateInIntacct):
            existing = self.by_key.get(write.key)
            if existing is not None:
                return Success(existing)
            stored = self.put(write.record)
            self.by_key[write.key] = stored
        else:
            current = next((r for r in self.records if _key(r) == write.intacct_key), None)
            if current is None:  # deleted meanwhile: Intacct refuses the update
                return Failure(_no_such_record(write.intacct_key))
            stored = self._stamp(_keep_assigned(write.record, current))
            self.records = [stored if r is current else r for r in self.records]
        self.spent += 1
        return Success(stored)

    # --- helpers ---------------------------------------------------------------------------------

    def _assign(self, record: IntacctRecord) -> IntacctRecord:
        return assign_ids(record, next(self._numbers), width=4)

    def _stamp(self, record: IntacctRecord) -> IntacctRecord:
        """The record as last modified now (an Item carries no modification time)."""
        if isinstance(record, Item):
            return record
        stamped = copy.copy(record)
        object.__setattr__(stamped, "modified_at", self.clock())  # frozen: set on the copy only
        return stamped

    def _page(
        self, query: FeedQuery, kind: type[T], keep: Callable[[T], bool]
    ) -> FutureResult[Page[T], SyncError]:
        found = [
            r
            for r in self.records
            if isinstance(r, kind)
            and keep(r)
            and (query.since is None or _modified(r) is None or _modified(r) >= query.since)  # type: ignore[operator]
        ]
        return FutureResult.from_result(Success(self._slice(found, query, _modified)))

    def _slice(
        self, found: list[T], query: FeedQuery, when: Callable[[T], datetime | None]
    ) -> Page[T]:
        self.spent += 1
        start, size = int(query.token or 0), min(self.page_size, query.size or self.page_size)
        items = found[start : start + size]
        more = start + size < len(found)
        stamps = [w for w in map(when, items) if w is not None]
        return Page(
            items=tuple(items),
            next_token=str(start + size) if more else None,
            high_water=max(stamps) if stamps else None,
            total=len(found) if start == 0 else None,
        )


def assign_ids(record: IntacctRecord, number: int, *, width: int) -> IntacctRecord:
    """What Intacct assigns a new record: a sequenced customer / vendor id (``C`` / ``V`` and
    ``number`` zero-padded to ``width``), a RECORDNO, and the DOCID of an OE/PO document."""
    if isinstance(record, Party) and record.party_id is None:
        prefix = "C" if record.role is ContactRole.CUSTOMER else "V"
        party_id = IntacctId(f"{prefix}{number:0{width}d}")
        return replace(record, party_id=party_id, record_no=str(number))
    if isinstance(record, Transaction) and record.record_no is None:
        doc = f"{record.transaction_definition}-{record.number}"
        order = record.origin.is_order_module
        return replace(record, record_no=str(number), document_id=doc if order else None)
    if isinstance(record, IntacctPayment | Party) and record.record_no is None:
        return replace(record, record_no=str(number))
    return record


def _resembles(record: IntacctRecord, written: IntacctRecord) -> bool:
    """``record`` may be ``written``'s copy (``IntacctWriter.candidates``)."""
    if isinstance(record, Party) and isinstance(written, Party):
        return (record.role, record.name) == (written.role, written.name)
    if isinstance(record, Transaction) and isinstance(written, Transaction):
        same = (record.origin, record.kind, record.party_id)
        alike = (
            record.invoice_date == written.invoice_date
            or (bool(written.number) and record.number == written.number)
            or (bool(written.reference) and record.reference == written.reference)
        )
        return same == (written.origin, written.kind, written.party_id) and alike
    if isinstance(record, IntacctPayment) and isinstance(written, IntacctPayment):
        fields = (record.origin, record.party_id, record.date, record.amount)
        return fields == (written.origin, written.party_id, written.date, written.amount)
    return False


def _modified(record: object) -> datetime | None:
    value = getattr(record, "modified_at", None)
    return value if isinstance(value, datetime) else None


def _key(record: IntacctRecord) -> IntacctKey | None:
    try:
        return (
            record.link_key
            if not isinstance(record, IntacctPayment)
            else IntacctKey(record.record_no or "")
        )
    except ValueError:
        return None


def _no_such_record(key: IntacctKey) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Sage Intacct has no record {key} to update; it may have been deleted.",
        fix="Check the record in Sage Intacct.",
        cause="BL01001973 record not found",
    )


def _keep_assigned(record: IntacctRecord, current: IntacctRecord) -> IntacctRecord:
    if isinstance(record, Transaction) and isinstance(current, Transaction):
        return replace(record, record_no=current.record_no, document_id=current.document_id)
    return record
