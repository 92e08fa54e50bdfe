"""Payments of Order Entry / Purchasing documents: DOCID in the domain, AR/AP RECORDNO in Intacct.

The domain names an OE/PO invoice by its DOCID (it survives the re-key of rule D19), but a payment
is applied to the AR invoice / AP bill the document posted (``SODOCUMENT.PRRECORDKEY``; that record
has ``MODULEKEY`` ``8.SO`` / ``9.PO`` and ``RECORDID`` = the DOCID). This module translates both
ways (``lookups``: one query per 100 keys):

- going out, an application naming a DOCID (a key that is not a RECORDNO) is re-pointed at the
  document's PRRECORDKEY; a document with none (still a draft: nothing to pay yet) refuses the
  payment with a message saying so;
- coming in, applications naming an AR/AP record posted by OE/PO are re-pointed at its DOCID.

The translation itself (``docids``, ``repoint``, ``pointed``, ``outgoing``, ``as_sent``) is shared
with the REST adapter (``intacct_rest.orderpayments``), which looks the keys up over REST.

Decided: when the company is known to use neither module (``uses_orders`` False, learnt from the
set-up), nothing is looked up, so a plain AR/AP company pays no extra request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.lookups import Lookups
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.enums import Direction, Origin, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import IntacctPayment
from released_intacct.domain.ports import WriteOutcome

LedgerKeys = Awaitable[Result[dict[str, str], SyncError]]
"""DOCID → the key of the ledger record its document posted, for those posted."""
_LEDGERS = {Origin.AR: ("ARINVOICE", "8.SO"), Origin.AP: ("APBILL", "9.PO")}
_DOCUMENTS = {Origin.AR: "SODOCUMENT", Origin.AP: "PODOCUMENT"}


def is_record_no(key: str) -> bool:
    return key.isdigit()


class OrderKeys:
    def __init__(self, lookups: Lookups) -> None:
        self._lookups = lookups
        self.uses_orders: bool | None = None
        """Whether the company uses Order Entry or Purchasing; None until its set-up is read."""

    async def incoming(
        self, origin: Origin, payments: Sequence[IntacctPayment]
    ) -> Result[tuple[IntacctPayment, ...], SyncError]:
        """``payments`` with applications to OE/PO-posted records re-pointed at their DOCIDs."""
        keys = {a.document_key for p in payments for a in p.applications}
        if self.uses_orders is False or not keys:
            return Success(tuple(payments))
        ledger, module = _LEDGERS[origin]
        found = await self._lookups.pairs(
            ledger, "RECORDNO", "RECORDID", keys, extra=q.Eq("MODULEKEY", module)
        )
        if not is_successful(found):
            return Failure(found.failure())
        named = found.unwrap()
        return Success(tuple(repoint(p, named) for p in payments))

    async def outgoing(
        self, writes: Sequence[IntacctWrite]
    ) -> Result[dict[str, Result[IntacctWrite, SyncError]], SyncError]:
        """Payment creates naming DOCIDs, by key: re-pointed at the ledger records, or refused."""

        def ledger_keys(origin: Origin, wanted: set[str]) -> LedgerKeys:
            return self._lookups.pairs(_DOCUMENTS[origin], "DOCID", "PRRECORDKEY", wanted)

        return await outgoing(writes, ledger_keys)


async def outgoing(
    writes: Sequence[IntacctWrite], ledger_keys_of: Callable[[Origin, set[str]], LedgerKeys]
) -> Result[dict[str, Result[IntacctWrite, SyncError]], SyncError]:
    """Payment creates naming DOCIDs, by key: re-pointed at the ledger records, or refused;
    ``ledger_keys_of(origin, docids)`` looks up the key of the ledger record each document
    posted, whichever API asks."""
    named = [(w, w.record) for w in writes if names_documents(w)]
    by_origin: dict[Origin, set[str]] = {}
    for _, payment in named:
        if isinstance(payment, IntacctPayment):
            by_origin.setdefault(payment.origin, set()).update(docids(payment))
    ledger_keys: dict[str, str] = {}
    for origin, wanted in by_origin.items():
        found = await ledger_keys_of(origin, wanted)
        if not is_successful(found):
            return Failure(found.failure())
        ledger_keys.update(found.unwrap())
    return Success(
        {w.key: pointed(w, p, ledger_keys) for w, p in named if isinstance(p, IntacctPayment)}
    )


def names_documents(write: IntacctWrite) -> bool:
    return (
        isinstance(write, CreateInIntacct)
        and isinstance(write.record, IntacctPayment)
        and bool(docids(write.record))
    )


def docids(payment: IntacctPayment) -> set[str]:
    return {a.document_key for a in payment.applications if not is_record_no(a.document_key)}


def repoint(payment: IntacctPayment, keys: Mapping[str, str]) -> IntacctPayment:
    applications = tuple(
        replace(a, document_key=IntacctKey(keys.get(a.document_key, a.document_key)))
        for a in payment.applications
    )
    return replace(payment, applications=applications)


def pointed(
    write: IntacctWrite, payment: IntacctPayment, ledger_keys: Mapping[str, str]
) -> Result[IntacctWrite, SyncError]:
    missing = sorted(docids(payment) - ledger_keys.keys())
    if missing:
        return Failure(_not_posted(write, missing[0]))
    return Success(replace(write, record=repoint(payment, ledger_keys)))


def _not_posted(write: IntacctWrite, docid: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=(
            f"The payment is for {docid}, which is not posted in Sage Intacct yet, so it has "
            "nothing to pay."
        ),
        fix="Approve the invoice in Re-Leased (it posts in Intacct); the payment follows.",
        record=RecordRef(
            record_type=RecordType.PAYMENT,
            direction=Direction.OUTGOING,
            released_id=write.released_id,
        ),
    )


def as_sent(outcome: WriteOutcome, write: IntacctWrite) -> WriteOutcome:
    """A payment written re-pointed reads back with the applications the domain sent."""
    original = write.record
    if not isinstance(original, IntacctPayment):
        return outcome
    restored = outcome.result.map(
        lambda record: (
            replace(record, applications=original.applications)
            if isinstance(record, IntacctPayment)
            else record
        )
    )
    return WriteOutcome(key=outcome.key, result=restored)
