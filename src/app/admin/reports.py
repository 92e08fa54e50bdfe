"""What the admin API answers about runs, results, links, the guard and notifications (E1-E4).

Datetimes are timezone-aware ISO 8601; counts and progress are keyed by record type. A red run
carries its reasons (``ReasonView``, from ``app.reasons``: the same the CLI prints) and every run
the Intacct API transactions it spent.
"""

from __future__ import annotations

from datetime import date, datetime

from released_intacct.app.admin.errors import ErrorDetail
from released_intacct.app.admin.views import ConfirmingView, View
from released_intacct.app.company_status import CompanyStatus
from released_intacct.app.demand import Queued
from released_intacct.domain.links import Link
from released_intacct.domain.reasons import Reason
from released_intacct.domain.results import Progress, RunCounts, SyncResult
from released_intacct.domain.state import Run, StoredNotification

__all__ = [
    "CountsView",
    "GuardView",
    "LinkView",
    "NotificationView",
    "NotificationsView",
    "ProgressView",
    "QueuedView",
    "ReasonView",
    "ResultView",
    "ResultsView",
    "RunView",
    "RunsView",
    "StatusView",
    "counts_view",
    "progress_view",
]


class CountsView(View, frozen=True):
    created: int
    updated: int
    skipped: int
    failed: int


class ProgressView(View, frozen=True):
    done: int
    total: int | None


def counts_view(counts: RunCounts) -> dict[str, CountsView]:
    return {
        kind.value: CountsView(
            created=c.created, updated=c.updated, skipped=c.skipped, failed=c.failed
        )
        for kind, c in counts.by_type.items()
    }


def progress_view(progress: Progress) -> dict[str, ProgressView]:
    return {
        kind.value: ProgressView(done=p.done, total=p.total) for kind, p in progress.by_type.items()
    }


class ReasonView(View, frozen=True):
    """Rule E3: one reason a run is red: its notification (``rule`` null, ``records`` 0), or a
    rule its failed records broke, with one example's message and its fix."""

    rule: str | None
    message: str
    fix: str
    records: int

    @classmethod
    def of(cls, reason: Reason) -> ReasonView:
        rule = None if reason.rule is None else reason.rule.value
        return cls(rule=rule, message=reason.message, fix=reason.fix, records=reason.records)


class RunView(View, frozen=True):
    id: str
    status: str
    colour: str | None
    started_at: datetime
    finished_at: datetime | None
    errors: int
    counts: dict[str, CountsView]
    progress: dict[str, ProgressView]
    transactions: int = 0
    """Intacct API transactions the run spent."""
    reasons: tuple[ReasonView, ...] = ()
    """Why the run is red; empty when it is not."""

    @classmethod
    def of(cls, run: Run, reasons: tuple[Reason, ...] = ()) -> RunView:
        return cls(
            id=run.id,
            status=run.status.value,
            colour=run.status.colour,
            started_at=run.started_at,
            finished_at=run.finished_at,
            errors=run.errors,
            counts=counts_view(run.counts),
            progress=progress_view(run.progress),
            transactions=run.transactions,
            reasons=tuple(map(ReasonView.of, reasons)),
        )


class RunsView(View, frozen=True):
    runs: tuple[RunView, ...]


class QueuedView(View, frozen=True):
    """Rule E4: what ``POST .../sync`` (202) queued.

    ``status`` ``running``: the run started and holds the company; ``runId`` names it (``GET
    .../runs/{runId}`` follows it). ``requested``: the API leaves its runs to the workers (``serve
    --api-only``); the request is stored at ``requestedAt`` and ``runId`` is null: no worker has
    started the run yet, and it shows in ``GET .../runs`` once one does."""

    run_id: str | None
    status: str
    requested_at: datetime

    @classmethod
    def of(cls, queued: Queued) -> QueuedView:
        run = queued.run
        return cls(
            run_id=None if run is None else run.id,
            status="requested" if run is None else run.status.value,
            requested_at=queued.requested_at,
        )


class StatusView(View, frozen=True):
    """Rule E3: what an admin sees of one company."""

    id: str
    phase: str
    confirming: ConfirmingView | None
    entity: str | None
    sync_from: date | None
    run_status: str | None
    colour: str | None
    running: bool
    progress: dict[str, ProgressView]
    counts: dict[str, CountsView]
    last_run_started: datetime | None
    last_run_finished: datetime | None
    next_run: datetime | None
    transactions_spent: int
    """Intacct API transactions the company's syncs spent in this process."""
    last_run_transactions: int | None = None
    """Intacct API transactions the last run spent; null before the first."""
    reasons: tuple[ReasonView, ...] = ()
    """Why the last run is red; empty when it is not."""

    @classmethod
    def of(cls, status: CompanyStatus) -> StatusView:
        c, run, state = status.connection, status.last_run, status.run_status
        return cls(
            id=c.id,
            phase=c.phase.value,
            confirming=ConfirmingView.of(c),
            entity=c.entity,
            sync_from=c.sync_from,
            run_status=None if state is None else state.value,
            colour=status.colour,
            running=status.running,
            progress={} if run is None else progress_view(run.progress),
            counts={} if run is None else counts_view(run.counts),
            last_run_started=None if run is None else run.started_at,
            last_run_finished=None if run is None else run.finished_at,
            next_run=status.next_run,
            transactions_spent=status.transactions_spent,
            last_run_transactions=None if run is None else run.transactions,
            reasons=tuple(map(ReasonView.of, status.reasons)),
        )


# --- results, links, guard, notifications (E1, E2, D*) --------------------------------------------


class ResultView(View, frozen=True):
    first_seen: datetime
    last_seen: datetime
    record_type: str
    released_id: str | None
    intacct_key: str | None
    direction: str
    rule: str | None
    kind: str
    message: str
    fix: str
    link_status: str
    count: int

    @classmethod
    def of(cls, r: SyncResult) -> ResultView:
        return cls(
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            record_type=r.record_type.value,
            released_id=r.released_id,
            intacct_key=r.intacct_key,
            direction=r.direction.value,
            rule=None if r.rule is None else r.rule.value,
            kind=r.kind.value,
            message=r.message,
            fix=r.fix,
            link_status=r.link_status.value,
            count=r.count,
        )


class ResultsView(View, frozen=True):
    results: tuple[ResultView, ...]


class LinkView(View, frozen=True):
    record_type: str
    released_id: str
    intacct_key: str
    origin: str
    status: str
    posted: bool

    @classmethod
    def of(cls, link: Link) -> LinkView:
        return cls(
            record_type=link.record_type.value,
            released_id=link.released_id,
            intacct_key=link.intacct_key,
            origin=link.origin.value,
            status=link.status.value,
            posted=link.posted,
        )


class GuardView(View, frozen=True):
    """May the Re-Leased user go ahead? If not, the refusal to show them."""

    allowed: bool
    error: ErrorDetail | None = None


class NotificationView(View, frozen=True):
    id: int
    title: str
    body: str
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, n: StoredNotification) -> NotificationView:
        return cls(
            id=n.id,
            title=n.notification.title,
            body=n.notification.body,
            created_at=n.created_at,
            read=n.read,
        )


class NotificationsView(View, frozen=True):
    notifications: tuple[NotificationView, ...]
