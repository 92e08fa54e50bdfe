"""AR/AP documents over REST: the feed, ``transaction_held`` and the documents' ``Family``.

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

**Finding a create again** (reference section 10: no REST document has an external id):
``find`` asks the documents of the write's party, date and currency with its number and reference
when it has them, and keeps those whose lines' total is the write's: one is the record, none is
None, several is a RETRIABLE error naming their keys (the sync stops rather than guess). Whether
Intacct can restrict them to the API user (``audit.createdBy``) is **not in the pages**: not
asked (**inferred**; ``doctor`` reports it). ``candidates`` are the party's documents with the
write's date, number or reference (three queries: the pager ANDs its filters), as over XML
(``convert.writing.resembling``).

**Workflows**: an update that posts a draft (``UpdateInIntacct.post``) PATCHes the draft, then
``POST /workflows/<object>/submit`` (docs/intacct-rest.md section 8); ``reverse`` is there for a
reversal the product may send one day (it sends none today: correction 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date
from decimal import Decimal
from typing import Any, Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.convert import read_documents
from released_intacct.adapters.intacct.convert.fields import PAIRED
from released_intacct.adapters.intacct.convert.fields import Row as XmlRow
from released_intacct.adapters.intacct.reversals import PREFIX, best
from released_intacct.adapters.intacct_rest.document_fields import (
    DOCUMENTS,
    DocObject,
    body,
    posted_elsewhere,
    row,
    unwritable,
)
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import QUERY_PATH, Filter, Row, Select, field
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import IntacctRecord, Transaction
from released_intacct.domain.ports import FeedQuery, Page

__all__ = ["FAMILY", "Documents", "reverse", "transaction_held", "transactions"]

_KEYS_A_GET: Final = 500
_ROWS_A_PAGE: Final = 4000


def _doc(origin: Origin, kind: DocumentKind) -> DocObject:
    found = DOCUMENTS.get((origin, kind))
    if found is None:
        msg = f"{origin.value} {kind.value} documents are not read over REST yet"
        raise ValueError(msg)
    return found


def _select(doc: DocObject, *filters: Filter) -> Select:
    return Select(object_name=doc.path, fields=doc.header_fields, filters=filters)


async def transactions(
    rest: Rest, origin: Origin, kind: DocumentKind, query: FeedQuery
) -> Result[Page[Transaction], SyncError]:
    """One page of the documents of ``origin`` and ``kind`` changed since ``query.since``."""
    doc = _doc(origin, kind)
    read = await rest.pages.page(_select(doc), query, feed=("documents", doc.path))
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
    """The document ``key`` as Intacct holds it now, or None when it is gone (rule D20)."""
    doc = _doc(origin, kind)
    found = await _documents(
        rest, doc, origin, kind, Filter(field="key", operator="$eq", value=key)
    )
    return found.bind(lambda held: _one_or_none(doc, held, f"key {key}"))


async def _documents(
    rest: Rest, doc: DocObject, origin: Origin, kind: DocumentKind, *filters: Filter
) -> Result[tuple[Transaction, ...], SyncError]:
    """Every document matching ``filters`` (ANDed), read whole; one unreadable fails."""
    headers = await _every(rest, _select(doc, *filters))
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
    whole = await _whole(rest, doc, keys)
    if isinstance(whole, Failure):
        return Failure(whole.failure())
    records = whole.unwrap()
    items: list[Transaction] = []
    problems: list[SyncError] = []
    for key in keys:
        record = records.get(key)
        if record is None:  # deleted since the query: its deletion is read by the audit feed
            continue
        lines = record.get("lines")
        mine = [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []
        paired = await _paired(rest, doc, row(doc, origin, kind, record, mine))
        if isinstance(paired, Failure):
            return Failure(paired.failure())
        read = read_documents.transaction(origin, kind, paired.unwrap(), tz=UTC)
        if isinstance(read, Failure):
            problems.append(read.failure())
        else:
            items.append(read.unwrap())
    return Success((tuple(items), tuple(problems)))


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
    found = await _every(rest, select)
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


async def _whole(
    rest: Rest, doc: DocObject, keys: Sequence[str]
) -> Result[dict[str, Row], SyncError]:
    """The records ``keys`` as a GET shows them (header, ``lines``, their ``taxEntries``), by
    key: ``GET /objects/<path>/<key>,<key>…``, 500 keys a request ([RESTDOC] bulk-requests,
    "GET (Batch Retrieval)"; the bound is **inferred**). One key answers an object, several a
    list of those found."""
    found: dict[str, Row] = {}
    for at in range(0, len(keys), _KEYS_A_GET):
        chunk = ",".join(keys[at : at + _KEYS_A_GET])
        sent = await rest.transport.request("GET", f"/objects/{doc.path}/{chunk}")
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        result = sent.unwrap().envelope.result
        records = result if isinstance(result, list) else [result]
        found.update((str(r.get("key")), r) for r in records if isinstance(r, dict))
    return Success(found)


async def _lines(rest: Rest, doc: DocObject, key: str) -> Result[list[Row], SyncError]:
    """The lines of the document ``key`` as Intacct holds them now, in order."""
    whole = await _whole(rest, doc, [key])
    if isinstance(whole, Failure):
        return Failure(whole.failure())
    lines = whole.unwrap().get(key, {}).get("lines")
    return Success(
        [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []
    )


async def _every(rest: Rest, select: Select) -> Result[list[Row], SyncError]:
    """Every row of a query that is not a feed (no cursor, nothing remembered), page by page."""
    rows: list[Row] = []
    start: int | None = 1
    while start is not None:
        sent = await rest.transport.request(
            "POST", QUERY_PATH, body=select.body(since=None, start=start, size=_ROWS_A_PAGE)
        )
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        envelope = sent.unwrap().envelope
        found = envelope.result if isinstance(envelope.result, list) else []
        rows.extend(r for r in found if isinstance(r, dict))
        following = None if envelope.meta is None else envelope.meta.next
        start = following if following is not None and following > start else None
    return Success(rows)


def _one_or_none(
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


# --- writing ------------------------------------------------------------------------------


def _total(tx: Transaction) -> Decimal:
    return sum((line.amount for line in tx.lines), Decimal(0))


class Documents:
    """The ``Family`` of AR/AP documents (``family.Family``)."""

    def handles(self, record: IntacctRecord) -> bool:
        return isinstance(record, Transaction) and (record.origin, record.kind) in DOCUMENTS

    def path(self, record: IntacctRecord) -> str:
        return _doc_of(record).path

    def unwritable(self, record: IntacctRecord) -> str | None:
        """What of ``record`` REST cannot carry (the writer refuses it before sending)."""
        return unwritable(_doc_of(record), _tx(record))

    def create_body(self, write: CreateInIntacct) -> dict[str, object]:
        return body(_doc_of(write.record), _tx(write.record))

    def update_body(self, write: UpdateInIntacct) -> dict[str, object]:
        """The header fields and the lines the draft becomes; ``state`` is not written (a PATCH
        of ``state`` is not in the pages): a post is the ``submit`` workflow (``read_back``).
        Lines are sent without keys, so the old ones must go: ``read_back`` deletes those the
        write did not add (``_drop_old_lines``)."""
        made = body(_doc_of(write.record), _tx(write.record))
        made.pop("state", None)
        return made

    async def read_back(
        self, rest: Rest, write: IntacctWrite, key: str
    ) -> Result[IntacctRecord, SyncError]:
        tx = _tx(write.record)
        doc = _doc_of(tx)
        if isinstance(write, UpdateInIntacct):
            done = await _settle_update(rest, doc, tx, write, key)
            if isinstance(done, Failure):
                return Failure(done.failure())
        held = await transaction_held(rest, tx.origin, tx.kind, IntacctKey(key))
        if isinstance(held, Failure):
            return Failure(held.failure())
        found = held.unwrap()
        return Success(found) if found is not None else Failure(_gone(doc, key))

    async def find(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[IntacctRecord | None, SyncError]:
        tx = _tx(write.record)
        doc = _doc_of(tx)
        filters = [
            Filter(field=doc.party, operator="$eq", value=tx.party_id),
            Filter(field=doc.date, operator="$eq", value=tx.invoice_date.isoformat()),
            Filter(field=doc.currency, operator="$eq", value=tx.currency),
        ]
        if tx.number:
            filters.append(Filter(field=doc.number, operator="$eq", value=tx.number))
        if tx.reference and doc.reference and tx.kind is DocumentKind.INVOICE:
            filters.append(Filter(field=doc.reference, operator="$eq", value=tx.reference))
        found = await _documents(rest, doc, tx.origin, tx.kind, *filters)
        if isinstance(found, Failure):
            return Failure(found.failure())
        same = tuple(held for held in found.unwrap() if _total(held) == _total(tx))
        return _one_or_none(doc, same, f"the {write.record_type.value} {write.released_id}")

    async def candidates(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[tuple[IntacctRecord, ...], SyncError]:
        tx = _tx(write.record)
        doc = _doc_of(tx)
        party = Filter(field=doc.party, operator="$eq", value=tx.party_id)
        alike = [Filter(field=doc.date, operator="$eq", value=tx.invoice_date.isoformat())]
        if tx.number:
            alike.append(Filter(field=doc.number, operator="$eq", value=tx.number))
        if tx.reference and doc.reference:
            alike.append(Filter(field=doc.reference, operator="$eq", value=tx.reference))
        seen: dict[str, Transaction] = {}
        for other in alike:
            found = await _documents(rest, doc, tx.origin, tx.kind, party, other)
            if isinstance(found, Failure):
                return Failure(found.failure())
            seen.update((held.link_key, held) for held in found.unwrap())
        return Success(tuple(seen[k] for k in sorted(seen, key=lambda k: (len(k), k))))


async def _settle_update(
    rest: Rest, doc: DocObject, tx: Transaction, write: UpdateInIntacct, key: str
) -> Result[None, SyncError]:
    """After the PATCH of a draft: drop the lines it replaced, then post it when asked."""
    dropped = await _drop_old_lines(rest, doc, write, key)
    if isinstance(dropped, Failure):
        return dropped
    if not (write.post or not tx.state.is_unposted):
        return Success(None)
    held = await transaction_held(rest, tx.origin, tx.kind, IntacctKey(key))
    if isinstance(held, Success) and held.unwrap() is not None:
        current = held.unwrap()
        if current is not None and not current.state.is_unposted:
            return Success(None)  # posted by an earlier try
    sent = await rest.transport.request(
        "POST", f"/workflows/{doc.path}/submit", body={"key": key}, key=f"{write.key}-submit"
    )
    return Success(None) if isinstance(sent, Success) else Failure(sent.failure())


async def _drop_old_lines(
    rest: Rest, doc: DocObject, write: UpdateInIntacct, key: str
) -> Result[None, SyncError]:
    """A PATCH adds lines sent without keys and keeps the others ([RESTDOC]
    owner-and-owned-objects): the lines the draft had before are deleted, keeping the newest
    ``len(write lines)`` (the ones the PATCH added, numbered last)."""
    lines = await _lines(rest, doc, key)
    if isinstance(lines, Failure):
        return Failure(lines.failure())
    mine = lines.unwrap()
    wanted = len(_tx(write.record).lines)
    old = mine[: max(0, len(mine) - wanted)]
    if not old:
        return Success(None)
    deletes = [{"key": str(field(line, "key")), "ia::operation": "delete"} for line in old]
    sent = await rest.transport.request(
        "PATCH", f"/objects/{doc.path}/{key}", body={"lines": deletes}, key=f"{write.key}-lines"
    )
    return Success(None) if isinstance(sent, Success) else Failure(sent.failure())


async def reverse(
    rest: Rest, tx: Transaction, key: IntacctKey, *, on: date, memo: str, idempotency: str
) -> Result[IntacctKey, SyncError]:
    """``POST /workflows/<object>/reverse``: the key of the reversing record Intacct answers.
    The date and memo fields' names differ per object (docs/intacct-rest.md section 8)."""
    doc = _doc_of(tx)
    date_field, memo_field = _REVERSE[doc.path]
    sent = await rest.transport.request(
        "POST",
        f"/workflows/{doc.path}/reverse",
        body={"key": key, date_field: on.isoformat(), memo_field: memo},
        key=idempotency,
    )
    if isinstance(sent, Failure):
        return Failure(sent.failure())
    result = sent.unwrap().envelope.result
    made = field(result, "key") if isinstance(result, Mapping) else None
    return Success(IntacctKey(str(made))) if made else Failure(_gone(doc, key))


_REVERSE: Final = {
    "accounts-receivable/invoice": ("reversedDate", "memo"),
    "accounts-receivable/adjustment": ("reversedDate", "memo"),
    "accounts-payable/bill": ("reverseDate", "notes"),
    "accounts-payable/adjustment": ("reverseDate", "memo"),
}


def _tx(record: IntacctRecord) -> Transaction:
    if not isinstance(record, Transaction):
        msg = f"the documents family writes transactions, not {type(record).__name__}"
        raise TypeError(msg)
    return record


def _doc_of(record: IntacctRecord) -> DocObject:
    tx = _tx(record)
    return _doc(tx.origin, tx.kind)


def _gone(doc: DocObject, key: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Sage Intacct accepted the {doc.path} {key} but does not show it yet.",
        fix="Nothing to do: the sync reads it again shortly.",
        cause=f"read back of {doc.path} {key}: not found",
    )


FAMILY: Final = Documents()
