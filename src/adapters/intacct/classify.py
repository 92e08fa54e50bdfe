"""What the engine does next after an Intacct failure, as a ``SyncError``.

One place owns the policy (the Singer SDK's idea): HTTP statuses, control-, authentication- and
function-level errors each map to a kind (spec §2, error levels):

    RETRIABLE  429 / GW-0010 and "API rate limit exceeded" at any level, "The Service is
               Temporarily Off-line" (correction 8), 408, an expired or stale session, a function
               rolled back with its batch, and the *uncertain* outcomes (5xx, 524, a 2xx reply
               that cannot be read, "control id already executed", any failure of a write sent
               again), whose cause starts with :data:`UNCERTAIN` or :data:`MALFORMED`: the work
               may have been done, so the record is looked up by key before anything else
    FATAL      the sender or user refused (rule C2), the company expired, a request we built was
               invalid, any other control-level failure
    REJECTED   a function Intacct refused: this record fails, the run goes on; a refusal for want
               of a permission is FATAL (nothing of that kind can succeed), C5 for AUDITHISTORY

A request signed with a session id that Intacct refuses at sign-in (an authentication failure, or
HTTP 401 ``XMLGW_JPP0002``) ran nothing: :func:`session_refused` says so, the session keeper logs in
again and resends, and only a log-in that fails is judged a credentials problem (rule C2).
How long to wait comes from ``Retry-After``, ``X-IA-Throttle-Limit-RetryAfter`` or
``X-IA-TENANT-Throttle-Limit-Retry-After`` (``retrying.retry_after_header``, the longest).

The uncertain causes, ``uncertain``, ``overfull`` and the fixes this module shares with the REST
API's (``intacct_rest.classify``) are ``adapters.failures``'; they are named here too.

``cause`` keeps Intacct's errorno and description2 (or the HTTP status and the start of the body)
for support; nothing here ever sees a credential.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.failures import (
    CHECK_ENDPOINT,
    LATER,
    LOOK_UP,
    MALFORMED,
    SUPPORT,
    UNCERTAIN,
    overfull,
    uncertain,
)
from released_intacct.adapters.failures import error as _error
from released_intacct.adapters.intacct.errortext import cause as _cause
from released_intacct.adapters.intacct.errortext import head as _head
from released_intacct.adapters.intacct.errortext import summary as _summary
from released_intacct.adapters.intacct.errortext import unique as _unique
from released_intacct.adapters.intacct.errortext import words as _words
from released_intacct.adapters.intacct.reply import FunctionResult, IntacctError, Response
from released_intacct.adapters.retrying import retry_after_seconds as header_seconds
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError

__all__ = [
    "ALREADY_EXECUTED",
    "AUDIT_PERMISSION_FIX",
    "MALFORMED",
    "ROLLED_BACK",
    "SIGN_IN_REFUSED",
    "UNCERTAIN",
    "already_executed",
    "auth_error",
    "busy",
    "control_error",
    "function_error",
    "http_error",
    "overfull",
    "overgrown",
    "permission_error",
    "session_expired",
    "session_refused",
    "uncertain",
    "unprocessed",
    "unreadable",
]

ALREADY_EXECUTED: Final = "XL03000014"
"""The simulator's own errorno for a function control id already executed (``uniqueid`` true).

Intacct's errorno and text for that refusal are not documented (correction 6), so nothing rests
on this number: any failure of a write sent again is uncertain (``function_error(resent=True)``)
and its record is looked up by key first. It is recognised only to say so sooner."""
ROLLED_BACK: Final = "XL03000009"
RATE_LIMITED: Final = "GW-0010"
SIGN_IN_REFUSED: Final = "XMLGW_JPP0002"
"""HTTP 401 at control level: "Sign-in information is incorrect" (the SDKs' tests)."""
_OFFLINE: Final = ("temporarily off-line", "temporarily offline")
_UNPROCESSED: Final = "there was an error processing the request"
"""What real clients meet on AUDITHISTORY pages (tap-intacct skips such a page; DL02000001 in a
public client's test): the read may succeed again, smaller."""

_CHECK_USER: Final = (
    "Check the Web Services user in Intacct (user ID, company ID and password, and that the user"
    " is active), then update the connection's credentials."
)
_AUTHORIZE: Final = (
    "In Intacct, open Company > Setup > Company > Security and add the sender ID to the Web"
    " Services authorizations."
)


def control_error(errors: Sequence[IntacctError]) -> SyncError:
    """A failed ``<control>`` block: nothing in the request ran."""
    numbers = {error.errorno for error in errors}
    cause = _cause(errors)
    if _transient(errors):
        return _busy(errors, cause)
    if "XL03000006" in numbers:
        fix = "Check the Web Services sender ID and sender password (they are case-sensitive)."
        return _error(
            ErrorKind.FATAL, Rule.C2, "Intacct refused the Web Services sender.", fix, cause
        )
    if SIGN_IN_REFUSED in numbers:
        return _error(
            ErrorKind.FATAL, Rule.C2, "Intacct did not accept the sign-in.", _CHECK_USER, cause
        )
    if numbers & {"XL03000003", "GW-0011"}:
        message = "Intacct could not read a request this integration built."
        return _error(ErrorKind.FATAL, None, message, SUPPORT, cause)
    if "PL04000055" in numbers:
        fix = "Renew the Intacct subscription, or connect an active company, then sync again."
        return _error(ErrorKind.FATAL, None, "The Intacct company has expired.", fix, cause)
    return _error(ErrorKind.FATAL, None, "Intacct refused the request.", SUPPORT, cause)


def auth_error(errors: Sequence[IntacctError]) -> SyncError:
    """A failed ``<authentication>``: no function ran."""
    cause = _cause(errors)
    if _transient(errors):
        return _busy(errors, cause)
    if session_expired(errors):
        message = "The Intacct session has ended; the sync signs in again."
        return _error(ErrorKind.RETRIABLE, None, message, LATER, cause)
    if any("web services authorization" in _words(error) for error in errors):
        message = "This Intacct company has not authorized the Web Services sender."
        return _error(ErrorKind.FATAL, Rule.C2, message, _AUTHORIZE, cause)
    message = "Intacct did not accept the Web Services user's sign-in."
    return _error(ErrorKind.FATAL, Rule.C2, message, _CHECK_USER, cause)


def session_expired(errors: Sequence[IntacctError]) -> bool:
    """An authentication failure that names the session (expired or unknown): log in again."""
    return any("session" in _words(error) for error in errors)


def function_error(
    result: FunctionResult, *, record: RecordRef | None, resent: bool = False
) -> SyncError:
    """A function that did not succeed: only this record is affected (unless in a transaction).

    ``resent``: the same function (same control id) was sent before and may have run then; the
    refusal may be Intacct's answer to a control id already executed, whose errorno is not
    documented (correction 6), so any failure is uncertain.
    """
    cause = _cause(result.errors)
    if already_executed(result):
        message = "Intacct says this record was already sent; it is looked up before a re-send."
        error = _error(ErrorKind.RETRIABLE, None, message, LOOK_UP, f"{UNCERTAIN}; {cause}")
    elif resent:
        message = (
            "Intacct refused this record when it was sent again; the first send may have"
            " written it, so it is looked up before anything else."
        )
        error = _error(ErrorKind.RETRIABLE, None, message, LOOK_UP, f"{UNCERTAIN}; {cause}")
    elif _transient(result.errors):
        error = _busy(result.errors, cause)
    elif _denied(result.errors):
        error = permission_error(result.errors)
    elif result.status == "aborted" or _only_rollback(result.errors):
        message = "Intacct rolled this record back because another record in its batch failed."
        error = _error(
            ErrorKind.RETRIABLE, None, message, "Nothing to do: it is sent again.", cause
        )
    else:
        message = f"Intacct refused this record: {_summary(result.errors, leave_out=ROLLED_BACK)}"
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
    said = _summary(errors, leave_out=ROLLED_BACK)
    message = f"The Web Services user lacks a permission in Intacct: {said}"
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
    """An HTTP status that carries no usable reply; a 429's or 503's wait, when ``retry_after``
    gives a number of seconds, is kept as ``SyncError.retry_after``."""
    cause = f"HTTP {status}"
    wait = header_seconds(retry_after) if status in (429, 503) else None
    if status == 429:
        message = "Intacct is busy (too many requests)."
        cause = f"{cause} {RATE_LIMITED}"
        return _error(ErrorKind.RETRIABLE, None, message, LATER, cause, retry_after=wait)
    if status >= 500:
        message = (
            f"Intacct did not confirm the request (HTTP {status}); it may have been processed."
        )
        cause = f"{UNCERTAIN}; {cause}"
        return _error(ErrorKind.RETRIABLE, None, message, LOOK_UP, cause, retry_after=wait)
    if status == 408:
        message = "Intacct stopped waiting for the request (HTTP 408)."
        return _error(ErrorKind.RETRIABLE, None, message, LATER, cause)
    if status in (401, 403):
        message = f"Intacct refused the sign-in (HTTP {status})."
        return _error(ErrorKind.FATAL, Rule.C2, message, _CHECK_USER, cause)
    if 400 <= status < 500:
        message = f"Intacct refused the request (HTTP {status})."
        return _error(ErrorKind.FATAL, None, message, SUPPORT, cause)
    message = f"Intacct answered with an unexpected HTTP status {status}."
    return _error(ErrorKind.FATAL, None, message, SUPPORT, cause)


def unreadable(status: int, reason: str, *, head: bytes) -> SyncError:
    """A body that is not a usable Intacct reply: uncertain on a 2xx, else as its status says."""
    shown = f"{reason}; first bytes: {_head(head)!r}"
    if 200 <= status < 300:
        message = f"Intacct's reply could not be read ({reason}); it may have been processed."
        cause = f"{MALFORMED}: HTTP {status}; {shown}"
        return _error(ErrorKind.RETRIABLE, None, message, LOOK_UP, cause)
    base = http_error(status, retry_after=None)
    message = f"{base.message} The reply was not Intacct XML ({reason})."
    return _error(base.kind, base.rule, message, base.fix, f"HTTP {status}; {shown}")


def overgrown(status: int, budget: int) -> SyncError:
    """A reply that may hold more XML nodes than the request could be answered with (``budget``),
    refused before it is parsed.

    FATAL, not RETRIABLE: asked again, the same server gives the same answer, and each try would
    fetch up to the byte limit again. The run stops with a notification; a write the request
    carried stays open and is looked up before anything is sent again (``app.sync.apply``).
    """
    message = (
        f"Sage Intacct's reply (HTTP {status}) holds more than the {budget:,} XML nodes the request"
        " could be answered with; it was refused unread, and this company's sync stops."
    )
    return _error(
        ErrorKind.FATAL, None, message, CHECK_ENDPOINT, f"HTTP {status}; over {budget} XML nodes"
    )


def unprocessed(error: SyncError) -> bool:
    """Intacct failed to process a read ("There was an error processing the request"): the same
    records may come when asked for fewer at a time."""
    return error.kind is ErrorKind.REJECTED and _UNPROCESSED in (error.cause or "").lower()


def session_refused(outcome: Result[Response, SyncError]) -> SyncError | None:
    """Why Intacct refused, at sign-in, a request signed with a session id, else None.

    An authentication failure (not a rate limit), ``XMLGW_JPP0002`` at control level, or an
    HTTP 401 whose body cannot be read: nothing in the request ran, and the session is unusable
    (expired, or stale on Intacct's side: what a stale one gets is not documented). The error
    returned (retriable) is for when it happens again after a fresh log-in.
    """
    if not is_successful(outcome):
        cause = outcome.failure().cause or ""
        return _stale(cause) if cause.startswith("HTTP 401") else None
    response = outcome.unwrap()
    if response.auth_ok is False and not _transient(response.auth_errors):
        return _stale(_cause(response.auth_errors))
    if any(error.errorno == SIGN_IN_REFUSED for error in response.control_errors):
        return _stale(_cause(response.control_errors))
    return None


def busy(response: Response) -> SyncError | None:
    """Why a reply says "later" before anything could be used, else None: its control block
    failed for a rate limit or the service off-line (nothing ran), or every function failed so."""
    if not response.control_ok:
        return (
            control_error(response.control_errors) if _transient(response.control_errors) else None
        )
    results = response.results
    if results and all(not r.ok and _transient(r.errors) for r in results):
        return _busy(results[0].errors, _cause(results[0].errors))
    return None


def _rate_limited(errors: Sequence[IntacctError]) -> bool:
    return any(e.errorno == RATE_LIMITED or "rate limit" in _words(e) for e in errors)


def _denied(errors: Sequence[IntacctError]) -> bool:
    return any("do not have permission" in _words(e) for e in errors)


def _transient(errors: Sequence[IntacctError]) -> bool:
    """A rate limit, or the service off-line: nothing to fix, only to wait for."""
    offline = any(words in _words(e) for e in errors for words in _OFFLINE)
    return offline or _rate_limited(errors)


def _busy(errors: Sequence[IntacctError], cause: str) -> SyncError:
    if _rate_limited(errors):
        return _error(ErrorKind.RETRIABLE, None, "Intacct is busy (rate limit).", LATER, cause)
    message = "Intacct says the service is temporarily off-line."
    return _error(ErrorKind.RETRIABLE, None, message, LATER, cause)


def _stale(cause: str) -> SyncError:
    message = "Intacct refused the session, even a new one; the sync signs in again later."
    return _error(ErrorKind.RETRIABLE, None, message, LATER, cause)


def _only_rollback(errors: Sequence[IntacctError]) -> bool:
    return bool(errors) and all(error.errorno == ROLLED_BACK for error in errors)
