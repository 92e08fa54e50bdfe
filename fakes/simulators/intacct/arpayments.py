"""Payment functions: legacy create_arpayment, apply_arpayment, reverse_arpayment,
reverse_appayment, and the generic ``create`` of ARPYMT / APPYMT.

- ``create_arpayment`` (customerid, paymentamount, ..., datereceived, paymentmethod, then any
  number of ``arpaymentitem`` with invoicekey + amount) answers ``<key>`` with the payment's
  RECORDNO. Items summing to less than ``paymentamount`` make an Overpayment, none an Advance.
- ``apply_arpayment`` (arpaymentkey, paymentdate, ..., ``arpaymentitems/arpaymentitem``) allocates
  an advance or overpayment later and answers ``<key>`` with the payment's RECORDNO.
- The generic ``create`` of ARPYMT / APPYMT takes CUSTOMERID / VENDORID, PAYMENTMETHOD,
  RECEIPTDATE / PAYMENTDATE (``mm/dd/yyyy``), optional CURRENCY, DOCNUMBER and PAYMENTTYPE, and
  ARPYMTDETAILS / APPYMTDETAILS lines of RECORDKEY + TRX_PAYMENTAMOUNT. The amount is the sum of
  the lines unless TOTALENTERED (ARPYMT) / AMOUNTTOPAY (APPYMT) is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, payments
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure, not_found
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


def _items(elements: list[Element]) -> list[payments.Applied]:
    items = []
    for item in elements:
        legacy.check_order(item, ("invoicekey", "amount"))
        items.append((legacy.required(item, "invoicekey"), legacy.decimal_of(item, "amount")))
    return items


def create_arpayment(ctx: Context, function: Element) -> Element:
    legacy.check_order(function, _CREATE, repeated=frozenset({"arpaymentitem"}))
    spec = payments.PaymentSpec(
        party=legacy.required(function, "customerid"),
        amount=legacy.decimal_of(function, "paymentamount"),
        on=legacy.split_date(function, "datereceived", needed=True),
        method=legacy.required(function, "paymentmethod"),
        applied=_items(function.findall("arpaymentitem")),
        reference=text_of(function, "refid"),
        currency=text_of(function, "currency"),
    )
    stored = payments.record_payment(ctx, payments.AR, spec)
    return legacy.key_result(str(stored["RECORDNO"]))


def apply_arpayment(ctx: Context, function: Element) -> Element:
    legacy.check_order(function, _APPLY)
    key = legacy.required(function, "arpaymentkey")
    payment = ctx.company.by_recordno("ARPYMT", key)
    if payment is None:
        raise not_found("ARPYMT", key, action="apply")
    on = legacy.split_date(function, "paymentdate", needed=True)
    items = _items(function.findall("arpaymentitems/arpaymentitem"))
    payments.allocate(ctx, payments.AR, payment, items, on=on)
    return legacy.key_result(key)


def reverser(side: payments.Side) -> Handler:
    def reverse(ctx: Context, function: Element) -> Element:
        legacy.check_order(function, ("datereversed", "description"))
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


def generic_create(ctx: Context, side: payments.Side, record: Record) -> Record:
    """A generic create of ARPYMT / APPYMT: applied like the legacy create: the record to store."""
    rows = record.get(side.details)
    lines = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    applied = [
        (
            str(r.get("RECORDKEY", "")).strip(),
            _decimal(r.get("TRX_PAYMENTAMOUNT"), "TRX_PAYMENTAMOUNT"),
        )
        for r in lines
    ]
    total_field = "TOTALENTERED" if side is payments.AR else "AMOUNTTOPAY"
    sent_total = record.get(total_field)
    spec = payments.PaymentSpec(
        party=str(record.get(side.party_field, "")).strip(),
        amount=_decimal(sent_total, total_field)
        if sent_total
        else sum((amount for _, amount in applied), Decimal(0)),
        on=_date(record.get(side.date_field), side.date_field),
        method=str(record.get("PAYMENTMETHOD", "") or "Printed Check"),
        applied=applied,
        kind=str(record.get("PAYMENTTYPE", "")).strip(),
        reference=str(record.get("DOCNUMBER", "")),
        currency=str(record.get("CURRENCY", "")),
    )
    return {**record, **payments.prepare(ctx, side, spec)}


HANDLERS: dict[str, Handler] = {
    "create_arpayment": create_arpayment,
    "apply_arpayment": apply_arpayment,
    "reverse_arpayment": reverser(payments.AR),
    "reverse_appayment": reverser(payments.AP),
}
