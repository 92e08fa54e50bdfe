"""The real time: the domain's ``Clock`` port in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
