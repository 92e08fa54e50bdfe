"""Rule D4: a Re-Leased contact with no side yet goes to Intacct when it is first billed or bills.

Re-Leased may hold a contact without a role. The contacts step leaves it waiting (a skipped
result); when an invoice that will sync names it, the invoice decides: an income invoice bills it
(a Customer), an expense invoice is its bill (a Vendor). Before a page of invoices is planned, such
contacts are created in Intacct, so the invoices go out in the same page.

Decided: the first invoice of the page that names the contact decides its side (a contact is a
customer or a vendor in Intacct, not both). The Re-Leased port cannot fetch a contact by id, so the
contacts feed is read from its start keeping only those contacts (memory bounded by the page; the
cost is paid only by pages holding such invoices).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.sync.apply import plan_and_apply
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.isolate import planned_one_side
from released_intacct.app.sync.linkset import Wanted
from released_intacct.app.sync.reading import find_in_feed
from released_intacct.domain.enums import ContactRole, InvoiceType, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.planning.contacts import plan_contacts
from released_intacct.domain.released import Invoice
from released_intacct.domain.rules.eligibility import check_outgoing_invoice


async def create_billed_contacts(
    ctx: RunContext, tally: Tally, invoices: Sequence[Invoice]
) -> Result[None, SyncError]:
    """Create in Intacct the role-less contacts the page's syncing invoices name."""
    roles: dict[ReleasedId, ContactRole] = {}
    for invoice in invoices:
        if is_successful(check_outgoing_invoice(invoice, ctx.settings)):
            roles.setdefault(invoice.contact_id, _side(invoice))
    if not roles:
        return Success(None)
    links = await Wanted().released(RecordType.CONTACT, list(roles)).load(ctx)
    if not is_successful(links):
        return Failure(links.failure())
    index = links.unwrap()
    unlinked = {c: r for c, r in roles.items() if index.by_released(RecordType.CONTACT, c) is None}
    if not unlinked:
        return Success(None)
    found = await find_in_feed(ctx.released.contacts, set(unlinked))
    if not is_successful(found):
        return Failure(found.failure())
    waiting = [c for c in found.unwrap() if c.role is None]
    if not waiting:
        return Success(None)
    wanted = Wanted().released(RecordType.CONTACT, [c.id for c in waiting])
    return await plan_and_apply(
        ctx,
        tally,
        wanted,
        lambda links: planned_one_side(
            partial(plan_contacts, intacct=(), links=links, settings=ctx.settings, roles=unlinked),
            waiting,
        ),
    )


def _side(invoice: Invoice) -> ContactRole:
    return ContactRole.CUSTOMER if invoice.type is InvoiceType.INCOME else ContactRole.VENDOR
