"""``docs/benchmarks.md`` from the results of ``bench.py``: the figures, then each target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

Json = dict[str, Any]


def _requests(sync: Json) -> Json:
    r = sync["requests"]
    return {
        "reads": r.get("intacct_read", 0) + r.get("released_read", 0),
        "intacct_writes": r.get("intacct_write", 0),
        "released_writes": r.get("released_write", 0),
        "sessions": r.get("intacct_auth", 0),
    }


def _total(sync: Json) -> int:
    return sum(int(v) for v in sync["requests"].values())


def _rss(run: Json) -> float:
    """The peak RSS of the engine by the end of its initial sync (later syncs not included)."""
    return float(run["initial"].get("peak_rss_mb", run["peak_rss_mb"]))


def _records(run: Json) -> int:
    return sum(run["records"].values())


def _initial_rows(initial: dict[str, Json]) -> list[str]:
    rows = [
        "| invoices | records | wall (s) | records/s | reads (min) | Intacct writes (min) "
        "| Re-Leased writes | sessions | API transactions / record | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, run in initial.items():
        sync, least = run["initial"], run["minimum"]
        made, count = _requests(sync), _records(run)
        rows.append(
            f"| {int(size):,} | {count:,} | {sync['wall_s']:.1f} | {count / sync['wall_s']:,.0f} "
            f"| {made['reads']} ({least['reads']}) | {made['intacct_writes']} "
            f"({least['intacct_writes']}) | {made['released_writes']} | {made['sessions']} "
            f"| {sync['transactions'] / count:.2f} | {_rss(run):.0f} |"
        )
    return rows


def _incremental_rows(run: Json) -> list[str]:
    rows = [
        "| sync | new invoices | requests | reads | writes | wall (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ("settle", "changes_0", "changes_10", "changes_1000"):
        if name not in run:
            continue
        sync = run[name]
        made = _requests(sync)
        label = "settling (the initial sync's echoes)" if name == "settle" else "incremental"
        changes = "-" if name == "settle" else name.removeprefix("changes_")
        rows.append(
            f"| {label} | {changes} | {_total(sync)} | {made['reads']} "
            f"| {made['intacct_writes'] + made['released_writes']} | {sync['wall_s']:.2f} |"
        )
    return rows


def _incremental_run(initial: dict[str, Json]) -> Json | None:
    """The largest company with incremental figures."""
    with_changes = [size for size, run in initial.items() if "changes_0" in run]
    return initial[max(with_changes, key=int)] if with_changes else None


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _targets(results: Json) -> list[str]:
    initial: dict[str, Json] = results["initial"]
    sizes = sorted(initial, key=int)
    small, large = initial[sizes[0]], initial[sizes[-1]]
    rows = ["| target | measured | verdict |", "|---|---|---|"]
    for size in sizes:
        run = initial[size]
        sync, least, made = run["initial"], run["minimum"], _requests(run["initial"])
        rate = _records(run) / sync["wall_s"]
        rows.append(
            f"| {int(size):,} invoices: ≥ 2,000 records/s | {rate:,.0f} records/s "
            f"| {_verdict(rate >= 2000)} |"
        )
        extra = made["reads"] - least["reads"]
        extra += made["intacct_writes"] - least["intacct_writes"]
        rows.append(
            f"| {int(size):,} invoices: requests = the minimum | {extra} reads and Intacct "
            f"writes over the minimum, plus {made['sessions']} session requests "
            f"| {_verdict(extra <= 0)} |"
        )
    if len(sizes) > 1:
        if "10000" in initial and "100000" in initial:
            small, large, sizes = initial["10000"], initial["100000"], ["10000", "100000"]
        ratio = _rss(large) / _rss(small)
        rows.append(
            f"| peak RSS at {int(sizes[-1]):,} within 1.5x of {int(sizes[0]):,} | {ratio:.2f}x "
            f"| {_verdict(ratio <= 1.5)} |"
        )
    latency = results["latency"]
    bound = _total(latency["initial"]) * 0.150 / 2
    wall = latency["initial"]["wall_s"]
    rows.append(
        f"| latency-bound ({latency['invoices']:,}): wall ≤ 1.25x requests × 0.15 s / 2 "
        f"| {wall:.1f} s against {1.25 * bound:.1f} s | {_verdict(wall <= 1.25 * bound)} |"
    )
    incremental = _incremental_run(initial)
    if incremental is not None:
        idle = _total(incremental["changes_0"])
        feeds = len(incremental["changes_0"]["by_resource"])
        rows.append(
            f"| incremental, 0 changes: one request per feed | {idle} requests over {feeds} "
            f"resources | {_verdict(idle <= feeds)} |"
        )
    base = results["baseline"]
    ratio = initial[str(base["invoices"])]["initial"]["cpu_s"] / base["cpu_s"]
    rows.append(
        f"| engine CPU per invoice ≤ 3x lxml alone | {ratio:.1f}x | {_verdict(ratio <= 3)} |"
    )
    return rows


def write_report(results: Json, path: Path) -> None:
    machine = results["machine"]
    initial: dict[str, Json] = results["initial"]
    base = results["baseline"]
    engine_run = initial[str(base["invoices"])]["initial"]
    latency = results["latency"]
    incremental = _incremental_run(initial)
    incremental_size = next(int(k) for k, v in initial.items() if v is incremental)
    dates = sorted({run["machine"]["date"] for run in initial.values()})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/bench.py`); the raw figures are in `bench/results.json`.",
        "Every figure is one run: the engine in its own process, talking HTTP on loopback to both",
        "simulators, each in its own process, all on the machine below.",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GiB, "
        f"{machine['system']}, Python {machine['python']}; measured {', '.join(dates)}. The last "
        f"`make bench` (sizes {', '.join(f'{s:,}' for s in results['sizes'])}) took "
        f"{results['bench_wall_s']:.0f} s.",
        "",
        "The company: Re-Leased holds the invoices (income, approved, three lines each), one",
        "customer contact per 10 invoices and one payment per 2 invoices; Intacct holds the",
        "demo's master data (accounts, tax details, dimensions) and no transactions, with Order",
        "Entry off, so the initial sync creates every contact, invoice and payment in Intacct.",
        "",
        "## Initial sync",
        "",
        *_initial_rows(initial),
        "",
        "Minimums: reads are one page per feed read (Re-Leased 500 records a page, Intacct 1,000),",
        "Intacct writes are ceil(functions / 50). Re-Leased writes (the customer dimension's new",
        "options, lists) have no batch form beyond one write per tracking category.",
        "",
        "## Latency-bound sync",
        "",
        f"{latency['invoices']:,} invoices with the Intacct simulator adding "
        f"{latency['latency_ms']} ms to every request and admitting "
        f"{latency['concurrency']} at a time: "
        f"{_total(latency['initial'])} requests in {latency['initial']['wall_s']:.1f} s "
        f"(the bound requests × 0.15 s / 2 is "
        f"{_total(latency['initial']) * 0.075:.1f} s).",
        "",
        f"## Incremental sync ({incremental_size:,} invoices)",
        "",
        *(_incremental_rows(incremental) if incremental is not None else []),
        "",
        "## Engine overhead",
        "",
        f"The initial sync of {base['invoices']:,} invoices took {engine_run['cpu_s']:.2f} CPU "
        f"seconds in the engine ({engine_run['cpu_s'] / base['invoices'] * 1000:.2f} ms an "
        f"invoice); lxml alone parses its {base['requests']:.0f} Intacct replies and builds its "
        f"requests ({base['bytes'] / 2**20:.1f} MiB of XML) in {base['cpu_s']:.2f} s "
        f"({base['cpu_s'] / base['invoices'] * 1000:.3f} ms an invoice).",
        "",
        "## Targets",
        "",
        *_targets(results),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
