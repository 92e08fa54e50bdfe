"""Fingerprints of Intacct records, for telling real changes from our own echoes (rule D21).

What Intacct assigns or derives (RECORDNO, DOCID, the sequenced customer/vendor id, timestamps,
amounts paid) and the pairing of a reversal with its original are left out, and the paid states
read as posted: paid state follows the payments (rule D6), so a payment is not an edit of its
invoice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from released_intacct.domain.canonical import canonical, digest
from released_intacct.domain.enums import IntacctState
from released_intacct.domain.intacct import IntacctRecord, Party, Transaction

_ASSIGNED: Final = frozenset({"record_no", "document_id", "modified_at", "total_paid", "reverses"})
_PAID_STATES: Final = frozenset(
    {IntacctState.PAID, IntacctState.PARTIALLY_PAID, IntacctState.SELECTED}
)


def intacct_fingerprint(record: IntacctRecord) -> str:
    if isinstance(record, Transaction) and record.state in _PAID_STATES:
        record = replace(record, state=IntacctState.POSTED)
    exclude = _ASSIGNED | {"party_id"} if isinstance(record, Party) else _ASSIGNED
    return digest(canonical(record, exclude=exclude))
