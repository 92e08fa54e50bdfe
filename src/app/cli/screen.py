"""What the CLI draws on a terminal, with rich: tables, questions, a run's progress.

``shell.Console`` uses this only when stdout is a terminal (``tty``); otherwise a command writes
the plain lines it always did (a pipe, a log file and the tests read those). Every drawing goes to
the one ``rich.console.Console`` of the command's ``Console`` (``terminal(out)``).

- ``table``: a ``rich.table.Table`` of string cells.
- ``confirm`` / ``question``: ``rich.prompt.Confirm`` / ``Prompt``, reading the answer through the
  ``Console``'s own ``ask`` (``input``, or a test's answers), so EOF still means "no answer".
- ``run_progress``: a ``rich.progress.Progress`` with a bar per record type, its count, percent,
  rate (records a second) and time remaining, redrawn by the caller (no refresh thread).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TextIO

from rich.console import Console as Terminal
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.prompt import Confirm, Prompt
from rich.table import Table
from rich.text import Text

__all__ = ["Hiding", "Terminal", "confirm", "question", "run_progress", "table", "terminal"]

Ask = Callable[[str], str]


class Hiding(io.TextIOBase):
    """Writes to ``out`` what it is given with ``hide`` applied (every known secret replaced)."""

    def __init__(self, out: TextIO, hide: Callable[[str], str]) -> None:
        super().__init__()
        self._out, self._hide = out, hide

    def write(self, text: str) -> int:
        self._out.write(self._hide(text))
        return len(text)

    def flush(self) -> None:
        self._out.flush()


def terminal(out: TextIO | Hiding) -> Terminal:
    """The rich console drawing on ``out``, a terminal (colours as the environment allows)."""
    return Terminal(file=out, force_terminal=True, highlight=False, soft_wrap=False)  # type: ignore[arg-type]


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None
) -> Table:
    """A table of ``rows`` under ``headers``: text cells, never markup (a message may hold [)."""
    drawn = Table(*headers, title=title, header_style="bold", expand=False)
    for row in rows:
        drawn.add_row(*(Text(cell) for cell in row))
    return drawn


class _Reading:
    """A rich prompt that reads its answer through ``read`` (the ``Console``'s own ``ask``)
    instead of rich's ``input``, so a test's answers and EOF reach it as they reach plain lines."""

    read: Ask

    @classmethod
    def get_input(
        cls, console: Terminal, prompt: Text | str, password: bool, stream: TextIO | None = None
    ) -> str:
        console.print(prompt, end="")
        return cls.read("")


def confirm(screen: Terminal, text: str, ask: Ask) -> bool:
    """A yes/no question, "no" by default; EOFError from ``ask`` is left to the caller."""

    class _Confirm(_Reading, Confirm):
        read = staticmethod(ask)

    return _Confirm.ask(Text(text), console=screen, default=False)


def question(screen: Terminal, text: str, ask: Ask) -> str:
    """A free answer to ``text`` (the caller checks it); EOFError from ``ask`` is the caller's."""

    class _Prompt(_Reading, Prompt):
        read = staticmethod(ask)

    return _Prompt.ask(Text(text.rstrip().rstrip(":")), console=screen)


class _Rate(ProgressColumn):
    """Records a second, as rich estimates it from the recent updates."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f}/s", style="progress.data.speed")


def run_progress(screen: Terminal) -> Progress:
    """A run's progress display: name, bar, done/total, percent, rate, time remaining. The caller
    updates and refreshes it (``auto_refresh`` off: nothing draws from another thread)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _Rate(),
        TimeRemainingColumn(),
        console=screen,
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
    )
