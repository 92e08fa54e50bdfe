"""The one error of the product, classified by what the engine does next.

``SyncError`` is a value, returned inside ``Result`` / ``FutureResult``; it is never raised.
``raise`` is kept for programmer errors (a broken invariant in our own code).

    SyncError.kind
    ├── RETRIABLE   try again later (throttling, 5xx, transport); the adapter already backed off
    ├── FATAL       the run for this company cannot go on (bad credentials, company expired)
    ├── NEEDS_USER  a person must act (fix set-up, unlink, relink, match); becomes a sync result
    ├── REJECTED    the other side or a rule refused this record; becomes a sync result
    └── SKIPPED     by design this record does not sync; a sync result with no error
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.ids import IntacctKey, ReleasedId


class ErrorKind(Enum):
    RETRIABLE = "retriable"
    FATAL = "fatal"
    NEEDS_USER = "needs_user"
    REJECTED = "rejected"
    SKIPPED = "skipped"


class Rule(Enum):
    """Every rule id of ``shared/spec/sync-rules.md``."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"
    O1 = "O1"
    O2 = "O2"
    O3 = "O3"
    O4 = "O4"
    O5 = "O5"
    D1 = "D1"
    D2 = "D2"
    D3 = "D3"
    D4 = "D4"
    D5 = "D5"
    D6 = "D6"
    D7 = "D7"
    D8 = "D8"
    D9 = "D9"
    D10 = "D10"
    D11 = "D11"
    D12 = "D12"
    D13 = "D13"
    D14 = "D14"
    D15 = "D15"
    D16 = "D16"
    D17 = "D17"
    D18 = "D18"
    D19 = "D19"
    D20 = "D20"
    D21 = "D21"
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    M4 = "M4"
    E1 = "E1"
    E2 = "E2"
    E3 = "E3"
    E4 = "E4"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRef:
    """Which record an error or result concerns, as far as it is known on each side."""

    record_type: RecordType
    direction: Direction
    released_id: ReleasedId | None = None
    intacct_key: IntacctKey | None = None
    label: str = ""
    """What a bookkeeper recognises: an invoice number, a contact name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncError:
    kind: ErrorKind
    rule: Rule | None
    """The rule this error enforces; ``None`` for failures no rule names (a 5xx, a timeout)."""
    message: str
    """What happened, in words a bookkeeper understands."""
    fix: str
    """What to do about it."""
    record: RecordRef | None = None
    cause: str | None = None
    """The raw cause kept for support (Intacct errorno / description2, HTTP status); never a
    credential."""
    unsent: bool = False
    """RETRIABLE only: the request is known never to have left this process (no connection could
    be had: none free in the pool in time, or the connection refused), so nothing ran on the other
    side and there is nothing to look up. Any other RETRIABLE failure of a write leaves its
    outcome uncertain."""
    retry_after: float | None = None
    """RETRIABLE only: the seconds the other side asked to wait before asking again (HTTP
    ``Retry-After`` or Intacct's throttle headers), when it gave a number; None otherwise (an
    HTTP date, or nothing asked: the caller's own back-off applies)."""

    def __str__(self) -> str:
        rule = f"[{self.rule.value}] " if self.rule else ""
        return f"{rule}{self.message} {self.fix}".strip()

    def about(self, record: RecordRef) -> SyncError:
        """The same error, attached to ``record``."""
        return replace(self, record=record)
