"""Awaiting a ``FutureResult`` in tests and drivers: the plain ``Result`` it settles to."""

from __future__ import annotations

from typing import TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

T = TypeVar("T")
E = TypeVar("E")


async def settled(future: FutureResult[T, E]) -> Result[T, E]:
    outcome = await future.awaitable()
    if is_successful(outcome):
        return Success(unsafe_perform_io(outcome.unwrap()))
    return Failure(unsafe_perform_io(outcome.failure()))


async def value(future: FutureResult[T, E]) -> T:
    """The success value; a failure is a test error, shown with its contents."""
    result = await settled(future)
    if not is_successful(result):
        msg = f"expected success, got {result.failure()!r}"
        raise AssertionError(msg)
    return result.unwrap()
