"""The query service's stamp index: an object's records in the order of a timestamp field as
REST shows it (``audit.modifiedDateTime``, the audit history's ``changeSource.accessDateTime``:
UTC ISO 8601 text, which orders as the instants do), so a query filtered on ``$gte`` / ``$gt``
a stamp (what every change feed of the adapter sends) looks only at the records at or after it
instead of every record of the object.

The index is derived from the company's records (``Company.derived``) and kept in step by the
log of their writes (``Company.changed``), read since it last looked; it is made again whole
when the company's zone changed (the UTC text depends on it) or the table holds another number
of records than it indexed (a write that did not go through the company). It only narrows: the
rows it hands on still pass every filter of the query (``filters.predicate``) and are ordered
as asked, so a query answers the same rows with it as by a scan (``query.candidates``).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field

from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.rest.fields import Field, to_rest_value

__all__ = ["LOG_KEPT", "StampIndex", "since"]

LOG_KEPT = 50_000
"""Writes of a table its log keeps before it starts again (``_index``)."""


@dataclass
class StampIndex:
    """(stamp as REST shows it, RECORDNO) of each record of one table holding a stamp, sorted;
    ``at`` holds every record's (None: no stamp) so a change moves its entry."""

    zone: str
    seen: int = 0
    """How much of the table's write log (``Company.changed``) is applied."""
    order: list[tuple[str, int]] = field(default_factory=list)
    at: dict[int, str | None] = field(default_factory=dict)

    def put(self, recordno: int, shown: str | None) -> None:
        if recordno in self.at:
            old = self.at[recordno]
            if old == shown:
                return
            if old is not None:
                del self.order[bisect_left(self.order, (old, recordno))]
        self.at[recordno] = shown
        if shown is not None:
            insort(self.order, (shown, recordno))

    def drop(self, recordno: int) -> None:
        old = self.at.pop(recordno, None)
        if old is not None:
            del self.order[bisect_left(self.order, (old, recordno))]


def _shown(company: Company, spec: Field, record: Record) -> str | None:
    value = to_rest_value(company, spec, record.get(spec.xml))
    return value if isinstance(value, str) else None


def _index(company: Company, home: str, spec: Field) -> StampIndex:
    """The index of ``home`` (a table) by ``spec`` (a stamp field), brought up to date."""
    name = f"stamps:{home}:{spec.xml}"
    table = company.table(home)
    log = company.watch(home)
    found = company.derived.get(name)
    zone = company.settings.timezone
    if not isinstance(found, StampIndex) or found.zone != zone:
        found = None
    if found is not None:
        for recordno in log[found.seen :]:
            record = table.get(recordno)
            if record is None:
                found.drop(recordno)
            else:
                found.put(recordno, _shown(company, spec, record))
        found.seen = len(log)
    if found is None or len(found.at) != len(table):
        found = StampIndex(zone=zone, seen=len(log))
        for recordno, record in table.items():
            found.put(recordno, _shown(company, spec, record))
        company.derived[name] = found
    if len(log) > LOG_KEPT:  # a long-lived company: start the log again, the table's other
        del log[:]  # indexes made again when next used (one scan each)
        for other in [k for k in company.derived if k.startswith(f"stamps:{home}:") and k != name]:
            del company.derived[other]
        found.seen = 0
    return found


def since(company: Company, home: str, spec: Field, value: str) -> list[Record]:
    """The records of ``home`` whose ``spec`` REST shows at or after ``value`` (as text, as the
    query service compares two stamps), by RECORDNO: every record a filter ``$gte`` or ``$gt``
    ``value`` on it can keep, and maybe a few it will not."""
    index = _index(company, home, spec)
    table = company.table(home)
    found = sorted(recordno for _, recordno in index.order[bisect_left(index.order, (value, -1)) :])
    return [record for record in map(table.get, found) if record is not None]
