"""``CompanyStatus``: what an admin sees of one company (rules E3, E4), as ``Service.status``
answers it; the CLI's ``status``, the admin API's status view and the console read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from released_intacct.domain.reasons import Reason
from released_intacct.domain.results import RunStatus, run_status
from released_intacct.domain.state import Connection, Run

__all__ = ["CompanyStatus"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompanyStatus:
    """What an admin sees of one company (rules E3, E4)."""

    connection: Connection
    last_run: Run | None
    """The latest run, open or finished; None before the first."""
    running: bool
    """A run of the company is under way in this process."""
    next_run: datetime | None
    """When the schedule starts the next run; None until the connection is confirmed."""
    transactions_spent: int
    """Intacct API transactions the company's syncs used in this process."""
    reasons: tuple[Reason, ...] = ()
    """Why the last run is red (``app.reasons``); () when it is not."""

    @property
    def run_status(self) -> RunStatus | None:
        """Rule E3: running, orange (running with errors), blue or red; None before any run."""
        run = self.last_run
        if run is None:
            return None
        if run.status.finished:
            return run.status
        return run_status(finished=False, errors=run.errors)

    @property
    def colour(self) -> str | None:
        status = self.run_status
        return None if status is None else status.colour
