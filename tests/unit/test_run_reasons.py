"""Why a run is red (``domain.reasons``, rule E3), and how the CLI prints it (``sync``,
``status``)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from released_intacct.app.cli.shell import Console
from released_intacct.app.cli.status import describe
from released_intacct.app.cli.summary import show, summary, why_red
from released_intacct.app.company_status import CompanyStatus
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import (
    ConnectionId,
    IntacctCompanyId,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.links import LinkStatus
from released_intacct.domain.ports import Notification
from released_intacct.domain.reasons import Reason, reasons
from released_intacct.domain.results import RecordCounts, RunCounts, RunStatus, SyncResult
from released_intacct.domain.state import Connection, Phase, Run, StoredNotification

C = ConnectionId("conn-1")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RED = Run(
    id="run-2",
    connection=C,
    started_at=T0,
    status=RunStatus.FAILED,
    finished_at=T0 + timedelta(minutes=5),
    errors=3,
    transactions=41,
)


def _note(n: int, run: str | None, title: str, body: str) -> StoredNotification:
    note = Notification(connection=C, title=title, body=body, run=run)
    return StoredNotification(id=n, notification=note, created_at=RED.started_at)


def _result(rule: Rule | None, id: str, kind: ErrorKind = ErrorKind.REJECTED) -> SyncResult:
    return SyncResult(
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=1),
        record_type=RecordType.INVOICE,
        released_id=ReleasedId(id),
        intacct_key=None,
        direction=Direction.OUTGOING,
        rule=rule,
        kind=kind,
        message=f"invoice {id} cannot be sent",
        fix=f"fix {rule.value if rule else 'it'}",
        link_status=LinkStatus.LINKED,
    )


NOTES = (
    _note(3, "run-3", "Sync finished", "all synced"),  # a later run's, same moment
    _note(2, "run-2", "Sync failed", "The sync stopped: [E3] Intacct refused the log-in."),
    _note(1, "run-1", "Sync failed", "an earlier run's"),
)


def test_E3_a_red_runs_reasons_are_its_own_notification_then_its_failed_rules_in_order() -> None:
    results = (
        _result(Rule.D13, "inv-2"),
        _result(Rule.D2, "inv-9"),
        _result(Rule.D13, "inv-1"),
        _result(Rule.D4, "inv-5", ErrorKind.SKIPPED),  # skipped: no reason for red
        replace(_result(Rule.D8, "inv-7"), last_seen=T0 + timedelta(hours=1)),  # a later run's
    )
    assert reasons(RED, NOTES, results) == (
        Reason(
            rule=None, message="Sync failed: The sync stopped: [E3] Intacct refused the log-in."
        ),
        Reason(rule=Rule.D2, message="invoice inv-9 cannot be sent", fix="fix D2", records=1),
        Reason(rule=Rule.D13, message="invoice inv-1 cannot be sent", fix="fix D13", records=2),
    )


def test_E3_a_run_that_is_not_red_has_no_reasons_and_at_most_five_rules_are_given() -> None:
    results = [_result(rule, f"inv-{n}") for n, rule in enumerate(Rule)]
    for status in (RunStatus.SUCCEEDED, RunStatus.RUNNING, RunStatus.RUNNING_WITH_ERRORS):
        assert reasons(replace(RED, status=status), NOTES, results) == ()
    given = reasons(RED, (), results)
    assert [r.rule for r in given] == list(Rule)[:5]


def test_E3_sync_prints_why_a_red_run_is_red_and_the_transactions_it_spent() -> None:
    why = reasons(RED, NOTES, (_result(Rule.D13, "inv-1"),))
    lines = [*summary(RED, ()), *why_red(why)]
    assert "41 Intacct API transaction(s) spent" in lines[0]
    assert lines[-3:] == [
        "why it is red:",
        "  - Sync failed: The sync stopped: [E3] Intacct refused the log-in.",
        "  - [D13] invoice inv-1 cannot be sent (1 record(s)) Fix: fix D13",
    ]
    assert why_red(()) == []


def test_E3_status_prints_the_last_runs_reasons_and_transactions() -> None:
    connection = Connection(
        id=C,
        released_company=ReleasedCompanyId("RL-1"),
        intacct_company=IntacctCompanyId("INT-1"),
        entity=None,
        phase=Phase.CONFIRMED,
        sync_from=date(2026, 1, 1),
        created_at=T0,
    )
    status = CompanyStatus(
        connection=connection,
        last_run=RED,
        running=False,
        next_run=None,
        transactions_spent=50,
        reasons=reasons(RED, NOTES, ()),
    )
    text = "\n".join(describe(status))
    assert "3 error(s), 41 Intacct API transaction(s)" in text
    assert "\n  why it is red:\n    - Sync failed: The sync stopped: [E3]" in text
    assert "transactions  50 spent by this process" in text


def test_E3_a_terminal_gets_a_run_s_counts_and_results_by_rule_as_rich_tables() -> None:
    """``sync``'s summary (``summary.show``): tables at a terminal, ``summary``'s lines off one."""
    counts = {RecordType.INVOICE: RecordCounts(created=3, failed=1)}
    run = replace(RED, counts=RunCounts(by_type=MappingProxyType(counts)))
    results = [_result(Rule.D13, "inv-1"), _result(None, "inv-2", ErrorKind.SKIPPED)]
    piped = Console(out=io.StringIO(), err=io.StringIO(), tty=False)
    show(piped, run, results)
    assert isinstance(piped.out, io.StringIO)
    assert piped.out.getvalue().splitlines() == summary(run, results)
    drawn = Console(out=io.StringIO(), err=io.StringIO(), tty=True)
    show(drawn, run, results)
    assert isinstance(drawn.out, io.StringIO)
    said = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn.out.getvalue())
    assert re.search(r"┃ record type +┃ created +┃ updated +┃ skipped +┃ failed +┃", said), said
    assert re.search(r"│ invoice +│ 3 +│ 0 +│ 0 +│ 1 +│", said), said
    assert re.search(r"┃ rule +┃ records +┃ kind +┃ what it is +┃ for example", said), said
    assert re.search(r"│ D13 +│ 1 +│ 1 error\(s\) +│", said), said
    assert said.startswith(summary(run, results)[0])  # the headline as on a pipe
