"""Payments (ARPYMT, APPYMT) as Intacct documents them: record types, states, details, credits.

A payment record holds its header and its details (``ARPYMTDETAILS`` / ``APPYMTDETAILS``, also
queryable as ARPYMTDETAIL / APPYMTDETAIL; what a detail holds is ``paydetails``). Each detail
applies its cash and at most one credit to one document; a credit applied is consumed: an
advance's or overpayment's TOTALDUE goes down, a negative document (credit memo, debit memo,
negative bill or invoice) is paid towards its negative total.
[XMLDOC accounts-receivable-ar-payments], [XMLDOC accounts-payable-ap-payments]. The record
types and states of each side are ``paysides``'.

**Totals** (**inferred** from the REST samples: an unapplied advance shows entered 10, paid 0, due
10): TOTALENTERED is the cash received or paid, TOTALPAID the cash applied, TOTALDUE the cash not
yet applied. A credit-only payment (it applies an advance, an overpayment or a credit memo) enters
0.00 (the AP release note: credit entries show "with an amount of 0").

**Multi-customer payments**: an ARPYMT created with no CUSTOMERID and a PAYERNAME applies to the
invoices of several customers; it is stored with CUSTOMERID empty (**inferred**).

Refunds are their own object (CUSTOMERREFUND; customer refunds are created by CSV and REST only,
[RELNOTES 2025-R3]) and journal entries are GL entries: neither is a payment record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, paydetails, states
from released_intacct.fakes.simulators.intacct.company import Record, day
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.paydetails import (
    ADVANCE,
    FROM_PAYMENTS,
    OVERPAYMENT,
    Credit,
    Detail,
)
from released_intacct.fakes.simulators.intacct.paysides import (
    AP,
    AR,
    DRAFT,
    REVERSAL,
    REVERSED,
    SUBMITTED,
    Side,
    approved_state,
    state_fields,
)

Planned = dict[tuple[str, str, str], Decimal]
"""What the payments being checked already apply, by (object, key, line)."""


@dataclass(frozen=True, slots=True)
class PaymentSpec:
    party: str
    """The customer / vendor id; "" for a multi-customer payment (then ``payer`` is set)."""
    cash: Decimal
    """The money received or paid (0 for a payment that only applies credits)."""
    on: str
    method: str = "Printed Check"
    details: Sequence[Detail] = field(default_factory=tuple)
    payer: str = ""
    reference: str = ""
    description: str = ""
    currency: str = ""
    provider: str = ""
    """An AP payment provider (PAYMENTPROVIDER): the payment posts when approved."""
    advance: bool = False
    """An advance (RECORDTYPE rr / pr): nothing applied, all of it due."""
    draft: bool = False


def submitted_state(ctx: Context, side: Side, payment: Record) -> str:
    """The STATE a payment takes when submitted: Submitted where AP payments wait for approval,
    else what an approval gives it."""
    if side is AP and ctx.company.settings.ap_payment_approvals:
        return SUBMITTED
    return approved_state(side, payment)


def record_payment(ctx: Context, side: Side, spec: PaymentSpec) -> Record:
    """Store a payment and apply it (when posted); the stored payment is returned."""
    record = prepare(ctx, side, spec)
    stored = ctx.company.insert(side.payment, record, now=ctx.now, entity=ctx.entity)
    ctx.spend()
    if stored.get("STATE") == side.complete[0]:
        apply(ctx, side, stored, sign=1)
    return stored


def prepare(ctx: Context, side: Side, spec: PaymentSpec) -> Record:
    """The payment record to store, every reference and amount checked (nothing written)."""
    party = _party(ctx, side, spec)
    cash_applied = sum((d.cash for d in spec.details), Decimal(0))
    _check_amounts(spec, cash_applied)
    check_details(ctx, side, spec.party, spec.details, {})
    overpaying = bool(spec.details) and all(
        d.credit is not None and d.credit.kind == OVERPAYMENT and not d.cash for d in spec.details
    )
    kind = side.advance if spec.advance else side.paid
    record: Record = {
        "RECORDTYPE": side.applied_overpayment if overpaying else kind,
        "PAYMENTMETHOD": spec.method,
        side.party_field: spec.party,
        side.name_field: str(party.get("NAME", "")) if party else "",
        "PAYERNAME": spec.payer,
        "DOCNUMBER": spec.reference,
        "DESCRIPTION": spec.description,
        side.date_field: spec.on,
        "WHENCREATED": spec.on,
        "WHENPAID": spec.on,
        "CURRENCY": legacy.currency(ctx, spec.currency, party or {}),
        "BASECURR": ctx.company.settings.base_currency,
        "TOTALENTERED": legacy.money(spec.cash),
        "TOTALPAID": legacy.money(cash_applied),
        "TOTALDUE": legacy.money(spec.cash - cash_applied),
        "PARENTPAYMENTKEY": "",
        side.details: [paydetails.row_of(d, on=spec.on) for d in spec.details],
    }
    if spec.provider:
        record["PAYMENTPROVIDER"] = spec.provider
    state = DRAFT if spec.draft else submitted_state(ctx, side, record)
    return {**state_fields(side, state), **record}


def _party(ctx: Context, side: Side, spec: PaymentSpec) -> Record | None:
    if spec.party:
        return legacy.existing(ctx, side.party_object, side.party_field, spec.party)
    if side is AP or not spec.payer or spec.advance:
        raise failure(
            GENERIC,
            f"Required field {side.party_field} is missing"
            + ("" if side is AP else " (or PAYERNAME, for a payment of several customers)"),
            correction="Name the customer, or for a payment of several customers give PAYERNAME.",
        )
    return None


def _check_amounts(spec: PaymentSpec, cash_applied: Decimal) -> None:
    if spec.cash < 0 or cash_applied > spec.cash:
        raise failure(
            GENERIC,
            f"The payment amount {legacy.money(spec.cash)} must cover the amounts applied "
            f"({legacy.money(cash_applied)})",
            correction="Apply no more than the payment amount.",
        )
    if spec.advance and spec.details:
        raise failure(GENERIC, "An advance is applied later, not when it is received")
    if not spec.advance and not spec.details and spec.cash <= 0:
        raise failure(GENERIC, "A payment needs at least one payment detail")


def check_details(
    ctx: Context, side: Side, party: str, details: Sequence[Detail], planned: Planned
) -> None:
    """Refuse a detail its document or its credit cannot take, counting what ``planned`` (the
    details checked before, shared by a request's payments) already applies."""
    for detail in details:
        target = side.adjustment if detail.posadj else side.document
        record = _owned(ctx, side, target, detail.document, party)
        if detail.credit is not None:
            owner = party or str(record.get(side.party_field))
            check_credit(ctx, side, owner, detail.credit, planned)
        key = (target, detail.document, detail.entry)
        planned[key] = planned.get(key, Decimal(0)) + detail.amount
        states.check_payable(target, record, planned[key], line=detail.entry)


def _owned(ctx: Context, side: Side, target: str, key: str, party: str) -> Record:
    record = ctx.company.by_recordno(target, key)
    if record is None or (party and str(record.get(side.party_field)) != party):
        owner = f" for {side.party_field} {party}" if party else ""
        raise failure(
            GENERIC,
            f"Invalid {target} key '{key}'{owner}",
            correction=f"Name an existing {target} of that party by its RECORDNO.",
        )
    return record


def check_credit(ctx: Context, side: Side, party: str, credit: Credit, planned: Planned) -> None:
    """Refuse a credit ``party`` does not hold that much of (counting what ``planned`` takes)."""
    source_object = side.sources[credit.kind]
    key = (source_object, credit.key, credit.entry)
    planned[key] = planned.get(key, Decimal(0)) + credit.amount
    source = ctx.company.by_recordno(source_object, credit.key)
    available = None if source is None else _available(side, credit, source, party)
    if credit.amount <= 0 or available is None or planned[key] > available:
        raise failure(
            GENERIC,
            f"Cannot apply {legacy.money(credit.amount)} of {credit.kind} {credit.key}: it is not "
            f"a posted {credit.kind} of {party} with that much unapplied",
            correction=f"Apply a positive amount no larger than the {credit.kind}'s unapplied "
            "amount.",
        )


def _available(side: Side, credit: Credit, source: Record, party: str) -> Decimal | None:
    """What is left to apply of a credit held by ``source``; None when it holds none for
    ``party``."""
    if str(source.get(side.party_field)) != party:
        return None
    if credit.kind in FROM_PAYMENTS:
        wanted = side.advance if credit.kind == ADVANCE else side.paid
        posted = source.get("STATE") == side.complete[0]
        usable = source.get("RECORDTYPE") == wanted and posted
        return states.dec(source.get("TOTALDUE")) if usable else None
    state = str(source.get("STATE", ""))
    if state == states.DRAFT or state in states.CLOSED:
        return None
    object_name = side.sources[credit.kind]
    held = states.line_of(object_name, source, credit.entry) if credit.entry else source
    return -states.dec(held.get("TOTALDUE"))


def details_of(side: Side, payment: Record) -> list[Detail]:
    """The applications a stored payment's detail rows record."""
    rows = paydetails.rows(payment.get(side.details))
    return [paydetails.parse(side.rules, row, sent=False) for row in rows]


def apply(ctx: Context, side: Side, payment: Record, *, sign: int) -> None:
    """Apply a payment's details to their documents and consume their credits (``sign`` -1:
    take them off again, as a reversal or a deletion does)."""
    on = str(payment.get(side.date_field, ""))
    for detail in details_of(side, payment):
        target = side.adjustment if detail.posadj else side.document
        document = ctx.company.by_recordno(target, detail.document)
        if document is not None:
            states.pay(ctx, target, document, sign * detail.amount, on=on, line=detail.entry)
        if detail.credit is not None:
            consume(ctx, side, detail.credit, sign * detail.credit.amount, on=on)


def consume(ctx: Context, side: Side, credit: Credit, amount: Decimal, *, on: str) -> None:
    """Use ``amount`` of a credit up (negative: give it back)."""
    source_object = side.sources[credit.kind]
    source = ctx.company.by_recordno(source_object, credit.key)
    if source is None:
        return
    if credit.kind not in FROM_PAYMENTS:
        states.pay(ctx, source_object, source, -amount, on=on, line=credit.entry)
        return
    changes: Record = {
        "TOTALPAID": legacy.money(states.dec(source.get("TOTALPAID")) + amount),
        "TOTALDUE": legacy.money(states.dec(source.get("TOTALDUE")) - amount),
    }
    ctx.company.update(source_object, int(credit.key), changes, now=ctx.now)


def post(ctx: Context, side: Side, payment: Record) -> None:
    """Post a payment that waited (checked beforehand with ``check_details``) and apply it."""
    recordno = int(str(payment["RECORDNO"]))
    changes = state_fields(side, side.complete[0])
    stored = ctx.company.update(side.payment, recordno, changes, now=ctx.now)
    ctx.spend()
    apply(ctx, side, stored, sign=1)


def reverse_payment(ctx: Context, side: Side, payment: Record, *, on: str, memo: str) -> Record:
    """Reverse a posted payment: it becomes Reversed, a Reversal record of the opposite amounts
    is added (no field links the two), and its documents and credits are restored."""
    check_reversible(ctx, side, payment)
    key = str(payment["RECORDNO"])
    apply(ctx, side, payment, sign=-1)
    reversal = {k: v for k, v in payment.items() if k not in ("RECORDNO", "WHENMODIFIED")}
    reversal.update(
        **state_fields(side, REVERSAL),
        WHENCREATED=on,
        DESCRIPTION=memo or f"Reversal of payment {payment.get('DOCNUMBER') or key}",
        TOTALENTERED=legacy.money(-states.dec(payment.get("TOTALENTERED"))),
        TOTALPAID=legacy.money(-states.dec(payment.get("TOTALPAID"))),
        TOTALDUE=legacy.money(Decimal(0)),
    )
    rows = paydetails.rows(payment.get(side.details))
    reversal[side.details] = [paydetails.negated(row) for row in rows]
    stored = ctx.company.insert(side.payment, reversal, now=ctx.now, entity=ctx.entity)
    changes: Record = {**state_fields(side, REVERSED), "TOTALDUE": "0.00"}
    ctx.company.update(side.payment, int(key), changes, now=ctx.now)
    ctx.spend(2)
    return stored


def check_reversible(ctx: Context, side: Side, payment: Record) -> None:
    """Refuse reversing a payment that is not posted, or whose credit another payment applies."""
    key = str(payment["RECORDNO"])
    if payment.get("STATE") != side.complete[0]:
        raise failure(GENERIC, f"Cannot reverse {side.payment} {key}: it is {payment.get('STATE')}")
    if _consumed_elsewhere(ctx, side, key):
        raise failure(
            GENERIC,
            f"Cannot reverse {side.payment} {key}: part of it was applied by another payment",
            correction="Reverse the payments that apply it (void the refunds of it) first.",
        )


def today(ctx: Context) -> str:
    """The date of a change that names none (``mm/dd/yyyy``)."""
    return day(ctx.now)


def _consumed_elsewhere(ctx: Context, side: Side, key: str) -> bool:
    """Whether another posted payment applies this advance or overpayment, or (AR) a posted
    customer refund refunds it."""
    credits = [
        detail.credit
        for other in ctx.company.table(side.payment).values()
        if other.get("STATE") == side.complete[0]
        for detail in details_of(side, other)
    ]
    if side is AR:
        credits += [
            paydetails.credit_of(row, paydetails.REFUNDS)
            for refund in ctx.company.table(paydetails.REFUNDS).values()
            if refund.get("STATE") == side.complete[0]
            for row in paydetails.rows(refund.get(paydetails.REFUND_DETAILS))
        ]
    return any(c is not None and c.kind in FROM_PAYMENTS and c.key == key for c in credits)
