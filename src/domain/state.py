"""What the engine remembers, and the state-store port (rules C1, C4, E1-E4, D21).

Connections (one Re-Leased company to one Intacct company + entity, rule C1) with their encrypted
Web Services credentials, onboarding decisions, the link table, per-feed cursors, the outbox of
write intents, runs, sync results and notifications. Every multi-row change is one transaction in
the store; the store encrypts credentials with a key it is given and never returns them in clear
except from ``credentials``.

A run shows it is alive by its heartbeat (``save_progress``, with its progress), which the engine
beats on a timer while the run lasts. A process that dies mid-run leaves its run open, which would
lock the company out (E4); a run with no sign of life for a while is *stale* and is released:
finished red, with a notification (``release_stale_runs``, ``release``, and ``start_run`` for the
company it starts, which is a *takeover*).

Fencing (issue 16, F1): every run holds its company under an *epoch*, a number the store raises
each time a run of the company starts. A ``Fence`` (connection, run, epoch) goes with every write
a run makes (intents recorded, marked sent, settled; cursors advanced; progress; the finish), and
the store checks it in the same transaction as the write: once another run has taken the company
over, the old run's writes are refused (``lost``, rule E4) and it stops, sending nothing more.
Before each send the engine marks the intents it is about to send SENT through ``hold``, which is
fenced too, so no write leaves a run that no longer holds its company. The same port carries the
PostgreSQL store's leases (issue 17): a lease is a run's epoch with a time limit.

Leases (issue 17): many workers share the confirmed companies through the store itself. A company
is *due* when its ``next_run_at`` has come (never set: due at once) or a run of it was requested
(``request_run``); a worker takes up to as many due companies as it has room for
(``claim_due``), holding each until ``at + ttl``, renews all it holds in one call every
``ttl / 3`` (``renew_leases``) and hands each back after its run with the time of the next one
(``release_lease``). A lease that ran out (its worker died or paused) is taken by the next
``claim_due`` of any worker; that worker's ``start_run`` (with ``stale_after`` the lease's ttl)
releases the dead run red and raises the company's epoch, so every fenced write of the dead run is
refused from then on: the epoch is the fence of both, there is no second one.

Decided: a run is stale after ``DEFAULT_STALE_AFTER`` (a minute, a setting: also the lease ttl of
the worker loop) without a heartbeat. A run beats every ``heartbeat_every(stale_after)``, so a live
run is never stale unless its process is paused or cut off. A live run wrongly taken over is safe:
its next fenced write is refused, and an intent it may still have in flight is not sent again by the
run that took over until it can no longer be in flight (``Intent.sent_at``, the run's ``holder``).

One confirm at a time (O5, C1): a confirm first claims its connection (``claim_confirm``, a
compare-and-set in the store's transaction: ONBOARDING → CONFIRMING with a fresh token and a lease
of ``stale_after``) and ends by finishing (CONFIRMED) or releasing (ONBOARDING again) with that
token. Its process renews the lease every ``heartbeat_every(stale_after)``; a claim whose lease ran
out, or whose process is provably gone, is taken over by the next confirm (``rules.confirming``
decides every transition, for every store).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Final, Protocol

from returns.future import FutureResult

from released_intacct.domain.actions import WriteAction
from released_intacct.domain.enums import Direction, Prerequisite, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IdempotencyKey,
    IntacctCompanyId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import IntacctCredentials, Notification
from released_intacct.domain.results import Progress, RunCounts, RunStatus, SyncResult

DEFAULT_STALE_AFTER: Final = timedelta(minutes=1)
"""How long a run may show no sign of life before it counts as left by a dead process."""
HEARTBEAT_AT_MOST: Final = timedelta(minutes=1)


DEFAULT_IN_FLIGHT: Final = timedelta(minutes=15)
"""Above the Intacct client's default longest write: 6 attempts of 60 s, plus back-off."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPolicy:
    """How runs hold their companies, a setting of the deployment (``sync.stale_after``,
    ``sync.in_flight``; every process of one store must share it)."""

    stale_after: timedelta = DEFAULT_STALE_AFTER
    """A run silent this long is taken to be dead and may be taken over (E4)."""
    in_flight: timedelta = DEFAULT_IN_FLIGHT
    """The longest one write may take, retries and back-off included: an intent SENT by a run
    released while its process may live is not sent again before ``sent_at + in_flight``."""
    holder: str = ""
    """This process, ``host/pid``."""

    def __post_init__(self) -> None:
        for name, span in (("stale_after", self.stale_after), ("in_flight", self.in_flight)):
            if span <= timedelta(0):
                msg = f"RunPolicy.{name} must be positive, got {span}"
                raise ValueError(msg)


def heartbeat_every(stale_after: timedelta) -> timedelta:
    """How often a run beats: a third of ``stale_after`` (two beats may be missed before it is
    stale), and at least once a minute."""
    return min(stale_after / 3, HEARTBEAT_AT_MOST)


class Phase(Enum):
    """Where a connection is in the connect-and-onboard workflow (seeds 000 and 001)."""

    CONNECTED = "connected"
    """Credentials checked by a live login (C2); no entity chosen yet."""
    ENTITY_CHOSEN = "entity_chosen"
    """The entity to sync with is chosen (C3)."""
    ONBOARDING = "onboarding"
    """The sync-from date is set (C4); matching steps under way (O1-O5)."""
    CONFIRMING = "confirming"
    """A confirm is under way (``Connection.confirming``), one at a time; nothing else changes the
    connection meanwhile. A confirm that fails goes back to ONBOARDING; one whose process died is
    taken over by the next confirm once its lease has run out (``rules.confirming``)."""
    CONFIRMED = "confirmed"
    """Confirmed: the date is fixed and the link can never be removed or changed (C1, C4)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmClaim:
    """The confirm under way of a CONFIRMING connection: who holds it, since when, until when."""

    token: str
    """Drawn afresh by each confirm; only its holder renews, finishes or releases the claim."""
    since: datetime
    until: datetime
    """The lease: renewed by its holder while it lives; once passed, another confirm takes over."""
    holder: str = ""
    """Which process confirms (``host/pid``): one of this host that is gone is taken over now."""

    def lapsed(self, *, at: datetime) -> bool:
        return at >= self.until


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    id: ConnectionId
    released_company: ReleasedCompanyId
    intacct_company: IntacctCompanyId
    phase: Phase = Phase.CONNECTED
    entity: EntityId | None = None
    """None until chosen; ``""`` is the top level of a company without entities."""
    sync_from: date | None = None
    created_at: datetime
    confirmed_at: datetime | None = None
    confirming: ConfirmClaim | None = None
    """Set exactly while the phase is CONFIRMING."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement:
    """Rule C5: the user checked a prerequisite Intacct could not report, and said so."""

    prerequisite: Prerequisite
    at: datetime


class IntentState(Enum):
    PENDING = "pending"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """One write in the outbox, stored before it is sent."""

    connection: ConnectionId
    key: IdempotencyKey
    """Unique per write: the action's idempotency key (an update's carries a content suffix)."""
    action: WriteAction
    state: IntentState = IntentState.PENDING
    run: str | None = None
    """The run that last recorded it (None: recorded outside a run, by confirm)."""
    sent_at: datetime | None = None
    """When it was last marked SENT (``hold``), just before it was sent; None while never sent."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """The user's answer about an open create that no Intacct record carries the key of, while
    records that may be its copy exist (issue 16, F3: a NEEDS_USER result names them): link the
    write to ``link_to``, one of those records, or (None) send it again. Acted on once, by the next
    run (``app.sync.uncertain``)."""

    link_to: IntacctKey | None = None

    @classmethod
    def link(cls, key: IntacctKey) -> Resolution:
        return cls(link_to=key)

    @classmethod
    def send_again(cls) -> Resolution:
        return cls()


@dataclass(frozen=True, slots=True, kw_only=True)
class Cursor:
    feed: str
    position: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    id: str
    connection: ConnectionId
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: RunCounts = RunCounts()
    errors: int = 0
    progress: Progress = Progress()
    heartbeat_at: datetime | None = None
    """When the run last showed a sign of life (``save_progress``); None until it first did."""
    epoch: int = 0
    """The company's epoch this run holds it under (``Fence``)."""
    holder: str = ""
    """Which process runs it (``host/pid``), for the operator and to tell a dead one."""
    released_at: datetime | None = None
    """When another process released it as dead (stale or taken over); None when it finished by
    itself or is open."""

    @property
    def fence(self) -> Fence:
        return Fence(connection=self.connection, run=self.id, epoch=self.epoch)

    @property
    def last_alive(self) -> datetime:
        """The heartbeat, or the start when the run never beat."""
        return self.started_at if self.heartbeat_at is None else self.heartbeat_at

    def is_stale(self, *, before: datetime) -> bool:
        """Open, and no sign of life since before ``before`` (strictly)."""
        return not self.status.finished and self.last_alive < before


@dataclass(frozen=True, slots=True, kw_only=True)
class Fence:
    """A run's proof that it still holds its company: the store refuses a fenced write unless
    ``run`` is open and the company is still under ``epoch`` (no other run took it over)."""

    connection: ConnectionId
    run: str
    epoch: int


def release_run(run: Run, *, at: datetime) -> tuple[Run, Notification]:
    """Rule E4: a run left open by a process that died, finished red at ``at`` with one more
    error (the stop itself; counts and progress as last saved), and the notification saying so."""
    released = replace(
        run, status=RunStatus.FAILED, finished_at=at, errors=run.errors + 1, released_at=at
    )
    alive = run.last_alive.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    holder = f" (process {run.holder})" if run.holder else ""
    body = (
        f"The sync stopped unexpectedly: it showed no sign of life after {alive}{holder}, so "
        "it was released and the company freed. Nothing was lost: the next sync picks up "
        "where it stopped."
    )
    return released, Notification(connection=run.connection, title="Sync failed", body=body)


def beat(stored: Run, run: Run, at: datetime) -> Run:
    """``stored`` with the progress, counts, errors and open status of ``run``, alive at ``at``
    (``save_progress``: the stored start, epoch and holder are kept)."""
    return replace(
        stored,
        status=run.status,
        counts=run.counts,
        errors=run.errors,
        progress=run.progress,
        heartbeat_at=at,
    )


def advanced(
    stored: Cursor | None, wanted: Cursor, *, run_started: datetime
) -> tuple[Cursor, bool]:
    """The cursor as ``advance_cursor`` leaves it, and whether it moved (to be stored):
    ``wanted`` clamped to ``run_started`` (never past the start of the run), or ``stored`` when
    that is already there or further (a cursor never moves back)."""
    position = min(wanted.position, run_started)
    if stored is not None and stored.position >= position:
        return stored, False
    return Cursor(feed=wanted.feed, position=position), True


def lost(fence: Fence) -> SyncError:
    """Rule E4: ``fence``'s run no longer holds its company (released, taken over, finished)."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E4,
        message=(
            f"Run {fence.run} no longer holds connection {fence.connection}: it was released "
            "or another run took the company over, so it stopped and sends nothing more."
        ),
        fix="Nothing to do: the run holding the company now carries on from where this stopped.",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Lease:
    """A worker's hold on a due company (``claim_due``), until ``until`` unless renewed."""

    connection: ConnectionId
    worker: str
    until: datetime
    epoch: int
    """The company's run epoch when claimed: the run the worker starts holds ``epoch + 1``."""
    requested_at: datetime | None = None
    """When a run of it was asked for on demand (``request_run``); None: due by its schedule."""


def claim_refusal(worker: str, free: int, ttl: timedelta) -> SyncError | None:
    """Why ``claim_due``/``renew_leases`` cannot be done as asked (None: they can)."""
    if not worker:
        problem = "worker is empty"
    elif free < 0:
        problem = f"free must not be negative, got {free}"
    elif ttl <= timedelta(0):
        problem = f"ttl must be positive, got {ttl}"
    else:
        return None
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Leases cannot be claimed or renewed: {problem}.",
        fix="Name the worker (host/pid), give free >= 0 and a positive lease ttl.",
    )


def not_confirmed(id: ConnectionId) -> SyncError:
    """A run asked for a connection that is not confirmed: there is nothing to sync yet."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.C4,
        message=f"Connection {id} is not confirmed, so it cannot sync yet.",
        fix="Finish onboarding and confirm the connection first.",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultFilter:
    """Which sync results to list (the admin API's filters)."""

    record_type: RecordType | None = None
    direction: Direction | None = None
    link_status: LinkStatus | None = None
    since: datetime | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredNotification:
    id: int
    notification: Notification
    created_at: datetime
    read: bool = False


class StateStore(Protocol):
    """The engine's memory. Failures are ``SyncError`` values (FATAL: the store is unusable;
    REJECTED: a refused change, e.g. a second link of a company, rule C1)."""

    # connections and credentials (C1, C2)
    def add_connection(
        self, connection: Connection, credentials: IntacctCredentials
    ) -> FutureResult[Connection, SyncError]:
        """Store a new connection and its credentials (encrypted), refusing a second connection
        of the same Re-Leased company or of the same Intacct company + entity (C1)."""

    def save_connection(self, connection: Connection) -> FutureResult[Connection, SyncError]:
        """Store a changed connection (phase, entity, date); refused once confirmed (C1), while
        a confirm is under way, and for a CONFIRMING ``connection`` (that is ``claim_confirm``'s).
        """

    def connection(self, id: ConnectionId) -> FutureResult[Connection | None, SyncError]: ...

    def connections(self) -> FutureResult[tuple[Connection, ...], SyncError]: ...

    def credentials(self, id: ConnectionId) -> FutureResult[IntacctCredentials, SyncError]:
        """The decrypted credentials; a wrong key is a FATAL error saying so, never garbage."""

    def remove_connection(self, id: ConnectionId) -> FutureResult[None, SyncError]:
        """Forget an unconfirmed connection (an abandoned onboarding); refused once confirmed and
        while a confirm is under way."""

    # one confirm at a time (O5, C1): each a compare-and-set in one transaction
    def claim_confirm(
        self,
        id: ConnectionId,
        *,
        token: str,
        at: datetime,
        lease: timedelta = DEFAULT_STALE_AFTER,
        holder: str = "",
        over: str | None = None,
    ) -> FutureResult[Connection, SyncError]:
        """An ONBOARDING connection becomes CONFIRMING, held by ``token`` (of process ``holder``)
        until ``at + lease``; so does a CONFIRMING one whose lease has run out, or whose claim is
        ``over``'s (the caller proved its process gone): that confirm is taken over. REJECTED for a
        confirm under way (another token's lease still runs), a confirmed connection (C1) and one
        without a sync-from date (C4): ``rules.confirming.claim``."""

    def renew_confirm(
        self,
        id: ConnectionId,
        *,
        token: str,
        at: datetime,
        lease: timedelta = DEFAULT_STALE_AFTER,
    ) -> FutureResult[Connection, SyncError]:
        """The holder's sign of life: its lease now runs until ``at + lease``. REJECTED when
        ``token`` no longer holds the confirm (taken over, finished or released): it must stop."""

    def finish_confirm(
        self, id: ConnectionId, onboarding: Onboarding, *, token: str, at: datetime
    ) -> FutureResult[Connection, SyncError]:
        """The holder's confirm is done: the connection CONFIRMED at ``at`` and the confirmed
        ``onboarding`` stored, together; REJECTED as ``renew_confirm``."""

    def release_confirm(
        self, id: ConnectionId, *, token: str
    ) -> FutureResult[Connection, SyncError]:
        """The holder's confirm failed: the connection is ONBOARDING again, to confirm again. A
        ``token`` that no longer holds the confirm changes nothing. The connection as stored."""

    # onboarding (O1-O5)
    def acknowledge(
        self, id: ConnectionId, prerequisites: Sequence[Prerequisite], *, at: datetime
    ) -> FutureResult[None, SyncError]:
        """Rule C5: record the user's acknowledgement of each of ``prerequisites`` (again is a
        no-op: the first time stays); refused once the connection is confirmed (C1)."""
        ...

    def acknowledgements(
        self, id: ConnectionId
    ) -> FutureResult[tuple[Acknowledgement, ...], SyncError]:
        """What the user acknowledged for this connection, in the order of ``Prerequisite``."""
        ...

    def save_onboarding(
        self, id: ConnectionId, onboarding: Onboarding
    ) -> FutureResult[None, SyncError]:
        """Refused while a confirm is under way (it confirms the onboarding as it read it)."""

    def onboarding(self, id: ConnectionId) -> FutureResult[Onboarding | None, SyncError]: ...

    # links (E2, D21)
    def save_links(
        self, id: ConnectionId, links: Sequence[Link]
    ) -> FutureResult[None, SyncError]: ...

    def links(
        self,
        id: ConnectionId,
        record_type: RecordType,
        *,
        released_ids: Sequence[ReleasedId] = (),
        intacct_keys: Sequence[IntacctKey] = (),
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        """The links of ``record_type`` with any of the given ids or keys (none given: all)."""

    def links_by_intacct_prefix(
        self, id: ConnectionId, record_type: RecordType, prefix: str
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        """The links of ``record_type`` whose Intacct key starts with ``prefix`` (exactly, case
        and all), ordered by key: a payment's allocations, keyed ``"<RECORDNO>/<invoice key>"``.
        Give the separator (``"123/"``): ``"123"`` also finds ``"1234/..."``."""

    # cursors
    def cursor(self, id: ConnectionId, feed: str) -> FutureResult[Cursor | None, SyncError]: ...

    def advance_cursor(
        self, id: ConnectionId, cursor: Cursor, *, run_started: datetime, fence: Fence | None = None
    ) -> FutureResult[Cursor, SyncError]:
        """Store ``cursor`` clamped to ``run_started`` (never past the start of the run) and never
        moved backwards; returns what was stored. Fenced: ``lost`` once ``fence``'s run no longer
        holds the company (nothing changed)."""

    # the outbox
    def record_intents(
        self, intents: Sequence[Intent], *, fence: Fence | None = None
    ) -> FutureResult[frozenset[IdempotencyKey], SyncError]:
        """Store the intents, all or none, each PENDING with the action given and held by
        ``fence``'s run (None: by no run, as confirm records them): a new key is added, and a key
        stored PENDING, FAILED or CONFIRMED is *reopened* (PENDING, the new action; a record fixed
        after a refusal is planned again, and its write is sent recorded). A key stored SENT (its
        outcome unknown: it may still be in flight) is left as it is and not held. Answers the
        keys now held: the only writes of these the caller may send. Fenced (``lost``)."""

    def hold(
        self, fence: Fence, keys: Sequence[IdempotencyKey] = (), *, at: datetime
    ) -> FutureResult[None, SyncError]:
        """Just before a send: ``lost`` unless ``fence``'s run still holds its company; then each
        of ``keys`` (PENDING and held by that run, else REJECTED and nothing changed) is marked
        SENT at ``at``, all in one transaction. With no keys, only the check (before a write that
        is no intent: a void)."""

    def open_intents(self, id: ConnectionId) -> FutureResult[tuple[Intent, ...], SyncError]:
        """Intents still PENDING or SENT, oldest first (resolved by look-up at start)."""

    def settle(
        self,
        id: ConnectionId,
        key: IdempotencyKey,
        *,
        state: IntentState,
        link: Link | None = None,
        fence: Fence | None = None,
    ) -> FutureResult[None, SyncError]:
        """Move an intent to ``state`` and store its link, in one transaction. Fenced (``lost``)."""

    def confirm_all(
        self,
        id: ConnectionId,
        confirmed: Sequence[tuple[IdempotencyKey, Link]],
        *,
        fence: Fence | None = None,
    ) -> FutureResult[None, SyncError]:
        """``settle`` each intent as CONFIRMED with its link, all in one transaction: a refusal
        of any one leaves every one of them as it was (the caller then settles them one by one).
        One commit for a whole batch of writes instead of one per write. Fenced (``lost``)."""

    def resolve_intent(
        self, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
    ) -> FutureResult[None, SyncError]:
        """Store the user's answer about the open intent ``key`` (an earlier answer is replaced);
        REJECTED, nothing stored, when ``id`` holds no PENDING or SENT intent ``key``."""

    def take_resolution(
        self, id: ConnectionId, key: IdempotencyKey, *, fence: Fence | None = None
    ) -> FutureResult[Resolution | None, SyncError]:
        """The answer stored for ``key``, removed in the same transaction (it is acted on once);
        None when there is none. Fenced (``lost``, nothing removed)."""

    # runs (E3, E4)
    def start_run(
        self,
        id: ConnectionId,
        *,
        at: datetime,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        holder: str = "",
    ) -> FutureResult[Run, SyncError]:
        """A new RUNNING run held by process ``holder``, under the company's next epoch (every
        ``Fence`` of an earlier run of the company is refused from then on); refused (REJECTED,
        E4) while another run of the company is open, unless that run is stale (no sign of life
        since ``at - stale_after``): then it is released as ``release_stale_runs`` does, in the
        same transaction, and the new run starts (a takeover).
        """

    def run(self, id: ConnectionId, run_id: str) -> FutureResult[Run | None, SyncError]:
        """The run ``run_id`` of ``id`` (open or finished); None when the store has none."""

    def save_progress(self, run: Run, *, at: datetime) -> FutureResult[Run, SyncError]:
        """Store the progress, counts, errors and open status of ``run`` and set its heartbeat to
        ``at``; the run as stored. ``lost`` (REJECTED, E4) once ``run`` no longer holds the
        company (released, taken over: the run must stop), REJECTED for a run the store does not
        hold and for a finished ``run`` (that is ``finish_run``'s)."""

    def finish_run(self, run: Run) -> FutureResult[Run, SyncError]:
        """Store ``run`` as given (its status says how it ended). ``lost`` once ``run`` no longer
        holds the company (a released run stays as released: a late finisher does not rewrite
        it), REJECTED for a run the store does not hold."""

    def release(self, fence: Fence, *, at: datetime) -> FutureResult[Run, SyncError]:
        """Rule E4: release ``fence``'s run now, whatever its heartbeat (the operator's
        ``release`` of a run whose process is provably dead), as ``release_stale_runs`` does;
        ``lost`` when that run no longer holds the company (finished, or taken over)."""

    def release_stale_runs(
        self, *, before: datetime, at: datetime, alive: Collection[ConnectionId] = ()
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        """Rule E4: every open run of any company with no sign of life since ``before`` (its
        heartbeat, else its start) is finished FAILED at ``at`` (``release_run``) with a
        notification to its company, all in one transaction; the runs released, oldest start
        first (then by connection). The runs of the ``alive`` companies (the caller runs them
        itself, so they are alive whatever their heartbeat) are kept."""

    def runs(
        self, id: ConnectionId, *, limit: int = 20
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        """The latest runs first."""

    # leases (issue 17): which worker runs which company, and when a company is due
    def claim_due(
        self, worker: str, free: int, *, at: datetime, ttl: timedelta
    ) -> FutureResult[tuple[Lease, ...], SyncError]:
        """Give ``worker`` up to ``free`` CONFIRMED companies that are due at ``at`` (their
        ``next_run_at`` is not after ``at``, or was never set, or a run was requested) and not
        leased (or whose lease ran out: ``until < at``), each leased until ``at + ttl``, in one
        transaction: a company goes to one worker only, however many claim at once. Requested
        companies first, then the longest due, then by id; the leases in connection id order.
        REJECTED (nothing claimed) for an empty ``worker``, a negative ``free`` or a ttl not
        positive (``claim_refusal``)."""

    def renew_leases(
        self, worker: str, *, at: datetime, ttl: timedelta
    ) -> FutureResult[int, SyncError]:
        """Every lease ``worker`` still holds (not run out at ``at``) now runs until ``at + ttl``,
        in one statement; how many. A lease already taken over is not renewed: the worker learns
        of it through its run's ``lost``."""

    def request_run(self, id: ConnectionId, *, at: datetime) -> FutureResult[None, SyncError]:
        """On demand: ``id`` is due now, whatever its schedule (the first request's time is
        kept until a run that started after it is handed back). The PostgreSQL store also sends
        ``NOTIFY released_intacct_due`` with the id, which wakes an idle worker at once.
        REJECTED for an unknown or not confirmed connection."""

    def wait_requested(self, within: timedelta) -> FutureResult[bool, SyncError]:
        """Wait until a run is requested (``request_run``) or ``within`` has passed; whether one
        was. The PostgreSQL store hears the requests of every process (``LISTEN``); the SQLite
        and in-memory stores, one process each, hear their own. A worker naps on it, so an
        on-demand run starts at once instead of at its next poll."""

    def release_lease(
        self,
        worker: str,
        id: ConnectionId,
        *,
        next_run_at: datetime,
        ran_from: datetime | None = None,
    ) -> FutureResult[bool, SyncError]:
        """Hand ``id`` back (after its run, or unrun on shutdown): not leased, due next at
        ``next_run_at``; a request made no later than ``ran_from`` (the start of the run the
        worker made of it, None: none) is answered and cleared. Whether ``worker`` held it: a
        lease taken over by another worker changes nothing (False). REJECTED for an unknown
        connection."""

    # sync results (E1) and notifications (E3)
    def record_results(
        self, id: ConnectionId, errors: Sequence[SyncError], *, at: datetime
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]:
        """One row per record and cause: the same failure again updates its row (count, last
        seen) instead of adding another (E1)."""

    def results(
        self, id: ConnectionId, where: ResultFilter = ResultFilter()
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]: ...

    def notify(
        self, id: ConnectionId, notification: Notification, *, at: datetime
    ) -> FutureResult[StoredNotification, SyncError]: ...

    def notifications(
        self, id: ConnectionId, *, unread_only: bool = False
    ) -> FutureResult[tuple[StoredNotification, ...], SyncError]: ...

    def mark_read(self, id: ConnectionId, notification_id: int) -> FutureResult[None, SyncError]:
        """Mark a notification of ``id`` read (again: nothing changes). REJECTED for an unknown
        connection, or a notification it does not have (unknown, or another connection's)."""
