"""Rule E3 at the terminal: a run's progress as plain lines (no terminal) or rich's bars."""

from __future__ import annotations

import io

from released_intacct.app.cli.progress import BAR_WIDTH, line_of
from released_intacct.app.cli.screen import run_progress, terminal
from released_intacct.domain.enums import RecordType
from released_intacct.domain.results import TypeProgress


def test_E3_a_plain_line_has_a_bar_the_count_and_the_percent() -> None:
    line = line_of(RecordType.INVOICE, TypeProgress(done=10, total=40), width=20)
    assert line.startswith("invoice ")
    assert "[" + "#" * 5 + "." * 15 + "]" in line
    assert line.endswith("10/40  25%")
    full = line_of(RecordType.ACCOUNT, TypeProgress(done=4, total=4), width=20)
    assert "[" + "#" * 20 + "]" in full
    assert full.endswith("4/4 100%")


def test_E3_an_unknown_total_shows_the_count_alone() -> None:
    line = line_of(RecordType.PAYMENT, TypeProgress(done=7, total=None))
    assert line.endswith("7/?")
    assert "?" * BAR_WIDTH in line
    assert "%" not in line


def test_E3_more_done_than_estimated_shows_a_full_bar_and_the_real_count() -> None:
    line = line_of(RecordType.CONTACT, TypeProgress(done=35, total=30), width=10)
    assert "[##########]" in line
    assert line.endswith("35/30 100%")


def test_E3_nothing_done_of_nothing_is_complete() -> None:
    assert line_of(RecordType.ITEM, TypeProgress(done=0, total=0), width=4).endswith("0/0 100%")
    assert line_of(RecordType.ITEM, TypeProgress(done=0, total=8), width=4).count("#") == 0


def test_E3_a_plain_line_is_plain_text() -> None:
    assert "\x1b" not in line_of(RecordType.INVOICE, TypeProgress(done=1, total=3))


def test_E3_rich_s_progress_shows_count_percent_rate_and_time_left() -> None:
    out = io.StringIO()
    bars = run_progress(terminal(out))
    task = bars.add_task("invoice", total=40)
    bars.start()
    bars.update(task, completed=10)
    bars.update(task, completed=20)
    bars.refresh()
    bars.stop()
    said = out.getvalue()
    assert "\x1b[" in said
    assert "20/40" in said
    assert "50%" in said
    assert "/s" in said  # the rate, records a second
    assert ":" in said.split("/s", 1)[1]  # then the time remaining (h:mm:ss)
