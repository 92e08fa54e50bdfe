"""Request slots: the part of the governor that holds across processes (issue 17).

The Intacct gateway (``intacct.transport.Gateway``) lets at most ``intacct.concurrency`` requests
of a company be in flight at once. Inside one process a semaphore does it; with many worker
processes (and the admin API's own Intacct calls) on one PostgreSQL state store, the limit must
hold across all of them, so each request also holds one of its company's slots in the store
(``state.pgslots.PgSlots``) for the length of its HTTP exchange.

``RequestSlots.hold(company)`` is an async context manager: it holds one of ``company``'s slots
for the block and gives it back when the block is left, however it is left (a reply, an
exception, a cancellation). What it yields says whether the slot is held: ``None`` (held: send),
or the ``SyncError`` why not (RETRIABLE and ``unsent``: no slot came free in time, or the store
could not be asked; the block must not send, and there is nothing to look up after it).

``LOCAL_ONLY`` holds nothing: one process, the semaphore alone (the SQLite store, a host's own).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Final, Protocol

from released_intacct.domain.errors import SyncError

__all__ = ["LOCAL_ONLY", "LocalOnly", "RequestSlots"]


class RequestSlots(Protocol):
    """At most so many requests of a company in flight at once, across processes."""

    def hold(self, company: str) -> AbstractAsyncContextManager[SyncError | None]:
        """One of ``company``'s slots held for the block (``None``), or why not (the block must
        not send). Always given back when the block is left."""
        ...


class LocalOnly:
    """No slots shared with other processes: every hold is granted at once."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "LocalOnly()"

    @asynccontextmanager
    async def hold(self, company: str) -> AsyncIterator[SyncError | None]:
        yield None


LOCAL_ONLY: Final = LocalOnly()
