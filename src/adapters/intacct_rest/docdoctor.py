"""``doctor``'s checks of AR/AP documents over REST (read-only), for what the documents family
relies on and docs/intacct-rest.md marks **inferred**, read from a few documents modified last
(``document_reads.recent``: a query or two and one batch GET per object):

- ``rest.document_find``: no REST document has an external id (section 10), so a create whose
  reply was lost, past the Idempotency-Key's replay, is found again by every field it wrote
  (``documents.Documents.find``: party, date, currency, number, reference, then the lines'
  total). Each sampled AR invoice and AP bill is looked up by that very look-up, as the writer
  sends it: it must be found once, and be itself. A miss (a filter Intacct does not match, such
  as a date with ``$eq`` and ``YYYY-MM-DD``) or a double fails it;
- ``rest.dimension_ids``: the dimension ids on the sampled documents' lines (AR invoices, AP
  bills, and the default OE / PO definitions' documents when the company has them) are ids of
  dimension values Intacct holds (``feeds.ids_held``: a query of ``id $in`` them a dimension).
  Some OE / PO samples show them as ``id--name``: the reader takes a value whole, never cut at
  ``--``, so such a form, or any id no value has, fails it, named;
- ``rest.module_key``: the AR invoice / AP bill an OE / PO document posted (numbered by its
  DOCID, as ``orderpayments`` finds it) shows a ``moduleKey`` the AR / AP feed leaves to the
  OE / PO feed (``document_fields.posted_elsewhere``; its REST spelling is **not in the
  pages**, rule D19): one it does not know fails, as that document would be synced twice. The
  ``moduleKey`` values of the 100 AR invoices and AP bills modified last that are neither
  those nor the pages' plain spellings (``4.AR``, ``accountsReceivable``, ``3.AP``) warn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct_rest.document_fields import (
    DOCUMENTS,
    DocObject,
    posted_elsewhere,
)
from released_intacct.adapters.intacct_rest.document_reads import doc_for, recent
from released_intacct.adapters.intacct_rest.documents import FAMILY
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.feeds import DIMENSION_PATHS, ids_held
from released_intacct.adapters.intacct_rest.query import Filter, Select, field
from released_intacct.adapters.intacct_rest.rows import every_row, newest
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.ports import Page

__all__ = ["findings"]

_SAMPLE: Final = 3
_FOUND_AGAIN: Final = ((Origin.AR, DocumentKind.INVOICE), (Origin.AP, DocumentKind.INVOICE))
_ORDERS: Final = (
    (Origin.ORDER_ENTRY, DocumentKind.INVOICE),
    (Origin.PURCHASING, DocumentKind.INVOICE),
)
_FIND: Final = "rest.document_find"
_MODULES: Final = "rest.module_key"
_MODULES_SAMPLE: Final = 100
_PLAIN_MODULES: Final = frozenset({"", "4.AR", "accountsReceivable", "3.AP", "accountsPayable"})
"""A plain AR invoice's / bill's ``moduleKey``: the pages show ``4.AR`` and ``accountsReceivable``
(AR), ``3.AP`` (AP); ``accountsPayable`` is **inferred** as AR's mirror, and none shown (``""``,
as the simulator answers a record created without one) is read as plain too: an OE-posted
record showing none is what the first half of the check fails."""
_TWICE: Final = (
    "An AR invoice or bill that Order Entry or Purchasing posted would be read by the AR / AP "
    "feed as well as the OE / PO feed, so synced twice (rule D19). Do not confirm this "
    'connection: use intacct.api = "xml" for it, and tell support, with this report.'
)
_DIMENSIONS: Final = "rest.dimension_ids"
_NOT_IDS: Final = (
    "Document lines name dimension values by something other than their ids over REST: the "
    "sync would read those lines with dimension values Intacct does not hold under those ids. "
    'Use intacct.api = "xml" for this connection, and tell support, with this report.'
)
_SHOWN: Final = 3
_NOT_FOUND_AGAIN: Final = (
    "A document whose create reply is lost for more than 48 hours (past the Idempotency-Key's "
    "replay) would not be found again by its fields over REST: the sync would stop at it and "
    'ask you, or could send it again. Use intacct.api = "xml" for this connection (its '
    "documents carry the create's key in EXTERNALID), and tell support, with this report."
)

Samples = Mapping[tuple[Origin, DocumentKind], Result[Page[Transaction], SyncError]]


async def findings(rest: Rest) -> list[Finding]:
    samples = {pair: await recent(rest, *pair, _SAMPLE) for pair in _FOUND_AGAIN}
    orders = {pair: await recent(rest, *pair, _SAMPLE) for pair in _ORDERS}
    return [
        await _found_again(rest, samples),
        await _dimension_ids(rest, {**samples, **orders}),
        await _module_key(rest, orders),
    ]


async def _module_key(rest: Rest, orders: Samples) -> Finding:
    expected = (
        "an AR invoice / AP bill Order Entry or Purchasing posted shows a moduleKey the feed "
        "leaves to the OE / PO feed (D19); the others a plain AR / AP one"
    )
    said: list[str] = []
    wrong: list[str] = []
    for (origin, kind), read in orders.items():
        ledger = DOCUMENTS[Origin.AR if origin.role is ContactRole.CUSTOMER else Origin.AP, kind]
        if isinstance(read, Failure):
            said.append(f"{doc_for(origin, kind).object_of(None, origin, kind)} not read")
            continue
        docids = sorted({tx.link_key for tx in read.unwrap().items})
        by_docid = Filter(field=ledger.number, operator="$in", value=docids)
        posted = await _modules(rest, ledger, by_docid) if docids else Success([])
        if isinstance(posted, Failure):
            return Finding(check=_MODULES, verdict=Verdict.UNKNOWN, expected=expected,
                           seen=posted.failure().message)  # fmt: skip
        found = posted.unwrap()
        said.append(f"{len(found)} {ledger.path} posted by {len(docids)} {origin.value} documents")
        wrong += [
            f"{ledger.path} {number}: moduleKey {module!r}"
            for number, module in found
            if not _left_to_orders(ledger, module)
        ]
    if wrong:
        return Finding(check=_MODULES, verdict=Verdict.FAILED, expected=expected,
                       seen=f"not read as posted elsewhere: {_listed(wrong)}",
                       fix=_TWICE)  # fmt: skip
    odd: list[str] = []
    for origin in (Origin.AR, Origin.AP):
        ledger = DOCUMENTS[origin, DocumentKind.INVOICE]
        last = await _modules(rest, ledger)
        if isinstance(last, Failure):
            return Finding(check=_MODULES, verdict=Verdict.UNKNOWN, expected=expected,
                           seen=last.failure().message)  # fmt: skip
        values = sorted({module for _, module in last.unwrap()})
        said.append(f"{ledger.path}: {', '.join(repr(v) for v in values) or 'none'}")
        odd += [
            f"{ledger.path} {value!r}"
            for value in values
            if value not in _PLAIN_MODULES and not _left_to_orders(ledger, value)
        ]
    if odd:
        return Finding(check=_MODULES, verdict=Verdict.WARNING, expected=expected,
                       seen=f"moduleKey values not known: {_listed(odd)}; {'; '.join(said)}",
                       fix=_TWICE)  # fmt: skip
    return Finding(check=_MODULES, verdict=Verdict.OK, expected=expected, seen="; ".join(said))


async def _modules(
    rest: Rest, ledger: DocObject, match: Filter | None = None
) -> Result[list[tuple[str, str]], SyncError]:
    """(number, moduleKey) of the ledger records ``match`` selects (None: of the
    ``_MODULES_SAMPLE`` modified last)."""
    module = ledger.origin_module or ""
    select = Select(
        object_name=ledger.path,
        fields=(ledger.number, module),
        filters=() if match is None else (match,),
    )
    if match is None:
        read = await newest(rest, select, _MODULES_SAMPLE, feed=("modules", ledger.path))
        rows = read.map(lambda page: list(page.items))
    else:
        rows = await every_row(rest, select)
    return rows.map(
        lambda found: [(str(field(r, ledger.number)), str(field(r, module) or "")) for r in found]
    )


def _left_to_orders(ledger: DocObject, module: str) -> bool:
    """Whether the AR / AP feed leaves a record of this ``moduleKey`` to the OE / PO feed."""
    return posted_elsewhere(ledger, {ledger.origin_module or "": module})


async def _dimension_ids(rest: Rest, samples: Samples) -> Finding:
    expected = "the dimension ids on recent documents' lines are ids of dimension values"
    named: dict[DimensionKind, set[str]] = {}
    unread: list[str] = []
    for (origin, kind), read in samples.items():
        path = doc_for(origin, kind).object_of(None, origin, kind)
        if isinstance(read, Failure):
            if (origin, kind) in _ORDERS:  # a module the company may not subscribe to
                unread.append(f"{path} not read ({read.failure().message})")
                continue
            return Finding(check=_DIMENSIONS, verdict=Verdict.UNKNOWN, expected=expected,
                           seen=read.failure().message)  # fmt: skip
        for tx in read.unwrap().items:
            for line in tx.lines:
                for dimension, value in line.dimensions:
                    named.setdefault(dimension, set()).add(value)
    if not named:
        return Finding(check=_DIMENSIONS, verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no dimension on a recent document's line yet")  # fmt: skip
    ordered = sorted(named.items(), key=lambda pair: pair[0].value)
    unknown: list[str] = []
    for dimension, values in ordered:
        path = DIMENSION_PATHS[dimension]
        held = await ids_held(rest, path, values)
        if isinstance(held, Failure):
            return Finding(check=_DIMENSIONS, verdict=Verdict.UNKNOWN, expected=expected,
                           seen=f"{path}: {held.failure().message}")  # fmt: skip
        unknown += [
            f"{dimension.value.lower()} {value!r}"
            + (" (the id--name form)" if "--" in value else "")
            for value in sorted(values - held.unwrap())
        ]
    shown = ", ".join(f"{dimension.value.lower()} {len(values)}" for dimension, values in ordered)
    seen = f"ids read: {shown}" + (f"; {'; '.join(unread)}" if unread else "")
    if unknown:
        return Finding(check=_DIMENSIONS, verdict=Verdict.FAILED, expected=expected,
                       seen=f"not a dimension value's id: {_listed(unknown)}; {seen}",
                       fix=_NOT_IDS)  # fmt: skip
    return Finding(check=_DIMENSIONS, verdict=Verdict.OK, expected=expected, seen=seen)


async def _found_again(rest: Rest, samples: Samples) -> Finding:
    expected = (
        "each recent AR invoice and AP bill is found once, itself, by the look-up of a create "
        "whose reply was lost (party, date, currency, number, reference, total)"
    )
    asked: list[str] = []
    wrong: list[str] = []
    for (origin, kind), read in samples.items():
        if isinstance(read, Failure):
            return Finding(check=_FIND, verdict=Verdict.UNKNOWN, expected=expected,
                           seen=read.failure().message)  # fmt: skip
        path = doc_for(origin, kind).path
        for tx in read.unwrap().items:
            asked.append(f"{path} {tx.link_key}")
            problem = await _looked_up(rest, tx)
            if problem:
                wrong.append(f"{path} {tx.link_key}: {problem}")
    if not asked:
        return Finding(check=_FIND, verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no AR invoice or AP bill yet")  # fmt: skip
    if wrong:
        return Finding(check=_FIND, verdict=Verdict.FAILED, expected=expected,
                       seen=_listed(wrong), fix=_NOT_FOUND_AGAIN)  # fmt: skip
    return Finding(check=_FIND, verdict=Verdict.OK, expected=expected,
                   seen=f"each found once: {_listed(asked)}")  # fmt: skip


async def _looked_up(rest: Rest, tx: Transaction) -> str:
    """What is wrong with finding ``tx`` again as its own create would be ("" when nothing)."""
    write = CreateInIntacct(
        key=IdempotencyKey("ri-doctor-finds-again"),
        record_type=RecordType.INVOICE,
        released_id=ReleasedId("doctor"),
        record=tx,
        source_fingerprint="",
    )
    found = await FAMILY.find(rest, write)
    if isinstance(found, Failure):
        error: SyncError = found.failure()
        return error.message
    held = found.unwrap()
    if held is None:
        return "not found"
    if not isinstance(held, Transaction) or held.link_key != tx.link_key:
        return f"found {held.link_key if isinstance(held, Transaction) else held} instead"
    return ""


def _listed(items: list[str]) -> str:
    more = len(items) - _SHOWN
    return "; ".join(items[:_SHOWN]) + (f" (and {more} more)" if more > 0 else "")
