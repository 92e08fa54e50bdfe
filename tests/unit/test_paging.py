"""The one paginator (house style rule 13): every page to the end, a repeated token and a page
larger than asked refused, early stop, and records read twice counted once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from returns.pipeline import is_successful
from returns.result import Result, Success

from released_intacct.adapters.paging import PROBLEMS_PER_PAGE, Fetch, Pages, read_all
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.ports import FeedQuery, Page


def _source(pages: Sequence[Page[int]]) -> tuple[list[FeedQuery], Fetch[int]]:
    asked: list[FeedQuery] = []

    async def fetch(query: FeedQuery) -> Result[Page[int], SyncError]:
        asked.append(query)
        return Success(pages[len(asked) - 1])

    return asked, fetch


def test_reads_every_page_following_the_tokens() -> None:
    asked, fetch = _source([Page(items=(1, 2), next_token="a"), Page(items=(3,))])
    found = asyncio.run(read_all(fetch, what="numbers", size=2))
    assert found.unwrap().items == (1, 2, 3)
    assert [(q.token, q.size) for q in asked] == [(None, 2), ("a", 2)]


def test_a_token_offered_twice_is_refused() -> None:
    _, fetch = _source([Page(items=(1,), next_token="a"), Page(items=(2,), next_token="a")])
    found = asyncio.run(read_all(fetch, what="numbers"))
    assert not is_successful(found)
    assert found.failure().kind is ErrorKind.RETRIABLE
    assert "offered twice" in found.failure().message
    assert "numbers" in found.failure().message


def test_a_page_larger_than_asked_is_refused() -> None:
    _, fetch = _source([Page(items=(1, 2, 3))])
    found = asyncio.run(read_all(fetch, what="numbers", size=2))
    assert not is_successful(found)
    assert "a page held 3 records, 2 were asked" in found.failure().message


def test_records_read_twice_count_once_and_until_stops_early() -> None:
    asked, fetch = _source(
        [Page(items=(1, 2), next_token="a"), Page(items=(2, 3), next_token="b"), Page(items=(9,))]
    )
    found = asyncio.run(
        read_all(fetch, what="numbers", key=lambda n: n, until=lambda seen: 3 in seen)
    )
    assert sorted(found.unwrap().items) == [1, 2, 3]
    assert len(asked) == 2


def test_pages_refuse_a_size_below_one_and_a_read_past_the_end() -> None:
    _, fetch = _source([Page(items=())])
    with pytest.raises(ValueError, match="at least 1"):
        Pages(fetch, what="numbers", size=0)
    pages: Pages[int] = Pages(fetch, what="numbers")
    assert is_successful(asyncio.run(pages.next()))
    assert pages.done
    with pytest.raises(RuntimeError, match="read to the end"):
        asyncio.run(pages.next())


def _unreadable(number: int) -> SyncError:
    record = RecordRef(
        record_type=RecordType.INVOICE,
        direction=Direction.OUTGOING,
        released_id=ReleasedId(f"i-{number}"),
    )
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"A Re-Leased invoice could not be read: i-{number}.",
        fix="Correct the record in Re-Leased.",
        record=record,
        cause="unreadable record",
    )


def test_F6_a_page_keeps_its_first_problems_and_counts_the_others_in_one() -> None:
    problems = tuple(_unreadable(n) for n in range(PROBLEMS_PER_PAGE + 150))
    _, fetch = _source([Page(items=(1,), problems=problems)])
    found = asyncio.run(read_all(fetch, what="invoices", size=500))
    kept = found.unwrap().problems
    assert kept[:PROBLEMS_PER_PAGE] == problems[:PROBLEMS_PER_PAGE]
    (more,) = kept[PROBLEMS_PER_PAGE:]
    assert more.kind is ErrorKind.REJECTED
    assert more.message.startswith("150 more records of one page of the invoices could not be read")
    others = ", ".join(f"i-{n}" for n in range(PROBLEMS_PER_PAGE, PROBLEMS_PER_PAGE + 10))
    assert f"({others}, ...)" in more.message
    assert "the first 100 are reported one by one" in more.message
    assert more.fix == problems[0].fix
    assert more.record is not None
    assert (more.record.record_type, more.record.direction) == (
        RecordType.INVOICE,
        Direction.OUTGOING,
    )
    assert more.record.label == "150 more records"
    assert more.record.released_id is None


def test_a_page_of_no_more_problems_than_the_cap_keeps_them_all() -> None:
    problems = tuple(_unreadable(n) for n in range(PROBLEMS_PER_PAGE))
    _, fetch = _source([Page(items=(), problems=problems)])
    assert asyncio.run(read_all(fetch, what="invoices")).unwrap().problems == problems
