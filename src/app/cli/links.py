"""``released-intacct unlink|relink CONNECTION RECORD_TYPE RELEASED_ID`` (rule E2).

Unlink takes a record out of every later sync (nothing is deleted on either side); relink puts
it back. A record that never synced has no link, and the refusal says so.
"""

from __future__ import annotations

import argparse

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import OK, Console, add_command, connection_id, failed
from released_intacct.app.settings import Settings
from released_intacct.domain.enums import RecordType
from released_intacct.domain.ids import ReleasedId

__all__ = ["register"]

_TYPES = [kind.value for kind in RecordType]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, linked in (("unlink", False), ("relink", True)):
        doing = "puts it back into the sync" if linked else "takes it out of every later sync"
        parser = add_command(
            commands,
            name,
            summary=f"{name} one synced record (rule E2)",
            description=(
                f"{name.title()}s the Re-Leased record of RECORD_TYPE with RELEASED_ID: "
                f"{doing}. Nothing is deleted on either side (rule E2)."
            ),
            examples=f"  released-intacct {name} conn-3f2a... invoice inv-0002",
            run=_run,
        )
        parser.set_defaults(linked=linked)
        parser.add_argument("connection", type=connection_id, help="the connection id")
        parser.add_argument("record_type", choices=_TYPES, metavar="RECORD_TYPE", help=_types())
        parser.add_argument("released_id", help="the record's id in Re-Leased")


def _types() -> str:
    return "one of " + ", ".join(_TYPES)


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    record_type, released_id = RecordType(args.record_type), ReleasedId(args.released_id)
    async with open_service(settings, needs_released=False) as service:
        change = service.relink if args.linked else service.unlink
        done = await change(args.connection, record_type, released_id)
        if not is_successful(done):
            return failed(done.failure(), console)
        link = done.unwrap()
        console.say(
            f"{record_type.value} {link.released_id} (Intacct {link.intacct_key}) is now "
            f"{link.status.value}"
        )
    return OK
