"""What ``make run`` prints once the initial sync is done: counts, results by rule, where to look.

``summary(run, results, where)`` is a pure function of what the service answered, so a test reads
the same text the demo prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from released_intacct.app.cli.summary import summary as cli_summary
from released_intacct.domain.results import SyncResult
from released_intacct.domain.state import Run

__all__ = ["Where", "summary"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Where:
    """Where a newcomer looks next."""

    connection: str
    admin_url: str
    token: str
    config: str
    logs: str
    every_minutes: int
    cli: str
    """The CLI's command, a full path (the demo runs from any folder)."""


def summary(run: Run, results: Sequence[SyncResult], where: Where) -> str:
    """The run's colour and time, the CLI's run summary (counts per type, results by rule), and
    where to look next."""
    lines = [_header(run), *cli_summary(run, results), "", *_next(where)]
    return "\n".join(lines) + "\n"


def _header(run: Run) -> str:
    colour = (run.status.colour or "open").upper()
    took = ""
    if run.finished_at is not None:
        took = f" in {(run.finished_at - run.started_at).total_seconds():.1f} s"
    verdict = "no errors" if colour == "BLUE" else f"{run.errors} record(s) need a person"
    return f"Initial sync finished {colour}{took}: {verdict} (rule E3)."


def _next(where: Where) -> list[str]:
    status = f"{where.admin_url}/connections/{where.connection}/status"
    return [
        "Where to look next:",
        f"  admin API   {where.admin_url}   token: {where.token}",
        f'              curl -H "Authorization: Bearer {where.token}" {status}',
        f"  console     {where.admin_url}/ui   (sign in with the token)",
        f"  OpenAPI     {where.admin_url}/openapi.json   (docs: /docs and /redoc)",
        f"  CLI         {where.cli} --config {where.config} "
        f"results {where.connection} --type invoice",
        f"  logs        {where.logs}",
        f"Serving, with a sync every {where.every_minutes} minutes (E4). Ctrl-C stops everything.",
    ]
