"""The workflows of payments, advances and customer refunds: ``POST
/workflows/<module>/<object>/<action>`` for ``accounts-receivable/payment`` (``reverse``,
``submit``), ``accounts-payable/payment`` (``reverse``, ``submit``, ``approve``, ``decline``,
``print``, ``confirm``), the AR / AP ``advance`` and ``accounts-receivable/customer-refund``
(``reverse``, ``submit``): [RESTDOC] docs/rest/accounts-receivable.md, "POST
/workflows/accounts-receivable/payment/reverse", ".../payment/submit", ".../advance/reverse",
".../advance/submit", ".../customer-refund/reverse", ".../customer-refund/submit";
docs/rest/accounts-payable.md, "POST /workflows/accounts-payable/payment/reverse" ("Reverse a
payment or void a check"), ".../payment/submit", ".../payment/approve", ".../payment/decline",
".../payment/print", ".../payment/confirm", ".../advance/reverse", ".../advance/submit";
docs/intacct-rest.md section 8.

Every body names the record by ``key``; the answer is ``{key, id, href, state}``. Each action
runs the XML gateway's own code, so a payment moved over REST reads as one moved over XML:

- ``reverse`` ``{key, reversedDate, memo}`` (AP payment ``{key, paymentDate, description}``):
  ``payments.reverse_payment`` (Reversed, a Reversal record of the opposite amounts, documents
  and credits restored). AR answers the new Reversal record (state ``reversal``), AP the record
  itself (``reversed``), as the samples do (which record each answers is **inferred**).
- ``submit`` ``{key}``: a draft is submitted as a payment's create submits it: posted and
  applied (AR ``complete``, advances ``posted``), or over AP ``submitted`` where the company uses
  payment approvals, ``approved`` while a check waits (``payments.submitted_state``); its
  documents and credits are checked again first. Only a draft is taken (**inferred**).
- AP ``approve`` / ``decline`` (``{key, notes}``, ``notes`` not kept) and ``confirm`` are the XML
  API's ``approve_`` / ``decline_`` / ``confirm_appaymentrequest`` (``aprequests``: the same
  states taken and refused). ``print`` takes an ``approved`` payment (a check waiting) to
  ``delivered``, the sample's answer; that it needs no Vendor Payment Services subscription (the
  XML ``send_appaymentrequest`` does) and takes only an approved payment is **inferred**.
- A customer refund's ``reverse`` (``{key, reversedDate, description}``) voids it (``voided``,
  the sample's: its credits are the customer's again) and ``submit`` posts a draft (``posted``),
  ``refunds``' own; the reversal's date is required and not kept (**inferred**).

An unknown key (or a payment's key asked as an advance) answers 404, a missing field 400 naming
it, a record in the wrong state 422 with the legacy error in ``details``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from lxml import etree

from released_intacct.fakes.simulators.intacct import aprequests, payments, paysides, refunds
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, GatewayError, failure
from released_intacct.fakes.simulators.intacct.paysides import AP, AR, Side
from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestReply,
    invalid,
    not_found,
    operation_failed,
    success,
)
from released_intacct.fakes.simulators.intacct.rest.fields import Field, to_rest_value
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS

Body = dict[str, object]
Step = Callable[[Context, "Flow", Record, Body], Record]


@dataclass(frozen=True, slots=True)
class Flow:
    side: Side
    date_field: str
    """The reverse body's date field."""
    memo_field: str
    actions: frozenset[str]
    refund: bool = False
    """A customer refund's flows (``refunds``), not a payment's."""


_COMMON: Final = frozenset({"reverse", "submit"})
PATHS: Final[dict[str, Flow]] = {
    "accounts-receivable/payment": Flow(AR, "reversedDate", "memo", _COMMON),
    "accounts-payable/payment": Flow(
        AP, "paymentDate", "description", _COMMON | {"approve", "decline", "confirm", "print"}
    ),
    "accounts-receivable/advance": Flow(AR, "reversedDate", "memo", _COMMON),
    "accounts-payable/advance": Flow(AP, "reversedDate", "memo", _COMMON),
    "accounts-receivable/customer-refund": Flow(
        AR, "reversedDate", "description", _COMMON, refund=True
    ),
}
"""Each object with payment workflows: its side, the reverse body's fields and its actions."""


def workflow(ctx: Context, path: str, action: str, body: object) -> RestReply:
    """``POST /workflows/<path>/<action>`` for a payment or an advance."""
    flow = PATHS.get(path)
    if flow is None or action not in flow.actions:
        raise invalid(f"Malformed URL: /workflows/{path}/{action}", 404)
    if not isinstance(body, dict) or not isinstance(body.get("key"), str) or not body["key"]:
        raise invalid(f"the body of /workflows/{path}/{action} needs the record's key")
    key = str(body["key"])
    record = ctx.company.by_recordno(OBJECTS[path].xml, key)
    owner = "" if record is None else str(record.get("MEGAENTITYID", ""))
    if record is None or (ctx.entity and owner not in ("", ctx.entity)):
        raise not_found(path, key)
    try:
        answered = (_REFUND_STEPS if flow.refund else _STEPS)[action](ctx, flow, record, body)
    except GatewayError as error:
        raise operation_failed(action, path, error) from error
    done = str(answered["RECORDNO"])
    state = to_rest_value(ctx.company, _state(path), answered.get("STATE"))
    return success({"key": done, "id": done, "href": f"/objects/{path}/{done}", "state": state})


def _reverse(ctx: Context, flow: Flow, record: Record, body: Body) -> Record:
    on = _date(body.get(flow.date_field), flow.date_field)
    memo = body.get(flow.memo_field)
    if memo is not None and not isinstance(memo, str):
        raise invalid(f"{flow.memo_field} must be text, got {memo!r}")
    side = flow.side
    reversal = payments.reverse_payment(ctx, side, record, on=on, memo=memo or "")
    return reversal if side is AR else _again(ctx, side, record)


def _submit(ctx: Context, flow: Flow, record: Record, body: Body) -> Record:
    del body
    side, key = flow.side, record["RECORDNO"]
    if record.get("STATE") != paysides.DRAFT:
        raise failure(
            GENERIC,
            f"Cannot submit {side.payment} {key}: it is {record.get('STATE')}",
            correction="Only a draft can be submitted.",
        )
    state = payments.submitted_state(ctx, side, record)
    if state == side.complete[0]:  # its documents and credits may have changed since
        details = payments.details_of(side, record)
        payments.check_details(ctx, side, str(record.get(side.party_field, "")), details, {})
        payments.post(ctx, side, record)
    else:
        _set(ctx, side, record, state)
    return _again(ctx, side, record)


def _request(function: str) -> Step:
    """An AP payment request of the XML API (``aprequests``) for one payment."""

    def run(ctx: Context, flow: Flow, record: Record, body: Body) -> Record:
        del body
        element = etree.Element(function)
        keys = etree.SubElement(element, "appaymentkeys")
        etree.SubElement(keys, "appaymentkey").text = str(record["RECORDNO"])
        aprequests.HANDLERS[function](ctx, element)
        return _again(ctx, flow.side, record)

    return run


def _print(ctx: Context, flow: Flow, record: Record, body: Body) -> Record:
    del body
    if record.get("STATE") != paysides.APPROVED:
        raise failure(
            GENERIC,
            f"Cannot print APPYMT {record['RECORDNO']}: it is {record.get('STATE')}",
            correction="Print an approved check payment; EFT, cash and credit card payments "
            "post when approved.",
        )
    _set(ctx, flow.side, record, paysides.DELIVERED)
    return _again(ctx, flow.side, record)


_STEPS: Final[dict[str, Step]] = {
    "reverse": _reverse,
    "submit": _submit,
    "approve": _request("approve_appaymentrequest"),
    "decline": _request("decline_appaymentrequest"),
    "confirm": _request("confirm_appaymentrequest"),
    "print": _print,
}


def _void_refund(ctx: Context, flow: Flow, record: Record, body: Body) -> Record:
    _date(body.get(flow.date_field), flow.date_field)
    memo = body.get(flow.memo_field)
    if memo is not None and not isinstance(memo, str):
        raise invalid(f"{flow.memo_field} must be text, got {memo!r}")
    return refunds.void(ctx, record, memo=memo or "")


_REFUND_STEPS: Final[dict[str, Step]] = {
    "reverse": _void_refund,
    "submit": lambda ctx, flow, record, body: refunds.submit(ctx, record),
}


def _set(ctx: Context, side: Side, record: Record, state: str) -> None:
    changes = paysides.state_fields(side, state)
    ctx.company.update(side.payment, int(str(record["RECORDNO"])), changes, now=ctx.now)
    ctx.spend()


def _again(ctx: Context, side: Side, record: Record) -> Record:
    """The record as it is now."""
    return ctx.company.by_recordno(side.payment, str(record["RECORDNO"])) or record


def _state(path: str) -> Field:
    found = OBJECTS[path].field("state")
    if found is None:
        msg = f"{path} has no state field"
        raise ValueError(msg)
    return found


def _date(value: object, name: str) -> str:
    """A ``yyyy-mm-dd`` body date as the record stores it (``mm/dd/yyyy``); 400 naming it."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").strftime("%m/%d/%Y")  # noqa: DTZ007
    except ValueError as error:
        raise invalid(f"{name}: the reversal's date, yyyy-mm-dd, is required") from error
