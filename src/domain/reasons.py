"""Why a run is red (rules E1, E3): the one answer the CLI (``sync``, ``status``) and the admin
API (runs, status) give.

A red run's reasons are what the store keeps of it:

- the notification it ended with (``Notification.run``, its latest): a run that stopped says
  there why (the error with its rule and fix, an interruption and by what, or its release as
  dead, rule E4); a run that ran to its end with failures says how many;
- the failed sync results seen while it ran (``last_seen`` between its start and its finish; E1
  keeps one row per record and cause, refreshed when it fails again), grouped by rule in rule
  order, each group with one example's message (the first in a stable order) and its fix.

A run that is not red has no reasons. ``by_rule`` is the grouping the CLI's results by rule use
too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from released_intacct.domain.errors import Rule
from released_intacct.domain.results import RunStatus, SyncResult, is_failure
from released_intacct.domain.runs import Run
from released_intacct.domain.stored import StoredNotification

__all__ = ["MOST_RULES", "Reason", "by_rule", "example", "reasons"]

MOST_RULES: Final = 5
"""At most this many rules are given as reasons (the first in rule order); the results list them
all."""

_ORDER: Final = {rule: number for number, rule in enumerate(Rule)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """One reason a run is red: its notification (``rule`` None, ``records`` 0), or a rule the
    failed records broke with one example and its fix."""

    rule: Rule | None
    message: str
    fix: str = ""
    records: int = 0
    """How many records failed for this rule; 0 for the run's notification."""

    def __str__(self) -> str:
        rule = "" if self.rule is None else f"[{self.rule.value}] "
        many = f" ({self.records} record(s))" if self.records else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{rule}{self.message}{many}{fix}"


def reasons(
    run: Run,
    notifications: Sequence[StoredNotification],
    results: Sequence[SyncResult],
    *,
    most: int = MOST_RULES,
) -> tuple[Reason, ...]:
    """Why ``run`` is red: its notification, then up to ``most`` rules its failed records broke
    (see the module docstring); () when it is not red (running, blue)."""
    end = run.finished_at
    if run.status is not RunStatus.FAILED or end is None:
        return ()
    ended = [n for n in notifications if n.notification.run == run.id]
    notes = [
        Reason(rule=None, message=f"{n.notification.title}: {n.notification.body}")
        for n in sorted(ended, key=lambda n: (n.created_at, n.id))[-1:]
    ]
    failed = [r for r in results if is_failure(r.kind) and run.started_at <= r.last_seen <= end]
    rules = [
        Reason(rule=rule, message=example(rows).message, fix=example(rows).fix, records=len(rows))
        for rule, rows in by_rule(failed)
    ]
    return (*notes, *rules[:most])


def by_rule(results: Sequence[SyncResult]) -> list[tuple[Rule | None, list[SyncResult]]]:
    """``results`` grouped by rule, in rule order (results of no rule first)."""
    grouped: dict[Rule | None, list[SyncResult]] = defaultdict(list)
    for result in results:
        grouped[result.rule].append(result)
    ordered = sorted(grouped, key=lambda r: -1 if r is None else _ORDER[r])
    return [(rule, grouped[rule]) for rule in ordered]


def example(rows: Sequence[SyncResult]) -> SyncResult:
    """The group's example: the first by message, then record ids (stable between reads)."""
    return min(rows, key=lambda r: (r.message, r.released_id or "", r.intacct_key or ""))
