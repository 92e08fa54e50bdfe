"""Stored rows to domain values and back, for both SQL stores (SQLite and PostgreSQL), and the
SQL fragments their statements share (column lists, ``OPEN_RUN``, ``DUE``, ``DUE_ORDER``).

A ``*_row`` function gives the values of a table's columns for a value, in the order of its
``*_COLUMNS``; a ``*_from`` function reads a value back from a row by column name (``codec.Row``:
PostgreSQL selects moments, dates and JSON as text, so one converter reads both stores' rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from released_intacct.adapters.state.codec import (
    Row,
    decode_action,
    decode_counts,
    decode_notification,
    decode_progress,
    encode_counts,
    encode_progress,
    encode_result,
    from_column,
    to_column,
)
from released_intacct.domain.enums import IntacctApi, Prerequisite, RecordType, System
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
from released_intacct.domain.results import RunStatus, SyncResult
from released_intacct.domain.state import (
    Acknowledgement,
    ConfirmClaim,
    Connection,
    Intent,
    IntentState,
    Lease,
    Phase,
    Resolution,
    Run,
    StoredNotification,
)

CONNECTION_COLUMNS = (
    "id, released_company, intacct_company, entity, phase, sync_from, created_at, confirmed_at,"
    " confirm_token, confirm_since, confirm_until, confirm_holder, api"
)
LINK_COLUMNS = (
    "record_type, released_id, intacct_key, origin, status, released_fingerprint,"
    " intacct_fingerprint, posted"
)
RUN_COLUMNS = (
    "id, connection, started_at, status, finished_at, counts, errors, progress, heartbeat_at,"
    " epoch, holder, released_at, transactions"
)
OPEN_RUN = "status IN ('running', 'running_with_errors')"
"""The open runs, written out, not bound: SQLite uses the partial index ``runs_one_open`` only for
a WHERE term that matches its own."""
RESULT_COLUMNS = (
    "connection, record_type, released_id, intacct_key, direction, rule, kind, link_status,"
    " last_seen, body"
)


# --- connections ---------------------------------------------------------------------------------


def connection_row(c: Connection) -> tuple[object, ...]:
    held = c.confirming
    return (
        c.id,
        c.released_company,
        c.intacct_company,
        c.entity,
        c.phase.value,
        c.sync_from.isoformat() if c.sync_from else None,
        to_column(c.created_at),
        to_column(c.confirmed_at) if c.confirmed_at else None,
        None if held is None else held.token,
        None if held is None else to_column(held.since),
        None if held is None else to_column(held.until),
        None if held is None else held.holder,
        c.api.value,
    )


def connection_from(row: Row) -> Connection:
    return Connection(
        id=ConnectionId(row["id"]),
        released_company=ReleasedCompanyId(row["released_company"]),
        intacct_company=IntacctCompanyId(row["intacct_company"]),
        entity=None if row["entity"] is None else EntityId(row["entity"]),
        phase=Phase(row["phase"]),
        sync_from=date.fromisoformat(row["sync_from"]) if row["sync_from"] else None,
        created_at=from_column(row["created_at"]),
        confirmed_at=from_column(row["confirmed_at"]) if row["confirmed_at"] else None,
        confirming=_claim_from(row),
        api=IntacctApi(row["api"]),
    )


def _claim_from(row: Row) -> ConfirmClaim | None:
    if row["confirm_token"] is None:
        return None
    return ConfirmClaim(
        token=row["confirm_token"],
        since=from_column(row["confirm_since"]),
        until=from_column(row["confirm_until"]),
        holder=row["confirm_holder"] or "",
    )


def acknowledged(found: Iterable[Row]) -> tuple[Acknowledgement, ...]:
    """The stored acknowledgements (``prerequisite``, ``acknowledged_at``), in the order of
    ``Prerequisite``; a prerequisite this version does not know is left out."""
    known = {p.value: p for p in Prerequisite}
    at = {
        known[row["prerequisite"]]: from_column(row["acknowledged_at"])
        for row in found
        if row["prerequisite"] in known
    }
    return tuple(Acknowledgement(prerequisite=p, at=at[p]) for p in Prerequisite if p in at)


DUE = (
    f"phase = '{Phase.CONFIRMED.value}'"
    " AND (next_run_at IS NULL OR next_run_at <= {at} OR run_requested_at IS NOT NULL)"
    " AND (leased_by IS NULL OR lease_until < {at})"
)
"""A company ``claim_due`` may take; ``{at}`` is the placeholder of the claim's moment."""
DUE_ORDER = "run_requested_at IS NULL, next_run_at IS NOT NULL, next_run_at, run_requested_at, id"
"""Requested first, then never scheduled, then the longest due."""


def lease_from(row: Row, worker: str, until: datetime) -> Lease:
    """The lease of a claimed row (``id``, ``run_epoch``, ``run_requested_at`` as text)."""
    asked = row["run_requested_at"]
    return Lease(
        connection=ConnectionId(row["id"]),
        worker=worker,
        until=until,
        epoch=int(row["run_epoch"]),
        requested_at=None if asked is None else from_column(asked),
    )


# --- links and the outbox ------------------------------------------------------------------------


def link_row(link: Link) -> tuple[object, ...]:
    return (
        link.record_type.value,
        link.released_id,
        link.intacct_key,
        link.origin.value,
        link.status.value,
        link.released_fingerprint,
        link.intacct_fingerprint,
        int(link.posted),
    )


def link_from(row: Row) -> Link:
    return Link(
        record_type=RecordType(row["record_type"]),
        released_id=ReleasedId(row["released_id"]),
        intacct_key=IntacctKey(row["intacct_key"]),
        origin=System(row["origin"]),
        status=LinkStatus(row["status"]),
        released_fingerprint=row["released_fingerprint"],
        intacct_fingerprint=row["intacct_fingerprint"],
        posted=bool(row["posted"]),
    )


def intent_from(id: ConnectionId, row: Row) -> Intent:
    """An outbox row (``key``, ``state``, ``action``, ``run``, ``sent_at``) of connection ``id``."""
    return Intent(
        connection=id,
        key=IdempotencyKey(row["key"]),
        action=decode_action(row["action"]),
        state=IntentState(row["state"]),
        run=row["run"],
        sent_at=from_column(row["sent_at"]) if row["sent_at"] else None,
    )


def resolution_from(row: Row) -> Resolution:
    """A ``resolutions`` row (``link_to``)."""
    link_to = row["link_to"]
    return Resolution(link_to=None if link_to is None else IntacctKey(link_to))


# --- runs ----------------------------------------------------------------------------------------


def run_row(run: Run) -> tuple[object, ...]:
    return (
        run.id,
        run.connection,
        to_column(run.started_at),
        run.status.value,
        to_column(run.finished_at) if run.finished_at else None,
        encode_counts(run.counts),
        run.errors,
        encode_progress(run.progress),
        to_column(run.heartbeat_at) if run.heartbeat_at else None,
        run.epoch,
        run.holder,
        to_column(run.released_at) if run.released_at else None,
        run.transactions,
    )


def run_from(row: Row) -> Run:
    return Run(
        id=row["id"],
        connection=ConnectionId(row["connection"]),
        started_at=from_column(row["started_at"]),
        status=RunStatus(row["status"]),
        finished_at=from_column(row["finished_at"]) if row["finished_at"] else None,
        counts=decode_counts(row["counts"]),
        errors=row["errors"],
        progress=decode_progress(row["progress"]),
        heartbeat_at=from_column(row["heartbeat_at"]) if row["heartbeat_at"] else None,
        epoch=row["epoch"],
        holder=row["holder"],
        released_at=from_column(row["released_at"]) if row["released_at"] else None,
        transactions=row["transactions"],
    )


# --- results and notifications -------------------------------------------------------------------


def result_row(id: ConnectionId, result: SyncResult) -> tuple[object, ...]:
    """The values of ``RESULT_COLUMNS`` for a new row of ``result``."""
    return (
        id,
        result.record_type.value,
        result.released_id,
        result.intacct_key,
        result.direction.value,
        result.rule.value if result.rule else None,
        result.kind.value,
        result.link_status.value,
        to_column(result.last_seen),
        encode_result(result),
    )


def notification_from(row: Row) -> StoredNotification:
    """A ``notifications`` row (``id``, ``body``, ``created_at``, ``read``)."""
    return StoredNotification(
        id=int(row["id"]),
        notification=decode_notification(row["body"]),
        created_at=from_column(row["created_at"]),
        read=bool(row["read"]),
    )


def by_connection(held: Lease) -> str:
    """Leases are answered in connection id order."""
    return held.connection
