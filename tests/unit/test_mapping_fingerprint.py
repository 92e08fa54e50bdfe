"""Fingerprints of Re-Leased records over their mapped content only (rules D21, D6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.enums import (
    ContactRole,
    DocumentKind,
    InvoiceType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
    ReleasedStatus,
)
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.money import currency
from released_intacct.domain.released import (
    Account,
    Address,
    Contact,
    Invoice,
    InvoiceLine,
    Payment,
    TaxType,
    TrackingRef,
)

GBP, EUR = currency("GBP"), currency("EUR")
WHEN = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _invoice(**overrides: object) -> Invoice:
    base = Invoice(
        id=ReleasedId("inv-1"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number="R-1",
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=ReleasedId("con-1"),
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
        currency=GBP,
        lines=(
            InvoiceLine(
                description="Rent",
                account_id=ReleasedId("acc-1"),
                unit_price=Decimal("100.00"),
                quantity=Decimal("1.0"),
                id=ReleasedId("line-1"),
            ),
        ),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_D21_same_invoice_content_with_other_ids_versions_and_times_has_the_same_fingerprint() -> (
    None
):
    first = _invoice()
    other = _invoice(
        id=ReleasedId("inv-2"),
        version=7,
        modified_at=WHEN,
        attachments=("lease.pdf",),
        amount_paid=Decimal(40),
        lines=(replace(first.lines[0], id=ReleasedId("line-9"), unit_price=Decimal(100)),),
    )
    assert fingerprint(first) == fingerprint(other)
    assert len(fingerprint(first)) == 64
    assert int(fingerprint(first), 16) >= 0


def test_D21_decimals_are_compared_by_value() -> None:
    line = _invoice().lines[0]
    longer = replace(line, unit_price=Decimal("100.000"), quantity=Decimal(1))
    assert fingerprint(_invoice()) == fingerprint(_invoice(lines=(longer,)))


def test_D21_D6_paid_reads_as_approved_but_awaiting_approval_differs() -> None:
    approved = fingerprint(_invoice())
    assert fingerprint(_invoice(status=ReleasedInvoiceStatus.PAID)) == approved
    assert fingerprint(_invoice(status=ReleasedInvoiceStatus.AWAITING_APPROVAL)) != approved


def test_D21_contact_role_id_version_and_time_are_not_content() -> None:
    contact = Contact(id=ReleasedId("con-1"), name="C1 - Cafe", email="a@b.example")
    same = replace(
        contact, id=ReleasedId("con-2"), role=ContactRole.VENDOR, version=3, modified_at=WHEN
    )
    assert fingerprint(contact) == fingerprint(same)
    assert fingerprint(contact) != fingerprint(replace(contact, email="c@b.example"))


def test_D21_payment_and_list_records_ignore_id_and_time_only() -> None:
    payment = Payment(
        id=ReleasedId("p1"),
        invoice_id=ReleasedId("inv-1"),
        document_kind=DocumentKind.INVOICE,
        date=date(2026, 3, 5),
        amount=Decimal("10.50"),
        currency=GBP,
    )
    assert fingerprint(payment) == fingerprint(
        replace(payment, id=ReleasedId("p2"), modified_at=WHEN, amount=Decimal("10.5"))
    )
    deleted = replace(payment, status=ReleasedPaymentStatus.DELETED)
    assert fingerprint(payment) != fingerprint(deleted)
    account = Account(id=ReleasedId("a1"), code="4000", name="Rent")
    assert fingerprint(account) == fingerprint(replace(account, id=ReleasedId("a2")))
    tax = TaxType(id=ReleasedId("t1"), name="4000", rate=Decimal(20))
    assert fingerprint(account) != fingerprint(tax)


# --- any change to a mapped field changes the fingerprint (hypothesis) ---------------------------

_texts = st.text(max_size=8)
_money = st.decimals(min_value=-(10**6), max_value=10**6, places=2)
_dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 1, 1))
_ids = st.text(min_size=1, max_size=6).map(ReleasedId)
_refs = st.builds(TrackingRef, category_id=_ids, option_id=_ids)
_lines = st.builds(
    InvoiceLine,
    description=_texts,
    account_id=_ids,
    unit_price=_money,
    quantity=_money,
    tax_type_id=st.none() | _ids,
    tax_amount=_money,
    tracking=st.lists(_refs, max_size=2).map(tuple),
    rev_rec_template=st.none() | _texts,
    rev_rec_start=st.none() | _dates,
    rev_rec_end=st.none() | _dates,
)
_invoices = st.builds(
    Invoice,
    id=_ids,
    kind=st.sampled_from(DocumentKind),
    type=st.sampled_from(InvoiceType),
    invoice_number=_texts,
    status=st.sampled_from(ReleasedInvoiceStatus),
    contact_id=_ids,
    issue_date=_dates,
    due_date=st.none() | _dates,
    currency=st.sampled_from([GBP, EUR]),
    lines=st.lists(_lines, min_size=1, max_size=3).map(tuple),
    reference=_texts,
    payment_priority=st.none() | _texts,
    oe_transaction_definition=st.none() | _texts,
    source_document_number=st.none() | _texts,
)


def _more(text: str | None) -> str:
    return "x" if text is None else text + "x"


def _other_date(day: date | None) -> date:
    return date(2020, 1, 1) if day is None else day + timedelta(days=1)


def _on_line(change: Callable[[InvoiceLine], InvoiceLine]) -> Callable[[Invoice], Invoice]:
    return lambda inv: replace(inv, lines=(change(inv.lines[0]), *inv.lines[1:]))


def _status(inv: Invoice) -> Invoice:
    flipped = (
        ReleasedInvoiceStatus.DRAFT
        if inv.status in (ReleasedInvoiceStatus.APPROVED, ReleasedInvoiceStatus.PAID)
        else ReleasedInvoiceStatus.APPROVED
    )
    return replace(inv, status=flipped)


INVOICE_CHANGES: dict[str, Callable[[Invoice], Invoice]] = {
    "kind": lambda i: replace(i, kind=next(k for k in DocumentKind if k is not i.kind)),
    "type": lambda i: replace(i, type=next(t for t in InvoiceType if t is not i.type)),
    "number": lambda i: replace(i, invoice_number=_more(i.invoice_number)),
    "status": _status,
    "contact": lambda i: replace(i, contact_id=ReleasedId(_more(i.contact_id))),
    "issue date": lambda i: replace(i, issue_date=_other_date(i.issue_date)),
    "due date": lambda i: replace(i, due_date=_other_date(i.due_date)),
    "currency": lambda i: replace(i, currency=EUR if i.currency == GBP else GBP),
    "reference": lambda i: replace(i, reference=_more(i.reference)),
    "priority": lambda i: replace(i, payment_priority=_more(i.payment_priority)),
    "definition": lambda i: replace(
        i, oe_transaction_definition=_more(i.oe_transaction_definition)
    ),
    "source": lambda i: replace(i, source_document_number=_more(i.source_document_number)),
    "line added": lambda i: replace(i, lines=(*i.lines, i.lines[0])),
    "line removed": lambda i: replace(i, lines=i.lines[1:]),
    "description": _on_line(lambda ln: replace(ln, description=_more(ln.description))),
    "account": _on_line(lambda ln: replace(ln, account_id=ReleasedId(_more(ln.account_id)))),
    "price": _on_line(lambda ln: replace(ln, unit_price=ln.unit_price + 1)),
    "quantity": _on_line(lambda ln: replace(ln, quantity=ln.quantity + 1)),
    "tax type": _on_line(lambda ln: replace(ln, tax_type_id=ReleasedId(_more(ln.tax_type_id)))),
    "tax": _on_line(lambda ln: replace(ln, tax_amount=ln.tax_amount + Decimal("0.01"))),
    "tracking": _on_line(
        lambda ln: replace(
            ln,
            tracking=(
                *ln.tracking,
                TrackingRef(category_id=ReleasedId("c"), option_id=ReleasedId("o")),
            ),
        )
    ),
    "rev rec": _on_line(lambda ln: replace(ln, rev_rec_template=_more(ln.rev_rec_template))),
    "rev rec start": _on_line(lambda ln: replace(ln, rev_rec_start=_other_date(ln.rev_rec_start))),
    "rev rec end": _on_line(lambda ln: replace(ln, rev_rec_end=_other_date(ln.rev_rec_end))),
}


@given(_invoices, st.sampled_from(sorted(INVOICE_CHANGES)))
def test_D21_any_change_to_a_mapped_invoice_field_changes_the_fingerprint(
    invoice: Invoice, change: str
) -> None:
    assert fingerprint(INVOICE_CHANGES[change](invoice)) != fingerprint(invoice)


_addresses = st.builds(Address, line1=_texts, line2=_texts, city=_texts, country=_texts)
_contacts = st.builds(
    Contact,
    id=_ids,
    name=_texts,
    correspondence_name=_texts,
    first_name=_texts,
    last_name=_texts,
    email=_texts,
    telephone=_texts,
    fax=_texts,
    mobile=_texts,
    postal_address=_addresses,
    street_address=_addresses,
    currency=st.sampled_from([None, GBP]),
    status=st.sampled_from(ReleasedStatus),
)
CONTACT_TEXT_FIELDS = (
    "name",
    "correspondence_name",
    "first_name",
    "last_name",
    "email",
    "telephone",
    "fax",
    "mobile",
)


@given(_contacts, st.sampled_from(CONTACT_TEXT_FIELDS))
def test_D21_any_change_to_a_mapped_contact_field_changes_the_fingerprint(
    contact: Contact, field: str
) -> None:
    changed = replace(contact, **{field: getattr(contact, field) + "x"})
    assert fingerprint(changed) != fingerprint(contact)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: replace(
            c, postal_address=replace(c.postal_address, city=c.postal_address.city + "x")
        ),
        lambda c: replace(
            c, street_address=replace(c.street_address, line2=c.street_address.line2 + "x")
        ),
        lambda c: replace(c, currency=EUR),
        lambda c: replace(c, status=ReleasedStatus.ARCHIVED),
    ],
)
def test_D21_contact_address_currency_and_status_are_content(
    change: Callable[[Contact], Contact],
) -> None:
    contact = Contact(id=ReleasedId("c"), name="n", currency=GBP)
    assert fingerprint(change(contact)) != fingerprint(contact)
