"""What the engine does next after a REST API failure, as a ``SyncError``: the REST twin of
``intacct.classify``, one place owning the policy ([RESTDOC] error-handling).

    RETRIABLE  429, and 503 with a throttle header (nothing ran: repeated after the wait
               ``X-IA-Throttle-Limit-RetryAfter``, ``X-IA-TENANT-Throttle-Limit-Retry-After`` or
               ``Retry-After`` asks); 408; other 5xx (``GW-0001``), a reply that cannot be read
               and the concurrent duplicate of a keyed write (another request with the same
               ``Idempotency-Key`` holds its lock), a 409 for the key of a write sent before:
               *uncertain* (cause starts with ``failures.UNCERTAIN``), the write is
               looked up by its key
    FATAL      the OAuth client or token refused even after renewals (rule C2), a request we
               built that Intacct cannot read (400 on a read, 405, ``GW-00xx``), and a 409 for
               the ``Idempotency-Key`` of a first send (another body under the same key): a bug
               in this product, named as one with its key and logged at ERROR
    NEEDS_USER 403: the user lacks a permission for the operation; a person grants it
    REJECTED   422 (and 400 on a write, 404): this record fails with Intacct's words and legacy
               codes, the run goes on

``cause`` keeps the HTTP status, ``ia::error.code``, the legacy codes of ``details`` and the
``supportId`` for support; never a token or anything the request carried.
"""

from __future__ import annotations

from typing import Final

from released_intacct.adapters.failures import LATER, LOOK_UP, SUPPORT, UNCERTAIN
from released_intacct.adapters.failures import error as _error
from released_intacct.adapters.intacct.errortext import unique
from released_intacct.adapters.intacct_rest.envelope import IaError
from released_intacct.adapters.log import logger
from released_intacct.domain.errors import ErrorKind, Rule, SyncError

__all__ = [
    "GATEWAY_BUSY",
    "failure",
    "in_progress",
    "key_reused",
    "record_failure",
    "token_refused",
]

GATEWAY_BUSY: Final = "GW-0010"
_TOKEN_CODES: Final = frozenset({"GW-0031", "GW-0034"})
"""Invalid Token, Invalid Authorization Header ([RESTDOC] error-handling, 4XX gateway codes)."""
_TOKEN_WORDS: Final = ("invalid token", "the token is not valid", "token has expired")
"""A 400 that says the token is bad is answered like a 401 ([FYREST] intacctsdk/apis/api_base.py
raises ``InvalidTokenError`` on 400 with the first two)."""
_LOCK_WORDS: Final = ("lock", "in progress", "being processed", "concurrent")
_UNIQUE_WORDS: Final = ("unique", "already exists", "duplicate")
_NO_REASON: Final = "no reason given."
_RECONNECT: Final = (
    "Check the OAuth client (client ID and secret) and, for a Web Services user, that it is"
    " active in Intacct; or connect with Sage Intacct again (`connect --api rest`)."
)

_log = logger(__name__)


def token_refused(status: int, error: IaError | None) -> bool:
    """Intacct refused the access token (it may have expired early or been revoked): a new one
    is asked for and the request sent again, up to ``attempts`` tokens (nothing ran)."""
    if status == 401:
        return True
    if error is None or status != 400:
        return False
    return error.code in _TOKEN_CODES or any(w in _words(error) for w in _TOKEN_WORDS)


def key_reused(status: int, error: IaError | None) -> bool:
    """A 409 for an ``Idempotency-Key`` used before ("Reusing a key with a different request body
    returns 409 Conflict"; "Key is stored for 60 days; same key during that period returns 409",
    [RESTDOC] bulk-requests), not a record whose unique id exists (also a 409, [RESTDOC]
    error-handling, carrying the duplicate's legacy code in ``details``) nor a request holding
    the key's lock (:func:`in_progress`). The code that tells them apart is not documented
    (docs/intacct-rest.md section 7): a 409 with no legacy code and no words of a lock or a
    duplicate is taken for the key's (**inferred**)."""
    if status != 409 or error is None or error.listed:
        return False
    said = _words(error)
    return not any(w in said for w in (*_LOCK_WORDS, *_UNIQUE_WORDS))


def in_progress(status: int, error: IaError | None) -> bool:
    """Another request with the same key holds its lock ("If multiple identical requests arrive
    before the first finishes, the first gets the idempotency lock; others return an error",
    [RESTDOC] bulk-requests); the status and words are not documented: **inferred** from a 409
    or 429 whose words speak of a lock or a request in progress."""
    return (
        status in (409, 429) and error is not None and any(w in _words(error) for w in _LOCK_WORDS)
    )


def failure(  # noqa: PLR0911 - one case per kind of failure
    status: int,
    error: IaError | None,
    *,
    write: bool,
    key: str | None = None,
    resent: bool = False,
    retry_after: float | None = None,
) -> SyncError:
    """A whole reply that failed (HTTP ``status``, its ``ia::error`` when it had one).
    ``resent``: this keyed write may have been sent before (a retry, or an intent an earlier run
    left open), so a 409 for its key is Intacct remembering it: uncertain, looked up; on a first
    send the same 409 is a bug (two bodies under one key)."""
    cause = _cause(status, error)
    if key is not None and in_progress(status, error):
        message = "Intacct is still writing this record from an earlier request; it is looked up."
        return _error(ErrorKind.RETRIABLE, None, message, LOOK_UP, f"{UNCERTAIN}; {cause}")
    if status == 429 or (error is not None and error.code == GATEWAY_BUSY):
        message = "Intacct is busy (too many requests)."
        return _error(ErrorKind.RETRIABLE, None, message, LATER, cause, retry_after=retry_after)
    if status >= 500 and retry_after is not None:
        message = f"Intacct is busy (HTTP {status}, asked to wait)."
        return _error(ErrorKind.RETRIABLE, None, message, LATER, cause, retry_after=retry_after)
    if status >= 500 or status == 408:
        message = f"Intacct did not confirm the request (HTTP {status})"
        message += "; it may have been processed." if write else "."
        fix = LOOK_UP if write else LATER
        return _error(ErrorKind.RETRIABLE, None, message, fix, f"{UNCERTAIN}; {cause}")
    if token_refused(status, error):
        message = "Intacct refused the OAuth access token, even new ones."
        return _error(ErrorKind.FATAL, Rule.C2, message, _RECONNECT, cause)
    if key is not None and key_reused(status, error):
        if resent:
            message = "Intacct already holds a request with this record's key; it is looked up."
            return _error(ErrorKind.RETRIABLE, None, message, LOOK_UP, f"{UNCERTAIN}; {cause}")
        return _reused(key, cause)
    if status == 403:
        message = f"The Intacct user lacks a permission: {_said(error)}"
        fix = (
            "In Intacct, give the user (or its role) the permission named, under Company > Admin"
            " > Users or Roles, then sync again."
        )
        return _error(ErrorKind.NEEDS_USER, None, message, fix, cause)
    if status in (404, 409, 422) or (status == 400 and write):
        return record_failure(status, error)
    message = f"Intacct could not read a request this integration built (HTTP {status})."
    return _error(ErrorKind.FATAL, None, message, SUPPORT, cause)


def record_failure(status: int, error: IaError | None) -> SyncError:
    """One record Intacct refused (a 422 or 404, or its entry of a batch): REJECTED with
    Intacct's words; a permission refusal NEEDS_USER; the concurrent duplicate uncertain."""
    cause = _cause(status, error)
    if in_progress(status, error):
        message = "Intacct is still writing this record from an earlier request; it is looked up."
        return _error(ErrorKind.RETRIABLE, None, message, LOOK_UP, f"{UNCERTAIN}; {cause}")
    if status == 403 or (error is not None and "permission" in _words(error)):
        return failure(403, error, write=True)
    what = "does not have this record" if status == 404 else "refused this record"
    said = _said(error)
    if said == _NO_REASON:  # never silently: the status is named and the reply logged
        _log.warning("intacct_refused_without_reason", cause=cause)
        said = f"no reason given (HTTP {status})."
    message = f"Intacct {what}: {said}"
    return _error(ErrorKind.REJECTED, None, message, "Correct the record, then sync again.", cause)


def _reused(key: str, cause: str) -> SyncError:
    """An ``Idempotency-Key`` sent with another body than before: the product built two
    different writes under one key, which must never happen (the outbox's key is derived from
    the write, the batch's from its records). Loud: FATAL and an ERROR event naming the key."""
    _log.error("idempotency_key_reused", key=key, cause=cause)
    message = (
        f"A bug in this integration: Intacct refused the write with Idempotency-Key {key} because"
        " the key was used before with a different request body (HTTP 409). Nothing was written"
        " by this request."
    )
    fix = "Report this to the integration's support with the key; the company's sync stops."
    return _error(ErrorKind.FATAL, None, message, fix, cause)


def _cause(status: int, error: IaError | None) -> str:
    if error is None:
        return f"HTTP {status}"
    codes = [error.code, *(d.code for d in error.listed)]
    support = f"; supportId {error.support_id}" if error.support_id else ""
    return f"HTTP {status} {' '.join(c for c in codes if c)}{support}".strip()


def _said(error: IaError | None) -> str:
    """Intacct's words: the details' messages (without support ids), else the message."""
    if error is None:
        return _NO_REASON
    texts = unique(d.message.split("[Support ID")[0] for d in error.listed)
    return " ".join(_sentence(t) for t in texts or unique([error.message])) or _NO_REASON


def _words(error: IaError) -> str:
    return " ".join([error.code, error.message, *(d.message for d in error.listed)]).lower()


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."
