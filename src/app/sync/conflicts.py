"""Rule D20 across pages: before an edit of a document goes to one side, that side's own version
is checked.

Planning sees a document changed on both sides only when both changes arrive in the same round of
pages. One change may meet the other on a later page, or the other may be made while the run
goes, so each planned edit of a document is preceded by a look-up of the document as the side it
goes to holds it now; when that differs from what was last synced, the pair is planned again
with both versions (``plan_documents``: Intacct wins and a result says so, or, for an unposted
Intacct document whose copy was approved, the pair is left to the user):

- an edit going to Intacct (a Re-Leased edit of an unposted invoice): Intacct's version;
- Intacct's version of an unposted document going to its Re-Leased copy: the copy, which may
  have been approved meanwhile (Re-Leased does not take an approved invoice back to Awaiting
  Approval). A posted version goes without a look-up: Intacct owns a posted document.

Each look-up costs one request per edit of an unposted document; those are rare.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from returns.pipeline import is_successful

from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext
from released_intacct.app.sync.isolate import planned
from released_intacct.domain.actions import Action, UpdateInIntacct, UpdateInReleased
from released_intacct.domain.enums import ReleasedInvoiceStatus
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.documents import plan_documents
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.released import Invoice


async def rechecked(
    ctx: RunContext,
    actions: Sequence[Action],
    invoices: Sequence[Invoice],
    transactions: Sequence[Transaction],
    links: LinkIndex,
) -> tuple[Action, ...]:
    """``actions`` with each edit of a document the other side changed meanwhile planned again."""
    checked: list[Action] = []
    for action in actions:
        if isinstance(action, UpdateInIntacct) and isinstance(action.record, Transaction):
            checked.extend(await _checked(ctx, action, invoices, links))
        elif isinstance(action, UpdateInReleased) and _unposted_copy(action):
            checked.extend(await _checked_copy(ctx, action, transactions, links))
        else:
            checked.append(action)
    return tuple(checked)


async def _checked(
    ctx: RunContext, update: UpdateInIntacct, invoices: Sequence[Invoice], links: LinkIndex
) -> tuple[Action, ...]:
    current = await _changed_in_intacct(ctx, update, links)
    if current is None:
        return (update,)
    mine = [invoice for invoice in invoices if invoice.id == update.released_id]
    return planned(partial(plan_documents, links=links, settings=ctx.settings), mine, (current,))


async def _changed_in_intacct(
    ctx: RunContext, action: UpdateInIntacct, links: LinkIndex
) -> Transaction | None:
    """The document as Intacct holds it, when that is not what was last synced; else None."""
    link = links.by_released(action.record_type, action.released_id)
    if link is None:
        return None
    record = action.record
    if not isinstance(record, Transaction):
        return None
    held = ctx.intacct.transaction_held(record.origin, record.kind, link.intacct_key)
    found = await settled(held)
    current = found.unwrap() if is_successful(found) else None
    if current is None:
        return None
    return None if intacct_fingerprint(current) == link.intacct_fingerprint else current


def _unposted_copy(update: UpdateInReleased) -> bool:
    """Intacct's version of an unposted document (Awaiting Approval in Re-Leased, M4)."""
    record = update.record
    return isinstance(record, Invoice) and record.status is ReleasedInvoiceStatus.AWAITING_APPROVAL


async def _checked_copy(
    ctx: RunContext,
    update: UpdateInReleased,
    transactions: Sequence[Transaction],
    links: LinkIndex,
) -> tuple[Action, ...]:
    current = await _changed_in_released(ctx, update, links)
    if current is None:
        return (update,)
    mine = [
        tx
        for tx in transactions
        if tx.record_type is update.record_type and tx.link_key == update.intacct_key
    ]
    return planned(partial(plan_documents, links=links, settings=ctx.settings), (current,), mine)


async def _changed_in_released(
    ctx: RunContext, update: UpdateInReleased, links: LinkIndex
) -> Invoice | None:
    """The copy as Re-Leased holds it, when that is not what was last synced; else None."""
    link = links.by_released(update.record_type, update.released_id)
    record = update.record
    if link is None or not isinstance(record, Invoice):
        return None
    found = await settled(ctx.released.document_held(record.kind, update.released_id))
    current = found.unwrap() if is_successful(found) else None
    if current is None:
        return None
    return None if fingerprint(current) == link.released_fingerprint else current
