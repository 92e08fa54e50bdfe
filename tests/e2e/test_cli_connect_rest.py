"""``connect --api rest`` over the Intacct simulator's REST mode (issue 20, rule C2).

The client secret is never an argument; the authorization-code flow prints the address where the
user approves the app (``scope=offline_access``, a random ``state``), takes the address the
browser was sent back to, checks its state before anything is exchanged, and stores nothing when
the state or the code is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from released_intacct.adapters.state import generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import cli as intacct_cli

SECRET = {"INTACCT_CLIENT_SECRET": "demo-client-secret"}
REDIRECT = "http://127.0.0.1/oauth/callback"
Browser = Callable[[str], str]
"""What the user does with the printed address: the address the browser was sent back to."""


@dataclass(frozen=True)
class Said:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Cli:
    config: Path
    intacct: str

    def __call__(
        self, *argv: str, browser: Browser | None = None, env: dict[str, str] = SECRET
    ) -> Said:
        out, err = StringIO(), StringIO()

        def ask(_: str) -> str:
            assert browser is not None, "connect asked for an address"
            printed = re.findall(r"https?://\S+/oauth2/authorize\?\S+", out.getvalue())
            return browser(printed[-1])

        console = Console(out=out, err=err, environ=dict(env), ask=ask)
        code = main(["--config", str(self.config), *argv], console=console)
        return Said(code, out.getvalue(), err.getvalue())

    def authorize(self, *extra: str, browser: Browser) -> Said:
        return self(
            *("connect", "--api", "rest", "--company", "RL-DEMO", "--client-id", "demo-client"),
            *("--company-id", "DEMO", "--authorization-code", "--redirect-uri", REDIRECT),
            *extra,
            browser=browser,
        )

    def connections(self) -> list[str]:
        said = self("status")
        assert said.code == 0, said
        return re.findall(r"^conn-[0-9a-f]+$", said.out, re.MULTILINE)

    def consent(self, address: str) -> str:
        """The simulator's login page: the user approves; where the browser is sent."""
        answer = httpx.get(address, follow_redirects=False)
        assert answer.status_code in (302, 303), answer.text
        return answer.headers["location"]


@pytest.fixture(scope="module")
def intacct() -> Iterator[str]:
    app = intacct_cli.build(intacct_cli.parser().parse_args(["--seed", "demo"]))
    with serving(app) as url:
        yield url


@pytest.fixture
def cli(intacct: str, tmp_path: Path) -> Cli:
    path = tmp_path / "settings.toml"
    path.write_text(
        'database = "state.sqlite3"\n'
        f'encryption_key = "{generate_key().reveal()}"\n'
        f'[intacct]\nendpoint = "{intacct}{intacct_app.GATEWAY_PATH}"\n'
        f'api_base = "{intacct}/ia/api/v1"\n'
    )
    path.chmod(0o600)
    return Cli(path, intacct)


def _query(address: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(address).query)


def test_C2_the_authorization_address_asks_offline_access_with_a_new_random_state(
    cli: Cli,
) -> None:
    seen: list[str] = []

    def browser(address: str) -> str:
        seen.append(address)
        return ""

    cli.authorize(browser=browser)
    cli.authorize(browser=browser)
    first, second = map(_query, seen)
    assert first["scope"] == ["offline_access"]
    assert (first["client_id"], first["redirect_uri"]) == (["demo-client"], [REDIRECT])
    assert len(first["state"][0]) >= 32
    assert first["state"] != second["state"]
    assert seen[0].startswith(f"{cli.intacct}/ia/api/v1/oauth2/authorize?")


def test_C2_an_answer_with_another_state_is_refused_and_nothing_is_exchanged_or_stored(
    cli: Cli,
) -> None:
    spent: list[str] = []

    def forged(address: str) -> str:
        back = cli.consent(address)
        spent.append(_query(back)["code"][0])
        return back.replace(_query(back)["state"][0], "another-state")

    said = cli.authorize(browser=forged)
    assert said.code == 2
    assert "state" in said.err
    assert "nothing stored" in said.err
    assert cli.connections() == []
    # the code was never exchanged: it still buys a token
    token = httpx.post(
        f"{cli.intacct}/ia/api/v1/oauth2/token",
        data={"grant_type": "authorization_code", "code": spent[0], "redirect_uri": REDIRECT,
              "client_id": "demo-client", "client_secret": "demo-client-secret"},
    )  # fmt: skip
    assert token.status_code == 200, token.text


def test_C2_a_code_intacct_refuses_stores_nothing_and_never_shows_it(cli: Cli) -> None:
    def wrong_code(address: str) -> str:
        state = _query(address)["state"][0]
        return f"{REDIRECT}?code=not-a-code-7f3a&state={state}"

    said = cli.authorize(browser=wrong_code)
    assert said.code == 2
    assert "refused the connection's authorization" in said.err
    assert "not-a-code-7f3a" not in said.out + said.err
    assert cli.connections() == []


def test_C2_a_denied_approval_or_a_missing_code_is_refused(cli: Cli) -> None:
    said = cli.authorize(browser=lambda _: f"{REDIRECT}?error=access_denied&state=x")
    assert (said.code, "access_denied" in said.err) == (2, True)
    said = cli.authorize(browser=lambda _: "")
    assert (said.code, "paste the whole address" in said.err) == (2, True)
    assert cli.connections() == []


def test_C2_the_client_secret_is_never_an_argument_and_each_api_names_what_it_needs(
    cli: Cli,
) -> None:
    rest = ("connect", "--api", "rest", "--company", "RL-DEMO", "--company-id", "DEMO")
    said = cli(*rest, "--client-id", "demo-client", "--user-id", "ws_user", env={})
    assert (said.code, "INTACCT_CLIENT_SECRET" in said.err) == (2, True)
    said = cli(*rest, "--user-id", "ws_user")
    assert (said.code, "--client-id" in said.err) == (2, True)
    said = cli(*rest, "--client-id", "demo-client")
    assert (said.code, "--user-id" in said.err and "--authorization-code" in said.err) == (2, True)
    said = cli(*rest, "--client-id", "demo-client", "--authorization-code")
    assert (said.code, "--redirect-uri" in said.err) == (2, True)
    xml = ("connect", "--company", "RL-DEMO", "--company-id", "DEMO", "--user-id", "ws_user")
    said = cli(*xml, "--sender-id", "demo-sender", "--client-id", "demo-client")
    assert (said.code, "--api rest" in said.err) == (2, True)
    said = cli(*xml)
    assert (said.code, "--sender-id" in said.err) == (2, True)
    assert "client_secret" not in said.err
    assert cli.connections() == []


def test_C2_connect_over_rest_with_client_credentials(cli: Cli) -> None:
    said = cli(
        *("connect", "--api", "rest", "--company", "RL-DEMO", "--client-id", "demo-client"),
        *("--company-id", "DEMO", "--user-id", "ws_user"),
    )
    assert said.code == 0, said
    assert "demo-client-secret" not in said.out + said.err
    assert len(cli.connections()) == 1


def test_C2_connect_over_rest_with_the_users_authorization_keeps_the_refresh_token(
    cli: Cli,
) -> None:
    said = cli.authorize(browser=cli.consent)
    assert said.code == 0, said
    assert len(cli.connections()) == 1
