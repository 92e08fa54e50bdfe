"""A process of its own on the governor's PostgreSQL slots (``adapters.state.pgslots``), for the
tests across processes (``tests/integration/test_postgres_slots.py``).

``python -m released_intacct.fakes.slots_trial hammer DSN COMPANY LIMIT HOLDERS ROUNDS``: opens
the store at ``DSN`` (migrated) and its request slots of ``LIMIT`` per company, says ``ready``,
waits for a line on its input (so that every process starts together), then runs ``HOLDERS``
tasks that each hold one of ``COMPANY``'s slots ``ROUNDS`` times for ``HOLD_SECONDS``. It prints
one JSON line: ``{"holds": [[entered, left], ...], "refused": n}``, the times in
``time.monotonic_ns()`` (on Linux one clock for every process of the machine) taken inside each
hold, so two processes' holds can be laid on one line.

``python -m released_intacct.fakes.slots_trial hold DSN COMPANY EXPIRY``: takes one of
``COMPANY``'s slots, expiring after ``EXPIRY`` seconds, says ``held``, and sleeps until it is
killed: a process that died holding a slot.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import timedelta
from typing import Final

from released_intacct.adapters.state import generate_key
from released_intacct.adapters.state.pgslots import PgSlots
from released_intacct.adapters.state.postgres import PostgresStateStore

__all__ = ["HOLD_SECONDS", "main"]

HOLD_SECONDS: Final = 0.015
_WAIT: Final = 30.0


async def _store(dsn: str) -> PostgresStateStore:
    return await PostgresStateStore.open(dsn, key=generate_key())


async def _hammer(dsn: str, company: str, limit: int, holders: int, rounds: int) -> None:
    store = await _store(dsn)
    slots = store.request_slots(limit=limit, expiry=timedelta(seconds=60), wait=_WAIT)
    holds: list[tuple[int, int]] = []
    refused = 0

    async def holder() -> None:
        nonlocal refused
        for _ in range(rounds):
            async with slots.hold(company) as refusal:
                if refusal is not None:
                    refused += 1
                    continue
                entered = time.monotonic_ns()
                await asyncio.sleep(HOLD_SECONDS)
                holds.append((entered, time.monotonic_ns()))

    try:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await asyncio.gather(*(holder() for _ in range(holders)))
    finally:
        await store.close()
    print(json.dumps({"holds": holds, "refused": refused}), flush=True)


async def _hold(dsn: str, company: str, expiry: float) -> None:
    store = await _store(dsn)
    slots: PgSlots = store.request_slots(limit=1, expiry=timedelta(seconds=expiry), wait=_WAIT)
    async with slots.hold(company) as refusal:
        print("held" if refusal is None else f"refused {refusal}", flush=True)
        await asyncio.sleep(3600)  # until killed


def main(argv: list[str]) -> int:
    match argv:
        case ["hammer", dsn, company, limit, holders, rounds]:
            asyncio.run(_hammer(dsn, company, int(limit), int(holders), int(rounds)))
        case ["hold", dsn, company, expiry]:
            asyncio.run(_hold(dsn, company, float(expiry)))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
