"""``released-intacct connect``: connect a Re-Leased company to Sage Intacct (rules C1-C4).

The two passwords never come from the command line (they would show in ``ps``): they are read
from ``INTACCT_SENDER_PASSWORD`` and ``INTACCT_USER_PASSWORD``, else asked for without echo when
a person is at the terminal. Prints the connection id and the entities to choose from; with
``--entity`` and ``--sync-from`` also chooses them.
"""

from __future__ import annotations

import argparse
from datetime import date

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import OK, REFUSED, Console, add_command, failed
from released_intacct.app.connection import Connected
from released_intacct.app.ports import settled
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings
from released_intacct.domain.ids import EntityId, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret

__all__ = ["PASSWORDS", "register"]

PASSWORDS = {
    "sender_password": "INTACCT_SENDER_PASSWORD",
    "user_password": "INTACCT_USER_PASSWORD",
}
"""Where each password is read from (environment variables)."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "connect",
        summary="connect a Re-Leased company to a Sage Intacct company (Web Services user)",
        description=(
            "Checks the Web Services credentials by a live log-in (rule C2), stores the "
            "connection with its credentials encrypted, and prints its id and the Intacct "
            "entities to choose from (rule C3). The passwords are read from "
            "INTACCT_SENDER_PASSWORD and INTACCT_USER_PASSWORD, or asked for at the terminal; "
            "they are never taken as arguments. --entity and --sync-from (rule C4) may be given "
            "here, or later to onboard."
        ),
        examples="  export INTACCT_SENDER_PASSWORD=... INTACCT_USER_PASSWORD=...\n"
        "  released-intacct connect --company RL-DEMO --sender-id demo-sender \\\n"
        "      --company-id DEMO --user-id ws_user --entity E100 --sync-from 2024-01-01",
        run=_run,
    )
    parser.add_argument("--company", required=True, help="the Re-Leased company id")
    parser.add_argument("--sender-id", required=True, help="the Intacct Web Services sender id")
    parser.add_argument("--company-id", required=True, help="the Intacct company id")
    parser.add_argument("--user-id", required=True, help="the Intacct Web Services user id")
    parser.add_argument("--entity", help="the Intacct entity to sync with (rule C3)")
    parser.add_argument(
        "--sync-from", type=_day, help="sync records dated on or after this day (rule C4)"
    )


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        msg = f"must be a date such as 2024-01-01, got {raw!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _password(field: str, console: Console) -> Secret | None:
    name = PASSWORDS[field]
    given = console.environ.get(name)
    if given:
        return Secret(given)
    if not console.interactive:
        return None
    words = field.replace("_", " ")
    try:
        asked = console.ask_secret(f"Intacct {words}: ")
    except EOFError:
        return None
    return Secret(asked) if asked else None


def _credentials(args: argparse.Namespace, console: Console) -> IntacctCredentials | None:
    sender, user = _password("sender_password", console), _password("user_password", console)
    if sender is None or user is None:
        missing = [PASSWORDS[f] for f, s in (("sender_password", sender), ("user_password", user))]
        print(
            f"error: the Intacct password is missing: set {' and '.join(missing)} in the "
            "environment (or run connect at a terminal to be asked for them)",
            file=console.err,
        )
        return None
    console.secrets.extend([sender, user])
    return IntacctCredentials(
        sender_id=args.sender_id,
        sender_password=sender,
        company_id=args.company_id,
        user_id=args.user_id,
        user_password=user,
    )


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    credentials = _credentials(args, console)
    if credentials is None:
        return REFUSED
    async with open_service(settings) as service:
        company = ReleasedCompanyId(args.company.strip())
        connected = await settled(service.workflow.connect(company, credentials))
        if not is_successful(connected):
            return failed(connected.failure(), console)
        _show(connected.unwrap(), console)
        return await _choose(service, connected.unwrap(), args, console)


def _show(connected: Connected, console: Console) -> None:
    c = connected.connection
    console.say(f"connection {c.id}")
    console.say(f"  Re-Leased {c.released_company} -> Intacct {c.intacct_company}")
    console.say("  entities:" if connected.entities else "  entities: none (top level only)")
    for entity in connected.entities:
        console.say(f"    {entity.id:<12} {entity.name}")


async def _choose(
    service: Service, connected: Connected, args: argparse.Namespace, console: Console
) -> int:
    id = connected.connection.id
    if args.entity is not None:
        chosen = await settled(service.workflow.choose_entity(id, EntityId(args.entity.strip())))
        if not is_successful(chosen):
            return failed(chosen.failure(), console)
        console.say(f"  entity chosen: {args.entity}")
    if args.sync_from is not None:
        dated = await settled(service.workflow.set_sync_from(id, args.sync_from))
        if not is_successful(dated):
            return failed(dated.failure(), console)
        console.say(f"  syncing from: {args.sync_from.isoformat()}")
    console.say(f"next: released-intacct onboard {id}")
    return OK
