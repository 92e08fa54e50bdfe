"""Sync results (E1), unlink and relink (E2), run status, counts and progress (E3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.enums import Direction, RecordType, System
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.links import Link, LinkStatus, relink, unlink
from released_intacct.domain.results import (
    Progress,
    RecordCounts,
    RunCounts,
    RunStatus,
    SyncResult,
    TypeProgress,
    is_failure,
    record_result,
    result_identity,
    run_status,
)
from released_intacct.domain.rules.titles import TITLES, title

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
INVOICE = RecordRef(
    record_type=RecordType.INVOICE,
    direction=Direction.INCOMING,
    released_id=ReleasedId("inv-1"),
    intacct_key=IntacctKey("101"),
    label="INV-0042",
)


def _error(
    message: str = "Invoice INV-0042 is in EUR, not the company's GBP.",
    *,
    rule: Rule | None = Rule.D14,
    record: RecordRef | None = INVOICE,
    kind: ErrorKind = ErrorKind.NEEDS_USER,
) -> SyncError:
    return SyncError(
        kind=kind,
        rule=rule,
        message=message,
        fix="Detach it and re-create the contact in GBP in Re-Leased.",
        record=record,
    )


# --- E1 ------------------------------------------------------------------------------------------


def test_E1_a_first_failure_makes_a_row_seen_once() -> None:
    row = record_result(None, _error(), at=T0, link_status=LinkStatus.LINKED)
    assert row == SyncResult(
        first_seen=T0,
        last_seen=T0,
        record_type=RecordType.INVOICE,
        released_id=ReleasedId("inv-1"),
        intacct_key=IntacctKey("101"),
        direction=Direction.INCOMING,
        rule=Rule.D14,
        kind=ErrorKind.NEEDS_USER,
        message="Invoice INV-0042 is in EUR, not the company's GBP.",
        fix="Detach it and re-create the contact in GBP in Re-Leased.",
        link_status=LinkStatus.LINKED,
        count=1,
    )
    assert row.identity == result_identity(_error())


def test_E1_the_same_failure_again_updates_the_row() -> None:
    first = record_result(None, _error(), at=T0, link_status=LinkStatus.LINKED)
    later = T0 + timedelta(days=1)
    again = record_result(
        first, _error("Invoice INV-0042 is in USD."), at=later, link_status=LinkStatus.UNLINKED
    )
    assert (again.count, again.first_seen, again.last_seen) == (2, T0, later)
    assert again.message == "Invoice INV-0042 is in USD."
    assert again.link_status is LinkStatus.UNLINKED
    assert again.identity == first.identity


def test_E1_another_rule_kind_or_record_is_another_row() -> None:
    row = record_result(None, _error(), at=T0, link_status=LinkStatus.LINKED)
    other_record = RecordRef(
        record_type=RecordType.INVOICE,
        direction=Direction.INCOMING,
        released_id=ReleasedId("inv-2"),
        intacct_key=IntacctKey("102"),
    )
    others = [
        _error(rule=Rule.D13),
        _error(kind=ErrorKind.REJECTED),
        _error(record=other_record),
        _error(rule=None),
    ]
    for other in others:
        assert result_identity(other) != row.identity
        with pytest.raises(ValueError, match="does not belong"):
            record_result(row, other, at=T0, link_status=LinkStatus.LINKED)


def test_E1_an_error_about_no_record_is_a_programmer_error() -> None:
    with pytest.raises(ValueError, match="needs the record"):
        record_result(None, _error(record=None), at=T0, link_status=LinkStatus.LINKED)


def test_E1_times_are_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        record_result(None, _error(), at=datetime(2026, 3, 1), link_status=LinkStatus.LINKED)  # noqa: DTZ001


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=20))
def test_E1_n_reports_of_one_failure_make_one_row_counting_n(minutes: list[int]) -> None:
    row: SyncResult | None = None
    for offset in minutes:
        at = T0 + timedelta(minutes=offset)
        row = record_result(row, _error(), at=at, link_status=LinkStatus.LINKED)
    assert row is not None
    assert row.count == len(minutes)
    assert row.first_seen == T0 + timedelta(minutes=min(minutes))
    assert row.last_seen == T0 + timedelta(minutes=max(minutes))


# --- E2 ------------------------------------------------------------------------------------------

LINK = Link(
    record_type=RecordType.INVOICE,
    released_id=ReleasedId("inv-1"),
    intacct_key=IntacctKey("101"),
    origin=System.INTACCT,
    released_fingerprint="r",
    intacct_fingerprint="i",
)


def test_E2_unlink_takes_a_linked_record_out_without_losing_it() -> None:
    unlinked = unlink(LINK).unwrap()
    assert unlinked.status is LinkStatus.UNLINKED
    assert not unlinked.is_linked
    assert (unlinked.released_id, unlinked.intacct_key) == (LINK.released_id, LINK.intacct_key)
    assert (unlinked.released_fingerprint, unlinked.intacct_fingerprint) == ("r", "i")


def test_E2_unlinking_twice_is_refused() -> None:
    error = unlink(unlink(LINK).unwrap()).failure()
    assert error.rule is Rule.E2
    assert "already unlinked" in error.message
    assert error.record is not None
    assert error.record.released_id == "inv-1"


def test_E2_relink_puts_an_unlinked_record_back() -> None:
    assert relink(unlink(LINK).unwrap()).unwrap() == LINK


def test_E2_relinking_a_linked_record_is_refused() -> None:
    assert relink(LINK).failure().rule is Rule.E2


# --- E3 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finished", "errors", "status", "colour"),
    [
        (False, 0, RunStatus.RUNNING, None),
        (False, 3, RunStatus.RUNNING_WITH_ERRORS, "orange"),
        (True, 0, RunStatus.SUCCEEDED, "blue"),
        (True, 1, RunStatus.FAILED, "red"),
    ],
)
def test_E3_run_status_and_colour(
    finished: bool, errors: int, status: RunStatus, colour: str | None
) -> None:
    assert run_status(finished=finished, errors=errors) is status
    assert status.colour == colour
    assert status.finished is finished


def test_E3_negative_error_counts_are_a_programmer_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        run_status(finished=True, errors=-1)


def test_E3_skipped_records_are_no_error() -> None:
    assert not is_failure(ErrorKind.SKIPPED)
    assert all(is_failure(kind) for kind in ErrorKind if kind is not ErrorKind.SKIPPED)


def test_E3_run_counts_add_up_per_record_type() -> None:
    empty = RunCounts()
    counts = (
        empty.add(RecordType.INVOICE, created=2)
        .add(RecordType.INVOICE, updated=1, failed=1)
        .add(RecordType.PAYMENT, skipped=3)
    )
    assert empty.of(RecordType.INVOICE) == RecordCounts()
    assert counts.of(RecordType.INVOICE) == RecordCounts(created=2, updated=1, failed=1)
    assert counts.of(RecordType.PAYMENT) == RecordCounts(skipped=3)
    assert (counts.failed, counts.skipped) == (1, 3)
    assert run_status(finished=True, errors=counts.failed) is RunStatus.FAILED
    assert run_status(finished=True, errors=empty.add(RecordType.PAYMENT, skipped=1).failed) is (
        RunStatus.SUCCEEDED
    )
    with pytest.raises(ValueError, match="negative"):
        empty.add(RecordType.INVOICE, created=-1)


@given(
    st.lists(
        st.tuples(st.sampled_from(RecordType), st.integers(0, 5), st.integers(0, 5)), max_size=30
    )
)
def test_E3_run_counts_add_is_a_sum_whatever_the_order(
    adds: list[tuple[RecordType, int, int]],
) -> None:
    forward, backward = RunCounts(), RunCounts()
    for record_type, created, failed in adds:
        forward = forward.add(record_type, created=created, failed=failed)
    for record_type, created, failed in reversed(adds):
        backward = backward.add(record_type, created=created, failed=failed)
    assert forward == backward
    assert forward.failed == sum(failed for _, _, failed in adds)


def test_E3_progress_counts_records_done_of_an_estimated_total_per_record_type() -> None:
    empty = Progress()
    progress = (
        empty.estimate(RecordType.INVOICE, total=3)
        .add(RecordType.INVOICE, done=1)
        .add(RecordType.CONTACT, done=4)
    )
    assert empty.of(RecordType.INVOICE) == TypeProgress()  # the value is never changed in place
    assert progress.of(RecordType.INVOICE) == TypeProgress(done=1, total=3)
    assert progress.of(RecordType.INVOICE).percent == 33  # whole percent, rounded down
    assert progress.of(RecordType.CONTACT).percent is None  # no estimate yet
    assert progress.done == 5
    grown = progress.add(RecordType.INVOICE, done=3)
    assert grown.of(RecordType.INVOICE).percent == 100  # past an estimate: at most 100
    assert grown.estimate(RecordType.INVOICE, total=None).of(RecordType.INVOICE).done == 4
    assert TypeProgress(done=0, total=0).percent == 100  # nothing to do is done
    with pytest.raises(ValueError, match="negative"):
        empty.add(RecordType.INVOICE, done=-1)
    with pytest.raises(ValueError, match="negative"):
        empty.estimate(RecordType.INVOICE, total=-1)


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000))
def test_E3_progress_percent_stays_within_0_and_100_and_never_goes_back(
    done: int, more: int, total: int
) -> None:
    before = TypeProgress(done=done, total=total).percent
    after = TypeProgress(done=done + more, total=total).percent
    assert before is not None
    assert after is not None
    assert 0 <= before <= after <= 100


def test_E1_every_rule_has_a_title_for_summaries() -> None:
    assert set(TITLES) == set(Rule)
    assert all(text and text == text.strip() for text in TITLES.values())
    assert title(None) == "other"
