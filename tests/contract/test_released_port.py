"""One contract for the Re-Leased port (feeds + writer), over every implementation.

``fake``: the in-memory FakeReleased. ``host``: the example host's SqliteHost on ``tmp_path``
(``examples/sqlite_host``). ``real``: the HTTP adapter against the Re-Leased simulator through
httpx's ASGI transport. Every implementation runs with 3 records a page and a clock the test moves.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from returns.future import FutureResult

from released_intacct.domain.enums import (
    DimensionKind,
    DocumentKind,
    InvoiceType,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedStatus,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.money import currency
from released_intacct.domain.ports import FeedQuery, Page, ReleasedPort
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    InvoiceLine,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.released_port import FakeReleased

T = TypeVar("T")
USD = currency("USD")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PAGE = 3
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sqlite_host"
ok = value


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    port: ReleasedPort
    clock: Clock
    close: Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


async def _fake(_: Path) -> Harness:
    clock = Clock()
    return Harness(FakeReleased(clock=clock, page_size=PAGE), clock, _nothing)


async def _host(folder: Path) -> Harness:
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    host_module: Any = importlib.import_module("host")
    clock = Clock()
    host = await host_module.SqliteHost.open(folder / "host.sqlite3", clock=clock, page_size=PAGE)
    return Harness(host, clock, host.close)


async def _real(_: Path) -> Harness:
    why = "the Re-Leased HTTP adapter or simulator is not importable"
    adapter: Any = pytest.importorskip("released_intacct.adapters.released.adapter", reason=why)
    settings: Any = pytest.importorskip("released_intacct.adapters.released.settings", reason=why)
    app: Any = pytest.importorskip("released_intacct.fakes.simulators.released.app", reason=why)
    simulator: Any = pytest.importorskip(
        "released_intacct.fakes.simulators.released.simulator", reason=why
    )
    clock = Clock()
    sim = simulator.Simulator(clock=clock)
    sim.add_company("ACME", "key-acme")
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app.create_app(sim)), base_url="http://released.sim"
    )
    port = adapter.ReleasedAdapter(
        client,
        base_url="http://released.sim",
        api_key=Secret("key-acme"),
        company_id="ACME",
        settings=settings.ReleasedSettings(page_size=PAGE, backoff=0.0),
    )
    return Harness(port, clock, client.aclose)


MAKERS = {"fake": _fake, "host": _host, "real": _real}


@pytest.fixture(params=sorted(MAKERS))
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Awaitable[Harness]]:
    maker = MAKERS[str(request.param)]
    return lambda: maker(tmp_path)


def scenario(
    make: Callable[[], Awaitable[Harness]],
    body: Callable[[Harness], Coroutine[Any, Any, None]],
) -> None:
    async def main() -> None:
        harness = await make()
        try:
            await body(harness)
        finally:
            await harness.close()

    asyncio.run(main())


async def read_all(
    fetch: Callable[[FeedQuery], FutureResult[Page[T], SyncError]], since: datetime | None = None
) -> tuple[list[T], int]:
    items: list[T] = []
    pages = 0
    query = FeedQuery(since=since)
    while True:
        page = await ok(fetch(query))
        pages += 1
        items.extend(page.items)
        if page.next_token is None:
            return items, pages
        query = FeedQuery(since=since, token=page.next_token)


async def refusal(future: FutureResult[Any, SyncError]) -> SyncError:
    result = await settled(future)
    assert isinstance(result.failure(), SyncError), f"expected a refusal, got {result!r}"
    return result.failure()


def key(name: str) -> IdempotencyKey:
    return IdempotencyKey(f"ri-contract-{name}")


def slug(name: str) -> str:
    return name.lower().replace(" ", "-").replace(",", "")


def contact(name: str, proposed: str = "") -> Contact:
    """A contact proposing ``proposed`` as its id, or one made from its name."""
    return Contact(
        id=ReleasedId(proposed or f"c-{slug(name)}"),
        name=name,
        email=f"{slug(name)}@example.com",
    )


async def approved_invoice(port: ReleasedPort, number: str, *lines: InvoiceLine) -> Invoice:
    """An approved income invoice (with its contact and account) as the port stored it."""
    tenant = await ok(port.create(key(f"tenant-{number}"), contact(f"Tenant {number}")))
    account = await ok(
        port.create(
            key(f"acct-{number}"), Account(id=ReleasedId(f"a-{number}"), code="4000", name="Rent")
        )
    )
    invoice = Invoice(
        id=ReleasedId(f"i-{number}"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number=number,
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=tenant.id,
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
        currency=USD,
        lines=tuple(replace(line, account_id=account.id) for line in lines)
        or (InvoiceLine(description="Rent", account_id=account.id, unit_price=Decimal("100.00")),),
    )
    stored = await ok(port.create(key(f"inv-{number}"), invoice))
    assert isinstance(stored, Invoice)
    return stored


def payment(invoice: Invoice, amount: str) -> Payment:
    return Payment(
        id=ReleasedId(f"p-{invoice.id}-{slug(amount)}"),
        invoice_id=invoice.id,
        document_kind=DocumentKind.INVOICE,
        date=date(2026, 3, 15),
        amount=Decimal(amount),
        currency=USD,
        reference=f"pay {amount}",
    )


async def invoice_now(port: ReleasedPort, invoice_id: ReleasedId) -> Invoice:
    invoices, _ = await read_all(lambda q: port.invoices(DocumentKind.INVOICE, q))
    return next(i for i in invoices if i.id == invoice_id)


def test_a_create_keeps_its_proposed_id_and_is_found_by_its_key(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        stored = await ok(h.port.create(key("ana"), contact("Ana", proposed="ri-proposed-ana")))
        assert stored.id == "ri-proposed-ana"
        found = await ok(h.port.find_by_key(RecordType.CONTACT, key("ana")))
        assert isinstance(found, Contact)
        assert (found.id, found.name) == (stored.id, "Ana")
        assert await ok(h.port.find_by_key(RecordType.CONTACT, key("nobody"))) is None

    scenario(make, body)


def test_the_same_key_twice_creates_one_record(make: Callable[[], Awaitable[Harness]]) -> None:
    async def body(h: Harness) -> None:
        first = await ok(h.port.create(key("bo"), contact("Bo")))
        again = await ok(h.port.create(key("bo"), contact("Bo")))
        assert again.id == first.id
        contacts, _ = await read_all(h.port.contacts)
        assert [c.name for c in contacts] == ["Bo"]

    scenario(make, body)


def test_an_update_with_the_current_version_bumps_it(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        stored = await ok(h.port.create(key("cy"), contact("Cy")))
        assert isinstance(stored, Contact)
        h.clock.now += timedelta(minutes=1)
        updated = await ok(h.port.update(replace(stored, name="Cy Renamed")))
        assert isinstance(updated, Contact)
        assert updated.version == stored.version + 1
        assert updated.name == "Cy Renamed"
        assert stored.modified_at is not None
        assert updated.modified_at is not None
        assert updated.modified_at > stored.modified_at

    scenario(make, body)


def test_a_stale_update_is_a_retriable_conflict_and_changes_nothing(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        stored = await ok(h.port.create(key("di"), contact("Di")))
        assert isinstance(stored, Contact)
        await ok(h.port.update(replace(stored, name="Di by a user")))
        error = await refusal(h.port.update(replace(stored, name="Di by a stale writer")))
        assert error.kind is ErrorKind.RETRIABLE
        contacts, _ = await read_all(h.port.contacts)
        assert [c.name for c in contacts] == ["Di by a user"]

    scenario(make, body)


def test_D3_an_update_built_from_intacct_names_no_version_and_applies_to_the_current_one(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    """Planning builds updates from Intacct records with version 0: they apply to whatever
    version Re-Leased holds (the HTTP adapter reads it first), never a conflict."""

    async def body(h: Harness) -> None:
        stored = await ok(h.port.create(key("ed"), contact("Ed")))
        assert isinstance(stored, Contact)
        await ok(h.port.update(replace(stored, name="Ed by a user")))
        from_intacct = replace(stored, name="Ed from Intacct", version=0)
        updated = await ok(h.port.update(from_intacct))
        assert isinstance(updated, Contact)
        assert updated.name == "Ed from Intacct"
        assert updated.version == stored.version + 2

    scenario(make, body)


@pytest.mark.parametrize("count", [0, 1, PAGE, PAGE + 1])
def test_a_feed_returns_every_record_once_across_pages(
    make: Callable[[], Awaitable[Harness]], count: int
) -> None:
    async def body(h: Harness) -> None:
        for n in range(count):
            await ok(h.port.create(key(f"c{n}"), contact(f"Contact {n}")))
        contacts, pages = await read_all(h.port.contacts)
        assert sorted(c.name for c in contacts) == sorted(f"Contact {n}" for n in range(count))
        assert pages == max(1, -(-count // PAGE))

    scenario(make, body)


def test_a_feed_since_a_time_holds_what_changed_at_or_after_it(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        old = await ok(h.port.create(key("old"), contact("Old")))
        await ok(h.port.create(key("kept"), contact("Kept")))
        assert isinstance(old, Contact)
        h.clock.now = T0 + timedelta(hours=1)
        await ok(h.port.update(replace(old, name="Old, edited")))
        newer, _ = await read_all(h.port.contacts, since=T0 + timedelta(minutes=30))
        assert [c.name for c in newer] == ["Old, edited"]
        page = await ok(h.port.contacts(FeedQuery(since=T0 + timedelta(minutes=30))))
        assert page.high_water is not None
        assert page.high_water >= T0 + timedelta(hours=1)
        everything, _ = await read_all(h.port.contacts)
        assert sorted(c.name for c in everything) == ["Kept", "Old, edited"]

    scenario(make, body)


def test_archive_and_unarchive_show_in_the_feed(make: Callable[[], Awaitable[Harness]]) -> None:
    async def body(h: Harness) -> None:
        stored = await ok(h.port.create(key("ed"), contact("Ed")))
        await ok(h.port.set_archived(RecordType.CONTACT, stored.id, archived=True))
        contacts, _ = await read_all(h.port.contacts)
        assert [(c.name, c.status) for c in contacts] == [("Ed", ReleasedStatus.ARCHIVED)]
        await ok(h.port.set_archived(RecordType.CONTACT, stored.id, archived=False))
        contacts, _ = await read_all(h.port.contacts)
        assert [c.status for c in contacts] == [ReleasedStatus.ACTIVE]

    scenario(make, body)


def test_void_voids_an_approved_invoice(make: Callable[[], Awaitable[Harness]]) -> None:
    async def body(h: Harness) -> None:
        invoice = await approved_invoice(h.port, "INV-V1")
        await ok(h.port.void(RecordType.INVOICE, invoice.id))
        voided = await invoice_now(h.port, invoice.id)
        assert voided.status is ReleasedInvoiceStatus.VOIDED
        assert voided.version > invoice.version

    scenario(make, body)


def test_D20_a_document_held_is_the_one_its_feed_shows_and_none_for_an_unknown_id(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        invoice = await approved_invoice(h.port, "INV-H1")
        held = await ok(h.port.document_held(DocumentKind.INVOICE, invoice.id))
        assert held == await invoice_now(h.port, invoice.id)
        assert await ok(h.port.document_held(DocumentKind.INVOICE, ReleasedId("nope"))) is None
        assert await ok(h.port.document_held(DocumentKind.CREDIT_NOTE, invoice.id)) is None

    scenario(make, body)


def test_payments_change_the_amount_paid_and_a_paid_invoice_cannot_be_voided(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        invoice = await approved_invoice(h.port, "INV-P1")
        await ok(h.port.create(key("pay-40"), payment(invoice, "40.00")))
        part_paid = await invoice_now(h.port, invoice.id)
        assert (part_paid.amount_paid, part_paid.status) == (
            Decimal("40.00"),
            ReleasedInvoiceStatus.APPROVED,
        )
        await ok(h.port.create(key("pay-60"), payment(invoice, "60.00")))
        paid = await invoice_now(h.port, invoice.id)
        assert (paid.amount_paid, paid.status) == (Decimal("100.00"), ReleasedInvoiceStatus.PAID)
        error = await refusal(h.port.void(RecordType.INVOICE, invoice.id))
        assert error.kind is ErrorKind.REJECTED
        payments, _ = await read_all(h.port.payments)
        assert sorted(p.amount for p in payments) == [Decimal("40.00"), Decimal("60.00")]

    scenario(make, body)


def test_a_payment_above_the_amount_due_or_of_a_voided_invoice_is_refused(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        invoice = await approved_invoice(h.port, "INV-R1")
        too_much = await refusal(h.port.create(key("pay-too-much"), payment(invoice, "100.01")))
        assert too_much.kind is ErrorKind.REJECTED
        await ok(h.port.void(RecordType.INVOICE, invoice.id))
        voided = await refusal(h.port.create(key("pay-voided"), payment(invoice, "1.00")))
        assert voided.kind is ErrorKind.REJECTED
        payments, _ = await read_all(h.port.payments)
        assert payments == []
        assert (await invoice_now(h.port, invoice.id)).amount_paid == 0

    scenario(make, body)


def test_decimal_money_round_trips_exactly(make: Callable[[], Awaitable[Harness]]) -> None:
    async def body(h: Harness) -> None:
        line = InvoiceLine(
            description="Service charge",
            account_id=ReleasedId(""),
            unit_price=Decimal("1234.56"),
            quantity=Decimal("2.5"),
            tax_amount=Decimal("0.07"),
        )
        invoice = await approved_invoice(h.port, "INV-M1", line)
        await ok(h.port.create(key("pay-cent"), payment(invoice, "0.01")))
        rate = await ok(
            h.port.create(
                key("vat"), TaxType(id=ReleasedId("t-vat"), name="VAT", rate=Decimal("12.5"))
            )
        )
        back = await invoice_now(h.port, invoice.id)
        read = back.lines[0]
        assert (read.unit_price, read.quantity, read.tax_amount) == (
            Decimal("1234.56"),
            Decimal("2.5"),
            Decimal("0.07"),
        )
        assert all(type(v) is Decimal for v in (read.unit_price, read.quantity, back.amount_paid))
        assert back.total == Decimal("3086.47")
        assert back.amount_paid == Decimal("0.01")
        tax_types, _ = await read_all(h.port.tax_types)
        assert [(t.id, t.rate) for t in tax_types] == [(rate.id, Decimal("12.5"))]

    scenario(make, body)


def test_create_all_creates_each_record_once_with_its_outcome_in_order(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        made = [
            await ok(h.port.create(key(name), TrackingCategory(id=ReleasedId(name), name=name)))
            for name in ("Customer", "Project")
        ]
        options = [
            TrackingOption(id=ReleasedId(key(f"opt-{n}")), name=f"Tenant {n}", category_id=c.id)
            for n, c in ((1, made[0]), (2, made[1]), (3, made[0]), (4, made[0]))
        ]
        contact = Contact(id=ReleasedId(key("contact")), name="Harbour Cafe Ltd")
        writes: list[tuple[IdempotencyKey, ReleasedRecord]] = [
            (IdempotencyKey(o.id), o) for o in options[:2]
        ]
        writes += [(key("contact"), contact), *((IdempotencyKey(o.id), o) for o in options[2:])]
        first = await ok(h.port.create_all(writes))
        again = await ok(h.port.create_all(writes))
        names = [getattr(outcome.unwrap(), "name", None) for outcome in first]
        assert names == ["Tenant 1", "Tenant 2", "Harbour Cafe Ltd", "Tenant 3", "Tenant 4"]
        assert [o.unwrap().id for o in again] == [o.unwrap().id for o in first]
        categories, _ = await read_all(h.port.tracking_categories)
        assert sorted((c.name, sorted(o.name for o in c.options)) for c in categories) == [
            ("Customer", ["Tenant 1", "Tenant 3", "Tenant 4"]),
            ("Project", ["Tenant 2"]),
        ]
        contacts, _ = await read_all(h.port.contacts)
        assert [c.name for c in contacts] == ["Harbour Cafe Ltd"]

    scenario(make, body)


def test_a_tracking_option_is_created_in_its_category(
    make: Callable[[], Awaitable[Harness]],
) -> None:
    async def body(h: Harness) -> None:
        category = TrackingCategory(
            id=ReleasedId("tc-department"), name="Department", kind=DimensionKind.DEPARTMENT
        )
        stored = await ok(h.port.create(key("dept"), category))
        # planning proposes the create's key as the id; an option has no key of its own in REST
        proposed = ReleasedId(key("leasing"))
        option = TrackingOption(id=proposed, name="Leasing", category_id=stored.id)
        created = await ok(h.port.create(key("leasing"), option))
        again = await ok(h.port.create(key("leasing"), option))
        assert again.id == created.id
        found = await ok(h.port.find_by_key(RecordType.TRACKING_OPTION, key("leasing")))
        assert found is not None
        assert found.id == created.id
        categories, _ = await read_all(h.port.tracking_categories)
        assert [(c.name, [o.name for o in c.options]) for c in categories] == [
            ("Department", ["Leasing"])
        ]

    scenario(make, body)
