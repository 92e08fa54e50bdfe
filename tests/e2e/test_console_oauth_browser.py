""" "Connect with Sage Intacct" in a real browser (Debian's Chromium under Playwright; issue 20,
rule C2): sign in to the console, fill in the OAuth client, press the button; the browser goes to
the Intacct simulator's approval page (``GET /ia/api/v1/oauth2/authorize``, which approves at
once), comes back to the console's callback with the code and state, and the console lists the
new connection. Both apps are served for real on loopback; the sign-in that lists the entities
goes through a fake Intacct port (the REST adapter is the lead's to wire).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.app.admin import create_admin_app
from released_intacct.app.authorize import Authorizations, OAuthFlow, code_exchange
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import Credentials, Entity, IntacctPort
from released_intacct.domain.secret import Secret
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct import cli as intacct_cli
from released_intacct.fakes.state_store import FakeStateStore

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TOKEN: Final = "console-oauth-token-7c2e9a0d41b85f36"
SECRET: Final = "browser-client-secret"


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Served:
    admin: ASGIApp | None = None


def host(api_base: str, served: Served) -> Starlette:
    """The admin app with its console, its OAuth flow against the simulator at ``api_base``."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient() as client:
            clock = Clock()

            def intacct_for(_: Credentials, __: EntityId | None) -> IntacctPort:
                return FakeIntacct(entities=(Entity(id=EntityId("E100"), name="East"),))

            ports = Ports(store=FakeStateStore(), intacct_for=intacct_for,
                          released_for=lambda _: FakeReleased(), clock=clock)  # fmt: skip
            settings = ClientSettings(api_base=api_base)
            oauth = OAuthFlow(
                authorizations=Authorizations(clock),
                exchange=code_exchange(settings, lambda _: client, clock),
                api_base=api_base,
            )
            served.admin = create_admin_app(Service(ports, oauth=oauth), token=Secret(TOKEN),
                                            ui=True)  # fmt: skip
            yield

    async def admin(scope: Scope, receive: Receive, send: Send) -> None:
        assert served.admin is not None
        await served.admin(scope, receive, send)

    return Starlette(lifespan=lifespan, routes=[Mount("/host", app=admin)])


def test_C2_connect_with_sage_intacct_in_a_browser(browser: Browser) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415  (a dev dependency, on use)

    sim = intacct_cli.build(intacct_cli.parser().parse_args(["--seed", "demo"]))
    with serving(sim) as intacct, serving(host(f"{intacct}/ia/api/v1", Served())) as base:
        company = {
            "company_id": "BROWSER",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "oauth_clients": {"browser-client": {
                "secret": SECRET, "sender": "demo-sender", "login": "ws_user",
                "redirect_uris": [f"{base}/host/ui/oauth/callback"]}},
        }  # fmt: skip
        httpx.post(f"{intacct}/_sim/companies", json=company).raise_for_status()
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(15_000)
        went: list[str] = []
        page.on("request", lambda asked: went.append(asked.url.split("?")[0]))
        try:
            page.goto(f"{base}/host/ui/")
            page.get_by_label("Admin token").fill(TOKEN)
            page.get_by_role("button", name="Sign in").click()
            expect(page.locator("#authorize-title")).to_be_visible()
            page.get_by_label("Re-Leased company", exact=True).fill("RL-BROWSER")
            page.get_by_label("OAuth client id").fill("browser-client")
            page.get_by_label("OAuth client secret").fill(SECRET)
            page.get_by_label("Intacct company id").fill("BROWSER")
            page.get_by_role("button", name="Connect with Sage Intacct").click()
            row = page.get_by_role("row", name="RL-BROWSER")
            expect(row).to_contain_text("BROWSER")
            trip = [f"{intacct}/ia/api/v1/oauth2/authorize", f"{base}/host/ui/oauth/callback"]
            assert [url for url in went if url in trip] == trip, went
            assert SECRET not in page.content()
            assert context.cookies() == []
        finally:
            context.close()
