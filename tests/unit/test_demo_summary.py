"""The summary ``make run`` prints (``fakes.demo_summary`` over ``app.cli.summary``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import ConnectionId, IntacctKey
from released_intacct.domain.links import LinkStatus
from released_intacct.domain.results import RunCounts, RunStatus, SyncResult
from released_intacct.domain.state import Run
from released_intacct.fakes.demo_summary import Where, summary

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
WHERE = Where(
    connection="conn-1",
    admin_url="http://127.0.0.1:8000",
    token="tok",
    config=".demo/settings.toml",
    logs=".demo/logs",
    every_minutes=5,
    cli="/checkout/.venv/bin/released-intacct",
)


def _result(rule: Rule | None, kind: ErrorKind, message: str, key: str) -> SyncResult:
    return SyncResult(
        first_seen=T0,
        last_seen=T0,
        record_type=RecordType.INVOICE,
        released_id=None,
        intacct_key=IntacctKey(key),
        direction=Direction.INCOMING,
        rule=rule,
        kind=kind,
        message=message,
        fix="fix",
        link_status=LinkStatus.LINKED,
    )


def test_E1_E3_the_summary_groups_results_by_rule_in_rule_order() -> None:
    run = Run(
        id="r1",
        connection=ConnectionId("conn-1"),
        started_at=T0,
        finished_at=T0 + timedelta(seconds=12.5),
        status=RunStatus.FAILED,
        errors=1,
        counts=RunCounts().add(RecordType.INVOICE, created=30, failed=1, skipped=2),
    )
    results = [
        _result(Rule.D13, ErrorKind.REJECTED, "Intacct invoice INV-0023 has a negative total", "7"),
        _result(Rule.C4, ErrorKind.SKIPPED, "Intacct invoice INV-0002 is dated 2023", "2"),
        _result(Rule.C4, ErrorKind.SKIPPED, "Intacct invoice INV-0001 is dated 2023", "1"),
    ]
    text = summary(run, results, WHERE)
    assert text.startswith(
        "Initial sync finished RED in 12.5 s: 1 record(s) need a person (rule E3).\n"
    )
    assert "  invoice           created   30  updated    0  skipped    2  failed    1" in text
    c4, d13 = text.index("  C4 "), text.index("  D13")
    assert c4 < d13
    assert "  C4      2  skipped     nothing dated before the sync-from date" in text
    assert "e.g. Intacct invoice INV-0001 is dated 2023" in text  # the first, in a stable order
    assert "  D13     1  1 error(s)  credit notes are adjustments" in text
    assert (
        'curl -H "Authorization: Bearer tok" http://127.0.0.1:8000/connections/conn-1/status'
        in text
    )
    assert "a sync every 5 minutes" in text
