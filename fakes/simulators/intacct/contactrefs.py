"""Customers' and vendors' contact blocks as references to CONTACT records (spec correction 10).

On create and update, CONTACTINFO ("Primary contact"), SHIPTO and BILLTO (customers), PAYTO and
RETURNTO (vendors) take one child, ``CONTACTNAME``, naming an existing CONTACT; "If blank system
will use DISPLAYCONTACT" ([XMLDOC accounts-receivable-customers], [XMLDOC accounts-payable-vendors];
the official SDKs' CustomerCreate / VendorCreate write them so). On read they carry the
referenced contact's fields (the CUSTOMER ``inspect`` fixture: ``SHIPTO.CONTACTNAME``,
``SHIPTO.MAILADDRESS.ADDRESS1``, ...) and its record number in SHIPTOKEY, BILLTOKEY, CONTACTKEY
(customers, inspect); PAYTOKEY and RETURNTOKEY for vendors follow the pattern (**inferred**).

The display contact (DISPLAYCONTACT) is written whole; its CONTACTNAME, "If left blank, system
will create the name as ``NAME(C<CUSTOMERID>)``" (``NAME(V<VENDORID>)`` for vendors, whose page
shows ``SaaS Company Inc(VV1234)`` for vendor V1234; the JS SDK's CustomerCreate: "CONTACTNAME is
auto created as '[CustomerName](C[CustomerID])'"): ``display_named``. It is queryable as
``DISPLAYCONTACT.CONTACTNAME`` (the CUSTOMER inspect fixture, maxLength 200). The generic
``update`` of a customer or vendor does not take it (its DISPLAYCONTACT table lists no
CONTACTNAME, and the SDKs' updates write none): a CONTACTNAME sent in an update's DISPLAYCONTACT
is ignored (**inferred**: ignored rather than refused), ``display_kept``.

**Inferred** here: a name no CONTACT holds is refused (Intacct's words are not documented);
fields other than CONTACTNAME in a reference block are ignored; a block never set shows
DISPLAYCONTACT on read; a later change to the CONTACT shows through every party naming it.
"""

from __future__ import annotations

from typing import Final

from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure

BLOCKS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "CUSTOMER": (("CONTACTINFO", "CONTACTKEY"), ("SHIPTO", "SHIPTOKEY"), ("BILLTO", "BILLTOKEY")),
    "VENDOR": (("CONTACTINFO", "CONTACTKEY"), ("PAYTO", "PAYTOKEY"), ("RETURNTO", "RETURNTOKEY")),
}
_SHOWN: Final = (
    "CONTACTNAME",
    "PREFIX",
    "FIRSTNAME",
    "INITIAL",
    "LASTNAME",
    "COMPANYNAME",
    "PRINTAS",
    "PHONE1",
    "PHONE2",
    "CELLPHONE",
    "PAGER",
    "FAX",
    "EMAIL1",
    "EMAIL2",
    "URL1",
    "URL2",
    "MAILADDRESS",
)
"""The fields a resolved block shows: those of the inspect's SHIPTO group found on a CONTACT."""


_DISPLAY_PREFIX: Final = {"CUSTOMER": ("CUSTOMERID", "C"), "VENDOR": ("VENDORID", "V")}


def display_named(object_name: str, record: Record) -> Record:
    """A new customer's or vendor's ``record`` with its display contact named as Intacct names
    it when the create leaves CONTACTNAME blank."""
    named = _DISPLAY_PREFIX.get(object_name)
    display = record.get("DISPLAYCONTACT")
    if named is None or not isinstance(display, dict):
        return record
    if str(display.get("CONTACTNAME", "")).strip():
        return record
    id_field, prefix = named
    contact = f"{record.get('NAME', '')}({prefix}{record.get(id_field, '')})"
    return {**record, "DISPLAYCONTACT": {**display, "CONTACTNAME": contact}}


def display_kept(object_name: str, changes: Record) -> Record:
    """An update's ``changes`` less a new name for the display contact, which stays as created."""
    display = changes.get("DISPLAYCONTACT")
    if object_name not in _DISPLAY_PREFIX or not isinstance(display, dict):
        return changes
    kept = {name: value for name, value in display.items() if name != "CONTACTNAME"}
    return {**changes, "DISPLAYCONTACT": kept}


def referenced(company: Company, object_name: str, record: Record) -> Record:
    """``record`` as stored: each reference block named by CONTACTNAME becomes its key field."""
    blocks = BLOCKS.get(object_name)
    if blocks is None:
        return record
    stored = dict(record)
    for block, key in blocks:
        if block not in stored:
            continue
        value = stored.pop(block)
        name = str(value.get("CONTACTNAME", "")).strip() if isinstance(value, dict) else ""
        if not name:
            continue
        contact = company.by_field("CONTACT", "CONTACTNAME", name)
        if contact is None:
            raise failure(
                GENERIC,
                f"Invalid {block}.CONTACTNAME '{name}': no contact has that name",
                correction=f"Create the contact first, or name an existing one in {block}.",
            )
        stored[key] = str(contact["RECORDNO"])
    return stored


def resolved(company: Company, object_name: str, record: Record) -> Record:
    """``record`` as read: each reference block filled from its CONTACT, else DISPLAYCONTACT."""
    blocks = BLOCKS.get(object_name)
    if blocks is None:
        return record
    shown = dict(record)
    display = record.get("DISPLAYCONTACT")
    for block, key in blocks:
        number = str(record.get(key, "")).strip()
        contact = company.by_recordno("CONTACT", number) if number else None
        if contact is not None:
            shown[block] = {name: contact[name] for name in _SHOWN if name in contact}
        elif isinstance(display, dict):
            shown[block] = dict(display)
    return shown
