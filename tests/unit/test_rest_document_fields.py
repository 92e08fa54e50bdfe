"""The REST document fields read into the XML reader's rows and written as bodies
(``adapters/intacct_rest/document_fields.py``, docs/intacct-rest.md 4.6-4.10)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from returns.pipeline import is_successful

from released_intacct.adapters.intacct.convert import read_documents
from released_intacct.adapters.intacct_rest.document_bodies import body
from released_intacct.adapters.intacct_rest.document_fields import DOCUMENTS, row
from released_intacct.domain.enums import DocumentKind, IntacctState, Origin
from released_intacct.domain.ids import IntacctId
from released_intacct.domain.intacct import Transaction, TransactionLine
from released_intacct.domain.money import Currency

AP_CREDIT = DOCUMENTS[Origin.AP, DocumentKind.CREDIT_NOTE]
HEADER = {
    "key": "7",
    "adjustmentNumber": "VADJ-1",
    "state": "partiallyPaid",
    "vendor": {"id": "V1"},
    "createdDate": "2026-04-30",
    "currency": {"txnCurrency": "USD"},
    "txnTotalEntered": "-10.00",
    "audit": {"modifiedDateTime": "2026-05-01T10:00:00Z"},
}


def _line(amount: str, paid: str | None) -> dict[str, object]:
    line: dict[str, object] = {"key": "1", "glAccount": {"id": "5000"}, "txnAmount": amount}
    if paid is not None:
        line["paymentInformation"] = {"txnTotalPaid": paid}
    return line


def test_an_ap_adjustments_paid_total_is_its_lines_paid_amounts_added_up() -> None:
    lines = [_line("-6.00", "-4.00"), _line("-4.00", "-2.50"), _line("0", None)]
    read = row(AP_CREDIT, Origin.AP, DocumentKind.CREDIT_NOTE, HEADER, lines)
    assert read["TOTALPAID"] == "-6.50"
    tx = read_documents.transaction(Origin.AP, DocumentKind.CREDIT_NOTE, read).unwrap()
    assert tx.total_paid == Decimal("6.50")  # a credit note's amounts read positive, as over XML
    assert tx.state is IntacctState.PARTIALLY_PAID  # partiallyPaid -> "partially paid"
    assert tx.due_date == date(2026, 4, 30)  # no dueDate over REST: its date (D21)


def test_M1_a_paid_amount_that_is_not_an_amount_is_refused_by_the_reader() -> None:
    read = row(AP_CREDIT, Origin.AP, DocumentKind.CREDIT_NOTE, HEADER, [_line("-1", "1e5")])
    assert read["TOTALPAID"] == "1e5"
    assert not is_successful(read_documents.transaction(Origin.AP, DocumentKind.CREDIT_NOTE, read))


def test_a_bills_payment_priority_reads_as_the_xml_word() -> None:
    bill = DOCUMENTS[Origin.AP, DocumentKind.INVOICE]
    header = {**HEADER, "billNumber": "B-1", "state": "posted", "paymentPriority": "normal"}
    assert row(bill, Origin.AP, DocumentKind.INVOICE, header, [])["PAYMENTPRIORITY"] == "Normal"


def test_a_create_body_is_the_same_bytes_each_time_and_negates_a_credit_note() -> None:
    tx = Transaction(
        origin=Origin.AR,
        kind=DocumentKind.CREDIT_NOTE,
        number="ADJ-9",
        state=IntacctState.DRAFT,
        party_id=IntacctId("C1"),
        invoice_date=date(2026, 4, 30),
        gl_date=date(2026, 4, 30),
        due_date=None,
        currency=Currency("USD"),
        lines=(
            TransactionLine(
                account_no=IntacctId("4000"),
                amount=Decimal("12.50"),
                tax_detail_id=IntacctId("VAT"),
                tax_amount=Decimal("2.5"),
            ),
        ),
    )
    doc = DOCUMENTS[Origin.AR, DocumentKind.CREDIT_NOTE]
    first, second = json.dumps(body(doc, tx)), json.dumps(body(doc, tx))
    assert first == second
    assert body(doc, tx) == {
        "customer": {"id": "C1"},
        "adjustmentNumber": "ADJ-9",
        "createdDate": "2026-04-30",
        "txnCurrency": {"currency": "USD"},
        "state": "draft",
        "lines": [
            {
                "glAccount": {"id": "4000"},
                "txnCurrency": {"amount": "-12.50"},
                "taxEntries": [{"orderEntryTaxDetail": {"id": "VAT"}, "txnTaxAmount": "-2.5"}],
            }
        ],
    }


def test_F5_an_amount_answered_as_a_json_number_reads_as_its_string() -> None:
    """Replies show amounts as decimal strings, some requests as numbers (docs/intacct-rest.md
    section 1): a number, decoded as ``Decimal``, reads as the same text, within the XML
    reader's bounds."""
    as_text = row(AP_CREDIT, Origin.AP, DocumentKind.CREDIT_NOTE, HEADER, [_line("-6.00", "-4")])
    header = {**HEADER, "txnTotalEntered": Decimal("-10.00")}
    numbered = {**_line("0", None), "txnAmount": Decimal("-6.00")}
    numbered["paymentInformation"] = {"txnTotalPaid": -4}
    as_number = row(AP_CREDIT, Origin.AP, DocumentKind.CREDIT_NOTE, header, [numbered])
    assert as_number == as_text
    tx = read_documents.transaction(Origin.AP, DocumentKind.CREDIT_NOTE, as_number).unwrap()
    assert tx.lines[0].amount == Decimal("6.00")


def test_an_order_lines_dimension_id_is_taken_whole_never_cut_at_two_dashes() -> None:
    """Some OE line samples show ``id--name`` ([RESTDOC] order-entry, "GET
    /objects/order-entry/document/{key}"): the value is the id as answered."""
    doc = DOCUMENTS[Origin.ORDER_ENTRY, DocumentKind.INVOICE]
    line = {
        "key": "1",
        "item": {"id": "X"},
        "dimensions": {"department": {"id": "10--Sales"}},
    }
    read = row(doc, Origin.ORDER_ENTRY, DocumentKind.INVOICE, {"key": "5"}, [line])
    (entries,) = [value for value in read.values() if isinstance(value, list)]
    assert entries[0]["DEPARTMENTID"] == "10--Sales"
