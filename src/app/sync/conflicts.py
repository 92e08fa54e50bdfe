"""Rule D20 across pages: before an edit goes to Intacct, Intacct's own version is checked.

Planning sees a document changed on both sides only when both changes arrive in the same round of
pages. An unposted invoice edited in Re-Leased may meet its Intacct edit on a later page (or the
Intacct edit may be made while the run goes), and sending the Re-Leased edit would overwrite it.
So each planned update of a document in Intacct is preceded by a look-up of the document as
Intacct holds it now; when that differs from what was last synced, the pair is planned again
with both versions, and Intacct wins (the Re-Leased invoice takes Intacct's version and a result
says so). The look-up costs one request per outgoing edit; those are rare (unposted documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from returns.pipeline import is_successful

from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext
from released_intacct.app.sync.isolate import planned
from released_intacct.domain.actions import Action, UpdateInIntacct
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.planning.documents import plan_documents
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.released import Invoice


async def intacct_wins(
    ctx: RunContext, actions: Sequence[Action], invoices: Sequence[Invoice], links: LinkIndex
) -> tuple[Action, ...]:
    """``actions`` with each update of a document Intacct changed meanwhile planned again."""
    checked: list[Action] = []
    for action in actions:
        if isinstance(action, UpdateInIntacct) and isinstance(action.record, Transaction):
            checked.extend(await _checked(ctx, action, invoices, links))
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
