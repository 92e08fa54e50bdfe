"""What one run works with (``RunContext``) and what it did so far (``Tally``, rules E1, E3)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from released_intacct.adapters.log import logger
from released_intacct.app.ports import Sleep
from released_intacct.app.sync.billed import BilledMemo
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctId
from released_intacct.domain.ports import Clock, IntacctPort, ReleasedPort
from released_intacct.domain.results import Progress, RunCounts, is_failure
from released_intacct.domain.settings import SyncSettings
from released_intacct.domain.state import Fence, Run, RunPolicy, StateStore

_log = logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunContext:
    store: StateStore
    intacct: IntacctPort
    released: ReleasedPort
    settings: SyncSettings
    run: Run
    clock: Clock
    policy: RunPolicy = RunPolicy()
    """How runs hold their companies (``in_flight``, ``attempt``: recovery's wait for a write of
    a run taken over)."""
    sleep: Sleep = asyncio.sleep
    """How recovery waits out a write of a dead process that may still be running."""
    items: frozenset[IntacctId] = frozenset()
    """The ITEMIDs Intacct holds at the start of the run (rule D17), from its set-up."""
    billed: BilledMemo = field(default_factory=BilledMemo)
    """Whom each Re-Leased document read in this run bills, and in which module: what the
    payments step needs of the documents payments pay, so it reads the document feed again only
    for documents this run has not read (memory bounded: ``sync.billed``)."""

    @property
    def connection(self) -> ConnectionId:
        return self.run.connection

    @property
    def fence(self) -> Fence:
        """What every write of the run to the store is fenced by (issue 16, F1)."""
        return self.run.fence


class Tally:
    """Counts per record type, failures that concern no record (still errors of the run),
    progress: records read per type against the totals the feeds announced (an estimate), and the
    Intacct API transactions the run spent (``meter``)."""

    __slots__ = ("_base", "_port", "counts", "progress", "unattributed")

    def __init__(self) -> None:
        self.counts = RunCounts()
        self.unattributed = 0
        self.progress = Progress()
        self._port: IntacctPort | None = None
        self._base = 0

    def meter(self, port: IntacctPort) -> None:
        """Count the transactions ``port`` spends from now on as the run's (a port outlives a
        run: its count is the process's)."""
        self._port, self._base = port, port.transactions_spent()

    @property
    def transactions(self) -> int:
        """Intacct API transactions spent since ``meter``."""
        return 0 if self._port is None else self._port.transactions_spent() - self._base

    def expect(self, record_type: RecordType, total: int) -> None:
        """A feed of ``record_type`` announced ``total`` records (added to the other feeds')."""
        known = self.progress.of(record_type).total or 0
        self.progress = self.progress.estimate(record_type, total=known + total)

    def handled(self, record_type: RecordType, count: int) -> None:
        self.progress = self.progress.add(record_type, done=count)

    def snapshot(self, run: Run) -> Run:
        """``run`` with what was done so far."""
        return replace(
            run,
            counts=self.counts,
            errors=self.errors,
            progress=self.progress,
            transactions=self.transactions,
        )

    def wrote(self, record_type: RecordType, *, created: bool) -> None:
        self.counts = self.counts.add(record_type, created=int(created), updated=int(not created))

    def reported(self, errors: Iterable[SyncError]) -> None:
        for error in errors:
            if error.record is None:
                if is_failure(error.kind):
                    self.unattributed += 1
                _log.warning("sync_result_without_record", error=error)
                continue
            skipped = error.kind is ErrorKind.SKIPPED
            self.counts = self.counts.add(
                error.record.record_type, skipped=int(skipped), failed=int(not skipped)
            )

    @property
    def errors(self) -> int:
        """The failures of the run so far: the ``errors`` of ``run_status`` (rule E3)."""
        return self.counts.failed + self.unattributed
