"""``connect --api rest``: a connection over Intacct's REST API (issue 20, rule C2).

Two grants of an OAuth 2 client (client id and secret from Sage's developer portal):

- client credentials, for a Web Services user (``--user-id``): the token call is the live check;
- ``--authorization-code``: prints the address where a user of the company approves the app
  (``scope=offline_access``, a random ``state``), then takes the address the browser was sent
  back to (or its ``code``, after the state was checked), exchanges the code and keeps the
  refresh token with the connection (``ConnectionWorkflow.connect``, in one write).

The client secret never comes from the command line (it would show in ``ps``): it is read from
``INTACCT_CLIENT_SECRET``, else asked for without echo when a person is at the terminal. The code
is asked for at the terminal (``--code`` is not an option for the same reason).
"""

from __future__ import annotations

import argparse
from urllib.parse import parse_qs, urlsplit

import httpx
from returns.result import Failure

from released_intacct.adapters.clock import SystemClock
from released_intacct.app.authorize import Authorizations, code_exchange, same_state
from released_intacct.app.cli.shell import Console
from released_intacct.app.settings import Settings
from released_intacct.domain.ids import ReleasedCompanyId
from released_intacct.domain.ports import OAuthCredentials
from released_intacct.domain.secret import Secret

__all__ = ["CLIENT_SECRET", "add_rest_arguments", "authorized", "oauth_credentials"]

CLIENT_SECRET = "INTACCT_CLIENT_SECRET"  # noqa: S105 - the variable's name, not a secret
"""Where the OAuth client's secret is read from (an environment variable)."""


def add_rest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api",
        choices=("xml", "rest"),
        default="xml",
        help="the Intacct API of the connection (intacct.api): xml (the default) or rest",
    )
    parser.add_argument("--client-id", help="rest: the OAuth client id (Sage's developer portal)")
    parser.add_argument(
        "--authorization-code",
        action="store_true",
        help="rest: a user approves the app in the browser (no Web Services user); the refresh "
        "token is kept, encrypted",
    )
    parser.add_argument(
        "--redirect-uri",
        help="rest, with --authorization-code: the redirect URI registered for the OAuth client",
    )


def oauth_credentials(args: argparse.Namespace, console: Console) -> OAuthCredentials | None:
    """The OAuth client the arguments name, or None after saying what is missing."""
    needed = [("--client-id", args.client_id)]
    if args.authorization_code:
        needed.append(("--redirect-uri", args.redirect_uri))
        if args.user_id:
            _refuse(console, "--user-id and --authorization-code exclude each other")
            return None
    else:
        needed.append(("--user-id (the Web Services user; or --authorization-code)", args.user_id))
    missing = [name for name, given in needed if not given]
    if missing:
        _refuse(console, f"connect --api rest needs {' and '.join(missing)}")
        return None
    if args.sender_id:
        _refuse(console, "--sender-id is the XML API's; the OAuth client replaces it")
        return None
    secret = _client_secret(console)
    if secret is None:
        _refuse(
            console,
            f"the OAuth client secret is missing: set {CLIENT_SECRET} in the environment (or "
            "run connect at a terminal to be asked for it)",
        )
        return None
    return OAuthCredentials(
        client_id=args.client_id.strip(),
        client_secret=secret,
        company_id=args.company_id.strip(),
        user_id=None if args.authorization_code else args.user_id.strip(),
    )


async def authorized(
    args: argparse.Namespace, oauth: OAuthCredentials, settings: Settings, console: Console
) -> Secret | None:
    """The authorization-code flow at the terminal: the refresh token, or None after saying
    why (a wrong state or a refused code: nothing is stored)."""
    clock = SystemClock()
    flow = Authorizations(clock)
    state, _, url = flow.issue(
        ReleasedCompanyId(args.company.strip()),
        oauth,
        api_base=settings.intacct.api_base,
        redirect_uri=args.redirect_uri,
    )
    console.say("Open this address, sign in to Sage Intacct and approve the app:")
    console.say(f"  {url}")
    try:
        answer = console.ask("Then paste the address the browser was sent to: ").strip()
    except EOFError:
        answer = ""
    code = _code(answer, state, console)
    if code is None:
        return None
    console.secrets.append(code)
    async with httpx.AsyncClient(timeout=settings.intacct.timeout) as client:
        exchange = code_exchange(settings.intacct, lambda _: client, clock)
        got = await exchange(oauth, code, args.redirect_uri)
    if isinstance(got, Failure):
        print(f"error: {got.failure()}", file=console.err)
        return None
    return got.unwrap()


def _code(answer: str, state: str, console: Console) -> Secret | None:
    """The code of the address pasted, once its ``state`` is the one issued."""
    query = parse_qs(urlsplit(answer).query)
    if "error" in query:
        _refuse(console, f"Sage Intacct answered {query['error'][0]!r}: nothing stored")
        return None
    codes, states = query.get("code", []), query.get("state", [])
    if len(codes) != 1 or len(states) != 1:
        _refuse(
            console,
            "paste the whole address the browser was sent to, with its code and state: "
            "nothing stored",
        )
        return None
    if not same_state(states[0], state):
        _refuse(
            console,
            "the state in that address is not the one this connect issued (an older or a "
            "forged answer): nothing stored; run connect again",
        )
        return None
    return Secret(codes[0])


def _client_secret(console: Console) -> Secret | None:
    given = console.environ.get(CLIENT_SECRET)
    if given:
        return Secret(given)
    if not console.interactive:
        return None
    try:
        asked = console.ask_secret("OAuth client secret: ")
    except EOFError:
        return None
    return Secret(asked) if asked else None


def _refuse(console: Console, message: str) -> None:
    print(f"error: {message}", file=console.err)
