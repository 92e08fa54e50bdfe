"""Where a feed read to its end asks its cursor to move (``domain.stored.read_to``), beside the
rule the store keeps (``advanced``: never past the run's start, never back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.stored import Cursor, advanced, read_to

START = datetime(2026, 5, 3, 12, 0, tzinfo=UTC)
OVERLAP = timedelta(minutes=5)
CURSOR = START - timedelta(days=1)


def test_a_feed_that_read_something_new_moves_to_the_newest_stamp() -> None:
    newest = CURSOR + timedelta(hours=2)
    assert read_to(newest, since=CURSOR, run_started=START, overlap=OVERLAP) == newest


def test_a_feed_that_read_only_its_overlap_moves_to_the_start_less_the_overlap() -> None:
    in_window = CURSOR - timedelta(minutes=1)
    assert read_to(in_window, since=CURSOR, run_started=START, overlap=OVERLAP) == START - OVERLAP
    assert read_to(CURSOR, since=CURSOR, run_started=START, overlap=OVERLAP) == START - OVERLAP


def test_a_feed_that_read_nothing_moves_to_the_start_less_the_overlap() -> None:
    assert read_to(None, since=CURSOR, run_started=START, overlap=OVERLAP) == START - OVERLAP
    assert read_to(None, since=None, run_started=START, overlap=OVERLAP) == START - OVERLAP


def test_a_feed_with_no_overlap_moves_only_to_what_it_read() -> None:
    assert read_to(None, since=CURSOR, run_started=START, overlap=None) is None
    assert read_to(CURSOR, since=CURSOR, run_started=START, overlap=None) == CURSOR


@given(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=st.just(UTC)) | st.none(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1)),
)
def test_the_store_still_never_moves_a_cursor_past_the_start_or_back(
    stored_at: datetime, high: datetime | None, overlap: timedelta
) -> None:
    since = min(stored_at, START)
    stored = Cursor(feed="intacct.accounts", position=since)
    to = read_to(high, since=since, run_started=START, overlap=overlap)
    if to is None:
        return
    moved, _ = advanced(stored, Cursor(feed="intacct.accounts", position=to), run_started=START)
    assert since <= moved.position <= START
