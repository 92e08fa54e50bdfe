"""The payments step (rules D2, D9-D12): Intacct AR/AP payments and Re-Leased payments.

A Re-Leased payment going to Intacct needs the invoice it pays (its module and contact), which the
payments feed does not carry and the Re-Leased port cannot fetch by id. Decided: the documents
step keeps, for every Re-Leased document it reads, whom it bills and in which module
(``RunContext.billed``: the last pages' in memory, the others in a temporary file); a payment of
a document this run has not read (synced by an earlier run) has it found by reading the invoice
feed from its start, keeping only those invoices (the cost is a read of the feed per page holding
such payments).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.sync.apply import plan_and_apply
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.isolate import planned
from released_intacct.app.sync.reading import Source, find_in_feed, run_step
from released_intacct.app.sync.refs import payment_refs
from released_intacct.domain.enums import DocumentKind, Origin, RecordType, ReleasedPaymentStatus
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.intacct import IntacctPayment
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.planning.documents import record_type_of
from released_intacct.domain.planning.payments import plan_payments
from released_intacct.domain.released import Billed, Payment


async def payments_step(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    async def handle(
        payments: Sequence[Payment], intacct: Sequence[IntacctPayment]
    ) -> Result[None, SyncError]:
        first = await payment_refs(payments, intacct).load(ctx)
        if not is_successful(first):
            return Failure(first.failure())
        documents = await _paid_invoices(ctx, _new(payments, first.unwrap()))
        if not is_successful(documents):
            return Failure(documents.failure())
        found = documents.unwrap()
        wanted = payment_refs(payments, intacct)
        wanted.released(RecordType.CONTACT, [invoice.contact_id for invoice in found.values()])
        return await plan_and_apply(
            ctx,
            tally,
            wanted,
            lambda links: planned(
                partial(plan_payments, links=links, settings=ctx.settings, documents=found),
                payments,
                intacct,
            ),
        )

    intacct = [
        Source(
            f"intacct.payments.{origin.value}",
            partial(ctx.intacct.payments, origin),
            RecordType.PAYMENT,
        )
        for origin in (Origin.AR, Origin.AP)
    ]
    released = [Source("released.payments", ctx.released.payments, RecordType.PAYMENT)]
    return await run_step(ctx, tally, handle, released=released, intacct=intacct)


def _new(payments: Sequence[Payment], links: LinkIndex) -> dict[DocumentKind, set[ReleasedId]]:
    """The linked invoices paid by Re-Leased payments not synced yet, by kind."""
    wanted: dict[DocumentKind, set[ReleasedId]] = {}
    for payment in payments:
        if payment.status is not ReleasedPaymentStatus.ACTIVE:
            continue
        if links.by_released(RecordType.PAYMENT, payment.id) is not None:
            continue
        invoice = links.by_released(record_type_of(payment.document_kind), payment.invoice_id)
        if invoice is not None and invoice.is_linked:
            wanted.setdefault(payment.document_kind, set()).add(payment.invoice_id)
    return wanted


async def _paid_invoices(
    ctx: RunContext, wanted: dict[DocumentKind, set[ReleasedId]]
) -> Result[dict[ReleasedId, Billed], SyncError]:
    found: dict[ReleasedId, Billed] = {}
    for kind, ids in wanted.items():
        seen = ctx.billed.of(kind, ids)
        found.update(seen)
        unread = {id for id in ids if id not in seen}
        if not unread:
            continue
        read = await find_in_feed(partial(ctx.released.invoices, kind), unread)
        if not is_successful(read):
            return Failure(read.failure())
        found.update((i.id, i) for i in read.unwrap())
    return Success(found)
