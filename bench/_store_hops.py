"""What the SQLite state store costs an initial sync: its calls, thread hops and statements.

    python bench/_store_hops.py [--invoices 2000] [--cpu-runs 1]

Runs the engine of ``_engine.py`` at that size over fresh simulators, twice:

1. in this process, with counters: every state store call (by method), every hop to aiosqlite's
   thread (each awaited ``aiosqlite`` operation queues one function there, by its name) and every
   SQL statement SQLite runs (its trace callback; one per row of an ``executemany``);
2. as ``bench.py`` runs it, in a process of its own and without counters, ``--cpu-runs`` times:
   the initial sync's process CPU per invoice (the counters' own cost is left out of it).

Prints one JSON object. Not part of ``make bench``: it is the measure of issue 19's store work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from pathlib import Path
from typing import Any

import _engine
import aiosqlite
from _sims import simulators
from bench import engine

from released_intacct.adapters.state import SqliteStateStore

_METHODS = (
    "save_links",
    "links",
    "links_by_intacct_prefix",
    "cursor",
    "advance_cursor",
    "record_intents",
    "hold",
    "open_intents",
    "settle",
    "settle_many",
    "take_resolution",
    "save_progress",
    "start_run",
    "finish_run",
    "record_results",
    "results",
    "connection",
    "credentials",
    "notify",
)


class Counts:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.hops: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self.on = False

    def traced(self, sql: str) -> None:
        if self.on:
            self.statements[" ".join(sql.split()[:2]).upper()] += 1

    def json(self) -> dict[str, object]:
        return {
            "store_calls": sum(self.calls.values()),
            "hops": sum(self.hops.values()),
            "statements": sum(self.statements.values()),
            "calls_by_method": dict(self.calls.most_common()),
            "hops_by_function": dict(self.hops.most_common()),
            "statements_by_kind": dict(self.statements.most_common()),
        }


def _instrument(counts: Counts) -> None:
    """Counters on aiosqlite's queue, the store's methods, and every connection it opens."""
    queued: Callable[..., Awaitable[Any]] = (
        aiosqlite.Connection._execute
    )  # the one door to its thread

    async def execute(self: aiosqlite.Connection, fn: Callable[..., Any], *a: Any, **k: Any) -> Any:
        if counts.on:
            counts.hops[getattr(fn, "__name__", type(fn).__name__)] += 1
        return await queued(self, fn, *a, **k)

    setattr(aiosqlite.Connection, "_execute", execute)  # noqa: B010 - a private method replaced
    opened: Callable[..., Awaitable[SqliteStateStore]] = SqliteStateStore.open.__func__  # type: ignore[attr-defined]

    async def open_(cls: type[SqliteStateStore], *a: Any, **k: Any) -> SqliteStateStore:
        store = await opened(cls, *a, **k)
        db: Any = store._db._db
        await db._execute(db._conn.set_trace_callback, counts.traced)
        return store

    setattr(SqliteStateStore, "open", classmethod(open_))  # noqa: B010 - counted
    for name in _METHODS:
        setattr(SqliteStateStore, name, _counted(counts, name, getattr(SqliteStateStore, name)))


def _counted(counts: Counts, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def call(*a: Any, **k: Any) -> Any:
        if counts.on:
            counts.calls[name] += 1
        return method(*a, **k)

    return call


async def _counted_sync(invoices: int, intacct: str, released: str, work: str) -> Counts:
    counts = Counts()
    _instrument(counts)
    timed = _engine._timed

    async def only_the_sync(*a: Any, **k: Any) -> dict[str, object]:
        counts.on = True
        try:
            return await timed(*a, **k)
        finally:
            counts.on = False

    setattr(_engine, "_timed", only_the_sync)  # noqa: B010 - only the initial sync counted
    args = _engine.parse(
        [
            "--intacct",
            intacct,
            "--released",
            released,
            "--workdir",
            work,
            "--invoices",
            str(invoices),
        ]
    )
    await _engine.main(args)
    return counts


def _run(coroutine: Coroutine[Any, Any, Counts]) -> Counts:
    return asyncio.run(coroutine)


def main(argv: list[str]) -> dict[str, object]:
    cli = argparse.ArgumentParser(prog="bench/_store_hops.py")
    cli.add_argument("--invoices", type=int, default=2000)
    cli.add_argument("--cpu-runs", type=int, default=1)
    args = cli.parse_args(argv)
    with (
        simulators(released=["--invoices", str(args.invoices)]) as served,
        tempfile.TemporaryDirectory() as work,
    ):
        counts = _run(_counted_sync(args.invoices, served.intacct, served.released, work))
    out: dict[str, object] = {"invoices": args.invoices, **counts.json()}
    cpu = []
    for _ in range(args.cpu_runs):
        initial = engine(args.invoices)["initial"]
        assert isinstance(initial, dict)
        cpu.append(round(float(initial["cpu_s"]) / args.invoices * 1000, 3))
    out["engine_cpu_ms_per_invoice"] = cpu
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(json.dumps(main(sys.argv[1:]), indent=1), flush=True)
