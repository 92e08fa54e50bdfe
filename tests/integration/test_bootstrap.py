"""The composition root (``app.bootstrap``) and the stand-alone settings it needs (issue 8)."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from returns.pipeline import is_successful
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.pools import Pools
from released_intacct.adapters.released import ReleasedSettings
from released_intacct.adapters.state import generate_key
from released_intacct.app.bootstrap import (
    Clients,
    build_service,
    database_path,
    is_postgres,
    open_service,
)
from released_intacct.app.settings import Settings, SettingsError, settings_from_env
from released_intacct.domain.enums import RecordType
from released_intacct.domain.ids import EntityId, IdempotencyKey, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials, OAuthCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import RunPolicy
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.gateway_stub import EMPTY_READ
from released_intacct.fakes.rest_stub import Clock
from released_intacct.fakes.serving import serving
from released_intacct.fakes.state_store import FakeStateStore

API_KEY = "rl-key-5e1c-never-shown"


def _env(**more: str) -> dict[str, str]:
    return {
        "RELEASED_INTACCT_DATABASE": "state.sqlite3",
        "RELEASED_INTACCT_ENCRYPTION_KEY": generate_key().reveal(),
        **more,
    }


def test_C2_env_reads_the_released_endpoint_and_keeps_its_key_secret() -> None:
    settings = settings_from_env(
        _env(
            RELEASED_INTACCT_RELEASED_BASE_URL="http://127.0.0.1:8002/",
            RELEASED_INTACCT_RELEASED_API_KEY=API_KEY,
        )
    )
    assert settings.released_url == "http://127.0.0.1:8002"
    assert settings.released_api_key == Secret(API_KEY)
    assert API_KEY not in repr(settings)


def test_a_released_url_that_is_not_http_is_named() -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_env(_env(RELEASED_INTACCT_RELEASED_BASE_URL="ftp://x"))
    assert raised.value.problems == (
        "RELEASED_INTACCT_RELEASED_BASE_URL must be an http:// or https:// URL with a host name, "
        "got 'ftp://x'",
    )


def test_database_is_a_path_a_sqlite_url_or_a_postgresql_url_and_nothing_else() -> None:
    assert database_path("/tmp/s.sqlite3") == Path("/tmp/s.sqlite3")
    assert database_path("sqlite:///tmp/s.sqlite3") == Path("tmp/s.sqlite3")
    assert is_postgres("postgresql://db/ri")
    assert is_postgres("postgres://db/ri")
    assert not is_postgres("/tmp/postgresql://")
    with pytest.raises(SettingsError) as raised:
        database_path("mysql://db/ri")
    (problem,) = raised.value.problems
    assert "RELEASED_INTACCT_DATABASE" in problem
    assert "only SQLite and PostgreSQL" in problem


def test_without_a_host_port_or_a_released_endpoint_nothing_is_built(tmp_path: Path) -> None:
    settings = Settings(database=str(tmp_path / "s.sqlite3"), encryption_key=generate_key())

    async def main() -> None:
        async with httpx.AsyncClient() as http:
            with pytest.raises(SettingsError, match="RELEASED_INTACCT_RELEASED_BASE_URL"):
                build_service(settings, Clients(store=FakeStateStore(), http=http))
        with pytest.raises(SettingsError, match=r"released\.api_key"):
            async with open_service(settings):
                pass

    asyncio.run(main())
    assert not (tmp_path / "s.sqlite3").exists()  # refused before anything was opened


def test_open_service_opens_the_sqlite_store_and_closes_it(tmp_path: Path) -> None:
    settings = Settings(
        database=f"sqlite:///{tmp_path / 's.sqlite3'}",
        encryption_key=generate_key(),
        released_url="http://127.0.0.1:9",
        released_api_key=Secret(API_KEY),
    )

    async def opened() -> int:
        async with open_service(settings) as service:
            return len(await value(service.connections()))

    assert asyncio.run(opened()) == 0
    assert (tmp_path / "s.sqlite3").exists()


def test_F1_a_run_s_attempt_is_the_larger_client_time_out_and_must_be_positive() -> None:
    """``RunPolicy.attempt`` (how long a dead process's last request may still run, issue 17)
    is no setting of its own: the service takes the larger of the two clients' time-outs."""
    settings = settings_from_env(
        _env(
            RELEASED_INTACCT_RELEASED_BASE_URL="http://127.0.0.1:9",
            RELEASED_INTACCT_RELEASED_API_KEY=API_KEY,
            RELEASED_INTACCT_INTACCT_TIMEOUT="7",
            RELEASED_INTACCT_RELEASED_TIMEOUT="12.5",
        )
    )

    async def built() -> RunPolicy:
        async with httpx.AsyncClient() as http:
            return build_service(settings, Clients(store=FakeStateStore(), http=http)).ports.policy

    policy = asyncio.run(built())
    assert policy.attempt == timedelta(seconds=12.5)
    assert policy.in_flight == settings.runs.in_flight
    with pytest.raises(ValueError, match=r"RunPolicy\.attempt must be positive"):
        RunPolicy(attempt=timedelta(0))


# --- one connection pool per company (issue 16, F14) ---------------------------------------------

NO_ITEMS = {"items": [], "page": 1, "pageSize": 500, "totalCount": 0, "hasMore": False}


class Holding:
    """A server for both systems that holds every request of company A until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.held: list[str] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._answer, methods=["GET", "POST"])])

    async def _answer(self, request: Request) -> Response:
        body = await request.body()
        company = request.headers.get("x-company-id") or body.decode()
        if "A" in company:
            self.held.append(company)
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        if request.url.path.startswith("/api/"):
            return JSONResponse(NO_ITEMS)
        return Response(EMPTY_READ, media_type="application/xml")


def _pools_of_one_connection() -> Pools:
    return Pools(lambda: httpx.AsyncClient(limits=httpx.Limits(max_connections=1)))


def _credentials(company: str) -> IntacctCredentials:
    secret = Secret("pw")
    return IntacctCredentials(
        sender_id="s", sender_password=secret, company_id=company, user_id="u", user_password=secret
    )


async def _until(held: list[str], count: int) -> None:
    for _ in range(1000):
        if len(held) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the server held {held}, not {count} requests")


def test_F14_a_company_whose_pool_is_exhausted_does_not_block_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stand-alone (``open_service``), every client with a pool of one connection: company A's
    two requests (to Intacct, and to Re-Leased) are held by the server, the second waiting for
    A's pool; company B's go through meanwhile."""
    server = Holding()
    client = httpx.AsyncClient

    def one_connection(**given: Any) -> httpx.AsyncClient:
        return client(limits=httpx.Limits(max_connections=1), **given)

    async def main(url: str) -> None:
        gateway = f"{url}/ia/xml/xmlgw.phtml"
        settings = Settings(
            database=str(tmp_path / "s.sqlite3"),
            encryption_key=generate_key(),
            released_url=url,
            released_api_key=Secret(API_KEY),
            intacct=ClientSettings(endpoint=gateway, attempts=1, timeout=20),
            released=ReleasedSettings(attempts=1, timeout=20),
        )
        key = IdempotencyKey("ri-0001")
        async with open_service(settings) as service:
            intacct_a = service.ports.intacct_for(_credentials("A"), None)
            intacct_b = service.ports.intacct_for(_credentials("B"), None)
            released_a = service.ports.released_for(ReleasedCompanyId("RL-A"))
            released_b = service.ports.released_for(ReleasedCompanyId("RL-B"))
            assert isinstance(intacct_a, IntacctAdapter)
            assert isinstance(intacct_b, IntacctAdapter)
            post_a = partial(intacct_a.gateway.post, gateway, b"A", idempotent=True)
            find_a = partial(released_a.find_by_key, RecordType.CONTACT, key)
            stuck = [
                *(asyncio.ensure_future(post_a()) for _ in range(2)),
                *(asyncio.ensure_future(settled(find_a())) for _ in range(2)),
            ]
            try:
                await _until(server.held, 2)  # one of each held, the other waiting for A's pool
                posted = await intacct_b.gateway.post(gateway, b"B", idempotent=True)
                assert is_successful(posted), posted
                found = await settled(released_b.find_by_key(RecordType.CONTACT, key))
                assert found.unwrap() is None
                assert not any(task.done() for task in stuck)  # A still held meanwhile
            finally:
                server.release.set()
            assert all(is_successful(outcome) for outcome in await asyncio.gather(*stuck))

    monkeypatch.setattr(httpx, "AsyncClient", one_connection)
    with serving(server.app) as url:
        try:
            asyncio.run(main(url))
        finally:
            server.release.set()


def test_F14_pools_are_one_per_company_and_closed_together() -> None:
    async def main() -> None:
        pools = _pools_of_one_connection()
        a, again, b = pools.for_intacct("A"), pools.for_intacct("A"), pools.for_intacct("B")
        released = pools.for_released("A")
        assert a is again
        assert len({id(a), id(b), id(released)}) == 3
        await pools.aclose()
        assert all(client.is_closed for client in (a, b, released))
        async with httpx.AsyncClient() as host:
            shared = Pools.shared(host)
            assert shared.for_intacct("A") is shared.for_released("B") is host
            await shared.aclose()
            assert not host.is_closed  # the host's own client: the host closes it

    asyncio.run(main())


def test_C2_an_oauth_connection_speaks_rest_and_a_refused_token_stores_nothing() -> None:
    """The service picks the adapter by the credentials (``bootstrap.intacct_adapter``): an
    OAuth 2 client signs in at ``intacct.api_base``'s token endpoint, never the XML gateway; a
    token endpoint that fails leaves nothing stored, and the secret is in no error."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    oauth = OAuthCredentials(
        client_id="client-1", client_secret=Secret(API_KEY), company_id="INT-1", user_id="ws"
    )

    async def main() -> None:
        store = FakeStateStore()
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            settings = Settings(
                database="unused.sqlite3",
                encryption_key=generate_key(),
                released_url="https://released.example",
                released_api_key=Secret("rl-key"),
                intacct=ClientSettings(
                    endpoint="https://api.intacct.example/ia/xml/xmlgw.phtml",
                    api_base="https://api.intacct.example/ia/api/v1",
                    attempts=1,
                    backoff=0.0,
                ),
            )
            service = build_service(settings, Clients(store=store, http=http))
            refused = await service.workflow.connect(ReleasedCompanyId("RL-1"), oauth)
        error = refused.failure()
        assert "token endpoint" in error.message
        assert API_KEY not in f"{error} {error!r}"
        assert await value(store.connections()) == ()
        assert sent
        assert {r.url.path for r in sent} == {"/ia/api/v1/oauth2/token"}

    asyncio.run(main())


def test_C2_the_service_asks_one_access_token_for_every_rest_port_of_a_connection() -> None:
    """The ports the service builds for one OAuth connection (the set-up check at the entity,
    a log-in at the top level, the run's own) share one access token (``TokenShelf``): one
    token call, not one a port; another OAuth client asks its own."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "at-1", "expires_in": 3600})
        return httpx.Response(200, json={"ia::result": [], "ia::meta": {"totalCount": 0}})

    oauth = OAuthCredentials(
        client_id="client-1", client_secret=Secret(API_KEY), company_id="INT-1", user_id="ws"
    )
    other = OAuthCredentials(
        client_id="client-2", client_secret=Secret(API_KEY), company_id="INT-1", user_id="ws"
    )

    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            settings = Settings(
                database="unused.sqlite3",
                encryption_key=generate_key(),
                released_url="https://released.example",
                released_api_key=Secret("rl-key"),
                intacct=ClientSettings(api_base="https://api.intacct.example/ia/api/v1"),
            )
            service = build_service(settings, Clients(store=FakeStateStore(), http=http))
            intacct_for = service.ports.intacct_for
            for port in (intacct_for(oauth, EntityId("E1")), intacct_for(oauth, None)):
                assert is_successful(await port.login(oauth))
            tokens = [r for r in sent if r.url.path.endswith("/oauth2/token")]
            assert len(tokens) == 1
            assert is_successful(await intacct_for(other, None).login(other))
            tokens = [r for r in sent if r.url.path.endswith("/oauth2/token")]
            assert len(tokens) == 2

    asyncio.run(main())


def test_C2_a_rest_port_judges_its_token_by_the_services_clock() -> None:
    """The access token is renewed when the service's clock says it has run out (the clock the
    code exchange stamps a grant with), not only once Intacct refuses it."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "at-1", "expires_in": 3600})
        return httpx.Response(200, json={"ia::result": [], "ia::meta": {"totalCount": 0}})

    oauth = OAuthCredentials(
        client_id="client-1", client_secret=Secret(API_KEY), company_id="INT-1", user_id="ws"
    )
    clock = Clock()

    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            settings = Settings(
                database="unused.sqlite3",
                encryption_key=generate_key(),
                released_url="https://released.example",
                released_api_key=Secret("rl-key"),
                intacct=ClientSettings(api_base="https://api.intacct.example/ia/api/v1"),
            )
            clients = Clients(store=FakeStateStore(), http=http, clock=clock)
            port = build_service(settings, clients).ports.intacct_for(oauth, None)
            assert is_successful(await port.login(oauth))
            clock.at += timedelta(hours=2)
            assert is_successful(await port.login(oauth))
        tokens = [r for r in sent if r.url.path.endswith("/oauth2/token")]
        assert len(tokens) == 2

    asyncio.run(main())
