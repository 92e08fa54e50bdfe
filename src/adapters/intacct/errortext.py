"""Putting an Intacct failure into words: the cause kept for support, the summary a bookkeeper
reads, and the start of a body that is not a reply (cut before any secret).

``classify`` decides what a failure means; this only words it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from released_intacct.adapters.intacct.reply import IntacctError

__all__ = ["HEAD_CHARS", "cause", "head", "summary", "unique", "words"]

HEAD_CHARS: Final = 200
_SECRET_MARKERS: Final = (b"<password", b"<sessionid")


def cause(errors: Sequence[IntacctError]) -> str:
    """``errorno: description2; ...`` (description when description2 is empty)."""
    parts = [f"{e.errorno}: {e.description2 or e.description}".strip() for e in errors]
    return "; ".join(parts) or "no error details"


def words(error: IntacctError) -> str:
    """The error's description and description2, lower-cased, to match words in."""
    return f"{error.description} {error.description2}".lower()


def summary(errors: Sequence[IntacctError], *, leave_out: str) -> str:
    """The description2s in words, without support ids, repeats or the errors numbered
    ``leave_out`` (the rollback notice), unless those are all there is."""
    own = [error for error in errors if error.errorno != leave_out] or list(errors)
    texts = (
        (error.description2 or error.description or error.errorno).split("[Support ID")[0].strip()
        for error in own
    )
    return " ".join(_sentence(text) for text in unique(texts)) or "no reason given."


def unique(texts: Iterable[str]) -> list[str]:
    """``texts`` with blanks and case-insensitive repeats left out, whitespace collapsed."""
    seen: set[str] = set()
    kept: list[str] = []
    for text in texts:
        tidy = " ".join(text.split())
        if tidy and tidy.lower() not in seen:
            seen.add(tidy.lower())
            kept.append(tidy)
    return kept


def head(body: bytes) -> str:
    """At most :data:`HEAD_CHARS` printable characters of ``body``, cut before any secret tag."""
    start = body[: HEAD_CHARS * 4]
    lowered = start.lower()
    for marker in _SECRET_MARKERS:
        at = lowered.find(marker)
        if at >= 0:
            start = start[:at]
            lowered = lowered[:at]
    text = start.decode("utf-8", "replace")
    return "".join(c if c.isprintable() else " " for c in text)[:HEAD_CHARS]


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."
