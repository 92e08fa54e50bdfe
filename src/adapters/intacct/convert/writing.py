"""Domain records to the one function element that creates or updates them, and back.

``create_body`` builds the function's inner element (the caller wraps it in
``<function controlid="…">``); ``lookup`` finds a record again by the idempotency key written into
it; ``resembling`` finds the records that may be a create's copy although they do not carry its key
(a user changed the field); ``created`` fills in the ids Intacct assigned.

Where the idempotency key is written: a queryable field of every created record that users do not
routinely edit (issue 16, F3; each choice and its source in ``docs/intacct-fidelity.md``, "Where
the key of a create lives"):

- CUSTOMER / VENDOR (generic ``create``, no id: document sequencing assigns it, rule D4): the
  display contact's ``CONTACTNAME`` (``contact_name``: the party's name and the key). It is the key
  of the CONTACT Intacct creates for the display contact, which other records name it by; left
  blank, Intacct names it ``NAME(C<CUSTOMERID>)``. Not ``COMMENTS``, a note users write in.
- ITEM (generic ``create``): none needed: the ITEMID is itself derived deterministically from the
  account (rule D17) and Intacct refuses a second item with it, so the look-up is by ITEMID.
- Invoices, bills, adjustments and OE/PO documents (legacy creates): ``externalid``, the
  documents' external id (read as EXTERNALID, an **inferred** name: ``doctor`` checks it), which
  the legacy updates take as the document's key (``externalkey="true"``). Not the description or
  message, which users write and print.
- Payments: ``DESCRIPTION`` of a generic ``create`` of ARPYMT / APPYMT, applied to the documents in
  ARPYMTDETAILS / APPYMTDETAILS (RECORDKEY = the document's RECORDNO, TRX_PAYMENTAMOUNT). The
  product writes them posted, and Intacct updates only draft payments.
  **AR payments use the generic ARPYMT, not legacy ``create_arpayment``**: the legacy function's
  only free-text field is ``refid``, which holds the payment reference (DOCNUMBER); writing the key
  there would lose the reference and make our own payment look changed when read back (D21).
  Only ordinary payments are written (the domain writes no other kind); an advance, overpayment,
  refund or journal entry is a programmer error here.

Not written: a party's SHIPTO / BILLTO. Intacct takes them only as references to CONTACT records
created beforehand, which is a second record per party the domain does not model.

``update_body`` supports transactions only (rule D20: an unposted invoice or credit note edited in
Re-Leased, posted when approved); see ``write_documents``. Gl accounts, tax details and dimension
values are Intacct's: the product never creates or updates them (a ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from lxml import etree

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert.feeds import (
    PARTY_OBJECTS,
    PAYMENT_OBJECTS,
    TRANSACTION_OBJECTS,
)
from released_intacct.adapters.intacct.convert.write_documents import (
    DOCUMENT_KEY_FIELD,
    create_document,
    unwritable,
    update_document,
)
from released_intacct.adapters.intacct.convert.xml import Element, optional, plain, sub, us_date
from released_intacct.domain.enums import Origin, PaymentKind, RecordType
from released_intacct.domain.ids import IdempotencyKey, IntacctId, IntacctKey
from released_intacct.domain.intacct import (
    ContactBlock,
    IntacctPayment,
    IntacctRecord,
    Item,
    Party,
    Transaction,
)

__all__ = [
    "KEY_FIELDS",
    "check_writable",
    "contact_name",
    "create_body",
    "created",
    "lookup",
    "resembling",
    "unwritable",
    "update_body",
]

_PAYMENT_FIELDS = {"ARPYMT": ("CUSTOMERID", "RECEIPTDATE"), "APPYMT": ("VENDORID", "PAYMENTDATE")}
_DOCUMENT_PARTY = {Origin.AR: "CUSTOMERID", Origin.AP: "VENDORID"}
KEY_FIELDS: Mapping[RecordType, str] = MappingProxyType(
    {
        RecordType.CONTACT: "DISPLAYCONTACT.CONTACTNAME",
        RecordType.INVOICE: DOCUMENT_KEY_FIELD,
        RecordType.CREDIT_NOTE: DOCUMENT_KEY_FIELD,
        RecordType.PAYMENT: "DESCRIPTION",
    }
)
"""The field a created record of each type is found by (its key's place, as read)."""


def _not_written(record: IntacctRecord) -> ValueError:
    return ValueError(f"the product never writes a {type(record).__name__} to Intacct")


def create_body(
    record: IntacctRecord,
    *,
    key: IdempotencyKey,
    payment_method: str = "EFT",
    financial_entity: str | None = None,
) -> Element:
    """The one function element that creates ``record``, with ``key`` written into it.

    ``payment_method`` and ``financial_entity`` (the bank account) apply to payments only.
    """
    if isinstance(record, Party):
        return _create_party(record, key=key)
    if isinstance(record, Item):
        return _create_item(record)
    if isinstance(record, Transaction):
        return create_document(record, key=key)
    if isinstance(record, IntacctPayment):
        return _create_payment(record, key, method=payment_method, entity=financial_entity)
    raise _not_written(record)


def update_body(record: IntacctRecord, *, intacct_key: IntacctKey) -> Element:
    """The generic ``update`` of an unposted transaction (posting it when it is approved)."""
    if isinstance(record, Transaction):
        return update_document(record, intacct_key=intacct_key)
    raise _not_written(record)


CONTACT_NAME_MAX = 200
"""CONTACTNAME's maxLength ([FIX response-inspect-customer.xml])."""


def contact_name(name: str, key: IdempotencyKey) -> str:
    """The display contact's CONTACTNAME of a party created with ``key``: its name (shortened
    to fit) and the key, e.g. ``Harbour Cafe Ltd (ri-3f2a…)``."""
    tail = f" ({key})"
    return name.strip()[: CONTACT_NAME_MAX - len(tail)].rstrip() + tail


def _contact(
    parent: Element, tag: str, name: str, block: ContactBlock, *, contact: str | None = None
) -> None:
    element = sub(parent, tag)
    optional(element, "CONTACTNAME", contact)
    sub(element, "PRINTAS", name)
    for field, value in (
        ("FIRSTNAME", block.first_name),
        ("LASTNAME", block.last_name),
        ("EMAIL1", block.email),
        ("PHONE1", block.phone),
        ("FAX", block.fax),
        ("CELLPHONE", block.mobile),
    ):
        optional(element, field, value)
    address = block.address
    if address.is_empty:
        return
    mail = sub(element, "MAILADDRESS")
    for field, value in (
        ("ADDRESS1", address.line1),
        ("ADDRESS2", address.line2),
        ("CITY", address.city),
        ("STATE", address.region),
        ("ZIP", address.postcode),
        ("COUNTRY", address.country),
    ):
        optional(mail, field, value)


def _create_party(party: Party, *, key: IdempotencyKey) -> Element:
    root = etree.Element("create")
    record = sub(root, PARTY_OBJECTS[party.role][0])
    sub(record, "NAME", party.name)
    sub(record, "STATUS", party.status.value)
    optional(record, "CURRENCY", party.currency)
    named = contact_name(party.name, key)
    _contact(record, "DISPLAYCONTACT", party.name, party.primary, contact=named)
    return root


def _create_item(item: Item) -> Element:
    root = etree.Element("create")
    record = sub(root, "ITEM")
    sub(record, "ITEMID", item.item_id)
    sub(record, "NAME", item.name)
    sub(record, "STATUS", item.status.value)
    side = "Sales only" if item.for_sales else "Purchase only"
    sub(record, "ITEMTYPE", f"Non-Inventory ({side})")
    sub(record, "INCOMEACCTKEY" if item.for_sales else "EXPENSEACCTKEY", item.gl_account_no)
    return root


def check_writable(payment: IntacctPayment) -> None:
    """Only ordinary, fully applied payments are written (either API): a ``ValueError`` else."""
    applied = sum(application.amount for application in payment.applications)
    if payment.kind is not PaymentKind.ORDINARY or applied != payment.amount:
        msg = f"only ordinary, fully applied payments are written, got {payment.kind.value}"
        raise ValueError(msg)


def _create_payment(
    payment: IntacctPayment, key: IdempotencyKey, *, method: str, entity: str | None
) -> Element:
    check_writable(payment)
    object_name = PAYMENT_OBJECTS[payment.origin]
    party_field, date_field = _PAYMENT_FIELDS[object_name]
    root = etree.Element("create")
    record = sub(root, object_name)
    sub(record, "PAYMENTMETHOD", method)
    optional(record, "FINANCIALENTITY", entity)
    sub(record, party_field, payment.party_id)
    sub(record, date_field, us_date(payment.date))
    sub(record, "CURRENCY", payment.currency)
    optional(record, "DOCNUMBER", payment.reference)
    sub(record, "DESCRIPTION", key)
    details = sub(record, f"{object_name}DETAILS")
    for application in payment.applications:
        detail = sub(details, f"{object_name}DETAIL")
        sub(detail, "RECORDKEY", application.document_key)
        sub(detail, "TRX_PAYMENTAMOUNT", plain(application.amount))
    return root


# --- finding it again -----------------------------------------------------------------------


def _record_type(record: IntacctRecord) -> RecordType:
    if isinstance(record, Party):
        return RecordType.CONTACT
    if isinstance(record, Item):
        return RecordType.ITEM
    if isinstance(record, Transaction):
        return record.record_type
    if isinstance(record, IntacctPayment):
        return RecordType.PAYMENT
    raise _not_written(record)


def lookup(record_type: RecordType, record: IntacctRecord, key: IdempotencyKey) -> q.Select:
    """What finds the record created with ``key`` again."""
    if _record_type(record) is not record_type:
        msg = f"a {type(record).__name__} is not a {record_type.value} record"
        raise ValueError(msg)
    if isinstance(record, Party):
        where = q.Eq(KEY_FIELDS[RecordType.CONTACT], contact_name(record.name, key))
        return q.Select(object_name=PARTY_OBJECTS[record.role][0], where=where)
    if isinstance(record, Item):
        return q.Select(object_name="ITEM", where=q.Eq("ITEMID", record.item_id))
    if isinstance(record, Transaction):
        object_name = TRANSACTION_OBJECTS[record.origin, record.kind]
        return q.Select(object_name=object_name, where=q.Eq(KEY_FIELDS[record.record_type], key))
    if isinstance(record, IntacctPayment):
        return q.Select(object_name=PAYMENT_OBJECTS[record.origin], where=q.Eq("DESCRIPTION", key))
    raise _not_written(record)


def resembling(record: IntacctRecord) -> q.Condition | None:
    """What finds the records that may be ``record``'s copy although none carries its key (issue
    16, F3: a user changed the field it is written in): a customer / vendor of its name; a
    document of its party with its number, its reference or its transaction date; a payment of its
    party on its date (its amount is compared once read: query strings compare text). None for an
    item, whose ITEMID is its key, and for what the product never writes."""
    if isinstance(record, Party):
        return q.Eq("NAME", record.name)
    if isinstance(record, Transaction):
        order = record.origin.is_order_module
        party = "CUSTVENDID" if order else _DOCUMENT_PARTY[record.origin]
        alike: list[q.Condition] = [q.Eq("WHENCREATED", us_date(record.invoice_date))]
        if record.number:
            alike.append(q.Eq("DOCNO" if order else "RECORDID", record.number))
        if record.reference:
            alike.append(q.Eq("PONUMBER" if order else "DOCNUMBER", record.reference))
        return q.both(q.Eq(party, record.party_id), q.Or(tuple(alike)))
    if isinstance(record, IntacctPayment):
        party_field, date_field = _PAYMENT_FIELDS[PAYMENT_OBJECTS[record.origin]]
        on = q.Eq(date_field, us_date(record.date))
        return on if record.party_id is None else q.both(q.Eq(party_field, record.party_id), on)
    return None


def _text(row: Mapping[str, object] | None, field: str) -> str:
    value = None if row is None else row.get(field)
    return value.strip() if isinstance(value, str) else ""


def created(
    record: IntacctRecord, *, key_text: str | None, row: Mapping[str, object] | None
) -> IntacctRecord:
    """``record`` as Intacct now holds it, with the ids from the ``<key>`` or the created row.

    Raises ``ValueError`` when neither names the id Intacct assigned (a reply the writer must treat
    as uncertain and resolve by ``lookup``).
    """
    key = (key_text or "").strip()
    if isinstance(record, Party):
        party_id = _text(row, PARTY_OBJECTS[record.role][1]) or record.party_id
        return replace(
            record,
            party_id=IntacctId(_needed(party_id, "the party id")),
            record_no=_text(row, "RECORDNO") or record.record_no,
        )
    if isinstance(record, Item):
        return record
    if isinstance(record, Transaction):
        return _created_transaction(record, key, row)
    if isinstance(record, IntacctPayment):
        record_no = _text(row, "RECORDNO") or key
        return replace(record, record_no=_needed(record_no, "the payment's RECORDNO"))
    raise _not_written(record)


def _created_transaction(
    tx: Transaction, key: str, row: Mapping[str, object] | None
) -> Transaction:
    record_no = _text(row, "RECORDNO") or None
    if not tx.origin.is_order_module:
        record_no = _needed(record_no or key, "the transaction's RECORDNO")
        return replace(tx, record_no=record_no, number=_text(row, "RECORDID") or tx.number)
    document_id = _needed(_text(row, "DOCID") or key, "the document's DOCID")
    prefix = f"{tx.transaction_definition}-"
    number = _text(row, "DOCNO") or document_id.removeprefix(prefix)
    return replace(tx, document_id=document_id, number=number, record_no=record_no)


def _needed(value: str | None, what: str) -> str:
    if not value:
        msg = f"the reply does not name {what}"
        raise ValueError(msg)
    return value
