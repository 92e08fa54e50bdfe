"""Convert: what the writers refuse, and the exact elements they build."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert import writing
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    Origin,
    PaymentKind,
    RecordType,
)
from released_intacct.domain.ids import IdempotencyKey, IntacctId, IntacctKey
from released_intacct.domain.intacct import (
    GlAccount,
    IntacctPayment,
    Party,
    PaymentApplication,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.money import Currency

KEY = IdempotencyKey("ri-0123456789abcdef")
USD = Currency("USD")


def _tx(origin: Origin, *lines: TransactionLine, number: str = "N-1") -> Transaction:
    return Transaction(
        origin=origin,
        kind=DocumentKind.INVOICE,
        number=number,
        state=IntacctState.POSTED,
        party_id=IntacctId("C1"),
        invoice_date=date(2024, 2, 1),
        gl_date=date(2024, 2, 2),
        due_date=None,
        currency=USD,
        lines=lines,
        transaction_definition="Sales Invoice" if origin.is_order_module else None,
    )


def _xml(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


def test_amounts_are_plain_decimals_and_dates_are_split() -> None:
    line = TransactionLine(account_no=IntacctId("4000"), amount=Decimal("1E+2"))
    body = writing.create_body(_tx(Origin.AR, line), key=KEY)
    assert body.findtext("invoiceitems/lineitem/amount") == "100"
    created = body.find("datecreated")
    assert created is not None
    assert _xml(created) == (
        "<datecreated><year>2024</year><month>02</month><day>01</day></datecreated>"
    )
    assert body.findtext("externalid") == KEY
    assert body.findtext("action") == "Submit"


@pytest.mark.parametrize(
    ("origin", "line", "named"),
    [
        (
            Origin.AR,
            TransactionLine(
                account_no=IntacctId("4000"), dimensions=((DimensionKind.TASK, IntacctId("T")),)
            ),
            "Task",
        ),
        (
            Origin.AP,
            TransactionLine(account_no=IntacctId("5000"), rev_rec_template="SL"),
            "revenue",
        ),
        (
            Origin.ORDER_ENTRY,
            TransactionLine(
                item_id=IntacctId("4000-S"), dimensions=((DimensionKind.ITEM, IntacctId("I")),)
            ),
            "Item",
        ),
    ],
)
def test_what_the_legacy_dtd_cannot_carry_is_named_and_refused(
    origin: Origin, line: TransactionLine, named: str
) -> None:
    tx = _tx(origin, line)
    problem = writing.unwritable(tx)
    assert problem is not None
    assert named in problem
    with pytest.raises(ValueError, match=named):
        writing.create_body(tx, key=KEY)


def test_intacct_owned_lists_and_other_payment_kinds_are_never_written() -> None:
    account = GlAccount(account_no=IntacctId("4000"), title="Rent")
    with pytest.raises(ValueError, match="GlAccount"):
        writing.create_body(account, key=KEY)
    with pytest.raises(ValueError, match="GlAccount"):
        writing.update_body(account, intacct_key=IntacctKey("4000"))
    advance = IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.ADVANCE,
        party_id=IntacctId("C1"),
        date=date(2024, 2, 1),
        currency=USD,
        amount=Decimal(5),
    )
    with pytest.raises(ValueError, match="advance"):
        writing.create_body(advance, key=KEY)


def test_lookup_refuses_a_record_of_another_type() -> None:
    party = Party(role=ContactRole.VENDOR, party_id=None, name="V")
    found = writing.lookup(RecordType.CONTACT, party, KEY)
    assert (found.object_name, q.text(found.where)) == (
        "VENDOR",
        f"DISPLAYCONTACT.CONTACTNAME = 'V ({KEY})'",
    )
    with pytest.raises(ValueError, match="not a invoice"):
        writing.lookup(RecordType.INVOICE, party, KEY)


def test_created_needs_the_id_intacct_assigned() -> None:
    party = Party(role=ContactRole.CUSTOMER, party_id=None, name="C")
    with pytest.raises(ValueError, match="party id"):
        writing.created(party, key_text=None, row={"RECORDNO": "5"})
    payment = IntacctPayment(
        origin=Origin.AP,
        kind=PaymentKind.ORDINARY,
        party_id=IntacctId("V1"),
        date=date(2024, 2, 1),
        currency=USD,
        amount=Decimal(5),
        applications=(PaymentApplication(document_key=IntacctKey("9"), amount=Decimal(5)),),
    )
    assert writing.created(payment, key_text="77", row=None) == replace(payment, record_no="77")
    order = _tx(Origin.ORDER_ENTRY, TransactionLine(item_id=IntacctId("4000-S")), number="")
    made = writing.created(order, key_text="Sales Invoice-SI0007", row=None)
    assert isinstance(made, Transaction)
    assert (made.document_id, made.number) == ("Sales Invoice-SI0007", "SI0007")


def test_F3_the_key_is_written_where_users_do_not_write_and_found_there() -> None:
    """A party's key is in its display contact's name (never in COMMENTS), a document's in its
    external id (never in its description or message); a long name is shortened, the key kept."""
    long_name = "Harbour " * 40
    party = Party(role=ContactRole.CUSTOMER, party_id=None, name=long_name)
    body = writing.create_body(party, key=KEY)
    named = body.findtext("CUSTOMER/DISPLAYCONTACT/CONTACTNAME") or ""
    assert named == writing.contact_name(long_name, KEY)
    assert len(named) == writing.CONTACT_NAME_MAX
    assert named.startswith("Harbour Harbour")
    assert named.endswith(f"Ha ({KEY})")
    assert body.find("CUSTOMER/COMMENTS") is None
    found = writing.lookup(RecordType.CONTACT, party, KEY)
    assert q.text(found.where) == f"DISPLAYCONTACT.CONTACTNAME = '{named}'"
    line = TransactionLine(item_id=IntacctId("4000-S"), quantity=Decimal(1), price=Decimal(5))
    for origin in (Origin.AR, Origin.ORDER_ENTRY):
        document = writing.create_body(_tx(origin, line), key=KEY)
        assert document.findtext("externalid") == KEY
        assert document.find("description") is None
        assert document.find("message") is None
        select = writing.lookup(RecordType.INVOICE, _tx(origin, line), KEY)
        assert q.text(select.where) == f"EXTERNALID = '{KEY}'"
