"""The versions a feed was handed (``adapters.seen``), shared by the XML and REST readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from released_intacct.adapters.seen import Seen, Version

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
Row = tuple[str, datetime]


def _version(row: Row) -> Version:
    return row[0], row[1].isoformat(), row[1]


def test_D21_a_version_read_again_only_for_the_overlap_is_not_handed_on_twice() -> None:
    seen = Seen()
    early, late = ("a", T0 - timedelta(minutes=1)), ("b", T0 + timedelta(minutes=1))
    first, high = seen.fresh("feed", [early, late], since=None, version=_version)
    assert (first, high) == ([early, late], late[1])
    again, _ = seen.fresh("feed", [early, late], since=T0, version=_version)
    assert again == [late]  # `early` is before the cursor and was handed on: dropped
    other, _ = seen.fresh("other feed", [early], since=T0, version=_version)
    assert other == [early]  # each feed remembers its own versions
    changed = ("a", T0 - timedelta(seconds=30))
    assert seen.fresh("feed", [changed], since=T0, version=_version)[0] == [changed]


def test_a_feed_forgets_what_its_reads_cannot_return_and_holds_at_most_its_cap() -> None:
    seen = Seen(cap=3)
    rows = [(str(n), T0 + timedelta(minutes=n)) for n in range(5)]
    seen.fresh("feed", rows, since=None, version=_version)
    assert seen.held() == 3
    seen.forget_before("feed", T0 + timedelta(minutes=4))
    assert seen.held() == 1
