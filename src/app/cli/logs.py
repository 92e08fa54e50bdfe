"""Structured log lines on stderr (``-v``): ``at=... level=... logger=... event=... key=value``.

The product's own messages are already ``key=value`` pairs; any other message (a library's) is
quoted as ``msg="..."``. The handler hides every credential the process knows: the secrets are
given to it, and each one found in a line (a library's debug output, say) is replaced by stars.

Decided: without ``-v`` only errors are logged; ``-v`` adds info and warnings, ``-vv`` debug.
The HTTP libraries (httpx, httpcore) and uvicorn's access log speak only at ``-vv``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TextIO

from released_intacct.domain.secret import Secret

__all__ = ["KeyValueFormatter", "logging_to"]

_HIDDEN = "**********"
_NOISY = ("httpx", "httpcore", "uvicorn.access", "aiosqlite")


class KeyValueFormatter(logging.Formatter):
    """One ``key=value`` line per record, with every known secret hidden."""

    def __init__(self, secrets: Sequence[Secret]) -> None:
        super().__init__()
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        message = record.getMessage()
        body = message if _is_pairs(message) else f"msg={_quoted(message)}"
        line = f"at={at} level={record.levelname.lower()} logger={record.name} {body}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f" error_type={type(error).__name__} error={_quoted(str(error))}"
        return self._hidden(line)

    def _hidden(self, line: str) -> str:
        for secret in self._secrets:
            value = secret.reveal()
            if value:
                line = line.replace(value, _HIDDEN)
        return line


def _is_pairs(message: str) -> bool:
    first = message.split(" ", 1)[0]
    return "=" in first and first.split("=", 1)[0].isidentifier()


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@contextmanager
def logging_to(stream: TextIO, *, verbosity: int, secrets: Sequence[Secret]) -> Iterator[None]:
    """Log to ``stream`` while the block runs; the root logger is restored after it."""
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter(secrets))
    level = logging.ERROR if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    earlier = root.level
    noisy = {name: logging.getLogger(name).level for name in _NOISY}
    root.addHandler(handler)
    root.setLevel(level)
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(earlier)
        for name, was in noisy.items():
            logging.getLogger(name).setLevel(was)
