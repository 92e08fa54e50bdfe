"""The governor of one Intacct company's requests, whichever API carries them (XML or REST).

Each HTTP exchange first takes one of this process's ``concurrency`` places for the company (a
semaphore), then one of the company's slots shared with other processes (``slots.RequestSlots``,
keyed by the Intacct company id; ``LOCAL_ONLY`` when there are none, as over SQLite), so one
process never queues more than its own share on the shared slots. A slot that cannot be had (none
came free within ``intacct.slot_wait``, or the state store failed) is handed to the block as the
reason not to send: the request fails at once, unsent and not retried, the wait was the bound.

Intacct counts concurrency per company and per application ([RESTDOC] txn-volume), whichever API
is used, so the XML gateway (``intacct.transport``) and the REST transport
(``intacct_rest.transport``) each hold a ``Governor`` built from the same ``intacct.concurrency``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from released_intacct.adapters.slots import LOCAL_ONLY, RequestSlots
from released_intacct.domain.errors import SyncError

__all__ = ["Governor"]


class Governor:
    """At most ``concurrency`` requests of ``company`` in flight in this process, and as many of
    its ``slots`` shared with other processes; counts what it let through."""

    __slots__ = ("_company", "_local", "_shared", "in_flight", "peak_in_flight", "requests")

    def __init__(
        self, concurrency: int, *, slots: RequestSlots = LOCAL_ONLY, company: str = ""
    ) -> None:
        self._local = asyncio.Semaphore(concurrency)
        self._shared = slots
        self._company = company
        """The Intacct company id the shared slots are counted by."""
        self.requests = 0
        self.in_flight = 0
        self.peak_in_flight = 0

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[SyncError | None]:
        """A place for one exchange for the block (``None``: send), or why not (the block must
        not send: nothing ran, and there is nothing to look up)."""
        async with self._local, self._shared.hold(self._company) as refused:
            if refused is not None:
                yield refused
                return
            self.requests += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                yield None
            finally:
                self.in_flight -= 1
