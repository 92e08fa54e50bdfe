"""The set-up kept between runs (``adapters.intacct.setupcache``), on an injectable clock: a
fact is served while younger than the lifetime, never at it, and entries past it are dropped
when another is kept, so the cache holds only the connections synced within one lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from released_intacct.adapters.intacct.setupcache import Kept, SetupCache

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


def _kept(at: datetime) -> Kept:
    return Kept(
        read_at=at, subscribed=frozenset({"SO"}), definitions=frozenset(), labels={}, items=()
    )


def test_C5_a_kept_set_up_serves_only_within_its_lifetime() -> None:
    clock = Clock()
    cache = SetupCache(clock)
    cache.keep(("C", "u", "E1"), _kept(T0), HOUR)
    clock.at = T0 + HOUR - timedelta(seconds=1)
    assert cache.fresh(("C", "u", "E1"), HOUR) is not None
    assert cache.fresh(("C", "u", "E2"), HOUR) is None  # another entity: its own
    clock.at = T0 + HOUR
    assert cache.fresh(("C", "u", "E1"), HOUR) is None
    assert cache.last(("C", "u", "E1")) is not None  # still says what was subscribed


def test_C5_entries_past_the_lifetime_are_dropped_when_another_is_kept() -> None:
    clock = Clock()
    cache = SetupCache(clock)
    cache.keep(("C", "u", "E1"), _kept(T0), HOUR)
    clock.at = T0 + 2 * HOUR
    cache.keep(("D", "u", ""), _kept(clock.at), HOUR)
    assert cache.last(("C", "u", "E1")) is None
    assert cache.last(("D", "u", "")) is not None
    cache.forget(("D", "u", ""))
    assert cache.last(("D", "u", "")) is None
