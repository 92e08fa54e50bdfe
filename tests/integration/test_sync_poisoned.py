"""One poisoned record per feed, and everything else syncs (rule E1; issue 16, F5).

A Re-Leased amount of 27 digits made ``quantize`` raise while the invoice step planned its page,
and every later run of the company stopped there. The adapters now refuse such an amount where
they read it (``test_F5_…`` in the adapters' unit tests), and any record that still makes mapping
or planning raise becomes its own sync result while the rest of its page syncs
(``app.sync.isolate``).

The in-memory fakes hand the domain its records directly, so the poison here is a text that
raises whenever it is used as text (``Poison``): a stand-in for anything that makes one record's
mapping or planning raise. Every feed of both sides gets one poisoned record beside good ones:
Intacct accounts, tax details, dimension values, customers, vendors, invoices, adjustments,
payments and deletions; Re-Leased accounts (their Items, with Purchasing in use), contacts,
invoices, credit notes and payments.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

import pytest

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
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    ContactBlock,
    Deletion,
    DimensionValue,
    GlAccount,
    IntacctPayment,
    Item,
    Party,
    PaymentApplication,
    TaxDetail,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.links import Link
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.released import Account, Contact, Invoice, InvoiceLine, Payment
from released_intacct.domain.results import SyncResult
from released_intacct.domain.state import Intent, Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.intacct_port import ready_setup
from released_intacct.fakes.sync_world import BASE, CONNECTION, SYNC_FROM, SyncWorld

ON = SYNC_FROM + timedelta(days=40)


class Poison(str):
    """Text that raises whenever it is used as text (formatted, shown, fingerprinted)."""

    __slots__ = ()

    def __str__(self) -> str:
        msg = "poisoned record"
        raise ValueError(msg)

    __repr__ = __str__


def _tx(number: str, kind: DocumentKind, memo: str, amount: str = "500") -> Transaction:
    line = TransactionLine(memo=memo, account_no=IntacctId("4000"), amount=Decimal(amount))
    return Transaction(
        origin=Origin.AR,
        kind=kind,
        number=number,
        state=IntacctState.POSTED,
        party_id=IntacctId("C1"),
        invoice_date=ON,
        gl_date=ON,
        due_date=ON + timedelta(days=30),
        currency=BASE,
        lines=(line,),
    )


def _paid(invoice: Transaction, reference: str, amount: str) -> IntacctPayment:
    return IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.ORDINARY,
        party_id=IntacctId("C1"),
        date=ON + timedelta(days=2),
        currency=BASE,
        amount=Decimal(amount),
        applications=(PaymentApplication(document_key=invoice.link_key, amount=Decimal(amount)),),
        reference=reference,
    )


Poisoned = dict[str, tuple[RecordType, str]]
"""Per feed, the record type and the key (Intacct) or id (Re-Leased) of its poisoned record."""


def _seed_intacct(world: SyncWorld) -> Poisoned:
    """Good and poisoned records of every Intacct feed."""
    put = world.intacct.put
    for record in (
        GlAccount(account_no=IntacctId("4000"), title="Rent Income"),
        GlAccount(account_no=IntacctId("4999"), title=Poison("Suspense")),
        TaxDetail(detail_id=IntacctId("Exempt"), rate=Decimal(0)),
        TaxDetail(detail_id=IntacctId("Odd"), rate=Decimal(5), tax_type=Poison("Sales")),
        DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D1"), name="Lettings"),
        DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D9"), name=Poison("?")),
        Party(role=ContactRole.CUSTOMER, party_id=IntacctId("C1"), name="Harbour Cafe"),
        Party(
            role=ContactRole.CUSTOMER,
            party_id=IntacctId("C9"),
            name="Quay Books",
            primary=ContactBlock(email=Poison("books@quay.example")),
        ),
        Party(role=ContactRole.VENDOR, party_id=IntacctId("V1"), name="Fixit Ltd"),
        Party(role=ContactRole.VENDOR, party_id=IntacctId("V9"), name=Poison("Broken Ltd")),
    ):
        put(record)
    invoice = put(_tx("INV-1", DocumentKind.INVOICE, "March rent"))
    assert isinstance(invoice, Transaction)
    bad_invoice = put(_tx("INV-9", DocumentKind.INVOICE, Poison("April rent")))
    put(_tx("ADJ-1", DocumentKind.CREDIT_NOTE, "Rent refund", "50"))
    bad_note = put(_tx("ADJ-9", DocumentKind.CREDIT_NOTE, Poison("Refund"), "50"))
    put(_paid(invoice, "CHQ-1", "200"))
    bad_payment = put(_paid(invoice, Poison("CHQ-9"), "100"))
    assert isinstance(bad_invoice, Transaction)
    assert isinstance(bad_note, Transaction)
    assert isinstance(bad_payment, IntacctPayment)
    world.intacct.delete(RecordType.INVOICE, IntacctKey("9999"))  # never synced: skipped (D8)
    deleted_at = world.clock.now()
    world.intacct.deleted.append(
        Deletion(
            record_type=RecordType.INVOICE, key=IntacctKey(Poison("7777")), deleted_at=deleted_at
        )
    )
    return {
        "accounts": (RecordType.ACCOUNT, "4999"),
        "tax details": (RecordType.TAX_TYPE, "Odd"),
        "dimension values": (RecordType.TRACKING_OPTION, "DEPARTMENT:D9"),
        "customers": (RecordType.CONTACT, "CUSTOMER:C9"),
        "vendors": (RecordType.CONTACT, "VENDOR:V9"),
        "invoices": (RecordType.INVOICE, bad_invoice.link_key),
        "adjustments": (RecordType.CREDIT_NOTE, bad_note.link_key),
        "payments": (RecordType.PAYMENT, f"{bad_payment.record_no}"),
        "deletions": (RecordType.INVOICE, "7777"),
    }


def _invoice(id: str, kind: DocumentKind, status: ReleasedInvoiceStatus, memo: str) -> Invoice:
    line = InvoiceLine(description=memo, account_id=ReleasedId("acc-rent"), unit_price=Decimal(300))
    return Invoice(
        id=ReleasedId(id),
        kind=kind,
        type=InvoiceType.INCOME,
        invoice_number=id.upper(),
        status=status,
        contact_id=ReleasedId("con-bay"),
        issue_date=ON,
        due_date=ON + timedelta(days=14),
        currency=BASE,
        lines=(line,),
    )


def _seed_released(world: SyncWorld) -> Poisoned:
    """Good and poisoned records of every Re-Leased feed."""
    put = world.released.put
    approved, waiting = ReleasedInvoiceStatus.APPROVED, ReleasedInvoiceStatus.AWAITING_APPROVAL
    put(Account(id=ReleasedId("acc-rent"), code="4000", name="Rent"))
    put(Account(id=ReleasedId("acc-bad"), code="5000", name=Poison("Repairs")))
    put(Contact(id=ReleasedId("con-bay"), name="Bay Lettings", role=ContactRole.CUSTOMER))
    put(
        Contact(
            id=ReleasedId("con-bad"),
            name="Cove Stores",
            email=Poison("cove@example.com"),
            role=ContactRole.CUSTOMER,
        )
    )
    put(_invoice("inv-r1", DocumentKind.INVOICE, waiting, "Rent"))
    put(_invoice("inv-r2", DocumentKind.INVOICE, approved, "Rent"))
    put(_invoice("inv-bad", DocumentKind.INVOICE, waiting, Poison("Rent")))
    put(_invoice("cn-r1", DocumentKind.CREDIT_NOTE, waiting, "Refund"))
    put(_invoice("cn-bad", DocumentKind.CREDIT_NOTE, waiting, Poison("Refund")))
    for id, reference in (("pay-r2", "DD-1"), ("pay-bad", Poison("DD-9"))):
        put(
            Payment(
                id=ReleasedId(id),
                invoice_id=ReleasedId("inv-r2"),
                document_kind=DocumentKind.INVOICE,
                date=ON + timedelta(days=1),
                amount=Decimal(100),
                currency=BASE,
                reference=reference,
            )
        )
    return {
        "accounts (Items)": (RecordType.ACCOUNT, "acc-bad"),
        "contacts": (RecordType.CONTACT, "con-bad"),
        "invoices": (RecordType.INVOICE, "inv-bad"),
        "credit notes": (RecordType.CREDIT_NOTE, "cn-bad"),
        "payments": (RecordType.PAYMENT, "pay-bad"),
    }


async def _poisoned_world() -> tuple[SyncWorld, Poisoned]:
    """A connected pair (Purchasing in use, so Re-Leased accounts get Items) holding both."""
    world = SyncWorld()
    world.intacct.company_setup = replace(ready_setup(), purchasing=True)
    bad_intacct = _seed_intacct(world)
    bad_released = _seed_released(world)
    await world.connect()
    repairs = GlAccount(account_no=IntacctId("5000"), title="Repairs")
    held = world.intacct.put(repairs)
    links = [
        Link(
            record_type=RecordType.ACCOUNT,
            released_id=ReleasedId(released),
            intacct_key=IntacctKey(key),
            origin=System.INTACCT,
            intacct_fingerprint=fingerprint,
        )
        for released, key, fingerprint in (
            ("acc-rent", "4000", ""),  # matched at onboarding: updated from Intacct
            ("acc-bad", "5000", intacct_fingerprint(held)),  # as synced: not updated again
        )
    ]
    await value(world.store.save_links(CONNECTION, links))
    return world, {
        **{f"Intacct {feed}": bad for feed, bad in bad_intacct.items()},
        **{f"Re-Leased {feed}": bad for feed, bad in bad_released.items()},
    }


def _linked(links: tuple[Link, ...], *, released: str = "", intacct: str = "") -> bool:
    return any(
        (not released or link.released_id == released)
        and (not intacct or link.intacct_key == intacct)
        for link in links
        if link.is_linked
    )


@dataclass(frozen=True)
class Synced:
    world: SyncWorld
    poisoned: Poisoned
    first: Run
    second: Run
    links: dict[RecordType, tuple[Link, ...]]
    results: tuple[SyncResult, ...]
    open_intents: tuple[Intent, ...]


def test_F5_one_poisoned_record_per_feed_is_its_result_and_everything_else_syncs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body() -> Synced:
        world, poisoned = await _poisoned_world()
        first, second = await world.sync(), await world.sync()
        links, results = await world.all_links(), await world.results()
        return Synced(world, poisoned, first, second, links, results, await world.open_intents())

    synced = asyncio.run(body())
    first, second, links, results = synced.first, synced.second, synced.links, synced.results

    # every step ran to its end: the runs are red for their results, none stopped (a stop
    # would count one error more) and nothing is left unconfirmed
    e1 = [r for r in results if r.rule is Rule.E1]
    assert first.errors == len(e1) == len(synced.poisoned) == 14
    assert second.errors == len([r for r in e1 if r.last_seen >= second.started_at])
    assert synced.open_intents == ()

    # one E1 result per poisoned record, naming it, and the traceback logged
    assert {(r.record_type, r.released_id or r.intacct_key) for r in e1} == set(
        synced.poisoned.values()
    )
    for result in e1:
        assert result.kind is ErrorKind.REJECTED
        assert "could not be synced" in result.message
        assert "(ValueError)" in result.message
    logged = [r for r in caplog.records if "event=record_not_planned" in r.getMessage()]
    assert len(logged) == first.errors + second.errors
    assert all(r.exc_info and r.exc_info[0] is ValueError for r in logged)
    others = [r for r in results if r.rule is not Rule.E1]
    assert [(r.intacct_key, r.rule, r.kind) for r in others] == [
        ("9999", Rule.D8, ErrorKind.SKIPPED)  # the good deletion: never synced
    ]

    # everything else synced, both ways
    assert _linked(links[RecordType.ACCOUNT], intacct="4000", released="acc-rent")
    assert _linked(links[RecordType.TAX_TYPE], intacct="Exempt")
    assert _linked(links[RecordType.TRACKING_OPTION], intacct="DEPARTMENT:D1")
    for party in ("CUSTOMER:C1", "VENDOR:V1"):
        assert _linked(links[RecordType.CONTACT], intacct=party)
    assert _linked(links[RecordType.CONTACT], released="con-bay")
    for tx in _intacct(synced.world, Transaction):
        if tx.number in ("INV-1", "ADJ-1"):
            assert _linked(links[tx.record_type], intacct=tx.link_key), tx.number
    for released in ("inv-r1", "inv-r2"):
        assert _linked(links[RecordType.INVOICE], released=released)
    assert _linked(links[RecordType.CREDIT_NOTE], released="cn-r1")
    assert _linked(links[RecordType.PAYMENT], released="pay-r2")
    (cheque,) = [p for p in _intacct(synced.world, IntacctPayment) if p.reference == "CHQ-1"]
    paid = links[RecordType.PAYMENT]
    assert any(link.intacct_key.startswith(f"{cheque.record_no}/") for link in paid)
    assert [item.item_id for item in _intacct(synced.world, Item)] == ["4000-P"]

    # and the second run wrote nothing again
    assert sum(c.created + c.updated for c in second.counts.by_type.values()) == 0


T = TypeVar("T")


def _intacct(world: SyncWorld, kind: type[T]) -> list[T]:
    return [record for record in world.intacct.records if isinstance(record, kind)]
