"""The two sides of payments (ARPYMT, APPYMT): their objects, record types and states.

**RECORDTYPE** ([XMLDOC accounts-receivable-ar-payments], REST samples): ``rp`` a received payment
(with an unapplied remainder it carries an overpayment, TOTALDUE > 0); ``rr`` an AR advance
(created with ARADVANCE, or with legacy ``create_arpayment`` and no items: the Open Item
configuration); ``ro`` an applied AR overpayment. AP: ``pp`` a payment, ``pr`` an AP advance (the
REST samples' codes; for XML **inferred**). A payment that applies an advance keeps the type of a
payment (``rp`` / ``pp``: **inferred**, no source names it).

**STATE** (readByQuery shows the display value, RAWSTATE the code). AR: ``Draft`` (D) and
``Complete`` (C) are documented. AP: ``Draft`` (D), ``Submitted`` (S), ``Approved`` (A),
``Posted`` (C) and voided (V) are documented [XMLDOC accounts-payable-ap-payments]; how a payment
moves between them is the AP help's "Payment status descriptions" (intacct.com help
``payment-request-status-descriptions``): a submitted payment waits for approval when the company
uses payment approvals (``Settings.ap_payment_approvals``); once approved (or submitted with no
approvals), a payment "with a payment method of Record transfer (EFT), cash, Vendor Payments
powered by CSI, or credit card" is posted at once, and a check, ACH or bank-file payment is
``Approved`` until it is paid ("Print the check ..."; ``confirm_appaymentrequest`` "confirm checks
have been successfully printed"). A credit-only AP payment moves no money and is posted at once
(**inferred**). Only a posted payment is applied to its documents. ``Declined`` and ``Delivered``
are the help's and REST's words; their codes are not documented (RAWSTATE left empty,
**inferred**). A reversed payment is ``Reversed`` and Intacct adds a ``Reversal`` record of the
opposite amounts ("The old transaction is marked as Reversed, and a reverse of the old transaction
is created called Reversal", intacct.com help); their codes are **inferred**, and no field links
the two (correction 3: PARENTPAYMENTKEY exists but no source says what it holds, so the simulator
leaves it empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from released_intacct.fakes.simulators.intacct import states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.paydetails import (
    ADVANCE,
    CREDIT,
    INLINE,
    NEGATIVE,
    OVERPAYMENT,
    Rules,
)

DRAFT, SUBMITTED, APPROVED = "Draft", "Submitted", "Approved"
DECLINED, DELIVERED, VOIDED = "Declined", "Delivered", "Voided"
REVERSED, REVERSAL = "Reversed", "Reversal"
_RAW = {DRAFT: "D", SUBMITTED: "S", APPROVED: "A", VOIDED: "V", REVERSED: "V", REVERSAL: "R"}
POSTED_AT_APPROVAL = frozenset({"EFT", "Cash", "Credit Card"})
"""AP methods that record a payment made outside Intacct: posted as soon as approved."""


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
    rules: Rules
    sources: Mapping[str, str]
    """The object holding each kind of credit its details may apply."""


_AP_CREDITS = "An APPYMTDETAIL applies ADJUSTMENTKEY (a debit memo), ADVANCEKEY or INLINEKEY."
AR = Side(
    "ARPYMT", "CUSTOMER", "CUSTOMERID", "CUSTOMERNAME", "ARINVOICE", "ARADJUSTMENT",
    "ARPYMTDETAILS", "RECEIPTDATE", "rp", "rr", "ro", ("Complete", "C"),
    Rules("ARPYMTDETAIL", (
        ("INLINEKEY", "Inline credits must be enabled in the AR configuration; the simulated "
         "company has them off: apply a credit memo (ADJUSTMENTKEY) or a negative invoice "
         "(NEGATIVEINVOICEKEY)."),
        ("TRX_TOTALDISCOUNTTOAPPLY", "Custom discounts must be enabled in the AR configuration; "
         "the simulated company has them off: send DISCOUNTDATE."),
    )),
    {ADVANCE: "ARPYMT", OVERPAYMENT: "ARPYMT", CREDIT: "ARADJUSTMENT", NEGATIVE: "ARINVOICE"},
)  # fmt: skip
AP = Side(
    "APPYMT", "VENDOR", "VENDORID", "VENDORNAME", "APBILL", "APADJUSTMENT", "APPYMTDETAILS",
    "PAYMENTDATE", "pp", "pr", "pp", ("Posted", "C"),
    Rules("APPYMTDETAIL", (
        ("OVERPAYMENTKEY", _AP_CREDITS),
        ("NEGATIVEINVOICEKEY", _AP_CREDITS),
        ("DISCOUNTTOAPPLY", "Send DISCOUNTDATE: the discounts available at that date apply."),
        ("CREDITTOAPPLY", f"Name the credit and its amount instead. {_AP_CREDITS}"),
    )),
    {ADVANCE: "APPYMT", CREDIT: "APADJUSTMENT", INLINE: "APBILL"},
)  # fmt: skip
SIDES = {AR.payment: AR, AP.payment: AP}


def state_fields(side: Side, state: str) -> Record:
    raw = side.complete[1] if state == side.complete[0] else _RAW.get(state, "")
    return {"STATE": state, "RAWSTATE": raw}


def approved_state(side: Side, payment: Record) -> str:
    """The STATE of an approved payment: posted, or Approved while a check or ACH file waits."""
    cash = states.dec(payment.get("TOTALENTERED"))
    method = str(payment.get("PAYMENTMETHOD", ""))
    if side is AR or cash == 0 or method in POSTED_AT_APPROVAL or payment.get("PAYMENTPROVIDER"):
        return side.complete[0]
    return APPROVED
