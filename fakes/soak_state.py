"""What the fault soak compares: both simulators' records and the store's links, normalised.

Two runs of the same scenario (one under faults) create the same records, but not with the same
generated identifiers: Intacct's RECORDNOs, Re-Leased's ``con-000123`` ids, and the idempotency
keys (``ri-…``: they hash the connection id, which is new per run) depend on the order and the
number of writes. So every record is reduced to its business content:

- Intacct: every field but RECORDNO and the modification stamps; a field naming another record
  by RECORDNO (``…KEY``) names it by its label instead (its document number, party id, or for a
  payment its party, date, amount and description); a key written by the sync reads ``<key>``;
- Re-Leased: every field but ``id``, ``version`` and ``lastModified`` (line and allocation ids
  too); a reference to another record (contact, invoice, account, tax type, tracking) names it by
  its label (name, number or code);
- links: (record type, the Intacct record's label, the Re-Leased record's label, status, posted).

``duplicates`` lists what one side holds twice: Intacct records carrying the same sync key, and
Re-Leased records with the same label (contacts by name, documents by type and number, payments
by document, date, amount and reference, accounts by code, tax types and options by name).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from released_intacct.domain.links import Link
from released_intacct.fakes.simulators.intacct.catalog import LINE_OBJECTS
from released_intacct.fakes.simulators.intacct.company import Company as IntacctCompany
from released_intacct.fakes.simulators.released.company import Company as ReleasedCompany

__all__ = ["Snapshot", "duplicates", "intacct_records", "link_rows", "released_records"]

Snapshot = dict[str, list[str]]
"""Per table or resource, its records' normalised texts, sorted."""

_KEY = re.compile(r"ri-[0-9a-f]{32}")
_SKIPPED_TABLES = frozenset({"AUDITHISTORY", *LINE_OBJECTS})
"""The audit trail, and the line objects' tables (the lines are compared nested in their
headers)."""
_STAMPS = frozenset({"RECORDNO", "WHENMODIFIED", "version", "lastModified"})
_NUMBER_FIELDS = (
    "DOCID", "RECORDID", "CUSTOMERID", "VENDORID", "ACCOUNTNO", "ITEMID", "DETAILID",
    "LOCATIONID", "DEPARTMENTID", "CLASSID", "PROJECTID", "EMPLOYEEID", "SOLUTIONID",
)  # fmt: skip
_PAYMENT_FIELDS = ("CUSTOMERID", "VENDORID", "RECEIPTDATE", "PAYMENTDATE", "TOTALENTERED")


def _text(value: Any) -> str:
    return _KEY.sub("<key>", str(value))


# --- Intacct -----------------------------------------------------------------------------------


def _intacct_label(table: str, row: Mapping[str, Any]) -> str:
    for field in _NUMBER_FIELDS:
        if row.get(field):
            return f"{table}:{_text(row[field])}:{row.get('STATE', '')}"
    parts = [str(row.get(field, "")) for field in _PAYMENT_FIELDS]
    return f"{table}:{'/'.join(parts)}:{_text(row.get('DESCRIPTION', ''))}:{row.get('STATE', '')}"


def _intacct_labels(company: IntacctCompany) -> dict[str, str]:
    return {
        str(row["RECORDNO"]): _intacct_label(table, row)
        for table, rows in company.tables.items()
        for row in rows.values()
        if "RECORDNO" in row
    }


def _intacct_value(field: str, value: Any, labels: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _intacct_value(k, v, labels)
            for k, v in sorted(value.items())
            if k not in _STAMPS and not _moment(k, v)
        }
    if isinstance(value, list):
        return [_intacct_value(field, v, labels) for v in value]
    if field.endswith(("KEY", "HDRNO")) and str(value) in labels:
        return labels[str(value)]
    return _text(value)


def _moment(field: str, value: Any) -> bool:
    """WHENCREATED of master data is a time stamp (a document's is its date)."""
    return field == "WHENCREATED" and ":" in str(value)


def intacct_records(company: IntacctCompany) -> Snapshot:
    labels = _intacct_labels(company)
    found: Snapshot = {}
    for table, rows in company.tables.items():
        if table in _SKIPPED_TABLES:
            continue
        found[table] = sorted(
            repr(
                {
                    field: _intacct_value(field, value, labels)
                    for field, value in sorted(row.items())
                    if field not in _STAMPS and not _moment(field, value)
                }
            )
            for row in rows.values()
        )
    return found


# --- Re-Leased ---------------------------------------------------------------------------------

_REFERENCES = {
    "contactId": "contacts",
    "invoiceId": "invoices",
    "creditNoteId": "credit-notes",
    "accountId": "accounts",
    "taxTypeId": "tax-types",
    "categoryId": "tracking-categories",
    "optionId": "options",
}


def _released_label(resource: str, row: Mapping[str, Any], documents: Mapping[str, str]) -> str:
    if resource in ("invoices", "credit-notes"):
        return f"{resource}:{row.get('type')}:{row.get('invoiceNumber')}"
    if resource == "payments":
        target = str(row.get("invoiceId") or row.get("creditNoteId"))
        paid = documents.get(target, _text(target))
        return f"payment:{paid}:{row.get('date')}:{row.get('amount')}:{row.get('reference')}"
    return f"{resource}:{row.get('code') or row.get('name')}"


def _released_labels(company: ReleasedCompany) -> dict[str, dict[str, str]]:
    """Labels by resource and id; a payment's names its document's label."""
    tables = company.tables
    documents = {
        str(row["id"]): _released_label(resource, row, {})
        for resource in ("invoices", "credit-notes")
        for row in tables[resource].values()
    }
    labels = {
        resource: {
            str(row["id"]): _released_label(resource, row, documents) for row in rows.values()
        }
        for resource, rows in tables.items()
    }
    labels["options"] = {
        str(option["id"]): f"option:{category['name']}:{option['name']}"
        for category in tables["tracking-categories"].values()
        for option in category["options"]
    }
    return labels


def _released_value(field: str, value: Any, labels: Mapping[str, Mapping[str, str]]) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _released_value(k, v, labels)
            for k, v in sorted(value.items())
            if k not in ("id", *_STAMPS)
        }
    if isinstance(value, list):
        return [_released_value(field, v, labels) for v in value]
    resource = _REFERENCES.get(field)
    if resource is not None and value is not None:
        return labels[resource].get(str(value), f"unknown {resource} {value}")
    return _text(value)


def released_records(company: ReleasedCompany) -> Snapshot:
    labels = _released_labels(company)
    return {
        resource: sorted(repr(_released_value("", row, labels)) for row in rows.values())
        for resource, rows in company.tables.items()
    }


# --- links and duplicates ----------------------------------------------------------------------


def link_rows(
    links: Iterable[Link], intacct: IntacctCompany, released: ReleasedCompany
) -> list[str]:
    """Each link as (type, Intacct label, Re-Leased label, status, posted), sorted."""
    ilabels = _intacct_labels(intacct)
    rlabels = {
        rid: label for table in _released_labels(released).values() for rid, label in table.items()
    }
    rows = []
    for link in links:
        key = "/".join(ilabels.get(part, part) for part in str(link.intacct_key).split("/"))
        rid = rlabels.get(str(link.released_id), _text(link.released_id))
        rows.append(repr((link.record_type.value, key, rid, link.status.value, link.posted)))
    return sorted(rows)


_DOCUMENTS = ("invoices", "credit-notes")


def duplicates(intacct: IntacctCompany, released: ReleasedCompany) -> list[str]:
    """Records held twice: by the sync key written into Intacct, by label in Re-Leased (an
    invoice's or credit note's with its contact's name: the two companies may each hold a
    document of one number for different contacts, as the REST demo company does, INV-0005)."""
    keys: Counter[str] = Counter()
    for table, rows in intacct.tables.items():
        for row in rows.values():
            written = {m for v in row.values() for m in _KEY.findall(str(v))}  # blocks too
            keys.update(f"Intacct {table} {key}" for key in written)
    labels: Counter[str] = Counter()
    names = {str(c["id"]): str(c.get("name")) for c in released.tables["contacts"].values()}
    for resource, by_id in _released_labels(released).items():
        held = released.tables.get(resource, {}) if resource in _DOCUMENTS else {}
        labels.update(
            f"Re-Leased {label}"
            + (f" of {names.get(str(held[id].get('contactId')))}" if id in held else "")
            for id, label in by_id.items()
        )
    return [f"{what} x{n}" for what, n in sorted((keys + labels).items()) if n > 1]
