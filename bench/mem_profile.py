"""The engine's memory, where it goes: the initial sync of one company at several sizes.

    python bench/mem_profile.py [--sizes 10000,100000] [--label after] [--trace 10000]
                                [--top 8] [--note TEXT]

For each size, one plain run of ``_engine.py`` (``--memwatch``: no tracing, so the figures are the
bench's) gives the process's peak RSS (the initial sync's, which includes confirm), the RSS
onboarding left it with, and the highest of what the C allocator (glibc ``mallinfo2``) held and
used and of the Python allocator's blocks. For each size in ``--trace`` (tracing makes the engine
many times slower: 10,000 invoices take minutes), one more run under ``tracemalloc``
(``--tracemalloc``) gives the traced peak and the allocations alive at the traced high and at the
end of the sync, grouped by the line of the project that made them (the innermost frame of the
package; a library's line when none is). The figures go to ``bench/results.json`` under
``memory.<label>`` (each size keeps its latest figures) and into the "Memory" section of
``docs/benchmarks.md`` (``_report.py``).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from _report import write_report
from bench import engine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = "/released_intacct/"
MB = 2**20
Json = dict[str, object]


def where(traceback: tracemalloc.Traceback) -> str:
    """The innermost line of the package in ``traceback`` (else the innermost line at all)."""
    frames = list(traceback)  # oldest first
    for frame in reversed(frames):
        if PACKAGE in frame.filename:
            return f"{frame.filename.rsplit(PACKAGE, 1)[1]}:{frame.lineno}"
    if not frames:
        return "?"
    innermost = frames[-1]
    return f"{'/'.join(Path(innermost.filename).parts[-2:])}:{innermost.lineno}"


def grouped(snapshot: tracemalloc.Snapshot, top: int) -> list[Json]:
    """The ``top`` lines holding most of ``snapshot``, with their blocks."""
    size: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for stat in snapshot.statistics("traceback"):
        line = where(stat.traceback)
        size[line] += stat.size
        count[line] += stat.count
    return [
        {"line": line, "mb": held / MB, "blocks": count[line]}
        for line, held in size.most_common(top)
    ]


def plain(size: int, scratch: Path) -> Json:
    watch = scratch / f"watch-{size}.jsonl"
    run = engine(size, watch=str(watch))
    looks = [json.loads(line) for line in watch.read_text(encoding="utf-8").splitlines()]
    initial = run["initial"]
    assert isinstance(initial, dict)
    return {
        "peak_rss_mb": initial["peak_rss_mb"],
        "onboarded_rss_mb": run["before_initial_rss_mb"],
        "malloc_held_mb": max(look["malloc_arena_mb"] + look["malloc_mmap_mb"] for look in looks),
        "malloc_used_mb": max(look["malloc_used_mb"] for look in looks),
        "python_blocks": max(look["py_blocks"] for look in looks),
        "cpu_s": initial["cpu_s"],
    }


def traced(size: int, scratch: Path, top: int) -> Json:
    kept = scratch / f"trace-{size}.pickle"
    engine(size, trace=str(kept))
    with kept.open("rb") as file:
        found = pickle.load(file)  # noqa: S301 - our own engine's file, just written
    return {
        "traced_peak_mb": found["peak_b"] / MB,
        "traced_end_mb": found["end_b"] / MB,
        "at_high": grouped(found["highest"], top),
        "at_end": grouped(found["end"], top),
    }


def main(argv: Sequence[str]) -> int:
    cli = argparse.ArgumentParser(prog="bench/mem_profile.py")
    cli.add_argument("--sizes", default="10000,100000")
    cli.add_argument("--trace", default="10000", help="sizes also run under tracemalloc")
    cli.add_argument("--label", default="after", help="where in results.json: memory.<label>")
    cli.add_argument("--top", type=int, default=8)
    cli.add_argument("--note", default="", help="what the figures show, in the report")
    args = cli.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tracing = {int(s) for s in args.trace.split(",") if s}
    by_size: dict[str, Json] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            print(f"mem_profile: {size:,} invoices ...", flush=True)
            figures = plain(size, Path(scratch))
            if size in tracing:
                figures |= traced(size, Path(scratch), args.top)
            by_size[str(size)] = figures
            print(f"  {json.dumps({k: v for k, v in figures.items() if 'at_' not in k})}")
    path = HERE / "results.json"
    results: Json = json.loads(path.read_text(encoding="utf-8"))
    memory: dict[str, Json] = dict(results.get("memory", {}))  # type: ignore[call-overload]
    kept: Json = dict(memory.get(args.label, {}))
    sizes_kept: dict[str, Json] = dict(kept.get("sizes", {}))  # type: ignore[call-overload]
    memory[args.label] = {
        "date": datetime.now(UTC).date().isoformat(),
        "note": args.note or kept.get("note", ""),
        "sizes": dict(sorted((sizes_kept | by_size).items(), key=lambda item: int(item[0]))),
    }
    results["memory"] = memory
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_report(results, ROOT / "docs" / "benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
