"""AR/AP and OE/PO documents over REST: reading (the feed, ``transaction_held``, look-ups).

**Lines.** A feed page is one query of the header object (``query.QueryPages``: the cursor on
``audit.modifiedDateTime``, pages up to 4,000), then the page's documents read whole by key,
``GET …/invoice/1,2,…`` (batch retrieval, 500 keys a request, **inferred**), whose answer holds
each header's ``lines`` and each line's ``taxEntries``. The other way, a query of the line object
on ``<owner>.key $in`` the page's keys ("You cannot query a parent and traverse downward":
docs/intacct-rest.md section 5), would cost ``ceil(m / 4000)`` requests for ``m`` lines where
the GETs cost ``ceil(n / 500)`` for ``n`` documents: fewer for a page of more than 500 documents,
the same below (an idle feed costs one request either way). It is not taken because a line's tax
entries are owned by the line, a third object the line query cannot reach either (its own
``*-tax-entry`` object, whose fields no page shows): reading them would cost a query more per
page, and a header, its lines and their tax from three reads may each be of another moment.
The GET answers all three from one read.

**Reading** goes through ``document_fields.row`` into the XML reader (``convert.read_documents``),
so states, the credit-note sign and M1's refusals are decided once for both APIs; a record that
cannot be read becomes one of the page's ``problems`` (rule E1). AR invoices and bills that Order
Entry or Purchasing posted are left to the OE/PO feed (rule D19, ``posted_elsewhere``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any, Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.convert import read_documents
from released_intacct.adapters.intacct.convert.fields import PAIRED
from released_intacct.adapters.intacct.convert.fields import Row as XmlRow
from released_intacct.adapters.intacct.reversals import PREFIX, best
from released_intacct.adapters.intacct_rest.document_fields import (
    DOCUMENTS,
    DocObject,
    posted_elsewhere,
    row,
)
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import Filter, Row, Select, field
from released_intacct.adapters.intacct_rest.rows import every_row, newest
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.ports import FeedQuery, Page

__all__ = [
    "by_key",
    "doc_for",
    "documents",
    "held_by",
    "lines_of",
    "one_or_none",
    "read_whole",
    "recent",
    "transaction_held",
    "transactions",
]

_KEYS_A_GET: Final = 500
_GONE: Final = "HTTP 404"
"""How ``intacct_rest.classify`` begins the cause of a 404 (``_cause``)."""


def doc_for(origin: Origin, kind: DocumentKind) -> DocObject:
    found = DOCUMENTS.get((origin, kind))
    if found is None:
        msg = f"{origin.value} {kind.value} documents are not read over REST yet"
        raise ValueError(msg)
    return found


def _select(
    doc: DocObject,
    origin: Origin,
    kind: DocumentKind,
    *filters: Filter,
    tx: Transaction | None = None,
) -> Select:
    return Select(
        object_name=doc.object_of(tx, origin, kind), fields=doc.header_fields, filters=filters
    )


async def transactions(
    rest: Rest, origin: Origin, kind: DocumentKind, query: FeedQuery
) -> Result[Page[Transaction], SyncError]:
    """One page of the documents of ``origin`` and ``kind`` changed since ``query.since``."""
    doc = doc_for(origin, kind)
    select = _select(doc, origin, kind)
    read = await rest.pages.page(select, query, feed=("documents", select.object_name))
    return await _page_of(rest, doc, origin, kind, read)


async def recent(
    rest: Rest, origin: Origin, kind: DocumentKind, size: int
) -> Result[Page[Transaction], SyncError]:
    """The ``size`` documents of ``origin`` and ``kind`` modified last (``rows.newest``), read
    as the feed reads them, remembered apart from the feed's versions (``doctor``'s samples)."""
    doc = doc_for(origin, kind)
    read = await newest(rest, _select(doc, origin, kind), size, feed="recent")
    return await _page_of(rest, doc, origin, kind, read)


async def _page_of(
    rest: Rest,
    doc: DocObject,
    origin: Origin,
    kind: DocumentKind,
    read: Result[Page[Row], SyncError],
) -> Result[Page[Transaction], SyncError]:
    """The documents of a page of headers, read whole (those Order Entry or Purchasing posted
    left to their feed, D19)."""
    if isinstance(read, Failure):
        return Failure(read.failure())
    page = read.unwrap()
    headers = [h for h in page.items if not posted_elsewhere(doc, h)]
    built = await _built(rest, doc, origin, kind, headers)
    if isinstance(built, Failure):
        return Failure(built.failure())
    items, problems = built.unwrap()
    return Success(
        Page(
            items=items,
            next_token=page.next_token,
            high_water=page.high_water,
            problems=(*page.problems, *problems),
            total=page.total,
            overlap=page.overlap,
        )
    )


async def transaction_held(
    rest: Rest, origin: Origin, kind: DocumentKind, key: IntacctKey
) -> Result[Transaction | None, SyncError]:
    """The document ``key`` (its link key: ``key``, or an OE/PO document's ``id``, the DOCID)
    as Intacct holds it now, or None when it is gone (rule D20)."""
    doc = doc_for(origin, kind)
    return await held_by(rest, doc, origin, kind, name="id" if doc.order else "key", value=key)


async def held_by(
    rest: Rest, doc: DocObject, origin: Origin, kind: DocumentKind, *, name: str, value: str
) -> Result[Transaction | None, SyncError]:
    found = await documents(
        rest, doc, origin, kind, Filter(field=name, operator="$eq", value=value)
    )
    return found.bind(lambda held: one_or_none(doc, held, f"{name} {value}"))


async def documents(
    rest: Rest,
    doc: DocObject,
    origin: Origin,
    kind: DocumentKind,
    *filters: Filter,
    tx: Transaction | None = None,
) -> Result[tuple[Transaction, ...], SyncError]:
    """Every document matching ``filters`` (ANDed), read whole; one unreadable fails."""
    headers = await every_row(rest, _select(doc, origin, kind, *filters, tx=tx))
    if isinstance(headers, Failure):
        return Failure(headers.failure())
    built = await _built(rest, doc, origin, kind, headers.unwrap())
    if isinstance(built, Failure):
        return Failure(built.failure())
    items, problems = built.unwrap()
    return Failure(problems[0]) if problems else Success(items)


async def _built(
    rest: Rest,
    doc: DocObject,
    origin: Origin,
    kind: DocumentKind,
    headers: Sequence[Mapping[str, Any]],
) -> Result[tuple[tuple[Transaction, ...], tuple[SyncError, ...]], SyncError]:
    keys = [str(field(h, "key")) for h in headers]
    whole = await by_key(rest, doc, origin, kind, keys)
    if isinstance(whole, Failure):
        return Failure(whole.failure())
    items: list[Transaction] = []
    problems: list[SyncError] = []
    for read in whole.unwrap().values():  # one deleted since the query is not there: its
        if isinstance(read, Failure):  # deletion is read by the audit feed
            problems.append(read.failure())
        else:
            items.append(read.unwrap())
    return Success((tuple(items), tuple(problems)))


async def by_key(
    rest: Rest, doc: DocObject, origin: Origin, kind: DocumentKind, keys: Sequence[str]
) -> Result[dict[str, Result[Transaction, SyncError]], SyncError]:
    """The documents ``keys`` read whole (``read_whole``: 500 keys a request), each as the XML
    reader reads it, in the order asked; a key no longer held is left out."""
    whole = await read_whole(rest, doc, keys)
    if isinstance(whole, Failure):
        return Failure(whole.failure())
    records = whole.unwrap()
    read: dict[str, Result[Transaction, SyncError]] = {}
    for key in keys:
        record = records.get(key)
        if record is None:
            continue
        lines = record.get("lines")
        mine = [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []
        paired = await _paired(rest, doc, row(doc, origin, kind, record, mine))
        if isinstance(paired, Failure):
            return Failure(paired.failure())
        read[key] = read_documents.transaction(origin, kind, paired.unwrap(), tz=UTC)
    return Success(read)


async def _paired(rest: Rest, doc: DocObject, whole: XmlRow) -> Result[XmlRow, SyncError]:
    """A Reversal row naming the record it reverses (``PAIRED``), found as the XML adapter finds
    it (``intacct.reversals.best``: the same party, state ``reversed``, the opposite total, an
    earlier key; a ``Reversed - <number>`` narrows it): no REST field links the two either
    (docs/intacct-rest.md section 8: the reverse workflow answers the new record). One query per
    Reversal; reversals are rare."""
    if str(whole.get("STATE", "")) != "reversal":
        return Success(whole)
    party_field = "CUSTOMERID" if "CUSTOMERID" in whole else "VENDORID"
    filters = [
        Filter(field=doc.party, operator="$eq", value=str(whole.get(party_field, ""))),
        Filter(field="state", operator="$eq", value="reversed"),
    ]
    number = str(whole.get("RECORDID", ""))
    if number.startswith(PREFIX):
        filters.append(Filter(field=doc.number, operator="$eq", value=number.removeprefix(PREFIX)))
    select = Select(object_name=doc.path, fields=(doc.total,), filters=tuple(filters))
    found = await every_row(rest, select)
    if isinstance(found, Failure):
        return Failure(found.failure())
    candidates = [
        {
            "RECORDNO": str(field(r, "key")),
            "STATE": "reversed",
            "TOTALENTERED": str(field(r, doc.total)),
        }
        for r in found.unwrap()
    ]
    original = best(whole, candidates)
    return Success({**whole, PAIRED: original} if original else whole)


async def read_whole(
    rest: Rest, doc: DocObject, keys: Sequence[str]
) -> Result[dict[str, Row], SyncError]:
    """The records ``keys`` as a GET shows them (header, ``lines``, their ``taxEntries``), by
    key: ``GET /objects/<path>/<key>,<key>…``, 500 keys a request ([RESTDOC] bulk-requests,
    "GET (Batch Retrieval)"; the bound is **inferred**). One key answers an object, several a
    list of those found. A 404 answers that none of them is held any longer (deleted since the
    query named them: the deletions feed reads that), so none is returned, not a failure."""
    found: dict[str, Row] = {}
    for at in range(0, len(keys), _KEYS_A_GET):
        chunk = ",".join(keys[at : at + _KEYS_A_GET])
        sent = await rest.transport.request("GET", f"/objects/{doc.path}/{chunk}")
        if isinstance(sent, Failure):
            if (sent.failure().cause or "").startswith(_GONE):
                continue
            return Failure(sent.failure())
        result = sent.unwrap().envelope.result
        records = result if isinstance(result, list) else [result]
        found.update((str(r.get("key")), r) for r in records if isinstance(r, dict))
    return Success(found)


async def lines_of(rest: Rest, doc: DocObject, key: str) -> Result[list[Row], SyncError]:
    """The lines of the document ``key`` as Intacct holds them now, in order."""
    whole = await read_whole(rest, doc, [key])
    if isinstance(whole, Failure):
        return Failure(whole.failure())
    lines = whole.unwrap().get(key, {}).get("lines")
    return Success(
        [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []
    )


def one_or_none(
    doc: DocObject, found: tuple[Transaction, ...], what: str
) -> Result[Transaction | None, SyncError]:
    if len(found) <= 1:
        return Success(found[0] if found else None)
    keys = ", ".join(tx.link_key for tx in found)
    return Failure(
        SyncError(
            kind=ErrorKind.RETRIABLE,
            rule=None,
            message=f"Several {doc.path} records in Sage Intacct match {what} ({keys}).",
            fix="Check which one the sync wrote and delete the others, or ask support.",
            cause=f"ambiguous look-up of {doc.path}: {keys}",
        )
    )
