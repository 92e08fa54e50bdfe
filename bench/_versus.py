"""Against a naive client: the same company written by the official SDK serially, and by the engine.

``versus(engine)`` runs the naive client (``_naive.py``, in a process of its own) over fresh
simulators at ``BENCH_NAIVE_SIZE`` invoices (default 200), the Intacct simulator adding 150 ms
to every request, then the engine's initial sync of 1,000 and 2,000 invoices at the same latency
(the simulator admitting 2 requests at a time, as in the latency-bound section). The naive run is
linear in the records it writes (one request each, one at a time), so its figures at 1,000 and
2,000 invoices are scaled from the measured size: its session once, everything else (the
Re-Leased reads and one request per record) times the size over the measured size. With
``BENCH_NAIVE_SIZE=1000`` the 1,000-invoice figure is measured, not scaled (about 4.5 minutes).
``naive_section`` and ``naive_verdicts`` are its lines of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _sims import simulators

HERE = Path(__file__).resolve().parent
LATENCY_MS = 150
SIZES = (1000, 2000)
NAIVE_SIZE = 200
TARGET = 25
Json = dict[str, Any]


def naive_size() -> int:
    """``BENCH_NAIVE_SIZE``: a whole number of invoices, a multiple of 10 (the company has one
    contact per 10 invoices, so only then does every count scale exactly)."""
    raw = os.environ.get("BENCH_NAIVE_SIZE", str(NAIVE_SIZE))
    if not raw.isdigit() or int(raw) < 10 or int(raw) % 10:
        msg = f"BENCH_NAIVE_SIZE must be a whole multiple of 10 invoices, at least 10; got {raw!r}"
        raise SystemExit(msg)
    return int(raw)


def naive(invoices: int) -> Json:
    """One naive client process over fresh simulators at ``LATENCY_MS``: what it printed."""
    with simulators(
        intacct=["--latency-ms", str(LATENCY_MS)], released=["--invoices", str(invoices)]
    ) as served:
        command = [
            sys.executable, str(HERE / "_naive.py"), "--intacct", served.intacct,
            "--released", served.released,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        msg = f"the naive client failed ({done.returncode}):\n{done.stderr[-4000:]}"
        raise RuntimeError(msg)
    result: Json = json.loads(done.stdout.strip().splitlines()[-1])
    if result["simulator"]["functions"] != result["requests"]:
        msg = f"the simulator ran {result['simulator']} for the naive client's {result['requests']}"
        raise RuntimeError(msg)
    return result


def scaled(run: Json, measured: int, size: int) -> dict[str, float]:
    """The naive run's wall, CPU and requests at ``size`` invoices, from its run at ``measured``:
    the session once, the rest in proportion."""
    factor = size / measured
    session = float(run["session_s"])
    return {
        "wall_s": session + (float(run["wall_s"]) - session) * factor,
        "cpu_s": float(run["cpu_s"]) * factor,
        "requests": 1 + (int(run["requests"]) - 1) * factor,
    }


def _written(run: Json) -> dict[str, int]:
    """The invoices and payments the engine's run created in Intacct."""
    counts = run["counts"]
    return {kind: int(counts.get(kind, {}).get("created", 0)) for kind in ("invoice", "payment")}


def _complete(size: int, side: Json) -> bool:
    """The engine wrote every invoice and payment of the company (the naive client's SDK raises
    on any refusal, so it has)."""
    return bool(side["engine"]["written"] == {"invoice": size, "payment": size // 2})


def _bound(found: Json, side: Json) -> float:
    """The engine's latency bound: its Intacct requests times the latency, so many at a time."""
    latency, at_once = int(found["latency_ms"]) / 1000, int(found["concurrency"])
    return int(side["engine"]["intacct_requests"]) * latency / at_once


def versus(engine: Callable[[int], Json]) -> Json:
    """Both sides, measured in this one run; ``engine(n)`` is the engine's run of ``n`` invoices
    at ``LATENCY_MS``."""
    measured = naive_size()
    print(f"bench: naive client (the SDK, serially) at {measured:,} invoices ...", flush=True)
    run = naive(measured)
    sides: dict[str, Json] = {}
    for size in SIZES:
        print(f"bench: engine at {size:,} invoices, {LATENCY_MS} ms, beside it ...", flush=True)
        sync = engine(size)["initial"]
        naive_at = scaled(run, measured, size)
        sides[str(size)] = {
            "naive": {**naive_at, "scaled": size != measured},
            "engine": {
                "wall_s": sync["wall_s"],
                "cpu_s": sync["cpu_s"],
                "requests": sum(int(v) for v in sync["requests"].values()),
                "intacct_requests": sum(
                    int(v) for k, v in sync["requests"].items() if k.startswith("intacct_")
                ),
                "written": _written(sync["run"]),
                "errors": sync["run"]["errors"],
            },
            "ratio": naive_at["wall_s"] / float(sync["wall_s"]),
        }
    return {
        "latency_ms": LATENCY_MS,
        "concurrency": 2,
        "target": TARGET,
        "naive": {"invoices": measured, **run},
        "sizes": sides,
    }


# --- docs/benchmarks.md ------------------------------------------------------------------------


def _rows(found: Json) -> list[str]:
    rows = [
        "| invoices | naive: wall (s) | naive: requests | engine: wall (s) | engine: requests "
        "(Intacct) | engine: latency bound (s) | engine: invoices, payments written "
        "| naive / engine wall |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, side in found["sizes"].items():
        mark = " (scaled)" if side["naive"]["scaled"] else ""
        naive_side, engine_side = side["naive"], side["engine"]
        rows.append(
            f"| {int(size):,} | {naive_side['wall_s']:.0f}{mark} | {naive_side['requests']:,.0f} "
            f"| {engine_side['wall_s']:.1f} | {engine_side['requests']} "
            f"({engine_side['intacct_requests']}) | {_bound(found, side):.1f} "
            f"| {engine_side['written']['invoice']:,}, {engine_side['written']['payment']:,} "
            f"| {side['ratio']:.1f}x |"
        )
    return rows


def naive_section(found: Json | None) -> list[str]:
    if found is None:
        return []
    run = found["naive"]
    records = sum(int(v) for v in run["records"].values())
    per_request = (float(run["wall_s"]) - float(run["session_s"])) / (int(run["requests"]) - 1)
    return [
        "## Against a naive client",
        "",
        "The same company written the way production integrations write it today: the official "
        "Python SDK (`sageintacctsdk` 1.28.1), one function per request, one request at a time, "
        "as Fyle's Intacct integration exports (`bench/_naive.py`): a session, the company read "
        "from Re-Leased, then `customers.post` for each contact, `ar_invoices.post` "
        "(`create_invoice`) for each invoice and `ar_payments.post` (`create` ARPYMT) for each "
        "payment, the three functions the engine sends for the same records. The naive client is "
        "given every advantage: its mappings are known up front (it reads no Intacct master "
        "data), and it reads nothing back after a write (Fyle reads each bill back for its URL, "
        "which would double its requests). Both sides run against the same simulators, the "
        f"Intacct one adding {found['latency_ms']} ms to every request and admitting "
        f"{found['concurrency']} at a time; the engine's side is its initial sync (onboarding "
        f"not counted), in the same `make bench` run ({found['machine']['date']}).",
        "",
        *_rows(found),
        "",
        f"The naive client was measured at {run['invoices']:,} invoices ({records:,} records, "
        f"{run['requests']:,} requests): {run['wall_s']:.1f} s, {run['session_s']:.2f} s of it "
        f"the session, {per_request * 1000:.0f} ms a request, {run['cpu_s']:.1f} s of CPU. It is "
        "linear in the records it writes, so the figures marked scaled take its session once and "
        "the rest (the Re-Leased reads and one request per record) times the size over the "
        f"measured size; `BENCH_NAIVE_SIZE=1000 make bench` measures 1,000 invoices outright "
        "(about 4.5 minutes more). The engine's latency bound is its Intacct requests times "
        f"{found['latency_ms'] / 1000:.2f} s over {found['concurrency']} (the Re-Leased "
        "simulator adds no latency); the naive client's is its requests times "
        f"{found['latency_ms'] / 1000:.2f} s. What keeps the engine above its bound is the time "
        f"it spends with fewer than {found['concurrency']} Intacct requests in flight and its own "
        "CPU; the targets below "
        "give, beside each ratio, the ratio the engine would reach at its bound. Wall times are "
        "of a shared machine: noisy, the ratio with them.",
        "",
    ]


def naive_verdicts(found: Json | None) -> list[str]:
    if found is None:
        return []
    rows = []
    for size, side in found["sizes"].items():
        ok = side["ratio"] >= found["target"] and _complete(int(size), side)
        mark = ", the naive side scaled" if side["naive"]["scaled"] else ""
        bound = _bound(found, side)
        at_bound = float(side["naive"]["wall_s"]) / bound
        rows.append(
            f"| {int(size):,} invoices at {found['latency_ms']} ms: naive client's wall ≥ "
            f"{found['target']}x the engine's{mark} | {side['ratio']:.1f}x (the engine at "
            f"{float(side['engine']['wall_s']) / bound:.2f}x its latency bound; at the bound, "
            f"{at_bound:.0f}x) | {'met' if ok else '**missed**'} |"
        )
    return rows
