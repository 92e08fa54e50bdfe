"""The REST objects the simulator serves: one table entry each (``fields.RestObject``).

Field names are the pages' ([RESTDOC] docs/rest/general-ledger.md "GET
/objects/general-ledger/account/{key}", company-configuration.md "GET
/objects/company-config/entity/{key}" and "GET /objects/company-config/audit-history/{key}",
accounts-receivable.md "GET /objects/accounts-receivable/customer/{key}", accounts-payable.md
"GET /objects/accounts-payable/vendor/{key}"); the XML fields they map to are the simulator's
records (``company-config/contact``: docs/rest/company-configuration.md, "GET
/objects/company-config/contact/{key}", the contact block of docs/intacct-rest.md 4.4). A party's
``contacts.default`` is its display contact, written whole; ``primary``,
``shipTo``, ``billTo`` (customer) and ``payTo``, ``returnTo`` (vendor) name a contact by ``id``
(the XML CONTACTNAME) and show its ``key`` (``contactrefs``).
"""

from __future__ import annotations

from typing import Final

from released_intacct.fakes.simulators.intacct.rest.advances import ADVANCE_OBJECTS
from released_intacct.fakes.simulators.intacct.rest.docobjects import DOCUMENTS, ORDERS
from released_intacct.fakes.simulators.intacct.rest.fields import Field, RestObject
from released_intacct.fakes.simulators.intacct.rest.master import OBJECTS as MASTER_DATA
from released_intacct.fakes.simulators.intacct.rest.payments import PAYMENTS
from released_intacct.fakes.simulators.intacct.rest.refunds import CUSTOMER_REFUND

_STATUS = Field("status", "STATUS")
_CONTACT: Final = (
    ("id", "CONTACTNAME"),
    ("prefix", "PREFIX"),
    ("firstName", "FIRSTNAME"),
    ("middleName", "INITIAL"),
    ("lastName", "LASTNAME"),
    ("companyName", "COMPANYNAME"),
    ("printAs", "PRINTAS"),
    ("phone1", "PHONE1"),
    ("phone2", "PHONE2"),
    ("mobile", "CELLPHONE"),
    ("pager", "PAGER"),
    ("fax", "FAX"),
    ("email1", "EMAIL1"),
    ("email2", "EMAIL2"),
    ("URL1", "URL1"),
    ("URL2", "URL2"),
    ("mailingAddress.addressLine1", "MAILADDRESS.ADDRESS1"),
    ("mailingAddress.addressLine2", "MAILADDRESS.ADDRESS2"),
    ("mailingAddress.city", "MAILADDRESS.CITY"),
    ("mailingAddress.state", "MAILADDRESS.STATE"),
    ("mailingAddress.postCode", "MAILADDRESS.ZIP"),
    ("mailingAddress.country", "MAILADDRESS.COUNTRY"),
)


def _default_contact() -> tuple[Field, ...]:
    return tuple(
        Field(f"contacts.default.{rest}", f"DISPLAYCONTACT.{xml}") for rest, xml in _CONTACT
    )


def _named_contacts(*blocks: tuple[str, str, str]) -> tuple[Field, ...]:
    """(REST name, XML block, XML key field) -> ``contacts.<name>.id`` / ``.key``, and the
    contact's other fields for the query service only (``contacts.shipTo.mailingAddress.city``,
    as the block resolves them: docs/intacct-rest.md section 4.4)."""
    found: list[Field] = []
    for rest, block, key in blocks:
        found.append(Field(f"contacts.{rest}.id", f"{block}.CONTACTNAME"))
        found.append(Field(f"contacts.{rest}.key", key, writable=False))
        found.extend(
            Field(f"contacts.{rest}.{name}", f"{block}.{xml}", writable=False, in_get=False)
            for name, xml in _CONTACT
            if name != "id"
        )
    return tuple(found)


def _party(path: str, xml: str, id_field: str, *blocks: tuple[str, str, str]) -> RestObject:
    fields = (
        Field("name", "NAME"),
        _STATUS,
        Field("currency", "CURRENCY"),
        *_default_contact(),
        *_named_contacts(*blocks),
    )
    return RestObject(path, xml, id_field, fields)


_MASTER: Final = (
    RestObject(
        "general-ledger/account",
        "GLACCOUNT",
        "ACCOUNTNO",
        (
            Field("name", "TITLE"),
            Field(
                "accountType",
                "ACCOUNTTYPE",
                "enum",
                (("balancesheet", "balanceSheet"), ("incomestatement", "incomeStatement")),
            ),
            Field(
                "normalBalance", "NORMALBALANCE", "enum", (("debit", "debit"), ("credit", "credit"))
            ),
            _STATUS,
        ),
    ),
    RestObject(
        "company-config/entity",
        "LOCATIONENTITY",
        "LOCATIONID",
        (Field("name", "NAME"), Field("baseCurrency.id", "CURRENCY")),
    ),
    RestObject(
        "company-config/contact",
        "CONTACT",
        "CONTACTNAME",
        (*(Field(rest, xml) for rest, xml in _CONTACT if rest != "id"), _STATUS),
    ),
    _party(
        "accounts-receivable/customer",
        "CUSTOMER",
        "CUSTOMERID",
        ("primary", "CONTACTINFO", "CONTACTKEY"),
        ("shipTo", "SHIPTO", "SHIPTOKEY"),
        ("billTo", "BILLTO", "BILLTOKEY"),
    ),
    _party(
        "accounts-payable/vendor",
        "VENDOR",
        "VENDORID",
        ("primary", "CONTACTINFO", "CONTACTKEY"),
        ("payTo", "PAYTO", "PAYTOKEY"),
        ("returnTo", "RETURNTO", "RETURNTOKEY"),
    ),
)

_DOCUMENTS: Final = (*DOCUMENTS, *ORDERS)
_AUDITED: Final = (
    *_MASTER,
    *MASTER_DATA,
    *_DOCUMENTS,
    *PAYMENTS,
    *ADVANCE_OBJECTS,
    CUSTOMER_REFUND,
)
"""Every object but the audit trail (the objects its rows name)."""

_AUDIT = RestObject(
    "company-config/audit-history",
    "AUDITHISTORY",
    None,
    (
        Field("id", "RECORDNO", writable=False),
        Field(
            "changeDetails.objectName",
            "OBJECTTYPE",
            "enum",
            tuple((o.xml.lower(), o.path) for o in _AUDITED),
            writable=False,
        ),
        Field("changeDetails.objectId", "OBJECTKEY", writable=False),
        Field("changeSource.accessDateTime", "ACCESSTIME", "timestamp", writable=False),
        Field(
            "changeSource.actionPerformed",
            "ACCESSMODE",
            "enum",
            (("create", "create"), ("modify", "modify"), ("delete", "delete")),
            writable=False,
        ),
        Field("changeSource.source", "SOURCE", writable=False),
    ),
    read_only=True,
)
"""AUDITHISTORY rows: ``actionPerformed`` is the page's ``modify`` for Modify (``create`` and
``delete`` for the others **inferred** by analogy); ``objectName`` the REST object's path; the
row's ``id`` its RECORDNO (the page's ``103:9`` is not explained: **inferred**)."""

OBJECTS: Final[dict[str, RestObject]] = {o.path: o for o in (*_AUDITED, _AUDIT)}
