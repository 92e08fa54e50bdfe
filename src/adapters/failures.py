"""What the two Intacct adapters (XML ``intacct.classify``, REST ``intacct_rest.classify``) say of
a failure in the same way: the causes that mark an outcome *uncertain* (the request may have been
processed, so the record is looked up by key before anything is sent again), a page holding more
records than were asked for, the fixes both name, and the one constructor of their ``SyncError``s.
"""

from __future__ import annotations

from typing import Final

from released_intacct.domain.errors import ErrorKind, Rule, SyncError

__all__ = [
    "CHECK_ENDPOINT",
    "LATER",
    "LOOK_UP",
    "MALFORMED",
    "SUPPORT",
    "UNCERTAIN",
    "error",
    "overfull",
    "uncertain",
]

UNCERTAIN: Final = "uncertain: the request may have been processed"
MALFORMED: Final = "malformed response"
SUPPORT: Final = "Contact support with the details of this error."
LOOK_UP: Final = "Nothing to do: the record is looked up in Intacct before it is sent again."
LATER: Final = "Nothing to do: the sync tries again shortly."
CHECK_ENDPOINT: Final = (
    "Check that the connection's Intacct endpoint is Sage Intacct's (a proxy or another server"
    " may be answering); if it is, contact support with this message."
)


def error(
    kind: ErrorKind,
    rule: Rule | None,
    message: str,
    fix: str,
    cause: str,
    *,
    retry_after: float | None = None,
) -> SyncError:
    return SyncError(
        kind=kind, rule=rule, message=message, fix=fix, cause=cause, retry_after=retry_after
    )


def uncertain(failure: SyncError) -> bool:
    """The request may have been processed: look the record up by key before sending it again."""
    cause = failure.cause or ""
    return cause.startswith((UNCERTAIN, MALFORMED))


def overfull(what: str, held: int, most: int) -> SyncError:
    """A page of ``what`` holding more records than the ``most`` asked for, refused before its
    records are read. FATAL, not RETRIABLE: asked again, the same server gives the same answer;
    the run stops with a notification."""
    message = (
        f"Sage Intacct answered a read of {what} with {held:,} records where at most {most:,}"
        " were asked for; the answer was refused unread, and this company's sync stops."
    )
    return error(
        ErrorKind.FATAL, None, message, CHECK_ENDPOINT, f"{what}: {held} records, {most} asked"
    )
