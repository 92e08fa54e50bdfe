"""The engine's CPU, function by function: the initial sync of one company under cProfile.

    python bench/cpu_profile.py [--invoices 2000] [--label before] [--top 15] [--repeat 1]
                                [--keep FILE] [--note TEXT]

Runs ``_engine.py`` over fresh simulators (``_sims.py``) ``--repeat`` times plain, keeping the
least CPU of the initial sync (process CPU, not wall: other work on the machine slows the wall
clock, much less the CPU), then once with ``--profile``, and keeps the functions that took most
of the profiled CPU, by their own time and by their cumulative time (the functions of the
project's domain and adapters only: the event loop's and the service's frames hold everything).
The profiler times by the process's CPU clock. The figures go to ``bench/results.json`` under
``profile.<label>`` and into the "Engine profile" section of ``docs/benchmarks.md``
(``_report.py``); ``make bench`` keeps them.
"""

from __future__ import annotations

import argparse
import json
import pstats
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from _report import write_report
from bench import engine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = "released_intacct"
Json = dict[str, object]
Key = tuple[str, int, str]


def _name(key: Key) -> str:
    """``src/domain/canonical.py:canonical``-like: where a function lives, short."""
    file, line, function = key
    if file == "~":  # a builtin
        return function
    path = Path(file)
    parts = path.parts
    if PACKAGE in parts:
        where = "/".join(parts[parts.index(PACKAGE) + 1 :])
    elif "site-packages" in parts:
        where = "/".join(parts[parts.index("site-packages") + 1 :])
    else:
        where = "/".join(parts[-2:])
    return f"{where}:{line}({function})"


def _working(key: Key) -> bool:
    """A function of the domain or of an adapter (not the service's frames, which hold all)."""
    parts = Path(key[0]).parts
    return PACKAGE in parts and parts[parts.index(PACKAGE) + 1] in {"domain", "adapters"}


def top(stats_file: str, count: int) -> Json:
    """The ``count`` functions with most own time, and the working ones with most cumulative."""
    stats = pstats.Stats(stats_file)
    table: dict[Key, tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in table.values())

    def row(key: Key) -> Json:
        _, calls, own, cumulative, _ = table[key]
        return {"function": _name(key), "calls": calls, "own_s": own, "cumulative_s": cumulative}

    by_own = sorted(table, key=lambda k: table[k][2], reverse=True)[:count]
    working = (k for k in table if _working(k))
    by_cumulative = sorted(working, key=lambda k: table[k][3], reverse=True)
    return {
        "profiled_cpu_s": total,
        "own": [row(k) for k in by_own],
        "cumulative": [row(k) for k in by_cumulative[:count]],
    }


def main(argv: Sequence[str]) -> int:
    cli = argparse.ArgumentParser(prog="bench/cpu_profile.py")
    cli.add_argument("--invoices", type=int, default=2000)
    cli.add_argument("--label", default="after", help="where in results.json: profile.<label>")
    cli.add_argument("--top", type=int, default=15)
    cli.add_argument("--repeat", type=int, default=1, help="plain runs (the least CPU is kept)")
    cli.add_argument("--keep", default="", help="keep the cProfile stats in this file")
    cli.add_argument("--note", default="", help="what the profile shows, in the report under it")
    args = cli.parse_args(argv)
    plain = [engine(args.invoices) for _ in range(args.repeat)]
    cpu = min(float(run["initial"]["cpu_s"]) for run in plain)  # type: ignore[index]
    with tempfile.TemporaryDirectory() as scratch:
        stats_file = args.keep or str(Path(scratch) / "initial.prof")
        engine(args.invoices, profile=stats_file)
        found = top(stats_file, args.top)
    path = HERE / "results.json"
    results: Json = json.loads(path.read_text(encoding="utf-8"))
    profiles: dict[str, Json] = dict(results.get("profile", {}))  # type: ignore[call-overload]
    profiles[args.label] = {
        "invoices": args.invoices,
        "cpu_s": cpu,
        "date": datetime.now(UTC).date().isoformat(),
        "note": args.note,
        **found,
    }
    results["profile"] = profiles
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_report(results, ROOT / "docs" / "benchmarks.md")
    print(
        f"profile {args.label}: {cpu:.2f} CPU s for {args.invoices:,} invoices "
        f"({cpu / args.invoices * 1000:.2f} ms an invoice); "
        f"{found['profiled_cpu_s']:.2f} s under cProfile",
        flush=True,
    )
    for entry in found["own"]:  # type: ignore[attr-defined]
        print(f"  {entry['own_s']:7.3f} {entry['calls']:9d}  {entry['function']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
