"""Intacct rows (``readByQuery`` with fields ``*``) to the domain's Intacct-side records.

Every function returns ``Result[record, SyncError]`` and raises nothing on odd input: a required
field that is missing or cannot be read is a REJECTED error (rule M1) naming the object, its
RECORDNO and the field. ``tz`` is the company's time zone, in which Intacct writes WHENMODIFIED
and ACCESSTIME; every ``modified_at`` comes back time-zone aware.

Decisions where Intacct's documentation was silent:

- A dimension value's name is TITLE (DEPARTMENT) or NAME, else CONTACT.PRINTAS (EMPLOYEE), else
  its id.
- A party's primary contact is CONTACTINFO (Intacct's "Primary Contact"), or DISPLAYCONTACT when
  CONTACTINFO is not filled ("If blank system will use DISPLAYCONTACT", [XMLDOC
  accounts-receivable-customers]). SHIPTO / BILLTO (customers) or RETURNTO / PAYTO (vendors)
  become ``ship_to`` / ``bill_to`` when any of their fields is filled; Intacct answers them
  resolved from the CONTACT they reference (spec correction 10), nested or with dotted names
  (``response.rows`` reads both the same).
- An item is for sales when its ITEMTYPE says ``Sales only`` or, failing that, when it has an
  INCOMEACCTKEY; its GL account is INCOMEACCTKEY (sales) or EXPENSEACCTKEY (the documented
  item fields, "Revenue GL account number" / "Expense GL account number": [XMLDOC
  inventory-control-items], the SDKs' ItemCreate).
- A payment's kind comes from RECORDTYPE (spec correction 2): ``rr`` / ``pr`` an advance; ``rp``,
  ``ro``, ``pp`` a payment, an overpayment when part of its cash is unapplied (TOTALDUE > 0);
  any other code is not read (a problem naming it). Refunds are their own object and journal
  entries are GL entries: neither is read as a payment. Its applications are its details
  (RECORDKEY, or POSADJKEY for a debit memo): the cash (TRX_PAYMENTAMOUNT) and earlier advances
  or overpayments it allocates (TRX_POSTEDADVANCEAMOUNT, TRX_POSTEDOVERPAYMENTAMOUNT), summed per
  document; credits it applies (TRX_ADJUSTMENTAMOUNT, TRX_INLINEAMOUNT,
  TRX_NEGATIVEINVOICEAMOUNT) are its ``credits``. A payment with no CUSTOMERID but a PAYERNAME
  pays several customers (``party_id`` None). STATE: ``Draft`` / ``D``, AP ``Submitted`` / ``S``
  and ``Approved`` / ``A`` are not posted; ``Complete`` / ``C``, ``Posted``, ``Confirmed``,
  ``Reconciled`` are; ``Reversed`` / ``Voided`` / ``V`` reversed; ``Reversal`` the entry Intacct
  adds when reversing (the codes beyond D, C, S, A, V are **inferred**).
- A deletion's key is OBJECTKEY; for a customer or vendor it is made a party key
  (``CUSTOMER:<OBJECTKEY>``) from OBJECTTYPE.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from decimal import Decimal

from returns.result import Result

from released_intacct.adapters.intacct.convert.feeds import DIMENSION_OBJECTS, PARTY_OBJECTS
from released_intacct.adapters.intacct.convert.fields import PAIRED, Reader, Row
from released_intacct.adapters.intacct.convert.read_documents import transaction
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    IntacctState,
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
    "payment_state",
    "tax_detail",
    "transaction",
]

_ADVANCES = frozenset({"rr", "pr"})
_PAYMENT_TYPES = frozenset({"rp", "ro", "pp", ""})
_MONEY = ("TRX_PAYMENTAMOUNT", "TRX_POSTEDADVANCEAMOUNT", "TRX_POSTEDOVERPAYMENTAMOUNT")
_CREDITS = ("TRX_ADJUSTMENTAMOUNT", "TRX_INLINEAMOUNT", "TRX_NEGATIVEINVOICEAMOUNT")
_PAYMENT_STATES: Mapping[str, IntacctState] = {
    **dict.fromkeys(("draft", "d"), IntacctState.DRAFT),
    **dict.fromkeys(("submitted", "s", "approved", "a"), IntacctState.SUBMITTED),
    **dict.fromkeys(
        ("complete", "completed", "c", "posted", "confirmed", "reconciled"), IntacctState.POSTED
    ),
    **dict.fromkeys(("reversed", "voided", "v"), IntacctState.REVERSED),
    "reversal": IntacctState.REVERSAL,
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
    primary = _populated(r, "CONTACTINFO") or (
        _contact(display) if display is not None else ContactBlock()
    )
    ship_field, bill_field = _CONTACT_BLOCKS[role]
    # a block resolved to the primary contact is Intacct's fallback, not a contact of its own
    ship_to, bill_to = (
        None if found == primary else found
        for found in (_populated(r, ship_field), _populated(r, bill_field))
    )
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
    kind, income = r.text("ITEMTYPE").lower(), r.text("INCOMEACCTKEY")
    for_sales = "sales only" in kind or ("purchase only" not in kind and bool(income))
    account = income if for_sales else r.text("EXPENSEACCTKEY")
    if not account:
        r.fail("INCOMEACCTKEY" if for_sales else "EXPENSEACCTKEY", "it is missing or empty")
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


def _payment_kind(r: Reader) -> PaymentKind:
    code = r.text("RECORDTYPE").lower()
    if code in _ADVANCES:
        return PaymentKind.ADVANCE
    if code not in _PAYMENT_TYPES:
        r.fail("RECORDTYPE", "it is not a kind of payment the sync knows", code)
        return PaymentKind.ORDINARY
    return PaymentKind.OVERPAYMENT if r.decimal("TOTALDUE") > 0 else PaymentKind.ORDINARY


def payment_state(text: str) -> IntacctState | None:
    """The payment state ``text`` names (compared without case), or None: one the sync does not
    know, which the reader refuses (M1)."""
    return _PAYMENT_STATES.get(text.lower())


def _payment_state(r: Reader) -> IntacctState:
    text = r.text("STATE") or r.text("RAWSTATE")
    found = payment_state(text)
    if found is None:
        r.fail("STATE", "it is not a payment state the sync knows", text)
        return IntacctState.POSTED
    return found


def _applied(lines: list[Reader], fields: tuple[str, ...]) -> tuple[PaymentApplication, ...]:
    """What the details apply to each document (RECORDKEY, or POSADJKEY for a debit memo) in
    ``fields``, summed per document; details with none of them apply nothing here."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        amount = sum((line.decimal(field) for field in fields), Decimal(0))
        if amount == 0:
            continue
        key = line.text("RECORDKEY") or line.text("POSADJKEY")
        if not key:
            line.fail("RECORDKEY", "it is missing or empty (and so is POSADJKEY)")
            continue
        totals[key] = totals.get(key, Decimal(0)) + amount
    return tuple(
        PaymentApplication(document_key=IntacctKey(key), amount=amount)
        for key, amount in totals.items()
    )


def payment(origin: Origin, row: Row, *, tz: tzinfo = UTC) -> Result[IntacctPayment, SyncError]:
    object_name, party_field, date_field, details = _PAYMENTS[origin]
    r = Reader(object_name, row, record_type=RecordType.PAYMENT)
    party_id, payer = r.text(party_field), r.text("PAYERNAME")
    if not party_id and not payer:
        r.fail(party_field, "it is missing or empty, and so is PAYERNAME")
    state, on = (
        _payment_state(r),
        r.required_date(date_field if r.text(date_field) else "WHENCREATED"),
    )
    money = r.required_currency("CURRENCY")
    amount_field = "AMOUNTTOPAY" if origin is Origin.AP and not r.text("TOTALENTERED") else ""
    entered = r.decimal(amount_field or "TOTALENTERED", required=True)
    lines = r.lines(details)
    applications, credits = _applied(lines, _MONEY), _applied(lines, _CREDITS)
    kind = _payment_kind(r)
    applied = sum((a.amount for a in applications), Decimal(0))
    reference, when = r.text("DOCNUMBER"), r.stamp("WHENMODIFIED", tz=tz)
    return r.done(
        lambda: IntacctPayment(
            origin=origin,
            kind=kind,
            party_id=IntacctId(party_id) if party_id else None,
            date=on,
            currency=money,
            amount=entered if entered != 0 else applied,
            applications=() if kind is PaymentKind.ADVANCE else applications,
            state=state,
            reference=reference,
            record_no=r.record_no,
            modified_at=when,
            payer=payer,
            credits=credits,
            reverses=IntacctKey(r.text(PAIRED)) if r.text(PAIRED) else None,
        )
    )


_DELETION_MODES = frozenset({"Delete", "D"})


def deletion(record_type: RecordType, row: Row, *, tz: tzinfo = UTC) -> Result[Deletion, SyncError]:
    """An AUDITHISTORY row of a deletion: ACCESSMODE ``Delete`` (readByQuery) or ``D`` (query)."""
    r = Reader("AUDITHISTORY", row, record_type=record_type)
    key, object_type = r.text("OBJECTKEY", required=True), r.text("OBJECTTYPE").upper()
    mode = r.text("ACCESSMODE", required=True)
    if mode and mode not in _DELETION_MODES:
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
