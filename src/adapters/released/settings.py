"""How the adapter talks to one Re-Leased company: page size, attempts, back-off, time-out."""

from __future__ import annotations

import math
from dataclasses import dataclass

from released_intacct.adapters.retrying import check_wait_limits

MAX_PAGE_SIZE = 500
"""The REST model's limit on ``pageSize``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleasedSettings:
    page_size: int = MAX_PAGE_SIZE
    """Records per list page (1-500)."""
    attempts: int = 5
    """Tries per request, the first included, for throttling, 5xx and transport failures."""
    backoff: float = 0.5
    """First back-off in seconds; doubled per attempt, full jitter, capped at ``backoff_cap``."""
    backoff_cap: float = 30.0
    max_retry_after: float = 120.0
    """A ``Retry-After`` longer than this is not waited for: the call fails as retriable."""
    max_retry_wait: float = 300.0
    """The most one request waits between its tries, in all; a wait past it is not taken."""
    timeout: float = 30.0
    """Seconds per request (connect, read, write and pool)."""

    def __post_init__(self) -> None:
        checks = (
            (1 <= self.page_size <= MAX_PAGE_SIZE, f"page_size must be 1-{MAX_PAGE_SIZE}"),
            (self.attempts >= 1, "attempts must be at least 1"),
            *check_wait_limits(self),
            (0 < self.timeout < math.inf, "timeout must be a positive, finite number of seconds"),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
