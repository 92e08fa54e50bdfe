"""``released-intacct connect`` and ``disconnect``: connect a Re-Leased company to Sage Intacct
(rules C1-C4), and forget a connection before confirm.

The two passwords never come from the command line (they would show in ``ps``): they are read
from ``INTACCT_SENDER_PASSWORD`` and ``INTACCT_USER_PASSWORD``, else asked for without echo when
a person is at the terminal. Prints the connection id and the entities to choose from; with
``--entity`` (or ``--top-level``) and ``--sync-from`` also chooses them.

Decided:
- Connect is one step, all or nothing (``Choice``): the log-in, the entity and the date are all
  checked before the connection is stored, so a refused entity or date leaves nothing behind and
  the same command can simply be run again, corrected.
- A company without entities has one choice, its top level: it is chosen without being asked
  for. ``--top-level`` says so explicitly (refused, naming the entities, for a company that has
  some); an empty ``--entity`` is refused, pointing at it.
- ``--api rest`` (``connect_rest``): an OAuth client instead of the sender and its passwords;
  ``--authorization-code`` keeps the refresh token with the connection, in one write.
- ``disconnect`` is the admin API's ``DELETE /connections/{id}`` (the same workflow call):
  refused once the connection is confirmed (C1), with the rule and the fix.
"""

from __future__ import annotations

import argparse
from datetime import date

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.connect_rest import (
    add_rest_arguments,
    authorized,
    oauth_credentials,
)
from released_intacct.app.cli.shell import (
    OK,
    REFUSED,
    Console,
    add_command,
    connection_id,
    failed,
)
from released_intacct.app.connection import Choice, Connected
from released_intacct.app.settings import Settings
from released_intacct.domain.ids import EntityId, ReleasedCompanyId
from released_intacct.domain.ports import Credentials, IntacctCredentials
from released_intacct.domain.rules.connection import TOP_LEVEL
from released_intacct.domain.secret import Secret

__all__ = ["PASSWORDS", "add_choice", "register"]

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
            "here, or later to onboard. A company without entities is synced at its top level, "
            "chosen without asking (--top-level says so explicitly). Connect is all or nothing: "
            "when the entity or the date is refused, nothing is stored; correct it and run the "
            "same command again. --api rest connects over the REST API with an OAuth client "
            "(--client-id; its secret from INTACCT_CLIENT_SECRET or asked for): for a Web "
            "Services user (--user-id, client credentials), or with --authorization-code and "
            "--redirect-uri, printing the address where a user approves the app and taking the "
            "address the browser comes back to."
        ),
        examples="  export INTACCT_SENDER_PASSWORD=... INTACCT_USER_PASSWORD=...\n"
        "  released-intacct connect --company RL-DEMO --sender-id demo-sender \\\n"
        "      --company-id DEMO --user-id ws_user --entity E100 --sync-from 2024-01-01\n"
        "  released-intacct connect --company RL-SOLO --sender-id s --company-id SOLO \\\n"
        "      --user-id ws_user --top-level --sync-from 2024-01-01\n"
        "  export INTACCT_CLIENT_SECRET=...\n"
        "  released-intacct connect --api rest --company RL-DEMO --client-id my-client \\\n"
        "      --company-id DEMO --authorization-code \\\n"
        "      --redirect-uri https://sync.example.com/admin/oauth/callback",
        run=_run,
    )
    parser.add_argument("--company", required=True, help="the Re-Leased company id")
    parser.add_argument("--sender-id", help="xml: the Intacct Web Services sender id")
    parser.add_argument("--company-id", required=True, help="the Intacct company id")
    parser.add_argument(
        "--user-id", help="the Intacct Web Services user id (rest: the client-credentials grant)"
    )
    add_rest_arguments(parser)
    add_choice(parser)
    gone = add_command(
        commands,
        "disconnect",
        summary="forget a connection that is not confirmed yet (rule C1)",
        description=(
            "Forgets the connection and its stored credentials, so the Re-Leased company can be "
            "connected again (to another Intacct company or entity). Only before confirm: once "
            "the initial sync is confirmed the link is for good (rule C1) and disconnect is "
            "refused. Exit code 0 when forgotten, 2 when refused."
        ),
        examples="  released-intacct disconnect conn-3f2a...",
        run=_disconnect,
    )
    gone.add_argument("connection", type=connection_id, help="the connection id")


def add_choice(parser: argparse.ArgumentParser) -> None:
    """``--entity ID`` or ``--top-level`` (C3), and ``--sync-from YYYY-MM-DD`` (C4): the options
    that choose where and from when to sync, the same for ``connect`` and ``onboard``."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--entity", type=_entity, help="the Intacct entity to sync with (rule C3)")
    where.add_argument(
        "--top-level",
        action="store_const",
        const=TOP_LEVEL,
        dest="entity",
        help="sync with the top level: for a company without entities (the default for one)",
    )
    parser.add_argument(
        "--sync-from", type=_day, help="sync records dated on or after this day (rule C4)"
    )


def _entity(raw: str) -> EntityId:
    if not raw.strip():
        msg = "needs an entity id; for the top level of a company without entities: --top-level"
        raise argparse.ArgumentTypeError(msg)
    return EntityId(raw.strip())


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
    rest_only = [
        f"--{n}" for n in ("client-id", "redirect-uri") if getattr(args, n.replace("-", "_"))
    ]
    missing = [f"--{n}" for n in ("sender-id", "user-id") if not getattr(args, n.replace("-", "_"))]
    if args.authorization_code or rest_only or missing:
        wrong = (
            " and ".join(missing) if missing else " ".join(rest_only or ["--authorization-code"])
        )
        said = "needs" if missing else "does not take"
        print(
            f"error: connect (--api xml) {said} {wrong}; for an OAuth client: --api rest",
            file=console.err,
        )
        return None
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
    credentials: Credentials | None
    refresh_token = None
    if args.api == "rest":
        credentials = oauth_credentials(args, console)
        if credentials is not None and args.authorization_code:
            refresh_token = await authorized(args, credentials, settings, console)
            if refresh_token is None:
                return REFUSED
    else:
        credentials = _credentials(args, console)
    if credentials is None:
        return REFUSED
    choice = Choice(entity=args.entity, sync_from=args.sync_from)
    async with open_service(settings, needs_released=False) as service:
        company = ReleasedCompanyId(args.company.strip())
        connected = await service.workflow.connect(
            company, credentials, choice, refresh_token=refresh_token
        )
    if not is_successful(connected):
        return failed(connected.failure(), console)
    _show(connected.unwrap(), console)
    return OK


def _show(connected: Connected, console: Console) -> None:
    c = connected.connection
    console.say(f"connection {c.id}")
    console.say(f"  Re-Leased {c.released_company} -> Intacct {c.intacct_company}")
    console.say("  entities:" if connected.entities else "  entities: none (top level only)")
    for entity in connected.entities:
        console.say(f"    {entity.id:<12} {entity.name}")
    if c.entity is not None:
        console.say(f"  entity chosen: {c.entity or 'top level'}")
    if c.sync_from is not None:
        console.say(f"  syncing from: {c.sync_from.isoformat()}")
    still = _missing(entity=c.entity is None, day=c.sync_from is None)
    console.say(f"next: released-intacct onboard {c.id}{still}")


def _missing(*, entity: bool, day: bool) -> str:
    """What ``onboard`` still needs to be told (rules C3, C4)."""
    return (" --entity ID" if entity else "") + (" --sync-from YYYY-MM-DD" if day else "")


async def _disconnect(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings, needs_released=False) as service:
        gone = await service.workflow.disconnect(args.connection)
    if not is_successful(gone):
        return failed(gone.failure(), console)
    console.say(f"disconnected {args.connection}: it and its credentials are forgotten")
    return OK
