"""Reading back the OE/PO documents a page wrote to Intacct (rules D17, D21).

Intacct adds to an Order Entry / Purchasing document what Re-Leased did not send: its DOCID (the
invoice number becomes ``<definition>-<number>``, M1) and the tax its engine calculates (D17). Right
after a page's writes, each such document is looked up by its key and what Intacct holds is
planned as an incoming change (its link remembers no Intacct fingerprint, so it is one), then
applied: the Re-Leased invoice takes Intacct's number and tax in the same run, and the next sync
sees nothing new (D21). A look-up that fails leaves it for the next run, which reads the document
from its feed and does the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from returns.pipeline import is_successful
from returns.result import Result, Success

from released_intacct.app.ports import settled
from released_intacct.app.sync.apply import plan_and_apply
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.outbox import as_lookup
from released_intacct.app.sync.refs import document_refs
from released_intacct.domain.actions import Action, CreateInIntacct, UpdateInIntacct
from released_intacct.domain.errors import SyncError
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.planning.documents import plan_documents


async def read_back(
    ctx: RunContext, tally: Tally, planned: Sequence[Action]
) -> Result[None, SyncError]:
    lookups = [lookup for lookup in map(_lookup, planned) if lookup is not None]
    found = await asyncio.gather(*(settled(ctx.intacct.find_written(w)) for w in lookups))
    held: list[Transaction] = []
    for result in found:  # asked side by side, so the adapter asks them in one request
        record = result.unwrap() if is_successful(result) else None
        if isinstance(record, Transaction) and record.link_key:
            held.append(record)
    if not held:
        return Success(None)
    return await plan_and_apply(
        ctx,
        tally,
        document_refs((), held),
        lambda links: plan_documents((), held, links, ctx.settings),
    )


def _lookup(action: Action) -> CreateInIntacct | None:
    """The look-up of an OE/PO document written by ``action``."""
    if not isinstance(action, CreateInIntacct | UpdateInIntacct):
        return None
    record = action.record
    if not isinstance(record, Transaction) or not record.origin.is_order_module:
        return None
    return as_lookup(action)
