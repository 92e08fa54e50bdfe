"""Customer refunds over REST: ``accounts-receivable/customer-refund``, read and created over the
XML gateway's CUSTOMERREFUND records (``refunds``: each detail refunds a credit the customer
holds, used up as an AR payment would use it), so a refund created over REST is read over XML.

The create body is the page's ([RESTDOC] docs/rest/accounts-receivable.md, "POST
/objects/accounts-receivable/customer-refund"): ``customer.id``, ``paymentMethod``,
``refundDate``, ``financialEntity.id``, ``payTo.key``, ``baseCurrency.refundAmount`` and
``refundDetails[]``, each naming one credit (``negativeInvoice``, ``arAdjustment``,
``arAdvance`` or ``overPayment``, by ``key`` or ``id``) and its ``txnRefundAmount``; the GET shows
the fields of "GET /objects/accounts-receivable/customer-refund/{key}" the simulator keeps.

Decisions where no page says (**inferred**, rows of docs/intacct-fidelity.md): a
``refundAmount`` (base or transaction) that is not the details' total is refused (400 naming
it); ``state`` ``draft`` keeps a draft for ``submit``; a posted refund shows ``posted`` (the
submit workflow's sample) and a voided one ``voided`` (the reverse sample's); the details are
kept with the refund but neither served as ``…/customer-refund-detail`` objects nor shown by a
GET; a refund is not patched or deleted over REST here (405).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from released_intacct.fakes.simulators.intacct import refunds
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.paydetails import (
    ADVANCE,
    CREDIT,
    NEGATIVE,
    OVERPAYMENT,
    Credit,
)
from released_intacct.fakes.simulators.intacct.rest.advances import METHODS
from released_intacct.fakes.simulators.intacct.rest.envelope import invalid
from released_intacct.fakes.simulators.intacct.rest.fields import (
    Field,
    RestObject,
    stored_value,
    to_record,
)

_STATES: Final = (
    (refunds.DRAFT, "draft"),
    (refunds.POSTED, "posted"),
    (refunds.VOIDED, "voided"),
)
CUSTOMER_REFUND: Final = RestObject(
    "accounts-receivable/customer-refund",
    refunds.OBJECT,
    "RECORDNO",
    (
        Field("customer.id", "CUSTOMERID"),
        Field("customer.name", "CUSTOMERNAME", writable=False),
        Field("state", "STATE", "enum", _STATES, writable=False),
        Field("paymentMethod", "PAYMENTMETHOD", "enum", METHODS),
        Field("refundDate", "REFUNDDATE", "date"),
        Field("financialEntity.id", "FINANCIALENTITY"),
        Field("payTo.key", "PAYTOKEY"),
        Field("txnCurrency.currency", "CURRENCY", writable=False),
        Field("txnCurrency.refundAmount", "TOTALENTERED", "money", writable=False),
        Field("baseCurrency.refundAmount", "TOTALENTERED", "money", writable=False),
        Field("documentNumber", "DOCNUMBER"),
        Field("description", "DESCRIPTION"),
    ),
    read_only=True,
)
_CREDITS: Final = {
    "negativeInvoice": NEGATIVE,
    "arAdjustment": CREDIT,
    "arAdvance": ADVANCE,
    "overPayment": OVERPAYMENT,
}
"""A refund detail's credit groups, as the detail GET sample names them."""
_AMOUNT: Final = Field("txnRefundAmount", "", "money")
_TOTALS: Final = ("baseCurrency.refundAmount", "txnCurrency.refundAmount")
_DRAFT: Final = {"draft": True, "posted": False}


def create(ctx: Context, obj: RestObject, body: object) -> Record:
    """Store the refund ``body`` asks for, as the XML gateway's refunds keep one."""
    if not isinstance(body, dict):
        raise invalid(f"the body of {obj.path} must be a JSON object, got {type(body).__name__}")
    details = body.get("refundDetails")
    if not isinstance(details, list) or not details:
        raise invalid("refundDetails: a new customer refund needs at least one detail")
    credits = [_credit(index, detail) for index, detail in enumerate(details)]
    state = body.get("state", "posted")
    if state not in _DRAFT:
        raise invalid(f"state: a new {obj.path} is 'draft' or 'posted', got {state!r}")
    header = {k: v for k, v in body.items() if k not in ("refundDetails", "state")}
    totals = {name: header.pop(name.split(".")[0], {}) for name in _TOTALS}
    total = sum((credit.amount for credit in credits), Decimal(0))
    for name, block in totals.items():
        given = block.get("refundAmount") if isinstance(block, dict) else None
        if given is not None and Decimal(str(stored_value(_AMOUNT, given))) != total:
            raise invalid(f"{name}: {given} is not the refund details' total {total:.2f}")
    record = to_record(obj, header)
    spec = refunds.RefundSpec(
        customer=str(record.get("CUSTOMERID", "")),
        on=str(record.get("REFUNDDATE", "")),
        method=str(record.get("PAYMENTMETHOD", "")),
        credits=credits,
        reference=str(record.get("DOCNUMBER", "")),
        description=str(record.get("DESCRIPTION", "")),
        financial_entity=str(record.get("FINANCIALENTITY", "")),
        draft=_DRAFT[str(state)],
    )
    for name, value in (("customer.id", spec.customer), ("refundDate", spec.on),
                        ("paymentMethod", spec.method)):  # fmt: skip
        if not value:
            raise invalid(f"{name} is required for a new {obj.path}")
    return refunds.record_refund(ctx, spec)


def _credit(index: int, detail: object) -> Credit:
    where = f"refundDetails[{index}]"
    if not isinstance(detail, dict):
        raise invalid(f"{where} must be an object")
    unknown = sorted(set(detail) - {*_CREDITS, _AMOUNT.rest})
    named = [name for name in _CREDITS if name in detail]
    if unknown or len(named) != 1:
        raise invalid(
            f"{where}: one of {', '.join(_CREDITS)} and {_AMOUNT.rest}"
            + (f", not {', '.join(unknown)}" if unknown else "")
        )
    block = detail[named[0]]
    key = block.get("key") or block.get("id") if isinstance(block, dict) else None
    if not isinstance(key, str) or not key:
        raise invalid(f"{where}.{named[0]}.key is required")
    if detail.get(_AMOUNT.rest) is None:
        raise invalid(f"{where}.{_AMOUNT.rest} is required")
    amount = Decimal(str(stored_value(_AMOUNT, detail[_AMOUNT.rest])))
    return Credit(_CREDITS[named[0]], key, amount)
