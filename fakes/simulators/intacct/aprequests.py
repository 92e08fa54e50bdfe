"""AP payment requests: ``approve_``, ``decline_``, ``send_``, ``confirm_`` and
``void_appaymentrequest``.

Shape (Sage's AP payments page, "AP Payment Requests"; the SDKs' ``ApPaymentApprove`` /
``Confirm`` / ``Decline`` / ``Send`` / ``Void``, which send one key): ``<appaymentkeys>`` holding
``<appaymentkey>`` 1..n, each an APPYMT RECORDNO. Every key is checked before any payment changes,
so a refusal changes nothing; each payment changed is one write (AUDITHISTORY ``Modified``, one
API transaction). Success answers no ``<data>`` (**inferred**: the SDKs only check the status).

What each does, from the payment statuses of the AP help ("Payment status descriptions") and the
page's own words (the state names are ``payments``'):

- approve: a ``Submitted`` payment is approved: "Payment requests with a payment method of
  Record transfer (EFT), cash, Vendor Payments powered by CSI, or credit card ... are posted to
  the General Ledger immediately upon approval" (``Posted``, applied to its bills); a check, ACH or
  bank-file payment becomes ``Approved``.
- decline: a ``Submitted`` payment "was declined by an approver": ``Declined`` (the help's
  "Unapproved", REST's ``declined``), nothing applied.
- send: "This function requires the Vendor Payment Services subscription"
  (``Settings.vendor_payment_services``): an ``Approved`` payment is sent to the provider,
  ``Delivered`` ("you initiated the payment process but it is not yet complete"; REST's payment
  print answers ``delivered``). Without the subscription it is refused.
- confirm: "Use this to confirm checks have been successfully printed": an ``Approved`` or
  ``Delivered`` payment is ``Posted`` and applied to its bills ("Complete: The payment is posted
  to the General Ledger").
- void: an ``Approved`` or ``Delivered`` payment (nothing posted yet) becomes ``Voided`` (V); a
  posted one is voided "from the register, after it was completed" as ``reverse_appayment``
  reverses it (REST: "Reverse a payment or void a check"), dated today: ``Reversed`` and a
  ``Reversal`` record, its bills unpaid.

Payments only wait in ``Submitted`` when the company uses payment approvals
(``Settings.ap_payment_approvals``). Which transitions each function refuses (any other state:
BL01001973 naming the payment, its state and what to do instead), the one approval level, the
date of a void's reversal and the empty answer are **inferred**: the page lists the functions
and their keys only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from released_intacct.fakes.simulators.intacct import legacy, payments, paysides
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure, not_found
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome
from released_intacct.fakes.simulators.intacct.payments import Planned
from released_intacct.fakes.simulators.intacct.paysides import AP
from released_intacct.fakes.simulators.intacct.wire import Element

Step = Callable[[Context, Record], None]


@dataclass(frozen=True, slots=True)
class Request:
    verb: str
    takes: frozenset[str]
    """The states it acts on."""
    instead: str
    """The correction when a payment is in another state."""


def _approve(ctx: Context, payment: Record) -> None:
    state = paysides.approved_state(AP, payment)
    if state == AP.complete[0]:
        payments.post(ctx, AP, payment)
    else:
        _set(ctx, payment, state)


def _set(ctx: Context, payment: Record, state: str) -> None:
    changes = paysides.state_fields(AP, state)
    ctx.company.update(AP.payment, int(str(payment["RECORDNO"])), changes, now=ctx.now)
    ctx.spend()


def _void(ctx: Context, payment: Record) -> None:
    if payment.get("STATE") == AP.complete[0]:
        payments.reverse_payment(ctx, AP, payment, on=payments.today(ctx), memo="")
    else:
        _set(ctx, payment, paysides.VOIDED)


_WAITING = frozenset({paysides.APPROVED, paysides.DELIVERED})
REQUESTS: dict[str, tuple[Request, Step]] = {
    "approve_appaymentrequest": (
        Request("approve", frozenset({paysides.SUBMITTED}), "Only a submitted payment waits for "
                "approval."),
        _approve,
    ),
    "decline_appaymentrequest": (
        Request("decline", frozenset({paysides.SUBMITTED}), "Only a submitted payment waits for "
                "approval; void an approved one."),
        lambda ctx, payment: _set(ctx, payment, paysides.DECLINED),
    ),
    "send_appaymentrequest": (
        Request("send", frozenset({paysides.APPROVED}), "Send an approved check or ACH payment."),
        lambda ctx, payment: _set(ctx, payment, paysides.DELIVERED),
    ),
    "confirm_appaymentrequest": (
        Request("confirm", _WAITING, "Confirm an approved or delivered check or ACH payment; EFT, "
                "cash and credit card payments post when approved."),
        lambda ctx, payment: payments.post(ctx, AP, payment),
    ),
    "void_appaymentrequest": (
        Request("void", _WAITING | {AP.complete[0]}, "Decline a submitted payment; delete a "
                "draft."),
        _void,
    ),
}  # fmt: skip


def _keys(function: Element) -> list[str]:
    legacy.check_order(function, ("appaymentkeys",))
    holder = function.find("appaymentkeys")
    if holder is not None:
        legacy.check_order(holder, ("appaymentkey",), repeated=frozenset({"appaymentkey"}))
    keys = [str(key.text or "").strip() for key in function.findall("appaymentkeys/appaymentkey")]
    if not keys or not all(keys):
        raise failure(
            GENERIC,
            f"Required field appaymentkey is missing in <{function.tag}>",
            correction="Send <appaymentkeys><appaymentkey>RECORDNO</appaymentkey></appaymentkeys>.",
        )
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise failure(
            GENERIC,
            f"appaymentkey {', '.join(twice)} is named more than once in <{function.tag}>",
            correction="Name each payment once.",
        )
    return keys


def _check(ctx: Context, request: Request, payment: Record, planned: Planned) -> None:
    key, state = payment["RECORDNO"], str(payment.get("STATE", ""))
    if state not in request.takes:
        raise failure(
            GENERIC,
            f"Cannot {request.verb} APPYMT {key}: it is {state or 'in no state'}",
            correction=request.instead,
        )
    if request.verb == "send" and not ctx.company.settings.vendor_payment_services:
        raise failure(
            GENERIC,
            f"Cannot send APPYMT {key}: send_appaymentrequest requires the Vendor Payment "
            "Services subscription",
            correction="Subscribe to Vendor Payment Services, or print the check and confirm it.",
        )
    posting = request.verb == "confirm" or (
        request.verb == "approve" and paysides.approved_state(AP, payment) == AP.complete[0]
    )
    if posting:  # its bills and credits may have been paid since it was created
        details = payments.details_of(AP, payment)
        payments.check_details(ctx, AP, str(payment.get("VENDORID", "")), details, planned)
    if request.verb == "void" and state == AP.complete[0]:
        payments.check_reversible(ctx, AP, payment)


def handler(name: str) -> Handler:
    request, step = REQUESTS[name]

    def run(ctx: Context, function: Element) -> Outcome:
        found = []
        for key in _keys(function):
            payment = ctx.company.by_recordno(AP.payment, key)
            if payment is None:
                raise not_found(AP.payment, key, action=request.verb)
            found.append(payment)
        planned: Planned = {}
        for payment in found:
            _check(ctx, request, payment, planned)
        for payment in found:
            step(ctx, payment)
        return None

    return run


HANDLERS: dict[str, Handler] = {name: handler(name) for name in REQUESTS}
