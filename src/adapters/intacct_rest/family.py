"""What the REST writer needs of one family of records (parties, items, documents, payments).

The writer (``writer.py``) is generic: it groups a batch's writes by the ``Family`` that handles
each record, creates them through ``batch.Batches`` at the family's ``path`` with the family's
``create_body`` (deterministic: the same write gives the same bytes, so a re-sent
``Idempotency-Key`` replays it, [RESTDOC] bulk-requests, "Preventing Duplicate Requests"),
updates with ``update_body``, then asks ``read_back`` for the record as Intacct holds it. Anything
a write needs beyond that one POST or PATCH (a workflow: submit, post, reverse) is the family's
job inside ``read_back`` through ``rest``. A family that can read many creates back at once
(``ReadsBackAll``: the documents, by a batch GET of their keys) is asked once for a batch's
creates instead of once per record. ``find`` and ``candidates`` are read-only (the contract says
a never-written create is None).

``Rest`` bundles what a family may use: the transport (one request at the adapter's entity under
its governor), the query pager, the batch writer, the settings and the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from returns.result import Result

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct_rest.batch import Batches
from released_intacct.adapters.intacct_rest.query import QueryPages
from released_intacct.adapters.intacct_rest.transport import RestTransport
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.errors import SyncError
from released_intacct.domain.intacct import IntacctRecord
from released_intacct.domain.ports import Clock

__all__ = ["Family", "ReadsBackAll", "Rekeyed", "Rest"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rest:
    """One company's REST API at one entity, as the adapter holds it."""

    transport: RestTransport
    pages: QueryPages
    batches: Batches
    settings: ClientSettings
    clock: Clock


class Family(Protocol):
    """The conversions and look-ups of one family of records over REST."""

    def handles(self, record: IntacctRecord) -> bool:
        """Whether this family writes ``record``."""

    def path(self, record: IntacctRecord) -> str:
        """The object ``record`` is written to, ``<module>/<object>`` without ``/objects/``:
        ``accounts-receivable/invoice``, ``order-entry/document::Sales Invoice``."""

    def create_body(self, write: CreateInIntacct) -> dict[str, object]:
        """The POST body; the same write gives the same body."""

    def update_body(self, write: UpdateInIntacct) -> dict[str, object]:
        """The PATCH body (sent to ``path/<intacct_key>``)."""

    async def read_back(
        self, rest: Rest, write: IntacctWrite, key: str
    ) -> Result[IntacctRecord, SyncError]:
        """The record as Intacct holds it after ``write`` (``key``: the ``key`` Intacct
        answered), after any workflow the write needs."""

    async def find(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[IntacctRecord | None, SyncError]:
        """The record ``write`` created, or None; read-only."""

    async def candidates(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[tuple[IntacctRecord, ...], SyncError]:
        """Records that may be the copy ``write`` created without its key (issue 16, F3)."""


@runtime_checkable
class Rekeyed(Protocol):
    """A family whose link key is not the REST ``key`` an update is sent to (an OE/PO document:
    linked by its DOCID, the REST ``id``; its PATCH goes to ``…/<key>``, its RECORDNO)."""

    async def update_key(self, rest: Rest, write: UpdateInIntacct) -> Result[str, SyncError]:
        """The REST ``key`` of the record ``write`` updates."""


@runtime_checkable
class ReadsBackAll(Protocol):
    """A family that reads a batch's creates back together (``Family.read_back`` of each, in
    fewer requests)."""

    async def read_backs(
        self, rest: Rest, created: Sequence[tuple[CreateInIntacct, str]]
    ) -> tuple[Result[IntacctRecord, SyncError], ...]:
        """``read_back`` of each (write, answered key), in the order given."""
