"""Two companies in memory, one Re-Leased and one Intacct, that apply planned actions.

It plays both outside systems the way planning expects them to behave: Intacct assigns RECORDNOs,
sequenced customer / vendor ids and OE/PO document ids; Re-Leased keeps the proposed ids. Every
confirmed write leaves the link the service would store, and every result is recorded, so tests
assert on the state reached, never on calls.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from released_intacct.domain.actions import (
    Action,
    ArchiveInReleased,
    CreateInIntacct,
    CreateInReleased,
    LinkRecords,
    RecordResult,
    Skip,
    UnarchiveInReleased,
    UpdateInIntacct,
    UpdateInReleased,
    VoidInReleased,
)
from released_intacct.domain.enums import (
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedStatus,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, IntacctRecord, Transaction
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.planning.written import (
    intacct_link_key,
    link_for_intacct_write,
    link_for_released_write,
)
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.fakes.intacct_port import assign_ids

_ARCHIVABLE = (Contact, Account, TaxType, TrackingCategory, TrackingOption)

ReleasedStore = dict[tuple[RecordType, ReleasedId], ReleasedRecord]
IntacctStore = dict[tuple[RecordType, IntacctKey], IntacctRecord]


@dataclass
class Companies:
    released: ReleasedStore = field(default_factory=dict)
    intacct: IntacctStore = field(default_factory=dict)
    links: dict[tuple[RecordType, ReleasedId], Link] = field(default_factory=dict)
    results: list[SyncError] = field(default_factory=list)
    writes: int = 0
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def put_intacct(self, record_type: RecordType, record: IntacctRecord) -> None:
        """Seed a record as if it had been created in Intacct by a user."""
        key = (
            IntacctKey(record.record_no or "")
            if isinstance(record, IntacctPayment)
            else intacct_link_key(record)
        )
        self.intacct[(record_type, key)] = record

    def put_released(self, record_type: RecordType, record: ReleasedRecord) -> None:
        """Seed a record as if it had been created in Re-Leased by a user."""
        self.released[(record_type, record.id)] = record

    def link_index(self) -> LinkIndex:
        return LinkIndex(self.links.values())

    def released_of(self, record_type: RecordType) -> list[ReleasedRecord]:
        return [record for (kind, _), record in self.released.items() if kind is record_type]

    def intacct_of(self, record_type: RecordType) -> list[IntacctRecord]:
        return [record for (kind, _), record in self.intacct.items() if kind is record_type]

    def apply(self, actions: Iterable[Action]) -> None:
        for action in actions:
            self._apply(action)

    def _apply(self, action: Action) -> None:
        match action:
            case CreateInIntacct() | UpdateInIntacct():
                self._write_intacct(action)
            case CreateInReleased() | UpdateInReleased():
                self._write_released(action.record_type, action)
            case VoidInReleased():
                self._void(action)
            case ArchiveInReleased() | UnarchiveInReleased():
                self._archive(action)
            case LinkRecords():
                self._link(action)
            case RecordResult(error=error) | Skip(reason=error):
                self.results.append(error)

    def _write_intacct(self, action: CreateInIntacct | UpdateInIntacct) -> None:
        existing = self.links.get((action.record_type, action.released_id))
        record = action.record
        if isinstance(action, UpdateInIntacct):
            previous = self.intacct[(action.record_type, action.intacct_key)]
            record = _keep_assigned(record, previous)
        else:
            record = self._assign(record)
        self.intacct[(action.record_type, intacct_link_key(record))] = record
        self.writes += 1
        link = link_for_intacct_write(action, record, existing=existing)
        self.links[(link.record_type, link.released_id)] = link

    def _assign(self, record: IntacctRecord) -> IntacctRecord:
        return assign_ids(record, next(self._numbers), width=5)

    def _write_released(
        self, record_type: RecordType, action: CreateInReleased | UpdateInReleased
    ) -> None:
        existing = self.links.get((record_type, action.record.id))
        self.released[(record_type, action.record.id)] = action.record
        self.writes += 1
        link = link_for_released_write(action, action.record, existing=existing)
        self.links[(record_type, link.released_id)] = link

    def _void(self, action: VoidInReleased) -> None:
        current = self.released[(action.record_type, action.released_id)]
        if not isinstance(current, Invoice):
            msg = f"only invoices and credit notes are voided, not {action.record_type}"
            raise TypeError(msg)
        voided = replace(current, status=ReleasedInvoiceStatus.VOIDED)
        self.released[(action.record_type, action.released_id)] = voided
        self.writes += 1
        existing = self.links[(action.record_type, action.released_id)]
        self.links[(action.record_type, action.released_id)] = link_for_released_write(
            action, voided, existing=existing
        )

    def _archive(self, action: ArchiveInReleased | UnarchiveInReleased) -> None:
        key = (action.record_type, action.released_id)
        status = (
            ReleasedStatus.ARCHIVED
            if isinstance(action, ArchiveInReleased)
            else ReleasedStatus.ACTIVE
        )
        current = self.released[key]
        if not isinstance(current, _ARCHIVABLE):
            msg = f"{action.record_type.value} records are not archived"
            raise TypeError(msg)
        self.released[key] = replace(current, status=status)
        self.writes += 1

    def _link(self, action: LinkRecords) -> None:
        self.links[(action.record_type, action.released_id)] = Link(
            record_type=action.record_type,
            released_id=action.released_id,
            intacct_key=action.intacct_key,
            origin=action.origin,
            released_fingerprint=action.released_fingerprint,
            intacct_fingerprint=action.intacct_fingerprint,
        )


def _keep_assigned(record: IntacctRecord, previous: IntacctRecord) -> IntacctRecord:
    """An update keeps what Intacct assigned at create (RECORDNO, DOCID)."""
    if isinstance(record, Transaction) and isinstance(previous, Transaction):
        return replace(record, record_no=previous.record_no, document_id=previous.document_id)
    return record
