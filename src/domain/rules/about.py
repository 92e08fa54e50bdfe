"""How a rule's error names its record: words for the message and a reference for the result."""

from __future__ import annotations

from dataclasses import dataclass

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId

NOTHING_TO_DO = "Nothing to do."


@dataclass(frozen=True, slots=True)
class About:
    """The record a check is about: its words for messages and its reference for results."""

    what: str
    """How messages name it: ``Intacct invoice INV-1``, ``Re-Leased contact Acme``."""
    ref: RecordRef

    def error(self, kind: ErrorKind, rule: Rule, message: str, fix: str) -> SyncError:
        return SyncError(kind=kind, rule=rule, message=message, fix=fix, record=self.ref)


def subject(
    record_type: RecordType,
    direction: Direction,
    label: str,
    what: str,
    *,
    released_id: ReleasedId | None = None,
    key: IntacctKey | None = None,
) -> About:
    ref = RecordRef(
        record_type=record_type,
        direction=direction,
        released_id=released_id,
        intacct_key=key,
        label=label,
    )
    return About(what, ref)
