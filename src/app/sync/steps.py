"""The steps of a run in dependency order, each: read a page → load its links → plan → apply.

1. Intacct-owned lists into Re-Leased (rule D1): GL accounts, tax details, then the values of every
   dimension kind, each kind's tracking category planned and applied before its options. With
   Order Entry / Purchasing in use, the Items of the accounts (D17) are made in between: an Item
   is also a value of the item dimension, so it is read as one in the same run (D21).
2. Contacts both ways (D3, D4): Intacct customers and vendors, Re-Leased contacts (one with no
   side yet waits until an invoice names it: ``roles``).
3. Invoices and credit notes both ways (D2, D6, D7, D13, D14, D20): AR and AP, and Order Entry /
   Purchasing documents when the company uses them (D17).
4. Payments both ways (D9-D12).
5. Deletions Intacct reports for invoices, credit notes and payments (D8, D9); a deleted
   customer / vendor is found out when next needed (D5, ``vanished``).

Every page is planned through ``isolate.planned``: a record that makes planning raise is its own
sync result and the rest of the page is planned without it (rule E1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.sync.apply import apply, plan_and_apply
from released_intacct.app.sync.conflicts import rechecked
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.isolate import planned, planned_one_side
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.payments import payments_step
from released_intacct.app.sync.readback import read_back
from released_intacct.app.sync.reading import Source, run_step
from released_intacct.app.sync.refs import document_refs
from released_intacct.app.sync.roles import create_billed_contacts
from released_intacct.app.sync.vanished import missing_parties
from released_intacct.domain.actions import Action
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import (
    Deletion,
    DimensionValue,
    GlAccount,
    Party,
    TaxDetail,
    Transaction,
    category_key,
)
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.contacts import plan_contacts
from released_intacct.domain.planning.deletions import plan_deletions
from released_intacct.domain.planning.documents import plan_documents, record_type_of
from released_intacct.domain.planning.lists import (
    item_links,
    plan_accounts,
    plan_dimension_values,
    plan_items,
    plan_tax_details,
    plan_tracking_categories,
)
from released_intacct.domain.released import Account, Contact, Invoice
from released_intacct.domain.settings import SyncSettings

Step = Callable[[RunContext, Tally], Awaitable[Result[None, SyncError]]]
_DELETED = (RecordType.INVOICE, RecordType.CREDIT_NOTE, RecordType.PAYMENT)
"""Customers and vendors are not read from the audit trail: it names a deleted one by a record
number the links do not know, and rule D5 has the deletion found out when next needed
(``vanished``)."""


async def run_steps(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    steps: tuple[Step, ...] = (
        _accounts,
        _tax_details,
        _items,
        *(partial(_dimension, kind) for kind in DimensionKind),
        _contacts,
        _documents,
        payments_step,
        _deletions,
    )
    for step in steps:
        done = await step(ctx, tally)
        if not is_successful(done):
            return done
    return Success(None)


async def _accounts(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    async def handle(_: Sequence[object], accounts: Sequence[GlAccount]) -> Result[None, SyncError]:
        wanted = Wanted().intacct(RecordType.ACCOUNT, [a.link_key for a in accounts])
        return await plan_and_apply(
            ctx,
            tally,
            wanted,
            lambda links: planned_one_side(
                partial(plan_accounts, links=links, settings=ctx.settings), accounts
            ),
        )

    source = Source("intacct.accounts", ctx.intacct.accounts, RecordType.ACCOUNT)
    return await run_step(ctx, tally, handle, intacct=[source])


async def _tax_details(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    async def handle(_: Sequence[object], details: Sequence[TaxDetail]) -> Result[None, SyncError]:
        wanted = Wanted().intacct(RecordType.TAX_TYPE, [d.link_key for d in details])
        return await plan_and_apply(
            ctx,
            tally,
            wanted,
            lambda links: planned_one_side(
                partial(plan_tax_details, links=links, settings=ctx.settings), details
            ),
        )

    source = Source("intacct.tax_details", ctx.intacct.tax_details, RecordType.TAX_TYPE)
    return await run_step(ctx, tally, handle, intacct=[source])


async def _dimension(kind: DimensionKind, ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    """One dimension kind: its tracking category first, then its options (rules D1, M2)."""
    category = Wanted().intacct(RecordType.TRACKING_CATEGORY, [category_key(kind)])

    async def handle(
        _: Sequence[object], values: Sequence[DimensionValue]
    ) -> Result[None, SyncError]:
        if not values:
            return Success(None)
        made = await plan_and_apply(
            ctx,
            tally,
            category,
            lambda links: plan_tracking_categories([kind], links, ctx.settings),
        )
        if not is_successful(made):
            return made
        options = Wanted().intacct(RecordType.TRACKING_CATEGORY, [category_key(kind)])
        options.intacct(RecordType.TRACKING_OPTION, [v.link_key for v in values])
        return await plan_and_apply(ctx, tally, options, partial(_options, values, kind, ctx))

    fetch = partial(ctx.intacct.dimension_values, kind)
    source = Source(f"intacct.dimensions.{kind.value}", fetch, RecordType.TRACKING_OPTION)
    return await run_step(ctx, tally, handle, intacct=[source])


def _options(
    values: Sequence[DimensionValue], kind: DimensionKind, ctx: RunContext, links: LinkIndex
) -> tuple[Action, ...]:
    """The options, once the category is linked (if creating it failed, that is its result)."""
    if links.by_intacct(RecordType.TRACKING_CATEGORY, category_key(kind)) is None:
        return ()
    plan = partial(plan_dimension_values, links=links, settings=ctx.settings)
    return planned_one_side(plan, values)


async def _items(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    """Rule D17: with Order Entry / Purchasing in use, the Items of every Re-Leased account."""
    if not (ctx.settings.order_entry or ctx.settings.purchasing):
        return Success(None)

    async def handle(accounts: Sequence[Account], _: Sequence[object]) -> Result[None, SyncError]:
        ids = [a.id for a in accounts]
        linked = await Wanted().released(RecordType.ACCOUNT, ids).load(ctx)
        if not is_successful(linked):
            return Failure(linked.failure())
        wanted = Wanted().released(RecordType.ACCOUNT, ids)
        wanted.released(RecordType.ITEM, item_links(accounts, linked.unwrap(), ctx.settings))
        return await plan_and_apply(
            ctx,
            tally,
            wanted,
            lambda links: planned_one_side(
                partial(plan_items, links=links, settings=ctx.settings, existing_items=ctx.items),
                accounts,
            ),
        )

    source = Source("released.accounts.items", ctx.released.accounts, RecordType.ITEM)
    return await run_step(ctx, tally, handle, released=[source])


async def _contacts(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    async def handle(
        contacts: Sequence[Contact], parties: Sequence[Party]
    ) -> Result[None, SyncError]:
        wanted = Wanted().released(RecordType.CONTACT, [c.id for c in contacts])
        wanted.intacct(RecordType.CONTACT, [p.link_key for p in parties if p.party_id])
        loaded = await wanted.load(ctx)
        if not is_successful(loaded):
            return Failure(loaded.failure())
        links = loaded.unwrap()
        missing = await missing_parties(ctx, _edited_contacts(contacts, links))
        if not is_successful(missing):
            return Failure(missing.failure())
        plan = partial(plan_contacts, links=links, settings=ctx.settings, missing=missing.unwrap())
        return await apply(ctx, tally, planned(plan, contacts, parties), links)

    parties = [
        Source(
            f"intacct.parties.{role.value}", partial(ctx.intacct.parties, role), RecordType.CONTACT
        )
        for role in ContactRole
    ]
    contacts = [Source("released.contacts", ctx.released.contacts, RecordType.CONTACT)]
    return await run_step(ctx, tally, handle, released=contacts, intacct=parties)


def _edited_contacts(contacts: Sequence[Contact], links: LinkIndex) -> list[IntacctKey]:
    """The parties of the linked contacts edited in Re-Leased (rule D5: are they still there?)."""
    keys: list[IntacctKey] = []
    for contact in contacts:
        link = links.by_released(RecordType.CONTACT, contact.id)
        if link and link.is_linked and link.released_fingerprint != fingerprint(contact):
            keys.append(link.intacct_key)
    return keys


def origins(settings: SyncSettings) -> tuple[Origin, ...]:
    """The modules whose documents a run reads: AR and AP always; Order Entry / Purchasing
    documents when the company uses them (D17)."""
    used = (
        (Origin.ORDER_ENTRY, settings.order_entry),
        (Origin.PURCHASING, settings.purchasing),
    )
    return (Origin.AR, Origin.AP, *(origin for origin, on in used if on))


async def _documents(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    async def handle(
        invoices: Sequence[Invoice], transactions: Sequence[Transaction]
    ) -> Result[None, SyncError]:
        ctx.billed.keep(invoices)
        billed = await create_billed_contacts(ctx, tally, invoices)
        if not is_successful(billed):
            return billed
        loaded = await document_refs(invoices, transactions).load(ctx)
        if not is_successful(loaded):
            return Failure(loaded.failure())
        links = loaded.unwrap()
        plan = partial(plan_documents, links=links, settings=ctx.settings)
        first = planned(plan, invoices, transactions)
        actions = await rechecked(ctx, first, invoices, transactions, links)
        done = await apply(ctx, tally, actions, links)
        if not is_successful(done):
            return done
        return await read_back(ctx, tally, actions)

    intacct = [
        Source(
            f"intacct.transactions.{origin.value}.{kind.value}",
            partial(ctx.intacct.transactions, origin, kind),
            record_type_of(kind),
        )
        for origin in origins(ctx.settings)
        for kind in DocumentKind
    ]
    released = [
        Source(
            f"released.invoices.{kind.value}",
            partial(ctx.released.invoices, kind),
            record_type_of(kind),
        )
        for kind in DocumentKind
    ]
    return await run_step(ctx, tally, handle, released=released, intacct=intacct)


async def _deletions(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    async def handle(_: Sequence[object], deleted: Sequence[Deletion]) -> Result[None, SyncError]:
        wanted = Wanted()
        for deletion in deleted:
            if deletion.record_type is RecordType.PAYMENT:  # linked per allocation
                wanted.intacct_prefix(RecordType.PAYMENT, [f"{deletion.key}/"])
            else:
                wanted.intacct(deletion.record_type, [deletion.key])
        return await plan_and_apply(
            ctx,
            tally,
            wanted,
            lambda links: planned_one_side(partial(plan_deletions, links=links), deleted),
        )

    sources = [
        Source(f"intacct.deletions.{rt.value}", partial(ctx.intacct.deletions, rt), None)
        for rt in _DELETED
    ]
    return await run_step(ctx, tally, handle, intacct=sources)
