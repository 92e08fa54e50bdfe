"""Legacy payment functions: ``create_arpayment``, ``apply_arpayment``, ``reverse_arpayment`` and
``reverse_appayment`` (the generic writes of payments are ``paywrites``; AP payment requests
``aprequests``).

- ``create_arpayment`` (customerid, paymentamount, ..., datereceived, paymentmethod, then any
  number of ``arpaymentitem`` with invoicekey + amount, directly under the function) answers
  ``<key>`` with the payment's RECORDNO. Items summing to less than ``paymentamount`` leave an
  overpayment (TOTALDUE); no items make an advance (RECORDTYPE ``rr``), as the Open Item
  configuration does [XMLDOC accounts-receivable-ar-payments].
- ``onlinecardpayment`` (cardnum, expirydate, cardtype required; securitycode, usedefaultcard)
  and ``onlineachpayment`` (bankname, accounttype, accountnumber, routingnumber, accountholder
  required; usedefaultcard), the JS SDK's ``OnlineCardPayment`` / ``OnlineAchPayment``, are
  "only used if ``paymentmethod`` is ``Online Charge Card``" / "``Online ACH Debit``": then their
  order and required fields are checked; the card and bank details are not stored (ARPYMT's
  readable fields hold none) and no card is charged. With another method the block is ignored.
- ``apply_arpayment`` (arpaymentkey = an advance or an overpayment, paymentdate, ...,
  ``arpaymentitems/arpaymentitem``) applies what it has unapplied: a new payment record whose
  details name the credit (``ADVANCEKEY`` / ``OVERPAYMENTKEY``), as the generic ``create`` of an
  ARPYMT applying one does; answers ``<key>`` with the credit's RECORDNO (**inferred**).
- ``reverse_arpayment`` / ``reverse_appayment`` (key=, ``datereversed``, optional
  ``description``) reverse a posted payment (``payments.reverse_payment``) and answer ``<key>``
  with the Reversal record's RECORDNO.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, paydetails, payments, paysides
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure, not_found
from released_intacct.fakes.simulators.intacct.paydetails import Credit, Detail
from released_intacct.fakes.simulators.intacct.payments import PaymentSpec
from released_intacct.fakes.simulators.intacct.paysides import Side
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


_ONLINE = {
    "onlinecardpayment": (
        "Online Charge Card",
        ("cardnum", "expirydate", "cardtype", "securitycode", "usedefaultcard"),
        3,
    ),
    "onlineachpayment": (
        "Online ACH Debit",
        ("bankname", "accounttype", "accountnumber", "routingnumber", "accountholder",
         "usedefaultcard"),
        5,
    ),
}  # fmt: skip
"""Block → (the method it is used with, its children in order, how many of them are required)."""


def _check_online(function: Element, method: str) -> None:
    for tag, (used_with, order, needed) in _ONLINE.items():
        block = function.find(tag)
        if block is None or method != used_with:
            continue
        legacy.check_order(block, order)
        for name in order[:needed]:
            legacy.required(block, name)


def _items(elements: list[Element]) -> list[Detail]:
    items = []
    for item in elements:
        legacy.check_order(item, ("invoicekey", "amount"))
        key, amount = legacy.required(item, "invoicekey"), legacy.decimal_of(item, "amount")
        items.append(Detail(document=key, cash=amount))
    return items


def create_arpayment(ctx: Context, function: Element) -> Element:
    legacy.check_order(function, _CREATE, repeated=frozenset({"arpaymentitem"}))
    items = _items(function.findall("arpaymentitem"))
    method = legacy.required(function, "paymentmethod")
    _check_online(function, method)
    spec = PaymentSpec(
        party=legacy.required(function, "customerid"),
        cash=legacy.decimal_of(function, "paymentamount"),
        on=legacy.split_date(function, "datereceived", needed=True),
        method=method,
        details=items,
        reference=text_of(function, "refid"),
        currency=text_of(function, "currency"),
        advance=not items,
    )
    stored = payments.record_payment(ctx, paysides.AR, spec)
    return legacy.key_result(str(stored["RECORDNO"]))


def apply_arpayment(ctx: Context, function: Element) -> Element:
    legacy.check_order(function, _APPLY)
    key = legacy.required(function, "arpaymentkey")
    credit = ctx.company.by_recordno("ARPYMT", key)
    if credit is None:
        raise not_found("ARPYMT", key, action="apply")
    side = paysides.AR
    advance = credit.get("RECORDTYPE") == side.advance
    kind = paydetails.ADVANCE if advance else paydetails.OVERPAYMENT
    items = [
        Detail(document=item.document, credit=Credit(kind, key, item.cash))
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


HANDLERS: dict[str, Handler] = {
    "create_arpayment": create_arpayment,
    "apply_arpayment": apply_arpayment,
    "reverse_arpayment": reverser(paysides.AR),
    "reverse_appayment": reverser(paysides.AP),
}
