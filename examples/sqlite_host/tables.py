"""The host's own tables: one per kind of Re-Leased record, as a property-management app keeps them.

Each table has the columns the host shows and searches (names, codes, numbers, totals as decimal
TEXT, never REAL), the bookkeeping the port needs (``idempotency_key``, ``last_modified`` as a
fixed-width UTC text so it sorts in time order, ``version``) and ``doc``: the whole record as JSON
(msgspec; money as decimal strings), so nothing is lost between the port's records and the rows.
Tracking options have their own table; a category is read with its options.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from released_intacct.domain.enums import DocumentKind, RecordType
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
OWN_COLUMNS = ("id", "idempotency_key", "last_modified", "version", "status", "doc")


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    kind: type[ReleasedRecord]
    columns: tuple[str, ...]
    """The host's own columns, beyond id, idempotency_key, last_modified, version, status, doc."""
    values: Callable[[Any], tuple[object, ...]]

    def select(self, column: str, record_type: RecordType) -> str:
        """Rows (doc, version) whose ``column`` equals the first parameter."""
        return f"SELECT doc, version FROM {self.name} WHERE {column} = ?{_kind(record_type)}"  # noqa: S608 - names are constants

    def page(self, record_type: RecordType) -> str:
        """Rows modified at or after ``since``, after the token's row, in feed order."""
        return (
            f"SELECT doc, last_modified, id FROM {self.name} "  # noqa: S608 - names are constants
            f"WHERE last_modified >= ?{_kind(record_type)} AND (last_modified, id) > (?, ?) "
            "ORDER BY last_modified, id LIMIT ?"
        )

    def upsert(self) -> str:
        columns = (*OWN_COLUMNS, *self.columns)
        changed = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "idempotency_key")
        return (
            f"INSERT INTO {self.name} ({', '.join(columns)}) "  # noqa: S608 - names are constants
            f"VALUES ({', '.join('?' for _ in columns)}) ON CONFLICT(id) DO UPDATE SET {changed}"
        )


TABLES: dict[RecordType, Table] = {
    RecordType.CONTACT: Table(
        "contacts", Contact, ("name", "email", "role"), lambda c: (c.name, c.email, _value(c.role))
    ),
    RecordType.ACCOUNT: Table("accounts", Account, ("code", "name"), lambda a: (a.code, a.name)),
    RecordType.TAX_TYPE: Table(
        "tax_types", TaxType, ("name", "rate"), lambda t: (t.name, str(t.rate))
    ),
    RecordType.TRACKING_CATEGORY: Table(
        "tracking_categories", TrackingCategory, ("name",), lambda c: (c.name,)
    ),
    RecordType.TRACKING_OPTION: Table(
        "tracking_options",
        TrackingOption,
        ("category_id", "name"),
        lambda o: (o.category_id, o.name),
    ),
    RecordType.INVOICE: Table(
        "invoices",
        Invoice,
        ("kind", "type", "invoice_number", "contact_id", "total", "amount_paid"),
        lambda i: (
            i.kind.value,
            i.type.value,
            i.invoice_number,
            i.contact_id,
            str(i.total),
            str(i.amount_paid),
        ),
    ),
    RecordType.PAYMENT: Table(
        "payments", Payment, ("invoice_id", "amount"), lambda p: (p.invoice_id, str(p.amount))
    ),
}
TABLES[RecordType.CREDIT_NOTE] = TABLES[RecordType.INVOICE]  # one table, told apart by ``kind``


def schema() -> list[str]:
    """``CREATE TABLE`` statements for every table."""
    statements = []
    for table in dict.fromkeys(TABLES.values()):
        own = "".join(f", {column} TEXT" for column in table.columns)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table.name} ("
            "id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, last_modified TEXT NOT NULL, "
            f"version INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL{own})"
        )
    return statements


def latest_stamp() -> str:
    """The latest ``last_modified`` of any table."""
    names = [table.name for table in dict.fromkeys(TABLES.values())]
    each = " UNION ALL ".join(f"SELECT MAX(last_modified) AS m FROM {n}" for n in names)  # noqa: S608
    return f"SELECT MAX(m) FROM ({each})"  # noqa: S608 - the table names are constants


def table_of(record: ReleasedRecord) -> tuple[RecordType, Table]:
    record_type = record_type_of(record)
    return record_type, TABLES[record_type]


def record_type_of(record: ReleasedRecord) -> RecordType:
    if isinstance(record, Invoice):
        return RecordType.INVOICE if record.kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
    return next(rt for rt, table in TABLES.items() if isinstance(record, table.kind))


def row_of(
    record: ReleasedRecord, *, key: str | None, when: datetime, version: int
) -> tuple[object, ...]:
    """The row of ``record``: id, key, last_modified, version, status, doc, then its own columns."""
    _, table = table_of(record)
    return (
        record.id,
        key,
        stamp(when),
        version,
        record.status.value,
        msgspec.json.encode(record).decode(),
        *table.values(record),
    )


def record_of(table: Table, doc: str) -> ReleasedRecord:
    decoded: ReleasedRecord = msgspec.json.decode(doc, type=table.kind)
    return decoded


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime(_STAMP)


def unstamp(text: str) -> datetime:
    return datetime.strptime(text, _STAMP).replace(tzinfo=UTC)


def _kind(record_type: RecordType) -> str:
    """Invoices and credit notes share a table, told apart by ``kind``."""
    if record_type is RecordType.INVOICE:
        return f" AND kind = '{DocumentKind.INVOICE.value}'"
    if record_type is RecordType.CREDIT_NOTE:
        return f" AND kind = '{DocumentKind.CREDIT_NOTE.value}'"
    return ""


def _value(role: object) -> object:
    return getattr(role, "value", None)
