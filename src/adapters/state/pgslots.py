"""The governor across processes on PostgreSQL (issue 17): at most ``limit`` Intacct requests of a
company in flight at once, across every process sharing one state store (``slots.RequestSlots``).

A slot is a row of ``intacct_slots``: the company (its Intacct company id), the slot's number
(``0`` to ``limit - 1``), who holds it and until when. The primary key (company, slot) is what
keeps a company's holders at ``limit`` or fewer: two takers of one free slot cannot both insert
it, and there is no slot number ``limit``.

Decided:
- Short transactions, no connection held for a request: taking a slot is one statement (insert a
  free number, or take over one whose holder let it expire), giving it back one ``DELETE`` of the
  holder's rows. Both go through the store's own pool (``PgDatabase``), so nothing more is
  opened, and they close with the store.
- A slot expires ``expiry`` after it was taken, by the database's clock (``now()``: the same for
  every machine), so a slot whose process died mid-request frees itself. ``expiry_for`` chooses
  it from the request time-out: twice ``intacct.timeout``. The time-out bounds each phase of a
  request (connecting, sending, each read of the reply), so a live request is normally done well
  within one; twice it leaves a request whose connecting and reply each took nearly all of it its
  slot, and scales with the setting (a test's short time-out frees a dead process's slots soon).
  A live request that still outlives its slot lets one more request of its company in; Intacct
  answers a request over its limit with a throttle (HTTP 429), which the gateway repeats after a
  pause (nothing ran).
- A full company is waited for by polling with jitter (from 20 ms, doubled, capped at 250 ms: an
  Intacct request takes hundreds of milliseconds), no connection held while waiting; no
  LISTEN/NOTIFY, which would keep a connection of its own open in every process and send every
  give-back of every company to every process, to save at most a pause of 250 ms. The wait is
  bounded (``wait``, ``intacct.slot_wait``): past it the request fails RETRIABLE and ``unsent``
  (nothing left, nothing to look up), naming the company and the setting.
- The database failing to give a slot is the same kind of failure (RETRIABLE, ``unsent``), never
  a crash of the run; failing to give one back is logged and the slot expires by itself. A slot
  is given back however the block is left, a cancellation included (``asyncio.shield``): a
  cancelled take gives back whatever it may have taken by then.
- Every process sharing a store must use the same ``intacct.concurrency``: a process with a
  larger one uses slot numbers the others do not count.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.adapters.retrying import backoff
from released_intacct.adapters.state.pgdatabase import Db, PgDatabase, rows
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = ["PgSlots", "expiry_for"]

_log = logger(__name__)

_POLL: Final = 0.02
_POLL_CAP: Final = 0.25
_DOUBLINGS: Final = 4
"""The pause between polls doubles this many times at most (20 ms x 2**4 is past the cap)."""
_TAKE: Final = (
    "INSERT INTO intacct_slots AS held (company, slot, holder, expires_at)"
    " SELECT %s, free.slot, %s, now() + %s FROM generate_series(0, %s) AS free (slot)"
    " WHERE NOT EXISTS (SELECT 1 FROM intacct_slots AS live WHERE live.company = %s"
    " AND live.slot = free.slot AND live.expires_at > now())"
    " ORDER BY random() LIMIT 1"
    " ON CONFLICT (company, slot) DO UPDATE SET holder = excluded.holder,"
    " expires_at = excluded.expires_at WHERE held.expires_at <= now()"
    " RETURNING slot"
)
"""A free slot of the company, at random among the free ones (so that takers seldom race for
one), or one whose holder let it expire; no row when none is free (or another taker won it)."""
_GIVE_BACK: Final = "DELETE FROM intacct_slots WHERE company = %s AND holder = %s"

Sleep = Callable[[float], Awaitable[None]]


def expiry_for(timeout: float) -> timedelta:
    """How long a slot is held at most: twice the request time-out (seconds)."""
    return timedelta(seconds=2 * timeout)


class PgSlots:
    """``limit`` request slots per company in the store's ``intacct_slots`` table."""

    __slots__ = ("_clock", "_db", "_expiry", "_jitter", "_limit", "_pending", "_sleep", "_wait")

    def __init__(
        self,
        db: PgDatabase,
        *,
        limit: int,
        expiry: timedelta,
        wait: float,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or expiry <= timedelta(0) or wait < 0:
            msg = f"slots need limit >= 1, expiry > 0, wait >= 0; got {limit}, {expiry}, {wait}"
            raise ValueError(msg)
        self._db = db
        self._limit = limit
        self._expiry = expiry
        self._wait = wait
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._pending: set[asyncio.Task[None]] = set()
        """Give-backs under way, kept until done (a cancelled holder does not wait for them)."""

    def __repr__(self) -> str:
        return f"PgSlots(limit={self._limit})"

    @asynccontextmanager
    async def hold(self, company: str) -> AsyncIterator[SyncError | None]:
        holder = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(8)}"
        try:
            yield await self._take(company, holder)
        finally:
            # Also when refused: a take retried after its commit was lost may hold a slot.
            await self._give_back(company, holder)

    async def _take(self, company: str, holder: str) -> SyncError | None:
        deadline = self._clock() + self._wait
        args = (company, holder, self._expiry, self._limit - 1, company)
        attempt = 0
        while True:
            taken = await self._db.write(lambda db: _took(db, args))
            if isinstance(taken, Failure):
                return _unusable(company, taken.failure())
            if taken.unwrap():
                return None
            left = deadline - self._clock()
            if left <= 0:
                return _not_free(company, self._limit, self._wait)
            jitter = 0.5 + self._jitter() / 2
            pause = backoff(attempt, base=_POLL, cap=_POLL_CAP, jitter=jitter, retry_after=None)
            await self._sleep(min(pause, left))
            attempt = min(attempt + 1, _DOUBLINGS)

    async def _give_back(self, company: str, holder: str) -> None:
        task = asyncio.create_task(self._delete(company, holder), name="slot-give-back")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        await asyncio.shield(task)

    async def _delete(self, company: str, holder: str) -> None:
        given = await self._db.write(lambda db: _gave(db, (company, holder)))
        if isinstance(given, Failure):  # it expires by itself
            _log.warning("slot_not_given_back", company=company, error=given.failure().cause)


async def _took(db: Db, args: tuple[object, ...]) -> Result[bool, SyncError]:
    return Success(bool(await rows(db, _TAKE, args)))


async def _gave(db: Db, args: tuple[str, str]) -> Result[None, SyncError]:
    await db.execute(_GIVE_BACK, args)
    return Success(None)


def _not_free(company: str, limit: int, wait: float) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=(
            f"All {limit} request slots of Sage Intacct company {company} "
            f"(intacct.concurrency) stayed taken by other requests for {wait:g} s "
            "(intacct.slot_wait); this request was not sent."
        ),
        fix=(
            "Nothing to do: the sync sends it again. If this repeats, other workers or the admin "
            "API keep the company busy: raise intacct.slot_wait, or run fewer at once."
        ),
        cause="no request slot free in time",
        unsent=True,
    )


def _unusable(company: str, error: SyncError) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=(
            f"No request slot of Sage Intacct company {company} could be taken: the sync state "
            "database failed; this request was not sent."
        ),
        fix=(
            "Nothing to do: the sync sends it again. If this repeats, check that the PostgreSQL "
            "server is up and reachable."
        ),
        cause=error.cause,
        unsent=True,
    )
