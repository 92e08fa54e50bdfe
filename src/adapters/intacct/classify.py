"""What the engine does next after an Intacct failure, as a ``SyncError``.

One place owns the policy (the Singer SDK's idea): HTTP statuses, control-, authentication- and
function-level errors each map to a kind (spec §2, error levels):

    RETRIABLE  429 / GW-0010, 408, an expired session, a function rolled back with its batch, and
               the *uncertain* outcomes (5xx, 524, a 2xx reply that cannot be read, "control id
               already executed"), whose cause starts with :data:`UNCERTAIN` or :data:`MALFORMED`:
               the work may have been done, so the record is looked up by key before a re-send
    FATAL      the sender or user refused (rule C2), the company expired, a request we built was
               invalid, any other control-level failure
    REJECTED   a function Intacct refused: this record fails, the run goes on; a refusal for want
               of a permission is FATAL (nothing of that kind can succeed), C5 for AUDITHISTORY

``cause`` keeps Intacct's errorno and description2 (or the HTTP status and the start of the body)
for support; nothing here ever sees a credential.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from released_intacct.adapters.intacct.reply import FunctionResult, IntacctError
from released_intacct.adapters.retrying import retry_after_seconds as header_seconds
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError

__all__ = [
    "ALREADY_EXECUTED",
    "AUDIT_PERMISSION_FIX",
    "MALFORMED",
    "ROLLED_BACK",
    "UNCERTAIN",
    "already_executed",
    "auth_error",
    "control_error",
    "function_error",
    "http_error",
    "permission_error",
    "retry_after_seconds",
    "session_expired",
    "uncertain",
    "unreadable",
]

UNCERTAIN: Final = "uncertain: the request may have been processed"
MALFORMED: Final = "malformed response"
ALREADY_EXECUTED: Final = "XL03000014"
"""The simulator's errorno for a re-used function control id (the real one is not documented)."""
ROLLED_BACK: Final = "XL03000009"
RATE_LIMITED: Final = "GW-0010"
HEAD_CHARS: Final = 200

_SUPPORT: Final = "Contact support with the details of this error."
_LOOK_UP: Final = "Nothing to do: the record is looked up in Intacct before it is sent again."
_LATER: Final = "Nothing to do: the sync tries again shortly."
_CHECK_USER: Final = (
    "Check the Web Services user in Intacct (user ID, company ID and password, and that the user"
    " is active), then update the connection's credentials."
)
_AUTHORIZE: Final = (
    "In Intacct, open Company > Setup > Company > Security and add the sender ID to the Web"
    " Services authorizations."
)
_SECRET_MARKERS: Final = (b"<password", b"<sessionid")


def control_error(errors: Sequence[IntacctError]) -> SyncError:
    """A failed ``<control>`` block: nothing in the request ran."""
    numbers = {error.errorno for error in errors}
    cause = _cause(errors)
    if _rate_limited(errors):
        return _error(ErrorKind.RETRIABLE, None, "Intacct is busy (rate limit).", _LATER, cause)
    if "XL03000006" in numbers:
        fix = "Check the Web Services sender ID and sender password (they are case-sensitive)."
        return _error(
            ErrorKind.FATAL, Rule.C2, "Intacct refused the Web Services sender.", fix, cause
        )
    if "XMLGW_JPP0002" in numbers:
        return _error(
            ErrorKind.FATAL, Rule.C2, "Intacct did not accept the sign-in.", _CHECK_USER, cause
        )
    if numbers & {"XL03000003", "GW-0011"}:
        message = "Intacct could not read a request this integration built."
        return _error(ErrorKind.FATAL, None, message, _SUPPORT, cause)
    if "PL04000055" in numbers:
        fix = "Renew the Intacct subscription, or connect an active company, then sync again."
        return _error(ErrorKind.FATAL, None, "The Intacct company has expired.", fix, cause)
    return _error(ErrorKind.FATAL, None, "Intacct refused the request.", _SUPPORT, cause)


def auth_error(errors: Sequence[IntacctError]) -> SyncError:
    """A failed ``<authentication>``: no function ran."""
    cause = _cause(errors)
    if session_expired(errors):
        message = "The Intacct session has ended; the sync signs in again."
        return _error(ErrorKind.RETRIABLE, None, message, _LATER, cause)
    if any("web services authorization" in _words(error) for error in errors):
        message = "This Intacct company has not authorized the Web Services sender."
        return _error(ErrorKind.FATAL, Rule.C2, message, _AUTHORIZE, cause)
    message = "Intacct did not accept the Web Services user's sign-in."
    return _error(ErrorKind.FATAL, Rule.C2, message, _CHECK_USER, cause)


def session_expired(errors: Sequence[IntacctError]) -> bool:
    """An authentication failure that names the session (expired or unknown): log in again."""
    return any("session" in _words(error) for error in errors)


def function_error(result: FunctionResult, *, record: RecordRef | None) -> SyncError:
    """A function that did not succeed: only this record is affected (unless in a transaction)."""
    cause = _cause(result.errors)
    if already_executed(result):
        message = "Intacct says this record was already sent; it is looked up before a re-send."
        error = _error(ErrorKind.RETRIABLE, None, message, _LOOK_UP, f"{UNCERTAIN}; {cause}")
    elif _rate_limited(result.errors):
        error = _error(ErrorKind.RETRIABLE, None, "Intacct is busy (rate limit).", _LATER, cause)
    elif _denied(result.errors):
        error = permission_error(result.errors)
    elif result.status == "aborted" or _only_rollback(result.errors):
        message = "Intacct rolled this record back because another record in its batch failed."
        error = _error(
            ErrorKind.RETRIABLE, None, message, "Nothing to do: it is sent again.", cause
        )
    else:
        message = f"Intacct refused this record: {_summary(result.errors)}"
        corrections = _unique(error.correction for error in result.errors)
        fix = " ".join(corrections) or "Correct the record, then sync again."
        error = _error(ErrorKind.REJECTED, None, message, fix, cause)
    return error if record is None else error.about(record)


AUDIT_PERMISSION_FIX: Final = (
    "In Intacct, give the Web Services user (or its role) the View permission for Custom reports"
    " (Platform Services application), then sync again."
)


def permission_error(errors: Sequence[IntacctError]) -> SyncError:
    """The Web Services user lacks a permission: nothing of that kind can be read or written until
    an administrator grants it. Reading AUDITHISTORY needs the View permission for custom reports
    (Platform Services; [XMLDOC company-console-audit-trails]); Intacct's words for a refusal are
    "You do not have permission for API operation ... on objects of type ..." (PL04000005, seen
    in public code; sageintacct-sdk-py keys its NoPrivilegeError on the same words)."""
    cause = _cause(errors)
    if "audithistory" in " ".join(_words(error) for error in errors):
        message = (
            "The Web Services user may not read Intacct's audit trail (AUDITHISTORY), which is"
            " where deletions in Intacct are seen (rules D8, D9)."
        )
        return _error(ErrorKind.FATAL, Rule.C5, message, AUDIT_PERMISSION_FIX, cause)
    message = f"The Web Services user lacks a permission in Intacct: {_summary(errors)}"
    fix = (
        "In Intacct, give the Web Services user (or its role) the permission named, under"
        " Company > Admin > Users or Roles, then sync again."
    )
    return _error(ErrorKind.FATAL, None, message, fix, cause)


def already_executed(result: FunctionResult) -> bool:
    """Intacct refused the function because its control id already ran (``uniqueid`` true)."""
    return any(
        error.errorno == ALREADY_EXECUTED
        or ("already executed" in _words(error) and "control" in _words(error))
        for error in result.errors
    )


def http_error(status: int, *, retry_after: str | None) -> SyncError:
    """An HTTP status that carries no usable reply."""
    cause = f"HTTP {status}"
    if status == 429:
        if retry_after and len(retry_after) <= 40 and retry_after.isprintable():
            cause = f"{cause} {RATE_LIMITED}; retry-after={retry_after.strip()}"
        message = "Intacct is busy (too many requests)."
        return _error(ErrorKind.RETRIABLE, None, message, _LATER, cause)
    if status >= 500:
        message = (
            f"Intacct did not confirm the request (HTTP {status}); it may have been processed."
        )
        return _error(ErrorKind.RETRIABLE, None, message, _LOOK_UP, f"{UNCERTAIN}; {cause}")
    if status == 408:
        message = "Intacct stopped waiting for the request (HTTP 408)."
        return _error(ErrorKind.RETRIABLE, None, message, _LATER, cause)
    if status in (401, 403):
        message = f"Intacct refused the sign-in (HTTP {status})."
        return _error(ErrorKind.FATAL, Rule.C2, message, _CHECK_USER, cause)
    if 400 <= status < 500:
        message = f"Intacct refused the request (HTTP {status})."
        return _error(ErrorKind.FATAL, None, message, _SUPPORT, cause)
    message = f"Intacct answered with an unexpected HTTP status {status}."
    return _error(ErrorKind.FATAL, None, message, _SUPPORT, cause)


def unreadable(status: int, reason: str, *, head: bytes) -> SyncError:
    """A body that is not a usable Intacct reply: uncertain on a 2xx, else as its status says."""
    shown = f"{reason}; first bytes: {_head(head)!r}"
    if 200 <= status < 300:
        message = f"Intacct's reply could not be read ({reason}); it may have been processed."
        cause = f"{MALFORMED}: HTTP {status}; {shown}"
        return _error(ErrorKind.RETRIABLE, None, message, _LOOK_UP, cause)
    base = http_error(status, retry_after=None)
    message = f"{base.message} The reply was not Intacct XML ({reason})."
    return _error(base.kind, base.rule, message, base.fix, f"HTTP {status}; {shown}")


def uncertain(error: SyncError) -> bool:
    """The request may have been processed: look the record up by key before sending it again."""
    cause = error.cause or ""
    return cause.startswith((UNCERTAIN, MALFORMED))


def retry_after_seconds(error: SyncError) -> float | None:
    """The ``Retry-After`` seconds a 429 carried, when it gave a number."""
    cause = error.cause or ""
    _, found, rest = cause.partition("retry-after=")
    # an HTTP date gives None: the caller's own back-off applies
    return header_seconds(rest.split(";")[0]) if found else None


def _error(kind: ErrorKind, rule: Rule | None, message: str, fix: str, cause: str) -> SyncError:
    return SyncError(kind=kind, rule=rule, message=message, fix=fix, cause=cause)


def _cause(errors: Sequence[IntacctError]) -> str:
    """``errorno: description2; ...`` (description when description2 is empty)."""
    parts = [f"{e.errorno}: {e.description2 or e.description}".strip() for e in errors]
    return "; ".join(parts) or "no error details"


def _words(error: IntacctError) -> str:
    return f"{error.description} {error.description2}".lower()


def _rate_limited(errors: Sequence[IntacctError]) -> bool:
    return any(e.errorno == RATE_LIMITED or "rate limit" in _words(e) for e in errors)


def _denied(errors: Sequence[IntacctError]) -> bool:
    return any("do not have permission" in _words(e) for e in errors)


def _only_rollback(errors: Sequence[IntacctError]) -> bool:
    return bool(errors) and all(error.errorno == ROLLED_BACK for error in errors)


def _summary(errors: Sequence[IntacctError]) -> str:
    """The description2s in words, without support ids, repeats or the rollback notice."""
    own = [error for error in errors if error.errorno != ROLLED_BACK] or list(errors)
    texts = (
        (error.description2 or error.description or error.errorno).split("[Support ID")[0].strip()
        for error in own
    )
    return " ".join(_sentence(text) for text in _unique(texts)) or "no reason given."


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _unique(texts: Iterable[str]) -> list[str]:
    """``texts`` with blanks and case-insensitive repeats left out, whitespace collapsed."""
    seen: set[str] = set()
    kept: list[str] = []
    for text in texts:
        tidy = " ".join(text.split())
        if tidy and tidy.lower() not in seen:
            seen.add(tidy.lower())
            kept.append(tidy)
    return kept


def _head(body: bytes) -> str:
    """At most :data:`HEAD_CHARS` printable characters of ``body``, cut before any secret tag."""
    head = body[: HEAD_CHARS * 4]
    lowered = head.lower()
    for marker in _SECRET_MARKERS:
        at = lowered.find(marker)
        if at >= 0:
            head = head[:at]
            lowered = lowered[:at]
    text = head.decode("utf-8", "replace")
    return "".join(c if c.isprintable() else " " for c in text)[:HEAD_CHARS]
