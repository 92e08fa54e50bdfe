"""One company's sync run over the in-memory fakes (rules D1-D4, D6, D7, D14, D21, E1, E3, E4).

Both companies are seeded as users would have them after onboarding matched one account; the
clock ticks one second per reading, so every write is stamped after the run started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.intents import open_writes, resolve, what
from released_intacct.app.ports import Ports
from released_intacct.app.sync import SyncService
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    InvoiceType,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
    System,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IdempotencyKey,
    IntacctCompanyId,
    IntacctId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.intacct import (
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Item,
    Party,
    PaymentApplication,
    TaxDetail,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.links import Link
from released_intacct.domain.money import currency
from released_intacct.domain.ports import (
    Credentials,
    FeedQuery,
    IntacctCredentials,
    IntacctPort,
    Page,
    ReleasedPort,
    WriteOutcome,
)
from released_intacct.domain.released import Account, Contact, Invoice, InvoiceLine, Payment
from released_intacct.domain.results import RunStatus, SyncResult
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    Connection,
    Fence,
    IntentState,
    Phase,
    Resolution,
    Run,
    lost,
)
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

USD = currency("USD")
EUR = currency("EUR")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ON = date(2026, 2, 10)
ID = ConnectionId("conn-a")


class Ticking:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


class Host(FakeReleased):
    """The fake, updating as the HTTP adapter does: a record built from Intacct (version 0)
    replaces the current version (``adapters.released.writer._known_version``)."""

    def update(self, record: Any) -> FutureResult[Any, SyncError]:
        current = self.records.get((_type_of(record), record.id))
        if isinstance(record, Contact | Invoice) and record.version == 0 and current is not None:
            record = replace(record, version=getattr(current, "version", 0))
        return super().update(record)


def _type_of(record: Any) -> RecordType:
    if isinstance(record, Invoice):
        return RecordType.INVOICE if record.kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
    return RecordType.CONTACT if isinstance(record, Contact) else RecordType.ACCOUNT


class Crashing(FakeIntacct):
    """Intacct whose first batch raises: before it is applied, or after (the answer is lost)."""

    applied_first: bool = False
    crashed: bool = False

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        if self.crashed:
            return super().write(batch)
        self.crashed = True
        return FutureResult(self._die(batch))

    async def _die(
        self, batch: Sequence[IntacctWrite]
    ) -> Result[tuple[WriteOutcome, ...], SyncError]:
        if self.applied_first:
            await super().write(batch).awaitable()
        raise RuntimeError("the process died")


class Expired(FakeIntacct):
    """A company whose Intacct subscription ended: every read is FATAL."""

    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]:
        return FutureResult.from_failure(
            SyncError(
                kind=ErrorKind.FATAL,
                rule=None,
                message="The Sage Intacct company is no longer active.",
                fix="Renew the subscription.",
            )
        )


@dataclass
class World:
    intacct: FakeIntacct
    clock: Ticking = field(default_factory=Ticking)
    store: FakeStateStore = field(default_factory=FakeStateStore)
    released: Host = field(init=False)

    def __post_init__(self) -> None:
        self.intacct.clock = self.clock.now
        self.released = Host(clock=self.clock.now)

    def service(self) -> SyncService:
        return SyncService(
            Ports(
                store=self.store,
                intacct_for=self._intacct_for,
                released_for=self._released_for,
                clock=self.clock,
            )
        )

    def _intacct_for(self, _: Credentials, __: EntityId | None) -> IntacctPort:
        return self.intacct

    def _released_for(self, _: ReleasedCompanyId) -> ReleasedPort:
        return self.released

    async def sync(self) -> Run:
        return await value(self.service().run(ID))

    def intacct_of(self, kind: type[Any]) -> list[Any]:
        return [r for r in self.intacct.records if isinstance(r, kind)]

    def released_of(self, kind: type[Any]) -> list[Any]:
        return [r for r in self.released.records.values() if isinstance(r, kind)]

    def edit_intacct(self, old: IntacctRecord, new: Party | Transaction) -> None:
        stamped = replace(new, modified_at=self.clock.now())
        self.intacct.records = [stamped if r is old else r for r in self.intacct.records]


async def seeded(intacct: FakeIntacct | None = None, store: FakeStateStore | None = None) -> World:
    world = World(intacct=intacct or FakeIntacct(), store=store or FakeStateStore())
    for record in (
        GlAccount(account_no=IntacctId("4000"), title="Rent Income"),
        GlAccount(account_no=IntacctId("5000"), title="Repairs"),
        TaxDetail(detail_id=IntacctId("Exempt"), rate=Decimal(0)),
        DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D1"), name="Lettings"),
        Party(role=ContactRole.CUSTOMER, party_id=IntacctId("C1"), name="Harbour Cafe"),
    ):
        world.intacct.put(record)
    invoice = world.intacct.put(_intacct_invoice())
    assert isinstance(invoice, Transaction)
    world.intacct.put(
        IntacctPayment(
            origin=Origin.AR,
            kind=PaymentKind.ORDINARY,
            party_id=IntacctId("C1"),
            date=ON + timedelta(days=2),
            currency=USD,
            amount=Decimal(500),
            applications=(PaymentApplication(document_key=invoice.link_key, amount=Decimal(500)),),
            reference="CHQ-77",
        )
    )
    released = world.released
    released.put(Account(id=ReleasedId("acc-rent"), code="4000", name="Rent"))
    released.put(Contact(id=ReleasedId("con-bay"), name="Bay Lettings", role=ContactRole.CUSTOMER))
    released.put(_invoice("inv-r1", "R-1", ReleasedInvoiceStatus.AWAITING_APPROVAL))
    released.put(_invoice("inv-r2", "R-2", ReleasedInvoiceStatus.APPROVED))
    released.put(_payment())
    await _connect(world)
    return world


async def _connect(world: World) -> None:
    secret = Secret("pw")
    credentials = IntacctCredentials(
        sender_id="s", sender_password=secret, company_id="ACME", user_id="u", user_password=secret
    )
    connection = Connection(
        id=ID,
        released_company=ReleasedCompanyId("RL-A"),
        intacct_company=IntacctCompanyId("ACME"),
        phase=Phase.CONFIRMED,
        entity=EntityId(""),
        sync_from=date(2026, 1, 1),
        created_at=T0,
        confirmed_at=T0,
    )
    await value(world.store.add_connection(connection, credentials))
    matched = Link(
        record_type=RecordType.ACCOUNT,
        released_id=ReleasedId("acc-rent"),
        intacct_key=IntacctKey("4000"),
        origin=System.INTACCT,
    )
    await value(world.store.save_links(ID, [matched]))


def _intacct_invoice() -> Transaction:
    line = TransactionLine(memo="March rent", account_no=IntacctId("4000"), amount=Decimal(500))
    return Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number="INV-1",
        state=IntacctState.POSTED,
        party_id=IntacctId("C1"),
        invoice_date=ON,
        gl_date=ON,
        due_date=ON + timedelta(days=30),
        currency=USD,
        lines=(line,),
    )


def _invoice(id: str, number: str, status: ReleasedInvoiceStatus, **extra: Any) -> Invoice:
    line = InvoiceLine(
        description="Rent", account_id=ReleasedId("acc-rent"), unit_price=Decimal(300)
    )
    base = Invoice(
        id=ReleasedId(id),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number=number,
        status=status,
        contact_id=ReleasedId("con-bay"),
        issue_date=ON,
        due_date=ON + timedelta(days=14),
        currency=USD,
        lines=(line,),
    )
    return replace(base, **extra)


def _payment() -> Payment:
    return Payment(
        id=ReleasedId("pay-r2"),
        invoice_id=ReleasedId("inv-r2"),
        document_kind=DocumentKind.INVOICE,
        date=ON + timedelta(days=1),
        amount=Decimal(300),
        currency=USD,
    )


def run(body: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(body())


# --- initial sync --------------------------------------------------------------------------------


def test_D1_D3_D4_D6_initial_sync_creates_both_ways_and_stores_links() -> None:
    async def body() -> None:
        world = await seeded()
        finished = await world.sync()
        assert finished.status is RunStatus.SUCCEEDED, await _results(world)
        assert finished.status.colour == "blue"
        assert {a.name for a in world.released_of(Account)} == {"Rent Income", "Repairs"}
        names = {c.name for c in world.released_of(Contact)}
        assert names == {"C1 - Harbour Cafe", "Bay Lettings"}
        copies = {i.invoice_number: i for i in world.released_of(Invoice)}
        assert copies["INV-1"].status is ReleasedInvoiceStatus.PAID  # its payment synced too
        assert [p.amount for p in world.released_of(Payment) if p.reference == "CHQ-77"] == [
            Decimal(500)
        ]
        parties = {p.name: p for p in world.intacct_of(Party)}
        assert parties["Bay Lettings"].role is ContactRole.CUSTOMER
        sent = {t.number: t for t in world.intacct_of(Transaction)}
        assert sent["R-1"].state is IntacctState.DRAFT
        assert sent["R-2"].state is IntacctState.POSTED
        paid = [p for p in world.intacct_of(IntacctPayment) if p.amount == Decimal(300)]
        assert len(paid) == 1
        links = await value(world.store.links(ID, RecordType.INVOICE))
        origins = sorted((link.origin.value, link.intacct_key) for link in links)
        assert [o for o, _ in origins] == ["intacct", "released", "released"]
        assert all(world.released.get(RecordType.INVOICE, link.released_id) for link in links)
        assert len(links) == 3
        assert len(await value(world.store.links(ID, RecordType.PAYMENT))) == 2
        counts = finished.counts
        assert counts.of(RecordType.CONTACT).created == 2
        assert counts.of(RecordType.INVOICE).created == 3
        assert counts.of(RecordType.ACCOUNT).created == 1
        assert (
            counts.of(RecordType.ACCOUNT).updated == 1
        )  # the matched account takes Intacct's title
        notes = await value(world.store.notifications(ID))
        assert notes[0].notification.title == "Sync finished"

    run(body)


def test_D21_a_second_sync_with_no_changes_writes_nothing() -> None:
    async def body() -> None:
        world = await seeded()
        await world.sync()
        intacct_before = list(world.intacct.records)
        released_before = dict(world.released.stamps)
        again = await world.sync()
        assert again.status is RunStatus.SUCCEEDED
        assert world.intacct.records == intacct_before
        assert world.released.stamps == released_before
        assert all(c.created == c.updated == 0 for c in again.counts.by_type.values())

    run(body)


def test_D3_an_edit_in_intacct_flows_on_the_next_run() -> None:
    async def body() -> None:
        world = await seeded()
        await world.sync()
        harbour = next(p for p in world.intacct_of(Party) if p.name == "Harbour Cafe")
        world.edit_intacct(harbour, replace(harbour, name="Harbour Cafe & Bar"))
        again = await world.sync()
        assert again.counts.of(RecordType.CONTACT).updated == 1
        names = {c.name for c in world.released_of(Contact)}
        assert names == {"C1 - Harbour Cafe & Bar", "Bay Lettings"}
        third = await world.sync()
        assert third.counts.of(RecordType.CONTACT).updated == 0

    run(body)


def test_D7_a_reversal_in_intacct_voids_the_copy_and_asks_to_unlink() -> None:
    async def body() -> None:
        world = await seeded()
        world.intacct.records = [
            r for r in world.intacct.records if not isinstance(r, IntacctPayment)
        ]
        await world.sync()
        inv = next(t for t in world.intacct_of(Transaction) if t.number == "INV-1")
        world.edit_intacct(inv, replace(inv, state=IntacctState.REVERSED))
        again = await world.sync()
        copy = next(i for i in world.released_of(Invoice) if i.invoice_number == "INV-1")
        assert copy.status is ReleasedInvoiceStatus.VOIDED
        rows = [r for r in await _results(world) if r.rule is Rule.D7]
        assert len(rows) == 1
        assert again.status is RunStatus.FAILED  # it needs the user: finished with errors (red)
        third = await world.sync()
        assert third.counts.of(RecordType.INVOICE).failed == 0  # the void is not seen as an edit

    run(body)


# --- results -------------------------------------------------------------------------------------


def test_E1_D14_a_refused_record_leaves_one_result_and_the_same_again_counts() -> None:
    async def body() -> None:
        world = await seeded()
        world.released.put(
            _invoice("inv-eur", "R-EUR", ReleasedInvoiceStatus.APPROVED, currency=EUR)
        )
        first = await world.sync()
        rows = [r for r in await _results(world) if r.released_id == "inv-eur"]
        assert [(r.rule, r.count) for r in rows] == [(Rule.D14, 1)]
        assert "R-EUR" in rows[0].message or "EUR" in rows[0].message
        assert first.status is RunStatus.FAILED
        assert first.counts.of(RecordType.INVOICE).failed == 1
        stored = world.released.get(RecordType.INVOICE, ReleasedId("inv-eur"))
        assert isinstance(stored, Invoice)
        await value(world.released.update(replace(stored, reference="still in euros")))
        await world.sync()
        rows = [r for r in await _results(world) if r.released_id == "inv-eur"]
        assert [(r.rule, r.count) for r in rows] == [(Rule.D14, 2)]
        assert not [t for t in world.intacct_of(Transaction) if t.number == "R-EUR"]

    run(body)


async def _results(world: World) -> list[Any]:
    return list(await value(world.store.results(ID)))


# --- the outbox ----------------------------------------------------------------------------------


@pytest.mark.parametrize("applied", [False, True], ids=["before-sending", "answer-lost"])
def test_outbox_a_crash_after_recording_intents_creates_nothing_twice(applied: bool) -> None:
    async def body() -> None:
        crashing = Crashing()
        crashing.applied_first = applied
        world = await seeded(crashing)
        with pytest.raises(RuntimeError, match="the process died"):
            await world.sync()
        crashed = (await value(world.store.runs(ID)))[0]
        assert crashed.status is RunStatus.FAILED
        assert await value(world.store.open_intents(ID))
        again = await world.sync()
        assert again.status is RunStatus.SUCCEEDED, await _results(world)
        assert not await value(world.store.open_intents(ID))
        names = [p.name for p in world.intacct_of(Party)]
        assert sorted(names) == ["Bay Lettings", "Harbour Cafe"]
        copies = [c.name for c in world.released_of(Contact)]
        assert sorted(copies) == ["Bay Lettings", "C1 - Harbour Cafe"]
        numbers = [t.number for t in world.intacct_of(Transaction)]
        assert sorted(numbers) == ["INV-1", "R-1", "R-2"]
        assert len(world.intacct_of(IntacctPayment)) == 2
        links = await value(world.store.links(ID, RecordType.CONTACT))
        assert len(links) == 2

    run(body)


# --- cursors and runs ----------------------------------------------------------------------------


def test_cursors_never_pass_the_start_of_the_run_even_when_paged() -> None:
    async def body() -> None:
        world = await seeded()
        world.released.put(
            Contact(id=ReleasedId("con-quay"), name="Quay Storage", role=ContactRole.VENDOR)
        )
        world.released.page_size = world.intacct.page_size = 1
        finished = await world.sync()
        assert finished.status is RunStatus.SUCCEEDED
        assert finished.counts.of(RecordType.CONTACT).created == 3
        feeds = ("released.contacts", "intacct.parties.customer", "released.invoices.invoice")
        cursors = [await value(world.store.cursor(ID, feed)) for feed in feeds]
        assert all(c is not None and c.position <= finished.started_at for c in cursors)
        contacts = cursors[0]
        assert contacts is not None
        assert contacts.position == finished.started_at  # a copy written and read: clamped
        again = await world.sync()
        assert all(c.created == c.updated == 0 for c in again.counts.by_type.values())

    run(body)


def test_E4_a_second_run_while_one_is_open_is_refused() -> None:
    async def body() -> None:
        world = await seeded()
        await value(world.store.start_run(ID, at=T0))
        refused = await world.service().run(ID)
        assert not is_successful(refused)
        assert refused.failure().rule is Rule.E4
        assert [a.name for a in world.released_of(Account)] == ["Rent"]  # nothing synced
        assert len(await value(world.store.runs(ID))) == 1

    run(body)


def test_E3_a_fatal_intacct_error_stops_that_company_red_and_not_another() -> None:
    async def body() -> None:
        expired, healthy = await seeded(Expired()), await seeded()
        red, blue = await asyncio.gather(expired.sync(), healthy.sync())
        assert red.status is RunStatus.FAILED
        assert red.status.colour == "red"
        assert red.finished_at is not None
        assert [a.name for a in expired.released_of(Account)] == ["Rent"]
        note = (await value(expired.store.notifications(ID)))[0].notification
        assert note.title == "Sync failed"
        assert "no longer active" in note.body
        assert blue.status is RunStatus.SUCCEEDED
        assert blue.status.colour == "blue"

    run(body)


# --- Order Entry (D17) ---------------------------------------------------------------------------


def test_D17_with_order_entry_items_are_made_and_oe_invoices_take_intacct_number_at_once() -> None:
    """Each linked account gets its sales Item before invoices go out as OE documents; what
    Intacct adds (the DOCID as the number, M1) is read back in the same run, so the next run
    writes nothing (D21)."""

    async def body() -> None:
        intacct = FakeIntacct()
        intacct.company_setup = replace(intacct.company_setup, order_entry=True)
        world = await seeded(intacct)
        first = await world.sync()
        assert first.status is RunStatus.SUCCEEDED, await _results(world)
        items = sorted(i.item_id for i in world.intacct_of(Item))
        assert items == ["4000-S", "5000-S"]
        documents = [t for t in world.intacct_of(Transaction) if t.origin is Origin.ORDER_ENTRY]
        assert sorted(t.number for t in documents) == ["R-1", "R-2"]
        assert {line.item_id for t in documents for line in t.lines} == {"4000-S"}
        numbers = {i.id: i.invoice_number for i in world.released_of(Invoice)}
        assert numbers[ReleasedId("inv-r1")] == "Sales Invoice-R-1"
        intacct_before, released_before = list(world.intacct.records), dict(world.released.stamps)
        again = await world.sync()
        assert again.status is RunStatus.SUCCEEDED
        assert world.intacct.records == intacct_before
        assert world.released.stamps == released_before
        assert all(c.created == c.updated == 0 for c in again.counts.by_type.values())

    run(body)


# --- contacts with no side yet (D4) ---------------------------------------------------------------


def test_D4_a_contact_with_no_side_waits_until_an_invoice_names_it() -> None:
    async def body() -> None:
        world = await seeded()
        fixer = Contact(id=ReleasedId("con-fix"), name="Fix-It Plumbing", role=None)
        world.released.put(fixer)
        await world.sync()
        assert "Fix-It Plumbing" not in {p.name for p in world.intacct_of(Party)}
        waiting = [r for r in await _results(world) if r.released_id == "con-fix"]
        assert [(r.rule, r.kind) for r in waiting] == [(Rule.D4, ErrorKind.SKIPPED)]
        bill = _invoice(
            "bill-fix",
            "FIX-1",
            ReleasedInvoiceStatus.APPROVED,
            type=InvoiceType.EXPENSE,
            contact_id=ReleasedId("con-fix"),
        )
        world.released.put(bill)
        finished = await world.sync()
        assert finished.status is RunStatus.SUCCEEDED, await _results(world)
        (vendor,) = [p for p in world.intacct_of(Party) if p.name == "Fix-It Plumbing"]
        assert vendor.role is ContactRole.VENDOR  # an expense invoice is its bill: it bills
        (sent,) = [t for t in world.intacct_of(Transaction) if t.number == "FIX-1"]
        assert (sent.origin, sent.party_id) == (Origin.AP, vendor.party_id)

    run(body)


def test_D20_both_changed_on_different_pages_intacct_wins_and_a_result_says_so() -> None:
    """The Re-Leased edit is on the first page of its feed, the Intacct edit on the second page
    of its own: before the Re-Leased edit is sent, Intacct's version is looked up."""

    async def body() -> None:
        world = await seeded()
        await world.sync()
        world.intacct.page_size = 1
        ours = next(i for i in world.released_of(Invoice) if i.id == "inv-r1")
        line = replace(ours.lines[0], unit_price=Decimal(350))
        await value(world.released.update(replace(ours, lines=(line,))))  # a user's edit
        first = next(t for t in world.intacct_of(Transaction) if t.number == "INV-1")
        world.edit_intacct(first, replace(first, reference="PO-9"))  # page 1 of the AR feed
        draft = next(t for t in world.intacct_of(Transaction) if t.number == "R-1")
        memo = replace(draft.lines[0], memo="Rent, as agreed")
        world.edit_intacct(draft, replace(draft, lines=(memo,)))  # page 2
        await world.sync()
        (kept,) = [t for t in world.intacct_of(Transaction) if t.number == "R-1"]
        assert [(x.memo, x.amount) for x in kept.lines] == [("Rent, as agreed", Decimal(300))]
        copy = world.released.get(RecordType.INVOICE, ReleasedId("inv-r1"))
        assert isinstance(copy, Invoice)
        assert [(x.description, x.unit_price) for x in copy.lines] == [
            ("Rent, as agreed", Decimal(300))
        ]
        told = [r for r in await _results(world) if r.rule is Rule.D20]
        assert [r.released_id for r in told] == ["inv-r1"]
        assert "changed in both Re-Leased and Sage Intacct" in told[0].message

    run(body)


def test_D20_an_intacct_draft_edit_meeting_an_approval_on_another_page_is_left_alone() -> None:
    """The approval is on the first page of Re-Leased's feed, the Intacct edit of the draft on
    the second page of its own. The approval's update of Intacct looks Intacct's version up and
    leaves the pair to the user (D20, NEEDS_USER); the Intacct page that comes after must not
    then write the draft's version over the approved copy: the copy is looked up first. Every
    later sync says the same, once."""

    async def body() -> None:
        world = await seeded()
        await world.sync()
        world.intacct.page_size = 1
        ours = next(i for i in world.released_of(Invoice) if i.id == "inv-r1")
        approved = replace(ours, status=ReleasedInvoiceStatus.APPROVED)
        await value(world.released.update(approved))  # a user's approval
        first = next(t for t in world.intacct_of(Transaction) if t.number == "INV-1")
        world.edit_intacct(first, replace(first, reference="PO-9"))  # page 1 of the AR feed
        draft = next(t for t in world.intacct_of(Transaction) if t.number == "R-1")
        memo = replace(draft.lines[0], memo="Rent, as agreed")
        world.edit_intacct(draft, replace(draft, lines=(memo,)))  # page 2
        for _ in range(3):
            await world.sync()
            (kept,) = [t for t in world.intacct_of(Transaction) if t.number == "R-1"]
            assert kept.state is IntacctState.DRAFT
            assert [x.memo for x in kept.lines] == ["Rent, as agreed"]
            copy = world.released.get(RecordType.INVOICE, ReleasedId("inv-r1"))
            assert isinstance(copy, Invoice)
            assert copy.status is ReleasedInvoiceStatus.APPROVED
            assert copy.lines == ours.lines
            told = [r for r in await _results(world) if r.released_id == "inv-r1"]
            assert [(r.rule, r.kind) for r in told] == [(Rule.D20, ErrorKind.NEEDS_USER)]

    run(body)


# --- progress and heartbeat (E3, E4) --------------------------------------------------------------


@dataclass
class Watched(FakeIntacct):
    """Intacct whose payments feed, when first read, lets a test look at the store (``seen``)
    or act on it as another process would (``interfere``)."""

    store: FakeStateStore | None = None
    seen: list[Run] = field(default_factory=list)
    interfere: bool = False

    def payments(
        self, origin: Origin, query: FeedQuery
    ) -> FutureResult[Page[IntacctPayment], SyncError]:
        return FutureResult(self._watch()).bind(
            lambda _: super(Watched, self).payments(origin, query)
        )

    async def _watch(self) -> Result[None, SyncError]:
        assert self.store is not None
        if not self.seen:
            self.seen.extend(await value(self.store.runs(ID)))
            if self.interfere:  # another process decides this run is dead
                await value(self.store.release_stale_runs(before=T0 + timedelta(days=9), at=T0))
        return Success(None)


def test_E3_progress_per_record_type_is_stored_as_the_run_goes() -> None:
    async def body() -> None:
        intacct = Watched()
        world = await seeded(intacct)
        intacct.store = world.store
        finished = await world.sync()
        (during,) = intacct.seen  # read while payments were about to be read
        assert during.status is RunStatus.RUNNING
        assert during.heartbeat_at is not None
        invoices = during.progress.of(RecordType.INVOICE)
        assert (invoices.done, invoices.total) == (3, 3)  # 1 from Intacct, 2 from Re-Leased
        assert during.progress.of(RecordType.PAYMENT).done == 0
        assert finished.progress.of(RecordType.PAYMENT).done == 2
        assert finished.progress.of(RecordType.ACCOUNT).total == 2

    run(body)


def test_E3_a_run_stores_the_intacct_transactions_it_spent_not_the_processs() -> None:
    async def body() -> None:
        world = await seeded()
        first = await world.sync()
        spent = world.intacct.transactions_spent()
        assert first.transactions == spent > 0
        second = await world.sync()  # the same port: its count goes on from the first run's
        assert second.transactions == world.intacct.transactions_spent() - spent > 0
        assert await value(world.store.runs(ID, limit=2)) == (second, first)

    run(body)


def test_E4_a_run_released_as_dead_by_another_process_stops_at_its_next_heartbeat() -> None:
    async def body() -> None:
        intacct = Watched(interfere=True)
        world = await seeded(intacct)
        intacct.store = world.store
        outcome = await world.service().run(ID)
        (released, *_) = await value(world.store.runs(ID))
        assert outcome == Failure(lost(released.fence))  # F1: stopped at once, as lost
        assert released.status is RunStatus.FAILED
        assert released.released_at is not None
        notes = [n.notification.title for n in await value(world.store.notifications(ID))]
        assert "Sync stopped: taken over" in notes
        assert not world.intacct_of(IntacctPayment)[1:]  # Re-Leased's payment never went out
        again = await world.sync()  # the company is not locked out
        assert again.status is RunStatus.SUCCEEDED, await _results(world)

    run(body)


def test_D9_a_payment_deleted_in_intacct_stays_in_released_with_a_result() -> None:
    async def body() -> None:
        world = await seeded()
        await world.sync()
        (paid,) = [p for p in world.intacct_of(IntacctPayment) if p.reference == "CHQ-77"]
        assert paid.record_no is not None
        world.intacct.delete(RecordType.PAYMENT, IntacctKey(paid.record_no))
        await world.sync()
        copies = [p for p in world.released_of(Payment) if p.reference == "CHQ-77"]
        assert len(copies) == 1  # nothing is deleted in Re-Leased
        told = [r for r in await _results(world) if r.rule is Rule.D9]
        assert [(r.released_id, r.kind) for r in told] == [(copies[0].id, ErrorKind.NEEDS_USER)]
        assert "was deleted in Sage Intacct; it is still in Re-Leased" in told[0].message

    run(body)


class Unreachable(FakeIntacct):
    """Intacct whose first batch never leaves: no connection was free in the pool in time."""

    looked_up: int = 0
    refused: bool = False

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        if self.refused:
            return super().write(batch)
        self.refused = True
        unsent = SyncError(
            kind=ErrorKind.RETRIABLE,
            rule=None,
            message="The sync: no connection to Sage Intacct was free in time; not sent.",
            fix="Nothing to do.",
            cause="PoolTimeout",
            unsent=True,
        )
        outcomes = tuple(WriteOutcome(key=w.key, result=Failure(unsent)) for w in batch)
        return FutureResult.from_result(Success(outcomes))

    def find_written(self, write: CreateInIntacct) -> FutureResult[IntacctRecord | None, SyncError]:
        self.looked_up += 1
        return super().find_written(write)


def test_F13_pool_timeout_a_write_never_sent_is_not_looked_up_and_its_intent_stays_open() -> None:
    async def body() -> None:
        intacct = Unreachable()
        world = await seeded(intacct)
        stopped = await world.sync()
        assert stopped.status is RunStatus.FAILED
        assert intacct.looked_up == 0  # nothing left, so nothing to look up
        pending = await value(world.store.open_intents(ID))
        assert pending
        assert {intent.state for intent in pending} == {IntentState.PENDING}  # never SENT
        note = (await value(world.store.notifications(ID)))[0].notification
        assert "could not send" in note.body
        told = [r for r in await _results(world) if "was free in time" in r.message]
        assert told
        again = await world.sync()
        assert again.status is RunStatus.SUCCEEDED, await _results(world)
        names = sorted(p.name for p in world.intacct_of(Party))
        assert names == ["Bay Lettings", "Harbour Cafe"]  # created once


# --- issue 16, F3: an open create whose key no Intacct record carries --------------------------
#
# The first batch to Intacct (the customer for the Re-Leased contact "Bay Lettings") lands and the
# process dies before it hears back, so the create's intent stays open. Then a user edits the
# customer where the key was written (the fake forgets the key). The next syncs must neither
# create a second customer nor forget the first: the customer of the same name is named as a
# candidate (NEEDS_USER), the intent stays open, the run stops and every run asks again until the
# user answers (``app.intents.resolve``). A same-named customer already linked to another
# Re-Leased contact is no candidate.


class KeyFieldRefused(Crashing):
    """A company that refuses a query on the field keys are written in (``doctor``'s
    ``keys.fields`` fails): every look-up by key fails, whatever it holds."""

    def find_written(self, write: CreateInIntacct) -> FutureResult[IntacctRecord | None, SyncError]:
        self.spent += 1
        refused = SyncError(
            kind=ErrorKind.REJECTED,
            rule=None,
            message="Sage Intacct refused the query: Invalid field DISPLAYCONTACT.CONTACTNAME.",
            fix="Tell support.",
        )
        return FutureResult.from_failure(refused)


async def _lost_then_edited(crashing: Crashing | None = None) -> World:
    """The customer for "Bay Lettings" is created, its answer lost, then its key field edited."""
    crashing = crashing or Crashing()
    crashing.applied_first = True
    world = await seeded(crashing)
    with pytest.raises(RuntimeError, match="the process died"):
        await world.sync()  # with the create's answer
    crashing.by_key.clear()
    return world


def _bay(world: World) -> list[Party]:
    return [p for p in world.intacct_of(Party) if p.name == "Bay Lettings"]


async def _asked(world: World) -> SyncResult:
    results = await value(world.store.results(ID))
    (asked,) = [r for r in results if r.released_id == "con-bay"]
    return asked


def test_F3_a_create_that_may_be_in_intacct_waits_for_the_user_and_is_never_sent_twice() -> None:
    async def body() -> None:
        world = await _lost_then_edited()
        (customer,) = _bay(world)
        for round_ in (1, 2):
            stopped = await world.sync()
            assert stopped.status is RunStatus.FAILED
            asked = await _asked(world)
            assert asked.kind is ErrorKind.NEEDS_USER
            assert asked.count == round_, "the same question again, one row"
            assert f'CUSTOMER:{customer.party_id} "Bay Lettings"' in asked.message
            (waiting,) = await value(open_writes(world.store, ID))
            assert waiting.asked == asked
            assert what(waiting.intent.action) == 'create Intacct customer "Bay Lettings"'
            assert len(_bay(world)) == 1
            assert sorted(c.name for c in world.released_of(Contact)) == [
                "Bay Lettings",
                "C1 - Harbour Cafe",
            ], "the customer is not read back as a new Intacct one (D3)"
        notes = await value(world.store.notifications(ID))
        assert "released-intacct intents" in notes[0].notification.body
        chosen = Resolution.link(IntacctKey(f"CUSTOMER:{customer.party_id}"))
        await value(resolve(world.store, ID, waiting.intent.key, chosen))
        done = await world.sync()
        assert done.status is RunStatus.SUCCEEDED, await value(world.store.results(ID))
        assert await value(open_writes(world.store, ID)) == ()
        (link,) = await value(
            world.store.links(ID, RecordType.CONTACT, released_ids=[ReleasedId("con-bay")])
        )
        assert link.intacct_key == f"CUSTOMER:{customer.party_id}"
        assert len(_bay(world)) == 1
        assert sorted(c.name for c in world.released_of(Contact)) == [
            "Bay Lettings",
            "C1 - Harbour Cafe",
        ]

    run(body)


def test_F3_a_link_to_a_record_that_is_no_candidate_is_refused_and_send_again_sends() -> None:
    async def body() -> None:
        world = await _lost_then_edited()
        await world.sync()
        (waiting,) = await value(open_writes(world.store, ID))
        stranger = Resolution.link(IntacctKey("CUSTOMER:C1"))  # linked to Harbour Cafe
        await value(resolve(world.store, ID, waiting.intent.key, stranger))
        refused = await world.sync()
        assert refused.status is RunStatus.FAILED
        results = await value(world.store.results(ID))
        assert any("CUSTOMER:C1, which you linked" in r.message for r in results)
        assert len(await value(open_writes(world.store, ID))) == 1
        assert len(_bay(world)) == 1
        await value(resolve(world.store, ID, waiting.intent.key, Resolution.send_again()))
        await world.sync()
        assert await value(open_writes(world.store, ID)) == ()
        assert len(_bay(world)) == 2, "sent again, as the user said: none was it"

    run(body)


def test_F3_the_users_answer_is_the_way_out_when_the_key_cannot_be_looked_up_at_all() -> None:
    async def body() -> None:
        world = await _lost_then_edited(KeyFieldRefused())
        for _ in (1, 2):
            assert (await world.sync()).status is RunStatus.FAILED
            asked = await _asked(world)
            assert "Invalid field" in asked.message
            assert len(await value(open_writes(world.store, ID))) == 1
        (customer,) = _bay(world)
        (waiting,) = await value(open_writes(world.store, ID))
        chosen = Resolution.link(IntacctKey(f"CUSTOMER:{customer.party_id}"))
        await value(resolve(world.store, ID, waiting.intent.key, chosen))
        done = await world.sync()
        assert done.status is RunStatus.SUCCEEDED, await value(world.store.results(ID))
        assert await value(open_writes(world.store, ID)) == ()
        assert len(_bay(world)) == 1

    run(body)


class DiesBeforeSending(FakeStateStore):
    """The process dies as the run marks its first batch to Intacct SENT (``hold``): nothing of
    it is sent."""

    died = False

    def hold(
        self, fence: Fence, keys: Sequence[IdempotencyKey] = (), *, at: datetime
    ) -> FutureResult[None, SyncError]:
        held = self._books[fence.connection].intents
        to_intacct = any(isinstance(held[key].action, CreateInIntacct) for key in keys)
        if to_intacct and not self.died:
            self.died = True
            raise RuntimeError("the process died")
        return super().hold(fence, keys, at=at)


def test_outbox_a_create_its_run_held_but_never_sent_is_sent_without_asking() -> None:
    """A PENDING intent held by a run never left it (the run marks SENT before sending): sent
    again at once, although a customer of its name appeared meanwhile (not its copy)."""

    async def body() -> None:
        world = await seeded(store=DiesBeforeSending())
        with pytest.raises(RuntimeError, match="the process died"):
            await world.sync()
        (pending,) = [
            i
            for i in await value(world.store.open_intents(ID))
            if isinstance(i.action, CreateInIntacct)
        ]
        assert (pending.state, pending.run is not None) == (IntentState.PENDING, True)
        world.intacct.put(
            Party(role=ContactRole.CUSTOMER, party_id=IntacctId("C9"), name="Bay Lettings")
        )
        again = await world.sync()
        assert again.status is RunStatus.SUCCEEDED, await value(world.store.results(ID))
        assert len(_bay(world)) == 2, "its own customer, beside the one entered meanwhile"

    run(body)


def test_F3_an_answer_about_no_open_write_is_refused() -> None:
    async def body() -> None:
        world = await _lost_then_edited()
        nothing = IdempotencyKey("ri-nothing-open")
        answered = await resolve(world.store, ID, nothing, Resolution.send_again())
        assert not is_successful(answered)
        assert nothing in answered.failure().message
        assert "intents" in answered.failure().fix

    run(body)


def test_outbox_a_same_named_customer_linked_elsewhere_is_no_candidate() -> None:
    """Creates that never reached Intacct (the process died before sending) are sent, although
    a customer of one's name exists: that one is linked to another Re-Leased contact."""

    async def body() -> None:
        world = await seeded(Crashing())  # dies before the first batch is applied
        world.released.put(
            Contact(id=ReleasedId("con-twin"), name="Harbour Cafe", role=ContactRole.CUSTOMER)
        )
        with pytest.raises(RuntimeError, match="the process died"):
            await world.sync()
        assert len(await value(world.store.open_intents(ID))) == 2
        again = await world.sync()
        assert again.status is RunStatus.SUCCEEDED, await value(world.store.results(ID))
        assert await value(world.store.open_intents(ID)) == ()
        names = sorted(p.name for p in world.intacct_of(Party))
        assert names == ["Bay Lettings", "Harbour Cafe", "Harbour Cafe"]

    run(body)
