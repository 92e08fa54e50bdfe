"""The one way the product logs: structlog, handing each event to the standard library's logging.

``log = logger(__name__)``, then ``log.info("sync_done", connection=id, run=run.id)``: an event
name and its key-value pairs. Every event becomes a ``logging.LogRecord`` of the logger ``name``,
so a host that embeds the library keeps its own handlers, levels and filters: structlog is not
configured globally (``structlog.configure`` is never called), the processors are fixed here.

The record's ``msg`` is an :class:`Event`: the pairs as data (``record.msg["connection"]``), and,
read as a message (``record.getMessage()``, any plain ``logging.Formatter``), one logfmt line
``event=sync_done connection=conn-1 run=run-7``. The CLI's handler (``cli.logs``) renders the
same data with timestamps, levels and secrets hidden, as logfmt or JSON lines.
"""

from __future__ import annotations

import logging
import os
import sys
from types import FrameType
from typing import Any, Final

import structlog
from structlog.processors import LogfmtRenderer
from structlog.typing import EventDict, WrappedLogger

__all__ = ["Event", "logger"]

_STRUCTLOG: Final = os.path.dirname(structlog.__file__) + os.sep
_LOGFMT: Final = LogfmtRenderer(key_order=["event"], bool_as_flag=False)


class Event(dict[str, Any]):
    """One log event's pairs (``event`` is its name); ``str()`` is its logfmt line."""

    def __str__(self) -> str:
        return _LOGFMT(None, "", {k: v for k, v in self.items() if k != "exc_info"})


def _to_record(
    logger: WrappedLogger, method: str, event_dict: EventDict
) -> tuple[tuple[Event], dict[str, Any]]:
    """The last processor: the positional and keyword arguments of the stdlib logger's call.
    An exception (``log.exception``, ``exc_info=True``) is taken now, while it is being handled,
    and goes both on the record (a host's handler prints it) and in the event."""
    exc_info = event_dict.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    event = Event(event=event_dict.pop("event"), **event_dict)
    arguments: dict[str, Any] = {
        "extra": {"_logger": logger, "_name": method},
        "stacklevel": _structlog_frames(),
    }
    if exc_info:
        event["exc_info"] = exc_info
        arguments["exc_info"] = exc_info
    else:
        event.pop("exc_info", None)
    return (event,), arguments


def _structlog_frames() -> int:
    """The structlog frames between this processor and the product's call, as the stdlib
    logger's ``stacklevel``: the record's file, line and function are the caller's."""
    frame: FrameType | None = sys._getframe(2)
    count = 0
    while frame is not None and frame.f_code.co_filename.startswith(_STRUCTLOG):
        frame, count = frame.f_back, count + 1
    return count


def logger(name: str) -> structlog.stdlib.BoundLogger:
    """The structlog logger of the stdlib logger ``name`` (a module's ``__name__``)."""
    wrapped: structlog.stdlib.BoundLogger = structlog.wrap_logger(
        logging.getLogger(name),
        processors=[structlog.stdlib.filter_by_level, _to_record],
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return wrapped
