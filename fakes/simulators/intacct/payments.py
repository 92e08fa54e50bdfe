"""Payments (ARPYMT, APPYMT): kinds, application to documents, later allocation, reversal.

Every payment record has RECORDTYPE (``rp`` AR, ``pp`` AP), STATE (``Posted``, or ``Reversed`` /
``Reversal``), CUSTOMERID/CUSTOMERNAME or VENDORID/VENDORNAME, PAYMENTMETHOD, DOCNUMBER (the
reference), RECEIPTDATE (AR) or PAYMENTDATE (AP), WHENCREATED and WHENPAID (that date), CURRENCY,
BASECURR, TOTALENTERED (the amount received or paid), TOTALPAID (the part applied to documents),
TOTALDUE (the part still unapplied), and the details ARPYMTDETAILS / APPYMTDETAILS, one per
application: RECORDKEY (the invoice or bill), TRX_PAYMENTAMOUNT, PAYMENTDATE.

**Payment kinds** (the simulator's field PAYMENTTYPE; the real distinguishing field was not found):

- ``Payment``: fully applied when created.
- ``Advance``: nothing applied when created (legacy ``create_arpayment`` without
  ``arpaymentitem``); ``Overpayment``: part applied, the rest unapplied. Both stay unallocated
  (TOTALDUE > 0) until ``apply_arpayment`` (the legacy function; the simulator's choice over a
  generic update) allocates them: it adds details and moves TOTALPAID/TOTALDUE; PAYMENTTYPE stays.
- ``Refund`` (money paid back; applies to nothing) and ``Journal Entry`` (a payment entered as a
  journal entry; PAYMENTMETHOD ``Journal Entry``; it may apply to invoices like a payment): no
  legacy function creates these, so they are made with the generic ``create`` of ARPYMT carrying
  ``<PAYMENTTYPE>Refund</PAYMENTTYPE>`` / ``<PAYMENTTYPE>Journal Entry</PAYMENTTYPE>`` (or with
  ``record_payment`` in-process, or as plain records in a company config).

Reversing a payment (``reverse_arpayment key=``) sets it to Reversed and inserts a Reversal record
(amounts negated, PARENTPAYMENTKEY = the original) and takes the applied amounts off the documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure

PAYMENT, ADVANCE, OVERPAYMENT = "Payment", "Advance", "Overpayment"
REFUND, JOURNAL = "Refund", "Journal Entry"
KINDS = (PAYMENT, ADVANCE, OVERPAYMENT, REFUND, JOURNAL)
UNALLOCATED = frozenset({ADVANCE, OVERPAYMENT})


@dataclass(frozen=True, slots=True)
class Side:
    payment: str
    party_object: str
    party_field: str
    name_field: str
    document: str
    details: str
    date_field: str
    recordtype: str


AR = Side(
    "ARPYMT", "CUSTOMER", "CUSTOMERID", "CUSTOMERNAME", "ARINVOICE", "ARPYMTDETAILS",
    "RECEIPTDATE", "rp",
)  # fmt: skip
AP = Side(
    "APPYMT", "VENDOR", "VENDORID", "VENDORNAME", "APBILL", "APPYMTDETAILS", "PAYMENTDATE", "pp"
)
SIDES = {AR.payment: AR, AP.payment: AP}

Applied = tuple[str, Decimal]
"""A document's RECORDNO and the amount applied to it."""


@dataclass(frozen=True, slots=True)
class PaymentSpec:
    party: str
    amount: Decimal
    on: str
    """The receipt or payment date, ``mm/dd/yyyy``."""
    method: str = "Printed Check"
    applied: Sequence[Applied] = field(default_factory=tuple)
    kind: str = ""
    """Empty: derived from what is applied. ``Refund`` or ``Journal Entry`` must be given."""
    reference: str = ""
    currency: str = ""


def _kind(spec: PaymentSpec, applied: Decimal) -> str:
    if spec.kind and spec.kind not in KINDS:
        raise failure(GENERIC, f"PAYMENTTYPE must be one of {', '.join(KINDS)}, got '{spec.kind}'")
    if applied > spec.amount or spec.amount <= 0:
        raise failure(
            GENERIC,
            f"The payment amount {legacy.money(spec.amount)} must be positive and cover the "
            f"amounts applied ({legacy.money(applied)})",
            correction="Apply no more than the payment amount.",
        )
    if spec.kind in (REFUND, JOURNAL):
        if spec.kind == REFUND and applied:
            raise failure(GENERIC, "A refund cannot be applied to documents")
        return spec.kind
    if applied == spec.amount:
        return PAYMENT
    return ADVANCE if applied == 0 else OVERPAYMENT


def _documents(
    ctx: Context, side: Side, party: str, applied: Sequence[Applied]
) -> list[tuple[Record, Decimal]]:
    """The documents to pay, each checked for the whole amount it takes (nothing written)."""
    totals: dict[str, Decimal] = {}
    for key, amount in applied:
        totals[key] = totals.get(key, Decimal(0)) + amount
    found = []
    for key, amount in totals.items():
        record = ctx.company.by_recordno(side.document, key)
        if record is None or str(record.get(side.party_field)) != party:
            raise failure(
                GENERIC,
                f"Invalid {side.document} key '{key}' for {side.party_field} {party}",
                correction=f"Apply the payment to an existing {side.document} of that party.",
            )
        states.check_payable(side.document, record, amount)
        found.append((record, amount))
    return found


def record_payment(ctx: Context, side: Side, spec: PaymentSpec) -> Record:
    """Store a payment and apply it to its documents; the stored payment is returned."""
    stored = ctx.company.insert(
        side.payment, prepare(ctx, side, spec), now=ctx.now, entity=ctx.entity
    )
    ctx.spend()
    return stored


def prepare(ctx: Context, side: Side, spec: PaymentSpec) -> Record:
    """Check the payment, apply it to its documents, and return the record to store."""
    party = legacy.existing(ctx, side.party_object, side.party_field, spec.party)
    applied = sum((amount for _, amount in spec.applied), Decimal(0))
    kind = _kind(spec, applied)
    documents = _documents(ctx, side, spec.party, spec.applied)
    record: Record = {
        "RECORDTYPE": side.recordtype,
        "PAYMENTTYPE": kind,
        "PAYMENTMETHOD": JOURNAL if kind == JOURNAL else spec.method,
        "STATE": states.POSTED,
        side.party_field: spec.party,
        side.name_field: str(party.get("NAME", "")),
        "DOCNUMBER": spec.reference,
        side.date_field: spec.on,
        "WHENCREATED": spec.on,
        "WHENPAID": spec.on,
        "CURRENCY": legacy.currency(ctx, spec.currency, party),
        "BASECURR": ctx.company.settings.base_currency,
        "TOTALENTERED": legacy.money(spec.amount),
        "TOTALPAID": legacy.money(applied),
        "TOTALDUE": legacy.money(Decimal(0) if kind == REFUND else spec.amount - applied),
        side.details: [_detail(record, amount, spec.on) for record, amount in documents],
    }
    for document, amount in documents:
        states.pay(ctx, side.document, document, amount, on=spec.on)
    return record


def _detail(document: Record, amount: Decimal, on: str) -> Record:
    return {
        "RECORDKEY": str(document["RECORDNO"]),
        "TRX_PAYMENTAMOUNT": legacy.money(amount),
        "PAYMENTDATE": on,
    }


def allocate(
    ctx: Context, side: Side, payment: Record, applied: Sequence[Applied], *, on: str
) -> Record:
    """Allocate the unapplied part of an advance or overpayment to documents."""
    kind, state = str(payment.get("PAYMENTTYPE", "")), str(payment.get("STATE", ""))
    key = payment["RECORDNO"]
    if kind not in UNALLOCATED or state != states.POSTED:
        raise failure(
            GENERIC,
            f"{side.payment} {key} is a {kind} ({state}): only a posted advance or overpayment "
            "can be applied later",
        )
    amount = sum((amount for _, amount in applied), Decimal(0))
    unapplied = states.dec(payment.get("TOTALDUE"))
    if not applied or amount > unapplied:
        raise failure(
            GENERIC,
            f"Cannot apply {legacy.money(amount)} from {side.payment} {key}: "
            f"{legacy.money(unapplied)} is unapplied",
            correction="Apply at least one item and no more than the unapplied amount.",
        )
    documents = _documents(ctx, side, str(payment.get(side.party_field)), applied)
    details = payment.get(side.details)
    rows = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
    changes: Record = {
        side.details: rows + [_detail(record, amount, on) for record, amount in documents],
        "TOTALPAID": legacy.money(states.dec(payment.get("TOTALPAID")) + amount),
        "TOTALDUE": legacy.money(unapplied - amount),
    }
    stored = ctx.company.update(side.payment, int(str(key)), changes, now=ctx.now)
    ctx.spend()
    for document, part in documents:
        states.pay(ctx, side.document, document, part, on=on)
    return stored


def reverse_payment(ctx: Context, side: Side, payment: Record, *, on: str, memo: str) -> Record:
    """Reverse a posted payment: a Reversal record, and its documents unpaid again."""
    key = str(payment["RECORDNO"])
    if payment.get("STATE") != states.POSTED:
        raise failure(GENERIC, f"Cannot reverse {side.payment} {key}: it is {payment.get('STATE')}")
    details = payment.get(side.details)
    rows = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
    reversal = {k: v for k, v in payment.items() if k not in ("RECORDNO", "WHENMODIFIED")}
    reversal.update(
        STATE=states.REVERSAL,
        WHENCREATED=on,
        PARENTPAYMENTKEY=key,
        DESCRIPTION=memo or f"Reversal of payment {key}",
        TOTALENTERED=legacy.money(-states.dec(payment.get("TOTALENTERED"))),
        TOTALPAID=legacy.money(-states.dec(payment.get("TOTALPAID"))),
        TOTALDUE=legacy.money(Decimal(0)),
    )
    reversal[side.details] = [
        {**row, "TRX_PAYMENTAMOUNT": legacy.money(-states.dec(row.get("TRX_PAYMENTAMOUNT")))}
        for row in rows
    ]
    stored = ctx.company.insert(side.payment, reversal, now=ctx.now, entity=ctx.entity)
    changes: Record = {"STATE": states.REVERSED, "TOTALDUE": legacy.money(Decimal(0))}
    ctx.company.update(side.payment, int(key), changes, now=ctx.now)
    ctx.spend(2)
    for row in rows:
        document = ctx.company.by_recordno(side.document, str(row.get("RECORDKEY", "")))
        if document is not None:
            amount = -states.dec(row.get("TRX_PAYMENTAMOUNT"))
            states.pay(ctx, side.document, document, amount, on=on)
    return stored
