"""The refusals and filters of the in-memory state store (rules C1, E1, E4), kept apart from it."""

from __future__ import annotations

from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.results import SyncResult
from released_intacct.domain.rules.connection import TOP_LEVEL, ConnectionRecord, check_link_change
from released_intacct.domain.state import Connection, Phase, ResultFilter, Run


def refused(message: str, fix: str, *, rule: Rule | None = None) -> SyncError:
    return SyncError(kind=ErrorKind.REJECTED, rule=rule, message=message, fix=fix)


def unknown(id: ConnectionId) -> SyncError:
    return refused(f"There is no connection {id}.", "Connect the company first.")


def confirmed_refusal(connection: Connection) -> SyncError | None:
    """Rule C1: a confirmed connection is never changed nor removed."""
    if connection.phase is not Phase.CONFIRMED:
        return None
    record = ConnectionRecord(
        released_company=connection.released_company,
        intacct_company=connection.intacct_company,
        entity=TOP_LEVEL if connection.entity is None else connection.entity,
        confirmed=True,
        connection=connection.id,
    )
    return check_link_change(record).swap().value_or(None)


def intacct_side(connection: Connection) -> str:
    company = f"Sage Intacct company {connection.intacct_company}"
    if connection.entity is None:
        return company
    if connection.entity == TOP_LEVEL:
        return f"{company} at its top level"
    return f'{company} at entity "{connection.entity}"'


def holder_fix(held: Connection) -> str:
    if held.phase is Phase.CONFIRMED:
        return "That link was confirmed and can never be changed; connect another company."
    return "Use that connection, or remove it first: it is not confirmed yet."


def running(run: Run) -> SyncError:
    return refused(
        f"A sync of this company is already running (run {run.id}, started "
        f"{run.started_at.isoformat()}).",
        "Wait for it to finish, then start the sync again.",
        rule=Rule.E4,
    )


def kept(row: SyncResult, where: ResultFilter) -> bool:
    return (
        (where.record_type is None or row.record_type is where.record_type)
        and (where.direction is None or row.direction is where.direction)
        and (where.link_status is None or row.link_status is where.link_status)
        and (where.since is None or row.last_seen >= where.since)
    )
