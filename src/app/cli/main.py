"""The ``released-intacct`` entry point: options, settings, logging, and a command's exit code.

Settings come from ``--config FILE`` (TOML; before or after the command), else from the
``RELEASED_INTACCT_*`` environment variables; ``--version`` prints the installed version. Exit
codes: 0 done (a sync finished blue), 1 a sync finished red, 2 anything refused: bad settings or
input, an unknown connection, a rule's refusal; 141 when the reader of the output went away
(piped to ``head``), quietly. Expected failures are one line on stderr (bad settings: one
line per problem), never a traceback. SIGTERM stops a command as SIGINT (Ctrl-C) does
(``signals``): the runs under way are finished red in the store, exit code 130 (Ctrl-C) or 143
(SIGTERM), 128 + the signal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import getpass
import os
import sqlite3
import sys
from collections.abc import Sequence
from importlib import metadata

import psycopg

from released_intacct.adapters.state import postgres
from released_intacct.app import _config
from released_intacct.app.cli import (
    connect,
    doctor,
    intents,
    keys,
    links,
    migrate,
    onboard,
    prerequisites,
    release,
    results,
    serve,
    status,
    sync,
    worker,
)
from released_intacct.app.cli.logs import FORMATS, logging_to, secrets_of
from released_intacct.app.cli.shell import PIPE_CLOSED, REFUSED, Command, Console, problems
from released_intacct.app.cli.signals import INTERRUPTED, Interrupted, interruptible
from released_intacct.app.settings import (
    Settings,
    SettingsError,
    exposed_settings_file,
    settings_from_env,
    settings_from_toml,
)

__all__ = ["console_from_process", "main", "parser"]

_COMMANDS = (
    serve,
    worker,
    connect,
    prerequisites,
    onboard,
    sync,
    release,
    status,
    results,
    links,
    intents,
    doctor,
    migrate,
    keys,
)


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="released-intacct",
        description=(
            "Keeps a Re-Leased company and a Sage Intacct company in step: connect and onboard a "
            "company, sync it, read its status and results, serve the admin API."
        ),
        epilog="examples:\n"
        "  released-intacct --config settings.toml status\n"
        "  RELEASED_INTACCT_DATABASE=state.db ... released-intacct sync conn-3f2a...\n"
        "  released-intacct COMMAND --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _shared_options(cli, top=True)
    commands = cli.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.register(commands)
    for each in commands.choices.values():
        _shared_options(each, top=False)
    return cli


def _shared_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--config``, ``-v`` and ``--log-format``, taken before the command and after it alike.
    After it they have no default (``SUPPRESS``), so a command does not wipe out what was given
    before it."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None if top else argparse.SUPPRESS,
        help="TOML settings file (default: the RELEASED_INTACCT_* environment variables)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help="log to stderr (-vv: debug)",
    )
    parser.add_argument(
        "--log-format",
        choices=FORMATS,
        default="logfmt" if top else argparse.SUPPRESS,
        help="log lines as logfmt (key=value, the default) or as JSON objects",
    )


def _version() -> str:
    """The installed package's version (its metadata), or why there is none."""
    try:
        return metadata.version("released-intacct")
    except metadata.PackageNotFoundError:
        return "(not installed: no package metadata)"


def console_from_process() -> Console:
    """The real terminal: stdin/stdout, the environment, ``input`` and ``getpass``."""
    return Console(
        out=sys.stdout,
        err=sys.stderr,
        environ=dict(os.environ),
        ask=input,
        ask_secret=getpass.getpass,
        interactive=sys.stdin.isatty(),
        tty=sys.stdout.isatty(),
    )


def main(argv: Sequence[str] | None = None, *, console: Console | None = None) -> int:
    """Run one command; its exit code."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else REFUSED
    where = console or console_from_process()
    logs = logging_to(
        where.err, verbosity=args.verbose, secrets=where.secrets, log_format=args.log_format
    )
    with logs:
        try:
            settings = _settings(args.config, where)
        except SettingsError as error:
            return problems(error.problems, where, what="the settings cannot be used")
        where.secrets.extend(secrets_of(settings))
        return _run(args.run, args, settings, where, last=argv is None and console is None)


def _settings(config: str | None, console: Console) -> Settings:
    if config is not None:
        exposed = exposed_settings_file(config)
        if exposed is not None:
            print(f"warning: {exposed}", file=console.err, flush=True)
        return settings_from_toml(config)
    return settings_from_env(console.environ)


def _run(
    run: Command, args: argparse.Namespace, settings: Settings, console: Console, *, last: bool
) -> int:
    """``last``: the command is the process's own (``released-intacct`` run as a program)."""
    if last:
        # what is alive now (modules, settings) lives as long as the process: the collector
        # stops walking it on every full collection (``bench/_engine.py`` does the same)
        gc.freeze()
    try:
        return asyncio.run(interruptible(run(args, settings, console), last=last))
    except SettingsError as error:
        return problems(error.problems, console, what="the settings cannot be used")
    except sqlite3.Error as error:
        print(
            f"error: the state store {settings.database} cannot be opened: {error}; check the "
            "database setting (RELEASED_INTACCT_DATABASE) and the file's permissions",
            file=console.err,
        )
    except psycopg.Error as error:  # the DSN may hold a password: named by database and host
        print(
            f"error: the state store ({postgres.describe(settings.database)}) cannot be opened: "
            f"{type(error).__name__}: {' '.join(str(error).split())}; check the database setting "
            "(RELEASED_INTACCT_DATABASE) and that the server is up",
            file=console.err,
        )
    except ValueError as error:  # the store refuses a key that is not a Fernet key
        if "encryption" not in str(error):
            raise
        key = "previous_keys" if "previous key" in str(error) else "encryption_key"
        print(
            f"error: {error}; check the {key} setting ({_config.env_name(key)})",
            file=console.err,
        )
    except KeyboardInterrupt as stop:  # 128 + the signal: 130 Ctrl-C, 143 SIGTERM
        print("error: interrupted; run the command again to carry on", file=console.err)
        return stop.code if isinstance(stop, Interrupted) else INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): nothing to say, nobody to hear
        return _pipe_closed(console)
    return REFUSED


def _pipe_closed(console: Console) -> int:
    """Exit quietly when the output's reader closed it: what is left to write goes nowhere (so
    the interpreter's last flush does not fail again), exit code 141 (128 + SIGPIPE, as a tool
    the signal stops)."""
    if console.out is sys.stdout:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
    return PIPE_CLOSED
