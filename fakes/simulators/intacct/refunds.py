"""Customer refunds (CUSTOMERREFUND): money paid back to a customer out of its credits.

Customer refunds are created by CSV and REST only ([RELNOTES 2025-R3 ar-customer-refunds-ga]), so
the XML API reads them (and the seed holds one) but creates none; the REST API's create
(``rest/refunds.py``) stores them here. A refund's details each refund one credit the customer
holds ([RESTDOC] docs/rest/accounts-receivable.md, "POST
/objects/accounts-receivable/customer-refund", "GET
/objects/accounts-receivable/customer-refund-detail/{key}": ``negativeInvoice``,
``arAdjustment``, ``arAdvance``, ``overPayment``): the same credits an AR payment applies, checked
and used up by ``payments``' own ``check_credit`` / ``consume``, so a credit refunded cannot be
applied again, over either API.

A refund is stored with RECORDTYPE ``rf``, STATE ``Complete`` (or ``Draft``), TOTALENTERED the
sum of its details, and its details in REFUNDDETAILS (the credit group fields of ``paydetails``).
``submit`` posts a draft; ``void`` gives a posted refund's credits back (STATE ``Voided``, the
REST reverse sample's ``voided``). A refund of a credit the customer does not hold, a void of a
refund that is not posted, a submit of one that is not a draft: BL01001973 (**inferred**, as the
payments' refusals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, paydetails, payments
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.paydetails import GROUPS, Credit
from released_intacct.fakes.simulators.intacct.paysides import AR

OBJECT, DETAILS = paydetails.REFUNDS, paydetails.REFUND_DETAILS
DRAFT, POSTED, VOIDED = "Draft", "Complete", "Voided"


@dataclass(frozen=True, slots=True)
class RefundSpec:
    customer: str
    on: str
    """``mm/dd/yyyy``."""
    method: str
    credits: Sequence[Credit]
    reference: str = ""
    description: str = ""
    financial_entity: str = ""
    draft: bool = False


def record_refund(ctx: Context, spec: RefundSpec) -> Record:
    """Store a refund, its credits checked, and use them up when it is posted."""
    customer = legacy.existing(ctx, AR.party_object, AR.party_field, spec.customer)
    if not spec.credits:
        raise failure(GENERIC, "A customer refund needs at least one refund detail")
    _check(ctx, spec.customer, spec.credits)
    total = sum((credit.amount for credit in spec.credits), Decimal(0))
    record: Record = {
        "RECORDTYPE": "rf",
        "STATE": DRAFT if spec.draft else POSTED,
        "CUSTOMERID": spec.customer,
        "CUSTOMERNAME": str(customer.get("NAME", "")),
        "PAYMENTMETHOD": spec.method,
        "REFUNDDATE": spec.on,
        "FINANCIALENTITY": spec.financial_entity,
        "DOCNUMBER": spec.reference,
        "DESCRIPTION": spec.description,
        "CURRENCY": legacy.currency(ctx, "", customer),
        "TOTALENTERED": legacy.money(total),
        DETAILS: [_row(credit) for credit in spec.credits],
    }
    stored = ctx.company.insert(OBJECT, record, now=ctx.now, entity=ctx.entity)
    ctx.spend()
    if stored["STATE"] == POSTED:
        _use(ctx, stored, sign=1)
    return stored


def submit(ctx: Context, refund: Record) -> Record:
    """Post a draft refund, its credits checked again."""
    if refund.get("STATE") != DRAFT:
        raise _refused(refund, "submit", "Only a draft refund can be submitted.")
    _check(ctx, str(refund.get("CUSTOMERID", "")), credits_of(refund))
    stored = _set(ctx, refund, POSTED)
    _use(ctx, stored, sign=1)
    return stored


def void(ctx: Context, refund: Record, *, memo: str) -> Record:
    """Void a posted refund: its credits are the customer's again."""
    if refund.get("STATE") != POSTED:
        raise _refused(refund, "void", "Only a posted refund can be voided.")
    _use(ctx, refund, sign=-1)
    return _set(ctx, refund, VOIDED, **({"DESCRIPTION": memo} if memo else {}))


def credits_of(refund: Record) -> list[Credit]:
    """The credits a stored refund's details refund."""
    found = (paydetails.credit_of(row, OBJECT) for row in paydetails.rows(refund.get(DETAILS)))
    return [credit for credit in found if credit is not None]


def _check(ctx: Context, customer: str, credits: Sequence[Credit]) -> None:
    planned: payments.Planned = {}
    for credit in credits:
        if credit.kind not in AR.sources:
            raise failure(GENERIC, f"A customer refund cannot refund a {credit.kind}")
        payments.check_credit(ctx, AR, customer, credit, planned)


def _use(ctx: Context, refund: Record, *, sign: int) -> None:
    on = str(refund.get("REFUNDDATE", ""))
    for credit in credits_of(refund):
        payments.consume(ctx, AR, credit, sign * credit.amount, on=on)


def _row(credit: Credit) -> Record:
    group = GROUPS[credit.kind]
    return {group.key: credit.key, group.amount: legacy.money(credit.amount)}


def _set(ctx: Context, refund: Record, state: str, **more: str) -> Record:
    recordno = int(str(refund["RECORDNO"]))
    stored = ctx.company.update(OBJECT, recordno, {"STATE": state, **more}, now=ctx.now)
    ctx.spend()
    return stored


def _refused(refund: Record, verb: str, correction: str) -> Exception:
    return failure(
        GENERIC,
        f"Cannot {verb} {OBJECT} {refund['RECORDNO']}: it is {refund.get('STATE')}",
        correction=correction,
    )
