"""The retry arithmetic both HTTP adapters share: back-off with full jitter, and Retry-After.

Seconds here are durations, not money: floats are right for them.
"""

from __future__ import annotations


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
