"""Ports that fail on demand, wrapped around the in-memory Intacct and Re-Leased fakes.

A ``Faults`` schedule names calls by target and number (``"intacct.write"`` call 2, counted from 0
since the schedule was armed) and how each fails:

- ``Fault.BEFORE``: the call is refused with a RETRIABLE error and nothing happens (throttling,
  a 5xx before the request was handled, a dropped connection on the way out);
- ``Fault.AFTER``: the call is made (the write lands) and the caller still gets a RETRIABLE error
  (the answer was lost: a timeout, a 524): the *uncertain outcome* the outbox resolves by look-up.
  Only writes (and voids) have an AFTER; any other call fails BEFORE whatever the schedule says.

Targets: ``intacct.read`` (every feed, ``parties_held``), ``intacct.lookup`` (``find_written``,
``candidates``), ``intacct.write``, ``released.read`` (every feed), ``released.lookup``
(``find_by_key``), ``released.write`` (``create``, ``update``, ``set_archived``) and
``released.void`` (``void``: voids are not outbox intents, so they are a target of their own).
Log-in and set-up never fail here. What failed is kept in ``fired``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result

from released_intacct.app.ports import settled
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.diagnosis import Diagnosis
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    Deletion,
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Party,
    TaxDetail,
    Transaction,
)
from released_intacct.domain.ports import (
    Credentials,
    Entity,
    FeedQuery,
    IntacctPort,
    IntacctSetup,
    Page,
    ReleasedPort,
    WriteOutcome,
)
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
)

T = TypeVar("T")
TARGETS = (
    "intacct.read",
    "intacct.lookup",
    "intacct.write",
    "released.read",
    "released.lookup",
    "released.write",
    "released.void",
)


class Fault(Enum):
    BEFORE = "before"
    AFTER = "after"


@dataclass
class Faults:
    """Which calls fail, by target and call number; empty means every call goes through."""

    planned: dict[tuple[str, int], Fault] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    fired: list[tuple[str, int, Fault]] = field(default_factory=list)

    def arm(self, planned: dict[tuple[str, int], Fault]) -> None:
        """Fail the calls ``planned`` names, counting calls afresh."""
        unknown = {target for target, _ in planned} - set(TARGETS)
        if unknown:
            msg = f"unknown fault targets: {sorted(unknown)}"
            raise ValueError(msg)
        self.planned = dict(planned)
        self.calls = Counter()

    def disarm(self) -> None:
        self.arm({})

    def next(self, target: str) -> Fault | None:
        number = self.calls[target]
        self.calls[target] += 1
        fault = self.planned.get((target, number))
        if fault is not None:
            self.fired.append((target, number, fault))
        return fault


def lost(target: str, fault: Fault) -> SyncError:
    """The RETRIABLE error an injected fault answers with."""
    if fault is Fault.AFTER:
        message = "The connection dropped before the answer came back."
    else:
        message = "The service is busy; the request was not handled."
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=message,
        fix="Nothing to do: it is tried again on the next sync.",
        cause=f"injected {fault.value} fault on {target}",
    )


def _guard(
    faults: Faults, target: str, call: Callable[[], FutureResult[T, SyncError]]
) -> FutureResult[T, SyncError]:
    fault = faults.next(target)
    if fault is None:
        return call()
    if fault is Fault.BEFORE or not target.endswith((".write", ".void")):
        return FutureResult.from_failure(lost(target, Fault.BEFORE))
    return FutureResult(_landed_then_lost(call(), lost(target, fault)))


async def _landed_then_lost(
    done: FutureResult[T, SyncError], error: SyncError
) -> Result[T, SyncError]:
    await settled(done)  # the write lands; its answer is dropped
    return Failure(error)


class FaultyIntacct:
    """An ``IntacctPort`` over ``inner`` whose reads and writes fail as ``faults`` says."""

    def __init__(self, inner: IntacctPort, faults: Faults) -> None:
        self.inner = inner
        self.faults = faults

    def _read(self, call: Callable[[], FutureResult[T, SyncError]]) -> FutureResult[T, SyncError]:
        return _guard(self.faults, "intacct.read", call)

    def login(self, credentials: Credentials) -> FutureResult[tuple[Entity, ...], SyncError]:
        return self.inner.login(credentials)

    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]:
        return self.inner.setup(entity, reuse=reuse)

    def diagnose(self, entity: EntityId) -> FutureResult[Diagnosis, SyncError]:
        return self.inner.diagnose(entity)

    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]:
        return self._read(lambda: self.inner.accounts(query))

    def tax_details(self, query: FeedQuery) -> FutureResult[Page[TaxDetail], SyncError]:
        return self._read(lambda: self.inner.tax_details(query))

    def dimension_values(
        self, kind: DimensionKind, query: FeedQuery
    ) -> FutureResult[Page[DimensionValue], SyncError]:
        return self._read(lambda: self.inner.dimension_values(kind, query))

    def parties(self, role: ContactRole, query: FeedQuery) -> FutureResult[Page[Party], SyncError]:
        return self._read(lambda: self.inner.parties(role, query))

    def transactions(
        self, origin: Origin, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Transaction], SyncError]:
        return self._read(lambda: self.inner.transactions(origin, kind, query))

    def payments(
        self, origin: Origin, query: FeedQuery
    ) -> FutureResult[Page[IntacctPayment], SyncError]:
        return self._read(lambda: self.inner.payments(origin, query))

    def deletions(
        self, record_type: RecordType, query: FeedQuery
    ) -> FutureResult[Page[Deletion], SyncError]:
        return self._read(lambda: self.inner.deletions(record_type, query))

    def parties_held(
        self, role: ContactRole, ids: Sequence[IntacctId]
    ) -> FutureResult[frozenset[IntacctId], SyncError]:
        return self._read(lambda: self.inner.parties_held(role, ids))

    def transaction_held(
        self, origin: Origin, kind: DocumentKind, key: IntacctKey
    ) -> FutureResult[Transaction | None, SyncError]:
        held = self.inner.transaction_held
        return _guard(self.faults, "intacct.lookup", lambda: held(origin, kind, key))

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        return _guard(self.faults, "intacct.write", lambda: self.inner.write(batch))

    def find_written(self, write: CreateInIntacct) -> FutureResult[IntacctRecord | None, SyncError]:
        return _guard(self.faults, "intacct.lookup", lambda: self.inner.find_written(write))

    def candidates(
        self, write: CreateInIntacct
    ) -> FutureResult[tuple[IntacctRecord, ...], SyncError]:
        return _guard(self.faults, "intacct.lookup", lambda: self.inner.candidates(write))

    def transactions_spent(self) -> int:
        return self.inner.transactions_spent()


class FaultyReleased:
    """A ``ReleasedPort`` over ``inner`` whose reads and writes fail as ``faults`` says."""

    def __init__(self, inner: ReleasedPort, faults: Faults) -> None:
        self.inner = inner
        self.faults = faults

    def _read(self, call: Callable[[], FutureResult[T, SyncError]]) -> FutureResult[T, SyncError]:
        return _guard(self.faults, "released.read", call)

    def _write(self, call: Callable[[], FutureResult[T, SyncError]]) -> FutureResult[T, SyncError]:
        return _guard(self.faults, "released.write", call)

    def contacts(self, query: FeedQuery) -> FutureResult[Page[Contact], SyncError]:
        return self._read(lambda: self.inner.contacts(query))

    def invoices(
        self, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Invoice], SyncError]:
        return self._read(lambda: self.inner.invoices(kind, query))

    def payments(self, query: FeedQuery) -> FutureResult[Page[Payment], SyncError]:
        return self._read(lambda: self.inner.payments(query))

    def accounts(self, query: FeedQuery) -> FutureResult[Page[Account], SyncError]:
        return self._read(lambda: self.inner.accounts(query))

    def tax_types(self, query: FeedQuery) -> FutureResult[Page[TaxType], SyncError]:
        return self._read(lambda: self.inner.tax_types(query))

    def tracking_categories(
        self, query: FeedQuery
    ) -> FutureResult[Page[TrackingCategory], SyncError]:
        return self._read(lambda: self.inner.tracking_categories(query))

    def document_held(
        self, kind: DocumentKind, released_id: ReleasedId
    ) -> FutureResult[Invoice | None, SyncError]:
        return self._read(lambda: self.inner.document_held(kind, released_id))

    def create(
        self, key: IdempotencyKey, record: ReleasedRecord
    ) -> FutureResult[ReleasedRecord, SyncError]:
        return self._write(lambda: self.inner.create(key, record))

    def create_all(
        self, writes: Sequence[tuple[IdempotencyKey, ReleasedRecord]]
    ) -> FutureResult[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
        return self._write(lambda: self.inner.create_all(writes))

    def update(self, record: ReleasedRecord) -> FutureResult[ReleasedRecord, SyncError]:
        return self._write(lambda: self.inner.update(record))

    def set_archived(
        self, record_type: RecordType, released_id: ReleasedId, *, archived: bool
    ) -> FutureResult[None, SyncError]:
        return self._write(
            lambda: self.inner.set_archived(record_type, released_id, archived=archived)
        )

    def void(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> FutureResult[None, SyncError]:
        return _guard(
            self.faults, "released.void", lambda: self.inner.void(record_type, released_id)
        )

    def find_by_key(
        self, record_type: RecordType, key: IdempotencyKey
    ) -> FutureResult[ReleasedRecord | None, SyncError]:
        return _guard(
            self.faults, "released.lookup", lambda: self.inner.find_by_key(record_type, key)
        )
