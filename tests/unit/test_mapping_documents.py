"""Invoices and credit notes both ways (rules M1-M4, D6, D15, D17, D18; seed 004 tables)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.canonical import canonical
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    InvoiceType,
    Origin,
    RecordType,
    ReleasedInvoiceStatus,
    System,
)
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import ConnectionId, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    Transaction,
    TransactionLine,
    category_key,
    option_key,
    party_key,
)
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.mapping.documents import (
    carries_reference,
    intacct_state_of,
    invoice_to_transaction,
    released_status_of,
    transaction_to_invoice,
)
from released_intacct.domain.mapping.items import item_id_for
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.money import currency
from released_intacct.domain.released import Invoice, InvoiceLine, TrackingRef
from released_intacct.domain.settings import SyncSettings

GBP = currency("GBP")
RID = ReleasedId("inv-new")
ON = date(2026, 3, 1)
DUE = date(2026, 3, 31)
SETTINGS = SyncSettings(connection=ConnectionId("c"), sync_from=date(2026, 1, 1), base_currency=GBP)


def _link(record_type: RecordType, released: str, key: str) -> Link:
    return Link(
        record_type=record_type,
        released_id=ReleasedId(released),
        intacct_key=IntacctKey(key),
        origin=System.INTACCT,
    )


BOOK = IdBook(
    LinkIndex(
        [
            _link(RecordType.CONTACT, "con-c1", "CUSTOMER:C1"),
            _link(RecordType.CONTACT, "con-v1", "VENDOR:V1"),
            _link(RecordType.ACCOUNT, "acc-4000", "4000"),
            _link(RecordType.ACCOUNT, "acc-6100", "6100"),
            _link(RecordType.TAX_TYPE, "tax-std", "Standard"),
            _link(RecordType.TRACKING_CATEGORY, "cat-dep", "DEPARTMENT"),
            _link(RecordType.TRACKING_OPTION, "opt-d1", "DEPARTMENT:D1"),
            _link(RecordType.TRACKING_CATEGORY, "cat-loc", "LOCATION"),
            _link(RecordType.TRACKING_OPTION, "opt-l1", "LOCATION:L1"),
            _link(RecordType.TRACKING_OPTION, "opt-l2", "LOCATION:L2"),
        ]
    )
)
DEP_D1 = TrackingRef(category_id=ReleasedId("cat-dep"), option_id=ReleasedId("opt-d1"))
LOC_L1 = TrackingRef(category_id=ReleasedId("cat-loc"), option_id=ReleasedId("opt-l1"))
LOC_L2 = TrackingRef(category_id=ReleasedId("cat-loc"), option_id=ReleasedId("opt-l2"))


def _tx(**overrides: object) -> Transaction:
    base = Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number="INV-1",
        state=IntacctState.POSTED,
        party_id=IntacctId("C1"),
        invoice_date=ON,
        gl_date=ON,
        due_date=DUE,
        currency=GBP,
        lines=(
            TransactionLine(
                memo="Rent",
                account_no=IntacctId("4000"),
                amount=Decimal("100.00"),
                tax_detail_id=IntacctId("Standard"),
                tax_amount=Decimal("20.00"),
                dimensions=((DimensionKind.DEPARTMENT, IntacctId("D1")),),
            ),
        ),
        reference="PO 77",
        record_no="101",
        total_paid=Decimal(30),
        modified_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _inv(**overrides: object) -> Invoice:
    base = Invoice(
        id=ReleasedId("inv-1"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number="R-1",
        status=ReleasedInvoiceStatus.AWAITING_APPROVAL,
        contact_id=ReleasedId("con-c1"),
        issue_date=ON,
        due_date=DUE,
        currency=GBP,
        lines=(
            InvoiceLine(
                description="Rent",
                account_id=ReleasedId("acc-4000"),
                unit_price=Decimal(50),
                quantity=Decimal(2),
                tax_type_id=ReleasedId("tax-std"),
                tax_amount=Decimal(20),
                tracking=(LOC_L1, DEP_D1),
            ),
        ),
        reference="ref",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


# --- Intacct → Re-Leased, one example per seed table -----------------------------------------


def test_M1_M2_ar_invoice_maps_to_an_income_invoice() -> None:
    invoice = transaction_to_invoice(_tx(), BOOK, released_id=RID, settings=SETTINGS).unwrap()
    assert invoice == Invoice(
        id=RID,
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number="INV-1",
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=ReleasedId("con-c1"),
        issue_date=ON,
        due_date=DUE,
        currency=GBP,
        lines=(
            InvoiceLine(
                description="Rent",
                account_id=ReleasedId("acc-4000"),
                unit_price=Decimal("100.00"),
                quantity=Decimal(1),
                tax_type_id=ReleasedId("tax-std"),
                tax_amount=Decimal("20.00"),
                tracking=(DEP_D1,),
            ),
        ),
        reference="PO 77",
        amount_paid=Decimal(30),
    )


def test_M1_ap_adjustment_maps_to_an_expense_credit_note_with_payment_priority() -> None:
    tx = _tx(
        origin=Origin.AP,
        kind=DocumentKind.CREDIT_NOTE,
        party_id=IntacctId("V1"),
        payment_priority="urgent",
        lines=(TransactionLine(memo="Refund", account_no=IntacctId("6100"), amount=Decimal(-5)),),
    )
    note = transaction_to_invoice(tx, BOOK, released_id=RID, settings=SETTINGS).unwrap()
    assert (note.kind, note.type) == (DocumentKind.CREDIT_NOTE, InvoiceType.EXPENSE)
    assert note.contact_id == "con-v1"
    assert note.payment_priority == "urgent"
    assert note.oe_transaction_definition is None
    assert note.lines[0].account_id == "acc-6100"
    assert note.lines[0].tax_type_id is None


def test_M1_D17_order_entry_invoice_number_definition_source_and_rev_rec() -> None:
    line = TransactionLine(
        memo="Licence",
        item_id=IntacctId("4000-S"),
        quantity=Decimal(3),
        price=Decimal("12.50"),
        tax_amount=Decimal("7.50"),
        rev_rec_template="Monthly",
        rev_rec_start=ON,
        rev_rec_end=DUE,
    )
    tx = _tx(
        origin=Origin.ORDER_ENTRY,
        number="SI-7",
        transaction_definition="Sales Invoice",
        source_document_number="Sales Order-SO-3",
        document_id="Sales Invoice-SI-7",
        payment_priority="ignored on the income side",
        lines=(line,),
    )
    invoice = transaction_to_invoice(tx, BOOK, released_id=RID, settings=SETTINGS).unwrap()
    assert invoice.invoice_number == "Sales Invoice-SI-7"
    assert invoice.oe_transaction_definition == "Sales Invoice"
    assert invoice.source_document_number == "Sales Order-SO-3"
    assert invoice.payment_priority is None
    assert invoice.origin is Origin.ORDER_ENTRY
    assert invoice.lines == (
        InvoiceLine(
            description="Licence",
            account_id=ReleasedId("acc-4000"),
            unit_price=Decimal("12.50"),
            quantity=Decimal(3),
            tax_amount=Decimal("7.50"),
            rev_rec_template="Monthly",
            rev_rec_start=ON,
            rev_rec_end=DUE,
        ),
    )
    assert invoice.total_tax == Decimal("7.50")


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (IntacctState.DRAFT, ReleasedInvoiceStatus.AWAITING_APPROVAL),
        (IntacctState.SUBMITTED, ReleasedInvoiceStatus.AWAITING_APPROVAL),
        (IntacctState.PARTIALLY_APPROVED, ReleasedInvoiceStatus.AWAITING_APPROVAL),
        (IntacctState.DECLINED, ReleasedInvoiceStatus.AWAITING_APPROVAL),
        (IntacctState.POSTED, ReleasedInvoiceStatus.APPROVED),
        (IntacctState.SELECTED, ReleasedInvoiceStatus.APPROVED),
        (IntacctState.PARTIALLY_PAID, ReleasedInvoiceStatus.APPROVED),
        (IntacctState.NO_VALUE, ReleasedInvoiceStatus.APPROVED),
        (IntacctState.PAID, ReleasedInvoiceStatus.APPROVED),  # paid follows the payments
        (IntacctState.REVERSED, ReleasedInvoiceStatus.VOIDED),
        (IntacctState.REVERSAL, ReleasedInvoiceStatus.VOIDED),
    ],
)
def test_D6_M4_intacct_state_reads_as_released_status(
    state: IntacctState, status: ReleasedInvoiceStatus
) -> None:
    assert released_status_of(state) is status
    invoice = transaction_to_invoice(_tx(state=state), BOOK, released_id=RID, settings=SETTINGS)
    assert invoice.unwrap().status is status


def test_D6_M4_every_intacct_state_has_a_released_status() -> None:
    """A copy is never created Draft (D6) nor Paid: paid state follows the payments."""
    assert {released_status_of(state) for state in IntacctState} == set(ReleasedInvoiceStatus) - {
        ReleasedInvoiceStatus.DRAFT,
        ReleasedInvoiceStatus.PAID,
    }


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (ReleasedInvoiceStatus.AWAITING_APPROVAL, IntacctState.DRAFT),
        (ReleasedInvoiceStatus.APPROVED, IntacctState.POSTED),
        (ReleasedInvoiceStatus.PAID, IntacctState.POSTED),
    ],
)
def test_D6_released_status_is_sent_as_intacct_state(
    status: ReleasedInvoiceStatus, state: IntacctState
) -> None:
    assert intacct_state_of(status) is state
    assert (
        invoice_to_transaction(_inv(status=status), BOOK, settings=SETTINGS).unwrap().state is state
    )


@pytest.mark.parametrize("status", [ReleasedInvoiceStatus.DRAFT, ReleasedInvoiceStatus.VOIDED])
def test_D6_draft_or_voided_invoice_reaching_the_mapping_is_a_programmer_error(
    status: ReleasedInvoiceStatus,
) -> None:
    with pytest.raises(ValueError, match=status.value):
        invoice_to_transaction(_inv(status=status), BOOK, settings=SETTINGS)


# --- Re-Leased → Intacct -----------------------------------------------------------------------


def test_M1_M2_income_invoice_maps_to_an_ar_invoice() -> None:
    tx = invoice_to_transaction(_inv(), BOOK, settings=SETTINGS).unwrap()
    assert tx == Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number="R-1",
        state=IntacctState.DRAFT,
        party_id=IntacctId("C1"),
        invoice_date=ON,
        gl_date=ON,
        due_date=DUE,
        currency=GBP,
        lines=(
            TransactionLine(
                memo="Rent",
                account_no=IntacctId("4000"),
                amount=Decimal("100.00"),
                tax_detail_id=IntacctId("Standard"),
                tax_amount=Decimal(20),
                dimensions=(
                    (DimensionKind.DEPARTMENT, IntacctId("D1")),
                    (DimensionKind.LOCATION, IntacctId("L1")),
                ),
            ),
        ),
        reference="ref",
    )


@pytest.mark.parametrize(
    ("post_on_due_date", "due_date", "gl_date"),
    [(False, DUE, ON), (True, DUE, DUE), (True, None, ON)],
)
def test_M3_gl_date_is_the_issue_date_or_the_due_date_when_the_setting_is_on(
    post_on_due_date: bool, due_date: date | None, gl_date: date
) -> None:
    settings = replace(SETTINGS, post_on_due_date=post_on_due_date)
    tx = invoice_to_transaction(_inv(due_date=due_date), BOOK, settings=settings).unwrap()
    assert (tx.gl_date, tx.invoice_date) == (gl_date, ON)


@pytest.mark.parametrize(
    ("type_", "contact", "origin", "definition"),
    [
        (InvoiceType.INCOME, "con-c1", Origin.ORDER_ENTRY, "Sales Invoice"),
        (InvoiceType.EXPENSE, "con-v1", Origin.PURCHASING, "Vendor Invoice"),
    ],
)
def test_D17_with_order_modules_on_a_new_invoice_goes_to_oe_or_po_with_the_set_definition(
    type_: InvoiceType, contact: str, origin: Origin, definition: str
) -> None:
    settings = replace(SETTINGS, order_entry=True, purchasing=True)
    invoice = _inv(type=type_, contact_id=ReleasedId(contact))
    tx = invoice_to_transaction(invoice, BOOK, settings=settings).unwrap()
    assert (tx.origin, tx.transaction_definition, tx.number) == (origin, definition, "R-1")
    sales = origin is Origin.ORDER_ENTRY
    assert [line.item_id for line in tx.lines] == [item_id_for(IntacctId("4000"), sales=sales)]


@pytest.mark.parametrize(
    ("type_", "contact", "origin"),
    [(InvoiceType.INCOME, "con-c1", Origin.AR), (InvoiceType.EXPENSE, "con-v1", Origin.AP)],
)
def test_D13_a_new_credit_note_is_an_ar_or_ap_adjustment_even_with_order_modules_on(
    type_: InvoiceType, contact: str, origin: Origin
) -> None:
    """A return definition need not exist in the company; D13 names adjustments."""
    settings = replace(SETTINGS, order_entry=True, purchasing=True)
    note = _inv(type=type_, kind=DocumentKind.CREDIT_NOTE, contact_id=ReleasedId(contact))
    tx = invoice_to_transaction(note, BOOK, settings=settings).unwrap()
    assert (tx.origin, tx.transaction_definition) == (origin, None)
    assert tx.kind is DocumentKind.CREDIT_NOTE
    assert [line.account_no for line in tx.lines] == ["4000"]
    assert [line.item_id for line in tx.lines] == [None]


def test_D17_oe_lines_send_item_quantity_and_price_and_never_tax() -> None:
    settings = replace(SETTINGS, order_entry=True)
    tx = invoice_to_transaction(_inv(), BOOK, settings=settings).unwrap()
    (line,) = tx.lines
    assert (line.item_id, line.account_no) == ("4000-S", None)
    assert (line.quantity, line.price) == (Decimal(2), Decimal(50))
    assert line.tax_amount == 0
    assert line.tax_detail_id == "Standard"


def test_M1_invoice_from_an_oe_document_goes_back_to_its_module_without_the_prefix() -> None:
    invoice = _inv(
        invoice_number="Sales Invoice-SI-7",
        oe_transaction_definition="Sales Invoice",
        source_document_number="SO-3",
        status=ReleasedInvoiceStatus.APPROVED,
    )
    tx = invoice_to_transaction(invoice, BOOK, settings=SETTINGS).unwrap()
    assert tx.origin is Origin.ORDER_ENTRY
    assert (tx.number, tx.transaction_definition) == ("SI-7", "Sales Invoice")
    assert tx.source_document_number == "SO-3"
    assert tx.state is IntacctState.POSTED


def test_M1_ap_bill_keeps_payment_priority_and_ar_invoice_drops_it() -> None:
    bill = _inv(type=InvoiceType.EXPENSE, contact_id=ReleasedId("con-v1"), payment_priority="low")
    assert invoice_to_transaction(bill, BOOK, settings=SETTINGS).unwrap().payment_priority == "low"
    sale = _inv(payment_priority="low")
    assert invoice_to_transaction(sale, BOOK, settings=SETTINGS).unwrap().payment_priority is None


def test_D18_oe_po_lines_carry_only_their_own_line_dimensions() -> None:
    """Subtotal dimensions are never set: Intacct defaults them from the line dimensions."""
    second = InvoiceLine(
        description="Service",
        account_id=ReleasedId("acc-6100"),
        unit_price=Decimal(10),
        tracking=(LOC_L2,),
    )
    invoice = _inv(lines=(*_inv().lines, second))
    settings = replace(SETTINGS, order_entry=True)
    tx = invoice_to_transaction(invoice, BOOK, settings=settings).unwrap()
    assert [line.dimensions for line in tx.lines] == [
        ((DimensionKind.DEPARTMENT, IntacctId("D1")), (DimensionKind.LOCATION, IntacctId("L1"))),
        ((DimensionKind.LOCATION, IntacctId("L2")),),
    ]
    header = {field.name for field in fields(Transaction)}
    assert not {name for name in header if "dimension" in name or "subtotal" in name}


def test_D15_attachments_are_never_mapped_either_way() -> None:
    invoice = _inv(attachments=("lease.pdf", "photo.jpg"))
    tx = invoice_to_transaction(invoice, BOOK, settings=SETTINGS).unwrap()
    text = canonical(tx)
    assert "lease.pdf" not in text
    assert "photo.jpg" not in text
    assert "attachment" not in text
    tx = replace(tx, record_no="9")
    back = transaction_to_invoice(tx, BOOK, released_id=invoice.id, settings=SETTINGS).unwrap()
    assert back.attachments == ()


# --- failures ----------------------------------------------------------------------------------


def test_M1_unlinked_account_on_an_intacct_line_fails_naming_invoice_line_and_account() -> None:
    bad = TransactionLine(memo="x", account_no=IntacctId("7777"), amount=Decimal(1))
    tx = _tx(lines=(*_tx().lines, bad))
    error = transaction_to_invoice(tx, BOOK, released_id=RID, settings=SETTINGS).failure()
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.M1)
    assert "INV-1, line 2" in error.message
    assert "7777" in error.message
    assert error.record is not None
    assert (error.record.label, error.record.intacct_key) == ("INV-1", "101")


def test_M1_unlinked_customer_fails_before_any_line() -> None:
    tx = _tx(party_id=IntacctId("C404"), lines=(TransactionLine(account_no=IntacctId("0")),))
    error = transaction_to_invoice(tx, BOOK, released_id=RID, settings=SETTINGS).failure()
    assert "C404" in error.message
    assert "line" not in error.message


def test_M2_unlinked_dimension_value_fails_with_M2() -> None:
    line = replace(_tx().lines[0], dimensions=((DimensionKind.PROJECT, IntacctId("P9")),))
    error = transaction_to_invoice(
        _tx(lines=(line,)), BOOK, released_id=RID, settings=SETTINGS
    ).failure()
    assert error.rule is Rule.M2
    assert "Project P9" in error.message


def test_D17_oe_line_with_a_foreign_item_fails_naming_the_item() -> None:
    line = TransactionLine(memo="x", item_id=IntacctId("WIDGET"), price=Decimal(1))
    tx = _tx(origin=Origin.ORDER_ENTRY, transaction_definition="Sales Invoice", lines=(line,))
    error = transaction_to_invoice(tx, BOOK, released_id=RID, settings=SETTINGS).failure()
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.D17)
    assert "Sales Invoice-INV-1, line 1" in error.message
    assert "WIDGET" in error.message


def test_M1_customer_cannot_be_on_an_expense_invoice() -> None:
    bill = _inv(type=InvoiceType.EXPENSE, invoice_number="B-9")
    error = invoice_to_transaction(bill, BOOK, settings=SETTINGS).failure()
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.M1)
    assert "B-9" in error.message
    assert "con-c1" in error.message
    assert "customer" in error.message
    assert "vendor" in error.fix
    assert error.record is not None
    assert error.record.released_id == "inv-1"


def test_M2_two_options_of_one_category_on_a_line_are_refused() -> None:
    line = replace(_inv().lines[0], tracking=(LOC_L1, LOC_L2))
    error = invoice_to_transaction(_inv(lines=(line,)), BOOK, settings=SETTINGS).failure()
    assert error.rule is Rule.M2
    assert "R-1, line 1" in error.message
    assert "Location" in error.message


def test_M1_unlinked_tax_type_on_a_released_line_fails() -> None:
    line = replace(_inv().lines[0], tax_type_id=ReleasedId("tax-none"))
    error = invoice_to_transaction(_inv(lines=(line,)), BOOK, settings=SETTINGS).failure()
    assert error.rule is Rule.M1
    assert "tax-none" in error.message


# --- round trip --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _World:
    links: LinkIndex
    accounts: tuple[IntacctId, ...]
    taxes: tuple[IntacctId, ...]
    parties: dict[ContactRole, tuple[IntacctId, ...]]
    values: dict[DimensionKind, tuple[IntacctId, ...]]


_codes = st.text(alphabet="ABCXYZ0189-. ", min_size=1, max_size=6).map(IntacctId)
_unique_codes = st.lists(_codes, min_size=1, max_size=3, unique=True).map(tuple)
_texts = st.text(max_size=10)
_money = st.decimals(min_value=-(10**6), max_value=10**6, places=2)
_POWERS_OF_2_AND_5 = (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50, 64, 80, 100, 125)


@st.composite
def _priced(draw: st.DrawFn) -> tuple[Decimal, Decimal]:
    """A quantity and a price whose product is a whole number of cents (rule M1, F9), either of
    them with more decimals: quantity n/d, price total x d/n, n and d made of 2s and 5s."""
    total = Decimal(draw(st.integers(min_value=1, max_value=10**7))) / 100
    n, d = draw(st.sampled_from(_POWERS_OF_2_AND_5)), draw(st.sampled_from((1, 2, 4, 5, 10, 100)))
    return Decimal(n) / d, total * d / n


_dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def _worlds(draw: st.DrawFn) -> _World:
    accounts, taxes = draw(_unique_codes), draw(_unique_codes)
    parties = {role: draw(_unique_codes) for role in ContactRole}
    values = {kind: draw(_unique_codes) for kind in DimensionKind}
    links = [
        *(_link(RecordType.ACCOUNT, f"acc/{no}", no) for no in accounts),
        *(_link(RecordType.TAX_TYPE, f"tax/{tid}", tid) for tid in taxes),
        *(
            _link(RecordType.CONTACT, f"con/{role.value}/{pid}", party_key(role, pid))
            for role, ids in parties.items()
            for pid in ids
        ),
        *(_link(RecordType.TRACKING_CATEGORY, f"cat/{k.value}", category_key(k)) for k in values),
        *(
            _link(RecordType.TRACKING_OPTION, f"opt/{k.value}/{v}", option_key(k, v))
            for k, ids in values.items()
            for v in ids
        ),
    ]
    return _World(LinkIndex(links), accounts, taxes, parties, values)


@st.composite
def _lines(draw: st.DrawFn, world: _World, origin: Origin) -> TransactionLine:
    kinds = draw(st.lists(st.sampled_from(DimensionKind), unique=True, max_size=3))
    dims = tuple(
        (kind, draw(st.sampled_from(world.values[kind])))
        for kind in sorted(kinds, key=lambda k: k.value)
    )
    account = draw(st.sampled_from(world.accounts))
    line = TransactionLine(
        memo=draw(_texts),
        tax_detail_id=draw(st.none() | st.sampled_from(world.taxes)),
        dimensions=dims,
        rev_rec_template=draw(st.none() | _texts),
        rev_rec_start=draw(st.none() | _dates),
        rev_rec_end=draw(st.none() | _dates),
    )
    if origin.is_order_module:
        item = item_id_for(account, sales=origin is Origin.ORDER_ENTRY)
        quantity, price = draw(_priced())
        return replace(line, item_id=item, quantity=quantity, price=price)
    return replace(line, account_no=account, amount=draw(_money), tax_amount=draw(_money))


@st.composite
def _scenarios(draw: st.DrawFn) -> tuple[Transaction, IdBook, SyncSettings]:
    world = draw(_worlds())
    origin = draw(st.sampled_from(Origin))
    settings = replace(
        SETTINGS,
        post_on_due_date=draw(st.booleans()),
        order_entry=origin is not Origin.AR and draw(st.booleans()),
        purchasing=origin is not Origin.AP and draw(st.booleans()),
    )
    on, due = draw(_dates), draw(st.none() | _dates)
    order = origin.is_order_module
    tx = Transaction(
        origin=origin,
        kind=draw(st.sampled_from(DocumentKind)),
        number=draw(_texts),
        state=draw(st.sampled_from([IntacctState.DRAFT, IntacctState.POSTED])),
        party_id=draw(st.sampled_from(world.parties[origin.role])),
        invoice_date=on,
        gl_date=due if settings.post_on_due_date and due is not None else on,
        due_date=due,
        currency=GBP,
        lines=tuple(draw(st.lists(_lines(world, origin), min_size=1, max_size=3))),
        reference=draw(_texts),
        payment_priority=draw(st.none() | _texts) if origin.role is ContactRole.VENDOR else None,
        transaction_definition=draw(st.text(min_size=1, max_size=12)) if order else None,
        source_document_number=draw(st.none() | _texts) if order else None,
        record_no=draw(st.none() | _texts),
        total_paid=draw(_money),
        modified_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return tx, IdBook(world.links), settings


@given(_scenarios())
def test_M1_M3_transactions_survive_intacct_released_intacct(
    scenario: tuple[Transaction, IdBook, SyncSettings],
) -> None:
    """Every mapped field of every origin and kind comes back; the GL date follows M3; a record
    without a due date comes back due on its date, as Intacct defaults it; an AR / AP
    adjustment's reference comes in but does not go out (no write carries it: M1)."""
    tx, ids, settings = scenario
    invoice = transaction_to_invoice(tx, ids, released_id=RID, settings=settings).unwrap()
    assert invoice.reference == tx.reference
    back = invoice_to_transaction(invoice, ids, settings=settings).unwrap()
    due = tx.due_date or tx.invoice_date
    expected = replace(tx, record_no=None, modified_at=None, total_paid=Decimal(0), due_date=due)
    if not carries_reference(tx.origin, tx.kind):
        expected = replace(expected, reference="")
    assert back == expected


# --- amounts to the cent (issue 16, F9) ----------------------------------------------------------

_ORDER = replace(SETTINGS, order_entry=True)


def _priced_line(price: str, quantity: str = "1", tax: str = "0") -> InvoiceLine:
    return InvoiceLine(
        description="Rent",
        account_id=ReleasedId("acc-4000"),
        unit_price=Decimal(price),
        quantity=Decimal(quantity),
        tax_amount=Decimal(tax),
    )


@pytest.mark.parametrize("settings", [SETTINGS, _ORDER], ids=["AR", "Order Entry"])
def test_F9_a_unit_price_that_makes_a_line_of_fractional_cents_is_refused_naming_it(
    settings: SyncSettings,
) -> None:
    """``100.005`` made Intacct's total 110.01 and Re-Leased's 110.00, with no result: the line
    is refused, naming the line, the unit price and what it comes to, and nothing is rounded."""
    invoice = _inv(lines=(_priced_line("10.00"), _priced_line("100.005")))
    error = invoice_to_transaction(invoice, BOOK, settings=settings).failure()
    assert error.kind is ErrorKind.REJECTED
    assert error.rule is Rule.M1
    assert error.record is not None
    assert error.record.released_id == "inv-1"
    assert error.message.startswith("Re-Leased invoice R-1, line 2: the line amount (quantity 1")
    assert "unit price 100.005) is 100.005: it is not a whole number of cents" in error.message
    assert "unit price" in error.fix
    assert "Re-Leased" in error.fix


def test_M1_more_decimals_are_taken_when_the_line_comes_to_whole_cents() -> None:
    invoice = _inv(lines=(_priced_line("100.005", quantity="2"), _priced_line("33.3", "0.3")))
    for settings in (SETTINGS, _ORDER):
        tx = invoice_to_transaction(invoice, BOOK, settings=settings).unwrap()
        assert sum(line.line_amount for line in tx.lines) == Decimal("210.00")


def test_F9_a_tax_amount_of_fractional_cents_is_refused_and_order_entry_tax_is_intaccts() -> None:
    invoice = _inv(lines=(_priced_line("10.00", tax="1.005"),))
    error = invoice_to_transaction(invoice, BOOK, settings=SETTINGS).failure()
    assert "line 1: the tax amount is 1.005: it is not a whole number of cents" in error.message
    sent = invoice_to_transaction(invoice, BOOK, settings=_ORDER).unwrap()  # D17: not sent
    assert sent.lines[0].tax_amount == 0


def test_F9_an_intacct_price_that_makes_a_line_of_fractional_cents_is_refused_naming_it() -> None:
    order_line = TransactionLine(
        memo="Rent", item_id=item_id_for(IntacctId("4000"), sales=True), price=Decimal("100.005")
    )
    order = _tx(
        origin=Origin.ORDER_ENTRY,
        transaction_definition="Sales Invoice",
        document_id="Sales Invoice-SI1",
        lines=(order_line,),
    )
    error = transaction_to_invoice(order, BOOK, released_id=RID, settings=SETTINGS).failure()
    assert error.rule is Rule.M1
    assert "line 1: the line amount (quantity 1 x price 100.005) is 100.005" in error.message
    assert "Sage Intacct" in error.fix
    two = replace(order, lines=(replace(order_line, quantity=Decimal(2)),))
    made = transaction_to_invoice(two, BOOK, released_id=RID, settings=SETTINGS).unwrap()
    assert made.lines[0].line_amount == Decimal("200.01")


def test_F9_an_amount_beyond_the_bounds_is_refused_naming_it() -> None:
    """The 27-digit amount of F5, should it reach the mapping some other way than the wire."""
    invoice = _inv(lines=(_priced_line("1" * 27),))
    error = invoice_to_transaction(invoice, BOOK, settings=SETTINGS).failure()
    assert "more than 15 digits before the decimal point" in error.message
