"""The versions each change feed was handed, so a record read again only because of the overlap
window is not handed on twice (both Intacct adapters: ``intacct.feedreader`` and
``intacct_rest.query``).

A feed reads from its cursor less an overlap (a record may be written late with an earlier
stamp). A row read again only for the overlap (modified before the cursor) is dropped when this
very version of it (its identity and its stamp) was already handed to the same feed; a full read
(no cursor) drops nothing. Each feed remembers only the versions its reads can still return (a
feed's first page forgets what is older than its start, the cursor less the overlap, since a
cursor never moves back), and at most ``SEEN_CAP`` of them, so memory stays flat.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Final, TypeVar

__all__ = ["SEEN_CAP", "Seen", "Version"]

R = TypeVar("R")
SEEN_CAP: Final = 200_000
"""At most this many versions remembered per feed, whatever the window holds."""
Version = tuple[str, str, datetime | None]
"""A row's identity, its stamp as read, and the stamp as a time (None: unreadable)."""


class Seen:
    """The versions handed to each feed (keyed by anything hashable naming the feed)."""

    __slots__ = ("_cap", "_feeds")

    def __init__(self, *, cap: int = SEEN_CAP) -> None:
        self._cap = cap
        self._feeds: dict[Hashable, OrderedDict[tuple[str, str], datetime | None]] = {}

    def held(self) -> int:
        """Versions remembered, over every feed."""
        return sum(len(versions) for versions in self._feeds.values())

    def fresh(
        self,
        feed: Hashable,
        rows: Sequence[R],
        *,
        since: datetime | None,
        version: Callable[[R], Version],
    ) -> tuple[list[R], datetime | None]:
        """The rows to hand on (a version read again only for the overlap is dropped), and the
        page's high-water mark (its latest readable stamp)."""
        kept: list[R] = []
        high_water: datetime | None = None
        for row in rows:
            identity, stamp, modified = version(row)
            if modified is not None and (high_water is None or modified > high_water):
                high_water = modified
            seen = self.remember(feed, identity, stamp, modified)
            in_overlap = since is not None and modified is not None and modified < since
            if not (seen and in_overlap):
                kept.append(row)
        return kept, high_water

    def remember(
        self, feed: Hashable, identity: str, stamp: str, modified: datetime | None
    ) -> bool:
        """Remember a version for ``feed``; True when this very version was handed to it before."""
        seen = self._feeds.setdefault(feed, OrderedDict())
        key = (identity, stamp)
        if key in seen:
            return True
        seen[key] = modified
        if len(seen) > self._cap:
            seen.popitem(last=False)
        return False

    def forget_before(self, feed: Hashable, start: datetime) -> None:
        """Drop what ``feed`` remembers from before ``start``: its reads from here on ask for
        nothing older, so the set holds the overlap window and what the run read after it."""
        seen = self._feeds.get(feed)
        if not seen:
            return
        for key in [k for k, at in seen.items() if at is not None and at < start]:
            del seen[key]
