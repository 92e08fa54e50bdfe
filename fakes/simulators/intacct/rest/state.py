"""What the REST API keeps besides the companies: OAuth clients, grants and tokens, the
``Idempotency-Key`` cache, the bulk jobs and the async requests.

A client is registered with a company config (``config.load_company``, key ``oauth_clients``):
its secret, the sender id it is bound to (which must be authorized for every company it reaches,
as for the XML API, spec section 9), the redirect URIs of the authorization-code grant and the
user its simulated browser login signs in as, per company. Access and refresh tokens are opaque
random strings here (Intacct's access tokens are JWTs; a client must not read them either way).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class OAuthClient:
    client_id: str
    secret: str
    sender: str
    redirect_uris: tuple[str, ...] = ()
    logins: dict[str, str] = field(default_factory=dict)
    """Company id -> the user the authorize endpoint's simulated login signs in as."""


@dataclass(frozen=True)
class Grant:
    """Who a token acts for: the client, the company, the user and the token's default entity;
    ``authorized``: granted by the user's authorization (the authorization-code grant), not by
    client credentials."""

    client_id: str
    company_id: str
    user_id: str
    entity: str = ""
    authorized: bool = False


@dataclass
class AccessToken:
    grant: Grant
    expires_at: datetime


@dataclass
class RefreshToken:
    grant: Grant
    spent: bool = False


@dataclass
class Code:
    grant: Grant
    redirect_uri: str
    expires_at: datetime
    offline: bool = False
    """Asked with ``scope=offline_access``: the token reply carries a refresh token."""


@dataclass
class Remembered:
    """One ``Idempotency-Key``: the request body's hash, and once it ran, its reply."""

    body_hash: str
    first_seen: datetime
    status: int = 0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    running: bool = True


@dataclass
class Job:
    """A bulk job (``rest/bulk.py``): who made it, what it did and each record's result."""

    job_id: str
    company_id: str
    client_id: str
    created: datetime
    object_path: str
    operation: str
    callback: str = ""
    results: list[dict[str, object]] = field(default_factory=list)


@dataclass
class AsyncJob:
    """An async request (``rest/asyncreq.py``): its client, when it came and its deliveries."""

    job_id: str
    client_id: str
    queued: datetime
    finished: datetime | None = None
    deliveries: list[dict[str, str]] = field(default_factory=list)


Deliver = Callable[[str, dict[str, str], bytes], Awaitable[int]]
"""POSTs a body with headers to a URL: the status answered, 0 when none was."""


@dataclass
class RestState:
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    keys: dict[tuple[str, str], Remembered] = field(default_factory=dict)
    """(company id, Idempotency-Key) -> what the first request with it did."""
    jobs: dict[str, Job] = field(default_factory=dict)
    """Bulk jobs by id."""
    async_jobs: dict[str, AsyncJob] = field(default_factory=dict)
    """Async requests by job id."""
    deliver: Deliver | None = None
    """How an async result reaches its webhook (None: ``asyncreq.post``, over HTTP); tests put
    a recorder here."""

    def add_client(self, client: OAuthClient) -> None:
        """Register ``client``; one already known keeps its secret and gains the new logins."""
        known = self.clients.setdefault(client.client_id, client)
        if known is not client:
            known.logins.update(client.logins)

    def reauthorize(self, grant: Grant) -> int:
        """A new authorization of ``grant`` (same client, company and user) ends the refresh
        tokens the earlier authorizations left (the [NANGO] observation; docs/intacct-fidelity.md
        "Re-authorization"); their access tokens run out by themselves. How many it ended."""
        ended = [token for token, found in self.refresh.items() if found.grant == grant]
        live = sum(1 for token in ended if not self.refresh[token].spent)
        for token in ended:
            del self.refresh[token]
        return live

    def expire(self, company_id: str | None, *, revoke: bool) -> int:
        """End the access tokens of ``company_id`` (None: all); ``revoke``: refresh tokens too.
        How many tokens that still worked it ended."""

        def hit(grant: Grant) -> bool:
            return company_id in (None, grant.company_id)

        doomed = [token for token, found in self.access.items() if hit(found.grant)]
        for token in doomed:
            del self.access[token]
        ended = len(doomed)
        if revoke:
            gone = [token for token, found in self.refresh.items() if hit(found.grant)]
            ended += sum(1 for token in gone if not self.refresh[token].spent)
            for token in gone:
                del self.refresh[token]
        return ended

    def reset(self) -> None:
        self.clients.clear()
        self.access.clear()
        self.refresh.clear()
        self.codes.clear()
        self.keys.clear()
        self.jobs.clear()
        self.async_jobs.clear()
