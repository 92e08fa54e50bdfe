"""``doctor``: a connection's company checked against what the product relies on, by reading.

The report a support engineer can send: the adapter's read-only findings (``Diagnosis``: time
zone, lines, audit trail, payment kinds, subscriptions, preferences) and rule C5's prerequisites
as they stand (holding, failing, unknown and whether acknowledged). Nothing is written, to
Intacct or to the state store; no credential is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import Ports, settled
from released_intacct.app.preconditions import checked_setup, stored_connection
from released_intacct.domain.diagnosis import Diagnosis
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, EntityId
from released_intacct.domain.rules.prerequisites import Assessment

__all__ = ["DoctorReport", "doctor"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DoctorReport:
    connection: ConnectionId
    checked_at: datetime
    diagnosis: Diagnosis
    prerequisites: tuple[Assessment, ...]

    @property
    def healthy(self) -> bool:
        """Nothing failed and nothing blocks the connection's prerequisites."""
        return not self.diagnosis.failed and not any(a.blocks for a in self.prerequisites)


async def doctor(ports: Ports, id: ConnectionId) -> Result[DoctorReport, SyncError]:
    """Check the connection's company at its chosen entity (read only)."""
    found = await stored_connection(ports.store, id)
    if not is_successful(found):
        return Failure(found.failure())
    checked = await checked_setup(ports, found.unwrap())
    if not is_successful(checked):
        return Failure(checked.failure())
    entity = EntityId(found.unwrap().entity or "")
    diagnosis = await settled(checked.unwrap().intacct.diagnose(entity))
    if not is_successful(diagnosis):
        return Failure(diagnosis.failure())
    return Success(
        DoctorReport(
            connection=id,
            checked_at=ports.clock.now(),
            diagnosis=diagnosis.unwrap(),
            prerequisites=checked.unwrap().assessments,
        )
    )
