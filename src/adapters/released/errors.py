"""What the engine does next after a Re-Leased failure, as a ``SyncError``.

One place owns the policy (the Singer SDK's idea):

    RETRIABLE  429 ``rate_limited``; 5xx (and 524) and transport failures, once the transport has
               used its attempts (creates carry their ``Idempotency-Key``, updates their
               ``version``, so repeating them is safe); 409 ``version_conflict`` ("changed in
               Re-Leased meanwhile": read it again, plan again); a reply that is not JSON at all
    FATAL      401 / 403 (the API key or company), a reply whose JSON has the wrong shape (the
               server and this adapter disagree about the REST model), any other 4xx that means
               a request we built was wrong (e.g. 400 without ``validation_failed``)
    NEEDS_USER 404: the record is gone from Re-Leased; unlink or relink it
    REJECTED   400 ``validation_failed`` and 422 business rules (``invalid_transition``,
               ``invoice_locked``, ``idempotency_key_reused``, ...), 409 ``id_taken``, and an
               item of a list page that cannot be read (a problem of the page, rule E1)

Messages name the fields the error body's ``details`` name, and the JSON path of a malformed
value. ``cause`` keeps the HTTP status, the error code and at most :data:`HEAD_CHARS` characters
of an unreadable body; the API key is redacted by the transport from everything it returns.
"""

from __future__ import annotations

from typing import Final

import msgspec

from released_intacct.adapters.released.wire import ErrorBody, decoder, described
from released_intacct.adapters.retrying import retry_after_seconds, unsent_error
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = [
    "HEAD_CHARS",
    "http_error",
    "is_conflict",
    "malformed",
    "retry_after_seconds",
    "too_large",
    "transport_error",
]

HEAD_CHARS: Final = 200
VERSION_CONFLICT: Final = "version_conflict"

_ERROR: Final = decoder(ErrorBody)
_LATER: Final = "Nothing to do: the sync tries again shortly."
_SUPPORT: Final = "Contact support with the details of this error."
_FIX_RECORD: Final = "Correct the record (or its mapping), then sync again."
_CHECK_KEY: Final = (
    "Check the Re-Leased API key and company id of the connection, and that the key may use"
    " this company."
)


def http_error(status: int, body: bytes, *, retry_after: float | None = None) -> SyncError:
    """A non-2xx reply, read from its error body when it has one; ``retry_after``: the seconds a
    429 asked to wait (``SyncError.retry_after``)."""
    try:
        info = _ERROR.decode(body).error
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return _status_only(status, body, retry_after=retry_after)
    fields = "; ".join(f"{detail.field}: {detail.message}".strip(": ") for detail in info.details)
    said = info.message.rstrip(".") or info.code
    said = f"{said} ({fields})" if fields else said
    cause = f"HTTP {status} {info.code}"
    kind, message, fix = _policy(status, info.code, said)
    return SyncError(
        kind=kind, rule=None, message=message, fix=fix, cause=cause, retry_after=retry_after
    )


def is_conflict(error: SyncError) -> bool:
    """A 409 (``version_conflict``, or a 409 whose body could not be read): the record is not at
    the version written against, possibly because the same write landed moments before."""
    return (error.cause or "").startswith("HTTP 409")


def is_gone(error: SyncError) -> bool:
    """A 404: Re-Leased holds no record at that path."""
    return (error.cause or "").startswith("HTTP 404")


def _policy(status: int, code: str, said: str) -> tuple[ErrorKind, str, str]:
    if status == 429 or status >= 500:
        busy = status == 429
        message = (
            "Re-Leased is busy (too many requests)."
            if busy
            else (f"Re-Leased failed to answer (HTTP {status}: {said}).")
        )
        return ErrorKind.RETRIABLE, message, _LATER
    if status in (401, 403):
        return ErrorKind.FATAL, f"Re-Leased refused the API key ({said}).", _CHECK_KEY
    if status == 404:
        message = f"The record is no longer in Re-Leased ({said})."
        return ErrorKind.NEEDS_USER, message, "Unlink the record, or link it to another one."
    if code == VERSION_CONFLICT:
        message = f"The record was changed in Re-Leased meanwhile ({said})."
        return ErrorKind.RETRIABLE, message, "Nothing to do: it is read again and re-planned."
    if status == 422 or code in ("validation_failed", "id_taken"):
        return ErrorKind.REJECTED, f"Re-Leased refused this record: {said}.", _FIX_RECORD
    return ErrorKind.FATAL, f"Re-Leased refused a request (HTTP {status}: {said}).", _SUPPORT


def _status_only(status: int, body: bytes, *, retry_after: float | None) -> SyncError:
    kind, message, fix = _policy(status, "", f"no error body; starts {_head(body)!r}")
    cause = f"HTTP {status}"
    return SyncError(
        kind=kind, rule=None, message=message, fix=fix, cause=cause, retry_after=retry_after
    )


def malformed(
    error: msgspec.DecodeError | msgspec.ValidationError, body: bytes, *, root: str = "$"
) -> SyncError:
    """A 2xx reply that is not the JSON the REST model promises (``root``: where ``body`` sits)."""
    if isinstance(error, msgspec.ValidationError):
        where = described(error, root=root)
        message = f"Re-Leased sent a reply this integration cannot read: {where}."
        cause = f"unexpected JSON: {where}"
        return SyncError(
            kind=ErrorKind.FATAL, rule=None, message=message, fix=_SUPPORT, cause=cause
        )
    message = f"Re-Leased sent a reply that is not JSON ({error}); it starts {_head(body)!r}."
    cause = f"malformed JSON: {error}"
    return SyncError(kind=ErrorKind.RETRIABLE, rule=None, message=message, fix=_LATER, cause=cause)


def too_large(status: int, limit: int) -> SyncError:
    """A reply longer than ``limit`` bytes, refused unread past the limit."""
    message = f"Re-Leased sent a reply larger than {limit} bytes (HTTP {status}); it was not read."
    cause = f"HTTP {status}; reply over {limit} bytes"
    return SyncError(kind=ErrorKind.RETRIABLE, rule=None, message=message, fix=_LATER, cause=cause)


def transport_error(error: Exception) -> SyncError:
    """A request that got no reply; ``cause`` is the exception's type only (no URL, no header).
    One that never left is ``unsent`` (``retrying.unsent_error``): nothing to look up."""
    unsent = unsent_error(error, system="Re-Leased")
    if unsent is not None:
        return unsent
    name = type(error).__name__
    what = "timed out" if "Timeout" in name else "failed"
    message = f"The connection to Re-Leased {what}; the request may or may not have run."
    fix = "Nothing to do: the sync retries (creates are replayed by their key)."
    return SyncError(kind=ErrorKind.RETRIABLE, rule=None, message=message, fix=fix, cause=name)


def _head(body: bytes) -> str:
    text = body[: HEAD_CHARS * 4].decode("utf-8", "replace")
    return "".join(c if c.isprintable() else " " for c in text)[:HEAD_CHARS]
