"""``released-intacct results CONNECTION``: the sync results of a company, filtered (rule E1).

A readable table (when, record, direction, rule, link status; the message and the fix beneath
each row), or with ``--json`` one JSON object per line: the admin API's result (``ResultView``,
camelCase), so a script reads the same fields from both.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import msgspec
from returns.pipeline import is_successful

from released_intacct.app.admin.reports import ResultView
from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import OK, Console, add_command, connection_id, failed
from released_intacct.app.settings import Settings
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.links import LinkStatus
from released_intacct.domain.results import SyncResult
from released_intacct.domain.state import ResultFilter

__all__ = ["HEADERS", "as_json", "register", "rows", "table"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "results",
        summary="list a company's sync results (what failed or was skipped, and the fix)",
        description=(
            "Lists the sync results of the company, latest first (rule E1: one row per failure, "
            "seen again or not): when, the record, the direction, the rule, the message, the fix "
            "and whether the record is linked or unlinked (rule E2)."
        ),
        examples="  released-intacct results conn-3f2a... --type invoice\n"
        "  released-intacct results conn-3f2a... --direction outgoing --unlinked\n"
        "  released-intacct results conn-3f2a... --since 2026-05-01 --json | jq .linkStatus",
        run=_run,
    )
    parser.add_argument("connection", type=connection_id, help="the connection id")
    parser.add_argument("--type", choices=[k.value for k in RecordType], help="record type")
    parser.add_argument("--direction", choices=[d.value for d in Direction])
    linked = parser.add_mutually_exclusive_group()
    linked.add_argument("--linked", action="store_const", const=LinkStatus.LINKED, dest="link")
    linked.add_argument("--unlinked", action="store_const", const=LinkStatus.UNLINKED, dest="link")
    parser.add_argument(
        "--since", type=_moment, help="last seen at or after (ISO date or time; UTC if no zone)"
    )
    parser.add_argument("--limit", type=_positive, default=100, help="at most N (default 100)")
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per line, camelCase as the admin API's results",
    )


def _moment(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        msg = f"must be an ISO date or time such as 2026-05-01T12:00:00+00:00, got {raw!r}"
        raise argparse.ArgumentTypeError(msg) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        msg = f"must be a whole number of at least 1, got {raw!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(raw)


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    where = ResultFilter(
        record_type=None if args.type is None else RecordType(args.type),
        direction=None if args.direction is None else Direction(args.direction),
        link_status=args.link,
        since=args.since,
        limit=args.limit,
    )
    async with open_service(settings, needs_released=False) as service:
        found = await service.results(args.connection, where)
        if not is_successful(found):
            return failed(found.failure(), console)
    if args.json:
        for line in as_json(found.unwrap()):
            console.say(line)
    else:
        console.table(HEADERS, rows(found.unwrap()), plain=table(found.unwrap()))
    return OK


def _record(result: SyncResult) -> str:
    ids = [x for x in (result.released_id, result.intacct_key and f"#{result.intacct_key}") if x]
    return f"{result.record_type.value} {' '.join(ids) or '(no id)'}"


HEADERS = (
    "LAST SEEN",
    "RECORD",
    "DIRECTION",
    "RULE",
    "LINK",
    "COUNT",
    "WHAT HAPPENED, AND THE FIX",
)


def rows(results: tuple[SyncResult, ...]) -> list[tuple[str, ...]]:
    """The table's cells (pure): one row per result, ending with its message and fix."""
    return [
        (
            r.last_seen.isoformat(timespec="seconds")[:19],
            _record(r),
            r.direction.value,
            r.rule.value if r.rule else "-",
            r.link_status.value,
            str(r.count),
            f"{r.message}\nfix: {r.fix}",
        )
        for r in results
    ]


def table(results: tuple[SyncResult, ...]) -> list[str]:
    """The plain table (pure): one line per result, its message and fix beneath."""
    if not results:
        return ["no results"]
    head = f"{'LAST SEEN':<20} {'RECORD':<32} {'DIRECTION':<9} {'RULE':<5} {'LINK':<8} COUNT"
    lines = [head]
    for seen, record, direction, rule, link, count, what in rows(results):
        lines.append(f"{seen:<20} {record:<32} {direction:<9} {rule:<5} {link:<8} {count}")
        lines.extend(f"    {part}" for part in what.split("\n"))
    return lines


def as_json(results: tuple[SyncResult, ...]) -> list[str]:
    """One JSON object per result, as the admin API answers it (pure)."""
    return [msgspec.json.encode(ResultView.of(r)).decode() for r in results]
