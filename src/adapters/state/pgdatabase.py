"""A psycopg 3 connection pool, used one transaction at a time per call (issue 17).

``write(work)`` and ``read(work)`` run ``work`` in one READ COMMITTED transaction of a pooled
connection and commit only when it returns a ``Success``: a refusal (``Failure``) or an exception
rolls it back, so every multi-row change is all or nothing. Where SQLite took the whole file's
write lock (``BEGIN IMMEDIATE``), a write here locks the row of the connection it changes
(``lock``, ``SELECT ... FOR UPDATE``) before it reads, so two writers of one company follow one
another and writers of different companies do not wait.

Retried, the whole transaction again, a few times: serialization failures, deadlocks, a dropped
connection, and a unique violation (two writers that both checked before either inserted: run
again, the check finds the other's row and refuses as the rule says, naming the holder). One that
persists is mapped to the rule its constraint enforces. Any other psycopg error becomes a FATAL
``SyncError``; its cause is the error's class and SQLSTATE only, never a value or a credential.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final, TypeVar

import psycopg
from psycopg import errors
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from returns.result import Failure, Result

from released_intacct.domain.errors import ErrorKind, Rule, SyncError

T = TypeVar("T")

Db = psycopg.AsyncConnection[DictRow]
Work = Callable[[Db], Awaitable[Result[T, SyncError]]]

ATTEMPTS: Final = 5
_PAUSE: Final = 0.02
_AGAIN = (
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.UniqueViolation,
    psycopg.OperationalError,
)


class PgDatabase:
    __slots__ = ("_dsn", "_pool")

    def __init__(self, pool: AsyncConnectionPool[Db], dsn: str) -> None:
        self._pool = pool
        self._dsn = dsn

    def __repr__(self) -> str:
        return "PgDatabase()"

    @classmethod
    async def open(cls, dsn: str, *, min_size: int = 1, max_size: int = 4) -> PgDatabase:
        """A pool on ``dsn``, its first connection made (raises ``psycopg.OperationalError``,
        which names no password, when the server cannot be reached)."""
        pool: AsyncConnectionPool[Db] = AsyncConnectionPool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            open=False,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "prepare_threshold": None,  # behind PgBouncer too
                "options": "-c timezone=UTC",
            },
        )
        try:
            await pool.open(wait=True)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, dsn)

    async def close(self) -> None:
        await self._pool.close()

    async def session(self) -> psycopg.AsyncConnection[tuple[Any, ...]]:
        """A session of its own on the pool's database, outside the pool (for ``LISTEN``), in
        autocommit; the caller closes it."""
        return await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True, prepare_threshold=None
        )

    async def write(self, work: Work[T]) -> Result[T, SyncError]:
        return await self._transaction(work)

    async def read(self, work: Work[T]) -> Result[T, SyncError]:
        return await self._transaction(work)

    async def _transaction(self, work: Work[T]) -> Result[T, SyncError]:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._once(work)
            except _AGAIN as error:
                if attempt == ATTEMPTS:
                    return Failure(_persisting(error))
                await asyncio.sleep(_PAUSE * attempt)
            except psycopg.Error as error:
                return Failure(unusable(error))
        msg = "unreachable: the last attempt returns"  # pragma: no cover
        raise AssertionError(msg)  # pragma: no cover

    async def _once(self, work: Work[T]) -> Result[T, SyncError]:
        async with self._pool.connection() as db, db.transaction() as transaction:
            result = await work(db)
            if isinstance(result, Failure):
                raise psycopg.Rollback(transaction)
        return result


def unusable(error: psycopg.Error) -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message="The sync state database could not be read or written.",
        fix="Check that the PostgreSQL server is up and reachable, then run again.",
        cause=cause_of(error),
    )


def cause_of(error: psycopg.Error) -> str:
    """A psycopg error as a ``SyncError``'s cause: its class and SQLSTATE, never a value."""
    return f"{type(error).__name__} (SQLSTATE {error.sqlstate or 'none'})"


_CONSTRAINT_RULES: Final = {
    "connections_pkey": Rule.C1,
    "connections_released_company_key": Rule.C1,
    "connections_intacct_entity": Rule.C1,
    "runs_one_open": Rule.E4,
}


def _persisting(error: psycopg.Error) -> SyncError:
    """A retried error that came back every time: a unique violation is the refusal of the rule
    its constraint enforces; anything else, the database is unusable."""
    if not isinstance(error, errors.UniqueViolation):
        return unusable(error)
    constraint = error.diag.constraint_name or ""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=_CONSTRAINT_RULES.get(constraint),
        message=f"The change was refused: another one holds what it needs ({constraint}).",
        fix="Reload and try again; the other change came first.",
    )


async def rows(db: Db, sql: str, args: Iterable[Any] = ()) -> list[DictRow]:
    cursor = await db.execute(sql, tuple(args))
    return await cursor.fetchall()


async def one(db: Db, sql: str, args: Iterable[Any] = ()) -> DictRow | None:
    cursor = await db.execute(sql, tuple(args))
    return await cursor.fetchone()


async def lock(db: Db, id: str) -> bool:
    """Lock the row of connection ``id`` until the transaction ends; whether it is stored."""
    return await one(db, "SELECT 1 FROM connections WHERE id = %s FOR UPDATE", (id,)) is not None
