"""Rule D5: a customer or vendor deleted in Intacct cannot be seen; it is found out when needed.

Intacct's audit trail names a deleted customer by its record number, which the links (keyed by
customer / vendor id) do not know. So, as the rule puts it, the deletion is found out the next
time the contact is needed: when its Re-Leased contact is edited (the contacts step asks Intacct
which of the edited contacts' parties it still holds), or when a document for it is refused by
Intacct (its party is then looked up, and the refusal reads as D5 when the party is gone). One
look-up per page of such records; none when nothing is edited or refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext
from released_intacct.domain.actions import CreateInIntacct, UpdateInIntacct, WriteAction
from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey
from released_intacct.domain.intacct import Transaction, party_key
from released_intacct.domain.rules.deletions import missing_in_intacct


async def missing_parties(
    ctx: RunContext, keys: Iterable[IntacctKey]
) -> Result[frozenset[IntacctKey], SyncError]:
    """Which of the contact link ``keys`` (``CUSTOMER:C-1``) Intacct no longer holds."""
    by_role: dict[ContactRole, set[IntacctId]] = {}
    for key in keys:
        name, _, party_id = str(key).partition(":")
        if name in ContactRole.__members__ and party_id:
            by_role.setdefault(ContactRole[name], set()).add(IntacctId(party_id))
    missing: set[IntacctKey] = set()
    for role, ids in by_role.items():
        held = await settled(ctx.intacct.parties_held(role, sorted(ids)))
        if not is_successful(held):
            return Failure(held.failure())
        missing.update(party_key(role, i) for i in ids if i not in held.unwrap())
    return Success(frozenset(missing))


async def explain_refusal(ctx: RunContext, write: WriteAction, error: SyncError) -> SyncError:
    """A document Intacct refused whose customer / vendor is gone: the D5 error; else ``error``."""
    if error.kind is not ErrorKind.REJECTED:
        return error
    if not isinstance(write, CreateInIntacct | UpdateInIntacct):
        return error
    record = write.record
    if not isinstance(record, Transaction):
        return error
    key = party_key(record.origin.role, record.party_id)
    missing = await missing_parties(ctx, [key])
    if not is_successful(missing) or key not in missing.unwrap():
        return error
    return missing_in_intacct(
        f"the contact of {record.number}",
        released_id=write.released_id,
        record_type=write.record_type,
    )
