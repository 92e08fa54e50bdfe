"""``released-intacct release CONNECTION``: free a company from a run whose process is dead (E4).

A process that dies mid-sync leaves its run open, which keeps the company's next sync out until
the run has been silent for ``sync.stale_after`` (a minute by default). ``release`` frees it at
once when the run's process is provably dead (it ran on this machine and no longer does), or when
the run is silent that long already; the run is finished red, with a notification. A run whose
process may still be alive is not released: stopping that process (Ctrl-C, SIGTERM) frees the
company as it exits. Exit code 0 when released, 2 when refused.
"""

from __future__ import annotations

import argparse

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import OK, Console, add_command, connection_id, failed
from released_intacct.app.settings import Settings

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "release",
        summary="free a company from a sync whose process died",
        description=(
            "Finishes red the open run of the company when its process is provably dead (it "
            "ran on this machine and is gone) or when it has been silent for sync.stale_after, "
            "so the next sync can start at once (rule E4). A run that may still be alive is not "
            "released. Exit code 0 when released, 2 when refused."
        ),
        examples="  released-intacct release conn-3f2a...",
        run=_run,
    )
    parser.add_argument("connection", type=connection_id, help="the connection id")


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings, needs_released=False) as service:
        released = await service.release(args.connection)
    if not is_successful(released):
        return failed(released.failure(), console)
    run = released.unwrap()
    holder = run.holder or "an unknown process"
    console.say(
        f"released run {run.id} (held by {holder}, last seen {run.last_alive.isoformat()}); "
        f"the company can sync again: released-intacct sync {run.connection}"
    )
    return OK
