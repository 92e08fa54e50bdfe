"""The generic ``create`` / ``update`` / ``delete`` of payments: ARPYMT, APPYMT and ARADVANCE.

- ``create`` of ARPYMT / APPYMT takes CUSTOMERID (or PAYERNAME for several customers) /
  VENDORID, PAYMENTMETHOD, RECEIPTDATE / PAYMENTDATE (``mm/dd/yyyy``), optional CURRENCY,
  DOCNUMBER, DESCRIPTION, ACTION (``Draft`` / ``Submit``, default Submit) and the details
  (``paydetails``). Other header fields are stored as sent (the SDKs' ``ApPaymentCreate`` writes
  FINANCIALENTITY, PAYMENTREQUESTMETHOD, GROUPPAYMENTS, EXCH_RATE_DATE, EXCH_RATE_TYPE_ID,
  PAYMENTCONTACT, BASECURR, AMOUNTTOPAY). The cash is the sum of the details' TRX_PAYMENTAMOUNT,
  plus OVERPAYMENTAMOUNT on an ARPYMT; AMOUNTTOPAY is "Amount to pay in the currency of the
  financial entity ... Only applicable when paying from a bank with a different currency" and
  is stored, not counted. An APPYMT may omit PAYMENTMETHOD when it applies credits only ("Can be
  omitted when creating a credit-only payment"). [XMLDOC accounts-payable-ap-payments],
  [XMLDOC accounts-receivable-ar-payments].
- ``update`` changes a draft only ("You can only update a payment that is in Draft state"),
  and only the fields each page lists (APPYMT: RECORDNO, FINANCIALENTITY, PAYMENTREQUESTMETHOD,
  DOCNUMBER, DESCRIPTION, WHENCREATED = the payment date, ACTION, APPYMTDETAILS; plus VENDORID,
  which the JS SDK's ``ApPaymentUpdate`` always writes: it must name the payment's vendor,
  **inferred**). The payment is checked again as a new one. APPYMTDETAILS is required and
  replaces every detail ("Payment details that are omitted are deleted"); an ARPYMT update
  without ARPYMTDETAILS keeps them ("Existing payment details are retained"). ACTION defaults
  to Submit on APPYMT (the page's "Default: Submit"); an ARPYMT update without ACTION stays a
  draft (**inferred**: its page gives no default). ACTION is read in any case (the JS SDK's test
  sends ``SUBMIT``; **inferred**).
- ``delete`` takes a draft AR payment only ("You can only delete payments that are in draft
  state"), any AP payment; a posted payment's amounts come off its documents.
- ``create`` of ARADVANCE (CUSTOMERID, PAYMENTMETHOD, PAYMENTDATE, RECEIPTDATE,
  ``ARADVANCEITEMS/ARADVANCEITEM`` with TRX_AMOUNT) stores an ARPYMT of RECORDTYPE ``rr``
  (ARADVANCE reads that record space: **inferred**, the ARPYMT list "includes advance
  payments"); an AP advance (REST only) likewise an APPYMT of RECORDTYPE ``pr``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, paydetails, payments, paysides
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.payments import PaymentSpec
from released_intacct.fakes.simulators.intacct.paysides import AP, AR, Side

_UPDATABLE = {
    AR.payment: frozenset({
        "RECORDNO", "FINANCIALENTITY", "PAYMENTMETHOD", "CUSTOMERID", "DOCNUMBER", "DESCRIPTION",
        "EXCH_RATE_TYPE_ID", "EXCHANGE_RATE", "RECEIPTDATE", "PAYMENTDATE", "ACTION",
        "TRX_AMOUNTTOPAY", "PRBATCH", "WHENPAID", "CURRENCY", "BASECURR", "UNDEPOSITEDACCOUNTNO",
        "OVERPAYMENTAMOUNT", "OVERPAYMENTLOCATIONID", "OVERPAYMENTDEPARTMENTID",
        "BILLTOPAYTONAME", "ARPYMTDETAILS", "ONLINECARDPAYMENT",
    }),
    AP.payment: frozenset({
        "RECORDNO", "FINANCIALENTITY", "VENDORID", "PAYMENTREQUESTMETHOD", "DOCNUMBER",
        "DESCRIPTION", "WHENCREATED", "ACTION", "APPYMTDETAILS",
    }),
}  # fmt: skip
_COMPUTED = frozenset(
    {"STATE", "RAWSTATE", "RECORDTYPE", "TOTALENTERED", "TOTALPAID", "TOTALDUE", "WHENPAID"}
)
"""Fields a payment's create sets itself: not carried into the new version of an update."""


def _date(value: object, field: str) -> str:
    text = str(value or "").strip()
    try:
        return datetime.strptime(text, "%m/%d/%Y").strftime("%m/%d/%Y")  # noqa: DTZ007 - a date
    except ValueError as error:
        raise failure(
            GENERIC, f"{field} must be a date mm/dd/yyyy, got '{text}'", correction=f"Send {field}."
        ) from error


def _action(record: Record) -> str:
    action = str(record.get("ACTION", "")).strip().lower()
    if action not in ("", "draft", "submit"):
        raise failure(
            GENERIC,
            f"ACTION must be Draft or Submit, got '{record.get('ACTION')}'",
            correction="Send ACTION Draft to keep a draft, or Submit to post the payment.",
        )
    return action


def _text(record: Record, field: str) -> str:
    return str(record.get(field, "")).strip()


def create(ctx: Context, side: Side, record: Record) -> Record:
    """A generic create of ARPYMT / APPYMT: the record to store (applied once stored, when
    posted)."""
    rows = paydetails.rows(record.get(side.details))
    details = [paydetails.parse(side.rules, row) for row in rows]
    cash = sum((d.cash for d in details), Decimal(0))
    if side is AR and record.get("OVERPAYMENTAMOUNT"):
        cash += legacy.parse_decimal(_text(record, "OVERPAYMENTAMOUNT"), "OVERPAYMENTAMOUNT")
    method = _text(record, "PAYMENTMETHOD")
    if not method and (side is AR or cash or not details):
        credit_only = "" if side is AR else " (only a payment of credits alone may omit it)"
        raise failure(
            GENERIC,
            f"Required field PAYMENTMETHOD is missing{credit_only}",
            correction="Send PAYMENTMETHOD.",
        )
    spec = PaymentSpec(
        party=_text(record, side.party_field),
        cash=cash,
        on=_date(record.get(side.date_field), side.date_field),
        method=method,
        details=details,
        payer=_text(record, "PAYERNAME"),
        reference=str(record.get("DOCNUMBER", "")),
        description=str(record.get("DESCRIPTION", "")),
        currency=str(record.get("CURRENCY", "")),
        provider=_text(record, "PAYMENTPROVIDER"),
        draft=_action(record) == "draft",
    )
    dropped = (side.details, "ACTION") + (("OVERPAYMENTAMOUNT",) if side is AR else ())
    extras = {k: v for k, v in record.items() if k not in dropped}
    return {**extras, **payments.prepare(ctx, side, spec)}


def update(ctx: Context, side: Side, record: Record, changes: Record) -> Record:
    """A generic update of a draft payment: the new version of it, checked as a new payment."""
    key = record.get("RECORDNO")
    if record.get("STATE") != paysides.DRAFT:
        raise failure(
            GENERIC,
            f"{side.payment} {key} is {record.get('STATE')}: only a draft payment can be updated",
            correction="Reverse or void a posted payment instead of updating it.",
        )
    refused = sorted(set(changes) - _UPDATABLE[side.payment])
    if refused:
        raise failure(
            GENERIC,
            f"{', '.join(refused)} cannot be updated on {side.payment}",
            correction=f"Send only: {', '.join(sorted(_UPDATABLE[side.payment]))}.",
        )
    new = {k: v for k, v in record.items() if k not in _COMPUTED}
    new.update(changes)
    if side is AP:
        _ap_update(record, changes, new)
    elif "ACTION" not in changes:
        new["ACTION"] = "Draft"
    prepared = create(ctx, side, new)
    if side.details not in changes:
        _keep_numbers(paydetails.rows(record.get(side.details)), prepared[side.details])
    return prepared


def _ap_update(record: Record, changes: Record, new: Record) -> None:
    vendor = _text(changes, "VENDORID")
    if vendor and vendor != _text(record, "VENDORID"):
        raise failure(
            GENERIC,
            f"VENDORID {vendor} is not the vendor of APPYMT {record.get('RECORDNO')} "
            f"({record.get('VENDORID')})",
            correction="Send the payment's own VENDORID; pay another vendor with a new payment.",
        )
    if not paydetails.rows(changes.get("APPYMTDETAILS")):
        raise failure(
            GENERIC,
            "Required field APPYMTDETAILS is missing: an update replaces the payment's details",
            correction="Send every APPYMTDETAIL the payment keeps.",
        )
    if "WHENCREATED" in changes:
        new["PAYMENTDATE"] = changes["WHENCREATED"]
    new.setdefault("ACTION", "Submit")


def _keep_numbers(before: list[Record], after: object) -> None:
    """Details an update retains keep their RECORDNOs."""
    for old, row in zip(before, paydetails.rows(after), strict=False):
        if "RECORDNO" in old:
            row["RECORDNO"] = old["RECORDNO"]


ADVANCES = {"ARADVANCE": (AR, "ARADVANCEITEMS"), "APADVANCE": (AP, "APADVANCEITEMS")}
"""The advance objects: their payment side and the element holding their items (APADVANCE is
created over REST only here: ``rest/advances.py``)."""


def advance_create(ctx: Context, name: str, record: Record) -> Record:
    """A create of an advance (``ADVANCES``): a payment of RECORDTYPE rr / pr, all of it
    unapplied, dated by RECEIPTDATE (AR) / PAYMENTDATE (AP), a draft with ACTION Draft
    (**inferred**, as a payment's create); other fields stored as sent."""
    side, holder = ADVANCES[name]
    lines = paydetails.rows(record.get(holder))
    if not lines:
        raise failure(GENERIC, f"{holder} needs at least one {holder.removesuffix('S')}")
    amounts = (legacy.parse_decimal(_text(r, "TRX_AMOUNT") or "0", "TRX_AMOUNT") for r in lines)
    spec = PaymentSpec(
        party=_text(record, side.party_field),
        cash=sum(amounts, Decimal(0)),
        on=_date(record.get(side.date_field), side.date_field),
        method=_text(record, "PAYMENTMETHOD") or "Cash",
        reference=str(record.get("DOCNUMBER", "")),
        description=str(record.get("DESCRIPTION", "")),
        currency=str(record.get("CURRENCY", "")),
        advance=True,
        draft=_action(record) == "draft",
    )
    extras = {k: v for k, v in record.items() if k not in _COMPUTED and k != "ACTION"}
    return {**extras, **payments.prepare(ctx, side, spec), holder: lines}


def deletable(side: Side, record: Record) -> None:
    """A complete AR payment cannot be deleted (reverse it instead)."""
    if side is AR and record.get("STATE") != paysides.DRAFT:
        raise failure(
            GENERIC,
            f"Cannot delete ARPYMT {record.get('RECORDNO')}: only draft payments can be deleted",
            correction="Reverse the payment instead.",
        )
