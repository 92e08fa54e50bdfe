"""The CLI's log handler on stderr (``-v``): one event per line, logfmt or JSON, secrets hidden.

Every record reaches the same processors: the product's events (structlog, ``adapters.log``)
with their pairs, and any library's record (httpx, uvicorn, psycopg: a "foreign" record, its
message as ``event``) through the foreign pre-chain. A line is
``at=... level=... logger=... event=... key=value`` (logfmt, the default), or with
``--log-format json`` one JSON object per line with the same keys.

- One event per line: an exception is ``error_type=... error="..."`` inside it; at ``-vv`` its
  traceback too, as the ``exception`` value (newlines escaped), never lines of its own.
- Every credential the process knows is replaced by stars wherever it appears (a value, an
  exception's message or traceback, a library's message): ``Hidden`` is a processor, run on the
  values before rendering and on the rendered line.
- Decided: without ``-v`` only errors are logged; ``-v`` adds info and warnings, ``-vv`` debug.
  The HTTP libraries (httpx, httpcore), uvicorn's access log and aiosqlite speak only at ``-vv``,
  and httpx's request lines (INFO in httpx) are shown as ``level=debug``.

A host embedding the library can put the same formatter on its own handler: ``formatter(...)``.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from released_intacct.app.settings import Settings
from released_intacct.domain.secret import Secret

__all__ = ["FORMATS", "Hidden", "LogFormat", "formatter", "logging_to", "secrets_of"]

LogFormat = Literal["logfmt", "json"]
FORMATS: Final[tuple[LogFormat, ...]] = ("logfmt", "json")
_HIDDEN: Final = "**********"
_NOISY: Final = ("httpx", "httpcore", "uvicorn.access", "aiosqlite")
_ORDER: Final = ["at", "level", "logger", "event"]


class Hidden:
    """A processor replacing every known secret by stars: in each value of an event (before it
    is rendered), or in the rendered line. ``secrets`` may grow after it is made (the CLI learns
    them from the settings it reads)."""

    def __init__(self, secrets: Sequence[Secret]) -> None:
        self._secrets = secrets

    def __call__(self, _: WrappedLogger, __: str, event: EventDict | str) -> Any:
        if isinstance(event, str):
            return self.text(event)
        return {key: self._value(value) for key, value in event.items()}

    def text(self, text: str) -> str:
        for secret in self._secrets:
            value = secret.reveal()
            if value:
                text = text.replace(value, _HIDDEN)
        return text

    def _value(self, value: Any) -> Any:
        return self.text(value) if isinstance(value, str) else value


def _plain(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """Values as JSON and logfmt both read them: numbers, booleans and None kept, the rest as
    their ``str`` (an error says its rule, message and fix; a date its ISO form)."""
    keep = (int, float, bool, str, type(None))
    return {key: value if isinstance(value, keep) else str(value) for key, value in event.items()}


def _exception(verbose: bool) -> Processor:
    """An exception as pairs of its event: its type and message, and at ``-vv`` its traceback."""

    def processor(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
        info = event.pop("exc_info", None)
        if isinstance(info, BaseException):
            info = (type(info), info, info.__traceback__)
        if isinstance(info, tuple) and info[1] is not None:
            event.setdefault("error_type", type(info[1]).__name__)
            event.setdefault("error", str(info[1]))
            if verbose:
                event["exception"] = "".join(traceback.format_exception(*info)).rstrip()
        return event

    return processor


def _level_and_logger(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """The record's level and logger name, unless a processor before said otherwise."""
    record: logging.LogRecord = event["_record"]
    event.setdefault("level", record.levelname.lower())
    event.setdefault("logger", record.name)
    return event


def _http_at_debug(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """httpx's request lines (``HTTP Request: POST ...``, logged at INFO) read as debug."""
    if str(event["logger"]).startswith(("httpx", "httpcore")) and event["level"] == "info":
        event["level"] = "debug"
    return event


def _ordered(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """``at``, ``level``, ``logger`` and ``event`` first, then the event's pairs; the record
    (the formatter's own) left out."""
    event.pop("_record", None)
    event.pop("_from_structlog", None)
    first = {key: event.pop(key) for key in _ORDER if key in event}
    return {**first, **event}


def formatter(
    secrets: Sequence[Secret], *, log_format: LogFormat = "logfmt", verbose: bool = False
) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the CLI's handler: one line per record, with every secret hidden."""
    hidden = Hidden(secrets)
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.processors.LogfmtRenderer(key_order=_ORDER, bool_as_flag=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[_level_and_logger, _http_at_debug],
        processors=[
            _level_and_logger,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="at"),
            _exception(verbose),
            _ordered,
            _plain,
            hidden,
            renderer,
            hidden,
        ],
        keep_exc_info=False,
        keep_stack_info=False,
    )


def secrets_of(settings: Settings) -> list[Secret]:
    """The secrets of ``settings`` a log line must never show."""
    return [
        s
        for s in (
            settings.encryption_key,
            *settings.previous_keys,
            settings.admin_token,
            settings.released_api_key,
        )
        if s is not None
    ]


@contextmanager
def logging_to(
    stream: TextIO,
    *,
    verbosity: int,
    secrets: Sequence[Secret],
    log_format: LogFormat = "logfmt",
) -> Iterator[None]:
    """Log to ``stream`` while the block runs; the root logger is restored after it."""
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(secrets, log_format=log_format, verbose=verbosity >= 2))
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
