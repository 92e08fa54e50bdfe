"""Awaiting a port call's ``FutureResult`` or an app call's coroutine in tests and drivers
(``settled`` is the app's own, for port calls)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.app.ports import settled

__all__ = ["outcome", "settled", "value"]

T = TypeVar("T")
E = TypeVar("E")


async def outcome(call: FutureResult[T, E] | Awaitable[Result[T, E]]) -> Result[T, E]:
    """What a port call (a ``FutureResult``) or an app call (``async def … -> Result``) came to."""
    if isinstance(call, FutureResult):
        return await settled(call)
    return await call


async def value(call: FutureResult[T, E] | Awaitable[Result[T, E]]) -> T:
    """The success value; a failure is a test error, shown with its contents."""
    result = await outcome(call)
    if not is_successful(result):
        msg = f"expected success, got {result.failure()!r}"
        raise AssertionError(msg)
    return result.unwrap()
