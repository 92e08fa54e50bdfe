"""What planning decides: plain values the service applies through the ports.

Every write carries its idempotency key and the fingerprint of the source record it copies (the
link's fingerprint for the source side); the target side's fingerprint is taken from the record as
written, once the write is confirmed (see ``planning.links.confirmed_link``).
"""

from __future__ import annotations

from dataclasses import dataclass

from released_intacct.domain.enums import RecordType, System
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctRecord
from released_intacct.domain.released import ReleasedRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateInIntacct:
    key: IdempotencyKey
    record_type: RecordType
    released_id: ReleasedId
    record: IntacctRecord
    source_fingerprint: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInIntacct:
    """Rule D20: an unposted invoice or credit note edited in Re-Leased; ``post`` when approved."""

    key: IdempotencyKey
    record_type: RecordType
    released_id: ReleasedId
    intacct_key: IntacctKey
    record: IntacctRecord
    source_fingerprint: str
    post: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateInReleased:
    key: IdempotencyKey
    record_type: RecordType
    intacct_key: IntacctKey
    record: ReleasedRecord
    source_fingerprint: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInReleased:
    record_type: RecordType
    released_id: ReleasedId
    intacct_key: IntacctKey
    record: ReleasedRecord
    source_fingerprint: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VoidInReleased:
    """Rule D7: a reversal in Intacct voids the Re-Leased invoice or credit note."""

    record_type: RecordType
    released_id: ReleasedId
    intacct_key: IntacctKey
    rule: Rule
    source_fingerprint: str = ""
    """Fingerprint of the reversed Intacct record, so it is not seen as a change again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveInReleased:
    record_type: RecordType
    released_id: ReleasedId
    rule: Rule


@dataclass(frozen=True, slots=True, kw_only=True)
class UnarchiveInReleased:
    record_type: RecordType
    released_id: ReleasedId
    rule: Rule


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkRecords:
    """Record a link without writing either side (an onboarding match, an allocation seen)."""

    record_type: RecordType
    released_id: ReleasedId
    intacct_key: IntacctKey
    origin: System
    released_fingerprint: str = ""
    intacct_fingerprint: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordResult:
    """Rule E1: a sync result for a record that failed or needs the user."""

    error: SyncError


@dataclass(frozen=True, slots=True, kw_only=True)
class Skip:
    """A record that by design does not sync; it still leaves a result (rule E1)."""

    reason: SyncError

    def __post_init__(self) -> None:
        if self.reason.kind is not ErrorKind.SKIPPED:
            msg = f"Skip needs a SKIPPED reason, got {self.reason.kind}"
            raise ValueError(msg)


IntacctWrite = CreateInIntacct | UpdateInIntacct
ReleasedWrite = CreateInReleased | UpdateInReleased
WriteAction = IntacctWrite | ReleasedWrite
Action = (
    CreateInIntacct
    | UpdateInIntacct
    | CreateInReleased
    | UpdateInReleased
    | VoidInReleased
    | ArchiveInReleased
    | UnarchiveInReleased
    | LinkRecords
    | RecordResult
    | Skip
)
