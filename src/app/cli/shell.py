"""What every command shares: its terminal (``Console``), the service it opens, how it fails.

A command is ``async def run(args, settings, console) -> int``; the exit codes are the CLI's:
``OK`` (0), ``RED`` (1: the sync ran and finished red) and ``REFUSED`` (2: a refusal, an unknown
connection, bad settings or input). An expected failure is one line on stderr naming the problem
and its fix, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TextIO

from released_intacct.app.cli import screen
from released_intacct.app.cli.logs import Hidden
from released_intacct.app.settings import Settings
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.secret import Secret

__all__ = [
    "OK",
    "PIPE_CLOSED",
    "RED",
    "REFUSED",
    "Command",
    "Console",
    "add_command",
    "connection_id",
    "failed",
    "problems",
]

OK: Final = 0
RED: Final = 1
REFUSED: Final = 2
PIPE_CLOSED: Final = 141
"""The reader of the output closed it (``| head``): 128 + SIGPIPE, as a tool the signal stops."""


@dataclass(slots=True, kw_only=True)
class Console:
    """The terminal a command talks to, and what it was started with."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=dict)
    ask: Callable[[str], str] = input
    """Reads one answer (``input``); raises ``EOFError`` when there is none."""
    ask_secret: Callable[[str], str] = input
    """Reads a password without echo (``getpass.getpass``)."""
    interactive: bool = False
    """stdin is a terminal: a person can answer."""
    tty: bool = False
    """stdout is a terminal: rich draws tables, questions and progress; else plain lines."""
    secrets: list[Secret] = field(default_factory=list)
    """Every credential the process knows; the log handler hides them."""
    _terminal: screen.Terminal | None = field(default=None, init=False, repr=False)

    def say(self, line: str = "") -> None:
        """One line on ``out``, every known secret in it replaced by stars."""
        print(Hidden(self.secrets).text(line), file=self.out, flush=True)

    @property
    def terminal(self) -> screen.Terminal:
        """The rich console on ``out`` (made once; every known secret hidden in what it draws);
        only drawn on when ``tty``."""
        if self._terminal is None:
            self._terminal = screen.terminal(screen.Hiding(self.out, Hidden(self.secrets).text))
        return self._terminal

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], *, plain: Sequence[str]
    ) -> None:
        """``rows`` as a rich table on a terminal, else (or with no rows) the ``plain`` lines."""
        if self.tty and rows:
            self.terminal.print(screen.table(headers, rows))
            return
        for line in plain:
            self.say(line)

    def confirm(self, text: str) -> bool:
        """Ask ``text``, "no" by default; no answer (EOF) is "no"."""
        try:
            if self.tty:
                return screen.confirm(self.terminal, text, self.ask)
            answer = self.ask(f"{text} [y/N] ")
        except EOFError:
            return False
        return answer.strip().lower() in ("y", "yes")

    def question(self, text: str) -> str:
        """The answer to ``text``, stripped and lower case; EOFError when there is none."""
        if self.tty:
            return screen.question(self.terminal, text, self.ask).strip().lower()
        return self.ask(text).strip().lower()


Command = Callable[[argparse.Namespace, Settings, Console], Coroutine[None, None, int]]


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    summary: str,
    description: str,
    examples: str,
    run: Command,
) -> argparse.ArgumentParser:
    """A sub-command with its ``--help`` (description and examples); ``run`` is what it does."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)
    return parser


def connection_id(raw: str) -> ConnectionId:
    return ConnectionId(raw.strip())


def failed(error: SyncError, console: Console) -> int:
    """One line on stderr: the rule, what happened and the fix; the REFUSED exit code."""
    print(f"error: {error}", file=console.err, flush=True)
    return REFUSED


def problems(listed: tuple[str, ...] | list[str], console: Console, *, what: str) -> int:
    """Each problem of a file or of the settings on its own line; the REFUSED exit code."""
    print(f"error: {what}:", file=console.err)
    for problem in listed:
        print(f"  - {problem}", file=console.err)
    console.err.flush()
    return REFUSED
