"""What a finished run did, for a person (rules E1, E3): its colour, counts and results by rule.

``summary(run, results)`` is pure: the lines to print. ``run_results`` reads the results seen
since the run started (the run's own, as rule E1 keeps one row per failure and refreshes it).
``show(console, run, results)`` prints it: the counts per record type and the results by rule as
tables at a terminal (``Console.table``), the same plain lines otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from returns.result import Result

from released_intacct.app.cli.shell import Console
from released_intacct.app.reasons import RESULTS_READ
from released_intacct.app.service import Service
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.reasons import Reason, example
from released_intacct.domain.reasons import by_rule as grouped_by_rule
from released_intacct.domain.results import RunStatus, SyncResult
from released_intacct.domain.rules.titles import title
from released_intacct.domain.state import ResultFilter, Run

__all__ = ["RESULTS_READ", "by_rule", "exit_code", "run_results", "show", "summary", "why_red"]

COUNTS: Final = ("record type", "created", "updated", "skipped", "failed")
RULES: Final = ("rule", "records", "kind", "what it is", "for example")


async def run_results(service: Service, run: Run) -> Result[tuple[SyncResult, ...], SyncError]:
    return await service.results(
        run.connection, ResultFilter(since=run.started_at, limit=RESULTS_READ)
    )


def exit_code(run: Run) -> int:
    """0 when the run finished blue, 1 when red (or, impossibly here, not finished)."""
    return 0 if run.status is RunStatus.SUCCEEDED else 1


def summary(run: Run, results: Sequence[SyncResult]) -> list[str]:
    return [headline(run), *_count_lines(run), *by_rule(results)]


def show(console: Console, run: Run, results: Sequence[SyncResult]) -> None:
    """``summary`` printed: its two tables drawn as tables at a terminal."""
    console.say(headline(run))
    console.table(COUNTS, count_rows(run), plain=_count_lines(run))
    head, *lines = by_rule(results)
    console.say(head)
    console.table(RULES, rule_rows(results), plain=lines)


def headline(run: Run) -> str:
    colour = run.status.colour or run.status.value
    return (
        f"run {run.id} finished {colour} ({run.status.value}): {run.errors} error(s), "
        f"{run.counts.skipped} skipped, {run.transactions} Intacct API transaction(s) spent"
    )


def count_rows(run: Run) -> list[tuple[str, str, str, str, str]]:
    """Rule E3: what the run did per record type (those it touched, in the model's order)."""
    rows = []
    for kind in RecordType:
        if kind in run.counts.by_type:
            c = run.counts.of(kind)
            rows.append((kind.value, str(c.created), str(c.updated), str(c.skipped), str(c.failed)))
    return rows


def _count_lines(run: Run) -> list[str]:
    return [
        f"  {kind:<17} created {created:>4}  updated {updated:>4}  "
        f"skipped {skipped:>4}  failed {failed:>4}"
        for kind, created, updated, skipped, failed in count_rows(run)
    ]


def rule_rows(results: Sequence[SyncResult]) -> list[tuple[str, str, str, str, str]]:
    """Rule E1: the results grouped by rule, in rule order: the rule, how many, skipped or how
    many errors, its title, and the first message (in a stable order) as an example."""
    rows = []
    for rule, found in grouped_by_rule(results):
        skipped = sum(r.kind is ErrorKind.SKIPPED for r in found)
        kinds = "skipped" if skipped == len(found) else f"{len(found) - skipped} error(s)"
        name = "-" if rule is None else rule.value
        rows.append((name, str(len(found)), kinds, title(rule), example(found).message))
    return rows


def by_rule(results: Sequence[SyncResult], *, width: int = 96) -> list[str]:
    """``rule_rows`` as lines: a heading, then two lines per rule (the example clipped)."""
    lines = [f"results by rule: {len(results)} record(s), each with what happened and what to do"]
    for name, count, kinds, named, message in rule_rows(results):
        lines.append(f"  {name:<4} {count:>4}  {kinds:<11} {named}")
        lines.append(_clip(f"              e.g. {message}", width))
    return lines


def why_red(reasons: Sequence[Reason], *, indent: str = "  ") -> list[str]:
    """Rule E3: the lines saying why a run is red (``domain.reasons``); none for no reasons."""
    if not reasons:
        return []
    return ["why it is red:", *(f"{indent}- {reason}" for reason in reasons)]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
