"""One aiosqlite connection, used one transaction at a time.

``write(work)`` runs ``work`` inside ``BEGIN IMMEDIATE`` (the write lock is taken up front, so a
read-then-write cannot be overtaken by another process) and commits only when ``work`` returns a
``Success``: a refusal (``Failure``) or an exception rolls back, so every multi-row change is all
or nothing. ``read(work)`` runs inside ``BEGIN`` (one consistent snapshot). An ``asyncio.Lock``
keeps the coroutines sharing the connection from interleaving their statements.

A ``sqlite3.Error`` becomes a FATAL ``SyncError`` (the store is unusable); its cause is SQLite's
message, which names tables and constraints, never the values bound to a statement.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import aiosqlite
from returns.result import Failure, Result

from released_intacct.domain.errors import ErrorKind, SyncError

T = TypeVar("T")

Work = Callable[[aiosqlite.Connection], Awaitable[Result[T, SyncError]]]


class Database:
    __slots__ = ("_db", "_lock", "path")

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self.path = path

    def __repr__(self) -> str:
        return f"Database(path={self.path!r})"

    async def write(self, work: Work[T]) -> Result[T, SyncError]:
        return await self._transaction("BEGIN IMMEDIATE", work)

    async def read(self, work: Work[T]) -> Result[T, SyncError]:
        return await self._transaction("BEGIN", work)

    async def close(self) -> None:
        async with self._lock:
            await self._db.close()

    async def _transaction(self, begin: str, work: Work[T]) -> Result[T, SyncError]:
        async with self._lock:
            try:
                return await self._run(begin, work)
            except sqlite3.Error as error:
                await self._rollback(quietly=True)
                return Failure(unusable(error))

    async def _run(self, begin: str, work: Work[T]) -> Result[T, SyncError]:
        await self._db.execute(begin)
        try:
            result = await work(self._db)
        except BaseException:
            await self._rollback(quietly=True)
            raise
        if isinstance(result, Failure):
            await self._rollback()
        else:
            await self._db.execute("COMMIT")
        return result

    async def _rollback(self, *, quietly: bool = False) -> None:
        try:
            if self._db.in_transaction:
                await self._db.execute("ROLLBACK")
        except sqlite3.Error:
            if not quietly:
                raise


def unusable(error: sqlite3.Error) -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message="The sync state database could not be read or written.",
        fix="Check that the database file is on a writable disk with free space, then run again.",
        cause=f"{type(error).__name__}: {error}",
    )


async def rows(db: aiosqlite.Connection, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
    """Every row ``sql`` selects, in one hop to aiosqlite's thread (a cursor opened, fetched and
    closed through aiosqlite is three)."""
    return list(await db.execute_fetchall(sql, tuple(args)))


async def one(db: aiosqlite.Connection, sql: str, args: Iterable[Any] = ()) -> sqlite3.Row | None:
    """The first row ``sql`` selects, or None; for a statement that selects at most a few rows
    (a key, ``LIMIT 1``, a count): every row it selects is fetched, in one hop."""
    found = await rows(db, sql, args)
    return found[0] if found else None
