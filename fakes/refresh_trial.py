"""A process of its own spending a connection's refresh token (``StateStore.spend_refresh_token``),
for the test across processes (``tests/integration/test_refresh_token_processes.py``).

``python -m released_intacct.fakes.refresh_trial STORE DATABASE CONNECTION ROUNDS``, the store's
key in the environment variable ``REFRESH_TRIAL_KEY`` (never on a command line): opens the store
(``sqlite``: a file; ``postgres``: the DSN of a migrated database), says ``ready``,
waits for a line on its input (so that every process starts together), then spends the token
``ROUNDS`` times as Intacct would rotate it: ``rt-N`` is answered, after ``SPEND_SECONDS``, by
``rt-N+1``. It prints one JSON line: the ``N`` of every token it spent.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.state.postgres import PostgresStateStore
from released_intacct.adapters.state.sqlite import SqliteStateStore
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled

__all__ = ["KEY_VARIABLE", "SPEND_SECONDS", "main", "next_token"]

KEY_VARIABLE: Final = "REFRESH_TRIAL_KEY"
SPEND_SECONDS: Final = 0.01


async def next_token(token: Secret) -> Result[tuple[Secret, int], SyncError]:
    """Intacct's answer to ``rt-N``: ``rt-N+1``; the value is ``N``."""
    number = int(token.reveal().removeprefix("rt-"))
    await asyncio.sleep(SPEND_SECONDS)
    return Success((Secret(f"rt-{number + 1}"), number))


async def _spend(kind: str, database: str, connection: ConnectionId, rounds: int) -> list[int]:
    key = Secret(os.environ[KEY_VARIABLE])
    if kind == "postgres":
        store: PostgresStateStore | SqliteStateStore = await PostgresStateStore.open(
            database, key=key
        )
    else:
        store = await SqliteStateStore.open(Path(database), key=key)
    spent: list[int] = []
    try:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        for _ in range(rounds):
            outcome = await settled(store.spend_refresh_token(connection, next_token))
            if isinstance(outcome, Failure):
                raise SystemExit(str(outcome.failure()))
            spent.append(outcome.unwrap())
    finally:
        await store.close()
    return spent


def main(argv: list[str]) -> None:
    kind, database, connection, rounds = argv
    print(json.dumps(asyncio.run(_spend(kind, database, ConnectionId(connection), int(rounds)))))


if __name__ == "__main__":
    main(sys.argv[1:])
