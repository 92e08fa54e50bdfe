"""What users saved, version by version, for the convergence check (``invariants``): a diverged
pair must still hold a version some user saved on each side, or the mapping of one."""

from __future__ import annotations

from dataclasses import dataclass, field

from released_intacct.domain.intacct import IntacctRecord
from released_intacct.domain.released import Contact, Invoice, Payment, ReleasedRecord
from released_intacct.fakes.user_actions import intacct_key_of

__all__ = ["History"]


@dataclass
class History:
    """Every version a user saved, by Intacct key (a payment's RECORDNO) or Re-Leased id."""

    intacct: dict[str, list[IntacctRecord]] = field(default_factory=dict)
    released: dict[str, list[ReleasedRecord]] = field(default_factory=dict)

    def saw(self, record: IntacctRecord | Contact | Invoice | Payment) -> None:
        if isinstance(record, Contact | Invoice | Payment):
            self.released.setdefault(self.key_of(record), []).append(record)
        else:
            self.intacct.setdefault(self.key_of(record), []).append(record)

    @staticmethod
    def key_of(record: IntacctRecord | Contact | Invoice | Payment) -> str:
        """What a version is kept under: its Re-Leased id, or ``intacct_key_of``."""
        if isinstance(record, Contact | Invoice | Payment):
            return str(record.id)
        return str(intacct_key_of(record))

    def of_intacct(self, key: str) -> list[IntacctRecord]:
        return self.intacct.get(key, [])

    def of_released(self, released_id: str) -> list[ReleasedRecord]:
        return self.released.get(released_id, [])
