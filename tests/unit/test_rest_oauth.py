"""OAuth 2 for the REST API: the token calls' forms ([FYREST] intacctsdk/intacctsdk.py; spec
section 9), the access token kept and renewed before it expires, and refresh tokens that rotate
(spent only inside the store's lock, the new one kept before the access token is used)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct_rest.oauth import (
    AccessTokens,
    TokenClient,
    TokenShelf,
    authorization_url,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.secret import Secret
from released_intacct.fakes.rest_stub import API, Client, Clock, RestStub, body, settings

T = TypeVar("T")
CONN = ConnectionId("conn-1")


class Store:
    """A connection's refresh token under a lock; records what it kept, and when."""

    def __init__(self, token: str, events: list[str]) -> None:
        self.token = Secret(token)
        self.events = events
        self._lock = asyncio.Lock()

    def spend_refresh_token(
        self,
        id: ConnectionId,
        spend: Callable[[Secret], Awaitable[Result[tuple[Secret, T], SyncError]]],
    ) -> FutureResult[T, SyncError]:
        async def spent() -> Result[T, SyncError]:
            async with self._lock:
                got = await spend(self.token)
                if not is_successful(got):
                    return Failure(got.failure())
                self.token, value = got.unwrap()
                self.events.append(f"kept {self.token.reveal()}")
                return Success(value)

        return FutureResult(spent())


def _tokens(
    stub: RestStub, client: httpx.AsyncClient, clock: Clock, store: Store | None = None
) -> AccessTokens:
    given = settings()
    oauth = Client(user_id=None) if store is not None else Client()
    return AccessTokens(
        TokenClient(client, given, oauth, clock), given, clock, store=store, connection=CONN
    )


def test_C2_client_credentials_send_the_web_services_user_as_user_at_company() -> None:
    stub = RestStub()

    async def go() -> Result[Secret, SyncError]:
        async with stub.client() as client:
            return await _tokens(stub, client, Clock()).access()

    assert asyncio.run(go()).unwrap().reveal() == "access-1"
    assert stub.token_forms == [
        {
            "grant_type": "client_credentials",
            "username": "ws_user@ACME",
            "client_id": "client-1",
            "client_secret": "s3cret-client",
        }
    ]


def test_the_access_token_is_kept_and_renewed_a_little_before_it_expires() -> None:
    stub = RestStub(expires_in=600)
    clock = Clock()

    async def go() -> list[str]:
        async with stub.client() as client:
            tokens = _tokens(stub, client, clock)
            seen = [(await tokens.access()).unwrap().reveal()]
            clock.advance(600 - 121)  # more than token_early (2 minutes) left
            seen.append((await tokens.access()).unwrap().reveal())
            clock.advance(2)  # less than token_early left
            seen.append((await tokens.access()).unwrap().reveal())
            return seen

    assert asyncio.run(go()) == ["access-1", "access-1", "access-2"]


def test_C2_a_refresh_token_rotates_and_the_new_one_is_kept_before_the_access_token_is_used() -> (
    None
):
    stub = RestStub()
    events: list[str] = []
    store = Store("refresh-0", events)

    async def go() -> list[str]:
        async with stub.client() as client:
            tokens = _tokens(stub, client, Clock(), store)
            first = (await tokens.access()).unwrap()
            events.append(f"used {first.reveal()}")
            second = (await tokens.renew(first)).unwrap()
            events.append(f"used {second.reveal()}")
            return [form["refresh_token"] for form in stub.token_forms]

    spent = asyncio.run(go())
    assert spent == ["refresh-0", "refresh-1"]  # each refresh spends the one kept last
    assert events == ["kept refresh-1", "used access-1", "kept refresh-2", "used access-2"]
    assert stub.token_forms[0]["grant_type"] == "refresh_token"


def test_concurrent_renewals_in_one_process_share_one_token_call() -> None:
    stub = RestStub()
    store = Store("refresh-0", [])

    async def go() -> set[str]:
        async with stub.client() as client:
            tokens = _tokens(stub, client, Clock(), store)
            first = (await tokens.access()).unwrap()
            renewed = await asyncio.gather(*(tokens.renew(first) for _ in range(5)))
            return {r.unwrap().reveal() for r in renewed}

    assert asyncio.run(go()) == {"access-2"}
    assert len(stub.token_forms) == 2


def test_C2_a_spent_refresh_token_asks_the_user_to_connect_again_and_keeps_nothing() -> None:
    stub = RestStub()
    stub.token_refusal = body({"error": "invalid_grant", "error_description": "refresh-0"}, 400)
    store = Store("refresh-0", [])

    async def go() -> Result[Secret, SyncError]:
        async with stub.client() as client:
            return await _tokens(stub, client, Clock(), store).access()

    error = asyncio.run(go()).failure()
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.C2)
    assert "connect" in error.fix.lower()
    assert error.cause == "HTTP 400 invalid_grant"
    assert store.token.reveal() == "refresh-0"


def test_C2_a_refused_client_is_fatal_and_busy_is_retriable() -> None:
    for refusal, kind in (
        (
            body({"ia::error": {"code": "GW-0011", "message": "Invalid Request"}}, 401),
            ErrorKind.FATAL,
        ),
        (body({"ia::error": {"code": "GW-0010", "message": "busy"}}, 429), ErrorKind.RETRIABLE),
        (httpx.Response(502, text="<html>bad gateway</html>"), ErrorKind.RETRIABLE),
    ):
        stub = RestStub()
        stub.token_refusal = refusal

        async def go(stub: RestStub = stub) -> Result[Secret, SyncError]:
            async with stub.client() as client:
                return await _tokens(stub, client, Clock()).access()

        assert asyncio.run(go()).failure().kind is kind


def test_the_authorization_code_is_exchanged_with_its_redirect_uri() -> None:
    stub = RestStub()

    async def go() -> str:
        async with stub.client() as client:
            oauth = TokenClient(client, settings(), Client(user_id=None), Clock())
            grant = (await oauth.exchange_code(Secret("code-9"), "https://host/cb")).unwrap()
            assert grant.refresh_token == Secret("refresh-1")
            return grant.access_token.reveal()

    assert asyncio.run(go()) == "access-1"
    form = stub.token_forms[0]
    assert (form["grant_type"], form["code"], form["redirect_uri"]) == (
        "authorization_code",
        "code-9",
        "https://host/cb",
    )


def test_the_authorization_url_asks_for_offline_access_with_a_state() -> None:
    url = authorization_url(API, "client-1", redirect_uri="https://host/cb?x=1", state="st-7")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{API}/oauth2/authorize"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "https://host/cb?x=1",
        "scope": "offline_access",
        "state": "st-7",
    }


def test_C2_no_secret_reaches_a_repr_an_error_or_a_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stub = RestStub()
    stub.token_refusal = body({"error": "refresh-0"}, 400)  # an echo shaped like a code
    store = Store("refresh-0", [])

    async def go() -> str:
        async with stub.client() as client:
            tokens = _tokens(stub, client, Clock(), store)
            error = (await tokens.access()).failure()
            oauth = TokenClient(client, settings(), Client(), Clock())
            refused = (await oauth.exchange_code(Secret("code-9"), "https://h/cb")).failure()
            return " ".join([repr(tokens), repr(oauth), repr(error), str(refused), caplog.text])

    shown = asyncio.run(go())
    for secret in ("s3cret-client", "refresh-0", "code-9"):
        assert secret not in shown


def test_C2_a_shelf_shares_one_access_token_per_credentials_and_drops_spent_ones() -> None:
    """``TokenShelf``: the same credentials through the same client share one ``AccessTokens``
    (one token call between them); other credentials, another client (the company's pool
    replaced) or another connection's refresh token each get their own; an entry whose token
    has run out is dropped when another is made."""
    stub, clock, given = RestStub(), Clock(), settings()
    shelf = TokenShelf()
    other = Client(client_id="client-2")

    async def main() -> None:
        async with stub.client() as client, stub.client() as replaced:
            one = shelf.tokens(client, given, Client(), clock)
            again = shelf.tokens(client, given, Client(), clock)
            assert again is one
            assert is_successful(await one.access())
            assert is_successful(await again.access())
            assert len(stub.token_forms) == 1
            assert shelf.tokens(client, given, other, clock) is not one
            assert shelf.tokens(replaced, given, Client(), clock) is not one
            coded, store = Client(user_id=None), Store("refresh-0", [])
            mine = shelf.tokens(client, given, coded, clock, store=store, connection=CONN)
            theirs = ConnectionId("conn-2")
            assert shelf.tokens(
                client, given, coded, clock, store=store, connection=theirs
            ) is not (mine)
            kept = shelf.tokens(replaced, given, Client(), clock)
            assert is_successful(await kept.access())
            clock.at += timedelta(seconds=stub.expires_in)
            shelf.tokens(client, given, Client(client_id="client-3"), clock)  # the spent one goes
            assert shelf.tokens(replaced, given, Client(), clock) is not kept

    asyncio.run(main())


def test_C2_a_sender_the_company_has_not_authorized_is_fatal_naming_the_authorization() -> None:
    """``GW-0011`` (401) answers a client whose sender the company has not authorized (spec
    section 9): FATAL C2, the fix naming the client's authorization for the company, the
    documented code kept in the cause (the body is ``ia::error``, not OAuth's ``error``)."""
    stub = RestStub()
    stub.token_refusal = body({"ia::error": {"code": "GW-0011", "message": "Invalid Request"}}, 401)

    async def go() -> Result[Secret, SyncError]:
        async with stub.client() as client:
            return await _tokens(stub, client, Clock()).access()

    error = asyncio.run(go()).failure()
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
    assert error.cause == "HTTP 401 GW-0011"
    assert "authorized for the company" in error.fix


def test_C2_client_credentials_without_a_web_services_user_send_nothing() -> None:
    """The ``username`` is ``user@companyID``; an empty user is refused before any request
    (``GW-0012`` would answer a username without its company)."""
    stub = RestStub()

    async def go() -> None:
        async with stub.client() as client:
            oauth = TokenClient(client, settings(), Client(user_id=""), Clock())
            with pytest.raises(ValueError, match="user_id"):
                await oauth.client_credentials()

    asyncio.run(go())
    assert stub.token_forms == []
