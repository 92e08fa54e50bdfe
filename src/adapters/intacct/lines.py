"""The lines of transactions, read in bulk after their headers (spec correction 1).

``readByQuery``, ``readMore`` and ``query`` answer a transaction's header only; its lines come
nested in a ``read`` reply, or from its line object queried on its own. ``Lines.attach`` reads the
lines of a whole page of headers and nests them under each header's holder (``ARINVOICEITEMS``,
``SODOCUMENTENTRIES``, ``ARPYMTDETAILS``, ...), as the converters read them.

Two ways (``ClientSettings.line_reads``), measured against the simulator in
``tests/integration/test_line_reads.py`` and recorded in ``docs/intacct-fidelity.md``:

- ``objects`` (the default): the line object filtered on the header keys,
  ``RECORDKEY IN (...)`` (``DOCHDRNO`` for Order Entry / Purchasing, ``PAYMENTKEY`` for payment
  details), up to ``line_keys`` keys a query, paged by the one paginator: one API transaction per
  1,000 lines;
- ``read``: ``read`` of the headers, 100 a call, lines nested: one transaction per 100 documents.

A company whose line object Intacct refuses to query (a function error) is read with ``read`` from
then on. A document whose total is not zero but whose lines did not come is read once more with
``read``; if its lines still do not come it is reported (``missing``) and never synced empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert.fields import Row, line_rows
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.log import logger
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = ["LINES", "Attached", "LineSpec", "Lines"]

_log = logger(__name__)


@dataclass(frozen=True, slots=True)
class LineSpec:
    """Where one header object keeps its lines."""

    object_name: str
    """The line object (ARINVOICEITEM, ...)."""
    header_key: str
    """The line field holding its header's RECORDNO (RECORDKEY, DOCHDRNO, PAYMENTKEY)."""
    holder: str
    """The element a ``read`` reply nests the lines in (ARINVOICEITEMS, ...)."""
    total: str | None
    """The header field that says lines must exist when it is not zero (None: lines optional)."""


LINES: Final[Mapping[str, LineSpec]] = MappingProxyType(
    {
        "ARINVOICE": LineSpec("ARINVOICEITEM", "RECORDKEY", "ARINVOICEITEMS", "TOTALENTERED"),
        "APBILL": LineSpec("APBILLITEM", "RECORDKEY", "APBILLITEMS", "TOTALENTERED"),
        "ARADJUSTMENT": LineSpec(
            "ARADJUSTMENTITEM", "RECORDKEY", "ARADJUSTMENTITEMS", "TOTALENTERED"
        ),
        "APADJUSTMENT": LineSpec(
            "APADJUSTMENTITEM", "RECORDKEY", "APADJUSTMENTITEMS", "TOTALENTERED"
        ),
        "SODOCUMENT": LineSpec("SODOCUMENTENTRY", "DOCHDRNO", "SODOCUMENTENTRIES", "TOTAL"),
        "PODOCUMENT": LineSpec("PODOCUMENTENTRY", "DOCHDRNO", "PODOCUMENTENTRIES", "TOTAL"),
        "ARPYMT": LineSpec("ARPYMTDETAIL", "PAYMENTKEY", "ARPYMTDETAILS", None),
        "APPYMT": LineSpec("APPYMTDETAIL", "PAYMENTKEY", "APPYMTDETAILS", None),
    }
)
"""The line object of each header object (documented: APBILLITEM, ARADJUSTMENTITEM,
APADJUSTMENTITEM, SODOCUMENTENTRY, PODOCUMENTENTRY, APPYMTDETAIL; ARINVOICEITEM and
ARPYMTDETAIL are used by real clients; see the fidelity ledger)."""


@dataclass(frozen=True, slots=True)
class Attached:
    """A page of headers with their lines nested, and apart, the headers whose lines did not
    come (their total says they have some)."""

    rows: tuple[Row, ...]
    missing: tuple[Row, ...] = ()


class Lines:
    def __init__(self, reads: Reads, settings: ClientSettings) -> None:
        self._reads = reads
        self._settings = settings
        self._read_only: set[str] = set()
        """Line objects Intacct refused to query: their lines come with ``read``."""

    async def attach(
        self, object_name: str, rows: Sequence[Row], *, docparid: str | None = None
    ) -> Result[Attached, SyncError]:
        """``rows`` (headers of ``object_name``) with their lines nested under the holder."""
        spec = LINES[object_name]
        keys = [key for key in map(record_no, rows) if key]
        if not keys:
            return Success(Attached(rows=tuple(rows)))
        found = await self._lines(spec, object_name, keys, docparid)
        if not is_successful(found):
            return Failure(found.failure())
        by_header = found.unwrap()
        wanting = [k for k in keys if k not in by_header and _needs_lines(spec, rows, k)]
        if wanting:
            again = await self._by_read(spec, object_name, wanting, docparid)
            if not is_successful(again):
                return Failure(again.failure())
            by_header.update(again.unwrap())
        lost = {key for key in wanting if key not in by_header}
        nested = tuple(
            _nest(spec, row, by_header.get(record_no(row), []))
            for row in rows
            if record_no(row) not in lost
        )
        missing = tuple(row for row in rows if record_no(row) in lost)
        return Success(Attached(rows=nested, missing=missing))

    async def _lines(
        self, spec: LineSpec, object_name: str, keys: Sequence[str], docparid: str | None
    ) -> Result[dict[str, list[Row]], SyncError]:
        if self._settings.line_reads == "read" or spec.object_name in self._read_only:
            return await self._by_read(spec, object_name, keys, docparid)
        found = await self._by_objects(spec, keys, docparid)
        if is_successful(found) or found.failure().kind is not ErrorKind.REJECTED:
            return found
        _log.warning(
            "line_object_refused",
            object=spec.object_name,
            cause=found.failure().cause,
            then="its lines are read with read",
        )
        self._read_only.add(spec.object_name)
        return await self._by_read(spec, object_name, keys, docparid)

    async def _by_objects(
        self, spec: LineSpec, keys: Sequence[str], docparid: str | None
    ) -> Result[dict[str, list[Row]], SyncError]:
        """The line object filtered on the header keys, ``line_keys`` keys a query."""
        grouped: dict[str, list[Row]] = {}
        size = self._settings.line_keys
        for start in range(0, len(keys), size):
            chunk = tuple(keys[start : start + size])
            select = q.Select(
                object_name=spec.object_name,
                where=q.In(spec.header_key, chunk),
                docparid=docparid,
            )
            read = await self._reads.every(select)
            if not is_successful(read):
                return Failure(read.failure())
            for line in read.unwrap():
                owner = str(line.get(spec.header_key, "")).strip()
                grouped.setdefault(owner, []).append(line)
        return Success(grouped)

    async def _by_read(
        self, spec: LineSpec, object_name: str, keys: Sequence[str], docparid: str | None
    ) -> Result[dict[str, list[Row]], SyncError]:
        """``read`` of the headers, their lines nested in the reply."""
        read = await self._reads.by_keys(object_name, keys, docparid=docparid)
        if not is_successful(read):
            return Failure(read.failure())
        grouped: dict[str, list[Row]] = {}
        for header in read.unwrap():
            lines = line_rows(header.get(spec.holder))
            if lines:
                grouped[record_no(header)] = list(lines)
        return Success(grouped)


def record_no(row: Row) -> str:
    value = row.get("RECORDNO")
    text = value.strip() if isinstance(value, str) else ""
    return text if text.isdigit() else ""


def _needs_lines(spec: LineSpec, rows: Sequence[Row], key: str) -> bool:
    """The header ``key`` says it has lines: its total is a number other than zero."""
    if spec.total is None:
        return False
    row = next(r for r in rows if record_no(r) == key)
    total = row.get(spec.total)
    try:
        return isinstance(total, str) and Decimal(total.replace(",", "") or "0") != 0
    except InvalidOperation:
        return False


def _line_no(line: Row) -> int:
    value = line.get("LINE_NO")
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isdigit() else 0


def _nest(spec: LineSpec, row: Row, lines: list[Row]) -> Row:
    ordered = sorted(lines, key=_line_no)
    return {**row, spec.holder: ordered}
