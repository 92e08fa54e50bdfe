"""What every command shares: its terminal (``Console``), the service it opens, how it fails.

A command is ``async def run(args, settings, console) -> int``; the exit codes are the CLI's:
``OK`` (0), ``RED`` (1: the sync ran and finished red) and ``REFUSED`` (2: a refusal, an unknown
connection, bad settings or input). An expected failure is one line on stderr naming the problem
and its fix, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Final, TextIO

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
    """stdout is a terminal: progress may be redrawn in place."""
    secrets: list[Secret] = field(default_factory=list)
    """Every credential the process knows; the log handler hides them."""

    def say(self, line: str = "") -> None:
        print(line, file=self.out, flush=True)


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
