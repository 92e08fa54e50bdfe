"""Many idle companies (issue 19, deliverable 6): what a nightly run of companies with nothing
new costs one ``released-intacct worker``.

``idle_fleet(companies)`` starts a throwaway PostgreSQL 15 cluster (``fakes.postgres``), both
simulators (each in its own process) and the database holding ``companies`` small confirmed
companies (``fakes.fleet``), then one worker process (``_workers``' settings), which:

1. runs every company's first sync (not measured: it creates what the companies hold);
2. once every company has a finished run, all are made due again (a run requested for each,
   as a nightly slot passing would: the next nightly run is a day away), nothing having
   changed, and the same worker (its process, and so its set-up kept between runs,
   ``intacct.setup_lifetime``, still warm) runs each once more.

The figures are the second pass's: its wall time (from making them due to the last run's end),
the requests each simulator counted (``/_sim/stats``) and Intacct's API transactions, per
company; the CPU seconds of the worker, PostgreSQL (postmaster and backends) and each
simulator, per company; and the checks (two runs a company, every run green). Returns ``None``
(after one line) when PostgreSQL 15 is not installed.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg
from _procs import cpu_of, machine_cpu, tree_cpu
from _sims import Served, simulators
from _workers import _logs, _postmaster, _seed, _stop, _worker

from released_intacct.adapters.state import generate_key
from released_intacct.fakes.fleet import Fleet
from released_intacct.fakes.postgres import Cluster, find

DEADLINE_S = 1200
"""The longest either pass may take: past it the bench fails."""
Json = dict[str, Any]


def idle_fleet(companies: int) -> Json | None:
    found = find()
    if isinstance(found, str):
        print(f"bench: idle companies skipped: {found}", flush=True)
        return None
    cluster = Cluster.start(found)
    try:
        return _measured(cluster, companies)
    finally:
        cluster.stop()


def _measured(cluster: Cluster, companies: int) -> Json:
    key = generate_key().reveal()
    dsn = cluster.database()
    with simulators() as served, _logs(1) as logs:
        _seed(Fleet(companies), dsn, key, served)
        worker = _worker(dsn, key, served, logs[0])
        try:
            print(f"bench: {companies:,} companies' first sync (not measured) ...", flush=True)
            first = time.perf_counter()
            _await_runs(dsn, companies, 1, worker.poll)
            first_s = time.perf_counter() - first
            print(f"bench: {companies:,} idle companies run again ...", flush=True)
            postmaster = _postmaster(cluster)
            before_cpu = {"worker": cpu_of(worker.pid), "postgres": tree_cpu(postmaster)}
            before_cpu |= {side: cpu_of(pid) for side, pid in served.pids.items()}
            before = _counted(served)
            machine = machine_cpu()
            started = time.perf_counter()
            _make_due(dsn)
            _await_runs(dsn, companies, 2, worker.poll)
            wall = time.perf_counter() - started
            machine = machine_cpu() - machine
            after = _counted(served)
            cpu = {"worker": cpu_of(worker.pid), "postgres": tree_cpu(postmaster)}
            cpu |= {side: cpu_of(pid) for side, pid in served.pids.items()}
        finally:
            _stop([worker])
    counted = {k: after[k] - before[k] for k in after}
    return {
        "companies": companies,
        "workers": 1,
        "first_pass_s": first_s,
        "wall_s": wall,
        "requests": counted,
        "cpu_s": {k: cpu[k] - before_cpu[k] for k in cpu},
        "machine_cpu_s": machine,
        **_checks(dsn),
    }


def _counted(served: Served) -> dict[str, int]:
    """Requests each simulator has answered so far, and Intacct's API transactions, in all."""
    with httpx.Client(timeout=60) as http:
        intacct = http.get(f"{served.intacct}/_sim/stats").json()["companies"].values()
        released = http.get(f"{served.released}/_sim/stats").json()["companies"].values()
    return {
        "intacct": sum(int(c["requests"]) for c in intacct),
        "intacct_transactions": sum(int(c["transactions"]) for c in intacct),
        "released": sum(int(c["requests"]) for c in released),
    }


def _make_due(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute("UPDATE connections SET run_requested_at = now()")


def _await_runs(dsn: str, companies: int, runs: int, ended: Any) -> None:
    """Until every company has ``runs`` finished runs (the worker must stay up)."""
    deadline = time.monotonic() + DEADLINE_S
    with psycopg.connect(dsn, autocommit=True) as db:
        while True:
            row = db.execute(
                "SELECT count(*) FROM (SELECT connection FROM runs WHERE finished_at IS NOT NULL"
                " GROUP BY connection HAVING count(*) >= %s) done",
                (runs,),
            ).fetchone()
            done = row[0] if row is not None else 0
            if done >= companies:
                return
            if ended() is not None or time.monotonic() > deadline:
                msg = f"{done} of {companies} companies had {runs} runs when the worker stopped"
                raise RuntimeError(msg)
            time.sleep(0.2)


def _checks(dsn: str) -> Json:
    with psycopg.connect(dsn, autocommit=True) as db:
        statuses: dict[str, int] = dict(
            db.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
        )
        counts = db.execute(
            "SELECT min(n), max(n) FROM (SELECT count(*) n FROM runs GROUP BY connection) per"
        ).fetchone()
    assert counts is not None
    return {
        "statuses": {str(k): int(v) for k, v in statuses.items()},
        "runs_per_company": [int(counts[0]), int(counts[1])],
    }


# --- the report (``_report.py``) --------------------------------------------------------------

WALL_TARGET_S = 600
"""Issue 19: one worker runs the idle fleet in at most 10 minutes on this machine."""


def idle_section(fleets: dict[str, Json]) -> list[str]:
    if not fleets:
        return []
    lines = ["## Many idle companies, one worker", ""]
    for fleet in fleets.values():
        size = int(fleet["companies"])
        machine = fleet["machine"]
        requests, cpu = fleet["requests"], fleet["cpu_s"]
        lines += [
            f"{size:,} small confirmed companies (`fakes/fleet.py`, the companies of the section "
            "above) in one PostgreSQL 15 database and both simulators (no added latency), run by "
            "one `released-intacct worker` (`worker.capacity` 8): every company's first sync "
            f"({fleet['first_pass_s']:.0f} s, not counted), then a run requested for each with "
            "nothing new on either side, run once more by the same process (its set-up kept "
            "between runs, `intacct.setup_lifetime`, still warm). The figures are that second "
            f"pass's ({machine['date']}; {machine['cores']} cores shared with other work, so "
            "the wall is noisy; CPU is each process's own). A nightly run a day later finds the "
            "set-up past its lifetime and reads it all again: the same requests, six API "
            "transactions more a company (`docs/intacct-fidelity.md`, set-up kept between runs).",
            "",
            "| companies | wall (s) | Intacct requests / company | API transactions / company "
            "| Re-Leased requests / company | runs a company | statuses |",
            "|---:|---:|---:|---:|---:|---|---|",
            f"| {size:,} | {fleet['wall_s']:.0f} | {requests['intacct'] / size:.1f} "
            f"| {requests['intacct_transactions'] / size:.1f} | {requests['released'] / size:.1f} "
            f"| {'-'.join(map(str, fleet['runs_per_company']))} "
            f"| {', '.join(f'{k} {v}' for k, v in fleet['statuses'].items())} |",
            "",
            "| CPU ms / company | " + " | ".join(cpu) + " | all of ours | machine |",
            "|---|" + "---:|" * (len(cpu) + 2),
            "| idle pass | "
            + " | ".join(f"{1000 * v / size:.1f}" for v in cpu.values())
            + f" | {1000 * sum(cpu.values()) / size:.1f} "
            f"| {1000 * fleet['machine_cpu_s'] / size:.1f} |",
            "",
            f"Of the machine's {fleet['machine_cpu_s']:.0f} CPU seconds over the pass, ours "
            f"took {sum(cpu.values()):.0f} ({sum(cpu.values()) / fleet['machine_cpu_s']:.0%}); "
            "other work on the machine took the rest. One worker is one Python thread: its own "
            f"{cpu['worker']:.0f} CPU seconds are the floor of its wall on any machine.",
            "",
        ]
    return lines


def idle_verdicts(fleets: dict[str, Json]) -> list[str]:
    rows = []
    for fleet in fleets.values():
        size, wall = int(fleet["companies"]), float(fleet["wall_s"])
        ok = wall <= WALL_TARGET_S and fleet["runs_per_company"] == [2, 2]
        rows.append(
            f"| {size:,} idle companies, one worker: wall ≤ {WALL_TARGET_S // 60} minutes "
            f"| {wall:.0f} s ({1000 * wall / size:.0f} ms a company) "
            f"| {'met' if ok else '**missed**'} |"
        )
    return rows
