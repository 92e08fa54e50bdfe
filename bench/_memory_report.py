"""The "Memory" section of ``docs/benchmarks.md``, from ``results.json``'s ``memory`` entries
(``mem_profile.py`` writes them)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def memory_section(memory: dict[str, Json]) -> list[str]:
    if not memory:
        return []
    lines = [
        "## Memory",
        "",
        "`bench/mem_profile.py`: the initial sync (confirm included, as in the table above) in the",
        "engine's own process. Peak RSS is the sync's high-water mark (started again once",
        "onboarding is done; what onboarding left resident counts); *onboarding* is the peak",
        "before it; the C heap is what glibc's malloc held (and, at most, used) at any look, every",
        "0.5 s; Python blocks are the Python allocator's, at most. The traced figures come from a",
        "second run under `tracemalloc` (Python's own allocations only: not libxml2's, not",
        "SQLite's), grouped by the line of the package that made what was alive. The machine was",
        "shared with other work while these ran: that slows the wall clock, hardly the resident",
        "memory.",
        "",
    ]
    for label in sorted(memory, key=lambda name: (name != "before", name)):
        entry = memory[label]
        lines += [f"### {label} ({entry['date']})", "", *_table(entry["sizes"]), ""]
        for size, figures in sorted(entry["sizes"].items(), key=lambda item: int(item[0])):
            for moment, what in (("at_high", "at the traced high"), ("at_end", "at the end")):
                if moment in figures:
                    lines += [
                        f"Alive {what}, {int(size):,} invoices:",
                        "",
                        *_lines(figures[moment]),
                        "",
                    ]
        if entry.get("note"):
            lines += [str(entry["note"]), ""]
    return lines


def _table(sizes: dict[str, Json]) -> list[str]:
    rows = [
        "| invoices | peak RSS (MB) | onboarding (MB) | C heap held / used (MB) | Python blocks "
        "| traced peak / end (MB) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size, f in sorted(sizes.items(), key=lambda item: int(item[0])):
        traced = (
            f"{f['traced_peak_mb']:.1f} / {f['traced_end_mb']:.1f}"
            if "traced_peak_mb" in f
            else "–"
        )
        rows.append(
            f"| {int(size):,} | {f['peak_rss_mb']:.0f} | {_mb(f.get('onboarded_rss_mb'))} "
            f"| {f['malloc_held_mb']:.0f} / {f['malloc_used_mb']:.0f} | {f['python_blocks']:,} "
            f"| {traced} |"
        )
    return rows


def _mb(figure: float | None) -> str:
    return "–" if figure is None else f"{figure:.0f}"


def _lines(held: list[Json]) -> list[str]:
    rows = ["| line | MB | blocks |", "|---|---:|---:|"]
    rows += [f"| `{h['line']}` | {h['mb']:.2f} | {h['blocks']:,} |" for h in held]
    return rows
