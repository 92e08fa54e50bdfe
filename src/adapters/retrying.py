"""The retry arithmetic both HTTP adapters share: back-off with full jitter, Retry-After, and the
limits on waiting (``Waits``); and the retry loop of Intacct's two APIs (``repeat`` of
``Attempt``s: the XML gateway's and the REST transport's).

Seconds here are durations, not money: floats are right for them.

Each retry is one INFO event, ``request_retried``, saying why (``log_retry``): both adapters'
retry loops call it just before they sleep.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Final, Generic, Protocol, TypeVar

import httpx
from returns.result import Failure, Result

from released_intacct.adapters.log import logger
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = [
    "RETRY_AFTER_HEADERS",
    "Attempt",
    "RepeatSettings",
    "RetrySettings",
    "WaitRefused",
    "Waits",
    "backoff",
    "check_wait_limits",
    "log_retry",
    "lost_error",
    "not_waited",
    "repeat",
    "retry_after_header",
    "retry_after_seconds",
    "unsent_error",
]

T = TypeVar("T")
RETRY_AFTER_HEADERS: Final = (
    "retry-after",
    "x-ia-throttle-limit-retryafter",
    "x-ia-tenant-throttle-limit-retry-after",
)
"""Seconds to wait: HTTP's, and the two Intacct's throttle headers give ([RESTDOC] http-headers;
correction 8), which the XML gateway is taken to send too."""


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


def retry_after_header(headers: Mapping[str, str]) -> str | None:
    """The wait a reply's headers ask for (``headers.get`` case-insensitive, as httpx's): the
    longest number of seconds among :data:`RETRY_AFTER_HEADERS`, else ``Retry-After`` as given
    (an HTTP date), else None."""
    given = [headers.get(name) for name in RETRY_AFTER_HEADERS]
    seconds = [s for s in (retry_after_seconds(value) for value in given) if s is not None]
    if seconds:
        return format(max(seconds), "g")
    return given[0]


def lost_error(error: Exception, *, system: str) -> SyncError:
    """A failure once the request may have left (a time-out, a connection lost, a body that
    cannot be decompressed): whether it ran on ``system``'s side is not known."""
    what = "timed out" if isinstance(error, httpx.TimeoutException) else "lost the connection"
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"The connection to {system} {what}; the request may or may not have run.",
        fix="Nothing to do: the sync retries and checks what was written.",
        cause=type(error).__name__,
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


@dataclass(frozen=True, slots=True)
class Attempt(Generic[T]):
    """One HTTP exchange: its outcome, whether it is worth repeating, and whether repeating it is
    always safe (nothing ran); ``later``: why a reply that was read says "later"."""

    outcome: Result[T, SyncError]
    retriable: bool
    safe_to_repeat: bool
    retry_after: float | None = None
    later: SyncError | None = None

    def error(self) -> SyncError:
        """Why this attempt is worth repeating (it is)."""
        if self.later is not None:
            return self.later
        return self.outcome.failure()


class RepeatSettings(RetrySettings, Protocol):
    """What ``repeat`` reads of a client's settings: the wait limits and the tries."""

    @property
    def attempts(self) -> int: ...


async def repeat(
    once: Callable[[], Awaitable[Attempt[T]]],
    settings: RepeatSettings,
    *,
    idempotent: bool,
    sleep: Callable[[float], Awaitable[None]],
    jitter: Callable[[], float],
    system: str,
    table: str,
) -> Result[T, SyncError]:
    """``once()`` up to ``settings.attempts`` times: an attempt is repeated when it is worth it
    (``retriable``) and either always safe (nothing ran) or the call is ``idempotent``, after the
    wait ``Waits`` gives; a wait refused fails the call (``not_waited``). The last outcome
    otherwise."""
    waits = Waits(settings, jitter=jitter)
    for attempt in range(settings.attempts):
        sent = await once()
        retry = sent.safe_to_repeat or idempotent
        if not retry or attempt == settings.attempts - 1 or not sent.retriable:
            return sent.outcome
        wait = waits.next(attempt, sent.retry_after)
        if isinstance(wait, WaitRefused):
            return Failure(not_waited(sent.error(), wait, system=system, table=table))
        log_retry(
            sent.error(), system=system, attempt=attempt, wait=wait, retry_after=sent.retry_after
        )
        await sleep(wait)
    raise AssertionError  # pragma: no cover - the loop always returns
