"""One confirm at a time across processes (rules O5, C1; finding F4), on one SQLite file.

Each child process (``python -c`` running ``CLAIMER``) opens the store on the shared file, says it
is ready, waits for the word to go, and claims the connection's confirm with its own token; it
prints whether it won. The claim is a compare-and-set inside ``BEGIN IMMEDIATE``, so of children
that claim at once exactly one wins, whatever the scheduling. A child that holds the claim and is
killed (SIGKILL) renews nothing: the parent is refused until the lease has run out, then takes
the confirm over, and the dead child's token can no longer renew or finish it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.onboarding import start_onboarding
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import ConfirmClaim, Connection, Phase
from released_intacct.fakes.awaiting import settled, value

C = ConnectionId("conn-f4")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
_KEY_VARIABLE = "F4_TEST_STATE_KEY"

CLAIMER = f"""
import asyncio, os, sys, time
from datetime import datetime, timedelta
from pathlib import Path

from released_intacct.adapters.state import SqliteStateStore
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled

path, token, folder, hold = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4] == "hold"
at = datetime.fromisoformat("{T0.isoformat()}")


async def main():
    store = await SqliteStateStore.open(Path(path), key=Secret(os.environ["{_KEY_VARIABLE}"]))
    (folder / f"ready-{{token}}").touch()
    while not (folder / "go").exists():
        time.sleep(0.005)
    claimed = await settled(
        store.claim_confirm("{C}", token=token, at=at, lease=timedelta(minutes=5))
    )
    print("won" if claimed.value_or(None) is not None else "refused", flush=True)
    while hold:
        time.sleep(1)  # holds the claim, renewing nothing, until killed
    await store.close()


asyncio.run(main())
"""


async def _prepared(db: Path, key: Secret) -> Connection:
    """A connection ready to confirm (ONBOARDING, dated) in a new store at ``db``."""
    store = await SqliteStateStore.open(db, key=key)
    try:
        new = Connection(
            id=C,
            released_company=ReleasedCompanyId("RL-F4"),
            intacct_company=IntacctCompanyId("INT-F4"),
            entity=None,
            created_at=T0,
        )
        secret = Secret("pw")
        credentials = IntacctCredentials(
            sender_id="s", sender_password=secret, company_id="INT-F4", user_id="u",
            user_password=secret,
        )  # fmt: skip
        await value(store.add_connection(new, credentials))
        dated = replace(new, phase=Phase.ONBOARDING, sync_from=date(2024, 1, 1))
        return await value(store.save_connection(dated))
    finally:
        await store.close()


def _children(
    db: Path, key: Secret, folder: Path, tokens: list[str], *, hold: bool
) -> list[subprocess.Popen[str]]:
    """Children that have opened the store and wait for ``go``."""
    env = {**os.environ, _KEY_VARIABLE: key.reveal()}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(db), token, str(folder), "hold" if hold else "-"],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for token in tokens
    ]
    deadline = time.monotonic() + 120
    while not all((folder / f"ready-{token}").exists() for token in tokens):
        assert time.monotonic() < deadline, "the children did not start"
        assert all(child.poll() is None for child in children), "a child stopped early"
        time.sleep(0.01)
    return children


def test_F4_of_processes_claiming_one_confirm_at_once_exactly_one_wins(tmp_path: Path) -> None:
    db, key = tmp_path / "state.sqlite3", generate_key()
    asyncio.run(_prepared(db, key))
    tokens = [f"process-{n}" for n in range(4)]
    children = _children(db, key, tmp_path, tokens, hold=False)
    (tmp_path / "go").touch()
    said = [child.communicate(timeout=120)[0].strip() for child in children]
    assert [child.returncode for child in children] == [0] * len(tokens)
    assert sorted(said) == ["refused"] * (len(tokens) - 1) + ["won"]
    (winner,) = [token for token, word in zip(tokens, said, strict=True) if word == "won"]

    async def stored() -> Connection | None:
        store = await SqliteStateStore.open(db, key=key)
        try:
            return await value(store.connection(C))
        finally:
            await store.close()

    held = asyncio.run(stored())
    assert held is not None
    assert held.phase is Phase.CONFIRMING
    assert held.confirming == ConfirmClaim(token=winner, since=T0, until=T0 + LEASE)


def test_F4_a_confirm_claimed_by_a_killed_process_is_taken_over_once_its_lease_ran_out(
    tmp_path: Path,
) -> None:
    db, key = tmp_path / "state.sqlite3", generate_key()
    asyncio.run(_prepared(db, key))
    (child,) = _children(db, key, tmp_path, ["doomed"], hold=True)
    (tmp_path / "go").touch()
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "won"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()

    async def after_the_death() -> None:
        store = await SqliteStateStore.open(db, key=key)
        try:
            left = await value(store.connection(C))
            assert left is not None
            assert left.phase is Phase.CONFIRMING
            early = T0 + LEASE - timedelta(seconds=1)
            blocked = await settled(store.claim_confirm(C, token="next", at=early, lease=LEASE))
            assert (blocked.failure().kind, blocked.failure().rule) == (
                ErrorKind.REJECTED,
                Rule.O5,
            )
            at = T0 + LEASE
            taken = await value(store.claim_confirm(C, token="next", at=at, lease=LEASE))
            assert taken.confirming == ConfirmClaim(token="next", since=at, until=at + LEASE)
            stale = await settled(store.renew_confirm(C, token="doomed", at=at, lease=LEASE))
            assert stale.failure().rule is Rule.O5
            done = store.finish_confirm(C, start_onboarding(), token="next", at=at)
            assert (await value(done)).phase is Phase.CONFIRMED
        finally:
            await store.close()

    asyncio.run(after_the_death())
