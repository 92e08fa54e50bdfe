"""The Intacct adapter: the domain's Intacct ports over the XML gateway.

One instance serves one connection (a company at an entity): its own session, its own concurrency
governor (with ``slots``, the company's slots shared with other processes: ``transport``) and its
own count of API transactions. Conversions between XML and domain records sit in
``convert``; the field mapping between Re-Leased and Intacct stays in the domain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import TypeVar

import httpx
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.clock import SystemClock
from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert import feeds, reading, writing
from released_intacct.adapters.intacct.directory import Directory
from released_intacct.adapters.intacct.doctor import Doctor
from released_intacct.adapters.intacct.feedreader import Convert, FeedReader
from released_intacct.adapters.intacct.lines import Lines
from released_intacct.adapters.intacct.lookups import Lookups
from released_intacct.adapters.intacct.orderkeys import OrderKeys, as_sent
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.adapters.intacct.reversals import Reversals
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.setupcache import SetupCache
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.adapters.intacct.writer import Writer
from released_intacct.adapters.slots import LOCAL_ONLY, RequestSlots
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.diagnosis import Diagnosis
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey
from released_intacct.domain.intacct import (
    Deletion,
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Party,
    TaxDetail,
    Transaction,
)
from released_intacct.domain.ports import (
    CANDIDATES,
    Credentials,
    Entity,
    FeedQuery,
    IntacctSetup,
    Page,
    WriteOutcome,
)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class IntacctAdapter:
    """Log-in and set-up, change feeds and exactly-once writes for one Intacct company."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        credentials: Credentials,
        *,
        entity: EntityId | None,
        settings: ClientSettings | None = None,
        sleep: Sleep = asyncio.sleep,
        slots: RequestSlots = LOCAL_ONLY,
        setups: SetupCache | None = None,
    ) -> None:
        self.settings = settings or ClientSettings()
        self.gateway = Gateway(
            client, self.settings, sleep=sleep, slots=slots, company=credentials.company_id
        )
        self.sessions = Sessions(self.gateway, credentials, self.settings, entity=entity)
        self._spent = 0
        self._entity: EntityId | None = None
        """The entity of the last ``setup``: where a refused write makes the set-up read again."""
        self._reads = Reads(self.sessions, self.settings, spend=self._spend)
        self._lines = Lines(self._reads, self.settings)
        self._reader = FeedReader(self._reads, self._lines, Reversals(self._reads), self.settings)
        self._alike = FeedReader(self._reads, self._lines, Reversals(self._reads), self.settings)
        """Reads the candidates of a create: a reader of its own, so what it reads is never taken
        for a version the feeds already returned (``FeedReader._fresh``)."""
        self._writer = Writer(
            self.sessions, self._lines, self.settings, spend=self._spend, sleep=sleep
        )
        self._directory = Directory(
            self.gateway,
            credentials,
            self.settings,
            spend=self._spend,
            cache=setups or SetupCache(SystemClock()),
        )
        self._doctor = Doctor(self._directory)
        self._lookups = Lookups(self._reads)
        self._orders = OrderKeys(self._lookups)

    def _spend(self, count: int) -> None:
        self._spent += count

    def transactions_spent(self) -> int:
        """API transactions used: one per record written, one per query (reads and look-ups)."""
        return self._spent

    # --- directory -------------------------------------------------------------------------------

    def login(self, credentials: Credentials) -> FutureResult[tuple[Entity, ...], SyncError]:
        """Rules C2, C3: a live log-in with ``credentials``; the company's entities (() if none).
        OAuth 2 credentials are the REST API's: refused FATAL (``session.xml_only``), as is every
        call of an adapter built with them."""
        return FutureResult(self._directory.login(credentials))

    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]:
        """Rule C5: the set-up facts at ``entity`` (``""``: top level), with this adapter's user;
        ``reuse``: facts kept from a read within ``settings.setup_lifetime`` may serve
        (``setupcache``; ``setups``, shared by the adapters of a process).

        It also tells this adapter whether the company uses Order Entry / Purchasing (payments of
        their documents need a translation of keys, ``orderkeys``). A run starts with it, so a
        page held for a second feed (``FeedReader``) never outlives the run that read it."""
        self._reader.let_go()
        self._entity = entity
        read = self._directory.setup(entity, shared=self.sessions, reuse=reuse)
        return FutureResult(read).map(self._learn)

    def diagnose(self, entity: EntityId) -> FutureResult[Diagnosis, SyncError]:
        """Read-only checks of the company at ``entity`` against the fidelity ledger."""
        return FutureResult(self._doctor.diagnose(entity))

    def _learn(self, setup: IntacctSetup) -> IntacctSetup:
        self._orders.uses_orders = setup.order_entry or setup.purchasing
        return setup

    # --- feeds -----------------------------------------------------------------------------------

    def _page(
        self, feed: feeds.Feed, query: FeedQuery, convert: Convert[T]
    ) -> FutureResult[Page[T], SyncError]:
        return FutureResult(self._reader.page(feed, query, convert))

    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]:
        return self._page(feeds.ACCOUNTS, query, reading.gl_account)

    def tax_details(self, query: FeedQuery) -> FutureResult[Page[TaxDetail], SyncError]:
        return self._page(feeds.TAX_DETAILS, query, reading.tax_detail)

    def dimension_values(
        self, kind: DimensionKind, query: FeedQuery
    ) -> FutureResult[Page[DimensionValue], SyncError]:
        convert = partial(reading.dimension_value, kind)
        return self._page(feeds.dimension_feed(kind), query, convert)

    def parties(self, role: ContactRole, query: FeedQuery) -> FutureResult[Page[Party], SyncError]:
        convert = partial(reading.party, role)
        return self._page(feeds.party_feed(role), query, convert)

    def transactions(
        self, origin: Origin, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Transaction], SyncError]:
        convert = partial(reading.transaction, origin, kind)
        return self._page(feeds.transaction_feed(origin, kind), query, convert)

    def payments(
        self, origin: Origin, query: FeedQuery
    ) -> FutureResult[Page[IntacctPayment], SyncError]:
        convert = partial(reading.payment, origin)
        return FutureResult(self._payments(origin, query, convert))

    async def _payments(
        self, origin: Origin, query: FeedQuery, convert: Convert[IntacctPayment]
    ) -> Result[Page[IntacctPayment], SyncError]:
        read = await self._reader.page(feeds.payment_feed(origin), query, convert)
        if not is_successful(read):
            return read
        page = read.unwrap()
        pointed = await self._orders.incoming(origin, page.items)
        return pointed.map(lambda items: replace(page, items=items))

    def parties_held(
        self, role: ContactRole, ids: Sequence[IntacctId]
    ) -> FutureResult[frozenset[IntacctId], SyncError]:
        object_name, id_field = feeds.PARTY_OBJECTS[role]
        found = self._lookups.pairs(object_name, id_field, id_field, ids)
        return FutureResult(found).map(lambda held: frozenset(IntacctId(i) for i in held))

    def transaction_held(
        self, origin: Origin, kind: DocumentKind, key: IntacctKey
    ) -> FutureResult[Transaction | None, SyncError]:
        return FutureResult(self._transaction_held(origin, kind, key))

    async def _transaction_held(
        self, origin: Origin, kind: DocumentKind, key: IntacctKey
    ) -> Result[Transaction | None, SyncError]:
        object_name = feeds.TRANSACTION_OBJECTS[origin, kind]
        field = "DOCID" if origin.is_order_module else "RECORDNO"
        found = await self._lookups.row(object_name, field, key)
        if not is_successful(found):
            return Failure(found.failure())
        row = found.unwrap()
        if row is None:
            return Success(None)
        attached = await self._lines.attach(object_name, [row])
        if not is_successful(attached):
            return Failure(attached.failure())
        if attached.unwrap().missing:
            return Failure(_held_without_lines(object_name, key))
        whole = attached.unwrap().rows[0]
        zone = await self._reads.zone()
        if not is_successful(zone):
            return Failure(zone.failure())
        read = reading.transaction(origin, kind, whole, tz=zone.unwrap())
        return Success(read.unwrap()) if is_successful(read) else Failure(read.failure())

    def deletions(
        self, record_type: RecordType, query: FeedQuery
    ) -> FutureResult[Page[Deletion], SyncError]:
        convert = partial(reading.deletion, record_type)
        return self._page(feeds.AUDIT.feed(record_type), query, convert)

    # --- writes ----------------------------------------------------------------------------------

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        return FutureResult(self._write(batch))

    async def _write(
        self, batch: Sequence[IntacctWrite]
    ) -> Result[tuple[WriteOutcome, ...], SyncError]:
        """Payments of OE/PO documents are re-pointed at their AR/AP records (``orderkeys``);
        what comes back names the documents again, as the domain sent them."""
        pointed = await self._orders.outgoing(batch)
        if not is_successful(pointed):
            return Failure(pointed.failure())
        translated = pointed.unwrap()
        refused = {
            key: WriteOutcome(key=IdempotencyKey(key), result=Failure(result.failure()))
            for key, result in translated.items()
            if not is_successful(result)
        }
        sent = [
            translated[w.key].unwrap() if w.key in translated else w
            for w in batch
            if w.key not in refused
        ]
        written = {o.key: o for o in await self._writer.write(sent)}
        if self._entity is not None and any(map(_refused, written.values())):
            self._directory.forget(self._entity)  # a set-up kept may be why: read it next run
        originals = {w.key: w for w in batch}
        return Success(
            tuple(
                refused.get(w.key) or as_sent(written[w.key], originals[w.key])
                for w in batch
                if w.key in refused or w.key in written
            )
        )

    def find_written(self, write: CreateInIntacct) -> FutureResult[IntacctRecord | None, SyncError]:
        return FutureResult(self._writer.find(write))

    def candidates(
        self, write: CreateInIntacct
    ) -> FutureResult[tuple[IntacctRecord, ...], SyncError]:
        return FutureResult(self._candidates(write.record))

    async def _candidates(
        self, record: IntacctRecord
    ) -> Result[tuple[IntacctRecord, ...], SyncError]:
        """The records ``writing.resembling`` finds, read as the feeds read them (lines and all),
        at most ``CANDIDATES``; a payment's must also be for its amount."""
        condition = writing.resembling(record)
        if condition is None:
            return Success(())
        if isinstance(record, Party):
            role = record.role
            return await self._alike_of(
                feeds.party_feed(role), condition, partial(reading.party, role)
            )
        if isinstance(record, Transaction):
            origin, kind = record.origin, record.kind
            feed = feeds.transaction_feed(origin, kind, definition=record.transaction_definition)
            convert = partial(reading.transaction, origin, kind)
            return await self._alike_of(feed, condition, convert)
        if isinstance(record, IntacctPayment):
            origin = record.origin
            found = await self._alike_of(
                feeds.payment_feed(origin), condition, partial(reading.payment, origin)
            )
            if not is_successful(found):
                return found
            payments = [p for p in found.unwrap() if isinstance(p, IntacctPayment)]
            pointed = await self._orders.incoming(origin, tuple(payments))
            return pointed.map(lambda items: tuple(p for p in items if p.amount == record.amount))
        return Success(())

    async def _alike_of(
        self, feed: feeds.Feed, condition: q.Condition, convert: Convert[T]
    ) -> Result[tuple[T, ...], SyncError]:
        narrowed = replace(feed, where=q.both(feed.where, condition))
        read = await self._alike.page(narrowed, FeedQuery(size=CANDIDATES), convert)
        if not is_successful(read):
            return Failure(read.failure())
        page = read.unwrap()
        if page.problems:
            return Failure(page.problems[0])  # a candidate that cannot be read is still one
        return Success(page.items)


def _refused(outcome: WriteOutcome) -> bool:
    result = outcome.result
    return not is_successful(result) and result.failure().kind is ErrorKind.REJECTED


def _held_without_lines(object_name: str, key: IntacctKey) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"The lines of Sage Intacct {object_name} {key} could not be read just now.",
        fix="Nothing to do: the sync reads it again before sending anything about it.",
        cause=f"{object_name} {key}: no lines",
    )
