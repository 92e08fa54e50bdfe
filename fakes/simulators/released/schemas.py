"""What a create or an update may send for each resource, normalised to a stored record.

Each function reads a request body through a ``checks.Checker`` (so every bad field is reported
with its path) and returns the writable fields; ``id``, ``version``, ``lastModified`` and the
server-computed fields are the caller's business. Text fields not sent are stored as ``""``,
optional references and codes as ``null``. Documents (invoices and credit notes) are in
``docschema``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from released_intacct.fakes.simulators.released.checks import Checker, Fields, Json
from released_intacct.fakes.simulators.released.company import Company

STATUSES = ("Active", "Archived")
ROLES = ("Customer", "Vendor")
DIMENSION_KINDS = (
    "DEPARTMENT",
    "LOCATION",
    "PROJECT",
    "CUSTOMER",
    "EMPLOYEE",
    "ITEM",
    "CLASS",
    "CONTRACT",
    "TASK",
    "WAREHOUSE",
    "VENDOR",
)
STAMPS = ("id", "lastModified", "version")
ADDRESS = ("address", "suburb", "townCity", "regionState", "postZipCode", "country")
CONTACT_TEXT = (
    "name",
    "correspondenceName",
    "firstName",
    "lastName",
    "email",
    "telephone",
    "fax",
    "mobile",
)
_CURRENCY = re.compile(r"[A-Z]{3}")
HUNDRED = Decimal(100)


def currency(fields: Fields, *, required: bool) -> str | None:
    raw = fields.opt_text("currency", required=required)
    if raw is not None and not _CURRENCY.fullmatch(raw):
        fields.checker.fail(fields.path("currency"), "must be a three-letter ISO code, e.g. USD")
    return raw


def reference(fields: Fields, name: str, table: dict[str, Json], *, required: bool) -> str | None:
    """The id in ``name``, which must name a record of ``table``."""
    raw = fields.opt_text(name, required=required)
    if raw is not None and raw not in table:
        fields.checker.fail(fields.path(name), f"no record {raw!r}")
    return raw


def _address(check: Checker, fields: Fields, name: str) -> Json:
    inner = check.fields(fields.data.get(name) or {}, fields.path(name), known=ADDRESS)
    return {part: inner.text(part) for part in ADDRESS}


def contact(check: Checker, body: object) -> Json:
    fields = check.fields(
        body,
        "",
        known=(*CONTACT_TEXT, "postalAddress", "streetAddress", "currency", "status", "role"),
        readonly=STAMPS,
    )
    record: Json = {name: fields.text(name, required=name == "name") for name in CONTACT_TEXT}
    record["postalAddress"] = _address(check, fields, "postalAddress")
    record["streetAddress"] = _address(check, fields, "streetAddress")
    record["currency"] = currency(fields, required=False)
    record["status"] = fields.choice("status", STATUSES, default="Active")
    record["role"] = fields.choice("role", ROLES, default=None)
    return record


def account(check: Checker, body: object) -> Json:
    fields = check.fields(body, "", known=("code", "name", "type", "status"), readonly=STAMPS)
    return {
        "code": fields.text("code", required=True),
        "name": fields.text("name", required=True),
        "type": fields.text("type"),
        "status": fields.choice("status", STATUSES, default="Active"),
    }


def tax_type(check: Checker, body: object) -> Json:
    fields = check.fields(body, "", known=("name", "rate", "status"), readonly=STAMPS)
    rate = fields.number("rate")
    if rate is not None and not 0 <= rate <= HUNDRED:
        check.fail("rate", "must be between 0 and 100")
    return {
        "name": fields.text("name", required=True),
        "rate": rate,
        "status": fields.choice("status", STATUSES, default="Active"),
    }


def tracking_category(check: Checker, body: object, company: Company, *, own_id: str) -> Json:
    """A category with its whole ``options`` list; an option without ``id`` gets a new one, and an
    option may not take an id another category's option holds."""
    fields = check.fields(body, "", known=("name", "kind", "status", "options"), readonly=STAMPS)
    elsewhere = {
        option["id"]
        for category_id, category in company.tables["tracking-categories"].items()
        if category_id != own_id
        for option in category["options"]
    }
    options: list[Json] = []
    for index, raw in enumerate(fields.items("options")):
        option = check.fields(raw, f"options[{index}]", known=("id", "name", "status"))
        proposed = option.opt_text("id")
        if proposed is not None and (proposed in elsewhere or proposed in _ids(options)):
            check.fail(option.path("id"), f"id {proposed!r} is taken by another option")
        options.append(
            {
                "id": proposed,
                "name": option.text("name", required=True),
                "status": option.choice("status", STATUSES, default="Active"),
            }
        )
    for entry in options:
        if entry["id"] is None:
            entry["id"] = company.new_id("options", elsewhere | _ids(options))
    return {
        "name": fields.text("name", required=True),
        "kind": fields.choice("kind", DIMENSION_KINDS, default=None),
        "status": fields.choice("status", STATUSES, default="Active"),
        "options": options,
    }


def _ids(options: list[Json]) -> set[str]:
    return {option["id"] for option in options if option["id"] is not None}


def payment(check: Checker, body: object, company: Company) -> Json:
    fields = check.fields(
        body,
        "",
        known=("invoiceId", "creditNoteId", "date", "amount", "reference"),
        readonly=(*STAMPS, "status", "currency"),
    )
    if fields.has("invoiceId") == fields.has("creditNoteId"):
        check.fail("invoiceId", "give exactly one of invoiceId and creditNoteId")
    return {
        "invoiceId": reference(fields, "invoiceId", company.tables["invoices"], required=False),
        "creditNoteId": reference(
            fields, "creditNoteId", company.tables["credit-notes"], required=False
        ),
        "date": fields.day("date", required=True),
        "amount": positive_money(fields, "amount"),
        "reference": fields.text("reference"),
    }


def allocation(check: Checker, body: object, company: Company) -> Json:
    fields = check.fields(body, "", known=("invoiceId", "amount", "date"))
    return {
        "invoiceId": reference(fields, "invoiceId", company.tables["invoices"], required=True),
        "amount": positive_money(fields, "amount"),
        "date": fields.day("date", required=True),
    }


def positive_money(fields: Fields, name: str) -> Decimal | None:
    """A decimal string above zero with at most two decimal places."""
    value = fields.money(name)
    exponent = 0 if value is None else value.normalize().as_tuple().exponent
    if value is not None and (value <= 0 or not isinstance(exponent, int) or exponent < -2):
        fields.checker.fail(fields.path(name), "must be above 0 with at most 2 decimal places")
    return value
