"""Sync results, run status, run counts and run progress (rules E1, E3).

A ``SyncResult`` is one row per failing or skipped record: the same failure again updates the row
(``count``, ``last_seen``, the latest wording) instead of adding one (rule E1). Two errors are the
same failure when ``result_identity`` is equal: same record (type, Re-Leased id, Intacct key), same
direction, same rule and same kind. A record that gains its Intacct key later starts a new row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from types import MappingProxyType

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.links import LinkStatus

ResultIdentity = tuple[
    RecordType, ReleasedId | None, IntacctKey | None, Direction, Rule | None, ErrorKind
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncResult:
    """Rule E1: what failed or was skipped, when, and what to do about it."""

    first_seen: datetime
    last_seen: datetime
    record_type: RecordType
    released_id: ReleasedId | None
    intacct_key: IntacctKey | None
    direction: Direction
    rule: Rule | None
    kind: ErrorKind
    message: str
    fix: str
    link_status: LinkStatus
    count: int = 1

    def __post_init__(self) -> None:
        _require_aware(self.first_seen, "first_seen")
        _require_aware(self.last_seen, "last_seen")
        if self.count < 1:
            msg = f"a sync result is seen at least once, got count={self.count}"
            raise ValueError(msg)
        if self.last_seen < self.first_seen:
            msg = "a sync result cannot be last seen before it was first seen"
            raise ValueError(msg)

    @property
    def identity(self) -> ResultIdentity:
        return (
            self.record_type,
            self.released_id,
            self.intacct_key,
            self.direction,
            self.rule,
            self.kind,
        )


def result_identity(error: SyncError) -> ResultIdentity:
    """Which row ``error`` belongs to. A programmer error if it concerns no record."""
    record = error.record
    if record is None:
        msg = f"a sync result needs the record the error concerns: {error}"
        raise ValueError(msg)
    return (
        record.record_type,
        record.released_id,
        record.intacct_key,
        record.direction,
        error.rule,
        error.kind,
    )


def record_result(
    existing: SyncResult | None,
    error: SyncError,
    *,
    at: datetime,
    link_status: LinkStatus,
) -> SyncResult:
    """Rule E1: a new row for a first failure, or ``existing`` seen once more.

    The wording and link status are refreshed from the latest report. ``last_seen`` never moves
    back nor ``first_seen`` forward: a report older than the row widens it instead (decided).
    Raises ``ValueError`` when ``error`` concerns no record, or another record/rule than
    ``existing``.
    """
    _require_aware(at, "at")
    identity = result_identity(error)
    if existing is None:
        record_type, released_id, intacct_key, direction, rule, kind = identity
        return SyncResult(
            first_seen=at,
            last_seen=at,
            record_type=record_type,
            released_id=released_id,
            intacct_key=intacct_key,
            direction=direction,
            rule=rule,
            kind=kind,
            message=error.message,
            fix=error.fix,
            link_status=link_status,
        )
    if existing.identity != identity:
        msg = f"error {identity} does not belong to the result row {existing.identity}"
        raise ValueError(msg)
    return replace(
        existing,
        last_seen=max(existing.last_seen, at),
        first_seen=min(existing.first_seen, at),
        message=error.message,
        fix=error.fix,
        link_status=link_status,
        count=existing.count + 1,
    )


class RunStatus(Enum):
    """Rule E3: the status of a run as the host shows it."""

    RUNNING = "running"
    RUNNING_WITH_ERRORS = "running_with_errors"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def colour(self) -> str | None:
        """``orange`` while running with errors, ``blue`` / ``red`` when finished; else None."""
        return _COLOURS[self]

    @property
    def finished(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED)


_COLOURS = {
    RunStatus.RUNNING: None,
    RunStatus.RUNNING_WITH_ERRORS: "orange",
    RunStatus.SUCCEEDED: "blue",
    RunStatus.FAILED: "red",
}


def run_status(*, finished: bool, errors: int) -> RunStatus:
    """Rule E3. ``errors`` counts failures only: a skipped record (rule D10, D12) is no error."""
    if errors < 0:
        msg = f"errors cannot be negative, got {errors}"
        raise ValueError(msg)
    if finished:
        return RunStatus.FAILED if errors else RunStatus.SUCCEEDED
    return RunStatus.RUNNING_WITH_ERRORS if errors else RunStatus.RUNNING


def is_failure(kind: ErrorKind) -> bool:
    """Whether a result of this kind counts as an error of the run (anything but skipped)."""
    return kind is not ErrorKind.SKIPPED


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0

    def __post_init__(self) -> None:
        if min(self.created, self.updated, self.skipped, self.failed) < 0:
            msg = f"counts cannot be negative: {self}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunCounts:
    """What one run did, per record type; ``add`` returns a new value."""

    by_type: Mapping[RecordType, RecordCounts] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not isinstance(self.by_type, MappingProxyType):
            object.__setattr__(self, "by_type", MappingProxyType(dict(self.by_type)))

    def of(self, record_type: RecordType) -> RecordCounts:
        return self.by_type.get(record_type, RecordCounts())

    def add(
        self,
        record_type: RecordType,
        *,
        created: int = 0,
        updated: int = 0,
        skipped: int = 0,
        failed: int = 0,
    ) -> RunCounts:
        now = self.of(record_type)
        added = RecordCounts(
            created=now.created + created,
            updated=now.updated + updated,
            skipped=now.skipped + skipped,
            failed=now.failed + failed,
        )
        return RunCounts(by_type={**self.by_type, record_type: added})

    @property
    def failed(self) -> int:
        """All failures of the run: the ``errors`` of ``run_status``."""
        return sum(counts.failed for counts in self.by_type.values())

    @property
    def skipped(self) -> int:
        return sum(counts.skipped for counts in self.by_type.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeProgress:
    """Rule E3: how far a run is with one record type: records done of an estimated total."""

    done: int = 0
    total: int | None = None
    """The records this run expects to handle, estimated; None while unknown. ``done`` may pass
    it: an estimate, not a limit."""

    def __post_init__(self) -> None:
        if self.done < 0 or (self.total is not None and self.total < 0):
            msg = f"progress cannot be negative: {self}"
            raise ValueError(msg)

    @property
    def percent(self) -> int | None:
        """Whole percent done, at most 100 (0 of 0 is 100); None while the total is unknown."""
        if self.total is None:
            return None
        if self.total == 0:
            return 100
        return min(100, self.done * 100 // self.total)


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """Rule E3: a run's progress per record type; ``add`` and ``estimate`` return a new value."""

    by_type: Mapping[RecordType, TypeProgress] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not isinstance(self.by_type, MappingProxyType):
            object.__setattr__(self, "by_type", MappingProxyType(dict(self.by_type)))

    def of(self, record_type: RecordType) -> TypeProgress:
        return self.by_type.get(record_type, TypeProgress())

    def add(self, record_type: RecordType, *, done: int) -> Progress:
        """``done`` more records of ``record_type`` handled."""
        now = self.of(record_type)
        return self._with(record_type, replace(now, done=now.done + done))

    def estimate(self, record_type: RecordType, *, total: int | None) -> Progress:
        """The (new) estimated total of ``record_type``; None: unknown again."""
        return self._with(record_type, replace(self.of(record_type), total=total))

    @property
    def done(self) -> int:
        """Records handled so far, all types together."""
        return sum(kind.done for kind in self.by_type.values())

    def _with(self, record_type: RecordType, kind: TypeProgress) -> Progress:
        return Progress(by_type={**self.by_type, record_type: kind})


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = f"{name} must be timezone-aware, got {moment!r}"
        raise ValueError(msg)
