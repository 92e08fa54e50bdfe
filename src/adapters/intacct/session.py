"""Sessions: ``getAPISession`` at the chosen entity, reuse of the id, re-login when it expires.

The endpoint ``getAPISession`` returns is used for every later call. When Intacct refuses a call
signed with a session id at sign-in (``classify.session_refused``: an authentication failure, or
HTTP 401 ``XMLGW_JPP0002``: the session expired or went stale, even in the middle of a batch),
nothing in it ran, so the keeper logs in again and sends the same functions again, up to
``attempts`` times in all (at least twice), like every other failure that is safe to repeat. The
credentials are judged (rule C2, fatal) only when that fresh log-in itself fails; a session
refused again and again after fresh log-ins is retriable.

The endpoint is adopted only as ``endpoints.adopted`` allows (https on an allowed host); a refused
one is FATAL, and the session is not used.

Every reply passes through here, so here the credentials are kept out of what a reply says: a
gateway (or something posing as one) may echo what it was sent, so the sender and user passwords
and the session id are replaced by stars in its error texts and in any ``SyncError`` it becomes.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.classify import (
    auth_error,
    control_error,
    function_error,
    session_refused,
)
from released_intacct.adapters.intacct.endpoints import adopted
from released_intacct.adapters.intacct.envelope import Function, login_request, session_request
from released_intacct.adapters.intacct.query import reply_nodes
from released_intacct.adapters.intacct.reply import IntacctError, Response
from released_intacct.adapters.intacct.response import api_session
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import Credentials, IntacctCredentials, OAuthCredentials

_REDACTED: Final = "**********"
_MIN_REDACTED_LEN: Final = 4
"""Shorter secrets are not hunted for: replacing them would garble ordinary words."""


class Sessions:
    def __init__(
        self,
        gateway: Gateway,
        credentials: Credentials,
        settings: ClientSettings,
        *,
        entity: EntityId | None,
    ) -> None:
        self._gateway = gateway
        self._credentials = xml_only(credentials)
        """The XML API's credentials, or the refusal of OAuth ones (every log-in returns it)."""
        self._settings = settings
        self._entity = entity
        self._session: str | None = None
        self._endpoint = settings.endpoint
        self._lock = asyncio.Lock()
        self._ids = itertools.count(1)
        self.logins = 0
        self.stamped_at: datetime | None = None
        """Intacct's "now" as the last log-in's session timestamp gave it, with its offset."""

    @property
    def entity(self) -> EntityId | None:
        """Where its sessions open (None: the user's default entity)."""
        return self._entity

    async def login(self) -> Result[str, SyncError]:
        """A fresh session at the entity; its id, and the endpoint to use from now on."""
        if not isinstance(self._credentials, Success):
            return Failure(self._credentials.failure())
        self.logins += 1
        credentials = self._credentials.unwrap()
        body = login_request(credentials, entity=self._entity, controlid="login")
        sent = await self._gateway.post(self._settings.endpoint, body, idempotent=True)
        return self._redacted(credentials, sent, None).bind(_checked).bind(self._adopt)

    def _adopt(self, response: Response) -> Result[str, SyncError]:
        found = api_session(response.results[0]) if response.results else None
        if found is None:
            return Failure(_no_session())
        session, named, _ = found
        endpoint = adopted(named, self._settings)  # only https on an allowed host
        if not is_successful(endpoint):
            return Failure(endpoint.failure())
        self._session, self._endpoint = session, endpoint.unwrap()
        self.stamped_at = _stamped(response.session_timestamp) or self.stamped_at
        return Success(session)

    async def zone(self) -> Result[tzinfo, SyncError]:
        """The zone Intacct writes WHENMODIFIED in: the configured one (an IANA zone keeps
        daylight saving), else calibrated from the session timestamp's offset (logging in first
        when need be; spec correction 11), else UTC when Intacct gave no timestamp."""
        if self._settings.company_tz is not None:
            return Success(self._settings.company_tz)
        if self.stamped_at is None:
            current = await self._current()
            if not is_successful(current):
                return Failure(current.failure())
        offset = self.offset
        return Success(UTC if offset is None else timezone(offset))

    @property
    def offset(self) -> timedelta | None:
        """The UTC offset of the last log-in's session timestamp (``zone``)."""
        return None if self.stamped_at is None else self.stamped_at.utcoffset()

    async def _current(self) -> Result[str, SyncError]:
        async with self._lock:
            if self._session is not None:
                return Success(self._session)
            return await self.login()

    async def call(
        self, functions: list[Function], *, unique: bool, idempotent: bool
    ) -> Result[Response, SyncError]:
        """Run ``functions`` in one request; log in again if the session was refused."""
        tries = max(2, self._settings.attempts)
        for attempt in range(tries):
            current = await self._current()
            if not is_successful(current):
                return Failure(current.failure())
            session = current.unwrap()
            credentials = self._credentials.unwrap()  # a session is open: they are XML's
            body = session_request(
                credentials,
                session,
                functions,
                controlid=f"req-{next(self._ids)}",
                unique=unique,
            )
            nodes = reply_nodes(function.body for function in functions)
            posted = await self._gateway.post(
                self._endpoint, body, idempotent=idempotent, nodes=nodes
            )
            sent = self._redacted(credentials, posted, session)
            refused = session_refused(sent)
            if refused is None:
                return sent.bind(_checked)
            await self._forget(session)
            if attempt == tries - 1:
                return Failure(refused)
        raise AssertionError  # pragma: no cover - the loop always returns

    async def _forget(self, session: str) -> None:
        async with self._lock:
            if self._session == session:
                self._session = None

    @staticmethod
    def _redacted(
        credentials: IntacctCredentials, sent: Result[Response, SyncError], session: str | None
    ) -> Result[Response, SyncError]:
        secrets = [credentials.sender_password.reveal(), credentials.user_password.reveal()]
        secrets = [s for s in (*secrets, session or "") if len(s) >= _MIN_REDACTED_LEN]
        if not secrets:
            return sent
        return sent.map(lambda response: _clean_response(response, secrets)).alt(
            lambda error: _clean_error(error, secrets)
        )


def _hide(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, _REDACTED)
    return text


def _clean_errors(
    errors: tuple[IntacctError, ...], secrets: Sequence[str]
) -> tuple[IntacctError, ...]:
    return tuple(
        IntacctError(
            errorno=_hide(e.errorno, secrets),
            description=_hide(e.description, secrets),
            description2=_hide(e.description2, secrets),
            correction=_hide(e.correction, secrets),
        )
        for e in errors
    )


def _clean_response(response: Response, secrets: Sequence[str]) -> Response:
    """Error texts only: a result's data (the new session id of a log-in) is left as it is."""
    return replace(
        response,
        control_errors=_clean_errors(response.control_errors, secrets),
        auth_errors=_clean_errors(response.auth_errors, secrets),
        results=tuple(
            replace(result, errors=_clean_errors(result.errors, secrets))
            for result in response.results
        ),
    )


def _clean_error(error: SyncError, secrets: Sequence[str]) -> SyncError:
    cause = None if error.cause is None else _hide(error.cause, secrets)
    message, fix = _hide(error.message, secrets), _hide(error.fix, secrets)
    return replace(error, message=message, fix=fix, cause=cause)


def _checked(response: Response) -> Result[Response, SyncError]:
    if not response.control_ok:
        return Failure(control_error(response.control_errors))
    if response.auth_ok is False:
        return Failure(auth_error(response.auth_errors))
    if len(response.results) == 1 and response.results[0].function == "getAPISession":
        result = response.results[0]
        if not result.ok:
            return Failure(function_error(result, record=None))
    return Success(response)


def _stamped(stamp: str) -> datetime | None:
    """An ISO 8601 session timestamp with its offset; None when absent, unreadable or naive."""
    try:
        when = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    return when if when.utcoffset() is not None else None


def xml_only(credentials: Credentials) -> Result[IntacctCredentials, SyncError]:
    """The XML API logs in with a sender and a Web Services user; an OAuth 2 client is the REST
    API's, refused FATAL (a configuration mistake no retry mends), naming the fix."""
    if isinstance(credentials, OAuthCredentials):
        return Failure(
            SyncError(
                kind=ErrorKind.FATAL,
                rule=None,
                message="The XML API of Sage Intacct cannot log in with an OAuth 2 client: "
                'intacct.api = "xml" needs a sender id and a Web Services user.',
                fix='Connect with a sender id and Web Services user for intacct.api = "xml", or '
                'use the REST adapter (intacct.api = "rest") for an OAuth 2 client.',
            )
        )
    return Success(credentials)


def _no_session() -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message="Sage Intacct accepted the log-in but returned no session.",
        fix="Try again later; if it persists, contact support with this message.",
    )
