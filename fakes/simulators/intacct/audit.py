"""AUDITHISTORY as Sage documents it (spec correction 4): what a row names and how each read
function shows it. ``Company`` writes the rows (``company._audit``); ``generic`` reads them, and
refuses a user without the custom-reports permission."""

from __future__ import annotations

from typing import Final

from released_intacct.fakes.simulators.intacct import catalog

__all__ = ["QUERY_CODES", "audit_key", "query_form"]


def audit_key(name: str) -> str:
    """The field AUDITHISTORY's OBJECTKEY holds for ``name``: the object's "unique name field"
    ([XMLDOC company-console-audit-trails]: RECORDNO on APBILL, LOGINID on USERINFO;
    [XMLDOC company-console-advanced-audit-trails]: CUSTOMERID, VENDORID, CONTACTNAME). A
    transaction (an object with lines, or a payment) is named by its RECORDNO; other master data by
    its id (ITEMID, DEPARTMENTID, ...: **inferred** by analogy)."""
    found = catalog.OBJECTS.get(name)
    if found is None or found.id_field is None or name in catalog.LINES_OF:
        return "RECORDNO"
    return found.id_field


QUERY_CODES: Final[dict[str, dict[str, dict[str, str]]]] = {
    "AUDITHISTORY": {
        "ACCESSMODE": {
            "Access": "A",
            "Modify": "M",
            "Create": "C",
            "Delete": "D",
            "Workflow": "W",
            "Activity": "T",
            "User Action": "U",
        }
    }
}
"""Values ``query`` shows (and filters on) as codes where readByQuery shows words: "For query:
Use A for Access, M for Modify, C for Create, D for Delete, W for Workflow, T for Activity, and U
for User Action. Use full words for Login, Platform Def, and Platform Action"
([XMLDOC company-console-audit-trails])."""


def query_form(name: str, record: dict[str, object]) -> dict[str, object]:
    """``record`` as ``query`` shows it (``QUERY_CODES``); other functions show it as stored."""
    codes = QUERY_CODES.get(name)
    if not codes:
        return record
    shown = dict(record)
    for field_name, words in codes.items():
        value = shown.get(field_name)
        if isinstance(value, str) and value in words:
            shown[field_name] = words[value]
    return shown
