"""The single-engine sections of ``docs/benchmarks.md`` (initial, latency-bound and incremental
syncs), each table holding a row per API measured: XML's figures at the top of the results,
REST's under ``rest`` (``bench.held``), with the targets each is held to.

Minimums (``bench.minimum``): one page per feed read; Intacct writes in full batches, 50
functions of any kind a request over XML, 500 records of one object and method over REST; over
REST one token request a run (an XML run's session requests are shown beside, not counted)."""

from __future__ import annotations

import math
from typing import Any

Json = dict[str, Any]

LATENCY_BOUND = 1.1
"""Each latency-bound run's wall at most this many times its bound (requests × 0.15 s /
concurrency)."""
IDLE_SLACK = 2
"""An idle incremental run: requests = feeds, give or take this many."""
WRITE_BATCH = {"XML": 50, "REST": 500}
"""Intacct records a write request holds (``intacct.batch_size``, ``intacct.rest_batch_size``)."""
BATCH_REQUESTS = {"XML": 1, "REST": 2}
"""Requests a batch of new invoices costs. XML: the create (its reply names the key; the writer
takes the record as sent for the link's fingerprint). REST: the create, whose reply is only
``{key, id, href}`` (an invoice's ``id`` is its key, not its number), and one GET of the batch's
keys reading the documents back as Intacct holds them, the record whose fingerprint the link
keeps so the next run knows its echo (rule D21; ``intacct_rest/writer.py``): Intacct fills in
what a create left out (the simulator: an AP bill's payment priority, ``Normal``; a credit
note's due date, its date), which the record as sent would not show."""


def by_api(results: Json) -> list[tuple[str, Json]]:
    """Each API measured, with where its figures are: XML's always, REST's once it ran."""
    apis = [("XML", results)]
    rest = results.get("rest", {})
    if rest.get("initial") or rest.get("latency"):
        apis.append(("REST", rest))
    return apis


def requests_by_kind(sync: Json) -> Json:
    r = sync["requests"]
    return {
        "reads": r.get("intacct_read", 0) + r.get("released_read", 0),
        "intacct_writes": r.get("intacct_write", 0),
        "released_writes": r.get("released_write", 0),
        "sessions": r.get("intacct_auth", 0),
    }


def total(sync: Json) -> int:
    return sum(int(v) for v in sync["requests"].values())


def rss(run: Json) -> float:
    """The peak RSS of the engine by the end of its initial sync (later syncs not included)."""
    return float(run["initial"].get("peak_rss_mb", run["peak_rss_mb"]))


def records(run: Json) -> int:
    return sum(run["records"].values())


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def initial_rows(results: Json) -> list[str]:
    rows = [
        "| API | invoices | records | wall (s) | records/s | engine CPU (s) | reads (min) "
        "| Intacct writes (min) | Re-Leased writes | sessions / tokens (min) "
        "| API transactions / record | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for api, held in by_api(results):
        for size, run in held.get("initial", {}).items():
            sync, least = run["initial"], run["minimum"]
            made, count = requests_by_kind(sync), records(run)
            sessions = f"{made['sessions']}" + (
                f" ({least['sessions']})" if "sessions" in least else ""
            )
            rows.append(
                f"| {api} | {int(size):,} | {count:,} | {sync['wall_s']:.1f} "
                f"| {count / sync['wall_s']:,.0f} | {sync['cpu_s']:.1f} "
                f"| {made['reads']} ({least['reads']}) | {made['intacct_writes']} "
                f"({least['intacct_writes']}) | {made['released_writes']} | {sessions} "
                f"| {sync['transactions'] / count:.2f} | {rss(run):.0f} |"
            )
    return rows


_SYNCS = {
    "settle": "settling (the initial sync's echoes)",
    "first_night": "first idle night (the load read again)",
}


def feeds(sync: Json) -> int:
    """The change feeds a sync read (earlier results: every resource it read)."""
    return sum(sync["feeds"].values()) if "feeds" in sync else len(sync["by_resource"])


def incremental_rows(results: Json) -> list[str]:
    rows = [
        "| API | invoices | sync | new invoices | requests | feeds read | reads | writes "
        "| engine CPU (s) | wall (s) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for api, held in by_api(results):
        for size, run in held.get("initial", {}).items():
            for name in ("settle", "first_night", "changes_0", "changes_10", "changes_1000"):
                if name not in run:
                    continue
                sync = run[name]
                made = requests_by_kind(sync)
                label = _SYNCS.get(
                    name, "incremental" if "gap_s" in run else "incremental, back to back"
                )
                changes = name.removeprefix("changes_") if name.startswith("changes_") else "-"
                rows.append(
                    f"| {api} | {int(size):,} | {label} | {changes} | {total(sync)} "
                    f"| {feeds(sync)} | {made['reads']} "
                    f"| {made['intacct_writes'] + made['released_writes']} "
                    f"| {sync['cpu_s']:.2f} | {sync['wall_s']:.2f} |"
                )
    return rows


def latency_runs(held: Json) -> list[Json]:
    """The latency-bound runs of one API, by concurrency (an older file held one run, at 2)."""
    runs = held.get("latency", {})
    return [runs] if "initial" in runs else list(runs.values())


def bound(run: Json) -> float:
    """What a latency-bound run cannot beat: its requests, ``concurrency`` at a time, each
    taking the latency (a Re-Leased request, which has none, counted as one too)."""
    return float(total(run["initial"]) * run["latency_ms"] / 1000 / run["concurrency"])


def latency_rows(results: Json) -> list[str]:
    rows = [
        "| API | invoices | at once | requests | wall (s) | bound (s) | wall / bound "
        "| Intacct line idle (slot-s) | engine CPU (s) | measured |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for api, held in by_api(results):
        for run in latency_runs(held):
            sync = run["initial"]
            idle = sync.get("intacct_idle_s")
            rows.append(
                f"| {api} | {run['invoices']:,} | {run['concurrency']} | {total(sync)} "
                f"| {sync['wall_s']:.1f} | {bound(run):.1f} | {sync['wall_s'] / bound(run):.2f} "
                f"| {'-' if idle is None else f'{idle:.1f}'} | {sync['cpu_s']:.1f} "
                f"| {run.get('machine', {}).get('date', '-')}"
                f"{'; ' + run['note'] if run.get('note') else ''} |"
            )
    return rows


def incremental_targets(api: str, initial: dict[str, Json]) -> list[str]:
    """Per size: an idle run costs one request per feed (±``IDLE_SLACK``: the run's log-in or
    token and its set-up read); ten new invoices add ceil(10 / batch) Intacct write batches of
    ``BATCH_REQUESTS`` requests each for the one feed they touch (invoices)."""
    rows = []
    batch, each = WRITE_BATCH[api], BATCH_REQUESTS[api]
    for size, run in initial.items():
        for changes in (0, 10):
            sync = run.get(f"changes_{changes}")
            if sync is None:
                continue
            made, read = total(sync), feeds(sync)
            target = read + math.ceil(changes / batch) * each
            said = "feeds" if not changes else f"feeds + ceil({changes} / {batch}) × {each}"
            rows.append(
                f"| {api}, {int(size):,} invoices, {changes} changes: requests = {said} "
                f"(±{IDLE_SLACK}) | {made} requests, {read} feeds (target {target}) "
                f"| {verdict(abs(made - target) <= IDLE_SLACK)} |"
            )
    return rows


def sync_targets(results: Json) -> list[str]:
    """Each API's initial syncs (records a second, requests against its minimum; over REST
    at most one token request), latency-bound runs and idle / 10-change syncs."""
    rows = []
    for api, held in by_api(results):
        initial: dict[str, Json] = held.get("initial", {})
        for size in sorted(initial, key=int):
            run = initial[size]
            sync, least, made = run["initial"], run["minimum"], requests_by_kind(run["initial"])
            rate = records(run) / sync["wall_s"]
            rows.append(
                f"| {api}, {int(size):,} invoices: ≥ 2,000 records/s | {rate:,.0f} records/s "
                f"| {verdict(rate >= 2000)} |"
            )
            extra = made["reads"] - least["reads"]
            extra += made["intacct_writes"] - least["intacct_writes"]
            tokens = least.get("sessions")
            over = 0 if tokens is None else max(0, made["sessions"] - tokens)
            rows.append(
                f"| {api}, {int(size):,} invoices: requests = the minimum | {extra} reads and "
                f"Intacct writes over the minimum, plus {made['sessions']} "
                f"{'session' if tokens is None else 'token'} requests "
                f"{'' if tokens is None else f'(at most {tokens}) '}"
                f"| {verdict(extra <= 0 and over == 0)} |"
            )
        for latency in latency_runs(held):
            limit, wall = bound(latency), latency["initial"]["wall_s"]
            rows.append(
                f"| {api}, latency-bound ({latency['invoices']:,}, {latency['concurrency']} at "
                f"once): wall ≤ {LATENCY_BOUND}x requests × {latency['latency_ms'] / 1000:g} s "
                f"/ {latency['concurrency']} | {wall:.1f} s against {LATENCY_BOUND * limit:.1f} "
                f"s ({wall / limit:.2f}x) | {verdict(wall <= LATENCY_BOUND * limit)} |"
            )
        rows += incremental_targets(api, initial)
    return rows
