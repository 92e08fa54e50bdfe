"""Many workers on one PostgreSQL database (issue 17): the time 1, 2 and 4 ``released-intacct
worker`` processes take to run every company of a fleet once, and what the leases cost.

``many_workers(companies, counts)`` starts a throwaway PostgreSQL 15 cluster
(``fakes.postgres``, with ``pg_stat_statements`` loaded) and, for each count of workers:

1. a fresh database holding ``companies`` small confirmed companies, all due (never run), and
   both simulators, each in its own process, holding the same companies (``fakes.fleet``), the
   Intacct one adding ``latency_ms`` to every request (0: none);
2. that many ``released-intacct worker`` processes started at once (``worker.capacity`` 8,
   ``sync.stale_after`` 30 s, so each renews its leases every 10 s), until every company has a
   finished run (read from the ``runs`` table every 0.2 s); then SIGTERM;
3. the figures: the wall time from the start of the processes, the span from the first run's
   start to the last run's end (the throughput's denominator: start-up excluded), the CPU
   seconds of each process over the wall time (each worker, each simulator, PostgreSQL's
   postmaster and backends: ``_procs``), the statements PostgreSQL ran (``pg_stat_statements``:
   calls and server time of the claim, renew and hand-back statements, and of all), and the
   checks: each company ran exactly once, every run green, how many companies each worker ran.

Then the lease calls alone (``_leases.py``) over the last database, its companies made due by
the moment the calls give: one process, then four at once, each claiming 8, renewing, handing
back each; each call timed through the store's API. Returns ``None`` (after one line) when
PostgreSQL 15 is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from _procs import cpu_of, machine_cpu, tree_cpu
from _sims import Served, simulators

from released_intacct.adapters.state import generate_key
from released_intacct.adapters.state.postgres import PostgresStateStore
from released_intacct.domain.secret import Secret
from released_intacct.fakes.fleet import API_KEY, Fleet, empty_simulators
from released_intacct.fakes.postgres import Cluster, find, url_of
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH

HERE = Path(__file__).resolve().parent
CAPACITY, TTL_S, POLL_S = 8, 30, 1
DEADLINE_S = 600
"""The longest one count of workers may take to run every company: past it the bench fails."""
Json = dict[str, Any]
STATEMENTS = {
    "claim": ("UPDATE connections SET leased_by", "FOR UPDATE SKIP LOCKED"),
    "renew": ("UPDATE connections SET lease_until", "WHERE leased_by"),
    "release": ("UPDATE connections SET leased_by", "next_run_at = "),
}
"""The lease statements (``pgleases``): the start of their text in ``pg_stat_statements``, and a
part of it no other statement of that start has."""


def many_workers(companies: int, counts: Sequence[int], *, latency_ms: int = 0) -> Json | None:
    found = find()
    if isinstance(found, str):
        print(f"bench: many workers skipped: {found}", flush=True)
        return None
    cluster = Cluster.start(found, settings={"shared_preload_libraries": "pg_stat_statements"})
    try:
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            admin.execute("CREATE EXTENSION pg_stat_statements")
        out: Json = {
            "companies": companies,
            "latency_ms": latency_ms,
            "capacity": CAPACITY,
            "ttl_s": TTL_S,
            "runs": {},
        }
        key = generate_key().reveal()
        dsn = ""
        for count in counts:
            print(f"bench: {companies:,} companies over {count} worker(s) ...", flush=True)
            dsn = cluster.database()
            out["runs"][str(count)] = _one(
                cluster, dsn, key, companies, count, latency_ms=latency_ms
            )
        print("bench: the lease calls alone ...", flush=True)
        out["leases"] = _lease_calls(dsn, key, companies)
        return out
    finally:
        cluster.stop()


def _one(
    cluster: Cluster, dsn: str, key: str, companies: int, count: int, *, latency_ms: int
) -> Json:
    fleet = Fleet(companies)
    intacct = ["--latency-ms", str(latency_ms)]
    with simulators(intacct=intacct) as served, _logs(count) as logs:
        seeding = time.perf_counter()
        _seed(fleet, dsn, key, served)
        seeded = time.perf_counter() - seeding
        _reset_statements(cluster)
        postmaster = _postmaster(cluster)
        before = {"postgres": tree_cpu(postmaster)} | {
            side: cpu_of(pid) for side, pid in served.pids.items()
        }
        machine = machine_cpu()
        started = time.perf_counter()
        workers = [_worker(dsn, key, served, log) for log in logs]
        try:
            _await_all_run(dsn, companies, workers, logs)
            wall = time.perf_counter() - started
            machine = machine_cpu() - machine
            cpu = {f"worker {n + 1}": cpu_of(w.pid) for n, w in enumerate(workers)}
            cpu["postgres"] = tree_cpu(postmaster) - before["postgres"]
            cpu |= {side: cpu_of(pid) - before[side] for side, pid in served.pids.items()}
        finally:
            _stop(workers)
        statements = _statements(cluster, dsn)
        events = _events(logs)
    checks = _checks(dsn)
    return {
        "workers": count,
        "seed_s": seeded,
        "wall_s": wall,
        **checks,
        "cpu_s": cpu,
        "machine_cpu_s": machine,
        "statements": statements,
        "events": events,
    }


def _seed(fleet: Fleet, dsn: str, key: str, served: Served) -> None:
    """The fleet in both simulators (emptied first) and in the database (migrated here)."""
    with httpx.Client(timeout=60) as http:
        empty_simulators(http, served.intacct, served.released)
        fleet.seed_simulators(http, served.intacct, served.released)

    async def store() -> None:
        opened = await PostgresStateStore.open(url_of(dsn), key=Secret(key), migrate=True)
        try:
            await fleet.seed_store(opened, at=datetime.now(UTC))
        finally:
            await opened.close()

    asyncio.run(store())


@contextmanager
def _logs(count: int) -> Iterator[list[Path]]:
    with tempfile.TemporaryDirectory() as folder:
        yield [Path(folder) / f"worker-{n}.log" for n in range(count)]


def _worker(dsn: str, key: str, served: Served, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RELEASED_INTACCT_DATABASE": url_of(dsn),
        "RELEASED_INTACCT_ENCRYPTION_KEY": key,
        "RELEASED_INTACCT_INTACCT_ENDPOINT": f"{served.intacct}{GATEWAY_PATH}",
        "RELEASED_INTACCT_RELEASED_BASE_URL": served.released,
        "RELEASED_INTACCT_RELEASED_API_KEY": API_KEY,
        "RELEASED_INTACCT_SYNC_STALE_AFTER": str(TTL_S),
        "RELEASED_INTACCT_WORKER_CAPACITY": str(CAPACITY),
        "RELEASED_INTACCT_WORKER_POLL": str(POLL_S),
    }
    command = [str(Path(sys.executable).parent / "released-intacct"), "worker"]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def _await_all_run(
    dsn: str, companies: int, workers: Sequence[subprocess.Popen[bytes]], logs: Sequence[Path]
) -> None:
    deadline = time.monotonic() + DEADLINE_S
    with psycopg.connect(dsn, autocommit=True) as db:
        while True:
            row = db.execute(
                "SELECT count(DISTINCT connection) FROM runs WHERE finished_at IS NOT NULL"
            ).fetchone()
            if row is not None and row[0] >= companies:
                return
            died = [n for n, w in enumerate(workers) if w.poll() is not None]
            if died or time.monotonic() > deadline:
                tail = logs[died[0] if died else 0].read_text(errors="replace")[-3000:]
                why = f"worker {died[0] + 1} ended" if died else f"not done in {DEADLINE_S} s"
                msg = f"{why} with {row[0] if row else 0} of {companies} run:\n{tail}"
                raise RuntimeError(msg)
            time.sleep(0.2)


def _stop(workers: Sequence[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _events(logs: Sequence[Path]) -> dict[str, int]:
    """How many lines of each ``event=`` the workers logged (warnings: none expected)."""
    found: Counter[str] = Counter()
    for log in logs:
        found.update(re.findall(r"event=(\w+)", log.read_text(errors="replace")))
    return dict(found)


def _postmaster(cluster: Cluster) -> int:
    return int((cluster.folder / "data" / "postmaster.pid").read_text().split()[0])


def _reset_statements(cluster: Cluster) -> None:
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        admin.execute("SELECT pg_stat_statements_reset()")


def _statements(cluster: Cluster, dsn: str) -> Json:
    """Calls and server milliseconds of the lease statements, and of every statement, run in
    the database of ``dsn`` since the reset (the workers' and the bench's polling apart)."""
    name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        found = admin.execute(
            "SELECT query, calls, total_exec_time FROM pg_stat_statements s"
            " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s",
            (name,),
        ).fetchall()
    polling = "SELECT count(DISTINCT connection) FROM runs"
    rows = [(str(q), int(c), float(ms)) for q, c, ms in found if not str(q).startswith(polling)]
    out: Json = {}
    for kind, (start, part) in STATEMENTS.items():
        mine = [(c, ms) for q, c, ms in rows if q.startswith(start) and part in q]
        out[kind] = {"calls": sum(c for c, _ in mine), "ms": sum(ms for _, ms in mine)}
    out["all"] = {"calls": sum(c for _, c, _ in rows), "ms": sum(ms for _, _, ms in rows)}
    out["top"] = [
        {"query": " ".join(q.split())[:100], "calls": c, "ms": ms}
        for q, c, ms in sorted(rows, key=lambda row: -row[1])[:40]
    ]
    return out


def _checks(dsn: str) -> Json:
    """Runs per company (each must have exactly one), their statuses, companies per worker, and
    the span from the first run's start to the last one's end."""
    with psycopg.connect(dsn, autocommit=True) as db:
        per_company = db.execute("SELECT count(*), count(DISTINCT connection) FROM runs").fetchone()
        statuses: dict[str, int] = dict(
            db.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
        )
        holders = [n for (n,) in db.execute(
            "SELECT count(*) FROM runs GROUP BY holder ORDER BY count(*) DESC"
        ).fetchall()]  # fmt: skip
        span = db.execute(
            "SELECT extract(epoch FROM max(finished_at) - min(started_at)),"
            " extract(epoch FROM avg(finished_at - started_at)) FROM runs"
        ).fetchone()
    assert per_company is not None
    assert span is not None
    return {
        "runs": int(per_company[0]),
        "companies_run": int(per_company[1]),
        "statuses": {str(k): int(v) for k, v in statuses.items()},
        "per_worker": holders,
        "span_s": float(span[0]),
        "mean_run_s": float(span[1]),
    }


def _lease_calls(dsn: str, key: str, companies: int) -> Json:
    """The claim, renew and hand-back calls alone, by one process then by four at once."""
    out: Json = {}
    at = datetime.now(UTC) + timedelta(days=3)  # past every company's next nightly run
    for count in (1, 4):
        env = {**os.environ, "RELEASED_INTACCT_ENCRYPTION_KEY": key}
        command = [sys.executable, str(HERE / "_leases.py"), "--database", url_of(dsn),
                   "--capacity", str(CAPACITY), "--at", at.isoformat()]  # fmt: skip
        started = time.perf_counter()
        running = [
            subprocess.Popen(  # noqa: S603 - our own script
                [*command, "--worker", f"bench/{n}"], env=env, stdout=subprocess.PIPE, text=True
            )
            for n in range(count)
        ]
        outputs = [process.communicate()[0] for process in running]
        wall = time.perf_counter() - started
        if any(process.returncode for process in running):
            msg = f"the lease calls failed: {outputs}"
            raise RuntimeError(msg)
        parts = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
        merged = {
            kind: {k: sum(p[kind][k] for p in parts) for k in ("calls", "seconds", "companies")}
            for kind in ("claim", "renew", "release")
        }
        assert merged["claim"]["companies"] == companies, merged
        out[str(count)] = {"processes": count, "wall_s": wall, **merged}
        at += timedelta(days=11)  # past the hand-backs' next run (ten days on)
    return out
