"""Deleting a customer or vendor that documents still name.

Decision (**inferred**: no SDK test, SDK source or documentation page found says what Intacct does
here): the delete of a CUSTOMER or VENDOR is refused with BL01001973 while a document header names
it, whatever the document's state (drafts and reversed documents included):

- a customer: ARINVOICE, ARADJUSTMENT, ARPYMT (``CUSTOMERID``) and SODOCUMENT (``CUSTVENDID``);
- a vendor: APBILL, APADJUSTMENT, APPYMT (``VENDORID``) and PODOCUMENT (``CUSTVENDID``).

The refusal names the first such document and its correction says what a bookkeeper does instead
(make the party inactive, or delete its documents first). Line dimensions (a line's CUSTOMERID /
VENDORID) are not looked at. The rule holds for the generic ``delete`` and for ``delete_customer``
/ ``delete_vendor`` alike (both go through ``behaviour.before_delete``).
"""

from __future__ import annotations

from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure

NAMED_BY: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "CUSTOMER": (
        "CUSTOMERID",
        (
            ("ARINVOICE", "CUSTOMERID"),
            ("ARADJUSTMENT", "CUSTOMERID"),
            ("ARPYMT", "CUSTOMERID"),
            ("SODOCUMENT", "CUSTVENDID"),
        ),
    ),
    "VENDOR": (
        "VENDORID",
        (
            ("APBILL", "VENDORID"),
            ("APADJUSTMENT", "VENDORID"),
            ("APPYMT", "VENDORID"),
            ("PODOCUMENT", "CUSTVENDID"),
        ),
    ),
}
"""Party object → (its id field, the (document object, field) pairs that name it)."""


def check_unnamed(ctx: Context, object_name: str, record: Record) -> None:
    """Refuse to delete ``record`` (of ``object_name``) while a document names it."""
    spec = NAMED_BY.get(object_name)
    if spec is None:
        return
    id_field, holders = spec
    party = str(record.get(id_field, "")).strip()
    if not party:
        return
    for document, field in holders:
        found = ctx.company.by_field(document, field, party)
        if found is not None:
            noun = object_name.lower()
            raise failure(
                GENERIC,
                f"Cannot delete {noun} {party}: {document} {found.get('RECORDNO')} names it",
                correction=f"Make the {noun} inactive instead, or delete its documents first.",
            )
