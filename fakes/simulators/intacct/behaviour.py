"""What writes do beyond storing fields: defaults, totals and states of transactions.

The generic writes call these hooks; the legacy functions build on the same rules.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from released_intacct.fakes.simulators.intacct import catalog
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure

_MASTER_DATA = frozenset(
    {
        "CUSTOMER",
        "VENDOR",
        "CONTACT",
        "GLACCOUNT",
        "TAXDETAIL",
        "ITEM",
        "DEPARTMENT",
        "LOCATION",
        "PROJECT",
        "EMPLOYEE",
        "CLASS",
        "CONTRACT",
        "TASK",
        "WAREHOUSE",
    }
)


def amount(text: object, *, field: str) -> Decimal:
    try:
        return Decimal(str(text or "0"))
    except InvalidOperation as error:
        raise failure(GENERIC, f"{field} must be a number, got '{text}'") from error


def prepare_create(ctx: Context, obj: catalog.ObjectDef, record: Record) -> Record:
    prepared = dict(record)
    if obj.name in _MASTER_DATA:
        prepared.setdefault("STATUS", "active")
    if obj.lines and obj.name == "APBILL":
        prepared = _bill_totals(prepared)
    return prepared


def prepare_update(ctx: Context, obj: catalog.ObjectDef, record: Record, changes: Record) -> Record:
    merged = _merge(record, changes)
    if obj.name == "APBILL" and obj.lines in changes:
        merged = _bill_totals(merged)
    return merged


def before_delete(ctx: Context, obj: catalog.ObjectDef, recordno: str) -> None:
    """Hook for deletes that touch other records; nothing by default."""


def _merge(record: Record, changes: Record) -> Record:
    merged = dict(record)
    for name, value in changes.items():
        current = merged.get(name)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[name] = _merge(current, value)
        else:
            merged[name] = value
    return merged


def _bill_totals(record: Record) -> Record:
    lines = record.get("APBILLITEMS")
    rows = lines if isinstance(lines, list) else []
    total = sum(
        (
            amount(row.get("TRX_AMOUNT"), field="TRX_AMOUNT")
            for row in rows
            if isinstance(row, dict)
        ),
        Decimal(0),
    )
    record = dict(record)
    record["TOTALENTERED"] = str(total)
    record.setdefault("TOTALPAID", "0")
    record["TOTALDUE"] = str(total - amount(record.get("TOTALPAID"), field="TOTALPAID"))
    record.setdefault("STATE", "Posted")
    return record
