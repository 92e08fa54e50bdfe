"""What the engine remembers, and the state-store port (rules C1, C4, E1-E4, D21).

Connections (one Re-Leased company to one Intacct company + entity, rule C1) with their encrypted
credentials (and a REST connection's refresh token, ``domain.tokens``), onboarding decisions, the
link table, per-feed cursors, the outbox of write intents, runs, sync results and notifications.
Every multi-row change is one transaction in the store; the store encrypts secrets with a key it
is given and never returns them in clear except from ``credentials`` (and to a spend).

One confirm at a time (O5, C1): a confirm first claims its connection (``claim_confirm``, a
compare-and-set in the store's transaction: ONBOARDING → CONFIRMING with a fresh token and a lease
of ``stale_after``) and ends by finishing (CONFIRMED) or releasing (ONBOARDING again) with that
token. Its process renews the lease every ``heartbeat_every(stale_after)``; a claim whose lease ran
out, or whose process is provably gone, is taken over by the next confirm (``rules.confirming``
decides every transition, for every store).

The values the store keeps are ``domain.stored``'s, and runs, fences and leases (the heartbeat,
fencing, takeovers) ``domain.runs``'s; both are re-exported here, the names the port speaks in.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from returns.future import FutureResult

from released_intacct.domain.enums import Prerequisite, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Credentials, Notification
from released_intacct.domain.results import SyncResult
from released_intacct.domain.runs import (
    DEFAULT_ATTEMPT,
    DEFAULT_IN_FLIGHT,
    DEFAULT_STALE_AFTER,
    HEARTBEAT_AT_MOST,
    Fence,
    Lease,
    Run,
    RunPolicy,
    beat,
    claim_refusal,
    heartbeat_every,
    lost,
    not_confirmed,
    not_held,
    release_run,
    run_open,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.stored import (
    Acknowledgement,
    ConfirmClaim,
    Connection,
    Cursor,
    Intent,
    IntentState,
    Phase,
    Resolution,
    ResultFilter,
    Settlement,
    StoredNotification,
    advanced,
    no_notification,
    not_open,
)
from released_intacct.domain.tokens import RefreshTokens

__all__ = [
    "DEFAULT_ATTEMPT",
    "DEFAULT_IN_FLIGHT",
    "DEFAULT_STALE_AFTER",
    "HEARTBEAT_AT_MOST",
    "Acknowledgement",
    "ConfirmClaim",
    "Connection",
    "Cursor",
    "Fence",
    "Intent",
    "IntentState",
    "Lease",
    "Phase",
    "Resolution",
    "ResultFilter",
    "Run",
    "RunPolicy",
    "Settlement",
    "StateStore",
    "StoredNotification",
    "advanced",
    "beat",
    "claim_refusal",
    "heartbeat_every",
    "lost",
    "no_notification",
    "not_confirmed",
    "not_held",
    "not_open",
    "release_run",
    "run_open",
]
_EVERY = ResultFilter()


class StateStore(RefreshTokens, Protocol):
    """The engine's memory. Failures are ``SyncError`` values (FATAL: the store is unusable;
    REJECTED: a refused change, e.g. a second link of a company, rule C1)."""

    # connections and credentials (C1, C2)
    def add_connection(
        self,
        connection: Connection,
        credentials: Credentials,
        *,
        refresh_token: Secret | None = None,
    ) -> FutureResult[Connection, SyncError]:
        """Store a new connection and its credentials (encrypted), refusing a second connection
        of the same Re-Leased company or of the same Intacct company + entity (C1); with its
        ``refresh_token`` (authorization-code grant) in the same transaction."""

    def save_connection(self, connection: Connection) -> FutureResult[Connection, SyncError]:
        """Store a changed connection (phase, entity, date); refused once confirmed (C1), while
        a confirm is under way, and for a CONFIRMING ``connection`` (that is ``claim_confirm``'s).
        """

    def connection(self, id: ConnectionId) -> FutureResult[Connection | None, SyncError]: ...

    def connections(self) -> FutureResult[tuple[Connection, ...], SyncError]: ...

    def credentials(self, id: ConnectionId) -> FutureResult[Credentials, SyncError]:
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

    def settle_many(
        self, id: ConnectionId, settlements: Sequence[Settlement], *, fence: Fence | None = None
    ) -> FutureResult[None, SyncError]:
        """``settle`` each intent (its own state, its link if any), all in one transaction: a
        refusal of any one leaves every one of them as it was (the caller then settles them one
        by one). One commit for a whole batch of writes instead of one per write. Fenced
        (``lost``)."""

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
        self, id: ConnectionId, where: ResultFilter = _EVERY
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
