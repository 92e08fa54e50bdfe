"""Whom each Re-Leased document read in a run bills, and in which module (``RunContext.billed``).

The payments step needs it of the documents payments pay; the documents step keeps it for every
document it reads, so the payments step reads the document feed again only for documents this run
has not read. A company's documents can be many (100,000 and more): the memory holds the last
``HELD`` documents' facts, the others are spilled to a temporary file (``adapters.spill``), so the
memory of a run does not grow with the documents it reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from released_intacct.adapters.spill import Spilled
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.released import BilledTo, Invoice

__all__ = ["HELD", "BilledMemo"]

HELD: Final = 1_000
"""Documents kept in memory (two pages of Re-Leased's 500); the others are on disk."""


class BilledMemo:
    __slots__ = ("_kept",)

    def __init__(self, *, held: int = HELD) -> None:
        self._kept = Spilled(held=held)

    @property
    def in_memory(self) -> int:
        """Documents whose facts are held in memory now (at most ``held``)."""
        return self._kept.in_memory

    def keep(self, documents: Iterable[Invoice]) -> None:
        """Remember whom each of ``documents`` bills (a document read again: the last read)."""
        self._kept.put((_key(d.kind, d.id), f"{d.origin.value}:{d.contact_id}") for d in documents)

    def of(self, kind: DocumentKind, ids: Iterable[ReleasedId]) -> dict[ReleasedId, BilledTo]:
        """Whom each of the documents ``ids`` of ``kind`` kept bills (the others left out)."""
        found = self._kept.get(_key(kind, id) for id in ids)
        billed: dict[ReleasedId, BilledTo] = {}
        for key, value in found.items():
            origin, _, contact = value.partition(":")
            billed[ReleasedId(key.partition(":")[2])] = BilledTo(
                ReleasedId(contact), Origin(origin)
            )
        return billed

    def close(self) -> None:
        self._kept.close()


def _key(kind: DocumentKind, id: ReleasedId) -> str:
    return f"{kind.value}:{id}"
