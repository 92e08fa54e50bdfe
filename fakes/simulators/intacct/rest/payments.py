"""AR and AP payments over REST: the payment objects and their owned details, as
``registry.OBJECTS`` entries over the XML gateway's ARPYMT / APPYMT records.

Field names are the pages' ([RESTDOC] docs/rest/accounts-receivable.md, "POST
/objects/accounts-receivable/payment", "GET /objects/accounts-receivable/payment/{key}", "GET
/objects/accounts-receivable/payment-detail/{key}"; docs/rest/accounts-payable.md, "POST
/objects/accounts-payable/payment", "GET /objects/accounts-payable/payment/{key}", "GET
/objects/accounts-payable/payment-detail/{key}"), mapped as docs/intacct-rest.md 4.11 says. A
payment's details are its owned objects: ``paymentDetails`` (AR) and ``details`` (AP) in a body,
the XML record's ARPYMTDETAILS / APPYMTDETAILS, so a create runs the XML gateway's own
``paywrites.create`` (the same checks, applications and states whichever API wrote).

Decisions where no page says (**inferred**, each a row of docs/intacct-fidelity.md):

- ``accounts-receivable/payment`` lists every ARPYMT record, advances (``recordType`` ``rr``)
  included, as XML's ARPYMT does; AP ``recordType`` shows ``pp`` as the sample's ``apPayment``
  and other codes as stored.
- ``paymentMethod``: the spellings seen in the pages (``cash``, ``creditCard``, ``eft``,
  ``printedCheck``, ``onlineChargeCard``, ``onlineAchDebit``) for the XML words.
- AP ``state``: a posted AP payment shows ``confirmed`` (the AP detail sample's state).
- The advances are ``rest/advances.py``'s, the customer refunds ``rest/refunds.py``'s.
- Credit groups of a detail: AR ``postedAdvance`` / ``postedOverPayment`` / ``arAdjustment`` /
  ``negativeInvoice`` / ``positiveAdjustment``, AP ``apPostedAdvance`` / ``apDebitAdjustment``
  / ``inlineBill`` / ``apCreditAdjustment`` name the XML detail's ADVANCEKEY, OVERPAYMENTKEY,
  ADJUSTMENTKEY, NEGATIVEINVOICEKEY / INLINEKEY and POSADJKEY.
"""

from __future__ import annotations

from typing import Final

from released_intacct.fakes.simulators.intacct.rest.advances import METHODS
from released_intacct.fakes.simulators.intacct.rest.fields import Field, Owner, RestObject

_AR_STATES: Final = (
    ("Draft", "draft"),
    ("Complete", "complete"),
    ("Reversed", "reversed"),
    ("Reversal", "reversal"),
    ("Voided", "voided"),
)
_AP_STATES: Final = (
    ("Draft", "draft"),
    ("Submitted", "submitted"),
    ("Approved", "approved"),
    ("Declined", "declined"),
    ("Posted", "confirmed"),
    ("Delivered", "delivered"),
    ("Reversed", "reversed"),
    ("Reversal", "reversal"),
    ("Voided", "voided"),
)


def _reference(name: str, xml: str) -> tuple[Field, Field]:
    """A reference written and read by ``key`` or ``id`` (both the XML key field)."""
    return Field(f"{name}.key", xml), Field(f"{name}.id", xml)


def _header(
    party: tuple[Field, ...], dates: tuple[Field, ...], states: tuple[tuple[str, str], ...]
) -> tuple[Field, ...]:
    return (
        *party,
        *dates,
        Field("state", "STATE", "enum", states, writable=False),
        Field("paymentMethod", "PAYMENTMETHOD", "enum", METHODS),
        Field("financialEntity.entityId", "FINANCIALENTITY"),
        Field("documentNumber", "DOCNUMBER"),
        Field("description", "DESCRIPTION"),
        Field("txnCurrency.currency", "CURRENCY"),
        Field("baseCurrency.currency", "BASECURR"),
        Field("txnCurrency.totalAmount", "TOTALENTERED", "money", writable=False),
        Field("txnCurrency.totalPaid", "TOTALPAID", "money", writable=False),
        Field("txnCurrency.totalDue", "TOTALDUE", "money", writable=False),
    )


def _amounts(*pairs: tuple[str, str]) -> tuple[Field, ...]:
    return tuple(Field(f"txnCurrency.{rest}", xml, "money") for rest, xml in pairs)


_AR_DETAIL: Final = RestObject(
    "accounts-receivable/payment-detail",
    "ARPYMTDETAIL",
    "RECORDNO",
    (
        *_reference("arInvoice", "RECORDKEY"),
        *_reference("arInvoiceLine", "ENTRYKEY"),
        *_reference("positiveAdjustment", "POSADJKEY"),
        *_reference("postedAdvance", "ADVANCEKEY"),
        *_reference("postedOverPayment", "OVERPAYMENTKEY"),
        *_reference("arAdjustment", "ADJUSTMENTKEY"),
        *_reference("negativeInvoice", "NEGATIVEINVOICEKEY"),
        *_amounts(
            ("paymentAmount", "TRX_PAYMENTAMOUNT"),
            ("postedAdvanceAmount", "TRX_POSTEDADVANCEAMOUNT"),
            ("postedOverPaymentAmount", "TRX_POSTEDOVERPAYMENTAMOUNT"),
            ("adjustmentAmount", "TRX_ADJUSTMENTAMOUNT"),
            ("negativeInvoiceAmount", "TRX_NEGATIVEINVOICEAMOUNT"),
        ),
        Field("paymentDate", "PAYMENTDATE", "date", writable=False),
    ),
    read_only=True,
    owner=Owner("arPayment", "accounts-receivable/payment", "PAYMENTKEY"),
)
_AP_DETAIL: Final = RestObject(
    "accounts-payable/payment-detail",
    "APPYMTDETAIL",
    "RECORDNO",
    (
        *_reference("bill", "RECORDKEY"),
        *_reference("billLine", "ENTRYKEY"),
        *_reference("apCreditAdjustment", "POSADJKEY"),
        *_reference("apPostedAdvance", "ADVANCEKEY"),
        *_reference("apDebitAdjustment", "ADJUSTMENTKEY"),
        *_reference("inlineBill", "INLINEKEY"),
        *_amounts(
            ("paymentAmount", "TRX_PAYMENTAMOUNT"),
            ("postedAdvanceAmount", "TRX_POSTEDADVANCEAMOUNT"),
            ("adjustmentAmount", "TRX_ADJUSTMENTAMOUNT"),
            ("inlineAmount", "TRX_INLINEAMOUNT"),
        ),
        Field("paymentDate", "PAYMENTDATE", "date", writable=False),
    ),
    read_only=True,
    owner=Owner("apPayment", "accounts-payable/payment", "PAYMENTKEY"),
)

PAYMENTS: Final = (
    RestObject(
        "accounts-receivable/payment",
        "ARPYMT",
        "RECORDNO",
        (
            *_header(
                (Field("customer.id", "CUSTOMERID"), Field("payerName", "PAYERNAME")),
                (
                    Field("paymentSummary.receiptDate", "RECEIPTDATE", "date"),
                    Field("paidDate", "WHENPAID", "date", writable=False),
                ),
                _AR_STATES,
            ),
            Field("recordType", "RECORDTYPE", writable=False),
        ),
        lines=_AR_DETAIL.path,
        holder="paymentDetails",
    ),
    _AR_DETAIL,
    RestObject(
        "accounts-payable/payment",
        "APPYMT",
        "RECORDNO",
        (
            *_header(
                (Field("vendor.id", "VENDORID"),),
                (
                    Field("paymentDate", "PAYMENTDATE", "date"),
                    Field("txnPaidDate", "WHENPAID", "date", writable=False),
                ),
                _AP_STATES,
            ),
            Field("recordType", "RECORDTYPE", "enum", (("pp", "apPayment"),), writable=False),
            Field("paymentRequestMethod", "PAYMENTREQUESTMETHOD"),
        ),
        lines=_AP_DETAIL.path,
        holder="details",
    ),
    _AP_DETAIL,
)  # fmt: skip
"""The payment objects, their details after each; the advances are ``rest/advances.py``'s, the
customer refunds ``rest/refunds.py``'s."""
