"""A scripted REST API for wire-level unit tests of ``adapters.intacct_rest`` (httpx
MockTransport): the token endpoint answers tokens numbered in turn, every other request gets the
next scripted reply; each request is kept for the test to look at.

The bodies tests script are the documented shapes ([RESTDOC] error-handling, query-service,
bulk-requests); the REST simulator (``fakes/simulators/intacct/rest``) is the full model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.secret import Secret

API = "http://intacct.test/ia/api/v1"
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Clock:
    """Stands still until moved."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True, kw_only=True)
class Client:
    """An OAuth client (the shape of ``domain.ports.OAuthCredentials``)."""

    client_id: str = "client-1"
    client_secret: Secret = field(default_factory=lambda: Secret("s3cret-client"))
    company_id: str = "ACME"
    user_id: str | None = "ws_user"


def settings(**given: Any) -> ClientSettings:
    """Settings pointing at :data:`API`, quick back-off."""
    return ClientSettings(api_base=API, attempts=4, backoff=1.0, backoff_cap=8.0, **given)


def body(payload: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


class RestStub:
    """The token endpoint and a script of API replies."""

    def __init__(self, replies: list[Reply] | None = None, *, expires_in: int = 3600) -> None:
        self.replies = list(replies or [])
        self.expires_in = expires_in
        self.token_forms: list[dict[str, str]] = []
        self.requests: list[httpx.Request] = []
        self.token_refusal: httpx.Response | None = None
        """The token endpoint's answer to every call, instead of a token."""
        self.token_failures: list[httpx.Response] = []
        """Answers of the next token calls, before tokens again."""

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self._handle))

    def sent(self, index: int = -1) -> Any:
        """The JSON body of an API request (``-1``: the last)."""
        return json.loads(self.requests[index].content)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.token_forms.append(form)
            if self.token_refusal is not None:
                return self.token_refusal
            if self.token_failures:
                return self.token_failures.pop(0)
            n = len(self.token_forms)
            return body(
                {
                    "access_token": f"access-{n}",
                    "refresh_token": f"refresh-{n}",
                    "expires_in": self.expires_in,
                    "token_type": "Bearer",
                }
            )
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)
