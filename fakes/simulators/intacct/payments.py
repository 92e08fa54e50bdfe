"""Payments (ARPYMT, APPYMT) as Intacct documents them: record types, details, credits, states.

A payment record holds its header and its details (``ARPYMTDETAILS`` / ``APPYMTDETAILS``, also
queryable as ARPYMTDETAIL / APPYMTDETAIL). Every detail applies an amount to one document, named
by RECORDKEY (an invoice or bill) or POSADJKEY (a debit memo), paid with one of:

- cash: ``TRX_PAYMENTAMOUNT``;
- an earlier advance: ``ADVANCEKEY`` + ``TRX_POSTEDADVANCEAMOUNT``;
- an earlier overpayment: ``OVERPAYMENTKEY`` + ``TRX_POSTEDOVERPAYMENTAMOUNT``;
- a credit memo: ``ADJUSTMENTKEY`` + ``TRX_ADJUSTMENTAMOUNT``.

[XMLDOC accounts-receivable-ar-payments], [XMLDOC accounts-payable-ap-payments].

**RECORDTYPE** ([XMLDOC accounts-receivable-ar-payments], REST samples): ``rp`` a received payment
(with an unapplied remainder it carries an overpayment, TOTALDUE > 0); ``rr`` an AR advance
(created with ARADVANCE, or with legacy ``create_arpayment`` and no items: the Open Item
configuration); ``ro`` an applied AR overpayment. AP: ``pp`` a payment, ``pr`` an AP advance (the
REST samples' codes; for XML **inferred**). A payment that applies an advance keeps the type of a
payment (``rp`` / ``pp``: **inferred**, no source names it).

**Totals** (**inferred** from the REST samples: an unapplied advance shows entered 10, paid 0, due
10): TOTALENTERED is the cash received or paid, TOTALPAID the cash applied, TOTALDUE the cash not
yet applied. A credit-only payment (it applies an advance, an overpayment or a credit memo) enters
0.00 (the AP release note: credit entries show "with an amount of 0").

**STATE** (readByQuery shows the display value, RAWSTATE the code): AR ``Draft`` (D) and
``Complete`` (C) are documented; AP ``Draft`` (D), ``Submitted`` (S), ``Approved`` (A), ``Posted``
(C), ``Voided`` (V). A reversed payment is ``Reversed`` and Intacct adds a ``Reversal`` record of
the opposite amounts ("The old transaction is marked as Reversed, and a reverse of the old
transaction is created called Reversal", intacct.com help); their codes are **inferred**, and no
field links the two (correction 3: PARENTPAYMENTKEY exists but no source says what it holds, so
the simulator leaves it empty).

**Multi-customer payments**: an ARPYMT created with no CUSTOMERID and a PAYERNAME applies to the
invoices of several customers; it is stored with CUSTOMERID empty (**inferred**).

Refunds are their own object (CUSTOMERREFUND; customer refunds are created by CSV and REST only,
[RELNOTES 2025-R3]) and journal entries are GL entries: neither is a payment record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure

CASH, ADVANCE, OVERPAYMENT, CREDIT = "cash", "advance", "overpayment", "credit"
_SOURCE_FIELDS = {
    CASH: (None, "TRX_PAYMENTAMOUNT"),
    ADVANCE: ("ADVANCEKEY", "TRX_POSTEDADVANCEAMOUNT"),
    OVERPAYMENT: ("OVERPAYMENTKEY", "TRX_POSTEDOVERPAYMENTAMOUNT"),
    CREDIT: ("ADJUSTMENTKEY", "TRX_ADJUSTMENTAMOUNT"),
}
DRAFT, REVERSED, REVERSAL = "Draft", "Reversed", "Reversal"


@dataclass(frozen=True, slots=True)
class Side:
    payment: str
    party_object: str
    party_field: str
    name_field: str
    document: str
    adjustment: str
    details: str
    date_field: str
    paid: str
    """RECORDTYPE of a payment."""
    advance: str
    """RECORDTYPE of an advance."""
    applied_overpayment: str
    """RECORDTYPE of a payment that applies an earlier overpayment."""
    complete: tuple[str, str]
    """STATE and RAWSTATE of a posted payment."""


AR = Side(
    "ARPYMT", "CUSTOMER", "CUSTOMERID", "CUSTOMERNAME", "ARINVOICE", "ARADJUSTMENT",
    "ARPYMTDETAILS", "RECEIPTDATE", "rp", "rr", "ro", ("Complete", "C"),
)  # fmt: skip
AP = Side(
    "APPYMT", "VENDOR", "VENDORID", "VENDORNAME", "APBILL", "APADJUSTMENT", "APPYMTDETAILS",
    "PAYMENTDATE", "pp", "pr", "pp", ("Posted", "C"),
)  # fmt: skip
SIDES = {AR.payment: AR, AP.payment: AP}
_RAW = {DRAFT: "D", REVERSED: "V", REVERSAL: "R"}


@dataclass(frozen=True, slots=True)
class Detail:
    """One application: ``amount`` paid on ``document`` (RECORDKEY, or POSADJKEY for a debit
    memo) from ``source`` (cash, or the RECORDNO ``source_key`` of an advance, an overpayment or a
    credit memo)."""

    document: str
    amount: Decimal
    source: str = CASH
    source_key: str = ""
    debit_memo: bool = False


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
    advance: bool = False
    """An advance (RECORDTYPE rr / pr): nothing applied, all of it due."""
    draft: bool = False


def record_payment(ctx: Context, side: Side, spec: PaymentSpec) -> Record:
    """Store a payment and apply it (unless a draft); the stored payment is returned."""
    record = prepare(ctx, side, spec)
    stored = ctx.company.insert(side.payment, record, now=ctx.now, entity=ctx.entity)
    ctx.spend()
    if not spec.draft:
        apply(ctx, side, stored, sign=1)
    return stored


def prepare(ctx: Context, side: Side, spec: PaymentSpec) -> Record:
    """The payment record to store, every reference and amount checked (nothing written)."""
    party = _party(ctx, side, spec)
    cash_applied = sum((d.amount for d in spec.details if d.source == CASH), Decimal(0))
    _check_amounts(spec, cash_applied)
    for detail in spec.details:
        _check_detail(ctx, side, spec.party, detail)
    state = (DRAFT, _RAW[DRAFT]) if spec.draft else side.complete
    overpaying = bool(spec.details) and all(d.source == OVERPAYMENT for d in spec.details)
    kind = side.advance if spec.advance else side.paid
    kind = side.applied_overpayment if overpaying else kind
    return {
        "RECORDTYPE": kind,
        "STATE": state[0],
        "RAWSTATE": state[1],
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
        side.details: [_detail_row(d, spec.on) for d in spec.details],
    }


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


def _check_detail(ctx: Context, side: Side, party: str, detail: Detail) -> None:
    target = side.adjustment if detail.debit_memo else side.document
    record = ctx.company.by_recordno(target, detail.document)
    if record is None or (party and str(record.get(side.party_field)) != party):
        owner = f" for {side.party_field} {party}" if party else ""
        raise failure(
            GENERIC,
            f"Invalid {target} key '{detail.document}'{owner}",
            correction=f"Apply the payment to an existing {target} of that party.",
        )
    if detail.source in (ADVANCE, OVERPAYMENT):
        _check_credit(ctx, side, party or str(record.get(side.party_field)), detail)
    states.check_payable(target, record, detail.amount)


def _check_credit(ctx: Context, side: Side, party: str, detail: Detail) -> None:
    source = ctx.company.by_recordno(side.payment, detail.source_key)
    wanted = side.advance if detail.source == ADVANCE else side.paid
    available = states.dec(source.get("TOTALDUE")) if source is not None else Decimal(0)
    if (
        source is None
        or source.get("RECORDTYPE") != wanted
        or source.get("STATE") != side.complete[0]
        or str(source.get(side.party_field)) != party
        or detail.amount > available
    ):
        raise failure(
            GENERIC,
            f"Cannot apply {legacy.money(detail.amount)} of {detail.source} "
            f"{detail.source_key}: it is not a posted {detail.source} of {party} with that much "
            "unapplied",
            correction=f"Apply no more than the {detail.source}'s unapplied amount.",
        )


def _detail_row(detail: Detail, on: str) -> Record:
    key, amount_field = _SOURCE_FIELDS[detail.source]
    row: Record = {"POSADJKEY" if detail.debit_memo else "RECORDKEY": detail.document}
    if key is not None:
        row[key] = detail.source_key
    row[amount_field] = legacy.money(detail.amount)
    row["PAYMENTDATE"] = on
    return row


def details_of(side: Side, payment: Record) -> list[Detail]:
    """The applications a stored payment's detail rows record."""
    rows = payment.get(side.details)
    found = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        source = next(
            (name for name, (_, amount) in _SOURCE_FIELDS.items() if row.get(amount)), CASH
        )
        key_field, amount_field = _SOURCE_FIELDS[source]
        debit_memo = bool(row.get("POSADJKEY"))
        found.append(
            Detail(
                document=str(row.get("POSADJKEY") if debit_memo else row.get("RECORDKEY", "")),
                amount=states.dec(row.get(amount_field)),
                source=source,
                source_key=str(row.get(key_field, "")) if key_field else "",
                debit_memo=debit_memo,
            )
        )
    return found


def apply(ctx: Context, side: Side, payment: Record, *, sign: int) -> None:
    """Apply a payment's details to their documents and consume their credits (``sign`` -1:
    take them off again, as a reversal or a deletion does)."""
    on = str(payment.get(side.date_field, ""))
    for detail in details_of(side, payment):
        target = side.adjustment if detail.debit_memo else side.document
        document = ctx.company.by_recordno(target, detail.document)
        if document is not None:
            states.pay(ctx, target, document, sign * detail.amount, on=on)
        if detail.source in (ADVANCE, OVERPAYMENT):
            _consume(ctx, side, detail.source_key, sign * detail.amount)


def _consume(ctx: Context, side: Side, key: str, amount: Decimal) -> None:
    source = ctx.company.by_recordno(side.payment, key)
    if source is None:
        return
    changes: Record = {
        "TOTALPAID": legacy.money(states.dec(source.get("TOTALPAID")) + amount),
        "TOTALDUE": legacy.money(states.dec(source.get("TOTALDUE")) - amount),
    }
    ctx.company.update(side.payment, int(key), changes, now=ctx.now)


def reverse_payment(ctx: Context, side: Side, payment: Record, *, on: str, memo: str) -> Record:
    """Reverse a posted payment: it becomes Reversed, a Reversal record of the opposite amounts
    is added (no field links the two), and its documents and credits are restored."""
    key = str(payment["RECORDNO"])
    if payment.get("STATE") != side.complete[0]:
        raise failure(GENERIC, f"Cannot reverse {side.payment} {key}: it is {payment.get('STATE')}")
    if _consumed_elsewhere(ctx, side, key):
        raise failure(
            GENERIC,
            f"Cannot reverse {side.payment} {key}: part of it was applied by another payment",
            correction="Reverse the payments that apply it first.",
        )
    apply(ctx, side, payment, sign=-1)
    reversal = {k: v for k, v in payment.items() if k not in ("RECORDNO", "WHENMODIFIED")}
    reversal.update(
        STATE=REVERSAL,
        RAWSTATE=_RAW[REVERSAL],
        WHENCREATED=on,
        DESCRIPTION=memo or f"Reversal of payment {payment.get('DOCNUMBER') or key}",
        TOTALENTERED=legacy.money(-states.dec(payment.get("TOTALENTERED"))),
        TOTALPAID=legacy.money(-states.dec(payment.get("TOTALPAID"))),
        TOTALDUE=legacy.money(Decimal(0)),
    )
    reversal[side.details] = [_negated(row) for row in _rows(payment.get(side.details))]
    stored = ctx.company.insert(side.payment, reversal, now=ctx.now, entity=ctx.entity)
    changes: Record = {"STATE": REVERSED, "RAWSTATE": _RAW[REVERSED], "TOTALDUE": "0.00"}
    ctx.company.update(side.payment, int(key), changes, now=ctx.now)
    ctx.spend(2)
    return stored


def _consumed_elsewhere(ctx: Context, side: Side, key: str) -> bool:
    """Whether another payment applies this advance or overpayment."""
    for other in ctx.company.table(side.payment).values():
        if other.get("STATE") != side.complete[0]:
            continue
        if any(d.source_key == key for d in details_of(side, other)):
            return True
    return False


def _rows(value: object) -> list[Record]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _negated(row: Record) -> Record:
    flipped = {k: v for k, v in row.items() if k not in ("RECORDNO", "PAYMENTKEY")}
    for _, amount_field in _SOURCE_FIELDS.values():
        if amount_field in flipped:
            flipped[amount_field] = legacy.money(-states.dec(flipped[amount_field]))
    return flipped
