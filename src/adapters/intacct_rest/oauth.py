"""OAuth 2 for the REST API: the token calls, the authorization URL, and the access token kept.

Token calls are form posts to ``{api_base}/oauth2/token`` ([FYREST] intacctsdk/intacctsdk.py;
spec section 9) answering ``access_token``, ``refresh_token`` and ``expires_in`` (seconds):

- client credentials: ``grant_type=client_credentials``, ``client_id``, ``client_secret`` and
  ``username`` = the Web Services user ``user@companyID``;
- the authorization code: ``grant_type=authorization_code``, ``code`` and ``redirect_uri`` (RFC
  6749 section 4.1.3; **inferred** for Intacct), after the user approved at
  ``{api_base}/oauth2/authorize?response_type=code&client_id&redirect_uri&scope=offline_access
  &state`` (:func:`authorization_url`);
- a refresh: ``grant_type=refresh_token`` and ``refresh_token``. Refresh tokens **rotate**: the
  answer carries a new one and the old one is spent ([FYREST] keeps the new one at each
  refresh). So a refresh runs only inside ``TokenStore.spend_refresh_token``: under the
  connection's lock, held across processes, the store hands over the current refresh token and
  keeps the new one before the access token is used; two processes never spend the same one.

``AccessTokens`` keeps one access token per connection in memory and renews it ``token_early``
before it expires; callers that need a new one at once share one call (a lock, and a check that no
one renewed it meanwhile). ``TokenShelf`` shares one ``AccessTokens`` between the adapters a process
builds for the same credentials (``bootstrap``). A token call whose answer was lost may have spent
the refresh token: the next refresh is refused and the user connects again (NEEDS_USER).

Secrets (client secret, tokens, the code) are ``Secret``s and reach no error, log or repr.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol, TypeVar
from urllib.parse import urlencode

import httpx
import msgspec
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.bodies import capped
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.retrying import lost_error, unsent_error
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.ports import Clock
from released_intacct.domain.secret import Secret

__all__ = [
    "AccessTokens",
    "Grant",
    "OAuthClient",
    "TokenClient",
    "TokenShelf",
    "TokenStore",
    "authorization_url",
]

T = TypeVar("T")
Spend = Callable[[Secret], Awaitable[Result[tuple[Secret, T], SyncError]]]
_MAX_TOKEN_REPLY: Final = 64 * 1024
_CODE: Final = re.compile(r"[A-Za-z0-9_-]{1,40}")
_SECRET_FIELDS: Final = ("code", "refresh_token")
_SYSTEM: Final = "Sage Intacct"
_CONNECT_AGAIN: Final = (
    "Connect the company with Sage Intacct again (`connect --api rest`, or the onboarding page's"
    ' "Connect with Sage Intacct"): the authorization was revoked, expired or already spent.'
)
_CHECK_CLIENT: Final = (
    "Check the OAuth client's ID and secret, the Web Services user (user ID and company ID) and"
    " that the client is authorized for the company in Intacct, then update the connection."
)


class OAuthClient(Protocol):
    """What the token calls need of a connection's OAuth credentials
    (``domain.ports.OAuthCredentials``)."""

    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> Secret: ...
    @property
    def company_id(self) -> str: ...
    @property
    def user_id(self) -> str | None: ...


class TokenStore(Protocol):
    """Where a connection's refresh token is kept, encrypted (``StateStore``)."""

    def spend_refresh_token(self, id: ConnectionId, spend: Spend[T]) -> FutureResult[T, SyncError]:
        """Under the connection's lock: hand the current refresh token to ``spend``, keep the
        new one it returns, return the rest."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """What a token call answered."""

    access_token: Secret
    expires_at: datetime
    refresh_token: Secret | None


class _Answer(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    expires_in: int | float
    refresh_token: str | None = None


class _Refusal(msgspec.Struct, frozen=True, kw_only=True):
    """A refusal's body: OAuth's ``error`` (RFC 6749) or the gateway's ``ia::error``."""

    error: str | dict[str, object] | None = None
    ia_error: dict[str, object] | None = msgspec.field(default=None, name="ia::error")


def authorization_url(api_base: str, client_id: str, *, redirect_uri: str, state: str) -> str:
    """Where the user approves the connection; ``state`` comes back to the callback with the
    code (check it there: it ties the answer to this request)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "offline_access",
            "state": state,
        }
    )
    return f"{api_base}/oauth2/authorize?{query}"


class TokenClient:
    """The token endpoint's three grants."""

    def __init__(
        self, client: httpx.AsyncClient, settings: ClientSettings, oauth: OAuthClient, clock: Clock
    ) -> None:
        self._client = client
        self._settings = settings
        self._oauth = oauth
        self._clock = clock

    def __repr__(self) -> str:
        return f"TokenClient(client_id={self._oauth.client_id!r})"

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client

    async def client_credentials(self) -> Result[Grant, SyncError]:
        """A token for the Web Services user ``user_id@company_id``."""
        user = self._oauth.user_id
        if not user:
            msg = "the client-credentials grant needs the Web Services user (user_id)"
            raise ValueError(msg)
        fields = {
            "grant_type": "client_credentials",
            "username": f"{user}@{self._oauth.company_id}",
        }
        return await self._post(fields, refused=_refused_client)

    async def exchange_code(self, code: Secret, redirect_uri: str) -> Result[Grant, SyncError]:
        """The tokens for a code the authorization callback received."""
        fields = {
            "grant_type": "authorization_code",
            "code": code.reveal(),
            "redirect_uri": redirect_uri,
        }
        return await self._post(fields, refused=_refused_grant)

    async def refresh(self, refresh_token: Secret) -> Result[Grant, SyncError]:
        """New tokens for ``refresh_token``, which is spent (only inside the store's lock)."""
        fields = {"grant_type": "refresh_token", "refresh_token": refresh_token.reveal()}
        return await self._post(fields, refused=_refused_grant)

    async def _post(
        self, fields: dict[str, str], *, refused: Callable[[int, str], SyncError]
    ) -> Result[Grant, SyncError]:
        form = {
            **fields,
            "client_id": self._oauth.client_id,
            "client_secret": self._oauth.client_secret.reveal(),
        }
        url = f"{self._settings.api_base}/oauth2/token"
        try:
            reply = await self._client.send(
                self._client.build_request("POST", url, data=form, timeout=self._settings.timeout),
                stream=True,
            )
            try:
                content = await capped(reply, _MAX_TOKEN_REPLY)
            finally:
                await reply.aclose()
        except (httpx.TransportError, httpx.DecodingError) as error:
            unsent = unsent_error(error, system=_SYSTEM)
            return Failure(unsent if unsent is not None else lost_error(error, system=_SYSTEM))
        if reply.status_code != 200:
            sent = [form["client_secret"], *(fields[k] for k in _SECRET_FIELDS if k in fields)]
            return Failure(_answered(reply.status_code, _code(content, sent), refused))
        try:
            answer = msgspec.json.decode(content, type=_Answer)
        except msgspec.MsgspecError:
            return Failure(_unreadable(reply.status_code))
        expires = self._clock.now() + timedelta(seconds=float(answer.expires_in))
        renew = None if answer.refresh_token is None else Secret(answer.refresh_token)
        return Success(
            Grant(access_token=Secret(answer.access_token), expires_at=expires, refresh_token=renew)
        )


class AccessTokens:
    """One connection's access token, fetched when first needed and renewed before it expires.

    ``store`` None: the client-credentials grant (each renewal asks for a new token); else the
    authorization-code grant, renewed with the rotating refresh token ``store`` keeps."""

    def __init__(
        self,
        tokens: TokenClient,
        settings: ClientSettings,
        clock: Clock,
        *,
        store: TokenStore | None = None,
        connection: ConnectionId | None = None,
    ) -> None:
        self._tokens = tokens
        self._settings = settings
        self._clock = clock
        self._store = store
        self._connection = connection or ConnectionId("")
        self._current: Grant | None = None
        self._lock = asyncio.Lock()
        self.renewals = 0
        """Token calls made (for tests and ``doctor``)."""

    def __repr__(self) -> str:
        return f"AccessTokens(connection={self._connection!r})"

    async def access(self) -> Result[Secret, SyncError]:
        """The access token to send: the one kept while it has ``token_early`` left, else new."""
        current = self._current
        if current is not None and self._fresh(current):
            return Success(current.access_token)
        return await self.renew(None if current is None else current.access_token)

    async def renew(self, stale: Secret | None) -> Result[Secret, SyncError]:
        """A new access token, ``stale`` having been refused or run out; callers that ask at
        once share one token call (a token renewed meanwhile is taken as it is)."""
        async with self._lock:
            current = self._current
            if current is not None and current.access_token != stale and self._fresh(current):
                return Success(current.access_token)
            self.renewals += 1
            got = await self._grant()
            if isinstance(got, Failure):
                return Failure(got.failure())
            self._current = got.unwrap()
            return Success(self._current.access_token)

    def _fresh(self, grant: Grant) -> bool:
        return self._clock.now() + self._settings.token_early < grant.expires_at

    def serves(
        self, client: httpx.AsyncClient, settings: ClientSettings, store: TokenStore | None
    ) -> bool:
        """Whether these tokens are asked through ``client`` with ``settings`` and ``store``
        (``TokenShelf``)."""
        return self._tokens.client is client and self._settings == settings and self._store is store

    def spent(self) -> bool:
        """Whether the token held has run out (none held yet is not: it is about to be asked)."""
        current = self._current
        return current is not None and self._clock.now() >= current.expires_at

    async def _grant(self) -> Result[Grant, SyncError]:
        if self._store is None:
            return await self._tokens.client_credentials()
        spent = await self._store.spend_refresh_token(self._connection, self._spend).awaitable()
        if is_successful(spent):
            return Success(unsafe_perform_io(spent.unwrap()))
        return Failure(unsafe_perform_io(spent.failure()))

    async def _spend(self, refresh_token: Secret) -> Result[tuple[Secret, Grant], SyncError]:
        got = await self._tokens.refresh(refresh_token)
        if isinstance(got, Failure):
            return Failure(got.failure())
        grant = got.unwrap()
        # no new one in the answer: the token was not rotated, so the one spent is kept
        return Success((grant.refresh_token or refresh_token, grant))


class TokenShelf:
    """The ``AccessTokens`` of every REST adapter of a process, one per connection's credentials
    (and, for the authorization-code grant, its connection: its refresh token is that
    connection's), so the adapters a run builds (the set-up check, confirm, the run's own, the
    runner's kept port) share one access token while it lasts instead of asking one each.

    An entry is made anew when the adapter asking holds another ``httpx`` client (its company's
    pool was closed and replaced) or other settings; entries whose token has run out are dropped
    when another is made, so the shelf holds about the connections synced within a token's life.
    """

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[tuple[OAuthClient, ConnectionId | None], AccessTokens] = {}

    def tokens(
        self,
        client: httpx.AsyncClient,
        settings: ClientSettings,
        credentials: OAuthClient,
        clock: Clock,
        *,
        store: TokenStore | None = None,
        connection: ConnectionId | None = None,
    ) -> AccessTokens:
        """The access tokens of ``credentials`` (``store`` and ``connection`` as
        ``AccessTokens`` takes them), kept or made."""
        key = (credentials, connection if store is not None else None)
        kept = self._kept.get(key)
        if kept is not None and kept.serves(client, settings, store):
            return kept
        for old in [k for k, v in self._kept.items() if v.spent()]:
            del self._kept[old]
        made = AccessTokens(
            TokenClient(client, settings, credentials, clock),
            settings,
            clock,
            store=store,
            connection=connection,
        )
        self._kept[key] = made
        return made


def _answered(status: int, code: str, refused: Callable[[int, str], SyncError]) -> SyncError:
    """A token call's failure: throttled or down (retriable), else refused."""
    if status == 429 or code == "GW-0010":
        return _error(ErrorKind.RETRIABLE, None, "Intacct is busy (too many token requests).", code)
    if status >= 500:
        message = f"Intacct's token endpoint failed (HTTP {status})."
        return _error(ErrorKind.RETRIABLE, None, message, f"HTTP {status} {code}".strip())
    return refused(status, code)


def _code(content: bytes, sent: list[str]) -> str:
    """The error code of a refusal (OAuth's ``error`` or ``ia::error.code``) when it is shaped
    like a code (letters, digits, ``_`` and ``-``) and holds nothing ``sent`` (an echo of a
    secret), never its text."""
    try:
        refusal = msgspec.json.decode(content, type=_Refusal)
    except msgspec.MsgspecError:
        return ""
    error = refusal.error if refusal.error is not None else refusal.ia_error
    code = error.get("code") if isinstance(error, dict) else error
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return ""
    return "" if any(secret and secret in code for secret in sent) else code


def _refused_client(status: int, code: str) -> SyncError:
    message = f"Intacct refused the OAuth client or the Web Services user (HTTP {status})."
    return _error(ErrorKind.FATAL, Rule.C2, message, f"HTTP {status} {code}".strip(), _CHECK_CLIENT)


def _refused_grant(status: int, code: str) -> SyncError:
    message = f"Intacct refused the connection's authorization (HTTP {status})."
    cause = f"HTTP {status} {code}".strip()
    return _error(ErrorKind.NEEDS_USER, Rule.C2, message, cause, _CONNECT_AGAIN)


def _unreadable(status: int) -> SyncError:
    message = "Intacct's token endpoint answered something that is not a token."
    fix = "Nothing to do: the sync tries again; if it goes on, contact support."
    return _error(ErrorKind.RETRIABLE, None, message, f"HTTP {status}; not a token", fix)


def _error(
    kind: ErrorKind, rule: Rule | None, message: str, cause: str, fix: str = ""
) -> SyncError:
    return SyncError(
        kind=kind,
        rule=rule,
        message=message,
        fix=fix or "Nothing to do: the sync tries again shortly.",
        cause=cause,
    )
