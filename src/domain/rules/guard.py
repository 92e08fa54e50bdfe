"""What a Re-Leased user may do while connected to Sage Intacct (rules D1, D3, D7, D9, D20).

The host calls ``guard`` before acting on a record; a ``Failure`` is a refusal to show the user
as is: it names the record type and says where to make the change instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.rules.ownership import OWNERSHIP, record_noun


class UserAction(Enum):
    CREATE = "create"
    EDIT = "edit"
    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"
    VOID = "void"
    DELETE = "delete"
    APPROVE = "approve"


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardRequest:
    record_type: RecordType
    action: UserAction
    synced: bool
    """The record is linked to an Intacct record."""
    posted: bool = False
    """Invoices and credit notes: the Intacct side is posted (rule D20)."""
    released_id: ReleasedId | None = None
    label: str = ""
    """What the user recognises the record by (invoice number, contact name); used in messages."""


def guard(request: GuardRequest, *, connected: bool) -> Result[None, SyncError]:
    """Success when the user may go ahead; otherwise the refusal, with its rule and fix."""
    if not connected:
        return Success(None)
    refusal = _refusal(request)
    return Success(None) if refusal is None else Failure(refusal)


_PAST = {
    UserAction.CREATE: "created",
    UserAction.EDIT: "edited",
    UserAction.ARCHIVE: "archived",
    UserAction.UNARCHIVE: "unarchived",
    UserAction.VOID: "voided",
    UserAction.DELETE: "deleted",
    UserAction.APPROVE: "approved",
}

_IN_INTACCT = {
    UserAction.CREATE: "Create it in Sage Intacct",
    UserAction.EDIT: "Edit it in Sage Intacct",
    UserAction.ARCHIVE: "Make it inactive in Sage Intacct",
    UserAction.UNARCHIVE: "Make it active again in Sage Intacct",
    UserAction.VOID: "Make it inactive in Sage Intacct",
    UserAction.DELETE: "Delete it or make it inactive in Sage Intacct",
    UserAction.APPROVE: "Change it in Sage Intacct",
}


def _refusal(request: GuardRequest) -> SyncError | None:
    if OWNERSHIP[request.record_type].intacct_owned:
        return _intacct_owned(request)
    if not request.synced:
        return None
    check = _SYNCED_CHECKS.get(request.record_type)
    return None if check is None else check(request)


def _intacct_owned(request: GuardRequest) -> SyncError:
    """Rule D1: accounts, tax types and tracking categories/options are Intacct's."""
    noun = record_noun(request.record_type)
    message = (
        f"{_name(request)} cannot be {_PAST[request.action]} in Re-Leased: while "
        f"connected, {noun}s are owned by Sage Intacct."
    )
    fix = f"{_IN_INTACCT[request.action]}; it syncs here on the next sync."
    return _refuse(request, Rule.D1, message, fix)


def _contact(request: GuardRequest) -> SyncError | None:
    """Rule D3: a synced contact's updates, archiving and unarchiving are done in Intacct."""
    if request.action in (UserAction.CREATE, UserAction.APPROVE, UserAction.VOID):
        return None
    message = (
        f"{_name(request)} is synced with Sage Intacct, where its updates and "
        f"archiving are done: if {_PAST[request.action]} here, the change would not reach Intacct."
    )
    fix = (
        f"{_IN_INTACCT[request.action].replace(' it ', ' the customer or vendor ', 1)}; the "
        "change flows back to Re-Leased on the next sync."
    )
    return _refuse(request, Rule.D3, message, fix)


def _document(request: GuardRequest) -> SyncError | None:
    """Rule D7 (voids are Intacct's) and D20 (a posted invoice is edited in Intacct only)."""
    name = _name(request)
    if request.action in (UserAction.VOID, UserAction.DELETE):
        message = (
            f"{name} is synced with Sage Intacct, where voids are done: it cannot be "
            f"{_PAST[request.action]} in Re-Leased."
        )
        fix = "Reverse it in Sage Intacct; the void syncs to Re-Leased on the next sync."
        return _refuse(request, Rule.D7, message, fix)
    if request.action is UserAction.EDIT and request.posted:
        message = f"{name} is posted in Sage Intacct, which now owns it: it cannot be edited here."
        fix = "Edit it in Sage Intacct; the change syncs to Re-Leased on the next sync."
        return _refuse(request, Rule.D20, message, fix)
    return None


def _payment(request: GuardRequest) -> SyncError | None:
    """Rule D9 (removing a synced payment is done in Intacct) and D20 (never edited)."""
    name = _name(request)
    if request.action in (UserAction.VOID, UserAction.DELETE):
        message = (
            f"{name} is synced with Sage Intacct, where payments are removed: it cannot be "
            f"{_PAST[request.action]} in Re-Leased."
        )
        fix = (
            "Delete or reverse the payment in Sage Intacct; after the next sync, unlink it here "
            "and remove it."
        )
        return _refuse(request, Rule.D9, message, fix)
    if request.action is UserAction.EDIT:
        message = f"{name} is synced with Sage Intacct: a payment is never edited once synced."
        fix = "Remove it in Sage Intacct and enter the correct payment instead."
        return _refuse(request, Rule.D20, message, fix)
    return None


_SYNCED_CHECKS: dict[RecordType, Callable[[GuardRequest], SyncError | None]] = {
    RecordType.CONTACT: _contact,
    RecordType.INVOICE: _document,
    RecordType.CREDIT_NOTE: _document,
    RecordType.PAYMENT: _payment,
}


def _name(request: GuardRequest) -> str:
    """The record as a sentence starts with it: ``Invoice R-7``, ``This tax type``."""
    noun = record_noun(request.record_type)
    return f"{noun.capitalize()} {request.label}" if request.label else f"This {noun}"


def _refuse(request: GuardRequest, rule: Rule, message: str, fix: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=rule,
        message=message,
        fix=fix,
        record=RecordRef(
            record_type=request.record_type,
            direction=Direction.OUTGOING,
            released_id=request.released_id,
            label=request.label,
        ),
    )
