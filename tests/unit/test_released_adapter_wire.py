"""The Re-Leased wire DTOs: exact decimals, refused numbers, JSON paths, encoding, conversion."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from returns.pipeline import is_successful

from released_intacct.adapters.released.contacts import ContactWire, contact_body, to_contact
from released_intacct.adapters.released.documents import (
    CreditNoteWire,
    InvoiceWire,
    document_body,
    to_document,
)
from released_intacct.adapters.released.lists import TaxTypeWire, to_tax_type
from released_intacct.adapters.released.payments import PaymentWire, payment_body, to_payment
from released_intacct.adapters.released.wire import decoder, encode
from released_intacct.domain.enums import (
    ContactRole,
    DocumentKind,
    InvoiceType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
)
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.money import Currency
from released_intacct.domain.released import Address, Contact, Invoice, InvoiceLine, Payment

STAMP = "2026-03-01T09:30:00.123456Z"
INVOICES = decoder(InvoiceWire)


def line_json(**changes: Any) -> dict[str, Any]:
    line = {
        "id": "l1",
        "description": "Rent",
        "accountId": "a-200",
        "quantity": "1",
        "unitPrice": "1200.00",
        "taxTypeId": "t-gst",
        "taxAmount": "180.00",
        "lineAmount": "1200.00",
        "tracking": [{"categoryId": "c1", "optionId": "o1"}],
        "revRecTemplate": None,
        "revRecStartDate": None,
        "revRecEndDate": None,
    }
    return {**line, **changes}


def invoice_json(**changes: Any) -> dict[str, Any]:
    invoice = {
        "id": "inv-1",
        "type": "Income",
        "invoiceNumber": "INV-001",
        "status": "Approved",
        "contactId": "c-1",
        "issueDate": "2026-03-01",
        "dueDate": "2026-03-31",
        "reference": "March rent",
        "paymentPriority": None,
        "oeTransactionDefinition": None,
        "sourceDocumentNumber": None,
        "currency": "NZD",
        "subTotal": "1200.00",
        "totalTax": "180.00",
        "total": "1380.00",
        "amountPaid": "0.10",
        "amountDue": "1379.90",
        "lines": [line_json()],
        "attachments": ["lease.pdf"],
        "lastModified": STAMP,
        "version": 3,
    }
    return {**invoice, **changes}


def _raw(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


def test_money_keeps_its_exact_digits() -> None:
    wire = INVOICES.decode(_raw(invoice_json(lines=[line_json(unitPrice="0.10")])))
    invoice = to_document(wire).unwrap()
    assert invoice.amount_paid == Decimal("0.10")
    assert str(invoice.amount_paid) == "0.10"
    assert type(invoice.amount_paid) is Decimal
    assert str(invoice.lines[0].unit_price) == "0.10"
    assert invoice.lines[0].tax_amount == Decimal("180.00")


@pytest.mark.parametrize(
    ("total", "said"),
    [
        ("1380.0", None),
        (1380.0, "got a JSON number"),
        (1380, "got a JSON number"),
        ("NaN", "'NaN'"),
        ("1e3", "'1e3'"),
        ("1,380.00", "'1,380.00'"),
        (None, "got NoneType"),
    ],
)
def test_money_is_a_decimal_string_and_anything_else_names_its_path(
    total: object, said: str | None
) -> None:
    body = _raw(invoice_json(total=total))
    if said is None:
        assert INVOICES.decode(body).total == Decimal("1380.0")
        return
    with pytest.raises(msgspec.ValidationError) as caught:
        INVOICES.decode(body)
    assert "`$.total`" in str(caught.value)
    assert said in str(caught.value)


@pytest.mark.parametrize(
    "total",
    ["0.0000000001", "-0.000000001", "999999999999", "999999999999999.9999999999", "0.1"],
)
def test_F5_amounts_up_to_the_bounds_read_exactly_short_or_long(total: str) -> None:
    """Amounts of at most 12 characters skip the bounds check (none can pass the bounds); longer
    ones are checked; both read as the exact Decimal of their text."""
    decoded = INVOICES.decode(_raw(invoice_json(total=total))).total
    assert format(decoded, "f") == total
    assert decoded.as_tuple() == Decimal(total).as_tuple()


def test_a_bad_line_value_names_the_line_path() -> None:
    body = _raw(invoice_json(lines=[line_json(), line_json(quantity=2.5)]))
    with pytest.raises(msgspec.ValidationError, match=r"\$\.lines\[1\]\.quantity"):
        INVOICES.decode(body)


def test_timestamps_must_carry_a_zone() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.lastModified"):
        INVOICES.decode(_raw(invoice_json(lastModified="2026-03-01T09:30:00")))


def test_statuses_outside_the_model_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.status"):
        INVOICES.decode(_raw(invoice_json(status="Sent")))


def test_an_invoice_reads_into_the_domain_record() -> None:
    invoice = to_document(INVOICES.decode(_raw(invoice_json()))).unwrap()
    assert invoice.kind is DocumentKind.INVOICE
    assert invoice.type is InvoiceType.INCOME
    assert invoice.status is ReleasedInvoiceStatus.APPROVED
    assert invoice.due_date == date(2026, 3, 31)
    assert invoice.modified_at == datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
    assert invoice.version == 3
    assert invoice.attachments == ("lease.pdf",)
    assert invoice.lines[0].tracking[0].option_id == "o1"
    assert invoice.total == Decimal("1380.00")


def test_a_credit_note_has_no_due_date_and_a_remaining_credit() -> None:
    note = dict(invoice_json(remainingCredit="50.00"))
    del note["dueDate"]
    wire = decoder(CreditNoteWire).decode(_raw(note))
    record = to_document(wire).unwrap()
    assert record.kind is DocumentKind.CREDIT_NOTE
    assert record.due_date is None


def test_an_unknown_currency_is_a_problem_of_the_record_not_a_crash() -> None:
    converted = to_document(INVOICES.decode(_raw(invoice_json(currency="DOLLARS"))))
    assert not is_successful(converted)
    error = converted.failure()
    assert error.record is not None
    assert error.record.released_id == "inv-1"
    assert "currency" in error.message


def _document() -> Invoice:
    return Invoice(
        id=ReleasedId("ri-key"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.EXPENSE,
        invoice_number="B-7",
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=ReleasedId("v-1"),
        issue_date=date(2026, 2, 1),
        due_date=None,
        currency=Currency("AUD"),
        lines=(
            InvoiceLine(
                description="Cleaning",
                account_id=ReleasedId("a-400"),
                unit_price=Decimal("0.10"),
                quantity=Decimal("3"),
                tax_amount=Decimal("0.0000001"),
            ),
        ),
    )


def test_a_document_body_sends_amounts_as_plain_decimal_strings_and_no_totals() -> None:
    sent = json.loads(encode(document_body(_document())))
    line = sent["lines"][0]
    assert (line["unitPrice"], line["quantity"], line["taxAmount"]) == ("0.10", "3", "0.0000001")
    assert "total" not in sent
    assert "lineAmount" not in line
    assert "version" not in sent
    assert "dueDate" not in sent
    assert sent["id"] == "ri-key"
    assert sent["type"] == "Expense"
    assert json.loads(encode(document_body(_document(), version=4)))["version"] == 4


def test_a_credit_note_body_never_carries_a_due_date() -> None:
    note = Invoice(**{**_fields(_document()), "kind": DocumentKind.CREDIT_NOTE})
    note = Invoice(**{**_fields(note), "due_date": date(2026, 4, 1)})
    assert "dueDate" not in json.loads(encode(document_body(note)))


def _fields(invoice: Invoice) -> dict[str, Any]:
    return {name: getattr(invoice, name) for name in Invoice.__slots__}


def test_a_contact_round_trips_through_its_body() -> None:
    contact = Contact(
        id=ReleasedId("c-9"),
        name="Acme Ltd",
        email="ap@acme.test",
        postal_address=Address(line1="1 Queen St", line2="CBD", city="Auckland", postcode="1010"),
        currency=Currency("NZD"),
        role=ContactRole.VENDOR,
    )
    sent = json.loads(encode(contact_body(contact)))
    assert sent["postalAddress"]["townCity"] == "Auckland"
    assert sent["role"] == "Vendor"
    stored = {**sent, "lastModified": STAMP, "version": 1}
    back = to_contact(decoder(ContactWire).decode(_raw(stored))).unwrap()
    assert back.postal_address == contact.postal_address
    assert (back.role, back.currency, back.version) == (ContactRole.VENDOR, "NZD", 1)


def test_a_tax_rate_is_exact() -> None:
    body = _raw({"id": "t", "name": "GST", "rate": "15.000", "status": "Active",
                 "lastModified": STAMP, "version": 1})  # fmt: skip
    rate = to_tax_type(decoder(TaxTypeWire).decode(body)).unwrap().rate
    assert str(rate) == "15.000"


def test_a_payment_names_exactly_one_document() -> None:
    base = {"id": "p1", "date": "2026-03-02", "amount": "10.05", "reference": "r",
            "status": "Active", "lastModified": STAMP, "version": 1}  # fmt: skip
    both = decoder(PaymentWire).decode(_raw({**base, "invoiceId": "i", "creditNoteId": "n"}))
    assert not is_successful(to_payment(both, currency="NZD"))
    note = decoder(PaymentWire).decode(_raw({**base, "creditNoteId": "n"}))
    payment = to_payment(note, currency="NZD").unwrap()
    assert (payment.document_kind, payment.invoice_id, payment.amount) == (
        DocumentKind.CREDIT_NOTE,
        "n",
        Decimal("10.05"),
    )
    assert payment.status is ReleasedPaymentStatus.ACTIVE


def test_a_refund_body_names_the_credit_note() -> None:
    refund = Payment(
        id=ReleasedId("p"),
        invoice_id=ReleasedId("cn-1"),
        document_kind=DocumentKind.CREDIT_NOTE,
        date=date(2026, 3, 3),
        amount=Decimal("25.50"),
        currency=Currency("NZD"),
    )
    sent = json.loads(encode(payment_body(refund)))
    assert sent == {"id": "p", "creditNoteId": "cn-1", "date": "2026-03-03",
                    "amount": "25.50", "reference": ""}  # fmt: skip
