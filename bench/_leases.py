"""The lease calls alone, timed through the store's own API: one worker's claim, renew, settle
loop over a PostgreSQL database whose companies are all due, with no sync between.

    RELEASED_INTACCT_ENCRYPTION_KEY=KEY python bench/_leases.py --database URL --worker NAME
                                                                 --capacity 8 --at ISO

As a worker does: ``claim_due(worker, capacity)``, ``renew_leases(worker)`` once over what it
holds, then ``release_lease`` of each company (due again ten days after ``--at``, the request
answered), until a claim finds nothing. ``--at`` is the moment of every call: pick one at which
every company is due. Each call is timed around the awaited store call (the pool's checkout,
the transaction and its round trips included). Prints one JSON object: calls, seconds and
companies for each of the three.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from returns.io import IOResult
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.state.postgres import PostgresStateStore
from released_intacct.domain.errors import SyncError
from released_intacct.domain.secret import Secret

T = TypeVar("T")
TTL = timedelta(seconds=30)


class Timer:
    def __init__(self) -> None:
        self.calls, self.seconds, self.companies = 0, 0.0, 0

    async def time(self, call: Awaitable[IOResult[T, SyncError]]) -> T:
        started = time.perf_counter()
        outcome = await call
        self.seconds += time.perf_counter() - started
        self.calls += 1
        return unsafe_perform_io(outcome.unwrap())

    def json(self) -> dict[str, float]:
        return {"calls": self.calls, "seconds": self.seconds, "companies": self.companies}


async def main(args: argparse.Namespace) -> dict[str, object]:
    at = datetime.fromisoformat(args.at)
    later = at + timedelta(days=10)
    key = Secret(os.environ["RELEASED_INTACCT_ENCRYPTION_KEY"])
    store = await PostgresStateStore.open(args.database, key=key)
    claim, renew, release = Timer(), Timer(), Timer()
    try:
        while True:
            leases = await claim.time(store.claim_due(args.worker, args.capacity, at=at, ttl=TTL))
            if not leases:
                break
            claim.companies += len(leases)
            renew.companies += await renew.time(store.renew_leases(args.worker, at=at, ttl=TTL))
            for lease in leases:
                await release.time(
                    store.release_lease(
                        args.worker, lease.connection, next_run_at=later, ran_from=at
                    )
                )
                release.companies += 1
    finally:
        await store.close()
    return {"claim": claim.json(), "renew": renew.json(), "release": release.json()}


def parse(argv: Sequence[str]) -> argparse.Namespace:
    cli = argparse.ArgumentParser(prog="bench/_leases.py")
    cli.add_argument("--database", required=True)
    cli.add_argument("--worker", required=True)
    cli.add_argument("--capacity", type=int, required=True)
    cli.add_argument("--at", required=True)
    return cli.parse_args(argv)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse(sys.argv[1:])))), flush=True)
