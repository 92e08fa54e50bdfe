"""The CPU seconds a process has spent, read from ``/proc`` (Linux), for the many-workers figures.

``cpu_of(pid)``: its user and system time, with that of its children it has waited for.
``tree_cpu(pid)``: the same for a process and its live children (PostgreSQL's postmaster and its
backends: a backend that ended is counted in the postmaster's waited-for children).
``machine_cpu()``: the CPU seconds every core has spent busy, whoever spent them.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state is the first); None
    when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and of its children it waited for; 0 when gone."""
    fields = _fields(pid)
    if fields is None:
        return 0.0
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / _TICK


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and of its live children (one level: PostgreSQL's backends)."""
    total = cpu_of(pid)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _fields(int(entry.name))
        if fields is not None and int(fields[1]) == pid:
            total += cpu_of(int(entry.name))
    return total


def machine_cpu() -> float:
    """CPU seconds every core of the machine has spent busy since it started (``/proc/stat``),
    whoever spent them: over a measurement, what our processes did not spend was others' load."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _wait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK
