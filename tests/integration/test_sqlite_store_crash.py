"""A process killed (SIGKILL) while writing state always reopens to a consistent store.

A child process (``python -c`` running ``WRITER``) opens the store and writes in a loop, each
round through the store's own methods, each call one transaction:

1. ``save_links``: ``N`` contact links of the round's batch;
2. ``record_intents``: ``M`` intents of the batch;
3. ``settle``: the batch's first intent CONFIRMED together with an invoice link named by the batch;
4. ``start_run`` at the batch's moment, ``record_results`` of ``K`` errors at that moment,
   ``finish_run`` (FAILED, counts ``K``), ``advance_cursor`` to the moment.

It is killed at a random moment. Reopening (which re-runs the migrations: a no-op) must show every
transaction whole or absent, and in order: each batch has all ``N`` links or none, all ``M`` intents
or none (and intents only after its links), a confirmed intent exactly when its link is there, a
finished run only with all its results, at most one open run, and SQLite's own integrity and
foreign-key checks clean. The next child finishes a run left open, as the service would.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.adapters.state.schema import MIGRATIONS
from released_intacct.domain.enums import RecordType
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value

N, M, K = 5, 3, 4
CONN = ConnectionId("crash")

WRITER = f"""
import asyncio, sys, uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from released_intacct.adapters.state import SqliteStateStore
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import ContactRole, Direction, RecordType, System
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId, IdempotencyKey, IntacctCompanyId, IntacctId, IntacctKey, ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.intacct import Party
from released_intacct.domain.links import Link
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.results import RunCounts, RunStatus
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection, Cursor, Intent, IntentState
from released_intacct.fakes.awaiting import value

N, M, K = {N}, {M}, {K}
C = ConnectionId("{CONN}")


def link(record_type, rid, key):
    return Link(record_type=record_type, released_id=ReleasedId(rid), intacct_key=IntacctKey(key),
                origin=System.RELEASED)


def error(batch, j):
    ref = RecordRef(record_type=RecordType.INVOICE, direction=Direction.OUTGOING,
                    released_id=ReleasedId(f"{{batch}}-r{{j}}"))
    return SyncError(kind=ErrorKind.REJECTED, rule=Rule.D10, message="m", fix="f", record=ref)


async def setup(store):
    if await value(store.connection(C)) is None:
        creds = IntacctCredentials(sender_id="s", sender_password=Secret("sp"), company_id="I",
                                   user_id="u", user_password=Secret("up"))
        conn = Connection(id=C, released_company=ReleasedCompanyId("RL"),
                          intacct_company=IntacctCompanyId("INT"), created_at=datetime.now(UTC))
        await value(store.add_connection(conn, creds))
    for run in await value(store.runs(C, limit=1000)):
        if not run.status.finished:
            done = replace(run, status=RunStatus.FAILED, finished_at=datetime.now(UTC))
            await value(store.finish_run(done))


async def round_(store):
    batch, at = uuid.uuid4().hex[:12], datetime.now(UTC)
    links = [link(RecordType.CONTACT, f"{{batch}}-{{j}}", f"K{{batch}}-{{j}}") for j in range(N)]
    await value(store.save_links(C, links))
    party = Party(role=ContactRole.CUSTOMER, party_id=IntacctId(batch), name="P")
    intents = [Intent(connection=C, key=IdempotencyKey(f"{{batch}}-{{j}}"),
                      action=CreateInIntacct(key=IdempotencyKey(f"{{batch}}-{{j}}"),
                                             record_type=RecordType.CONTACT,
                                             released_id=ReleasedId(batch), record=party,
                                             source_fingerprint="fp"))
               for j in range(M)]
    await value(store.record_intents(intents))
    await value(store.settle(C, IdempotencyKey(f"{{batch}}-0"), state=IntentState.CONFIRMED,
                             link=link(RecordType.INVOICE, batch, f"S{{batch}}")))
    run = await value(store.start_run(C, at=at))
    await value(store.record_results(C, [error(batch, j) for j in range(K)], at=at))
    counts = RunCounts().add(RecordType.INVOICE, failed=K)
    await value(store.finish_run(replace(run, status=RunStatus.FAILED, finished_at=at,
                                         counts=counts, errors=K)))
    await value(store.advance_cursor(C, Cursor(feed="invoices", position=at), run_started=at))


async def main(path, key):
    store = await SqliteStateStore.open(Path(path), key=Secret(key))
    await setup(store)
    print("ready", flush=True)
    while True:
        await round_(store)


asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def _kill_once(db: Path, key: Secret, rng: random.Random) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), key.reveal()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == b"ready\n", child.stderr.read() if child.stderr else line
        time.sleep(rng.uniform(0.02, 0.4))
        assert child.poll() is None, child.stderr.read() if child.stderr else "child ended"
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()
    assert child.returncode == -signal.SIGKILL


def _batches(values: list[str]) -> Counter[str]:
    return Counter(value.rsplit("-", 1)[0] for value in values)


def _check_rows(raw: sqlite3.Connection) -> tuple[int, bool]:
    """Every transaction whole or absent, and in order; the number of rounds begun, and whether
    the kill left the last round part done (some of its transactions in, the rest not)."""
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    versions = [row[0] for row in raw.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    contacts = _batches(
        [r for (r,) in raw.execute("SELECT released_id FROM links WHERE record_type = 'contact'")]
    )
    intents = _batches([k for (k,) in raw.execute("SELECT key FROM outbox")])
    assert set(contacts.values()) <= {N}
    assert set(intents.values()) <= {M}
    assert set(intents) <= set(contacts)
    settled = {
        k.rsplit("-", 1)[0]
        for (k,) in raw.execute("SELECT key FROM outbox WHERE state = 'confirmed'")
    }
    invoices = {
        r for (r,) in raw.execute("SELECT released_id FROM links WHERE record_type = 'invoice'")
    }
    assert settled == invoices
    assert settled <= set(intents)
    return len(contacts), set(contacts) != settled


def _check_runs(raw: sqlite3.Connection) -> None:
    results = Counter(t for (t,) in raw.execute("SELECT last_seen FROM results"))
    assert set(results.values()) <= {K}
    runs = raw.execute(
        "SELECT status, finished_at, counts, errors, started_at FROM runs"
    ).fetchall()
    assert sum(1 for status, *_ in runs if status == "running") <= 1
    for status, finished_at, counts, errors, started_at in runs:
        if status == "running":
            assert finished_at is None
            continue
        assert status == "failed"
        assert finished_at is not None
        if errors == K:  # a round's run: finished only after all its results
            assert json.loads(counts) == [
                ["invoice", {"created": 0, "updated": 0, "skipped": 0, "failed": K}]
            ]
            assert results[started_at] == K


async def _reopen(db: Path, key: Secret) -> int:
    store = await SqliteStateStore.open(db, key=key)  # re-runs the migrations
    try:
        links = await value(store.links(CONN, RecordType.CONTACT))
        for intent in await value(store.open_intents(CONN)):
            assert intent.action.record.name == "P"  # type: ignore[union-attr]
        await value(store.runs(CONN, limit=1000))
        return len(links)
    finally:
        await store.close()


def _crash(tmp_path: Path, kills: int) -> int:
    """Kill a writer ``kills`` times, checking the store after each; how many kills left a round
    part done (the interesting ones)."""
    db, key = tmp_path / "state.sqlite3", generate_key()
    rng = random.Random(kills)
    rounds, part_done = [], 0
    for _ in range(kills):
        _kill_once(db, key, rng)
        linked = asyncio.run(_reopen(db, key))
        with sqlite3.connect(db) as raw:
            begun, partial = _check_rows(raw)
            _check_runs(raw)
        assert linked == begun * N
        rounds.append(begun)
        part_done += partial
    assert rounds[-1] > 0  # the children did write
    assert rounds == sorted(rounds)  # and nothing committed was lost
    return part_done


def test_a_killed_writer_leaves_a_consistent_store(tmp_path: Path) -> None:
    _crash(tmp_path, kills=5)


@pytest.mark.slow
def test_a_writer_killed_100_times_leaves_a_consistent_store(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if "slow" not in str(request.config.getoption("markexpr", default="")):
        pytest.skip("100 kills take over a minute: run with -m slow (make crash-test)")
    assert _crash(tmp_path, kills=100) > 0
