"""The engine under measurement, in a process of its own (so its peak RSS is its own).

    python bench/_engine.py --intacct URL --released URL --workdir DIR [--capture FILE]
                            [--changes 0,10,1000] [--concurrency 2] [--api xml|rest]

Onboards ``RL-DEMO`` with ``DEMO`` at entity E100, over the XML gateway or (``--api rest``) the
REST API with the simulator's OAuth client (``DEMO_OAUTH``, client credentials; requests counted
by ``_rest_tally``) (lists auto-matched or archived, every contact
created in Intacct as a customer), confirms, and times the initial sync that confirm starts. With
``--changes``, it then runs one sync to settle (the initial sync's own writes come back as echoes)
and, for each count, adds that many approved invoices in Re-Leased and times the next sync. Time
passes between those syncs as between nightly runs: before each, both simulators' clocks and the
engine's move ``--gap`` seconds (a day) forward (``advance``), past the overlap window. A feed that
read something new keeps its newest stamp as its cursor, so the first idle night after the bulk
load (``first_night``, timed too) reads the load once more; the counts' syncs come after it.
It prints one JSON object: each sync's wall time, CPU time, requests by side and kind, functions
sent, results, and the process's peak RSS (the initial sync's own: the high-water mark is
started again once onboarding is done, whose peak is ``before_initial_rss_mb``; what onboarding
left resident still counts). ``--capture`` keeps every Intacct request and reply
body of the initial sync (for the lxml-alone comparison) in a file, length-prefixed.
``--profile`` keeps a cProfile of the initial sync alone (``bench/cpu_profile.py`` reads it).
``--tracemalloc`` traces the initial sync's allocations (off by default: tracing slows the engine
and adds its own memory) and keeps them in a file: the snapshot taken when the traced memory was
highest, the one at the end, and the traced peak (``bench/mem_profile.py`` reads it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import ctypes
import gc
import json
import pickle
import re
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import httpx
from _rest_tally import RestCall, rest_call
from _world import FIRST_DAY, contact_id, invoices
from returns.pipeline import is_successful

from released_intacct.adapters.clock import SystemClock
from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.bootstrap import Clients, build_service
from released_intacct.app.decisions import CreateAs, Decisions, Leftover, apply_decisions
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings
from released_intacct.domain.enums import ContactRole
from released_intacct.domain.ids import ConnectionId, EntityId, ReleasedId
from released_intacct.domain.matching import Step
from released_intacct.domain.rules.prerequisites import Status
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import ResultFilter, Run
from released_intacct.fakes.demo_pair import DEMO, DEMO_OAUTH, RL_DEMO
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH, REST_PREFIX
from released_intacct.fakes.simulators.released import seed as released_seed

SYNC_FROM = FIRST_DAY.replace(day=1)
_FUNCTION = re.compile(rb"<function\b[^>]*>\s*<([A-Za-z_]+)")
_OBJECT = re.compile(rb"<object>\s*([A-Za-z_]+)\s*</object>")
READS = frozenset({"readByQuery", "readMore", "query", "read", "readByName", "readReport"})
AUTH = frozenset({"getAPISession"})
SETUP = frozenset({"getFinancialSetup", "get_applications", "get_companyprefs"})
"""Set-up reads (the company's preferences, its modules): counted as reads, in no feed."""
_CURSOR = re.compile(rb"WHENMODIFIED &gt;=|<field>ACCESSTIME</field>")
"""A page of an Intacct change feed: read since a cursor (the audit trail by ACCESSTIME)."""


@dataclass
class Tally:
    """Requests by side and kind, Intacct functions sent by name, and captured bodies."""

    requests: Counter[str] = field(default_factory=Counter)
    functions: Counter[str] = field(default_factory=Counter)
    feeds: Counter[str] = field(default_factory=Counter)
    """Requests by system and resource (Intacct: the object read)."""
    cursors: Counter[str] = field(default_factory=Counter)
    """The change feeds read: Intacct's pages filtered on a cursor, by object (a feed's first
    page; ``readMore`` pages carry no filter, the audit trail's pages by offset do, and it holds
    one feed a record type); Re-Leased resources read (one feed each)."""
    capture: BinaryIO | None = None
    concurrency: int = 2
    """The Intacct requests the engine may have in flight (its ``intacct.concurrency``)."""
    in_flight: int = 0
    idle: float = 0.0
    """Slot-seconds of Intacct's line left unused: the time integral of (concurrency - requests
    in flight) / concurrency since ``reset``; wall - idle is the time the line was full."""
    since: float = field(default_factory=time.perf_counter)

    def flight(self, change: int) -> None:
        now = time.perf_counter()
        free = max(0, self.concurrency - self.in_flight)
        self.idle += (now - self.since) * free / self.concurrency
        self.since, self.in_flight = now, self.in_flight + change

    def snapshot(self) -> dict[str, object]:
        self.flight(0)
        return {
            "requests": dict(self.requests),
            "functions": dict(self.functions),
            "by_resource": dict(sorted(self.feeds.items())),
            "intacct_idle_s": self.idle,
            "feeds": dict(sorted(self.cursors.items())),
        }

    def rest(self, call: RestCall) -> None:
        """A request to the REST API: by kind; a read by object (a cursored query is a feed's
        page); a write's records by method and object (``functions``)."""
        self.requests[f"intacct_{call.kind}"] += 1
        if call.kind == "read":
            self.feeds[f"intacct:{call.resource}"] += 1
            if call.cursored:
                self.cursors[f"intacct:{call.resource}"] += 1
        elif call.kind == "write":
            self.functions[call.resource] += call.records

    def reset(self) -> None:
        self.requests.clear()
        self.functions.clear()
        self.feeds.clear()
        self.flight(0)
        self.idle = 0.0
        self.cursors.clear()


class Counting(httpx.AsyncBaseTransport):
    """Counts every request (and keeps Intacct's bodies when capturing) on its way through."""

    def __init__(self, tally: Tally) -> None:
        self._inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=8))
        self._tally = tally

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        tally = self._tally
        path = request.url.path
        if path.startswith(REST_PREFIX):
            tally.rest(rest_call(request.method, path.removeprefix(REST_PREFIX), request.content))
        elif path == GATEWAY_PATH:
            names = [m.decode() for m in _FUNCTION.findall(request.content)]
            tally.functions.update(names)
            called = set(names)
            kind = (
                "auth" if called <= AUTH else "read" if called <= READS | AUTH | SETUP else "write"
            )
            tally.requests[f"intacct_{kind}"] += 1
            if kind == "read" and not called & SETUP:
                objects = [m.decode() for m in _OBJECT.findall(request.content)] or names
                tally.feeds.update(f"intacct:{name}" for name in objects)
                if _CURSOR.search(request.content):
                    tally.cursors.update(f"intacct:{name}" for name in objects)  # one a page
        else:
            kind = "read" if request.method == "GET" else "write"
            tally.requests[f"released_{kind}"] += 1
            resource = request.url.path.removeprefix("/api/").split("/")[0]
            tally.feeds[f"released:{request.method}:{resource}"] += 1
            if kind == "read":
                tally.cursors[f"released:{resource}"] = 1
        gateway = path == GATEWAY_PATH or path.startswith(REST_PREFIX)
        if gateway:
            tally.flight(+1)
        try:
            response = await self._inner.handle_async_request(request)
        finally:
            if gateway:
                tally.flight(-1)
        if tally.capture is not None and request.url.path == GATEWAY_PATH:
            body = await response.aread()
            for part in (request.content, body):
                tally.capture.write(len(part).to_bytes(4, "big") + part)
            return httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class Shifted:
    """The engine's clock: the real time moved forward by ``shifted``, as the simulators' are."""

    shifted: timedelta = timedelta(0)
    real: SystemClock = field(default_factory=SystemClock)

    def now(self) -> datetime:
        return self.real.now() + self.shifted


async def advance(clock: Shifted, by: timedelta, *simulators: str) -> None:
    """Let ``by`` pass: each simulator's clock (its ``/_sim/clock/advance``) and the engine's
    move forward alike, so what either side stamps, and the engine's cursors, keep their order
    (the Intacct zone is calibrated from the session timestamp's offset, which a shift keeps)."""
    async with httpx.AsyncClient(timeout=30) as control:
        for url in simulators:
            moved = await control.post(
                f"{url}/_sim/clock/advance", json={"seconds": int(by.total_seconds())}
            )
            moved.raise_for_status()
    clock.shifted += by


def _peak_rss_mb() -> float:
    """The process's own peak resident set so far: Linux's ``VmHWM`` (KiB). Not ``ru_maxrss``:
    Linux carries it across ``execve`` from the process that forked this one, so an engine
    started by a bench process that held more (the lxml baseline of a large capture) reported
    the bench's peak, not its own (262 MB at 100,000 invoices where its own was 120 MB)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: no VmHWM


def _reset_peak() -> None:
    """Start the peak resident set again from the resident set now (Linux's ``clear_refs``:
    ``VmHWM`` follows it); left as it is where the kernel refuses."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _onboard(service: Service, n_contacts: int, api: str) -> ConnectionId:
    """Connects over ``api``: XML with the sender and Web Services user, REST with the
    simulator's OAuth client for the same user (the client-credentials grant)."""
    flow = service.workflow
    connected = (await flow.connect(RL_DEMO, DEMO_OAUTH if api == "rest" else DEMO)).unwrap()
    id = connected.connection.id
    (await flow.choose_entity(id, EntityId("E100"))).unwrap()
    (await flow.set_sync_from(id, SYNC_FROM)).unwrap()
    (await flow.start_matching(id)).unwrap()
    create = CreateAs(ContactRole.CUSTOMER)
    decisions = Decisions(
        by_step={Step.CONTACTS: {ReleasedId(contact_id(i)): create for i in range(n_contacts)}},
        unresolved=Leftover.ARCHIVE,
    )
    taken = await apply_decisions(flow, id, decisions)
    if not is_successful(taken):
        raise SystemExit(f"onboarding refused: {taken.failure().message}")
    return id


async def _timed(
    tally: Tally, intacct: str, sync: Awaitable[Run], profiler: cProfile.Profile | None = None
) -> dict[str, object]:
    """Times ``sync``, with the Intacct API transactions it spent (the simulator's count), under
    ``profiler`` if given (the sync alone, not the count's own requests)."""
    spent = await _transactions(intacct)
    tally.reset()
    wall, cpu = time.perf_counter(), _cpu()
    if profiler is not None:
        profiler.enable()
    run = await sync
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    spent = await _transactions(intacct) - spent
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "transactions": spent,
        "run": _run_json(run),
        **tally.snapshot(),
    }


async def _transactions(intacct: str) -> int:
    async with httpx.AsyncClient() as control:
        stats = (await control.get(f"{intacct}/_sim/stats")).json()
    return int(stats["companies"][DEMO.company_id]["transactions"])


def _run_json(run: Run) -> dict[str, object]:
    took = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    return {
        "run_s": took,
        "status": str(run.status.value),
        "errors": run.errors,
        "counts": {str(k.value): asdict(v) for k, v in run.counts.by_type.items()},
    }


async def _initial(service: Service, id: ConnectionId) -> Run:
    checks = (await service.workflow.prerequisites(id)).unwrap()
    unknown = [a.prerequisite for a in checks if a.status is Status.UNKNOWN]
    (await service.workflow.acknowledge(id, unknown)).unwrap()  # as a user would (C5)
    (await service.workflow.confirm(id)).unwrap()
    await service.workflow.background()
    runs = (await service.runs(id, limit=1)).unwrap()
    return runs[0]


async def _next(service: Service, id: ConnectionId) -> Run:
    outcome = await service.run_now(id)
    if not is_successful(outcome):
        raise SystemExit(f"sync refused: {outcome.failure().message}")
    return outcome.unwrap()


async def _add_invoices(
    http: httpx.AsyncClient, released: str, count: int, start: int, tenants: int
) -> None:
    """``count`` new approved invoices in Re-Leased, raised as its UI would."""
    headers = {
        "Authorization": f"Bearer {released_seed.API_KEY}",
        "X-Company-Id": released_seed.COMPANY_ID,
        "Content-Type": "application/json",
    }
    for body in invoices(start + count, start=start, tenants=tenants):
        del body["id"]
        body["status"] = "Draft"
        keyed = {**headers, "Idempotency-Key": f"bench-{body['invoiceNumber']}"}
        reply = await http.post(f"{released}/api/invoices", json=body, headers=keyed)
        if reply.status_code != 201:
            raise SystemExit(f"Re-Leased refused a new invoice: {reply.text}")
        made = reply.json()["id"]
        for action in ("submit", "approve"):
            done = await http.post(f"{released}/api/invoices/{made}/{action}", headers=headers)
            done.raise_for_status()


async def main(args: argparse.Namespace) -> dict[str, object]:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        database=str(workdir / "state.sqlite3"),
        encryption_key=generate_key(),
        released_url=args.released,
        released_api_key=Secret(released_seed.API_KEY),
    )
    settings = _with_endpoint(settings, args.intacct, args.concurrency)
    tally = Tally(concurrency=args.concurrency)
    store = await SqliteStateStore.open(Path(settings.database), key=settings.encryption_key)
    out: dict[str, object] = {}
    try:
        transport = Counting(tally)
        async with httpx.AsyncClient(transport=transport, timeout=120) as http:
            clock = Shifted()
            service = build_service(settings, Clients(store=store, http=http, clock=clock))
            onboarding = time.perf_counter()
            id = await _onboard(service, args.invoices // 10, args.api)
            out["onboarding_s"] = time.perf_counter() - onboarding
            capture = Path(args.capture).open("wb") if args.capture else None  # noqa: SIM115
            tally.capture = capture
            profiler = cProfile.Profile(time.process_time) if args.profile else None
            out["before_initial_rss_mb"] = _peak_rss_mb()  # onboarding's peak
            _reset_peak()  # so the initial sync's peak is its own (what onboarding left counts)
            sync = _initial(service, id)
            if args.tracemalloc:
                sync = _traced(sync, Path(args.tracemalloc))
            if args.memwatch:
                sync = _watched(sync, Path(args.memwatch))
            initial = await _timed(tally, args.intacct, sync, profiler)
            if profiler is not None:
                profiler.dump_stats(args.profile)
            initial["peak_rss_mb"] = _peak_rss_mb()  # the initial sync's own peak
            out["initial"] = initial
            tally.capture = None
            if capture is not None:
                capture.close()
            out["results"] = await _result_count(service, id)
            print(json.dumps(out), file=sys.stderr, flush=True)
            if args.changes:
                out.update(await _incremental(args, service, id, tally, clock))
            await service.drain()
    finally:
        await store.close()
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


async def _incremental(
    args: argparse.Namespace, service: Service, id: ConnectionId, tally: Tally, clock: Shifted
) -> dict[str, object]:
    """The settling sync, then a day later the first idle night, then each of ``--changes``
    new invoices a day after the last: each sync's figures."""
    gap = timedelta(seconds=args.gap)
    out: dict[str, object] = {"gap_s": args.gap}
    out["settle"] = await _timed(tally, args.intacct, _next(service, id))
    await advance(clock, gap, args.intacct, args.released)
    out["first_night"] = await _timed(tally, args.intacct, _next(service, id))
    added = args.invoices
    for count in (int(c) for c in args.changes.split(",")):
        await advance(clock, gap, args.intacct, args.released)
        async with httpx.AsyncClient(timeout=120) as user:
            await _add_invoices(user, args.released, count, added, max(1, args.invoices // 10))
        added += count
        out[f"changes_{count}"] = await _timed(tally, args.intacct, _next(service, id))
    return out


async def _traced(sync: Awaitable[Run], to: Path, every_s: float = 1.0) -> Run:
    """``sync`` under tracemalloc: keeps in ``to`` (pickled) the snapshot taken when the traced
    memory was highest (looked at every ``every_s``), the one at its end, and the traced peak."""
    tracemalloc.start(_FRAMES)
    highest: list[tuple[int, tracemalloc.Snapshot]] = []

    async def watch() -> None:
        while True:
            await asyncio.sleep(every_s)
            current, _ = tracemalloc.get_traced_memory()
            if not highest or current > highest[0][0] * 1.1:  # a snapshot costs: new highs only
                highest[:] = [(current, tracemalloc.take_snapshot())]

    watching = asyncio.create_task(watch())
    try:
        run = await sync
    finally:
        watching.cancel()
    current, peak = tracemalloc.get_traced_memory()
    end = tracemalloc.take_snapshot()
    tracemalloc.stop()
    kept = {
        "peak_b": peak,
        "end_b": current,
        "highest_b": highest[0][0] if highest else current,
        "highest": highest[0][1] if highest else end,
        "end": end,
        "rss_mb": _peak_rss_mb(),
    }
    with to.open("wb") as file:
        pickle.dump(kept, file)
    return run


async def _watched(sync: Awaitable[Run], to: Path, every_s: float = 0.5) -> Run:
    """``sync`` with the process's memory looked at every ``every_s`` (cheap: no tracing): its
    resident set by kind (``/proc``), the C allocator's heap (glibc ``mallinfo2``) and the
    Python allocator's blocks, one JSON line a look in ``to``."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    samples: list[dict[str, float]] = []
    started = time.perf_counter()

    def look() -> None:
        status = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
        info = libc.mallinfo2()
        samples.append(
            {
                "t": time.perf_counter() - started,
                **{k: int(status[k].split()[0]) / 1024 for k in _RSS},
                "malloc_arena_mb": info.arena / 2**20,
                "malloc_mmap_mb": info.hblkhd / 2**20,
                "malloc_used_mb": info.uordblks / 2**20,
                "malloc_free_mb": info.fordblks / 2**20,
                "py_blocks": sys.getallocatedblocks(),
            }
        )

    async def watch() -> None:
        while True:
            look()
            await asyncio.sleep(every_s)

    watching = asyncio.create_task(watch())
    try:
        run = await sync
    finally:
        watching.cancel()
    look()
    to.write_text("".join(json.dumps(s) + "\n" for s in samples), encoding="utf-8")
    return run


_RSS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")
"""The resident set, and its anonymous, file-backed and shared parts (``/proc``, in KiB)."""


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost",
    )]  # fmt: skip


_FRAMES = 8
"""Frames kept of each traced allocation: enough to see which of the project's functions made
it below the library's."""


async def _result_count(service: Service, id: ConnectionId) -> int:
    found = await service.results(id, ResultFilter(limit=100_000))
    return len(found.unwrap()) if is_successful(found) else -1


def _with_endpoint(settings: Settings, simulator: str, concurrency: int) -> Settings:
    """The simulator's XML gateway and REST API (the credentials choose which is spoken)."""
    intacct = replace(
        settings.intacct,
        endpoint=f"{simulator}{GATEWAY_PATH}",
        api_base=f"{simulator}{REST_PREFIX}",
        concurrency=concurrency,
    )
    return replace(settings, intacct=intacct)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    cli = argparse.ArgumentParser(prog="bench/_engine.py")
    cli.add_argument("--intacct", required=True)
    cli.add_argument("--released", required=True)
    cli.add_argument("--workdir", required=True)
    cli.add_argument("--invoices", type=int, required=True)
    cli.add_argument("--capture", default="")
    cli.add_argument("--profile", default="", help="a file for the initial sync's cProfile")
    cli.add_argument("--tracemalloc", default="", help="a file for the initial sync's snapshots")
    cli.add_argument("--memwatch", default="", help="a file for the initial sync's memory looks")
    cli.add_argument("--changes", default="")
    cli.add_argument("--api", choices=("xml", "rest"), default="xml", help="the API spoken")
    cli.add_argument(
        "--gap",
        type=int,
        default=86_400,
        help="seconds that pass before each sync after the settling one (both simulators too)",
    )
    cli.add_argument(
        "--concurrency", type=int, default=2, help="intacct.concurrency (the simulator's too)"
    )
    return cli.parse_args(argv)


if __name__ == "__main__":
    gc.freeze()  # as ``released-intacct`` does before it runs a command (app/cli/main.py)
    print(json.dumps(asyncio.run(main(parse(sys.argv[1:])))), flush=True)
