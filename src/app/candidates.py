"""The records an open create may have made although none carries its key (issue 16, F3), as the
user is told of them: how each is named in an answer (``released-intacct resolve --link KEY``),
described, and the question asked. One wording for a sync (``app.sync.uncertain``) and for a
confirm tried again (``app.confirm_creates``).
"""

from __future__ import annotations

from collections.abc import Sequence

from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey
from released_intacct.domain.intacct import IntacctPayment, IntacctRecord, Party, Transaction

__all__ = ["answer_key", "candidates_error", "describe", "keys_of", "not_a_candidate"]


def keys_of(record: IntacctRecord) -> tuple[IntacctKey, ...]:
    """The link keys ``record`` would be linked by: a payment's allocations, else its own; none
    for a record Intacct has not numbered (it cannot be linked)."""
    if isinstance(record, IntacctPayment):
        if record.record_no is None:
            return ()
        return tuple(record.allocation_key(a) for a in record.applications)
    try:
        return (record.link_key,)
    except ValueError:
        return ()


def answer_key(record: IntacctRecord) -> IntacctKey:
    """How the user names a candidate in their answer: a payment by its RECORDNO, anything else
    by its link key (``CUSTOMER:C0002``, a RECORDNO, an OE/PO DOCID)."""
    if isinstance(record, IntacctPayment) and record.record_no is not None:
        return IntacctKey(record.record_no)
    return keys_of(record)[0]


def _noun(write: CreateInIntacct) -> str:
    return write.record_type.value.replace("_", " ")


def _how(connection: ConnectionId, key: IdempotencyKey, noun: str) -> str:
    command = f"released-intacct resolve {connection} {key}"
    return (
        f"If one of them is this {noun}, link it: `{command} --link KEY` (KEY as listed); if "
        f"none is, send it again: `{command} --send-again`. Nothing of it is sent until that "
        "answer."
    )


def candidates_error(
    connection: ConnectionId,
    key: IdempotencyKey,
    write: CreateInIntacct,
    candidates: Sequence[IntacctRecord],
) -> SyncError:
    noun = _noun(write)
    listed = "; ".join(describe(r) for r in candidates)
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=None,
        message=(
            f"Sage Intacct may have created this {noun} already: the outcome of sending it was "
            f"not confirmed, and no Intacct record carries its key ({key}) now. These records "
            f"may be it: {listed}. Nothing is sent until you say which."
        ),
        fix=_how(connection, key, noun),
    )


def not_a_candidate(
    connection: ConnectionId, key: IdempotencyKey, write: CreateInIntacct, chosen: IntacctKey
) -> SyncError:
    noun = _noun(write)
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=None,
        message=(
            f"Intacct record {chosen}, which you linked this {noun} to, is not one that may be "
            "its copy (not found, not of its kind and name, number or amount, or already linked "
            "to another Re-Leased record); nothing was linked or sent."
        ),
        fix=_how(connection, key, noun),
    )


def describe(record: IntacctRecord) -> str:
    """A candidate as the user finds it in Intacct: its key, then its name, number, reference,
    amount and date."""
    key = answer_key(record)
    if isinstance(record, Party):
        return f'{key} "{record.name}"'
    if isinstance(record, Transaction):
        reference = f", reference {record.reference}" if record.reference else ""
        return (
            f"{key}: number {record.number or '(none)'}{reference}, {record.currency} "
            f"{record.total} dated {record.invoice_date.isoformat()}"
        )
    if isinstance(record, IntacctPayment):
        party = record.party_id or record.payer
        return f"{key}: {party}, {record.currency} {record.amount} on {record.date.isoformat()}"
    return str(key)
