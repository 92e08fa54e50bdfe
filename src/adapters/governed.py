"""What sends one Intacct company's requests, whichever API carries them (the XML gateway
``intacct.transport.Gateway``, the REST ``intacct_rest.transport.RestTransport``): its HTTP client
and settings, the sleep and jitter of its waits, its ``Governor`` (``intacct.concurrency`` places
in this process, and the company's ``slots`` shared with other processes), and one exchange
repeated as ``retrying.repeat`` says.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from returns.result import Result

from released_intacct.adapters.governor import Governor
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.retrying import Attempt, repeat
from released_intacct.adapters.slots import LOCAL_ONLY, RequestSlots
from released_intacct.domain.errors import SyncError

__all__ = ["Governed", "Sleep"]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class Governed:
    """Sends requests of one company under its governor."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: ClientSettings,
        *,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        slots: RequestSlots = LOCAL_ONLY,
        company: str = "",
    ) -> None:
        self._client = client
        self._settings = settings
        self._sleep = sleep
        self._jitter = jitter
        self.governor = Governor(settings.concurrency, slots=slots, company=company)

    async def _repeat(
        self, once: Callable[[], Awaitable[Attempt[T]]], *, idempotent: bool
    ) -> Result[T, SyncError]:
        """``once()`` until it is done, within the limits on waiting (``retrying.repeat``)."""
        return await repeat(
            once,
            self._settings,
            idempotent=idempotent,
            sleep=self._sleep,
            jitter=self._jitter,
            system="Sage Intacct",
            table="intacct",
        )
