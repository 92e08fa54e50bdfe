"""The retry arithmetic both HTTP adapters share: back-off with full jitter, Retry-After, and the
limits on waiting (``Waits``).

Seconds here are durations, not money: floats are right for them.

Each retry is one INFO event, ``request_retried``, saying why (``log_retry``): both adapters'
retry loops call it just before they sleep.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import httpx

from released_intacct.adapters.log import logger
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = [
    "RetrySettings",
    "WaitRefused",
    "Waits",
    "backoff",
    "check_wait_limits",
    "log_retry",
    "not_waited",
    "retry_after_seconds",
    "unsent_error",
]


_log = logger(__name__)
_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def backoff(
    attempt: int, *, base: float, cap: float, jitter: float, retry_after: float | None
) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): ``base`` doubled per attempt, capped,
    scaled by ``jitter`` in [0, 1) (full jitter), and never sooner than ``retry_after``."""
    ceiling = min(cap, base * float(2**attempt))
    return max(ceiling * jitter, retry_after or 0.0)


def retry_after_seconds(header: str | None) -> float | None:
    """The seconds of a ``Retry-After`` value; None for an HTTP date or nonsense."""
    if header is None or len(header) > 40:
        return None
    try:
        seconds = float(header.strip())
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


def unsent_error(error: Exception, *, system: str) -> SyncError | None:
    """The failure of a request that never left this process, else None (it may have left): no
    connection free in the pool in time (``httpx.PoolTimeout``), or none could be made
    (``ConnectError``, ``ConnectTimeout``). Nothing ran on ``system``'s side, so the request is
    safe to repeat and there is nothing to look up (``SyncError.unsent``). ``cause`` is the
    exception's type only (no URL, no header)."""
    if isinstance(error, httpx.PoolTimeout):
        what = f"no connection to {system} was free in time"
    elif isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        what = f"could not connect to {system}"
    else:
        return None
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"The sync {what}; the request was not sent.",
        fix="Nothing to do: the sync sends it again.",
        cause=type(error).__name__,
        unsent=True,
    )


class RetrySettings(Protocol):
    """What ``Waits`` reads of a client's settings (Intacct's and Re-Leased's both have it)."""

    @property
    def backoff(self) -> float: ...
    @property
    def backoff_cap(self) -> float: ...
    @property
    def max_retry_after(self) -> float: ...
    @property
    def max_retry_wait(self) -> float: ...


def check_wait_limits(settings: RetrySettings) -> list[tuple[bool, str]]:
    """The checks of a client's settings' ``__post_init__`` for back-off and the wait limits."""
    return [
        (settings.backoff >= 0 and settings.backoff_cap >= 0, "back-off must not be negative"),
        (
            0 <= settings.max_retry_after < math.inf,
            "max_retry_after must be a number of seconds, 0 or more (not infinite)",
        ),
        (
            0 <= settings.max_retry_wait < math.inf,
            "max_retry_wait must be a number of seconds, 0 or more (not infinite)",
        ),
    ]


@dataclass(frozen=True, slots=True)
class WaitRefused:
    """A wait not taken, so the request fails (retriable) at once: the server asked for ``asked``
    seconds, more than ``limit`` (``max_retry_after``); or, ``total``, waiting ``asked`` seconds
    more would take the request's waits past ``limit`` seconds in all (``max_retry_wait``)."""

    asked: float
    limit: float
    total: bool

    @property
    def setting(self) -> str:
        return "max_retry_wait" if self.total else "max_retry_after"

    def words(self, table: str) -> str:
        if self.total:
            return (
                f"the next wait ({self.asked:g} s) would take this request's waits past "
                f"{self.limit:g} s in all ({table}.{self.setting})"
            )
        return (
            f"the server asked to wait {self.asked:g} s before trying again, longer than the "
            f"{self.limit:g} s this integration waits ({table}.{self.setting})"
        )


class Waits:
    """The waits between one request's tries (one ``Waits`` per request): back-off with full
    jitter, never sooner than the server's ``Retry-After``, and never unbounded: a ``Retry-After``
    longer than ``max_retry_after`` is not waited for, nor a wait that would take the request's
    waits past ``max_retry_wait`` in all."""

    __slots__ = ("_jitter", "_settings", "waited")

    def __init__(self, settings: RetrySettings, *, jitter: Callable[[], float]) -> None:
        self._settings = settings
        self._jitter = jitter
        self.waited = 0.0
        """Seconds waited so far for this request."""

    def next(self, attempt: int, retry_after: float | None) -> float | WaitRefused:
        """Seconds to wait before retry ``attempt`` (0-based), or why not to wait at all."""
        settings = self._settings
        if retry_after is not None and retry_after > settings.max_retry_after:
            return WaitRefused(retry_after, settings.max_retry_after, total=False)
        wait = backoff(
            attempt,
            base=settings.backoff,
            cap=settings.backoff_cap,
            jitter=self._jitter(),
            retry_after=retry_after,
        )
        if self.waited + wait > settings.max_retry_wait:
            return WaitRefused(wait, settings.max_retry_wait, total=True)
        self.waited += wait
        return wait


def not_waited(error: SyncError, refused: WaitRefused, *, system: str, table: str) -> SyncError:
    """``error`` (why the request is worth repeating) as the request's failure when the wait
    before repeating it was refused: still retriable (the next run tries again), saying how long
    the server asked for and the limit, with the setting that raises it. ``cause`` is kept, so
    whatever it says (an uncertain outcome, a throttle) still holds."""
    said = refused.words(table)
    return replace(
        error,
        kind=ErrorKind.RETRIABLE,
        message=f"{error.message} {system} was not asked again: {said}.",
        fix=f"{error.fix} To wait longer, raise {table}.{refused.setting}.",
    )


def log_retry(
    error: SyncError, *, system: str, attempt: int, wait: float, retry_after: float | None
) -> None:
    """One INFO event for a request about to be sent again after ``wait`` seconds: try
    ``attempt + 1`` failed with ``error``. ``reason`` is why it is repeated: ``retry_after`` (the
    server said when: a 429 or a 503 with ``Retry-After``), ``status`` (a 429 or 5xx without one),
    ``timeout`` (no reply in time), ``connection`` (none made, or lost before the reply), or
    ``reply`` (a reply that said "later" or could not be read). ``cause`` is the error's own
    (the HTTP status, the exception's type, Intacct's error number): never a URL or header."""
    cause = error.cause or ""
    status = _STATUS.search(cause)
    if retry_after is not None:
        reason = "retry_after"
    elif status is not None:
        reason = "status"
    elif "Timeout" in cause:
        reason = "timeout"
    elif error.unsent or cause.endswith("Error"):
        reason = "connection"
    else:
        reason = "reply"
    known: dict[str, object] = {"status": None if status is None else int(status.group(1))}
    known["retry_after"] = retry_after
    _log.info(
        "request_retried",
        system=system,
        reason=reason,
        **{key: value for key, value in known.items() if value is not None},
        attempt=attempt + 1,
        wait=round(wait, 3),
        cause=error.cause,
    )
