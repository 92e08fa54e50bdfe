"""Set-up facts kept between a connection's runs, for ``ClientSettings.setup_lifetime``.

A sync run starts with the company's set-up (``directory``). Within the lifetime (one hour by
default) a run takes these facts from the last read instead of asking again: the subscriptions
(``get_applications``), whether each subscribed order module has a transaction definition, the
account labels and the Items. Onboarding and confirm always read afresh (and keep what they read).

What a stale fact can do, and why each may be kept (``docs/intacct-fidelity.md``, "Set-up kept
between runs"): an Item added in Intacct meanwhile is created again and refused as a duplicate,
one removed is named by a document line Intacct refuses; a module subscribed (or defined) since is
used from the next read, invoices going to AR / AP until then as they did before the change; one
dropped since has its documents refused; an account label activated since is refused on the
lines that need it (D16). Each shows as a refused write, and a refused write forgets what is kept
for its connection, so the next run reads the set-up again.

Never kept: the base currency (``getFinancialSetup``, the entity's LOCATIONENTITY row). Intacct
lets it change while a company (or an entity) has no transactions, and a run that took a stale
one would send records in a currency rule D14 refuses, without a refusal to show it. It is read
every run, in the one set-up request.

One ``SetupCache`` serves every adapter of a process (``bootstrap``), keyed by company, user and
entity (what the user may see decides the Items read). The lifetime is the adapter's setting at
the moment of asking, so a change of it takes effect at the next run. An entry past the
lifetime is dropped when another is kept, so the cache holds at most the connections synced
within one lifetime.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from released_intacct.domain.intacct import Item
from released_intacct.domain.ports import Clock

Key = tuple[str, str, str]
"""(company id, user id, entity id; ``""`` the top level)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Kept:
    """The set-up facts a run may take from an earlier read, and when they were read."""

    read_at: datetime
    subscribed: frozenset[str]
    definitions: frozenset[str]
    """The subscribed order modules (SO, PO) with at least one transaction definition."""
    labels: Mapping[str, int | None]
    items: tuple[Item, ...]


class SetupCache:
    __slots__ = ("_clock", "_kept")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._kept: dict[Key, Kept] = {}

    def now(self) -> datetime:
        return self._clock.now()

    def fresh(self, key: Key, lifetime: timedelta) -> Kept | None:
        """What was kept for ``key`` less than ``lifetime`` ago, or None."""
        kept = self._kept.get(key)
        if kept is None or not _within(kept, self._clock.now(), lifetime):
            return None
        return kept

    def last(self, key: Key) -> Kept | None:
        """What was last kept for ``key``, however old: what it says about subscriptions only
        spares asking for what a module not subscribed then would answer."""
        return self._kept.get(key)

    def keep(self, key: Key, kept: Kept, lifetime: timedelta) -> None:
        now = self._clock.now()
        for old in [k for k, v in self._kept.items() if not _within(v, now, lifetime)]:
            del self._kept[old]
        self._kept[key] = kept

    def forget(self, key: Key) -> None:
        self._kept.pop(key, None)


def _within(kept: Kept, now: datetime, lifetime: timedelta) -> bool:
    return timedelta(0) <= now - kept.read_at < lifetime
