"""Payment functions: legacy ``create_arpayment``, ``apply_arpayment``, ``reverse_arpayment``,
``reverse_appayment``, and the generic ``create`` / ``update`` / ``delete`` of ARPYMT, APPYMT and
ARADVANCE.

- ``create_arpayment`` (customerid, paymentamount, ..., datereceived, paymentmethod, then any
  number of ``arpaymentitem`` with invoicekey + amount, directly under the function) answers
  ``<key>`` with the payment's RECORDNO. Items summing to less than ``paymentamount`` leave an
  overpayment (TOTALDUE); no items make an advance (RECORDTYPE ``rr``), as the Open Item
  configuration does [XMLDOC accounts-receivable-ar-payments].
- ``apply_arpayment`` (arpaymentkey = an advance or an overpayment, paymentdate, ...,
  ``arpaymentitems/arpaymentitem``) applies what it has unapplied: a new payment record whose
  details name the credit (``ADVANCEKEY`` / ``OVERPAYMENTKEY``), as the generic ``create`` of an
  ARPYMT applying one does; answers ``<key>`` with the credit's RECORDNO (**inferred**).
- The generic ``create`` of ARPYMT / APPYMT takes CUSTOMERID (or PAYERNAME for several customers)
  / VENDORID, PAYMENTMETHOD, RECEIPTDATE / PAYMENTDATE (``mm/dd/yyyy``), optional CURRENCY,
  DOCNUMBER, DESCRIPTION, ACTION (``Draft`` / ``Submit``) and the details. The cash is the sum of
  the details' TRX_PAYMENTAMOUNT plus OVERPAYMENTAMOUNT (ARPYMT), or AMOUNTTOPAY (APPYMT) when
  sent. A generic ``update`` submits a draft (ACTION ``Submit``); a generic ``delete`` takes a
  draft AR payment only ("You can only delete payments that are in draft state"), any AP payment.
- The generic ``create`` of ARADVANCE (CUSTOMERID, PAYMENTMETHOD, PAYMENTDATE, RECEIPTDATE,
  ``ARADVANCEITEMS/ARADVANCEITEM`` with TRX_AMOUNT) stores an ARPYMT of RECORDTYPE ``rr``
  (ARADVANCE reads that record space: **inferred**, the ARPYMT list "includes advance
  payments").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, payments
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure, not_found
from released_intacct.fakes.simulators.intacct.payments import Detail, PaymentSpec, Side
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

Handler = Callable[[Context, Element], Element | None]

_CREATE = (
    "customerid", "paymentamount", "translatedamount", "batchkey", "undepfundsacct",
    "bankaccountid", "refid", "overpaylocid", "overpaydeptid", "datereceived", "paymentmethod",
    *legacy.MULTI_CURRENCY, "cctype", "authcode", "arpaymentitem", "onlinecardpayment",
    "onlineachpayment",
)  # fmt: skip
_APPLY = (
    "arpaymentkey", "paymentdate", "batchkey", "memo", "overpaylocid", "overpaydeptid",
    "arpaymentitems",
)  # fmt: skip
_CREDIT_FIELDS = (
    ("ADVANCEKEY", "TRX_POSTEDADVANCEAMOUNT", payments.ADVANCE),
    ("OVERPAYMENTKEY", "TRX_POSTEDOVERPAYMENTAMOUNT", payments.OVERPAYMENT),
    ("ADJUSTMENTKEY", "TRX_ADJUSTMENTAMOUNT", payments.CREDIT),
)


def _items(elements: list[Element]) -> list[Detail]:
    items = []
    for item in elements:
        legacy.check_order(item, ("invoicekey", "amount"))
        key, amount = legacy.required(item, "invoicekey"), legacy.decimal_of(item, "amount")
        items.append(Detail(document=key, amount=amount))
    return items


def create_arpayment(ctx: Context, function: Element) -> Element:
    legacy.check_order(function, _CREATE, repeated=frozenset({"arpaymentitem"}))
    items = _items(function.findall("arpaymentitem"))
    spec = PaymentSpec(
        party=legacy.required(function, "customerid"),
        cash=legacy.decimal_of(function, "paymentamount"),
        on=legacy.split_date(function, "datereceived", needed=True),
        method=legacy.required(function, "paymentmethod"),
        details=items,
        reference=text_of(function, "refid"),
        currency=text_of(function, "currency"),
        advance=not items,
    )
    stored = payments.record_payment(ctx, payments.AR, spec)
    return legacy.key_result(str(stored["RECORDNO"]))


def apply_arpayment(ctx: Context, function: Element) -> Element:
    legacy.check_order(function, _APPLY)
    key = legacy.required(function, "arpaymentkey")
    credit = ctx.company.by_recordno("ARPYMT", key)
    if credit is None:
        raise not_found("ARPYMT", key, action="apply")
    side = payments.AR
    source = payments.ADVANCE if credit.get("RECORDTYPE") == side.advance else payments.OVERPAYMENT
    items = [
        Detail(document=item.document, amount=item.amount, source=source, source_key=key)
        for item in _items(function.findall("arpaymentitems/arpaymentitem"))
    ]
    if not items:
        raise failure(GENERIC, "apply_arpayment needs at least one arpaymentitem")
    spec = PaymentSpec(
        party=str(credit.get(side.party_field, "")),
        cash=Decimal(0),
        on=legacy.split_date(function, "paymentdate", needed=True),
        method=str(credit.get("PAYMENTMETHOD", "")),
        details=items,
        description=text_of(function, "memo"),
        currency=str(credit.get("CURRENCY", "")),
    )
    payments.record_payment(ctx, side, spec)
    return legacy.key_result(key)


def reverser(side: Side) -> Handler:
    def reverse(ctx: Context, function: Element) -> Element:
        legacy.check_order(function, ("datereversed", "description", "nsfclosedaccount"))
        key = function.get("key", "").strip()
        payment = ctx.company.by_recordno(side.payment, key)
        if payment is None:
            raise not_found(side.payment, key, action="reverse")
        on = legacy.split_date(function, "datereversed", needed=True)
        memo = text_of(function, "description")
        stored = payments.reverse_payment(ctx, side, payment, on=on, memo=memo)
        return legacy.key_result(str(stored["RECORDNO"]))

    return reverse


def _date(value: object, field: str) -> str:
    text = str(value or "").strip()
    try:
        return datetime.strptime(text, "%m/%d/%Y").strftime("%m/%d/%Y")  # noqa: DTZ007 - a date
    except ValueError as error:
        raise failure(
            GENERIC, f"{field} must be a date mm/dd/yyyy, got '{text}'", correction=f"Send {field}."
        ) from error


def _decimal(value: object, field: str) -> Decimal:
    return legacy.parse_decimal(str(value or "0"), field)


def _detail(side: Side, row: Record) -> Detail:
    debit_memo = bool(str(row.get("POSADJKEY", "")).strip())
    document = str(row.get("POSADJKEY" if debit_memo else "RECORDKEY", "")).strip()
    for key_field, amount_field, source in _CREDIT_FIELDS:
        if str(row.get(key_field, "")).strip():
            amount = _decimal(row.get(amount_field), amount_field)
            return Detail(document, amount, source, str(row[key_field]).strip(), debit_memo)
    return Detail(
        document, _decimal(row.get("TRX_PAYMENTAMOUNT"), "TRX_PAYMENTAMOUNT"), debit_memo=debit_memo
    )


def generic_create(ctx: Context, side: Side, record: Record) -> Record:
    """A generic create of ARPYMT / APPYMT: the record to store (applied once stored)."""
    rows = record.get(side.details)
    details = (
        [_detail(side, r) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    )
    cash = sum((d.amount for d in details if d.source == payments.CASH), Decimal(0))
    extra = "OVERPAYMENTAMOUNT" if side is payments.AR else "AMOUNTTOPAY"
    given = record.get(extra)
    if given and side is payments.AR:
        cash += _decimal(given, extra)
    elif given:
        cash = _decimal(given, extra)
    method = str(record.get("PAYMENTMETHOD", "")).strip()
    if not method:
        raise failure(GENERIC, "Required field PAYMENTMETHOD is missing", correction="Send it.")
    spec = PaymentSpec(
        party=str(record.get(side.party_field, "")).strip(),
        cash=cash,
        on=_date(record.get(side.date_field), side.date_field),
        method=method,
        details=details,
        payer=str(record.get("PAYERNAME", "")).strip(),
        reference=str(record.get("DOCNUMBER", "")),
        description=str(record.get("DESCRIPTION", "")),
        currency=str(record.get("CURRENCY", "")),
        draft=str(record.get("ACTION", "")).strip() == "Draft",
    )
    extras = {k: v for k, v in record.items() if k not in (side.details, "ACTION", extra)}
    return {**extras, **payments.prepare(ctx, side, spec)}


def advance_create(ctx: Context, record: Record) -> Record:
    """A generic create of ARADVANCE: an ARPYMT of RECORDTYPE rr, all of it unapplied."""
    rows = record.get("ARADVANCEITEMS")
    lines = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    if not lines:
        raise failure(GENERIC, "ARADVANCEITEMS needs at least one ARADVANCEITEM")
    cash = sum((_decimal(r.get("TRX_AMOUNT"), "TRX_AMOUNT") for r in lines), Decimal(0))
    spec = PaymentSpec(
        party=str(record.get("CUSTOMERID", "")).strip(),
        cash=cash,
        on=_date(record.get("RECEIPTDATE"), "RECEIPTDATE"),
        method=str(record.get("PAYMENTMETHOD", "")).strip() or "Cash",
        reference=str(record.get("DOCNUMBER", "")),
        description=str(record.get("DESCRIPTION", "")),
        currency=str(record.get("CURRENCY", "")),
        advance=True,
    )
    stored = payments.prepare(ctx, payments.AR, spec)
    return {**stored, "ARADVANCEITEMS": lines, "PAYMENTDATE": str(record.get("PAYMENTDATE", ""))}


def submit(ctx: Context, side: Side, record: Record, changes: Record) -> Record:
    """A generic update of a payment: only a draft changes; ACTION Submit posts and applies it."""
    if record.get("STATE") != payments.DRAFT:
        raise failure(
            GENERIC,
            f"{side.payment} {record.get('RECORDNO')} is {record.get('STATE')}: only a draft "
            "payment can be updated",
        )
    merged = {**record, **{k: v for k, v in changes.items() if k != "ACTION"}}
    if str(changes.get("ACTION", "")).strip() == "Submit":
        merged["STATE"], merged["RAWSTATE"] = side.complete
    return merged


def deletable(side: Side, record: Record) -> None:
    """A complete AR payment cannot be deleted (reverse it instead)."""
    if side is payments.AR and record.get("STATE") != payments.DRAFT:
        raise failure(
            GENERIC,
            f"Cannot delete ARPYMT {record.get('RECORDNO')}: only draft payments can be deleted",
            correction="Reverse the payment instead.",
        )


HANDLERS: dict[str, Handler] = {
    "create_arpayment": create_arpayment,
    "apply_arpayment": apply_arpayment,
    "reverse_arpayment": reverser(payments.AR),
    "reverse_appayment": reverser(payments.AP),
}
