"""AR and AP advances over REST: ``accounts-receivable/advance`` and ``accounts-payable/advance``,
read and created over the XML gateway's advance records (an ARPYMT of RECORDTYPE ``rr``, an
APPYMT of RECORDTYPE ``pr``: ``paywrites.advance_create``), so an advance created over REST is
read over XML (ARADVANCE / APADVANCE, and among the payments) and the reverse.

Bodies are the pages' ([RESTDOC] docs/rest/accounts-receivable.md, "POST
/objects/accounts-receivable/advance", "GET /objects/accounts-receivable/advance/{key}";
docs/rest/accounts-payable.md, "POST /objects/accounts-payable/advance", "GET
/objects/accounts-payable/advance/{key}"): AR ``customer.id``, ``paymentInformation``
(``paymentMethod``, ``receiptDate``, ``paymentDate``, ``financialEntity.id``),
``advanceSummary.id``, ``referenceNumber``, ``description`` and ``items[]``; AP ``vendor.id``,
``paymentMethod``, ``advanceDate``, ``financialEntity.entityId``, ``referenceNumber``,
``description`` and ``lines[]``. A line is ``glAccount.id``, ``accountLabel.id``, ``txnAmount``
(AP also ``baseAmount``), ``memo`` and ``dimensions.<name>.id``; the advance's amount is the sum
of its lines' ``txnAmount``.

Decisions where no page says (**inferred**, rows of docs/intacct-fidelity.md):

- ``state`` ``draft`` on a create keeps a draft (what ``…/advance/submit`` posts), as the
  documents' creates take it; otherwise the advance is submitted as a payment is: posted, or
  over AP ``submitted`` when the company uses payment approvals, ``approved`` while a check waits.
- The lines are kept with the advance (the XML ARADVANCEITEMS / APADVANCEITEMS) but not served as
  the ``…/advance-line`` objects, nor shown by a GET of the advance; an advance is not patched or
  deleted over REST here (405).
- A posted AR advance shows ``posted`` (its GET sample); a posted AP advance ``posted`` (the AP
  submit workflow's sample; its GET sample shows ``advancePaid``).
"""

from __future__ import annotations

from typing import Final

from released_intacct.fakes.simulators.intacct import catalog, writes
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.paywrites import ADVANCES
from released_intacct.fakes.simulators.intacct.rest.envelope import RestError, invalid
from released_intacct.fakes.simulators.intacct.rest.fields import Field, RestObject, to_record

METHODS: Final = (
    ("Cash", "cash"),
    ("Credit Card", "creditCard"),
    ("EFT", "eft"),
    ("Printed Check", "printedCheck"),
    ("Online Charge Card", "onlineChargeCard"),
    ("Online ACH Debit", "onlineAchDebit"),
)
"""The payment methods' REST spellings of the XML words (docs/intacct-fidelity.md)."""

_AR_STATES: Final = (
    ("Draft", "draft"),
    ("Complete", "posted"),
    ("Reversed", "reversed"),
    ("Reversal", "reversal"),
)
_AP_STATES: Final = (
    ("Draft", "draft"),
    ("Submitted", "submitted"),
    ("Approved", "approved"),
    ("Declined", "declined"),
    ("Posted", "posted"),
    ("Delivered", "delivered"),
    ("Reversed", "reversed"),
    ("Reversal", "reversal"),
    ("Voided", "voided"),
)
_DIMENSIONS: Final = (
    "location", "department", "project", "customer", "vendor", "employee", "item", "class",
)  # fmt: skip


def _line(path: str, *more: Field) -> RestObject:
    """An advance line's fields, as a body writes them (never served on its own)."""
    return RestObject(
        path,
        "",
        None,
        (
            Field("glAccount.id", "ACCOUNTNO"),
            Field("accountLabel.id", "ACCOUNTLABEL"),
            Field("txnAmount", "TRX_AMOUNT", "money"),
            Field("memo", "ENTRYDESCRIPTION"),
            *(Field(f"dimensions.{name}.id", f"{name.upper()}ID") for name in _DIMENSIONS),
            *more,
        ),
    )


AR_ADVANCE: Final = RestObject(
    "accounts-receivable/advance",
    "ARADVANCE",
    "RECORDNO",
    (
        Field("customer.id", "CUSTOMERID"),
        Field("recordType", "RECORDTYPE", writable=False),
        Field("state", "STATE", "enum", _AR_STATES, writable=False),
        Field("paymentInformation.paymentMethod", "PAYMENTMETHOD", "enum", METHODS),
        Field("paymentInformation.receiptDate", "RECEIPTDATE", "date"),
        Field("paymentInformation.paymentDate", "PAYMENTDATE", "date"),
        Field("paymentInformation.financialEntity.id", "FINANCIALENTITY"),
        Field("paymentInformation.totalPaid", "TOTALPAID", "money", writable=False),
        Field("paymentInformation.totalDue", "TOTALDUE", "money", writable=False),
        Field("advanceSummary.id", "PRBATCH"),
        Field("txnTotalEntered", "TOTALENTERED", "money", writable=False),
        Field("referenceNumber", "DOCNUMBER"),
        Field("description", "DESCRIPTION"),
    ),
    read_only=True,
)
AP_ADVANCE: Final = RestObject(
    "accounts-payable/advance",
    "APADVANCE",
    "RECORDNO",
    (
        Field("vendor.id", "VENDORID"),
        Field("vendor.name", "VENDORNAME", writable=False),
        Field("recordType", "RECORDTYPE", writable=False),
        Field("state", "STATE", "enum", _AP_STATES, writable=False),
        Field("paymentMethod", "PAYMENTMETHOD", "enum", METHODS),
        Field("advanceDate", "PAYMENTDATE", "date"),
        Field("financialEntity.entityId", "FINANCIALENTITY"),
        Field("advanceSummary.id", "PRBATCH"),
        Field("totalEntered", "TOTALENTERED", "money", writable=False),
        Field("txnTotalEntered", "TOTALENTERED", "money", writable=False),
        Field("totalDue", "TOTALDUE", "money", writable=False),
        Field("txnTotalDue", "TOTALDUE", "money", writable=False),
        Field("paymentInformation.totalPaid", "TOTALPAID", "money", writable=False),
        Field("paymentInformation.paidDate", "WHENPAID", "date", writable=False),
        Field("referenceNumber", "DOCNUMBER"),
        Field("description", "DESCRIPTION"),
    ),
    read_only=True,
)
ADVANCE_OBJECTS: Final = (AR_ADVANCE, AP_ADVANCE)
"""Read by GET and the query service, created by ``create`` (``read_only``: no PATCH or
DELETE)."""

_CREATES: Final[dict[str, tuple[str, RestObject]]] = {
    AR_ADVANCE.path: ("items", _line("accounts-receivable/advance-line")),
    AP_ADVANCE.path: (
        "lines",
        _line("accounts-payable/advance-line", Field("baseAmount", "AMOUNT", "money")),
    ),
}
"""Each advance: the name of its lines in a body, and their fields."""
_STATES: Final = {"draft": "Draft", "posted": "Submit", "submitted": "Submit"}


def create(ctx: Context, obj: RestObject, body: object) -> Record:
    """Store the advance ``body`` asks for, as the XML gateway stores one."""
    holder, line = _CREATES[obj.path]
    if not isinstance(body, dict):
        raise invalid(f"the body of {obj.path} must be a JSON object, got {type(body).__name__}")
    items = body.get(holder)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise invalid(f"{holder}: a new {obj.path} needs an array of at least one line")
    state = body.get("state", "posted")
    if state not in _STATES:
        raise invalid(f"state: a new {obj.path} is 'draft' or 'posted', got {state!r}")
    header = {k: v for k, v in body.items() if k not in (holder, "state")}
    record = to_record(obj, header)
    rows = []
    for index, item in enumerate(items):
        try:
            rows.append(to_record(line, item, ignore=("accountLabel.key", "accountLabel.href")))
        except RestError as error:
            raise invalid(f"{holder}[{index}].{error.message}") from error
    xml = catalog.OBJECTS[obj.xml]
    _, items_element = ADVANCES[xml.name]
    record.update(ACTION=_STATES[str(state)], **{items_element: rows})
    return writes.store_new(ctx, xml, record)
