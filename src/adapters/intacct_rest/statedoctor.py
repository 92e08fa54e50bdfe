"""``doctor``'s ``rest.states`` (read-only): the ``state`` values a company's documents and
payments show over REST, against the spellings the readers map (the ledger's "State spellings":
the pages show some, docs/intacct-rest.md marks others **inferred**).

The 100 records modified last of each object (``rows.newest``, a query of ``state`` alone, one
or two a object) are read, and each value they show is judged as the reader would judge it:

- an AR/AP document's state becomes the XML word (``document_fields.state_word``) and must be a
  state the sync knows (``fields.known_state``); one it does not know makes the record a problem
  of its page (M1): reported, not synced;
- an OE/PO document's (the base objects: every transaction definition) is Draft, Submitted,
  Partially approved or Declined, or in the books (``read_documents.order_state``): one of the
  spellings the pages show for the books (``pending``, ``approved``, …) is taken so; any other
  is taken as in the books too, and said, since that is a guess;
- a payment's must be one ``reading.payment_state`` knows; one it does not know is a problem of
  its page.

A value the readers do not know warns, naming it and what the reader makes of it. An OE/PO
object that cannot be read (the company does not subscribe to the module) is said, not judged.
"""

from __future__ import annotations

from typing import Final

from returns.result import Failure

from released_intacct.adapters.intacct.convert.fields import known_state
from released_intacct.adapters.intacct.convert.read_documents import order_state
from released_intacct.adapters.intacct.convert.reading import payment_state
from released_intacct.adapters.intacct_rest.document_fields import DOCUMENTS, state_word
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.payments import PATHS
from released_intacct.adapters.intacct_rest.query import Select, field
from released_intacct.adapters.intacct_rest.rows import newest
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import IntacctState

__all__ = ["findings"]

_CHECK: Final = "rest.states"
_SAMPLE: Final = 100
_UNREAD: Final = "read as a problem of its page: reported, not synced"
_ORDER_BOOKED: Final = frozenset(
    {"pending", "approved", "closed", "converted", "partially converted", "in progress"}
)
"""OE/PO states in the books the pages show (``pending``, ``approved``) or the XML API names."""
_DOCUMENTS: Final = tuple(sorted({doc.path for doc in DOCUMENTS.values() if not doc.order}))
_ORDERS: Final = tuple(sorted({doc.path for doc in DOCUMENTS.values() if doc.order}))
_PAYMENTS: Final = tuple(sorted(PATHS.values()))


async def findings(rest: Rest) -> list[Finding]:
    expected = "documents and payments show states the readers know (the ledger's spellings)"
    unknown: list[str] = []
    seen: list[str] = []
    for path in (*_DOCUMENTS, *_ORDERS, *_PAYMENTS):
        select = Select(object_name=path, fields=("state",))
        read = await newest(rest, select, _SAMPLE, feed=("states", path))
        if isinstance(read, Failure):
            if path in _ORDERS:  # a module the company may not subscribe to
                seen.append(f"{path}: not read ({read.failure().message})")
                continue
            return [Finding(check=_CHECK, verdict=Verdict.UNKNOWN, expected=expected,
                            seen=f"{path}: {read.failure().message}")]  # fmt: skip
        values = sorted({str(field(row, "state") or "") for row in read.unwrap().items})
        seen.append(f"{path}: {', '.join(values) or 'none'}")
        unknown += [f"{path} {v!r} ({taken})" for v in values if (taken := _taken(path, v))]
    if unknown:
        return [Finding(check=_CHECK, verdict=Verdict.WARNING, expected=expected,
                        seen="; ".join(unknown),
                        fix="Tell support, with this report: the records in those states are "
                        "read as said, which may not be what Intacct means.")]  # fmt: skip
    return [Finding(check=_CHECK, verdict=Verdict.OK, expected=expected, seen="; ".join(seen))]


def _taken(path: str, value: str) -> str:
    """What the reader makes of a ``state`` it does not know; "" when it knows it."""
    if path in _PAYMENTS:
        return "" if payment_state(value) is not None else _UNREAD
    word = state_word(value)
    if path in _ORDERS:
        if order_state(word) is not IntacctState.POSTED or word in _ORDER_BOOKED:
            return ""
        return "taken as in the books (posted)"
    return "" if known_state(word) is not None else _UNREAD
