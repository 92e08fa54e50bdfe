"""Typed identifiers, and the deterministic idempotency key of a write intent."""

from __future__ import annotations

import hashlib
from typing import NewType

from released_intacct.domain.enums import RecordType, System

ReleasedId = NewType("ReleasedId", str)
"""The id of any record in Re-Leased (contact, account, invoice, payment, ...)."""

IntacctKey = NewType("IntacctKey", str)
"""The stable key of an Intacct record in the link table.

``RECORDNO`` for most objects; the ``DOCID`` for Order Entry / Purchasing documents (rule D19, they
may come back under a new RECORDNO); ``<payment RECORDNO>/<invoice key>`` for a payment allocation.
"""

IntacctId = NewType("IntacctId", str)
"""A human-facing Intacct id: CUSTOMERID, VENDORID, ACCOUNTNO, DETAILID, a dimension id, ITEMID."""

ReleasedCompanyId = NewType("ReleasedCompanyId", str)
IntacctCompanyId = NewType("IntacctCompanyId", str)
EntityId = NewType("EntityId", str)
"""An Intacct entity (LOCATIONENTITY.LOCATIONID); the empty string is the top level."""

ConnectionId = NewType("ConnectionId", str)
IdempotencyKey = NewType("IdempotencyKey", str)


def idempotency_key(
    connection: ConnectionId,
    target: System,
    record_type: RecordType,
    *,
    source: System,
    source_id: str,
) -> IdempotencyKey:
    """The key of one write intent: the same intent always gets the same key.

    It is short (35 characters), so it fits Intacct's function ``controlid`` (1-256 characters) and
    a reference field, and it is made of ``[0-9a-z-]`` only.
    """
    raw = "\x1f".join(
        (connection, target.value, record_type.value, source.value, source_id)
    ).encode()
    return IdempotencyKey("ri-" + hashlib.sha256(raw).hexdigest()[:32])
