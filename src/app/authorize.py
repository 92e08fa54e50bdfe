"""Connecting over REST with the user's authorization (OAuth 2 authorization code, rule C2).

The flow, for the CLI (``connect --api rest --authorization-code``) and the admin API (``POST
/authorizations``, then ``GET /oauth/callback``):

1. ``Authorizations.issue`` keeps what the connection will be (the Re-Leased company, the OAuth
   client, the redirect URI) under a new random ``state`` and answers the URL where the user
   approves the app (``adapters.intacct_rest.oauth.authorization_url``, ``scope=offline_access``);
2. Intacct sends the browser back to the redirect URI with ``code`` and ``state``;
3. ``Authorizations.take`` hands back what the state was issued for, once: an unknown, spent or
   expired state is refused (REJECTED, C2) and nothing is exchanged or stored;
4. ``Exchange`` trades the code for the tokens (``TokenClient.exchange_code``), and
   ``ConnectionWorkflow.connect`` stores the connection with the refresh token in one write.

Decided:
- Pending authorizations are kept **in memory**, not in the state store: each holds the OAuth
  client's secret, which the store keeps only sealed inside a connection's credentials, and it
  lives minutes (``LIFETIME``). A restart (or a second process behind a load balancer) forgets
  them: the user clicks "Connect with Sage Intacct" again, and a state never issued by this
  process is refused. At most ``MAX_PENDING`` are kept; the oldest goes first.
- ``LIFETIME`` is 10 minutes, the longest an authorization code may live (RFC 6749 4.1.2,
  **inferred** for Intacct): a state older than its code is of no use.
- A state is 32 random bytes (``secrets.token_urlsafe``), spent when it is taken, whether the
  exchange then works or not (a replayed callback is refused).
"""

from __future__ import annotations

import hmac
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import httpx
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct_rest.oauth import TokenClient, authorization_url
from released_intacct.app.connection import Choice, Connected, ConnectionWorkflow
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ReleasedCompanyId
from released_intacct.domain.ports import Clock, OAuthCredentials
from released_intacct.domain.secret import Secret

__all__ = [
    "LIFETIME",
    "MAX_PENDING",
    "Authorizations",
    "Exchange",
    "OAuthFlow",
    "Pending",
    "code_exchange",
    "complete",
    "new_state",
    "same_state",
]

LIFETIME: Final = timedelta(minutes=10)
MAX_PENDING: Final = 1000

Exchange = Callable[[OAuthCredentials, Secret, str], Awaitable[Result[Secret, SyncError]]]
"""Trades an authorization code (the OAuth client, the code, the redirect URI it was sent to)
for the refresh token."""


def new_state() -> str:
    """An unguessable ``state`` for one authorization request."""
    return secrets.token_urlsafe(32)


def same_state(given: str, issued: str) -> bool:
    """Whether the ``state`` that came back is the one issued (constant time)."""
    return hmac.compare_digest(given.encode(), issued.encode())


def code_exchange(
    settings: ClientSettings, http_for: Callable[[str], httpx.AsyncClient], clock: Clock
) -> Exchange:
    """The exchange at ``{intacct.api_base}/oauth2/token``, through the company's HTTP client.
    A grant without a refresh token (``offline_access`` not granted) is refused: the connection
    could not sign in again once its access token expired."""

    async def exchange(
        oauth: OAuthCredentials, code: Secret, redirect_uri: str
    ) -> Result[Secret, SyncError]:
        tokens = TokenClient(http_for(oauth.company_id), settings, oauth, clock)
        got = await tokens.exchange_code(code, redirect_uri)
        if isinstance(got, Failure):
            return Failure(got.failure())
        refresh = got.unwrap().refresh_token
        if refresh is None:
            return Failure(
                _refused(
                    "Sage Intacct granted no refresh token (offline access was not approved).",
                    "Connect again and approve offline access (scope offline_access).",
                )
            )
        return Success(refresh)

    return exchange


@dataclass(frozen=True, slots=True, kw_only=True)
class Pending:
    """What an issued ``state`` will connect once its code comes back."""

    released_company: ReleasedCompanyId
    oauth: OAuthCredentials
    redirect_uri: str
    choice: Choice
    expires_at: datetime


class Authorizations:
    """The authorization requests this process issued and has not seen come back yet."""

    def __init__(self, clock: Clock, *, lifetime: timedelta = LIFETIME) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._pending: OrderedDict[str, Pending] = OrderedDict()

    def __repr__(self) -> str:
        return f"Authorizations(pending={len(self._pending)})"

    def issue(
        self,
        released_company: ReleasedCompanyId,
        oauth: OAuthCredentials,
        *,
        api_base: str,
        redirect_uri: str,
        choice: Choice | None = None,
    ) -> tuple[str, Pending, str]:
        """A new state, what it was issued for, and the URL where the user approves the app."""
        self._forget_expired()
        while len(self._pending) >= MAX_PENDING:
            self._pending.popitem(last=False)
        state = new_state()
        pending = Pending(
            released_company=released_company,
            oauth=oauth,
            redirect_uri=redirect_uri,
            choice=choice or Choice(),
            expires_at=self._clock.now() + self._lifetime,
        )
        self._pending[state] = pending
        url = authorization_url(api_base, oauth.client_id, redirect_uri=redirect_uri, state=state)
        return state, pending, url

    def take(self, state: str) -> Result[Pending, SyncError]:
        """What ``state`` was issued for, once; an unknown, spent or expired one is refused."""
        self._forget_expired()
        found = self._pending.pop(state, None)
        if found is None:
            return Failure(
                _refused(
                    "This authorization was not started here, was already used or has expired "
                    f"(it lasts {int(self._lifetime.total_seconds() // 60)} minutes).",
                    'Start again: "Connect with Sage Intacct" on the onboarding page, or '
                    "`released-intacct connect --api rest --authorization-code`.",
                )
            )
        return Success(found)

    def _forget_expired(self) -> None:
        now = self._clock.now()
        for state in [s for s, p in self._pending.items() if p.expires_at <= now]:
            del self._pending[state]


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthFlow:
    """What the admin API needs to connect with the user's authorization (``Service.oauth``)."""

    authorizations: Authorizations
    exchange: Exchange
    api_base: str
    """``intacct.api_base``: the authorize endpoint is ``{api_base}/oauth2/authorize``."""


async def complete(
    flow: OAuthFlow, workflow: ConnectionWorkflow, *, state: str, code: Secret
) -> Result[Connected, SyncError]:
    """The callback: the pending authorization ``state`` names (spent now), its code exchanged,
    and the connection stored with the refresh token (rules C1-C4, all or nothing)."""
    taken = flow.authorizations.take(state)
    if isinstance(taken, Failure):
        return Failure(taken.failure())
    pending = taken.unwrap()
    exchanged = await flow.exchange(pending.oauth, code, pending.redirect_uri)
    if isinstance(exchanged, Failure):
        return Failure(exchanged.failure())
    return await workflow.connect(
        pending.released_company,
        pending.oauth,
        pending.choice,
        refresh_token=exchanged.unwrap(),
    )


def _refused(message: str, fix: str) -> SyncError:
    return SyncError(kind=ErrorKind.REJECTED, rule=Rule.C2, message=message, fix=fix)
