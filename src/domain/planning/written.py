"""The link a confirmed write leaves behind, with both sides' fingerprints (rule D21).

The source side's fingerprint travels on the action; the target side's is taken from the record as
the target system stored it, so reading it back later is recognised as our own echo.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from released_intacct.domain.actions import (
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    UpdateInReleased,
    VoidInReleased,
)
from released_intacct.domain.enums import (
    DocumentKind,
    IntacctState,
    Origin,
    ReleasedInvoiceStatus,
    System,
)
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import IntacctPayment, IntacctRecord, Transaction
from released_intacct.domain.links import Link
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.planning.landed import update_landed
from released_intacct.domain.planning.payments import allocation_fingerprint
from released_intacct.domain.released import Invoice, ReleasedRecord

_POSTED_IN_RELEASED = frozenset(
    {ReleasedInvoiceStatus.APPROVED, ReleasedInvoiceStatus.PAID, ReleasedInvoiceStatus.VOIDED}
)


VOIDED_BY_US: Final = "voided-by-the-sync"
"""The Re-Leased fingerprint of a link whose copy the product voided (rule D7): the voided copy read
back is our own echo, whatever the void changed in it."""


def intacct_link_key(record: IntacctRecord) -> IntacctKey:
    if isinstance(record, IntacctPayment):
        return record.allocation_key(record.applications[0])
    return record.link_key


def written_fingerprint(record: IntacctRecord, *, sent: IntacctRecord | None = None) -> str:
    """What the link remembers of a record we wrote to Intacct (``sent``: as we sent it, when
    ``record`` is what Intacct answered).

    Nothing for an OE/PO document: Intacct adds to it (its DOCID, the tax its engine calculates,
    rule D17), so the document as Intacct holds it is read back and applied to the Re-Leased
    invoice, in the same run when it can be (``app.sync.readback``) or else on the next one. For an
    AP bill sent without a payment priority, the bill as we sent it: Intacct gives it a priority
    of its own (M1), which is then read as a change and reaches the Re-Leased invoice, whatever
    the adapter answered (over REST, the bill as stored); a bill stored as sent is our echo.
    """
    if isinstance(record, IntacctPayment):
        return allocation_fingerprint(record, record.applications[0])
    if isinstance(record, Transaction) and record.origin.is_order_module:
        return ""
    if sent is not None and _priority_left_to_intacct(sent):
        return intacct_fingerprint(sent)
    return intacct_fingerprint(record)


def _priority_left_to_intacct(record: IntacctRecord) -> bool:
    return (
        isinstance(record, Transaction)
        and record.origin is Origin.AP
        and record.kind is DocumentKind.INVOICE
        and record.payment_priority is None
    )


def _posted(record: IntacctRecord) -> bool:
    return isinstance(record, Transaction) and not record.state.is_unposted


def link_for_intacct_write(
    action: CreateInIntacct | UpdateInIntacct, written: IntacctRecord, *, existing: Link | None
) -> Link:
    if isinstance(action, UpdateInIntacct):
        if existing is None:
            msg = "an update in Intacct needs the existing link"
            raise ValueError(msg)
        base = existing
    else:
        base = Link(
            record_type=action.record_type,
            released_id=action.released_id,
            intacct_key=intacct_link_key(written),
            origin=System.RELEASED,
        )
    return Link(
        record_type=base.record_type,
        released_id=base.released_id,
        intacct_key=base.intacct_key,
        origin=base.origin,
        status=base.status,
        released_fingerprint=action.source_fingerprint,
        intacct_fingerprint=written_fingerprint(written, sent=action.record),
        posted=_posted(written),
    )


def link_for_found_write(action: CreateInIntacct, found: IntacctRecord) -> Link:
    """The link of a create whose answer was lost, found in Intacct on a later run (by its key,
    or as the record a user named).

    When Intacct holds what the create wrote (``_holds``), as ``link_for_intacct_write``. Else
    a user changed the record after it landed, and the link remembers it as sent: taking the
    record as found for our echo would swallow that change (D21 is about our own writes only),
    so the next read sees it and it reaches Re-Leased (or meets a Re-Leased edit, D20).
    """
    link = link_for_intacct_write(action, found, existing=None)
    if _holds(action.record, found):
        return link
    return link.with_fingerprints(intacct=written_fingerprint(action.record, sent=action.record))


def _holds(sent: IntacctRecord, found: IntacctRecord) -> bool:
    """Whether ``found`` is ``sent`` as Intacct stores it: a document judged on what its create
    wrote (``update_landed``: what Intacct derives is no change); a payment unless reversed
    since (payments are not edited, D9); a customer or vendor on its whole fingerprint."""
    if isinstance(sent, Transaction) and isinstance(found, Transaction):
        return update_landed(sent, found)
    if isinstance(found, IntacctPayment):
        return found.state not in (IntacctState.REVERSED, IntacctState.REVERSAL)
    return intacct_fingerprint(found) == intacct_fingerprint(sent)


def link_for_released_write(
    action: CreateInReleased | UpdateInReleased | VoidInReleased,
    written: ReleasedRecord,
    *,
    existing: Link | None,
) -> Link:
    if isinstance(action, CreateInReleased):
        return Link(
            record_type=action.record_type,
            released_id=written.id,
            intacct_key=action.intacct_key,
            origin=System.INTACCT,
            released_fingerprint=fingerprint(written),
            intacct_fingerprint=action.source_fingerprint,
            posted=_posted_released(written),
        )
    if existing is None:
        msg = "an update or void in Re-Leased needs the existing link"
        raise ValueError(msg)
    refreshed = existing.with_fingerprints(
        released=fingerprint(written), intacct=action.source_fingerprint
    )
    return replace(refreshed, posted=_posted_released(written))


def _posted_released(record: ReleasedRecord) -> bool:
    """A Re-Leased copy that is approved (or beyond) mirrors a posted Intacct record (D6, D20)."""
    return isinstance(record, Invoice) and record.status in _POSTED_IN_RELEASED
