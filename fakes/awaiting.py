"""Awaiting a ``FutureResult`` in tests and drivers (``settled`` is the app's own)."""

from __future__ import annotations

from typing import TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful

from released_intacct.app.ports import settled

__all__ = ["settled", "value"]

T = TypeVar("T")
E = TypeVar("E")


async def value(future: FutureResult[T, E]) -> T:
    """The success value; a failure is a test error, shown with its contents."""
    result = await settled(future)
    if not is_successful(result):
        msg = f"expected success, got {result.failure()!r}"
        raise AssertionError(msg)
    return result.unwrap()
