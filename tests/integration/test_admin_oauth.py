"""The admin API's OAuth callback (issue 20, rule C2): ``POST /authorizations`` issues a state and
the address where the user approves the app; ``GET /oauth/callback`` exchanges the code at the
REST simulator's token endpoint and stores the connection with its refresh token. A wrong,
replayed or expired state is refused and nothing is exchanged or stored.

The console's "Connect with Sage Intacct" (``/ui/authorizations``, back at
``/ui/oauth/callback``) goes through the same two steps. The sign-in that lists the entities goes
through a fake Intacct port (the REST adapter is the lead's to wire); the token endpoint and the
user's consent (``GET /ia/api/v1/oauth2/authorize``) are the REST simulator's, over
``httpx.ASGITransport``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from returns.result import Result, Success

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.app.admin import create_admin_app
from released_intacct.app.authorize import Authorizations, OAuthFlow, code_exchange
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, EntityId
from released_intacct.domain.ports import Credentials, Entity, IntacctPort
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import outcome
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.simulators.intacct import cli as intacct_cli
from released_intacct.fakes.state_store import FakeStateStore

TOKEN = "admin-oauth-token-5d1c0e7a9b3f4a28"
SIM = "http://intacct.sim"
API_BASE = f"{SIM}/ia/api/v1"
REDIRECT = "http://127.0.0.1:8080/oauth/callback"
CLIENT_SECRET = "demo-client-secret"
ENTITIES = (Entity(id=EntityId("E100"), name="East"),)


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class World:
    def __init__(self, sim: httpx.AsyncClient, admin: httpx.AsyncClient, store: FakeStateStore,
                 clock: Clock) -> None:  # fmt: skip
        self.sim, self.admin, self.store, self.clock = sim, admin, store, clock

    async def start(self, **extra: str) -> dict[str, Any]:
        body = {"releasedCompany": "RL-DEMO", "clientId": "demo-client",
                "clientSecret": CLIENT_SECRET, "companyId": "DEMO", "redirectUri": REDIRECT,
                **extra}  # fmt: skip
        reply = await self.admin.post("/authorizations", json=body, headers=_bearer())
        assert reply.status_code == 201, reply.text
        answer: dict[str, Any] = reply.json()
        return answer

    async def consent(self, address: str) -> dict[str, str]:
        """The user approves at the simulator's login page: the callback's query."""
        return await self.consent_to(address, REDIRECT)

    async def consent_to(self, address: str, redirect: str) -> dict[str, str]:
        reply = await self.sim.get(address)
        assert reply.status_code in (302, 303), reply.text
        back = reply.headers["location"]
        assert back.startswith(redirect)
        return {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}

    async def callback(self, query: dict[str, str]) -> httpx.Response:
        return await self.admin.get("/oauth/callback", params=query)  # no bearer token

    async def token_for_code(self, code: str) -> int:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                "client_id": "demo-client", "client_secret": CLIENT_SECRET}  # fmt: skip
        return (await self.sim.post(f"{API_BASE}/oauth2/token", data=form)).status_code

    async def kept_token(self, id: str) -> Secret | None:
        async def keep(token: Secret) -> Result[tuple[Secret, Secret], SyncError]:
            return Success((token, token))

        found = await outcome(self.store.spend_refresh_token(ConnectionId(id), keep))
        return found.value_or(None)


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def run(body: Callable[[World], Awaitable[None]]) -> None:
    async def main() -> None:
        sim_app = intacct_cli.build(intacct_cli.parser().parse_args(["--seed", "demo"]))
        transport = httpx.ASGITransport(app=sim_app)
        async with httpx.AsyncClient(transport=transport, base_url=SIM) as sim:
            store, clock = FakeStateStore(), Clock()

            def intacct_for(_: Credentials, __: EntityId | None) -> IntacctPort:
                return FakeIntacct(entities=ENTITIES)

            ports = Ports(store=store, intacct_for=intacct_for,
                          released_for=lambda _: FakeReleased(), clock=clock)  # fmt: skip
            oauth = OAuthFlow(
                authorizations=Authorizations(clock),
                exchange=code_exchange(ClientSettings(api_base=API_BASE), lambda _: sim, clock),
                api_base=API_BASE,
            )
            service = Service(ports, oauth=oauth)
            app = create_admin_app(service, token=Secret(TOKEN), ui=True)
            admin_transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=admin_transport, base_url="http://a") as admin:
                await body(World(sim, admin, store, clock))

    asyncio.run(main())


def test_C2_the_callback_connects_with_the_users_authorization_and_keeps_the_refresh_token() -> (
    None
):
    async def body(world: World) -> None:
        started = await world.start(entityId="E100", syncFrom="2024-01-01")
        address = started["authorizationUrl"]
        asked = parse_qs(urlsplit(address).query)
        assert address.startswith(f"{API_BASE}/oauth2/authorize?")
        assert (asked["scope"], asked["state"]) == (["offline_access"], [started["state"]])
        reply = await world.callback(await world.consent(address))
        assert reply.status_code == 201, reply.text
        connection = reply.json()["connection"]
        assert (connection["api"], connection["entity"]) == ("rest", "E100")
        assert connection["syncFrom"] == "2024-01-01"
        kept = await world.kept_token(connection["id"])
        assert kept is not None
        refreshed = await world.sim.post(
            f"{API_BASE}/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": kept.reveal(),
                  "client_id": "demo-client", "client_secret": CLIENT_SECRET},
        )  # fmt: skip
        assert refreshed.status_code == 200, "the token kept is the one Intacct issued"
        assert CLIENT_SECRET not in reply.text

    run(body)


def test_C2_a_replayed_callback_is_refused_and_connects_nothing_more() -> None:
    async def body(world: World) -> None:
        query = await world.consent((await world.start())["authorizationUrl"])
        assert (await world.callback(query)).status_code == 201
        again = await world.callback(query)
        assert again.status_code == 409, again.text
        assert "C2" in again.text
        assert len((await outcome(world.store.connections())).unwrap()) == 1

    run(body)


def test_C2_a_state_never_issued_is_refused_and_nothing_is_exchanged_or_stored() -> None:
    async def body(world: World) -> None:
        query = await world.consent((await world.start())["authorizationUrl"])
        forged = await world.callback({"code": query["code"], "state": "never-issued"})
        assert forged.status_code == 409, forged.text
        assert "not started here" in forged.json()["error"]["message"]
        assert await world.token_for_code(query["code"]) == 200, "the code was not spent"
        connections = await outcome(world.store.connections())
        assert connections.unwrap() == ()

    run(body)


def test_C2_a_state_older_than_ten_minutes_is_refused() -> None:
    async def body(world: World) -> None:
        query = await world.consent((await world.start())["authorizationUrl"])
        world.clock.at += timedelta(minutes=10, seconds=1)
        expired = await world.callback(query)
        assert expired.status_code == 409, expired.text
        assert await world.token_for_code(query["code"]) == 200, "the code was not spent"

    run(body)


def test_C2_starting_needs_the_admin_token_the_callback_does_not_and_both_are_documented() -> None:
    async def body(world: World) -> None:
        refused = await world.admin.post("/authorizations", json={})
        assert refused.status_code == 401
        missing = await world.callback({})
        assert missing.status_code == 422, "the callback answers without a token"
        document = (await world.admin.get("/openapi.json")).json()
        assert "post" in document["paths"]["/authorizations"]
        callback = document["paths"]["/oauth/callback"]["get"]
        assert {p["name"] for p in callback["parameters"]} >= {"code", "state"}
        assert callback["security"] == []

    run(body)


# --- the console's "Connect with Sage Intacct" -------------------------------------------------

CONSOLE_BACK = "http://a/ui/oauth/callback"
CONSOLE_SECRET = "console-client-secret"
CONSOLE_COMPANY = {  # an OAuth client whose redirect URI is the console's callback
    "company_id": "CONSOLE",
    "senders": {"demo-sender": "demo-sender-pass"},
    "users": {"ws_user": "ws_pass"},
    "oauth_clients": {"console-client": {"secret": CONSOLE_SECRET, "sender": "demo-sender",
                                         "redirect_uris": [CONSOLE_BACK], "login": "ws_user"}},
}  # fmt: skip
CONSOLE_FORM = {"releasedCompany": "RL-DEMO", "clientId": "console-client",
                "clientSecret": CONSOLE_SECRET, "companyId": "CONSOLE", "entityId": ""}  # fmt: skip


async def _console_start(world: World, token: str | None = TOKEN) -> httpx.Response:
    added = await world.sim.post("/_sim/companies", json=CONSOLE_COMPANY)
    assert added.status_code in (200, 201), added.text
    headers = {"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await world.admin.post("/ui/authorizations", content=urlencode(CONSOLE_FORM),
                                  headers=headers)  # fmt: skip


def test_C2_the_console_button_sends_the_browser_to_approve_and_back_to_the_console() -> None:
    async def body(world: World) -> None:
        started = await _console_start(world)
        assert started.status_code == 200, started.text
        address = started.headers["HX-Redirect"]
        asked = parse_qs(urlsplit(address).query)
        assert address.startswith(f"{API_BASE}/oauth2/authorize?")
        assert asked["redirect_uri"] == [CONSOLE_BACK]
        assert asked["scope"] == ["offline_access"]
        assert CONSOLE_SECRET not in started.text
        query = await world.consent_to(address, CONSOLE_BACK)
        back = await world.admin.get("/ui/oauth/callback", params=query)  # as the browser: no token
        assert back.status_code == 303, back.text
        assert back.headers["location"] == "/ui/"
        (connection,) = (await outcome(world.store.connections())).unwrap()
        assert connection.api.value == "rest"
        assert await world.kept_token(connection.id) is not None

    run(body)


def test_C2_the_console_refuses_a_forged_state_in_a_page_and_stores_nothing() -> None:
    async def body(world: World) -> None:
        started = await _console_start(world)
        query = await world.consent_to(started.headers["HX-Redirect"], CONSOLE_BACK)
        back = await world.admin.get("/ui/oauth/callback", params={**query, "state": "forged"})
        assert back.status_code == 409
        assert "Not connected" in back.text
        assert "was not started here" in back.text
        assert "script-src 'self'" in back.headers["content-security-policy"]
        assert (await outcome(world.store.connections())).unwrap() == ()

    run(body)


def test_C2_starting_from_the_console_needs_the_admin_token() -> None:
    async def body(world: World) -> None:
        refused = await _console_start(world, token=None)
        assert refused.status_code == 401
        assert "HX-Redirect" not in refused.headers

    run(body)
