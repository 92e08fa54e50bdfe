"""The master-data and set-up REST objects beyond accounts, entities and parties: tax details,
the dimensions, items, account labels, transaction definitions and tax solutions, each a map onto
the XML gateway's records (docs/intacct-rest.md sections 4.2, 4.3, 4.5 and 4.13).

- Dimension statuses are ``active`` / ``activeNonPosting`` / ``inactive`` (the model's enum,
  docs/intacct-rest.md 4.3); a department's ``name`` is its TITLE; a task has no ``status`` (its
  sample has none) and names its project by ``project.id``.
- An item's GL accounts are read through its GL group (``inventory.glGroup.incomeGLAccount`` /
  ``expenseGLAccount``: plain account numbers). The pages never show a non-inventory item created
  with its own income or expense account, as the XML create does (docs/intacct-rest.md 4.5 and
  section 13, gap 5), so the simulator takes no item writes over REST (405): an item is made
  through the XML gateway and read through either API.
- Account labels, transaction definitions and tax solutions are read-only here (set-up, rule C5).
"""

from __future__ import annotations

from typing import Final

from released_intacct.fakes.simulators.intacct.rest.fields import Field, RestObject

_STATUS_WORDS: Final = (
    ("active", "active"),
    ("active non-posting", "activeNonPosting"),
    ("inactive", "inactive"),
)
_STATUS = Field("status", "STATUS", "enum", _STATUS_WORDS)


def _dimension(path: str, xml: str, id_field: str, name_field: str = "NAME") -> RestObject:
    return RestObject(path, xml, id_field, (Field("name", name_field), _STATUS))


TAX_DETAIL: Final = RestObject(
    "tax/tax-detail",
    "TAXDETAIL",
    "DETAILID",
    (
        Field("taxPercent", "VALUE"),
        Field("taxType", "TAXTYPE"),
        Field("taxSolution.id", "TAXSOLUTIONID"),
        _STATUS,
    ),
)

DIMENSIONS: Final = (
    _dimension("company-config/department", "DEPARTMENT", "DEPARTMENTID", "TITLE"),
    _dimension("company-config/location", "LOCATION", "LOCATIONID"),
    _dimension("projects/project", "PROJECT", "PROJECTID"),
    _dimension("company-config/employee", "EMPLOYEE", "EMPLOYEEID"),
    _dimension("company-config/class", "CLASS", "CLASSID"),
    _dimension("contracts/contract", "CONTRACT", "CONTRACTID"),
    RestObject(
        "projects/task",
        "TASK",
        "TASKID",
        (Field("name", "NAME"), Field("project.id", "PROJECTID")),
    ),
    _dimension("inventory-control/warehouse", "WAREHOUSE", "WAREHOUSEID"),
)

ITEM: Final = RestObject(
    "inventory-control/item",
    "ITEM",
    "ITEMID",
    (
        Field("name", "NAME"),
        Field("itemType", "ITEMTYPE"),
        Field("inventory.glGroup.incomeGLAccount", "INCOMEACCTKEY"),
        Field("inventory.glGroup.expenseGLAccount", "EXPENSEACCTKEY"),
        _STATUS,
    ),
    read_only=True,
)


def _label(path: str, xml: str) -> RestObject:
    fields = (Field("description", "DESCRIPTION"), Field("glAccount.id", "GLACCOUNTNO"), _STATUS)
    return RestObject(path, xml, "ACCOUNTLABEL", fields, read_only=True)


def _definition(path: str, xml: str) -> RestObject:
    classes = (("invoice", "invoice"), ("order", "order"), ("quote", "quote"))
    fields = (Field("docClass", "DOCCLASS", "enum", classes), _STATUS)
    return RestObject(path, xml, "DOCID", fields, read_only=True)


SETUP: Final = (
    _label("accounts-receivable/account-label", "ARACCOUNTLABEL"),
    _label("accounts-payable/account-label", "APACCOUNTLABEL"),
    _definition("order-entry/txn-definition", "SODOCUMENTPARAMS"),
    _definition("purchasing/txn-definition", "PODOCUMENTPARAMS"),
    RestObject(
        "tax/tax-solution",
        "TAXSOLUTION",
        "SOLUTIONID",
        (Field("taxCalculationMethod", "TAXMETHOD"), _STATUS),
        read_only=True,
    ),
)

OBJECTS: Final = (TAX_DETAIL, *DIMENSIONS, ITEM, *SETUP)
