"""The Re-Leased adapter: the domain's ``ReleasedPort`` over the REST model (docs/released-rest.md).

Record types and resources (see ``resources.py``): an ``Invoice`` goes to ``invoices`` or
``credit-notes`` by its ``kind``; a ``TrackingOption`` is written through its category
(``tracking.py``); a ``Payment`` is applied by a create on ``payments`` and removed by ``void``
(``POST /api/payments/{id}/delete``); a payment is never updated (``update`` of one whose status
is Deleted deletes it, any other is refused).

Writes:
- ``create(key, record)`` POSTs the record's writable fields with ``Idempotency-Key: key``,
  proposing ``record.id``; the transport repeats it with the same key and body after a dropped
  connection, a time-out or a 5xx, and the server replays the first response, so it never
  creates twice.
- ``update(record)`` PUTs the record with its ``version``. Records built from Intacct carry no
  version (accounts, tax types and categories have none in the domain; a contact or document with
  ``version`` 0): the current version is read first (Intacct owns what is written). A 409
  ``version_conflict`` is a RETRIABLE error "changed in Re-Leased meanwhile", never a success.
- ``set_archived`` and ``void`` POST the action; when Re-Leased refuses it, the record is read and
  the call succeeds if it is already in the wanted state (so a repeated action is harmless).
- Every write says ``X-Sync-Source: intacct``: the product writes only what comes from Intacct.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from typing import TypeVar

import httpx
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.released import resources as res
from released_intacct.adapters.released.feeds import RawPage, finish, read_page
from released_intacct.adapters.released.pricing import Pricing
from released_intacct.adapters.released.settings import ReleasedSettings
from released_intacct.adapters.released.tracking import Options
from released_intacct.adapters.released.transport import Http, Sleep
from released_intacct.adapters.released.writer import Writer
from released_intacct.domain.enums import DocumentKind, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.domain.secret import Secret

__all__ = ["ReleasedAdapter"]

W = TypeVar("W")
R = TypeVar("R")


class ReleasedAdapter:
    """Change feeds and idempotent writes for one Re-Leased company."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: Secret,
        company_id: str,
        settings: ReleasedSettings | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings or ReleasedSettings()
        self.http = Http(
            client,
            base_url=base_url,
            api_key=api_key,
            company_id=company_id,
            settings=self.settings,
            sleep=sleep,
            jitter=jitter,
        )
        self._options = Options(self.http, page_size=self.settings.page_size)
        self._pricing = Pricing(self.http)
        self._writer = Writer(self.http, self._pricing)

    def __repr__(self) -> str:
        return f"ReleasedAdapter({self.http!r})"

    # --- feeds -----------------------------------------------------------------------------------

    def contacts(self, query: FeedQuery) -> FutureResult[Page[Contact], SyncError]:
        return FutureResult(self._feed(res.CONTACTS, query))

    def invoices(
        self, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Invoice], SyncError]:
        if kind is DocumentKind.INVOICE:
            return FutureResult(self._feed(res.INVOICES, query))
        return FutureResult(self._feed(res.CREDIT_NOTES, query))

    def payments(self, query: FeedQuery) -> FutureResult[Page[Payment], SyncError]:
        return FutureResult(self._payments(query))

    def accounts(self, query: FeedQuery) -> FutureResult[Page[Account], SyncError]:
        return FutureResult(self._feed(res.ACCOUNTS, query))

    def tax_types(self, query: FeedQuery) -> FutureResult[Page[TaxType], SyncError]:
        return FutureResult(self._feed(res.TAX_TYPES, query))

    def tracking_categories(
        self, query: FeedQuery
    ) -> FutureResult[Page[TrackingCategory], SyncError]:
        return FutureResult(self._feed(res.TRACKING_CATEGORIES, query))

    def document_held(
        self, kind: DocumentKind, released_id: ReleasedId
    ) -> FutureResult[Invoice | None, SyncError]:
        return FutureResult(self._writer.document_held(kind, released_id))

    async def _raw(
        self, resource: res.Resource[W, R], query: FeedQuery
    ) -> Result[RawPage[W], SyncError]:
        size = min(self.settings.page_size, query.size or self.settings.page_size)
        return await read_page(self.http, resource, query, size=size)

    async def _feed(
        self, resource: res.Resource[W, R], query: FeedQuery
    ) -> Result[Page[R], SyncError]:
        return (await self._raw(resource, query)).map(lambda raw: finish(raw, resource.convert))

    async def _payments(self, query: FeedQuery) -> Result[Page[Payment], SyncError]:
        raw = await self._raw(res.PAYMENTS, query)
        if not is_successful(raw):
            return Failure(raw.failure())
        convert = await self._pricing.converter(raw.unwrap().wires)
        return convert.map(lambda to_domain: finish(raw.unwrap(), to_domain))

    # --- writes ----------------------------------------------------------------------------------

    def create(
        self, key: IdempotencyKey, record: ReleasedRecord
    ) -> FutureResult[ReleasedRecord, SyncError]:
        if isinstance(record, TrackingOption):
            return FutureResult(self._options.create(record))
        return FutureResult(self._writer.create(key, record))

    def create_all(
        self, writes: Sequence[tuple[IdempotencyKey, ReleasedRecord]]
    ) -> FutureResult[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
        """Tracking options in one write per category; every other record on its own."""
        return FutureResult(self._create_all(writes))

    async def _create_all(
        self, writes: Sequence[tuple[IdempotencyKey, ReleasedRecord]]
    ) -> Result[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
        options = [(i, r) for i, (_, r) in enumerate(writes) if isinstance(r, TrackingOption)]
        outcomes: dict[int, Result[ReleasedRecord, SyncError]] = {}
        made = await self._options.create_all([option for _, option in options])
        outcomes.update((index, done) for (index, _), done in zip(options, made, strict=True))
        for index, (key, record) in enumerate(writes):
            if index not in outcomes:
                outcomes[index] = await self._writer.create(key, record)
        return Success(tuple(outcomes[index] for index in range(len(writes))))

    def update(self, record: ReleasedRecord) -> FutureResult[ReleasedRecord, SyncError]:
        if isinstance(record, TrackingOption):
            return FutureResult(self._options.update(record))
        if isinstance(record, Payment):
            return FutureResult(self._writer.delete_payment(record))
        return FutureResult(self._writer.update(record))

    def set_archived(
        self, record_type: RecordType, released_id: ReleasedId, *, archived: bool
    ) -> FutureResult[None, SyncError]:
        if record_type is RecordType.TRACKING_OPTION:
            return FutureResult(self._options.set_archived(released_id, archived=archived))
        action, wanted = ("archive", "Archived") if archived else ("unarchive", "Active")
        act = self._writer.act
        match record_type:
            case RecordType.CONTACT:
                return FutureResult(act(res.CONTACTS, released_id, action, wanted))
            case RecordType.ACCOUNT:
                return FutureResult(act(res.ACCOUNTS, released_id, action, wanted))
            case RecordType.TAX_TYPE:
                return FutureResult(act(res.TAX_TYPES, released_id, action, wanted))
            case RecordType.TRACKING_CATEGORY:
                return FutureResult(act(res.TRACKING_CATEGORIES, released_id, action, wanted))
        msg = f"{record_type.value} records are not archived in Re-Leased"
        raise ValueError(msg)

    def void(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> FutureResult[None, SyncError]:
        act = self._writer.act
        match record_type:
            case RecordType.PAYMENT:
                return FutureResult(act(res.PAYMENTS, released_id, "delete", "Deleted"))
            case RecordType.INVOICE:
                return FutureResult(act(res.INVOICES, released_id, "void", "Voided"))
            case RecordType.CREDIT_NOTE:
                return FutureResult(act(res.CREDIT_NOTES, released_id, "void", "Voided"))
        msg = f"{record_type.value} records cannot be voided"
        raise ValueError(msg)

    def find_by_key(
        self, record_type: RecordType, key: IdempotencyKey
    ) -> FutureResult[ReleasedRecord | None, SyncError]:
        if record_type is RecordType.TRACKING_OPTION:
            return FutureResult(self._options.find(key))
        return FutureResult(self._writer.find(record_type, key))
