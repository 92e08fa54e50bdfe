"""What the connection workflow is driven through, and the one way the shell awaits a port call.

``IntacctFor`` builds the Intacct port of one company for a set of credentials at an entity (None:
the user's default, as for a first log-in); ``ReleasedFor`` the Re-Leased port of one company. A
host that serves a single Re-Leased company passes ``lambda _: port``.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, IdempotencyKey, ReleasedCompanyId
from released_intacct.domain.ports import (
    Clock,
    Credentials,
    FeedQuery,
    IntacctPort,
    OAuthCredentials,
    Page,
    ReleasedPort,
)
from released_intacct.domain.released import ReleasedRecord
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    DEFAULT_ATTEMPT,
    DEFAULT_IN_FLIGHT,
    DEFAULT_STALE_AFTER,
    RunPolicy,
    StateStore,
)
from released_intacct.domain.tokens import Spend, TokenSource

__all__ = [
    "Granted",
    "IntacctFor",
    "Ports",
    "ReleasedFor",
    "Sleep",
    "StartSync",
    "awaited",
    "create_each",
    "credentials_of",
    "keeping_tokens",
    "run_policy",
    "settled",
    "this_process",
]

T = TypeVar("T")
E = TypeVar("E")

IntacctFor = Callable[[Credentials, EntityId | None], IntacctPort]
ReleasedFor = Callable[[ReleasedCompanyId], ReleasedPort]
StartSync = Callable[[ConnectionId], Awaitable[None]]
"""Starts a connection's initial sync; awaited in the background, never by the caller."""
Sleep = Callable[[float], Awaitable[None]]
"""Waits the given number of seconds (``asyncio.sleep``)."""


def this_process() -> str:
    """Which process this is, as a run's holder: ``host/pid``."""
    return f"{socket.gethostname()}/{os.getpid()}"


def run_policy(
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    in_flight: timedelta = DEFAULT_IN_FLIGHT,
    attempt: timedelta = DEFAULT_ATTEMPT,
) -> RunPolicy:
    """The policy of runs held by this process; ``attempt``: the larger of its clients'
    time-outs."""
    return RunPolicy(
        stale_after=stale_after, in_flight=in_flight, attempt=attempt, holder=this_process()
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Ports:
    store: StateStore
    intacct_for: IntacctFor
    released_for: ReleasedFor
    clock: Clock
    policy: RunPolicy = field(default_factory=run_policy)
    """How this process's runs hold their companies (issue 16, F1)."""
    sleep: Sleep = asyncio.sleep
    """How a run waits out a write that may still be running at the other end (recovery)."""


async def settled(future: FutureResult[T, E]) -> Result[T, E]:
    """The plain ``Result`` a port call settles to (the shell is where it is looked into)."""
    outcome = await future.awaitable()
    if is_successful(outcome):
        return Success(unsafe_perform_io(outcome.unwrap()))
    return Failure(unsafe_perform_io(outcome.failure()))


async def credentials_of(store: StateStore, id: ConnectionId) -> Result[Credentials, SyncError]:
    """Connection ``id``'s stored credentials; an authorization-code grant's name the store as
    where its refresh token is kept (``OAuthCredentials.refresh``), so the REST adapter spends
    it there under the connection's lock. The one way the service reads credentials."""
    found = await settled(store.credentials(id))
    return found.map(lambda credentials: keeping_tokens(credentials, TokenSource(store, id)))


def keeping_tokens(credentials: Credentials, source: TokenSource) -> Credentials:
    """``credentials``, naming ``source`` as where an authorization-code grant's refresh token
    is kept (the store, or the token ``connect`` was just granted); other credentials as they
    are."""
    if isinstance(credentials, OAuthCredentials) and credentials.by_authorization:
        return replace(credentials, refresh=source)
    return credentials


class Granted:
    """The refresh token an authorization code was just exchanged for, kept in memory while
    ``ConnectionWorkflow.connect`` signs in with it, before the connection (and so the store's
    copy) exists: each spend keeps the rotated token, and ``latest`` is what the connection is
    stored with. One connect at a time spends it (the workflow's sign-in is sequential)."""

    def __init__(self, token: Secret) -> None:
        self.latest = token

    def save_refresh_token(self, id: ConnectionId, token: Secret) -> FutureResult[None, SyncError]:
        self.latest = token
        return FutureResult.from_value(None)

    def spend_refresh_token(self, id: ConnectionId, spend: Spend[T]) -> FutureResult[T, SyncError]:
        async def spent() -> Result[T, SyncError]:
            outcome = await spend(self.latest)
            if is_successful(outcome):
                self.latest, value = outcome.unwrap()
                return Success(value)
            return Failure(outcome.failure())

        return FutureResult(spent())


def awaited(
    fetch: Callable[[FeedQuery], FutureResult[Page[T], SyncError]],
) -> Callable[[FeedQuery], Awaitable[Result[Page[T], SyncError]]]:
    """A port's feed as the paginator (``adapters.paging``) reads it: settled to a ``Result``."""

    def fetched(query: FeedQuery) -> Awaitable[Result[Page[T], SyncError]]:
        return settled(fetch(query))

    return fetched


Create = Callable[[IdempotencyKey, ReleasedRecord], FutureResult[ReleasedRecord, SyncError]]


def create_each(
    create: Create, writes: Sequence[tuple[IdempotencyKey, ReleasedRecord]]
) -> FutureResult[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
    """``ReleasedWriter.create_all`` for a store with nothing to gain from writing several at
    once: ``create`` of each record in turn."""

    async def each() -> Result[tuple[Result[ReleasedRecord, SyncError], ...], SyncError]:
        return Success(tuple([await settled(create(key, record)) for key, record in writes]))

    return FutureResult(each())
