"""Rule E3 at the terminal: one frame of a run's progress, rendered without a terminal."""

from __future__ import annotations

from released_intacct.app.cli.progress import BAR_WIDTH, frame, line_of
from released_intacct.domain.enums import RecordType
from released_intacct.domain.results import Progress, TypeProgress


def test_E3_a_frame_has_one_bar_per_record_type_in_record_type_order() -> None:
    progress = (
        Progress()
        .estimate(RecordType.INVOICE, total=40)
        .add(RecordType.INVOICE, done=10)
        .estimate(RecordType.ACCOUNT, total=4)
        .add(RecordType.ACCOUNT, done=4)
    )
    lines = frame(progress, width=20)
    assert len(lines) == 2
    assert lines[0].startswith("account ")
    assert "[" + "#" * 20 + "]" in lines[0]
    assert lines[0].endswith("4/4 100%")
    assert lines[1].startswith("invoice ")
    assert "[" + "#" * 5 + "." * 15 + "]" in lines[1]
    assert lines[1].endswith("10/40  25%")


def test_E3_an_unknown_total_shows_the_count_alone() -> None:
    line = line_of(RecordType.PAYMENT, TypeProgress(done=7, total=None))
    assert line.endswith("7/?")
    assert "?" * BAR_WIDTH in line
    assert "%" not in line


def test_E3_more_done_than_estimated_shows_a_full_bar_and_the_real_count() -> None:
    line = line_of(RecordType.CONTACT, TypeProgress(done=35, total=30), width=10)
    assert "[##########]" in line
    assert line.endswith("35/30 100%")


def test_E3_nothing_done_of_nothing_is_complete_and_nothing_yet_is_said_so() -> None:
    assert line_of(RecordType.ITEM, TypeProgress(done=0, total=0), width=4).endswith("0/0 100%")
    assert line_of(RecordType.ITEM, TypeProgress(done=0, total=8), width=4).count("#") == 0
    assert frame(Progress()) == ["waiting for the run to report progress"]


def test_E3_a_frame_is_plain_text() -> None:
    progress = Progress().estimate(RecordType.INVOICE, total=3).add(RecordType.INVOICE, done=1)
    assert all("\x1b" not in line for line in frame(progress))
