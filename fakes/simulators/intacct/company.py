"""One simulated Intacct company: its settings, users, entities and records.

Records are nested dicts with UPPERCASE field names and string values (dates ``mm/dd/yyyy``,
timestamps ``mm/dd/yyyy HH:MM:SS``), keyed by RECORDNO within each object. Every write maintains
RECORDNO, WHENCREATED, WHENMODIFIED and writes an AUDITHISTORY row, which is the only place a
deletion can be seen.

A transaction keeps its lines nested (``ARINVOICEITEMS``, ...); every write of it also keeps its
line object's table (``catalog.LINE_OBJECTS``: ARINVOICEITEM, ...): each line has a RECORDNO of
its own (kept across updates that keep the line), the header's keys (RECORDKEY, or DOCHDRNO and
DOCHDRID, or PAYMENTKEY), the header's entity and its WHENCREATED / WHENMODIFIED. The nested line
and the line object's row are the same dict.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from released_intacct.fakes.simulators.intacct import audit, catalog

Record = dict[str, object]

AUDIT = "AUDITHISTORY"


def stamp(when: datetime) -> str:
    return when.strftime("%m/%d/%Y %H:%M:%S")


def zone_of(settings: Settings) -> ZoneInfo:
    """The company's time zone: WHENMODIFIED, ACCESSTIME and the session timestamps are written
    in it ("Dates in Sage Intacct do not have associated timezones"; the session timestamp
    carries the offset, spec correction 11)."""
    return ZoneInfo(settings.timezone)


def day(when: datetime) -> str:
    return when.strftime("%m/%d/%Y")


def sees(entity: str, record: Record) -> bool:
    """Whether a session at ``entity`` sees ``record``: its own and the top level's ("" sees
    all)."""
    return not entity or str(record.get("MEGAENTITYID", "")) in ("", entity)


@dataclass
class Settings:
    base_currency: str = "USD"
    multi_currency: bool = False
    account_labels: bool = False
    customer_sequencing: bool = True
    vendor_sequencing: bool = True
    order_entry: bool = True
    purchasing: bool = True
    tax_solution_external: bool = True
    subtotal_defaulting: bool = True
    project_sequencing: bool = True
    employee_sequencing: bool = True
    ap_payment_approvals: bool = False
    """AP payments wait in Submitted for ``approve_appaymentrequest`` (Payment approvals)."""
    vendor_payment_services: bool = False
    """The Vendor Payment Services subscription ``send_appaymentrequest`` requires."""
    session_minutes: int = 60
    multi_base_currency: bool = False
    """Entities keep base currencies of their own: getFinancialSetup names none."""
    preferences: str = "documented"
    """``documented`` or ``inferred``: which preference names get_companyprefs answers
    (``prefs.py``)."""
    timezone: str = "UTC"
    """The company's IANA time zone (``zone_of``)."""
    audit_trail_permission: bool = True
    access_token_seconds: int = 3600
    """How long a REST access token lasts (the token reply's ``expires_in``; ``rest.oauth``)."""
    """The Web Services user may read AUDITHISTORY (View permission for custom reports)."""


@dataclass
class Company:
    company_id: str
    users: dict[str, str]
    """User id → password (Web Services users)."""
    senders: set[str]
    """Sender ids authorized for this company."""
    entities: dict[str, str] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    tables: dict[str, dict[int, Record]] = field(default_factory=dict)
    next_recordno: int = 1
    sequences: dict[str, int] = field(default_factory=dict)
    executed: set[str] = field(default_factory=set)
    """Function control ids executed and completed (for ``uniqueid=true``)."""
    indexes: dict[tuple[str, str], dict[str, int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """(object, field) -> value -> the first RECORDNO holding it: ``by_field`` without a scan
    (built on first use, kept by ``insert`` / ``update`` / ``delete``)."""
    changed: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)
    """Object -> the RECORDNOs written since it was first ``watch``ed, in order (inserted,
    updated, deleted, a line kept or dropped with its header): what an index derived from the
    records (``derived``) reads to keep in step without a scan."""
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Structures other modules derive from the records and keep by ``changed`` (the REST query
    service's stamp indexes, ``rest.stamps``); dropped by ``restore`` (made again when next
    used)."""

    def stamp(self, now: datetime) -> str:
        """``now`` as the company writes a timestamp, in its own zone."""
        return stamp(now.astimezone(zone_of(self.settings)))

    def snapshot(self) -> Company:
        """A copy of the records to ``restore``, without what is derived from them (``derived``,
        ``changed``: made again from the records restored when next used)."""
        derived, changed = self.derived, self.changed
        self.derived, self.changed = {}, {}
        try:
            return copy.deepcopy(self)
        finally:
            self.derived, self.changed = derived, changed

    def restore(self, saved: Company) -> None:
        self.tables = saved.tables
        self.next_recordno = saved.next_recordno
        self.sequences = saved.sequences
        self.executed = saved.executed
        self.indexes = saved.indexes
        self.changed, self.derived = {}, {}

    def watch(self, object_name: str) -> list[int]:
        """The log of ``object_name``'s writes from now on (``changed``)."""
        return self.changed.setdefault(self.home(object_name), [])

    def _changed(self, object_name: str, recordno: int) -> None:
        log = self.changed.get(object_name)
        if log is not None:
            log.append(recordno)

    def table(self, object_name: str) -> dict[int, Record]:
        """The records of ``object_name``; for a view (ARADVANCE) a filtered copy to read."""
        found = catalog.OBJECTS.get(object_name)
        if found is None or found.view is None:
            return self.tables.setdefault(object_name, {})
        home, field_name, value = found.view
        rows = self.tables.setdefault(home, {})
        return {n: r for n, r in rows.items() if r.get(field_name) == value}

    @staticmethod
    def home(object_name: str) -> str:
        found = catalog.OBJECTS.get(object_name)
        return found.home if found is not None else object_name

    def next_id(self, sequence: str, prefix: str) -> str:
        number = self.sequences.get(sequence, 0) + 1
        self.sequences[sequence] = number
        return f"{prefix}{number:04d}"

    def insert(
        self,
        object_name: str,
        record: Record,
        *,
        now: datetime,
        entity: str,
        numbered: str | None = None,
    ) -> Record:
        """Store a new record; ``numbered``: a field that gets the RECORDNO when it is empty."""
        object_name = self.home(object_name)
        self._forget_views(object_name)
        recordno = self.next_recordno
        self.next_recordno += 1
        stored = dict(record)
        stored["RECORDNO"] = str(recordno)
        if numbered and not str(stored.get(numbered, "")).strip():
            stored[numbered] = str(recordno)
        stored.setdefault("WHENCREATED", self.stamp(now))
        stored["WHENMODIFIED"] = self.stamp(now)
        stored.setdefault("MEGAENTITYID", entity)
        self.table(object_name)[recordno] = stored
        self._changed(object_name, recordno)
        for (indexed, name), index in self.indexes.items():
            if indexed == object_name and name in stored:
                index.setdefault(str(stored[name]), recordno)
        self._keep_lines(object_name, stored, before=())
        self._audit(object_name, stored, "Create", now)
        return stored

    def update(self, object_name: str, recordno: int, changes: Record, *, now: datetime) -> Record:
        object_name = self.home(object_name)
        self._forget_views(object_name)
        stored = self.table(object_name)[recordno]
        before = self._line_numbers(object_name, stored)
        self._unindex(object_name, recordno, [name for name in changes if name in stored])
        stored.update(changes)
        for name in changes:
            index = self.indexes.get((object_name, name))
            held = None if index is None else index.get(str(stored[name]))
            if index is not None and (held is None or held > recordno):
                index[str(stored[name])] = recordno
        stored["RECORDNO"] = str(recordno)
        stored["WHENMODIFIED"] = self.stamp(now)
        self._changed(object_name, recordno)
        self._keep_lines(object_name, stored, before=before)
        self._audit(object_name, stored, "Modify", now)
        return stored

    def delete(self, object_name: str, recordno: int, *, now: datetime) -> None:
        object_name = self.home(object_name)
        self._forget_views(object_name)
        stored = self.table(object_name)[recordno]
        self._drop_lines(object_name, self._line_numbers(object_name, stored))
        self._unindex(object_name, recordno, list(stored))
        del self.table(object_name)[recordno]
        self._changed(object_name, recordno)
        self._audit(object_name, stored, "Delete", now)

    def records(self, object_name: str, *, entity: str) -> Iterator[Record]:
        """What a session at ``entity`` sees: its own records and the top level's ("" sees all)."""
        for record in self.table(object_name).values():
            if sees(entity, record):
                yield record

    def by_recordno(self, object_name: str, recordno: str) -> Record | None:
        if not recordno.isdigit():
            return None
        return self.table(object_name).get(int(recordno))

    def by_field(self, object_name: str, name: str, value: str) -> Record | None:
        """The first record (by RECORDNO) whose ``name`` is ``value``."""
        index = self.indexes.get((object_name, name))
        if index is None:
            index = {}
            for recordno, record in self.table(object_name).items():
                index.setdefault(str(record.get(name, "")), recordno)
            self.indexes[(object_name, name)] = index
        found = index.get(value)
        return None if found is None else self.table(object_name).get(found)

    def _forget_views(self, home: str) -> None:
        """Drop the indexes of the views of ``home`` (they are rebuilt on their next use)."""
        for key in [k for k in self.indexes if k[0] != home and self.home(k[0]) == home]:
            del self.indexes[key]

    def lines(self, object_name: str, header: Record) -> list[Record]:
        """The lines nested in ``header`` (a record of ``object_name``), in order."""
        line = catalog.LINES_OF.get(object_name)
        rows = header.get(line.holder) if line is not None else None
        return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []

    def _line_numbers(self, object_name: str, header: Record) -> tuple[int, ...]:
        rows = self.lines(object_name, header)
        return tuple(int(str(r["RECORDNO"])) for r in rows if str(r.get("RECORDNO", "")).isdigit())

    def _keep_lines(self, object_name: str, header: Record, *, before: tuple[int, ...]) -> None:
        """Number the header's lines and keep its line object's table in step with them."""
        line = catalog.LINES_OF.get(object_name)
        if line is None:
            return
        table = self.table(line.name)
        kept: set[int] = set()
        for row in self.lines(object_name, header):
            number = str(row.get("RECORDNO", ""))
            if not number.isdigit() or int(number) in kept or int(number) not in before:
                number = str(self.next_recordno)
                self.next_recordno += 1
                row["WHENCREATED"] = header.get("WHENMODIFIED", "")
            row["RECORDNO"] = number
            for line_field, header_field in line.keys:
                row[line_field] = str(header.get(header_field, ""))
            row["MEGAENTITYID"] = header.get("MEGAENTITYID", "")
            row["WHENMODIFIED"] = header.get("WHENMODIFIED", "")
            table[int(number)] = row
            self._changed(line.name, int(number))
            kept.add(int(number))
        self._drop_lines(object_name, tuple(n for n in before if n not in kept))

    def _drop_lines(self, object_name: str, numbers: tuple[int, ...]) -> None:
        line = catalog.LINES_OF.get(object_name)
        if line is None:
            return
        table = self.table(line.name)
        for number in numbers:
            table.pop(number, None)
            self._changed(line.name, number)
        for key in [key for key in self.indexes if key[0] == line.name]:
            del self.indexes[key]

    def _unindex(self, object_name: str, recordno: int, names: list[str]) -> None:
        """Forget the indexes of ``names`` a change to ``recordno`` may leave wrong (rebuilt on
        their next use: another record may hold the same value)."""
        stored = self.table(object_name)[recordno]
        for name in names:
            index = self.indexes.get((object_name, name))
            if index is not None and index.get(str(stored.get(name, ""))) == recordno:
                del self.indexes[(object_name, name)]

    def _audit(self, object_name: str, record: Record, mode: str, now: datetime) -> None:
        """One AUDITHISTORY row: ACCESSMODE in readByQuery's words (``query`` shows the letters,
        ``audit.QUERY_CODES``), OBJECTKEY the object's unique name field
        (``audit.audit_key``)."""
        if object_name == AUDIT:
            return
        row_no = self.next_recordno
        self.next_recordno += 1
        self._changed(AUDIT, row_no)
        self.table(AUDIT)[row_no] = {
            "RECORDNO": str(row_no),
            "OBJECTTYPE": object_name.lower(),
            "OBJECTKEY": str(record.get(audit.audit_key(object_name), "")),
            "ACCESSMODE": mode,
            "ACCESSTIME": self.stamp(now),
            "SOURCE": "api",
            "WHENMODIFIED": self.stamp(now),
        }
