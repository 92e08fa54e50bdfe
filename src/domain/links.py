"""The link table: which Re-Leased record is which Intacct record, and what was last synced."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import Enum

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Direction, RecordType, System
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId


class LinkStatus(Enum):
    LINKED = "linked"
    UNLINKED = "unlinked"
    """Taken out of all later syncs by the user (rule E2); nothing is deleted on either side."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    record_type: RecordType
    released_id: ReleasedId
    intacct_key: IntacctKey
    origin: System
    """The system where the record was first created."""
    status: LinkStatus = LinkStatus.LINKED
    released_fingerprint: str = ""
    """Fingerprint of the Re-Leased record's mapped content as last written or read."""
    intacct_fingerprint: str = ""
    """Fingerprint of the Intacct record's mapped content as last written or read.

    A change whose fingerprint equals the stored one for its side is our own echo (rule D21).
    """

    @property
    def is_linked(self) -> bool:
        return self.status is LinkStatus.LINKED

    posted: bool = False
    """Invoices and credit notes: the Intacct side is posted, so Intacct owns edits (rule D20)."""

    def with_fingerprints(self, *, released: str | None = None, intacct: str | None = None) -> Link:
        return replace(
            self,
            released_fingerprint=self.released_fingerprint if released is None else released,
            intacct_fingerprint=self.intacct_fingerprint if intacct is None else intacct,
        )


def _ref(link: Link) -> RecordRef:
    return RecordRef(
        record_type=link.record_type,
        direction=Direction.INCOMING if link.origin is System.INTACCT else Direction.OUTGOING,
        released_id=link.released_id,
        intacct_key=link.intacct_key,
    )


def unlink(link: Link) -> Result[Link, SyncError]:
    """Rule E2: take a linked record out of later syncs without deleting it anywhere."""
    if not link.is_linked:
        return Failure(
            SyncError(
                kind=ErrorKind.REJECTED,
                rule=Rule.E2,
                message="This record is already unlinked.",
                fix="Relink it if it should sync again.",
                record=_ref(link),
            )
        )
    return Success(replace(link, status=LinkStatus.UNLINKED))


def relink(link: Link) -> Result[Link, SyncError]:
    """Rule E2: put an unlinked record back into the sync once its cause is fixed."""
    if link.is_linked:
        return Failure(
            SyncError(
                kind=ErrorKind.REJECTED,
                rule=Rule.E2,
                message="This record is already linked.",
                fix="Nothing to do: it takes part in every sync.",
                record=_ref(link),
            )
        )
    return Success(replace(link, status=LinkStatus.LINKED))


class LinkIndex:
    """An immutable look-up over links, by either side's key. Pure: built from what was read."""

    __slots__ = ("_by_intacct", "_by_released")

    def __init__(self, links: Iterable[Link] = ()) -> None:
        self._by_released: dict[tuple[RecordType, ReleasedId], Link] = {}
        self._by_intacct: dict[tuple[RecordType, IntacctKey], Link] = {}
        for link in links:
            self._by_released[(link.record_type, link.released_id)] = link
            self._by_intacct[(link.record_type, link.intacct_key)] = link

    def by_released(self, record_type: RecordType, released_id: ReleasedId) -> Link | None:
        return self._by_released.get((record_type, released_id))

    def by_intacct(self, record_type: RecordType, key: IntacctKey) -> Link | None:
        return self._by_intacct.get((record_type, key))

    def by_intacct_prefix(self, record_type: RecordType, prefix: str) -> tuple[Link, ...]:
        """Links whose Intacct key starts with ``prefix`` (a payment's allocations)."""
        return tuple(
            link
            for (kind, key), link in self._by_intacct.items()
            if kind is record_type and key.startswith(prefix)
        )

    def __iter__(self) -> Iterator[Link]:
        return iter(self._by_released.values())

    def __len__(self) -> int:
        return len(self._by_released)
