"""One sync pass between a host and Intacct: gather → plan (the domain's pure functions) → apply.

A stand-in for the product's sync service, which arrives in a later issue with its state store,
cursors, outbox and retries. Here the links live in memory, every feed is read in full, Order
Entry / Purchasing documents are not read, and a write that fails is reported, not retried.
The order is the service's: Intacct's lists, then contacts, then invoices and credit notes, then
payments; each step's actions are applied before the next step is planned, and every confirmed
write leaves the link ``planning.confirm`` describes (with both sides' fingerprints, rule D21).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Protocol, TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

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
    ContactRole,
    DimensionKind,
    DocumentKind,
    InvoiceType,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.planning.confirm import (
    link_for_intacct_write,
    link_for_released_write,
)
from released_intacct.domain.planning.contacts import plan_contacts
from released_intacct.domain.planning.documents import plan_documents, record_type_of
from released_intacct.domain.planning.lists import (
    plan_accounts,
    plan_dimension_values,
    plan_tax_details,
    plan_tracking_categories,
)
from released_intacct.domain.planning.payments import plan_payments
from released_intacct.domain.ports import FeedQuery, IntacctFeeds, IntacctWriter, Page, ReleasedPort
from released_intacct.domain.released import Contact, Invoice, ReleasedRecord
from released_intacct.domain.settings import SyncSettings

T = TypeVar("T")
DIMENSIONS = (DimensionKind.DEPARTMENT, DimensionKind.LOCATION, DimensionKind.CLASS)
"""The dimension kinds the example syncs as tracking categories (the demo company uses them)."""
ORIGINS = (Origin.AR, Origin.AP)


class Intacct(IntacctFeeds, IntacctWriter, Protocol):
    """What one pass needs of Intacct: its feeds and its writer."""


class FeedError(Exception):
    """A feed could not be read: the pass stops (the service would run again later)."""


async def read_all(fetch: Callable[[FeedQuery], FutureResult[Page[T], SyncError]]) -> list[T]:
    """Every record of one feed, page after page."""
    items: list[T] = []
    query = FeedQuery()
    while True:
        page = await _value(fetch(query))
        items.extend(page.items)
        if page.next_token is None:
            return items
        query = FeedQuery(token=page.next_token)


@dataclass
class SyncPass:
    host: ReleasedPort
    intacct: Intacct
    settings: SyncSettings
    links: dict[tuple[RecordType, ReleasedId], Link] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)
    """Writes confirmed, by kind: ``CreateInReleased account``, ``CreateInIntacct invoice``."""
    results: list[SyncError] = field(default_factory=list)
    """What did not sync, and why (rule E1): refusals, skips, failed writes."""
    _versions: dict[tuple[RecordType, ReleasedId], int] = field(default_factory=dict)

    async def run(self) -> None:
        index, settings = self._index, self.settings
        accounts = await read_all(self.intacct.accounts)
        await self._apply(plan_accounts(accounts, index(), settings))
        details = await read_all(self.intacct.tax_details)
        await self._apply(plan_tax_details(details, index(), settings))
        values = [
            value
            for kind in DIMENSIONS
            for value in await read_all(partial(self.intacct.dimension_values, kind))
        ]
        await self._apply(plan_tracking_categories((v.kind for v in values), index(), settings))
        await self._apply(plan_dimension_values(values, index(), settings))
        await self._contacts()
        await self._documents()
        await self._payments()

    async def _contacts(self) -> None:
        contacts = self._seen(await read_all(self.host.contacts))
        parties = [
            party
            for role in ContactRole
            for party in await read_all(partial(self.intacct.parties, role))
        ]
        roles = {invoice.contact_id: _role(invoice) for invoice in await self._invoices()}
        plan = plan_contacts(contacts, parties, self._index(), self.settings, roles=roles)
        await self._apply(plan)

    async def _documents(self) -> None:
        invoices = self._seen(await self._invoices())
        transactions = [
            tx
            for origin in ORIGINS
            for kind in DocumentKind
            for tx in await read_all(partial(self.intacct.transactions, origin, kind))
        ]
        await self._apply(plan_documents(invoices, transactions, self._index(), self.settings))

    async def _payments(self) -> None:
        documents = {invoice.id: invoice for invoice in self._seen(await self._invoices())}
        released = await read_all(self.host.payments)
        intacct = [p for o in ORIGINS for p in await read_all(partial(self.intacct.payments, o))]
        plan = plan_payments(released, intacct, self._index(), self.settings, documents=documents)
        await self._apply(plan)

    async def _invoices(self) -> list[Invoice]:
        return [
            invoice
            for kind in DocumentKind
            for invoice in await read_all(partial(self.host.invoices, kind))
        ]

    # --- apply -----------------------------------------------------------------------------------

    async def _apply(self, actions: Sequence[Action]) -> None:
        """Re-Leased writes one by one, then this step's Intacct writes in one batch."""
        to_intacct = [a for a in actions if isinstance(a, CreateInIntacct | UpdateInIntacct)]
        for action in actions:
            await self._apply_one(action)
        if to_intacct:
            outcomes = await _value(self.intacct.write(to_intacct))
            for action, outcome in zip(to_intacct, outcomes, strict=True):
                if is_successful(outcome.result):
                    existing = self.links.get((action.record_type, action.released_id))
                    written = outcome.result.unwrap()
                    self._confirm(link_for_intacct_write(action, written, existing=existing))
                    self.done[f"{type(action).__name__} {action.record_type.value}"] += 1
                else:
                    self.results.append(outcome.result.failure())

    async def _apply_one(self, action: Action) -> None:
        match action:
            case CreateInReleased():
                self._wrote(action, await _settled(self.host.create(action.key, action.record)))
            case UpdateInReleased():
                record = self._versioned(action.record_type, action.record)
                self._wrote(action, await _settled(self.host.update(record)))
            case VoidInReleased():
                voided = await _settled(self.host.void(action.record_type, action.released_id))
                self._note(voided, f"VoidInReleased {action.record_type.value}")
            case ArchiveInReleased() | UnarchiveInReleased():
                archived = isinstance(action, ArchiveInReleased)
                done = self.host.set_archived(
                    action.record_type, action.released_id, archived=archived
                )
                self._note(
                    await _settled(done), f"{type(action).__name__} {action.record_type.value}"
                )
            case LinkRecords():
                self.links[(action.record_type, action.released_id)] = Link(
                    record_type=action.record_type,
                    released_id=action.released_id,
                    intacct_key=action.intacct_key,
                    origin=action.origin,
                    released_fingerprint=action.released_fingerprint,
                    intacct_fingerprint=action.intacct_fingerprint,
                )
            case RecordResult(error=error) | Skip(reason=error):
                self.results.append(error)
            case _:  # Intacct writes: batched by ``_apply``
                pass

    def _wrote(
        self,
        action: CreateInReleased | UpdateInReleased,
        written: Result[ReleasedRecord, SyncError],
    ) -> None:
        if not is_successful(written):
            self.results.append(written.failure())
            return
        existing = self.links.get((action.record_type, written.unwrap().id))
        self._confirm(link_for_released_write(action, written.unwrap(), existing=existing))
        self.done[f"{type(action).__name__} {action.record_type.value}"] += 1

    def _note(self, outcome: Result[None, SyncError], what: str) -> None:
        if is_successful(outcome):
            self.done[what] += 1
        else:
            self.results.append(outcome.failure())

    def _confirm(self, link: Link) -> None:
        self.links[(link.record_type, link.released_id)] = link

    def _index(self) -> LinkIndex:
        return LinkIndex(self.links.values())

    def _seen(self, records: list[T]) -> list[T]:
        """Remember the versions read, so an update names the version it replaces."""
        for record in records:
            if isinstance(record, Contact):
                self._versions[(RecordType.CONTACT, record.id)] = record.version
            if isinstance(record, Invoice):
                self._versions[(record_type_of(record.kind), record.id)] = record.version
        return records

    def _versioned(self, record_type: RecordType, record: ReleasedRecord) -> ReleasedRecord:
        version = self._versions.get((record_type, record.id))
        if isinstance(record, Contact | Invoice) and version is not None:
            return replace(record, version=version)
        return record


def _role(invoice: Invoice) -> ContactRole:
    return ContactRole.CUSTOMER if invoice.type is InvoiceType.INCOME else ContactRole.VENDOR


async def _settled(future: FutureResult[T, SyncError]) -> Result[T, SyncError]:
    outcome = await future.awaitable()
    if is_successful(outcome):
        return Success(unsafe_perform_io(outcome.unwrap()))
    return Failure(unsafe_perform_io(outcome.failure()))


async def _value(future: FutureResult[T, SyncError]) -> T:
    outcome = await _settled(future)
    if not is_successful(outcome):
        raise FeedError(str(outcome.failure()))
    return outcome.unwrap()
