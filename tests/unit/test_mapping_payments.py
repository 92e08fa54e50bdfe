"""Payment allocations ⇄ Re-Leased payments (rules D2, D9-D11)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.enums import (
    DocumentKind,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedPaymentStatus,
    System,
)
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.links import Link, LinkIndex, LinkStatus
from released_intacct.domain.mapping.payments import allocation_to_payment, payment_to_intacct
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.money import currency
from released_intacct.domain.released import Payment

GBP = currency("GBP")
ON = date(2026, 3, 5)
PID = ReleasedId("pay-new")


def _link(
    record_type: RecordType, released: str, key: str, status: LinkStatus = LinkStatus.LINKED
) -> Link:
    return Link(
        record_type=record_type,
        released_id=ReleasedId(released),
        intacct_key=IntacctKey(key),
        origin=System.INTACCT,
        status=status,
    )


BOOK = IdBook(
    LinkIndex(
        [
            _link(RecordType.INVOICE, "inv-1", "101"),
            _link(RecordType.CREDIT_NOTE, "cn-1", "201"),
            _link(RecordType.INVOICE, "inv-gone", "301", LinkStatus.UNLINKED),
        ]
    )
)


def _paid(*applications: PaymentApplication, reference: str = "CHQ 12") -> IntacctPayment:
    return IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.OVERPAYMENT,
        party_id=IntacctId("C1"),
        date=ON,
        currency=GBP,
        amount=sum((a.amount for a in applications), Decimal(0)),
        applications=applications,
        reference=reference,
        record_no="501",
    )


def test_D2_D11_each_allocation_becomes_a_payment_of_the_linked_invoice() -> None:
    to_invoice = PaymentApplication(document_key=IntacctKey("101"), amount=Decimal(60))
    to_credit = PaymentApplication(document_key=IntacctKey("201"), amount=Decimal(15))
    payment = _paid(to_invoice, to_credit)
    assert allocation_to_payment(payment, to_invoice, BOOK, released_id=PID).unwrap() == Payment(
        id=PID,
        invoice_id=ReleasedId("inv-1"),
        document_kind=DocumentKind.INVOICE,
        date=ON,
        amount=Decimal(60),
        currency=GBP,
        reference="CHQ 12",
    )
    refund = allocation_to_payment(payment, to_credit, BOOK, released_id=PID).unwrap()
    assert (refund.invoice_id, refund.document_kind) == ("cn-1", DocumentKind.CREDIT_NOTE)
    assert refund.amount == Decimal(15)


def test_D2_allocation_to_an_unlinked_or_unknown_document_names_payment_and_document() -> None:
    for key in ("301", "999"):
        application = PaymentApplication(document_key=IntacctKey(key), amount=Decimal(1))
        error = allocation_to_payment(
            _paid(application), application, BOOK, released_id=PID
        ).failure()
        assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.D2)
        assert "CHQ 12" in error.message
        assert f"is applied to a document (Sage Intacct record number {key})" in error.message
        assert "not synced with Re-Leased" in error.message
        assert error.record is not None
        assert error.record.intacct_key == f"501/{key}"


def test_D2_released_payment_becomes_an_ordinary_payment_applied_in_full() -> None:
    payment = Payment(
        id=ReleasedId("pay-1"),
        invoice_id=ReleasedId("cn-1"),
        document_kind=DocumentKind.CREDIT_NOTE,
        date=ON,
        amount=Decimal("12.34"),
        currency=GBP,
        reference="BACS",
    )
    sent = payment_to_intacct(payment, BOOK, origin=Origin.AP, party_id=IntacctId("V1")).unwrap()
    assert sent == IntacctPayment(
        origin=Origin.AP,
        kind=PaymentKind.ORDINARY,
        party_id=IntacctId("V1"),
        date=ON,
        currency=GBP,
        amount=Decimal("12.34"),
        applications=(PaymentApplication(document_key=IntacctKey("201"), amount=Decimal("12.34")),),
        reference="BACS",
    )


def test_D2_released_payment_of_an_unlinked_invoice_fails() -> None:
    payment = Payment(
        id=ReleasedId("pay-1"),
        invoice_id=ReleasedId("inv-gone"),
        document_kind=DocumentKind.INVOICE,
        date=ON,
        amount=Decimal(1),
        currency=GBP,
    )
    error = payment_to_intacct(payment, BOOK, origin=Origin.AR, party_id=IntacctId("C1")).failure()
    assert error.kind is ErrorKind.NEEDS_USER
    assert "inv-gone" in error.message


@given(
    st.sampled_from([("inv-1", DocumentKind.INVOICE), ("cn-1", DocumentKind.CREDIT_NOTE)]),
    st.dates(),
    st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=2),
    st.text(max_size=20),
    st.sampled_from([Origin.AR, Origin.AP]),
)
def test_D2_payment_survives_released_intacct_released(
    document: tuple[str, DocumentKind], on: date, amount: Decimal, reference: str, origin: Origin
) -> None:
    payment = Payment(
        id=PID,
        invoice_id=ReleasedId(document[0]),
        document_kind=document[1],
        date=on,
        amount=amount,
        currency=GBP,
        reference=reference,
        status=ReleasedPaymentStatus.ACTIVE,
    )
    sent = payment_to_intacct(payment, BOOK, origin=origin, party_id=IntacctId("P1")).unwrap()
    (application,) = sent.applications
    assert allocation_to_payment(sent, application, BOOK, released_id=PID).unwrap() == payment


def test_F9_a_payment_of_fractional_cents_is_refused_both_ways_naming_it() -> None:
    """Intacct would round it to the cent and Re-Leased keep it: refused, never rounded."""
    payment = Payment(
        id=ReleasedId("pay-1"),
        invoice_id=ReleasedId("inv-1"),
        document_kind=DocumentKind.INVOICE,
        date=ON,
        amount=Decimal("12.345"),
        currency=GBP,
        reference="BACS",
    )
    out = payment_to_intacct(payment, BOOK, origin=Origin.AR, party_id=IntacctId("C1")).failure()
    assert (out.kind, out.rule) == (ErrorKind.REJECTED, Rule.M1)
    assert out.message.startswith("The amount of the Re-Leased payment BACS of 12.345 GBP is")
    assert "12.345: it is not a whole number of cents" in out.message
    assert out.record is not None
    assert out.record.released_id == "pay-1"
    applied = PaymentApplication(document_key=IntacctKey("101"), amount=Decimal("0.001"))
    back = allocation_to_payment(_paid(applied), applied, BOOK, released_id=PID).failure()
    assert "applies to Sage Intacct record number 101 is 0.001: it is not" in back.message
    assert back.record is not None
    assert back.record.intacct_key == "501/101"
