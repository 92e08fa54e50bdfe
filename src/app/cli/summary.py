"""What a finished run did, for a person (rules E1, E3): its colour, counts and results by rule.

``summary(run, results)`` is pure: the lines to print. ``run_results`` reads the results seen
since the run started (the run's own, as rule E1 keeps one row per failure and refreshes it).
"""

from __future__ import annotations

from collections.abc import Sequence

from returns.future import FutureResult

from released_intacct.app.reasons import RESULTS_READ
from released_intacct.app.service import Service
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.reasons import Reason, example
from released_intacct.domain.reasons import by_rule as grouped_by_rule
from released_intacct.domain.results import RunStatus, SyncResult
from released_intacct.domain.rules.titles import title
from released_intacct.domain.state import ResultFilter, Run

__all__ = ["RESULTS_READ", "by_rule", "exit_code", "run_results", "summary", "why_red"]


def run_results(service: Service, run: Run) -> FutureResult[tuple[SyncResult, ...], SyncError]:
    return service.results(run.connection, ResultFilter(since=run.started_at, limit=RESULTS_READ))


def exit_code(run: Run) -> int:
    """0 when the run finished blue, 1 when red (or, impossibly here, not finished)."""
    return 0 if run.status is RunStatus.SUCCEEDED else 1


def summary(run: Run, results: Sequence[SyncResult]) -> list[str]:
    colour = run.status.colour or run.status.value
    lines = [
        f"run {run.id} finished {colour} ({run.status.value}): {run.errors} error(s), "
        f"{run.counts.skipped} skipped, {run.transactions} Intacct API transaction(s) spent"
    ]
    for kind in RecordType:
        if kind in run.counts.by_type:
            c = run.counts.of(kind)
            lines.append(
                f"  {kind.value:<17} created {c.created:>4}  updated {c.updated:>4}  "
                f"skipped {c.skipped:>4}  failed {c.failed:>4}"
            )
    return [*lines, *by_rule(results)]


def by_rule(results: Sequence[SyncResult], *, width: int = 96) -> list[str]:
    """Rule E1: the results grouped by rule, in rule order, each with its title and the first
    message (in a stable order) as an example."""
    lines = [f"results by rule: {len(results)} record(s), each with what happened and what to do"]
    for rule, rows in grouped_by_rule(results):
        skipped = sum(r.kind is ErrorKind.SKIPPED for r in rows)
        kinds = "skipped" if skipped == len(rows) else f"{len(rows) - skipped} error(s)"
        name = "-" if rule is None else rule.value
        lines.append(f"  {name:<4} {len(rows):>4}  {kinds:<11} {title(rule)}")
        lines.append(_clip(f"              e.g. {example(rows).message}", width))
    return lines


def why_red(reasons: Sequence[Reason], *, indent: str = "  ") -> list[str]:
    """Rule E3: the lines saying why a run is red (``domain.reasons``); none for no reasons."""
    if not reasons:
        return []
    return ["why it is red:", *(f"{indent}- {reason}" for reason in reasons)]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
