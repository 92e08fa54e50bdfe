"""Payments of Order Entry / Purchasing documents over REST, as over XML (``intacct.orderkeys``):
the domain names an OE/PO invoice by its DOCID, Intacct applies a payment to the AR invoice / AP
bill the document posted.

That record is the ledger object's (``accounts-receivable/invoice``, ``accounts-payable/bill``)
whose ``moduleKey`` says Order Entry / Purchasing posted it (``document_fields.posted_elsewhere``)
and whose number (``invoiceNumber`` / ``billNumber``: XML's RECORDID) is the document's DOCID
(the XML fact ``orderkeys`` relies on; the REST names are docs/intacct-rest.md 4.6 and 4.8). So:

- going out, a payment naming DOCIDs is re-pointed at the ledger records numbered so; a DOCID
  with none (the document is still a draft) refuses the payment, saying so (``orderkeys.pointed``);
- coming in, applications to a ledger record posted by OE/PO are re-pointed at its DOCID.

One query per 1,000 keys (``$in``, **inferred** bound as the XML one). The adapter skips both when
the company uses neither module (its set-up), so a plain AR/AP company pays no extra request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import orderkeys
from released_intacct.adapters.intacct.orderkeys import as_sent, repoint
from released_intacct.adapters.intacct_rest.document_fields import (
    DOCUMENTS,
    DocObject,
    posted_elsewhere,
)
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import Filter, Select, field
from released_intacct.adapters.intacct_rest.rows import every_row
from released_intacct.domain.actions import IntacctWrite
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IdempotencyKey
from released_intacct.domain.intacct import IntacctPayment, IntacctRecord
from released_intacct.domain.ports import IntacctSetup, Page, WriteOutcome

__all__ = ["OrderPayments", "incoming", "outgoing"]

Send = Callable[[Sequence[IntacctWrite]], Awaitable[Result[tuple[WriteOutcome, ...], SyncError]]]

_IN_MAX: Final = 1000


def _ledger(origin: Origin) -> DocObject:
    return DOCUMENTS[origin, DocumentKind.INVOICE]


async def _posted_by_orders(
    rest: Rest, origin: Origin, by: str, values: Sequence[str]
) -> Result[list[tuple[str, str]], SyncError]:
    """(key, number) of the ledger records posted by OE/PO whose ``by`` is one of ``values``."""
    doc = _ledger(origin)
    module = doc.origin_module
    if module is None:
        return Success([])
    found: list[tuple[str, str]] = []
    for at in range(0, len(values), _IN_MAX):
        select = Select(
            object_name=doc.path,
            fields=(doc.number, module),
            filters=(Filter(field=by, operator="$in", value=list(values[at : at + _IN_MAX])),),
        )
        rows = await every_row(rest, select)
        if isinstance(rows, Failure):
            return Failure(rows.failure())
        found += [
            (str(field(row, "key")), str(field(row, doc.number)))
            for row in rows.unwrap()
            if posted_elsewhere(doc, row) and field(row, doc.number) is not None
        ]
    return Success(found)


async def incoming(
    rest: Rest, origin: Origin, payments: Sequence[IntacctPayment]
) -> Result[tuple[IntacctPayment, ...], SyncError]:
    """``payments`` with applications to OE/PO-posted records re-pointed at their DOCIDs."""
    keys = sorted({a.document_key for p in payments for a in p.applications})
    if not keys:
        return Success(tuple(payments))
    found = await _posted_by_orders(rest, origin, "key", keys)
    if isinstance(found, Failure):
        return Failure(found.failure())
    named: Mapping[str, str] = dict(found.unwrap())
    return Success(tuple(repoint(p, named) for p in payments))


async def outgoing(
    rest: Rest, writes: Sequence[IntacctWrite]
) -> Result[dict[str, Result[IntacctWrite, SyncError]], SyncError]:
    """Payment creates naming DOCIDs, by key: re-pointed at the ledger records, or refused."""

    async def ledger_keys(origin: Origin, wanted: set[str]) -> Result[dict[str, str], SyncError]:
        found = await _posted_by_orders(rest, origin, _ledger(origin).number, sorted(wanted))
        return found.map(lambda pairs: {number: key for key, number in pairs})

    return await orderkeys.outgoing(writes, ledger_keys)


class OrderPayments:
    """The translation for one adapter: skipped while its company is known to use neither
    module (``learn``: from the set-up a run starts with)."""

    def __init__(self, rest: Rest) -> None:
        self._rest = rest
        self.uses_orders: bool | None = None
        """Whether the company uses Order Entry or Purchasing; None until its set-up is read."""

    def learn(self, setup: IntacctSetup) -> IntacctSetup:
        self.uses_orders = setup.order_entry or setup.purchasing
        return setup

    async def page(
        self, origin: Origin, read: Result[Page[IntacctPayment], SyncError]
    ) -> Result[Page[IntacctPayment], SyncError]:
        """A page of the payments feed, its OE/PO-posted applications named by DOCID."""
        if isinstance(read, Failure) or self.uses_orders is False:
            return read
        page = read.unwrap()
        pointed_items = await incoming(self._rest, origin, page.items)
        return pointed_items.map(lambda items: replace(page, items=items))

    async def records(
        self, records: Sequence[IntacctRecord]
    ) -> Result[tuple[IntacctRecord, ...], SyncError]:
        """Records a look-up found, payments among them re-pointed as the feed does."""
        found = list(records)
        if self.uses_orders is False:
            return Success(tuple(found))
        for at, record in enumerate(found):
            if isinstance(record, IntacctPayment):
                read = await incoming(self._rest, record.origin, [record])
                if isinstance(read, Failure):
                    return Failure(read.failure())
                (found[at],) = read.unwrap()
        return Success(tuple(found))

    async def write(
        self, batch: Sequence[IntacctWrite], send: Send
    ) -> Result[tuple[WriteOutcome, ...], SyncError]:
        """``send`` the batch with payments of OE/PO documents re-pointed at their ledger
        records (refused when a document is not posted); what comes back names the documents
        again, as the domain sent them."""
        translated = await outgoing(self._rest, batch)
        if isinstance(translated, Failure):
            return Failure(translated.failure())
        changed = translated.unwrap()
        refused = {
            key: WriteOutcome(key=IdempotencyKey(key), result=Failure(result.failure()))
            for key, result in changed.items()
            if isinstance(result, Failure)
        }
        sent = [
            changed[w.key].unwrap() if w.key in changed else w
            for w in batch
            if w.key not in refused
        ]
        written = await send(sent) if sent else Success(())
        if isinstance(written, Failure):
            return Failure(written.failure())
        outcomes = {o.key: o for o in written.unwrap()}
        return Success(
            tuple(
                refused.get(w.key) or as_sent(outcomes[w.key], w)
                for w in batch
                if w.key in refused or w.key in outcomes
            )
        )
