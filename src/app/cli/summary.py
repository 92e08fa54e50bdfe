"""What a finished run did, for a person (rules E1, E3): its colour, counts and results by rule.

``summary(run, results)`` is pure: the lines to print. ``run_results`` reads the results seen
since the run started (the run's own, as rule E1 keeps one row per failure and refreshes it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from returns.future import FutureResult

from released_intacct.app.service import Service
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.results import RunStatus, SyncResult
from released_intacct.domain.rules.titles import title
from released_intacct.domain.state import ResultFilter, Run

__all__ = ["RESULTS_READ", "by_rule", "exit_code", "run_results", "summary"]

_ORDER = {rule: number for number, rule in enumerate(Rule)}

RESULTS_READ = 10_000
"""At most this many results are read to count them by rule."""


def run_results(service: Service, run: Run) -> FutureResult[tuple[SyncResult, ...], SyncError]:
    return service.results(run.connection, ResultFilter(since=run.started_at, limit=RESULTS_READ))


def exit_code(run: Run) -> int:
    """0 when the run finished blue, 1 when red (or, impossibly here, not finished)."""
    return 0 if run.status is RunStatus.SUCCEEDED else 1


def summary(run: Run, results: Sequence[SyncResult]) -> list[str]:
    colour = run.status.colour or run.status.value
    lines = [
        f"run {run.id} finished {colour} ({run.status.value}): {run.errors} error(s), "
        f"{run.counts.skipped} skipped"
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
    grouped: dict[Rule | None, list[SyncResult]] = defaultdict(list)
    for result in results:
        grouped[result.rule].append(result)
    lines = [f"results by rule: {len(results)} record(s), each with what happened and what to do"]
    for rule in sorted(grouped, key=lambda r: -1 if r is None else _ORDER[r]):
        rows = grouped[rule]
        skipped = sum(r.kind is ErrorKind.SKIPPED for r in rows)
        kinds = "skipped" if skipped == len(rows) else f"{len(rows) - skipped} error(s)"
        name = "-" if rule is None else rule.value
        lines.append(f"  {name:<4} {len(rows):>4}  {kinds:<11} {title(rule)}")
        example = min(rows, key=lambda r: (r.message, r.released_id or "", r.intacct_key or ""))
        lines.append(_clip(f"              e.g. {example.message}", width))
    return lines


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
