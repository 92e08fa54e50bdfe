"""In-memory request slots (``adapters.slots.RequestSlots``) that count what their holders do.

``CountingSlots(limit)`` grants at most ``limit`` holds per company at once (others wait), or
refuses every hold with ``refuse``. It records, per company, how many holds are asked for and not
yet left (``asking``, ``peak_asking``), how many are held (``held``, ``peak_held``), and how many
were taken and given back (``taken``, ``given_back``), so a test can see that a caller never holds
more than the limit, never queues more than its share, and always gives a slot back.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from released_intacct.domain.errors import SyncError

__all__ = ["CountingSlots"]


class CountingSlots:
    def __init__(self, limit: int, *, refuse: SyncError | None = None) -> None:
        self._limit = limit
        self._refuse = refuse
        self._free: dict[str, asyncio.Semaphore] = {}
        self.asking: Counter[str] = Counter()
        self.peak_asking: Counter[str] = Counter()
        self.held: Counter[str] = Counter()
        self.peak_held: Counter[str] = Counter()
        self.taken: Counter[str] = Counter()
        self.given_back: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, company: str) -> AsyncIterator[SyncError | None]:
        self.asking[company] += 1
        self.peak_asking[company] = max(self.peak_asking[company], self.asking[company])
        try:
            if self._refuse is not None:
                yield self._refuse
                return
            free = self._free.setdefault(company, asyncio.Semaphore(self._limit))
            async with free:
                self.taken[company] += 1
                self.held[company] += 1
                self.peak_held[company] = max(self.peak_held[company], self.held[company])
                try:
                    yield None
                finally:
                    self.held[company] -= 1
                    self.given_back[company] += 1
        finally:
            self.asking[company] -= 1
