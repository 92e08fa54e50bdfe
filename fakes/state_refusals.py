"""The refusals and filters of the in-memory state store (rules C1, E1, E2, E4), kept apart."""

from __future__ import annotations

from collections.abc import Iterable

from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctKey
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.results import SyncResult
from released_intacct.domain.rules.connection import intacct_side
from released_intacct.domain.state import Connection, Phase, ResultFilter, Run


def refused(message: str, fix: str, *, rule: Rule | None = None) -> SyncError:
    return SyncError(kind=ErrorKind.REJECTED, rule=rule, message=message, fix=fix)


def unknown(id: ConnectionId) -> SyncError:
    return refused(f"There is no connection {id}.", "Connect the company first.")


def holder_fix(held: Connection) -> str:
    if held.phase is Phase.CONFIRMED:
        return "That link was confirmed and can never be changed; connect another company."
    return "Use that connection, or remove it first: it is not confirmed yet."


def progress_refusal(stored: Run | None, run: Run) -> SyncError | None:
    """Progress is saved only for a run the store holds open, and only while it is open."""
    if stored is None:
        return refused(f"There is no run {run.id}.", "Start a run first.")
    if run.status.finished:
        return refused(f"Run {run.id} is given as finished.", "Finish it with finish_run.")
    return None


def finish_refusal(stored: Run | None, run: Run) -> SyncError | None:
    """A run the store does not hold cannot be finished (a finished one: ``fence_refusal``)."""
    if stored is None:
        return refused(f"There is no run {run.id}.", "Start a run first.")
    return None


def c1_holder(held: Iterable[Connection], candidate: Connection) -> SyncError | None:
    """Rule C1: the refusal naming the connection that already holds either company."""
    for other in held:
        if other.id == candidate.id:
            continue
        if other.released_company == candidate.released_company:
            message = (
                f"Re-Leased company {other.released_company} is already connected to "
                f"{intacct_side(other.intacct_company, other.entity)} (connection {other.id})."
            )
            return refused(message, holder_fix(other), rule=Rule.C1)
        same_entity = candidate.entity is not None and other.entity == candidate.entity
        if same_entity and other.intacct_company == candidate.intacct_company:
            message = (
                f"{intacct_side(other.intacct_company, other.entity)} is already connected to "
                f"Re-Leased company {other.released_company} (connection {other.id})."
            )
            return refused(message, holder_fix(other), rule=Rule.C1)
    return None


def key_clash(links: Iterable[Link]) -> SyncError | None:
    """Links are unique by record type + Intacct key: the refusal naming the first holder."""
    holders: dict[tuple[RecordType, IntacctKey], Link] = {}
    for link in links:
        holder = holders.setdefault((link.record_type, link.intacct_key), link)
        if holder is not link:
            message = (
                f"The Intacct {link.record_type.value} {link.intacct_key} is already linked to "
                f"the Re-Leased record {holder.released_id}, so it cannot be linked to "
                f"{link.released_id} too."
            )
            return refused(message, "Unlink or relink the other record first.")
    return None


def link_status(links: Iterable[Link], error: SyncError) -> LinkStatus:
    """The status of the link of the record ``error`` is about; LINKED when it has none."""
    record = error.record
    if record is None:
        return LinkStatus.LINKED
    for link in links:
        ids = (link.released_id == record.released_id, link.intacct_key == record.intacct_key)
        if link.record_type is record.record_type and any(ids):
            return link.status
    return LinkStatus.LINKED


def kept(row: SyncResult, where: ResultFilter) -> bool:
    return (
        (where.record_type is None or row.record_type is where.record_type)
        and (where.direction is None or row.direction is where.direction)
        and (where.link_status is None or row.link_status is where.link_status)
        and (where.since is None or row.last_seen >= where.since)
    )
