"""Legacy single-record deletes: ``<delete_customer customerid="C1"/>`` and its kin.

The official SDKs' ``*Delete`` classes name the record in one attribute and write no children
(inventory §2.15; Sage's pages, e.g. ``delete_customer``, ``delete_invoice``). ``DELETES``
lists each function with its object, attribute and the field the attribute holds: the party or
dimension id (``delete_class key=`` and ``delete_project key=`` hold CLASSID / PROJECTID), the
RECORDNO (``delete_task``, ``delete_invoice``, ``delete_bill``, the adjustments) or the DOCID
(``delete_sotransaction key="Sales Invoice-SI0001"``, ``delete_potransaction``).

A record found by its key is deleted exactly as the generic ``delete`` deletes it
(``writes.delete_record``: the same ``behaviour.before_delete`` checks, so a paid invoice, an
OE-generated invoice or a customer that documents still name is refused; an AUDITHISTORY
``Delete`` row; one API transaction). Success answers no ``<data>``, as ``delete`` does.

Refusals:

- an unknown key: BL01001973 "Cannot find customer with key 'C9' to delete." (``errors.not_found``,
  the generic delete's refusal).
- no key: the JS SDK drops an unset attribute and sends ``<delete_customer />``. It gets the same
  BL01001973 refusal (key ``''``) with a correction naming the attribute. Intacct's own answer to
  a missing attribute was not found (**inferred**; PHP refuses before sending).
- any child element: XL03000003, the legacy functions' schema error (``legacy.check_order``).
"""

from __future__ import annotations

from dataclasses import dataclass

from released_intacct.fakes.simulators.intacct import catalog, legacy, writes
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import not_found
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome
from released_intacct.fakes.simulators.intacct.wire import Element


@dataclass(frozen=True, slots=True)
class Delete:
    object_name: str
    attribute: str
    field: str | None
    """The field the attribute holds; None: the RECORDNO."""


DELETES: dict[str, Delete] = {
    "delete_customer": Delete("CUSTOMER", "customerid", "CUSTOMERID"),
    "delete_vendor": Delete("VENDOR", "vendorid", "VENDORID"),
    "delete_contact": Delete("CONTACT", "contactname", "CONTACTNAME"),
    "delete_glaccount": Delete("GLACCOUNT", "glaccountno", "ACCOUNTNO"),
    "delete_department": Delete("DEPARTMENT", "departmentid", "DEPARTMENTID"),
    "delete_location": Delete("LOCATION", "locationid", "LOCATIONID"),
    "delete_class": Delete("CLASS", "key", "CLASSID"),
    "delete_project": Delete("PROJECT", "key", "PROJECTID"),
    "delete_task": Delete("TASK", "key", None),
    "delete_employee": Delete("EMPLOYEE", "employeeid", "EMPLOYEEID"),
    "delete_item": Delete("ITEM", "itemid", "ITEMID"),
    "delete_araccountlabel": Delete("ARACCOUNTLABEL", "accountlabel", "ACCOUNTLABEL"),
    "delete_apaccountlabel": Delete("APACCOUNTLABEL", "accountlabel", "ACCOUNTLABEL"),
    "delete_invoice": Delete("ARINVOICE", "key", None),
    "delete_bill": Delete("APBILL", "key", None),
    "delete_aradjustment": Delete("ARADJUSTMENT", "key", None),
    "delete_apadjustment": Delete("APADJUSTMENT", "key", None),
    "delete_sotransaction": Delete("SODOCUMENT", "key", "DOCID"),
    "delete_potransaction": Delete("PODOCUMENT", "key", "DOCID"),
}

OBJECTS: dict[str, str] = {name: spec.object_name for name, spec in DELETES.items()}
"""The object each legacy delete writes (for matching fault rules by object)."""


def _found(ctx: Context, spec: Delete, key: str) -> Record | None:
    if not key:
        return None
    if spec.field is None:
        return ctx.company.by_recordno(spec.object_name, key)
    return ctx.company.by_field(spec.object_name, spec.field, key)


def deleter(name: str, spec: Delete) -> Handler:
    def delete(ctx: Context, function: Element) -> Outcome:
        legacy.check_order(function, ())
        key = (function.get(spec.attribute) or "").strip()
        record = _found(ctx, spec, key)
        if record is None:
            raise not_found(
                spec.object_name,
                key,
                action="delete",
                correction=f'Send <{name} {spec.attribute}="..."/> naming an existing record.',
            )
        writes.delete_record(ctx, catalog.OBJECTS[spec.object_name], str(record["RECORDNO"]))
        return None

    return delete


HANDLERS: dict[str, Handler] = {name: deleter(name, spec) for name, spec in DELETES.items()}
