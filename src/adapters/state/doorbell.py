"""An on-demand request heard in the process that made it (``StateStore.wait_requested`` of the
one-process stores: SQLite, and the in-memory fake).

``rang(_)`` after a request is stored (it maps the store's ``Success``); ``heard(within)``
answers True as soon as one rings (at once for one rung before it was called), else False when
``within`` has passed. A ring is heard by one wait; two rings before a wait are heard once (the
worker then claims everything that is due).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Result, Success

from released_intacct.domain.errors import SyncError

T = TypeVar("T")

__all__ = ["Doorbell"]


class Doorbell:
    __slots__ = ("_rung",)

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def rang(self, stored: T) -> T:
        """Ring; ``stored`` (what the request answered) passes through."""
        self._rung.set()
        return stored

    def heard(self, within: timedelta) -> FutureResult[bool, SyncError]:
        return FutureResult(self._wait(within))

    async def _wait(self, within: timedelta) -> Result[bool, SyncError]:
        try:
            await asyncio.wait_for(self._rung.wait(), max(0.0, within.total_seconds()))
        except TimeoutError:
            return Success(False)
        self._rung.clear()
        return Success(True)
