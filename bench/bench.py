"""``make bench``: the sync engine measured through HTTP against both simulators on loopback.

Every measurement runs the engine in a process of its own (``_engine.py``: its peak RSS is its
own) against the two simulators, each in its own process (``_world.py``), all on this machine:

1. initial sync at each size (``BENCH_SIZES``, invoices, default 2,000 and 10,000: contacts 1
   per 10, payments 1 per 2, three lines an invoice): wall time, records per second, requests
   against the minimum, API transactions per record, peak RSS;
2. latency-bound: the initial sync at ``BENCH_LATENCY_SIZE`` (10,000) with the Intacct simulator
   adding 150 ms to every request and admitting 2 at a time (the default ``intacct.concurrency``),
   then 8 (Sage's tier 1 limit per company), the engine's governor set to the same;
   ``BENCH_ONLY=latency`` runs this section alone (``BENCH_ONLY=sizes`` sections 1, 3 and 4
   alone: ``BENCH_ONLY=sizes BENCH_SIZES=10000,100000 make bench`` the larger company), the
   others keeping their figures, and
   ``BENCH_NOTE`` is kept beside its figures in the report (say, that the machine was shared);
3. incremental: at every size, after one settling sync and a first idle night (which reads the
   bulk load once more), 0 and 10 new invoices (and 1,000 at the largest size), a day passing
   before each on both simulators' clocks and the engine's (``_engine.py --gap``): requests
   against the feeds read (an idle run: one request per feed);
4. engine overhead: the engine's CPU per synced invoice against what lxml alone spends parsing
   and building the same Intacct XML (captured in the smallest run);
5. many workers (``_workers.py``): ``BENCH_WORKERS_COMPANIES`` (300) small confirmed companies,
   all due, run once each by 1, 2 and 4 ``released-intacct worker`` processes on one PostgreSQL
   database, with the CPU of every process, and the lease calls' cost per company. Skipped, with
   one line, where PostgreSQL 15 is not installed. ``BENCH_WORKERS_COMPANIES=1000 make bench``
   measures the issue's 1,000 companies (about 12 minutes in all, past the 10 minutes the
   default stays within; with ``BENCH_WORKERS_ONLY=1`` only this section runs, the others
   keeping their figures); ``BENCH_WORKERS_LATENCY_MS`` has the Intacct simulator add that
   much to every request (default 0). Each fleet size and latency keeps its latest figures.
6. many idle companies (``_idle_fleet.py``), only when ``BENCH_IDLE_COMPANIES`` is set (1,000
   for the issue's figure; several minutes, so the default ``make bench`` leaves it out): that
   many small confirmed companies synced once by one worker, then all made due again with
   nothing new and run once more by the same worker: requests to each simulator, Intacct's API
   transactions and the CPU of each process (worker, PostgreSQL, simulators) per company, and
   the pass's wall (target: at most 10 minutes). ``BENCH_IDLE_ONLY=1`` runs only this section,
   the others keeping their figures. Each count of companies keeps its latest figures.
7. against a naive client (``_versus.py``): the official Python SDK writing the same company one
   function per request, serially, at ``BENCH_NAIVE_SIZE`` (200) invoices and scaled, beside the
   engine's initial sync of 1,000 and 2,000 invoices, both at 150 ms of Intacct latency: the
   ratio of their wall times (about 100 s; ``BENCH_NAIVE=0`` leaves it out, keeping its last
   figures).

Sections 1 to 3 run over each API ``BENCH_API`` names (``xml``, ``rest`` or ``both``, the
default): over REST the engine connects with the simulator's OAuth client (client credentials)
to the same company, served by the same simulator (``/ia/api/v1`` beside the XML gateway), at
``BENCH_REST_SIZES`` (default ``BENCH_SIZES``'s: 0 and 10 new invoices after each) and
``BENCH_REST_LATENCY_SIZE`` (default ``BENCH_LATENCY_SIZE``'s), so both APIs are measured on the
same companies; the REST adapter reads a batch's creates back together (one batch GET of up to
500 keys), and its requests are set against REST's own minimum (``minimum``). REST figures go
to ``results["rest"]`` (``initial``, ``latency``, ``sizes``), XML's where they always were.
Sections 4 to 7 are XML's alone (``BENCH_API=rest`` leaves them out, keeping their figures).

Results go to ``bench/results.json`` (each size keeps its latest run, so a run of the default
sizes keeps the 100,000-invoice figures of ``BENCH_SIZES=10000,100000 make bench``, which takes
longer than the 10 minutes the default stays within) and ``docs/benchmarks.md``. Speed is never
asserted by a test.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _baseline import lxml_alone
from _idle_fleet import idle_fleet
from _procs import cpu_of, machine_cpu
from _report import write_report
from _sims import simulators
from _versus import LATENCY_MS, versus
from _workers import many_workers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RELEASED_PAGE, INTACCT_PAGE, BATCH = 500, 1000, 50
REST_PAGE, REST_BATCH = 4000, 500
"""The REST query service's largest page and batch create (``intacct.rest_page_size``,
``intacct.rest_batch_size``; docs/intacct-rest.md sections 5 and 6)."""
APIS = ("xml", "rest")
CHANGES = (0, 10, 1000)
LATENCY_CONCURRENCY = (2, 8)
"""The latency-bound runs' concurrencies: the default ``intacct.concurrency``; Sage's tier 1
limit per company. Intacct's added latency is ``LATENCY_MS`` (150), as against the naive client."""
WORKERS_COMPANIES, WORKER_COUNTS = 300, (1, 2, 4)
Json = dict[str, object]


def engine(
    invoices: int,
    *,
    latency_ms: int = 0,
    concurrency: int = 2,
    changes: str = "",
    capture: str = "",
    profile: str = "",
    trace: str = "",
    watch: str = "",
    api: str = "xml",
) -> Json:
    """One engine process over fresh simulators: what it printed, with ``process_cpu_s``: the
    CPU seconds each process spent over the engine's whole life (onboarding, the syncs; the
    ``engine``, the ``intacct`` and the ``released`` simulator), which share the machine's cores,
    and ``machine_cpu_s``: every core's busy time meanwhile, whoever spent it. ``concurrency``:
    how many requests the Intacct simulator admits at once and the engine's governor sends (its
    ``intacct.concurrency``). ``profile``: a file the engine writes its sync's cProfile
    statistics to (``cpu_profile.py``); ``trace``: one it writes its sync's tracemalloc snapshots to
    (``mem_profile.py``); ``watch``: one it writes its memory looks to. ``api``: the one the
    engine speaks (``xml``, ``rest``)."""
    limits = ["--latency-ms", str(latency_ms), "--concurrency", str(concurrency)]
    with (
        simulators(intacct=limits, released=["--invoices", str(invoices)]) as served,
        tempfile.TemporaryDirectory() as work,
    ):
        intacct, released = served.intacct, served.released
        command = [
            sys.executable, str(HERE / "_engine.py"), "--intacct", intacct, "--released",
            released, "--workdir", work, "--invoices", str(invoices),
            "--concurrency", str(concurrency), "--api", api,
        ]  # fmt: skip
        command += ["--changes", changes] if changes else []
        command += ["--capture", capture] if capture else []
        command += ["--profile", profile] if profile else []
        command += ["--tracemalloc", trace] if trace else []
        command += ["--memwatch", watch] if watch else []
        before = {side: cpu_of(pid) for side, pid in served.pids.items()}
        children = _children_cpu()
        busy = machine_cpu()
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        spent = {side: cpu_of(pid) - before[side] for side, pid in served.pids.items()}
        spent["engine"] = _children_cpu() - children
        busy = machine_cpu() - busy
    if done.returncode != 0:
        msg = f"the engine failed ({done.returncode}):\n{done.stderr[-4000:]}"
        raise RuntimeError(msg)
    result: Json = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_cpu_s"] = spent
    result["machine_cpu_s"] = busy  # every core's busy time meanwhile, whoever spent it
    return result


def _children_cpu() -> float:
    """CPU seconds of the child processes this one has waited for (the engine's, once ended)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def records(invoices: int) -> dict[str, int]:
    return {"contacts": max(1, invoices // 10), "invoices": invoices, "payments": invoices // 2}


def minimum(invoices: int, sync: Json, api: str = "xml") -> dict[str, int]:
    """The fewest requests the sync could have made: every feed it read, read in full pages
    (ceil(records / page size), at least one), every Intacct write in full batches
    (ceil(writes / batch size)); Re-Leased writes cannot be batched (one request each).
    Over XML a batch is 50 functions of any kind; over REST (``rest_minimum``) each object
    read is one page (Intacct holds master data only: at most 4,000 rows), the records
    written to each object and method go 500 to a batch, and one token is requested."""
    if api == "rest":
        return rest_minimum(invoices, sync)
    held = records(invoices)
    by_resource = sync["by_resource"]
    assert isinstance(by_resource, dict)
    released_pages = {k: held[k] for k in ("contacts", "invoices", "payments")}
    reads = 0
    for name in by_resource:
        system, _, rest = str(name).partition(":")
        if system == "released" and rest.startswith("GET:"):
            resource = rest.removeprefix("GET:")
            reads += max(1, math.ceil(released_pages.get(resource, 0) / RELEASED_PAGE))
        elif system == "intacct":
            reads += 1  # the Intacct side holds master data only: one page a feed
    functions = sync["functions"]
    assert isinstance(functions, dict)
    writes = sum(n for f, n in functions.items() if f not in _NOT_WRITES)
    requests = sync["requests"]
    assert isinstance(requests, dict)
    return {
        "reads": reads,
        "intacct_writes": math.ceil(writes / BATCH),
        "released_writes": int(requests.get("released_write", 0)),
    }


def rest_minimum(invoices: int, sync: Json) -> dict[str, int]:
    """``minimum`` over REST: ``functions`` holds the records written by ``<method> <object>``
    (``_rest_tally``), which a batch cannot mix."""
    least = minimum(invoices, {**sync, "functions": {}})
    functions = sync["functions"]
    assert isinstance(functions, dict)
    least["intacct_writes"] = sum(math.ceil(int(n) / REST_BATCH) for n in functions.values())
    least["sessions"] = 1
    return least


_NOT_WRITES = frozenset(
    {"getAPISession", "get_applications", "get_companyprefs", "getFinancialSetup", "readByQuery",
     "readMore", "query", "read", "readByName"}
)  # fmt: skip


def machine() -> Json:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).date().isoformat(),
    }


def main() -> int:
    started = time.perf_counter()
    path = HERE / "results.json"
    results: Json = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    when = machine()
    only_workers = bool(os.environ.get("BENCH_WORKERS_ONLY"))
    only = os.environ.get("BENCH_ONLY", "")
    if only not in ("", "latency", "sizes"):
        msg = f"BENCH_ONLY={only!r}: the sections it can name are 'latency' and 'sizes' (or none)"
        raise SystemExit(msg)
    apis = chosen_apis()
    if only:
        for api in apis:
            (latency_bound if only == "latency" else sizes_only)(results, when, api)
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        write_report(results, ROOT / "docs" / "benchmarks.md")
        print(f"bench: {only} section done in {time.perf_counter() - started:.0f} s", flush=True)
        return 0
    only_idle = bool(os.environ.get("BENCH_IDLE_ONLY"))
    idle_companies = int(os.environ.get("BENCH_IDLE_COMPANIES", "0"))
    if idle_companies:
        idle = idle_fleet(idle_companies)
        if idle is not None:
            idle["machine"] = when
            fleets: dict[str, Json] = dict(results.get("idle_fleet", {}))  # type: ignore[call-overload]
            fleets[str(idle_companies)] = idle
            results["idle_fleet"] = fleets
    only_workers = only_workers or only_idle
    if not only_workers:
        for api in apis:
            single_engine(results, when, api)
        if "xml" in apis and os.environ.get("BENCH_NAIVE", "1") != "0":
            results["naive"] = {
                **versus(lambda n: engine(n, latency_ms=LATENCY_MS)),
                "machine": when,
            }
    companies = int(os.environ.get("BENCH_WORKERS_COMPANIES", str(WORKERS_COMPANIES)))
    latency_ms = int(os.environ.get("BENCH_WORKERS_LATENCY_MS", "0"))
    xml_fleet = not only_idle and "xml" in apis
    fleet = many_workers(companies, WORKER_COUNTS, latency_ms=latency_ms) if xml_fleet else None
    if fleet is not None:
        fleet["machine"] = when
        workers: dict[str, Json] = dict(results.get("workers", {}))  # type: ignore[call-overload]
        workers[f"{companies}" + (f"@{latency_ms}ms" if latency_ms else "")] = fleet
        results["workers"] = dict(
            sorted(
                workers.items(),
                key=lambda item: (item[1].get("latency_ms", 0), item[1]["companies"]),
            )
        )
    took = time.perf_counter() - started
    if not only_workers:
        results["machine"] = when
        results["bench_wall_s"] = took
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_report(results, ROOT / "docs" / "benchmarks.md")
    print(f"bench: done in {took:.0f} s; see docs/benchmarks.md", flush=True)
    return 0


def chosen_apis() -> tuple[str, ...]:
    """The APIs ``BENCH_API`` names: ``xml``, ``rest`` or ``both`` (the default)."""
    named = os.environ.get("BENCH_API", "both")
    if named not in (*APIS, "both"):
        msg = f"BENCH_API={named!r}: name 'xml', 'rest' or 'both' (the default)"
        raise SystemExit(msg)
    return APIS if named == "both" else (named,)


def held(results: Json, api: str) -> Json:
    """Where ``api``'s figures of sections 1 to 3 are kept: XML's at the top (as always),
    REST's under ``rest``."""
    if api == "xml":
        return results
    kept: Json = results.setdefault("rest", {})  # type: ignore[assignment]
    return kept


def single_engine(results: Json, when: Json, api: str = "xml") -> None:
    """Sections 1 to 4 (4 over XML only): one engine process, one company, SQLite."""
    held(results, api)["sizes"] = sizes_only(results, when, api)
    latency_bound(results, when, api)


def sizes_only(results: Json, when: Json, api: str = "xml") -> list[int]:
    """Sections 1, 3 and 4 at each of ``BENCH_SIZES`` (REST: ``BENCH_REST_SIZES``, without
    section 4): the sizes measured."""
    rest = api == "rest"
    named = os.environ.get("BENCH_REST_SIZES") if rest else None
    sizes = [int(s) for s in (named or os.environ.get("BENCH_SIZES", "2000,10000")).split(",")]
    into = held(results, api)
    initial: dict[str, Json] = dict(into.get("initial", {}))  # type: ignore[call-overload]
    with tempfile.TemporaryDirectory() as scratch:
        capture = str(Path(scratch) / "intacct.xml.bin")
        for size in sizes:
            print(f"bench: initial sync of {size:,} invoices over {api} ...", flush=True)
            changes = CHANGES if size == max(sizes) and not rest else CHANGES[:2]
            baseline = size == min(sizes) and not rest
            run = engine(
                size,
                changes=",".join(map(str, changes)),
                capture=capture if baseline else "",
                api=api,
            )
            run["minimum"] = minimum(size, run["initial"], api)  # type: ignore[arg-type]
            run["records"] = records(size)
            run["machine"] = when
            initial[str(size)] = run
            if baseline:
                results["baseline"] = {"invoices": size, **lxml_alone(capture)}
        into["initial"] = dict(sorted(initial.items(), key=lambda item: int(item[0])))
    return sizes


def latency_bound(results: Json, when: Json, api: str = "xml") -> None:
    """Section 2: the initial sync with Intacct's latency, at each of ``LATENCY_CONCURRENCY``
    (``results["latency"]``, REST's ``results["rest"]["latency"]``, by concurrency; each keeps
    its latest figures), at ``BENCH_LATENCY_SIZE`` invoices (REST: ``BENCH_REST_LATENCY_SIZE``)."""
    given = os.environ.get("BENCH_REST_LATENCY_SIZE") if api == "rest" else None
    size = int(given or os.environ.get("BENCH_LATENCY_SIZE", "10000"))
    into = held(results, api)
    kept = into.get("latency", {})
    assert isinstance(kept, dict)
    runs: dict[str, Json] = {} if "initial" in kept else dict(kept)  # one run: an older file
    for concurrency in LATENCY_CONCURRENCY:
        print(
            f"bench: latency-bound sync of {size:,} invoices over {api}, {concurrency} at once",
            flush=True,
        )
        run = engine(size, latency_ms=LATENCY_MS, concurrency=concurrency, api=api)
        run["minimum"] = minimum(size, run["initial"], api)  # type: ignore[arg-type]
        run.update(invoices=size, latency_ms=LATENCY_MS, concurrency=concurrency, machine=when)
        if note := os.environ.get("BENCH_NOTE", ""):
            run["note"] = note
        runs[str(concurrency)] = run
    into["latency"] = dict(sorted(runs.items(), key=lambda item: int(item[0])))


if __name__ == "__main__":
    raise SystemExit(main())
