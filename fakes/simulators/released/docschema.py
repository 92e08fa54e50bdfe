"""What a create or an update of an invoice or a credit note may send, normalised.

Lines get ``lineAmount = quantity x unitPrice`` rounded to cents (``Decimal.quantize`` with the
default half-even rounding, as the product's domain does); ``taxAmount`` is the caller's, rounded
to cents. A line keeps the ``id`` it was sent with (unique within the document) or gets a new one.
References (contact, account, tax type, tracking category and option) must exist; on a create an
archived account or tax type is refused (rule O3: an archived one can no longer be used).
Credit notes have no ``dueDate`` (``null`` is accepted). At least one line is required.
"""

from __future__ import annotations

from decimal import Decimal

from released_intacct.fakes.simulators.released.checks import LIMIT, Checker, Fields, Json
from released_intacct.fakes.simulators.released.company import Company
from released_intacct.fakes.simulators.released.schemas import STAMPS, currency, reference

CENT = Decimal("0.01")
TYPES = ("Income", "Expense")
STATES = ("Draft", "AwaitingApproval", "Approved", "Paid", "Voided")
COMPUTED = ("subTotal", "totalTax", "total", "amountPaid", "amountDue", "remainingCredit")
OPTIONAL_TEXT = ("paymentPriority", "oeTransactionDefinition", "sourceDocumentNumber")
LINE_FIELDS = (
    "id",
    "description",
    "accountId",
    "quantity",
    "unitPrice",
    "taxTypeId",
    "taxAmount",
    "tracking",
    "revRecTemplate",
    "revRecStartDate",
    "revRecEndDate",
)


def document(check: Checker, body: object, company: Company, *, resource: str) -> Json:
    """The writable fields of an invoice (``resource`` ``invoices``) or a credit note."""
    known = ("type", "invoiceNumber", "status", "contactId", "issueDate", "dueDate", "reference")
    fields = check.fields(
        body,
        "",
        known=(*known, *OPTIONAL_TEXT, "currency", "lines", "attachments"),
        readonly=(*STAMPS, *COMPUTED, "allocations"),
    )
    due = fields.day("dueDate")
    if resource == "credit-notes" and due is not None:
        check.fail("dueDate", "a credit note has no due date")
    record: Json = {
        "type": fields.choice("type", TYPES, default=None),
        "invoiceNumber": fields.text("invoiceNumber"),
        "status": fields.choice("status", STATES, default="Draft"),
        "contactId": reference(fields, "contactId", company.tables["contacts"], required=True),
        "issueDate": fields.day("issueDate", required=True),
        "reference": fields.text("reference"),
        **{name: fields.opt_text(name) for name in OPTIONAL_TEXT},
        "currency": currency(fields, required=True),
        "lines": _lines(check, fields, company),
        "attachments": _attachments(fields),
    }
    if record["type"] is None and not fields.has("type"):
        check.fail("type", "is required")
    if resource == "invoices":
        record["dueDate"] = due
    return record


def _attachments(fields: Fields) -> list[str]:
    names = fields.items("attachments")
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name:
            fields.checker.fail(f"{fields.path('attachments')}[{index}]", "must be a file name")
    return [name for name in names if isinstance(name, str)]


def _lines(check: Checker, fields: Fields, company: Company) -> list[Json]:
    raw_lines = fields.items("lines")
    if not raw_lines:
        check.fail("lines", "must hold at least one line")
    lines = [_line(check, raw, f"lines[{n}]", company) for n, raw in enumerate(raw_lines)]
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if line["id"] in seen:
            check.fail(f"lines[{index}].id", f"id {line['id']!r} appears twice")
        if line["id"] is not None:
            seen.add(line["id"])
    for line in lines:
        if line["id"] is None:
            new_id = company.new_id("lines", seen)
            line["id"] = new_id
            seen.add(new_id)
    return lines


def _line(check: Checker, raw: object, path: str, company: Company) -> Json:
    fields = check.fields(raw, path, known=LINE_FIELDS, readonly=("lineAmount",))
    quantity = fields.number("quantity", default=Decimal(1))
    price = fields.money("unitPrice")
    tax = fields.money("taxAmount", default=Decimal(0))
    amount = None if quantity is None or price is None else quantity * price
    if amount is not None and abs(amount) >= LIMIT:
        check.fail(fields.path("quantity"), "quantity x unitPrice must be below 10^15")
        amount = None
    return {
        "id": fields.opt_text("id"),
        "description": fields.text("description"),
        "accountId": reference(fields, "accountId", company.tables["accounts"], required=True),
        "quantity": quantity,
        "unitPrice": price,
        "taxTypeId": reference(fields, "taxTypeId", company.tables["tax-types"], required=False),
        "taxAmount": None if tax is None else tax.quantize(CENT),
        "lineAmount": None if amount is None else amount.quantize(CENT),
        "tracking": _tracking(check, fields, company),
        "revRecTemplate": fields.opt_text("revRecTemplate"),
        "revRecStartDate": fields.day("revRecStartDate"),
        "revRecEndDate": fields.day("revRecEndDate"),
    }


def _tracking(check: Checker, line: Fields, company: Company) -> list[Json]:
    categories = company.tables["tracking-categories"]
    found: list[Json] = []
    for index, raw in enumerate(line.items("tracking")):
        path = f"{line.path('tracking')}[{index}]"
        ref = check.fields(raw, path, known=("categoryId", "optionId"))
        category_id = reference(ref, "categoryId", categories, required=True)
        option_id = ref.text("optionId", required=True)
        category = categories.get(category_id or "")
        options = {} if category is None else {o["id"]: o for o in category["options"]}
        if category is not None and option_id and option_id not in options:
            check.fail(ref.path("optionId"), f"no option {option_id!r} in that category")
        found.append({"categoryId": category_id, "optionId": option_id})
    return found


def refuse_archived(check: Checker, record: Json, company: Company) -> None:
    """Rule O3: a new document may not use an archived account or tax type."""
    for index, line in enumerate(record["lines"]):
        for name, resource in (("accountId", "accounts"), ("taxTypeId", "tax-types")):
            target = company.tables[resource].get(line[name] or "")
            if target is not None and target["status"] == "Archived":
                check.fail(f"lines[{index}].{name}", f"{line[name]!r} is archived")
