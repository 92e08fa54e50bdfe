"""Convert round trips: build the create body, run it in the simulator, read it back, look it up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from returns.result import Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert import reading, writing
from released_intacct.adapters.intacct.convert.feeds import (
    AUDIT,
    transaction_feed,
)
from released_intacct.adapters.intacct.lines import LINES
from released_intacct.adapters.intacct.response import rows
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    IntacctStatus,
    Origin,
    PaymentKind,
    RecordType,
)
from released_intacct.domain.ids import IdempotencyKey, IntacctId, IntacctKey
from released_intacct.domain.intacct import (
    ContactBlock,
    IntacctPayment,
    Item,
    Party,
    PaymentApplication,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.money import Currency
from released_intacct.domain.released import Address
from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2024, 3, 1, 12, 0, 5, tzinfo=UTC)
ZONE = ZoneInfo("America/Phoenix")
"""The demo company's zone: its timestamps are written in it."""
ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
Row = dict[str, object]


class Company:
    """The demo company's master data in a simulator, driven in-process."""

    def __init__(self, *, extra: Mapping[str, list[Row]] | None = None) -> None:
        self.sim = Simulator(clock=lambda: NOW)
        config = demo_config()
        records = config["records"]
        assert isinstance(records, dict)
        for name, added in (extra or {}).items():
            records[name] = [*records.get(name, []), *added]
        load_company(self.sim, config, now=NOW)

    def run(self, function: etree._Element, *, controlid: str | None = None) -> etree._Element:
        """Run one function (``uniqueid`` on when a controlid is given); its successful result."""
        inner = etree.tostring(function, encoding="unicode")
        unique = controlid is not None
        body = xmlgw.request(inner, unique=unique, controlids=(controlid or "f1",))
        reply = self.sim.handle(body, endpoint=ENDPOINT)
        (result,) = xmlgw.results(reply.body)
        assert result.findtext("status") == "success", etree.tostring(result, encoding="unicode")
        return result

    def query(self, select: q.Select) -> list[Row]:
        data = self.run(q.read_by_query(select, page_size=1000)).find("data")
        assert data is not None
        return rows(data)

    def offset_query(self, select: q.Select) -> list[Row]:
        """``query`` (the audit feed reads the trail so, by offset)."""
        data = self.run(q.query(select, page_size=1000)).find("data")
        assert data is not None
        return rows(data)

    def whole(self, object_name: str, row: Row) -> Row:
        """A row as ``read`` answers it: a transaction with its lines nested (list functions
        answer headers only)."""
        if object_name not in LINES:
            return row
        data = self.run(q.read(object_name, [str(row["RECORDNO"])])).find("data")
        assert data is not None
        (read,) = rows(data)
        return read

    def delete(self, object_name: str, record_no: str) -> None:
        function = etree.Element("delete")
        etree.SubElement(function, "object").text = object_name
        etree.SubElement(function, "keys").text = record_no
        self.run(function)


USD = Currency("USD")
DAY = date(2024, 2, 20)
DUE = date(2024, 3, 21)


def _key(name: str) -> IdempotencyKey:
    return IdempotencyKey(f"ri-{name}")


def _create(company: Company, record: object, key: IdempotencyKey) -> object:
    """Create ``record`` in the simulator; the record as ``created`` says Intacct holds it."""
    assert isinstance(record, Party | Item | Transaction | IntacctPayment)
    result = company.run(writing.create_body(record, key=key), controlid=key)
    data = result.find("data")
    row = rows(data)[0] if data is not None and len(data) else None
    return writing.created(record, key_text=result.findtext("key"), row=row)


def _found(company: Company, record_type: RecordType, record: object, key: IdempotencyKey) -> Row:
    assert isinstance(record, Party | Item | Transaction | IntacctPayment)
    select = writing.lookup(record_type, record, key)
    (row,) = company.query(select)
    return company.whole(select.object_name, row)


@pytest.mark.parametrize("role", list(ContactRole))
def test_party_round_trips_and_is_found_by_key(role: ContactRole) -> None:
    company = Company()
    party = Party(
        role=role,
        party_id=None,
        name="Harbour View O'Brien & Co",
        primary=ContactBlock(
            first_name="Ann",
            last_name="O'Brien",
            email="ann@example.com",
            phone="555-0101",
            fax="555-0102",
            mobile="555-0103",
            address=Address(
                line1="1 Quay St", line2="Unit 2", city="Port", region="ME", postcode="04101",
                country="United States",
            ),
        ),
        currency=USD,
    )  # fmt: skip
    made = _create(company, party, _key("party"))
    assert isinstance(made, Party)
    assert made.party_id is not None
    assert made.record_no is not None
    read = reading.party(role, _found(company, RecordType.CONTACT, made, _key("party")), tz=ZONE)
    assert read == Success(replace(made, modified_at=NOW))


def test_item_round_trips_and_is_found_by_its_id() -> None:
    company = Company()
    for sales in (True, False):
        item = Item(
            item_id=IntacctId(f"5100-X{sales}"),
            name="Utilities [x]",
            gl_account_no=IntacctId("5100"),
            for_sales=sales,
            status=IntacctStatus.ACTIVE,
        )
        made = _create(company, item, _key(f"item-{sales}"))
        assert made == item
        assert reading.item(_found(company, RecordType.ITEM, item, _key("x"))) == Success(item)


def _ledger_line(amount: str, *, tax: str = "0") -> TransactionLine:
    return TransactionLine(
        memo="Rent for March",
        account_no=IntacctId("4000"),
        amount=Decimal(amount),
        tax_detail_id=IntacctId("Standard 10%") if tax != "0" else None,
        tax_amount=Decimal(tax),
        dimensions=(
            (DimensionKind.CLASS, IntacctId("CL-RES")),
            (DimensionKind.DEPARTMENT, IntacctId("D100")),
            (DimensionKind.LOCATION, IntacctId("L110")),
            (DimensionKind.PROJECT, IntacctId("P-001")),
        ),
    )


def _ledger(
    origin: Origin, kind: DocumentKind, *, state: IntacctState = IntacctState.POSTED
) -> Transaction:
    expense = origin is Origin.AP
    line = _ledger_line("1200.50", tax="120.05")
    if not expense:
        line = replace(
            line,
            rev_rec_template="Straight line",
            rev_rec_start=date(2024, 3, 1),
            rev_rec_end=date(2024, 3, 31),
        )
    return Transaction(
        origin=origin,
        kind=kind,
        number=f"{origin.value}-{kind.value}-1",
        state=state,
        party_id=IntacctId("VEN-2001" if expense else "CUS-1001"),
        invoice_date=DAY,
        gl_date=DAY,
        # an adjustment has no due date on the wire: Intacct shows its transaction date
        due_date=DUE if kind is DocumentKind.INVOICE else DAY,
        currency=USD,
        lines=(
            replace(line, account_no=IntacctId("5000" if expense else "4000")),
            replace(_ledger_line("99"), account_no=IntacctId("5100" if expense else "4100")),
        ),
        reference="PO-77" if kind is DocumentKind.INVOICE else "",
        payment_priority="Normal" if expense and kind is DocumentKind.INVOICE else None,
    )


LEDGERS = [(o, k) for o in (Origin.AR, Origin.AP) for k in DocumentKind]


@pytest.mark.parametrize(("origin", "kind"), LEDGERS)
def test_ledger_transaction_round_trips(origin: Origin, kind: DocumentKind) -> None:
    company = Company()
    key = _key(f"{origin.value}-{kind.value}")
    tx = _ledger(origin, kind)
    made = _create(company, tx, key)
    assert isinstance(made, Transaction)
    assert made.record_no is not None
    row = _found(company, made.record_type, made, key)
    assert reading.transaction(origin, kind, row, tz=ZONE) == Success(
        replace(made, modified_at=NOW)
    )


def test_a_credit_memo_is_written_with_negative_amounts() -> None:
    company = Company()
    made = _create(company, _ledger(Origin.AR, DocumentKind.CREDIT_NOTE), _key("cn"))
    assert isinstance(made, Transaction)
    row = _found(company, RecordType.CREDIT_NOTE, made, _key("cn"))
    # the lines (1200.50 + 99.00) and their tax (120.05): a document is owed with its tax
    # (docs/intacct-fidelity.md, Sage's invoice sample of a 400.00 line and 40.00 tax: 440.00)
    assert row["TOTALENTERED"] == "-1419.55"


def test_a_draft_is_updated_and_posted() -> None:
    company = Company()
    draft = _ledger(Origin.AR, DocumentKind.INVOICE, state=IntacctState.DRAFT)
    made = _create(company, draft, _key("draft"))
    assert isinstance(made, Transaction)
    assert made.record_no is not None
    first = reading.transaction(
        Origin.AR, DocumentKind.INVOICE, _found(company, RecordType.INVOICE, made, _key("draft"))
    )
    assert first.unwrap().state is IntacctState.DRAFT
    edited = replace(made, state=IntacctState.POSTED, lines=(_ledger_line("10.25", tax="1.03"),))
    company.run(writing.update_body(edited, intacct_key=IntacctKey(made.record_no)))
    row = _found(company, RecordType.INVOICE, made, _key("draft"))
    assert reading.transaction(Origin.AR, DocumentKind.INVOICE, row, tz=ZONE) == Success(
        replace(edited, modified_at=NOW)
    )


def _order(origin: Origin, kind: DocumentKind, definition: str) -> Transaction:
    sales = origin is Origin.ORDER_ENTRY
    line = TransactionLine(
        memo="Service charge Q1",
        item_id=IntacctId("4100-S" if sales else "5100-P"),
        quantity=Decimal("3"),
        price=Decimal("19.99"),
        tax_detail_id=IntacctId("Reduced 5%"),
        dimensions=((DimensionKind.DEPARTMENT, IntacctId("D200")),),
    )
    return Transaction(
        origin=origin,
        kind=kind,
        number="",
        state=IntacctState.POSTED,
        party_id=IntacctId("CUS-1002" if sales else "VEN-2002"),
        invoice_date=DAY,
        gl_date=DAY,
        due_date=DUE,
        currency=USD,
        lines=(line,),
        reference="REF-9",
        transaction_definition=definition,
        source_document_number="Sales Order-SO0001" if sales else None,
    )


ORDERS = [
    (Origin.ORDER_ENTRY, DocumentKind.INVOICE, "Sales Invoice"),
    (Origin.ORDER_ENTRY, DocumentKind.CREDIT_NOTE, "Sales Return"),
    (Origin.PURCHASING, DocumentKind.INVOICE, "Vendor Invoice"),
    (Origin.PURCHASING, DocumentKind.CREDIT_NOTE, "Vendor Return"),
]
RETURNS: dict[str, list[Row]] = {
    "SODOCUMENTPARAMS": [{"DOCID": "Sales Return", "DOCCLASS": "Invoice"}],
    "PODOCUMENTPARAMS": [{"DOCID": "Vendor Return", "DOCCLASS": "Invoice"}],
}


@pytest.mark.parametrize(("origin", "kind", "definition"), ORDERS)
def test_order_document_round_trips(origin: Origin, kind: DocumentKind, definition: str) -> None:
    company = Company(extra=RETURNS)
    key = _key("order")
    made = _create(company, _order(origin, kind, definition), key)
    assert isinstance(made, Transaction)
    assert made.document_id == f"{definition}-{made.number}"
    row = _found(company, made.record_type, made, key)
    read = reading.transaction(origin, kind, row, tz=ZONE).unwrap()
    taxed = tuple(replace(line, tax_amount=Decimal("3.00")) for line in made.lines)
    assert read == replace(made, lines=taxed, record_no=read.record_no, modified_at=NOW)
    feed = transaction_feed(origin, kind, definition=definition)
    assert [r["DOCID"] for r in company.query(feed.select(None))] == [made.document_id]


def test_order_draft_is_updated_and_posted() -> None:
    company = Company()
    tx = replace(
        _order(Origin.ORDER_ENTRY, DocumentKind.INVOICE, "Sales Invoice"), state=IntacctState.DRAFT
    )
    made = _create(company, tx, _key("so-draft"))
    assert isinstance(made, Transaction)
    assert made.document_id is not None
    edited = replace(
        made, state=IntacctState.POSTED, lines=(replace(tx.lines[0], quantity=Decimal(5)),)
    )
    company.run(writing.update_body(edited, intacct_key=IntacctKey(made.document_id)))
    row = _found(company, RecordType.INVOICE, made, _key("so-draft"))
    read = reading.transaction(Origin.ORDER_ENTRY, DocumentKind.INVOICE, row, tz=ZONE).unwrap()
    assert read.state is IntacctState.POSTED
    assert read.lines[0].quantity == 5
    assert row["PRRECORDKEY"] != ""


def test_the_ar_feed_leaves_out_invoices_order_entry_posted() -> None:
    company = Company()
    ar = _create(company, _ledger(Origin.AR, DocumentKind.INVOICE), _key("ar"))
    _create(company, _order(Origin.ORDER_ENTRY, DocumentKind.INVOICE, "Sales Invoice"), _key("so"))
    assert isinstance(ar, Transaction)
    assert len(company.query(q.Select(object_name="ARINVOICE"))) == 2
    feed = transaction_feed(Origin.AR, DocumentKind.INVOICE)
    assert [r["RECORDNO"] for r in company.query(feed.select(None))] == [ar.record_no]


@pytest.mark.parametrize("origin", [Origin.AR, Origin.AP])
def test_payment_round_trips_applied_to_its_invoice(origin: Origin) -> None:
    company = Company()
    invoice = _create(company, _ledger(origin, DocumentKind.INVOICE), _key("inv"))
    assert isinstance(invoice, Transaction)
    assert invoice.record_no is not None
    payment = IntacctPayment(
        origin=origin,
        kind=PaymentKind.ORDINARY,
        party_id=invoice.party_id,
        date=date(2024, 2, 28),
        currency=USD,
        amount=Decimal("500.00"),
        applications=(
            PaymentApplication(document_key=IntacctKey(invoice.record_no), amount=Decimal(500)),
        ),
        reference="CHQ-1001",
    )
    made = _create(company, payment, _key("pay"))
    assert isinstance(made, IntacctPayment)
    assert made.record_no is not None
    read = reading.payment(origin, _found(company, RecordType.PAYMENT, made, _key("pay")), tz=ZONE)
    assert read == Success(replace(made, modified_at=NOW))


def test_a_deleted_invoice_comes_back_from_the_audit_feed() -> None:
    company = Company()
    made = _create(company, _ledger(Origin.AR, DocumentKind.INVOICE), _key("gone"))
    assert isinstance(made, Transaction)
    assert made.record_no is not None
    company.delete("ARINVOICE", made.record_no)
    feed = AUDIT.feed(RecordType.INVOICE)
    assert feed.by_offset
    (row,) = company.offset_query(feed.select(NOW, tz=ZONE))
    found = reading.deletion(RecordType.INVOICE, row, tz=ZONE)
    assert found.unwrap().key == made.record_no
    assert found.unwrap().deleted_at == NOW
