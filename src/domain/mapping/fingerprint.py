"""Fingerprints of Re-Leased records, for telling real changes from our own echoes (rule D21).

A fingerprint is the sha256 of the record's canonical text (``domain.canonical``: Decimals
normalized, dates ISO, enums by value, tuples in order) over its *mapped* content only. Left out:
what Re-Leased assigns or derives (ids, including line ids, versions, modification times), the
amount paid, attachments (never synced, D15), and a contact's role (recorded by the product, not
content). A *Paid* invoice reads as *Approved*: paid state follows the payments (D6), so a payment
is not an edit of its invoice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from released_intacct.domain.canonical import canonical, digest
from released_intacct.domain.enums import ReleasedInvoiceStatus
from released_intacct.domain.released import Contact, Invoice, ReleasedRecord

_NOT_MAPPED: Final = frozenset({"id", "version", "modified_at", "attachments", "amount_paid"})
_CONTACT_NOT_MAPPED: Final = _NOT_MAPPED | {"role"}


def fingerprint(record: ReleasedRecord) -> str:
    if isinstance(record, Invoice) and record.status is ReleasedInvoiceStatus.PAID:
        record = replace(record, status=ReleasedInvoiceStatus.APPROVED)
    exclude = _CONTACT_NOT_MAPPED if isinstance(record, Contact) else _NOT_MAPPED
    return digest(canonical(record, exclude=exclude))
