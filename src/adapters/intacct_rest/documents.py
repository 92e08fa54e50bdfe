"""The documents' ``Family`` (``family.Family``): bodies, read-back, look-ups, workflows.

**Finding a create again** (reference section 10: no REST document has an external id):
``find`` asks the documents of the write's party, date and currency with its number and reference
when it has them, and keeps those whose lines' total is the write's: one is the record, none is
None, several is a RETRIABLE error naming their keys (the sync stops rather than guess). Whether
Intacct can restrict them to the API user (``audit.createdBy``) is **not in the pages**: not
asked (**inferred**). ``candidates`` are the party's documents with the write's date, number or
reference (three queries: the pager ANDs its filters), as over XML (``convert.writing.resembling``).

**Updates** (rule D20, drafts only): the PATCH carries the header and the lines the draft
becomes, without keys; a PATCH adds such lines and keeps the others ([RESTDOC]
owner-and-owned-objects), so ``read_back`` then deletes the lines the draft had before. An AR/AP
draft is posted by ``POST /workflows/<object>/submit`` (docs/intacct-rest.md section 8); an OE/PO
document by ``state`` ``pending`` in the PATCH (no OE workflow is in the pages, **inferred**). An
OE/PO document is linked by its DOCID but PATCHed at its REST key (``family.Rekeyed``).
``reverse`` is there for a reversal the product may send one day (it sends none today:
correction 3). What REST cannot carry is refused before sending (``Documents.refusal``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.writer import controlid
from released_intacct.adapters.intacct.written import ref_of
from released_intacct.adapters.intacct_rest.document_bodies import body, unwritable
from released_intacct.adapters.intacct_rest.document_fields import DOCUMENTS, DocObject
from released_intacct.adapters.intacct_rest.document_reads import (
    by_key,
    doc_for,
    documents,
    held_by,
    lines_of,
    one_or_none,
    transaction_held,
    transactions,
)
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import Filter, field
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import IntacctRecord, Transaction

__all__ = ["FAMILY", "Documents", "reverse", "transaction_held", "transactions"]


class Documents:
    """The ``Family`` of AR/AP and OE/PO documents (``family.Family``, ``family.Rekeyed``,
    ``family.ReadsBackAll``)."""

    def handles(self, record: IntacctRecord) -> bool:
        return isinstance(record, Transaction) and (record.origin, record.kind) in DOCUMENTS

    def path(self, record: IntacctRecord) -> str:
        tx = _tx(record)
        return _doc_of(tx).object_of(tx, tx.origin, tx.kind)

    def unwritable(self, record: IntacctRecord) -> str | None:
        """What of ``record`` REST cannot carry (the writer refuses it before sending)."""
        return unwritable(_doc_of(record), _tx(record))

    def refusal(self, write: IntacctWrite) -> SyncError | None:
        """The writer's refusal of a write REST cannot carry, before anything is sent (as the
        XML writer's ``_unwritable``), or None."""
        if not self.handles(write.record):
            return None
        reason = self.unwritable(write.record)
        if reason is None:
            return None
        return SyncError(
            kind=ErrorKind.REJECTED,
            rule=None,
            message=f"This cannot be sent to Sage Intacct's REST API: {reason}",
            fix=(
                "Remove that detail from the record in Re-Leased, enter it in Sage Intacct, or "
                "switch this connection to intacct.api = xml."
            ),
            record=ref_of(write),
        )

    def create_body(self, write: CreateInIntacct) -> dict[str, object]:
        return body(_doc_of(write.record), _tx(write.record))

    def update_body(self, write: UpdateInIntacct) -> dict[str, object]:
        """The header fields and the lines the draft becomes; an AR/AP ``state`` is not written
        (a PATCH of ``state`` is not in the pages): a post is the ``submit`` workflow
        (``read_back``); an OE/PO document's ``state`` is (``pending``: **inferred**, no OE
        workflow is in the pages).
        Lines are sent without keys, so the old ones must go: ``read_back`` deletes those the
        write did not add (``_drop_old_lines``)."""
        doc = _doc_of(write.record)
        made = body(doc, _tx(write.record))
        if not doc.order:
            made.pop("state", None)
        return made

    async def update_key(self, rest: Rest, write: UpdateInIntacct) -> Result[str, SyncError]:
        """An AR/AP document's link key is its REST ``key``; an OE/PO document's is its DOCID
        (its ``id``), read to find the ``key`` a PATCH names (``family.Rekeyed``)."""
        tx = _tx(write.record)
        doc = _doc_of(tx)
        if not doc.order:
            return Success(write.intacct_key)
        found = await held_by(rest, doc, tx.origin, tx.kind, name="id", value=write.intacct_key)
        if isinstance(found, Failure):
            return Failure(found.failure())
        current = found.unwrap()
        if current is None or current.record_no is None:
            return Failure(_missing(doc, write.intacct_key))
        return Success(current.record_no)

    async def read_back(
        self, rest: Rest, write: IntacctWrite, key: str
    ) -> Result[IntacctRecord, SyncError]:
        if isinstance(write, CreateInIntacct):
            (back,) = await self.read_backs(rest, [(write, key)])
            return back
        tx = _tx(write.record)
        doc = _doc_of(tx)
        done = await _settle_update(rest, doc, tx, write, key)
        if isinstance(done, Failure):
            return Failure(done.failure())
        held = await held_by(rest, doc, tx.origin, tx.kind, name="key", value=key)
        if isinstance(held, Failure):
            return Failure(held.failure())
        found = held.unwrap()
        return Success(found) if found is not None else Failure(_gone(doc, key))

    async def read_backs(
        self, rest: Rest, created: Sequence[tuple[CreateInIntacct, str]]
    ) -> tuple[Result[IntacctRecord, SyncError], ...]:
        """The documents created, read whole by the keys Intacct answered: a batch GET of up to
        500 keys per object (``document_reads.by_key``) in place of a query and a GET each. A
        key not held (or none answered) is a RETRIABLE failure of its record alone; a failed
        read fails the records it asked for."""
        asked: dict[tuple[Origin, DocumentKind], list[str]] = {}
        for write, key in created:
            tx = _tx(write.record)
            if key:
                asked.setdefault((tx.origin, tx.kind), []).append(key)
        read: dict[tuple[Origin, DocumentKind, str], Result[Transaction, SyncError]] = {}
        for (origin, kind), keys in asked.items():
            found = await by_key(rest, doc_for(origin, kind), origin, kind, keys)
            if isinstance(found, Failure):
                read.update(((origin, kind, key), Failure(found.failure())) for key in keys)
            else:
                read.update(((origin, kind, key), back) for key, back in found.unwrap().items())
        backs: list[Result[IntacctRecord, SyncError]] = []
        for write, key in created:
            tx = _tx(write.record)
            back = read.get((tx.origin, tx.kind, key))
            backs.append(back if back is not None else Failure(_gone(_doc_of(tx), key)))
        return tuple(backs)

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
        if tx.reference and doc.reference and (doc.order or tx.kind is DocumentKind.INVOICE):
            filters.append(Filter(field=doc.reference, operator="$eq", value=tx.reference))
        found = await documents(rest, doc, tx.origin, tx.kind, *filters, tx=tx)
        if isinstance(found, Failure):
            return Failure(found.failure())
        same = tuple(held for held in found.unwrap() if held.subtotal == tx.subtotal)
        return one_or_none(doc, same, f"the {write.record_type.value} {write.released_id}")

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
            found = await documents(rest, doc, tx.origin, tx.kind, party, other, tx=tx)
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
    if doc.order:  # its state went with the PATCH (pending): no OE workflow is in the pages
        return Success(None)
    held = await held_by(rest, doc, tx.origin, tx.kind, name="key", value=key)
    if isinstance(held, Success) and held.unwrap() is not None:
        current = held.unwrap()
        if current is not None and not current.state.is_unposted:
            return Success(None)  # posted by an earlier try
    sent = await rest.transport.request(
        "POST", f"/workflows/{doc.path}/submit", body={"key": key}, key=f"{controlid(write)}-submit"
    )
    return Success(None) if isinstance(sent, Success) else Failure(sent.failure())


async def _drop_old_lines(
    rest: Rest, doc: DocObject, write: UpdateInIntacct, key: str
) -> Result[None, SyncError]:
    """A PATCH adds lines sent without keys and keeps the others ([RESTDOC]
    owner-and-owned-objects): the lines the draft had before are deleted, keeping the newest
    ``len(write lines)`` (the ones the PATCH added, numbered last)."""
    lines = await lines_of(rest, doc, key)
    if isinstance(lines, Failure):
        return Failure(lines.failure())
    mine = lines.unwrap()
    wanted = len(_tx(write.record).lines)
    old = mine[: max(0, len(mine) - wanted)]
    if not old:
        return Success(None)
    deletes = [{"key": str(field(line, "key")), "ia::operation": "delete"} for line in old]
    path, body = f"/objects/{doc.path}/{key}", {"lines": deletes}
    sent = await rest.transport.request("PATCH", path, body=body, key=f"{controlid(write)}-lines")
    return Success(None) if isinstance(sent, Success) else Failure(sent.failure())


async def reverse(
    rest: Rest, tx: Transaction, key: IntacctKey, *, on: date, memo: str, idempotency: str
) -> Result[IntacctKey, SyncError]:
    """``POST /workflows/<object>/reverse``: the key of the reversing record Intacct answers.
    The date and memo fields' names differ per object (docs/intacct-rest.md section 8)."""
    doc = _doc_of(tx)
    if doc.path not in _REVERSE:
        msg = f"{doc.path} has no reverse workflow in the pages (docs/intacct-rest.md section 8)"
        raise ValueError(msg)
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
    return doc_for(tx.origin, tx.kind)


def _gone(doc: DocObject, key: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Sage Intacct accepted the {doc.path} {key} but does not show it yet.",
        fix="Nothing to do: the sync reads it again shortly.",
        cause=f"read back of {doc.path} {key}: not found",
    )


def _missing(doc: DocObject, key: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Sage Intacct no longer holds the {doc.path} {key}: it may have been deleted.",
        fix="Check the document in Sage Intacct; the sync reads its deletion if it is gone.",
        cause=f"update of {doc.path} {key}: not found",
    )


FAMILY: Final = Documents()
