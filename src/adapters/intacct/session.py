"""Sessions: ``getAPISession`` at the chosen entity, reuse of the id, re-login when it expires.

The endpoint ``getAPISession`` returns is used for every later call. When a call fails
authentication with a session id (it expired, even in the middle of a batch), nothing in it ran,
so the keeper logs in again once and sends the same functions again.
"""

from __future__ import annotations

import asyncio
import itertools

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.classify import auth_error, control_error, function_error
from released_intacct.adapters.intacct.envelope import Function, login_request, session_request
from released_intacct.adapters.intacct.response import Response, api_session
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import IntacctCredentials


class Sessions:
    def __init__(
        self,
        gateway: Gateway,
        credentials: IntacctCredentials,
        settings: ClientSettings,
        *,
        entity: EntityId | None,
    ) -> None:
        self._gateway = gateway
        self._credentials = credentials
        self._settings = settings
        self._entity = entity
        self._session: str | None = None
        self._endpoint = settings.endpoint
        self._lock = asyncio.Lock()
        self._ids = itertools.count(1)
        self.logins = 0

    async def login(self) -> Result[str, SyncError]:
        """A fresh session at the entity; its id, and the endpoint to use from now on."""
        self.logins += 1
        body = login_request(self._credentials, entity=self._entity, controlid="login")
        sent = await self._gateway.post(self._settings.endpoint, body, idempotent=True)
        return sent.bind(_checked).bind(self._adopt)

    def _adopt(self, response: Response) -> Result[str, SyncError]:
        found = api_session(response.results[0]) if response.results else None
        if found is None:
            return Failure(_no_session())
        self._session, self._endpoint, _ = found
        return Success(found[0])

    async def _current(self) -> Result[str, SyncError]:
        async with self._lock:
            if self._session is not None:
                return Success(self._session)
            return await self.login()

    async def call(
        self, functions: list[Function], *, unique: bool, idempotent: bool
    ) -> Result[Response, SyncError]:
        """Run ``functions`` in one request; log in again once if the session has expired."""
        for attempt in range(2):
            current = await self._current()
            if not is_successful(current):
                return Failure(current.failure())
            session = current.unwrap()
            body = session_request(
                self._credentials,
                session,
                functions,
                controlid=f"req-{next(self._ids)}",
                unique=unique,
            )
            sent = await self._gateway.post(self._endpoint, body, idempotent=idempotent)
            expired = is_successful(sent) and sent.unwrap().auth_ok is False
            if not expired:
                return sent.bind(_checked)
            await self._forget(session)
            if attempt == 1:
                return sent.bind(_checked)
        raise AssertionError  # pragma: no cover - the loop always returns

    async def _forget(self, session: str) -> None:
        async with self._lock:
            if self._session == session:
                self._session = None


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


def _no_session() -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message="Sage Intacct accepted the log-in but returned no session.",
        fix="Try again later; if it persists, contact support with this message.",
    )
