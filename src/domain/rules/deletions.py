"""What a deletion in Intacct leaves behind (rules D5, D8, D9); nothing is deleted in Re-Leased."""

from __future__ import annotations

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.intacct import Deletion
from released_intacct.domain.rules.about import NOTHING_TO_DO, intacct_record, subject
from released_intacct.domain.rules.ownership import record_noun

_D8 = (Rule.D8, "the Re-Leased {noun} is kept.", "Void the Re-Leased {noun} and unlink it.")
_DELETIONS: dict[RecordType, tuple[Rule, str, str]] = {
    RecordType.INVOICE: _D8,
    RecordType.CREDIT_NOTE: _D8,
    RecordType.PAYMENT: (
        Rule.D9,
        "it is still in Re-Leased.",
        "If it should go, unlink it and remove it in Re-Leased.",
    ),
    RecordType.CONTACT: (
        Rule.D5,
        "the Intacct customer/vendor no longer exists; the Re-Leased {noun} is kept.",
        "Re-create the customer or vendor in Sage Intacct and relink the {noun}, or unlink it.",
    ),
}
"""Rule, what is left in Re-Leased, and the fix, per record type that Re-Leased holds a copy of."""


def deleted_in_intacct(
    deletion: Deletion, *, linked_released_id: ReleasedId | None, label: str = ""
) -> SyncError:
    """What a deletion in Intacct leaves behind (D8 documents, D9 payments, D5 contacts, else D1).

    Nothing is deleted in Re-Leased. A deletion of a record that was never synced is ``SKIPPED``;
    ``label`` names the record when the caller knows more than its key.
    """
    noun = record_noun(deletion.record_type)
    name = label or _named(deletion)
    what = f"{_article(noun)} {noun} ({name}) was deleted in Sage Intacct"
    about = subject(
        deletion.record_type,
        Direction.INCOMING,
        name,
        what,
        released_id=linked_released_id,
        key=deletion.key,
    )
    rule, still_there, fix = _DELETIONS.get(deletion.record_type, (Rule.D1, "", ""))
    if rule is Rule.D1:
        message = f"{what}; deletions of records Intacct owns are not synced to Re-Leased."
        return about.error(ErrorKind.SKIPPED, rule, message, NOTHING_TO_DO)
    if linked_released_id is None:
        message = f"{what}; it was never synced, so nothing changes in Re-Leased."
        return about.error(ErrorKind.SKIPPED, rule, message, NOTHING_TO_DO)
    message = f"{what}; {still_there.format(noun=noun)}"
    return about.error(ErrorKind.NEEDS_USER, rule, message, fix.format(noun=noun))


def _named(deletion: Deletion) -> str:
    """The record as a bookkeeper finds it in Intacct (a customer by its id)."""
    return intacct_record(str(deletion.key).split(":", 1)[-1])


def _article(noun: str) -> str:
    return "An" if noun[:1].lower() in "aeiou" else "A"


def missing_in_intacct(
    contact_name: str,
    *,
    released_id: ReleasedId,
    record_type: RecordType = RecordType.CONTACT,
) -> SyncError:
    """Rule D5: the Intacct customer or vendor of a Re-Leased contact was deleted.

    ``record_type`` is the record whose sync failed (the contact, or an invoice raised for it).
    """
    about = subject(
        record_type, Direction.OUTGOING, contact_name, contact_name, released_id=released_id
    )
    return about.error(
        ErrorKind.REJECTED,
        Rule.D5,
        f"The Intacct customer or vendor linked to {contact_name} no longer exists.",
        "Re-create the customer or vendor in Sage Intacct and relink the contact to it, or "
        "unlink the contact.",
    )
