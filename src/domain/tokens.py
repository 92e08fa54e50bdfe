"""A REST connection's OAuth 2 refresh token, as the state store keeps it (issue 20; rule C2).

Intacct rotates refresh tokens: spending one (for an access token) returns the next, and the spent
one is dead. So the store spends a connection's token under a lock that holds across processes,
and keeps the new one in the same transaction (``spend_refresh_token``): two processes never
spend the same token, the second gets the token the first kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from returns.future import FutureResult
from returns.result import Result

from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.secret import Secret

T = TypeVar("T")

Spend = Callable[[Secret], Awaitable[Result[tuple[Secret, T], SyncError]]]
"""Spends a refresh token at Intacct: the new refresh token Intacct returned, and the value the
caller wanted (an access token)."""


class RefreshTokens(Protocol):
    """The refresh tokens of the state store (``StateStore``), kept encrypted."""

    def save_refresh_token(self, id: ConnectionId, token: Secret) -> FutureResult[None, SyncError]:
        """Keep ``token`` (replacing any), as the authorization-code grant gave it."""

    def spend_refresh_token(self, id: ConnectionId, spend: Spend[T]) -> FutureResult[T, SyncError]:
        """Under a lock of the connection that holds across processes: read the token, ``spend``
        it, keep the new one it returns, and return its value; two spenders never spend the same
        token (the second gets the first's new one). A failed ``spend`` keeps nothing; no token
        kept is NEEDS_USER (``no_refresh_token``); an unknown connection is REJECTED."""


@dataclass(frozen=True, slots=True)
class TokenSource:
    """Where an authorization-code connection's refresh token is kept: ``tokens`` (the state
    store, or, while ``connect`` signs in before anything is stored, the token just granted) under
    ``connection``. The REST adapter spends it there (``OAuthCredentials.refresh``)."""

    tokens: RefreshTokens
    connection: ConnectionId


def no_refresh_token(id: ConnectionId) -> SyncError:
    """``spend_refresh_token`` of a connection with no refresh token kept (never authorised, or
    its authorisation was lost): the user connects again."""
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.C2,
        message=f"Connection {id} holds no Sage Intacct refresh token, so it cannot sign in.",
        fix="Connect again: `released-intacct connect --api rest`, and authorise the app.",
    )
