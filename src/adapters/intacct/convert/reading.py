"""Intacct rows (``readByQuery`` with fields ``*``) to the domain's Intacct-side records.

Every function returns ``Result[record, SyncError]`` and raises nothing on odd input: a required
field that is missing or cannot be read is a REJECTED error (rule M1) naming the object, its
RECORDNO and the field. ``tz`` is the company's time zone, in which Intacct writes WHENMODIFIED
and ACCESSTIME; every ``modified_at`` comes back time-zone aware.

Decisions where Intacct's documentation was silent:

- A dimension value's name is TITLE (DEPARTMENT) or NAME, else CONTACT.PRINTAS (EMPLOYEE), else
  its id.
- A party's SHIPTO / BILLTO (customers) or RETURNTO / PAYTO (vendors) become ``ship_to`` /
  ``bill_to`` when any of their fields is filled.
- An item is for sales when its ITEMTYPE says ``Sales only`` or, failing that, when it has an
  INCOMEGLACCOUNT; its GL account is INCOMEGLACCOUNT (sales) or EXPENSEGLACCOUNT.
- A payment's kind is PAYMENTTYPE (``Payment``, ``Journal Entry``, ``Advance``, ``Overpayment``,
  ``Refund``); without it: PAYMENTMETHOD ``Journal Entry`` → journal entry, no detail lines → an
  advance, TOTALDUE > 0 → an overpayment, else ordinary. Its applications are its detail lines
  (RECORDKEY → the document's RECORDNO, TRX_PAYMENTAMOUNT), amounts of the same document summed.
- A deletion's key is OBJECTKEY; for a customer or vendor it is made a party key
  (``CUSTOMER:<OBJECTKEY>``) from OBJECTTYPE.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from decimal import Decimal

from returns.result import Result

from released_intacct.adapters.intacct.convert.feeds import DIMENSION_OBJECTS, PARTY_OBJECTS
from released_intacct.adapters.intacct.convert.fields import Reader, Row
from released_intacct.adapters.intacct.convert.read_documents import transaction
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    Origin,
    PaymentKind,
    RecordType,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey
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
    party_key,
)
from released_intacct.domain.released import Address

__all__ = [
    "deletion",
    "dimension_value",
    "gl_account",
    "item",
    "modified_at",
    "party",
    "payment",
    "tax_detail",
    "transaction",
]

_PAYMENT_KINDS: Mapping[str, PaymentKind] = {
    "payment": PaymentKind.ORDINARY,
    "journal entry": PaymentKind.JOURNAL_ENTRY,
    "advance": PaymentKind.ADVANCE,
    "overpayment": PaymentKind.OVERPAYMENT,
    "refund": PaymentKind.REFUND,
}
_PAYMENTS = {Origin.AR: ("ARPYMT", "CUSTOMERID", "RECEIPTDATE", "ARPYMTDETAILS")}
_PAYMENTS[Origin.AP] = ("APPYMT", "VENDORID", "PAYMENTDATE", "APPYMTDETAILS")
_CONTACT_BLOCKS = {
    ContactRole.CUSTOMER: ("SHIPTO", "BILLTO"),
    ContactRole.VENDOR: ("RETURNTO", "PAYTO"),
}


def modified_at(
    row: Row,
    *,
    tz: tzinfo = UTC,
    object_name: str = "record",
    record_type: RecordType = RecordType.ACCOUNT,
) -> Result[datetime | None, SyncError]:
    """WHENMODIFIED (``mm/dd/yyyy HH:MM:SS`` in ``tz``) as an aware datetime; None when absent.

    ``object_name`` and ``record_type`` only label the error.
    """
    reader = Reader(object_name, row, record_type=record_type)
    when = reader.stamp("WHENMODIFIED", tz=tz)
    return reader.done(lambda: when)


def gl_account(row: Row, *, tz: tzinfo = UTC) -> Result[GlAccount, SyncError]:
    r = Reader("GLACCOUNT", row, record_type=RecordType.ACCOUNT)
    account_no, title = r.text("ACCOUNTNO", required=True), r.text("TITLE")
    account_type, status = r.text("ACCOUNTTYPE"), r.status()
    when = r.stamp("WHENMODIFIED", tz=tz)
    return r.done(
        lambda: GlAccount(
            account_no=IntacctId(account_no),
            title=title,
            account_type=account_type,
            status=status,
            modified_at=when,
        )
    )


def tax_detail(row: Row, *, tz: tzinfo = UTC) -> Result[TaxDetail, SyncError]:
    r = Reader("TAXDETAIL", row, record_type=RecordType.TAX_TYPE)
    detail_id, rate = r.text("DETAILID", required=True), r.decimal("VALUE", required=True)
    tax_type, status, when = r.text("TAXTYPE"), r.status(), r.stamp("WHENMODIFIED", tz=tz)
    return r.done(
        lambda: TaxDetail(
            detail_id=IntacctId(detail_id),
            rate=rate,
            tax_type=tax_type,
            status=status,
            modified_at=when,
        )
    )


def dimension_value(
    kind: DimensionKind, row: Row, *, tz: tzinfo = UTC
) -> Result[DimensionValue, SyncError]:
    object_name, id_field = DIMENSION_OBJECTS[kind]
    r = Reader(object_name, row, record_type=RecordType.TRACKING_OPTION)
    value_id = r.text(id_field, required=True)
    contact = r.block("CONTACT")
    name = r.text("TITLE") or r.text("NAME") or (contact.text("PRINTAS") if contact else "")
    status, when = r.status(), r.stamp("WHENMODIFIED", tz=tz)
    return r.done(
        lambda: DimensionValue(
            kind=kind,
            value_id=IntacctId(value_id),
            name=name or value_id,
            status=status,
            modified_at=when,
        )
    )


def _contact(block: Reader) -> ContactBlock:
    mail = block.block("MAILADDRESS")
    address = Address()
    if mail is not None:
        address = Address(
            line1=mail.text("ADDRESS1"),
            line2=mail.text("ADDRESS2"),
            city=mail.text("CITY"),
            region=mail.text("STATE"),
            postcode=mail.text("ZIP"),
            country=mail.text("COUNTRY"),
        )
    return ContactBlock(
        first_name=block.text("FIRSTNAME"),
        last_name=block.text("LASTNAME"),
        email=block.text("EMAIL1"),
        phone=block.text("PHONE1"),
        fax=block.text("FAX"),
        mobile=block.text("CELLPHONE"),
        address=address,
    )


def _populated(r: Reader, field: str) -> ContactBlock | None:
    block = r.block(field)
    if block is None:
        return None
    contact = _contact(block)
    return None if contact == ContactBlock() else contact


def party(role: ContactRole, row: Row, *, tz: tzinfo = UTC) -> Result[Party, SyncError]:
    object_name, id_field = PARTY_OBJECTS[role]
    r = Reader(object_name, row, record_type=RecordType.CONTACT)
    party_id, name = r.text(id_field, required=True), r.text("NAME", required=True)
    display = r.block("DISPLAYCONTACT")
    primary = _contact(display) if display is not None else ContactBlock()
    ship_field, bill_field = _CONTACT_BLOCKS[role]
    ship_to, bill_to = _populated(r, ship_field), _populated(r, bill_field)
    status, money = r.status(), r.currency("CURRENCY")
    when = r.stamp("WHENMODIFIED", tz=tz)
    return r.done(
        lambda: Party(
            role=role,
            party_id=IntacctId(party_id),
            name=name,
            primary=primary,
            ship_to=ship_to,
            bill_to=bill_to,
            status=status,
            currency=money,
            record_no=r.record_no,
            modified_at=when,
        )
    )


def item(row: Row) -> Result[Item, SyncError]:
    r = Reader("ITEM", row, record_type=RecordType.ITEM)
    item_id, name = r.text("ITEMID", required=True), r.text("NAME", required=True)
    kind, income = r.text("ITEMTYPE").lower(), r.text("INCOMEGLACCOUNT")
    for_sales = "sales only" in kind or ("purchase only" not in kind and bool(income))
    account = income if for_sales else r.text("EXPENSEGLACCOUNT")
    if not account:
        r.fail("INCOMEGLACCOUNT" if for_sales else "EXPENSEGLACCOUNT", "it is missing or empty")
    status = r.status()
    return r.done(
        lambda: Item(
            item_id=IntacctId(item_id),
            name=name,
            gl_account_no=IntacctId(account),
            for_sales=for_sales,
            status=status,
        )
    )


def _payment_kind(r: Reader, details: int) -> PaymentKind:
    text = r.text("PAYMENTTYPE")
    if text:
        found = _PAYMENT_KINDS.get(text.lower())
        if found is None:
            r.fail("PAYMENTTYPE", "it is not a payment kind the sync knows", text)
        return found or PaymentKind.ORDINARY
    if r.text("PAYMENTMETHOD").lower() == "journal entry":
        return PaymentKind.JOURNAL_ENTRY
    if not details:
        return PaymentKind.ADVANCE
    return PaymentKind.OVERPAYMENT if r.decimal("TOTALDUE") > 0 else PaymentKind.ORDINARY


def _applications(lines: list[Reader]) -> tuple[PaymentApplication, ...]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        key = line.text("RECORDKEY", required=True)
        totals[key] = totals.get(key, Decimal(0)) + line.decimal("TRX_PAYMENTAMOUNT", required=True)
    return tuple(
        PaymentApplication(document_key=IntacctKey(key), amount=amount)
        for key, amount in totals.items()
    )


def payment(origin: Origin, row: Row, *, tz: tzinfo = UTC) -> Result[IntacctPayment, SyncError]:
    object_name, party_field, date_field, details = _PAYMENTS[origin]
    r = Reader(object_name, row, record_type=RecordType.PAYMENT)
    party_id, state = r.text(party_field, required=True), r.state()
    on = r.required_date(date_field if r.text(date_field) else "WHENCREATED")
    money = r.required_currency("CURRENCY")
    amount_field = "AMOUNTTOPAY" if origin is Origin.AP and not r.text("TOTALENTERED") else ""
    amount = r.decimal(amount_field or "TOTALENTERED", required=True)
    lines = r.lines(details)
    applications, kind = _applications(lines), _payment_kind(r, len(lines))
    reference, when = r.text("DOCNUMBER"), r.stamp("WHENMODIFIED", tz=tz)
    return r.done(
        lambda: IntacctPayment(
            origin=origin,
            kind=kind,
            party_id=IntacctId(party_id),
            date=on,
            currency=money,
            amount=amount,
            applications=applications,
            state=state,
            reference=reference,
            record_no=r.record_no,
            modified_at=when,
        )
    )


def deletion(record_type: RecordType, row: Row, *, tz: tzinfo = UTC) -> Result[Deletion, SyncError]:
    """An AUDITHISTORY row with ACCESSMODE ``Deleted``."""
    r = Reader("AUDITHISTORY", row, record_type=record_type)
    key, object_type = r.text("OBJECTKEY", required=True), r.text("OBJECTTYPE").upper()
    mode = r.text("ACCESSMODE", required=True)
    if mode and mode != "Deleted":
        r.fail("ACCESSMODE", "the row is not a deletion", mode)
    deleted_at = r.required_stamp("ACCESSTIME", tz=tz)
    roles = {name: role for role, (name, _) in PARTY_OBJECTS.items()}
    role = roles.get(object_type) if record_type is RecordType.CONTACT else None
    link_key = party_key(role, IntacctId(key)) if role else IntacctKey(key)
    return r.done(
        lambda: Deletion(
            record_type=record_type,
            key=link_key,
            deleted_at=deleted_at,
        )
    )
