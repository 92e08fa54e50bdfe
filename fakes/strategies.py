"""Hypothesis strategies for whole pairs of companies, for the planning properties.

Test support only: it needs ``hypothesis`` (a dev dependency). Re-Leased records refer to the
Intacct-owned lists by the ids planning proposes for them (their idempotency keys), so a generated
Re-Leased invoice points at the account the first sync creates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    IntacctStatus,
    InvoiceType,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
)
from released_intacct.domain.ids import ConnectionId, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    ContactBlock,
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Party,
    PaymentApplication,
    TaxDetail,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.money import Currency, currency
from released_intacct.domain.planning.common import key_for_released
from released_intacct.domain.released import (
    Address,
    Contact,
    Invoice,
    InvoiceLine,
    Payment,
    ReleasedRecord,
)
from released_intacct.domain.settings import SyncSettings
from released_intacct.fakes.companies import Companies

BASE = currency("GBP")
FOREIGN = currency("EUR")
SYNC_FROM = date(2024, 1, 1)
WHEN = datetime(2026, 1, 1, tzinfo=UTC)

SETTINGS = SyncSettings(connection=ConnectionId("prop"), sync_from=SYNC_FROM, base_currency=BASE)

names = st.text(alphabet="abcdefghij KLMN", min_size=1, max_size=8).map(str.strip).filter(bool)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2)
dates = st.dates(
    min_value=SYNC_FROM - timedelta(days=20), max_value=SYNC_FROM + timedelta(days=100)
)
ACCOUNT_NOS = tuple(IntacctId(str(n)) for n in (4000, 4100, 6100))
TAX_IDS = (IntacctId("Standard"), IntacctId("Zero"))


@st.composite
def intacct_lists(draw: st.DrawFn) -> list[tuple[RecordType, IntacctRecord]]:
    accounts = [
        GlAccount(account_no=no, title=f"Account {no}", status=draw(st.sampled_from(IntacctStatus)))
        for no in ACCOUNT_NOS
    ]
    taxes = [TaxDetail(detail_id=tid, rate=Decimal(20)) for tid in TAX_IDS]
    kinds = draw(st.lists(st.sampled_from(DimensionKind), max_size=3, unique=True))
    values = [
        DimensionValue(kind=kind, value_id=IntacctId(f"{kind.value[:3]}1"), name=draw(names))
        for kind in kinds
    ]
    return [
        *((RecordType.ACCOUNT, a) for a in accounts),
        *((RecordType.TAX_TYPE, t) for t in taxes),
        *((RecordType.TRACKING_OPTION, v) for v in values),
    ]


@st.composite
def parties(draw: st.DrawFn) -> list[Party]:
    found: list[Party] = []
    roles = [ContactRole.CUSTOMER, ContactRole.VENDOR]
    for number, role in enumerate(roles + draw(st.lists(st.sampled_from(ContactRole), max_size=2))):
        prefix = "C" if role is ContactRole.CUSTOMER else "V"
        found.append(
            Party(
                role=role,
                party_id=IntacctId(f"{prefix}9{number:03d}"),
                name=draw(names),
                primary=ContactBlock(email=draw(st.sampled_from(["", "a@x.example"]))),
                status=draw(st.sampled_from(IntacctStatus)),
                currency=draw(st.sampled_from([None, BASE, BASE, FOREIGN])),
                record_no=f"p{number}",
            )
        )
    return found


def _line(draw: st.DrawFn, origin: Origin, kinds: list[DimensionKind]) -> TransactionLine:
    dims = tuple((kind, IntacctId(f"{kind.value[:3]}1")) for kind in sorted(kinds, key=str))
    account = draw(st.sampled_from(ACCOUNT_NOS))
    if origin.is_order_module:
        suffix = "S" if origin is Origin.ORDER_ENTRY else "P"
        return TransactionLine(
            memo=draw(names),
            item_id=IntacctId(f"{account}-{suffix}"),
            quantity=Decimal(draw(st.integers(1, 3))),
            price=draw(amounts),
            dimensions=dims,
        )
    return TransactionLine(
        memo=draw(names),
        account_no=account,
        amount=draw(amounts) * draw(st.sampled_from([1, 1, 1, -1])),
        tax_detail_id=draw(st.sampled_from([None, *TAX_IDS])),
        dimensions=dims,
    )


@st.composite
def transactions(
    draw: st.DrawFn, found: list[Party], kinds: list[DimensionKind]
) -> list[Transaction]:
    made: list[Transaction] = []
    for number in range(draw(st.integers(1, 5))):
        origin = draw(st.sampled_from(Origin))
        candidates = [p for p in found if p.role is origin.role and p.party_id]
        if not candidates:
            continue
        party = draw(st.sampled_from(candidates))
        on = draw(dates)
        definition = "Sales Invoice" if origin is Origin.ORDER_ENTRY else "Vendor Invoice"
        made.append(
            Transaction(
                origin=origin,
                kind=draw(st.sampled_from(DocumentKind)),
                number=f"T{number}",
                state=draw(
                    st.sampled_from(
                        [IntacctState.POSTED, IntacctState.DRAFT, IntacctState.REVERSED]
                    )
                ),
                party_id=party.party_id or IntacctId(""),
                invoice_date=on,
                gl_date=on,
                due_date=on + timedelta(days=30),
                currency=draw(st.sampled_from([BASE] * 5 + [FOREIGN])),
                lines=tuple(_line(draw, origin, kinds) for _ in range(draw(st.integers(1, 2)))),
                transaction_definition=definition if origin.is_order_module else None,
                document_id=f"{definition}-T{number}" if origin.is_order_module else None,
                record_no=f"t{number}",
                modified_at=WHEN,
            )
        )
    return made


@st.composite
def intacct_payments(draw: st.DrawFn, made: list[Transaction]) -> list[IntacctPayment]:
    payments: list[IntacctPayment] = []
    for number in range(draw(st.integers(0, 4))):
        if not made:
            break
        tx = draw(st.sampled_from(made))
        allocated = draw(st.booleans())
        amount = draw(amounts)
        payments.append(
            IntacctPayment(
                origin=Origin.AR if tx.origin.role is ContactRole.CUSTOMER else Origin.AP,
                kind=draw(st.sampled_from([PaymentKind.ORDINARY] * 4 + list(PaymentKind))),
                party_id=tx.party_id,
                date=draw(dates),
                currency=tx.currency,
                amount=amount,
                applications=(
                    (PaymentApplication(document_key=tx.link_key, amount=amount),)
                    if allocated
                    else ()
                ),
                state=draw(st.sampled_from([IntacctState.POSTED] * 3 + [IntacctState.REVERSED])),
                record_no=f"pay{number}",
            )
        )
    return payments


@st.composite
def released_side(draw: st.DrawFn) -> list[tuple[RecordType, ReleasedRecord]]:
    contacts = [
        Contact(
            id=ReleasedId(f"rc{n}"),
            name=draw(names),
            street_address=Address(line1=draw(names)),
            currency=draw(st.sampled_from([None, BASE, FOREIGN])),
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    drafted = [_released_invoice(draw, n, contacts) for n in range(draw(st.integers(0, 3)))]
    invoices = [invoice for invoice in drafted if invoice is not None]
    payments = [
        Payment(
            id=ReleasedId(f"rp{n}"),
            invoice_id=invoice.id,
            document_kind=invoice.kind,
            date=draw(dates),
            amount=draw(amounts),
            currency=invoice.currency,
            status=draw(st.sampled_from(ReleasedPaymentStatus)),
        )
        for n, invoice in enumerate(
            draw(st.lists(st.sampled_from(invoices), max_size=2)) if invoices else []
        )
    ]
    return [
        *((RecordType.CONTACT, c) for c in contacts),
        *(
            (RecordType.INVOICE if i.kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE, i)
            for i in invoices
        ),
        *((RecordType.PAYMENT, p) for p in payments),
    ]


def _released_invoice(draw: st.DrawFn, n: int, contacts: list[Contact]) -> Invoice | None:
    if not contacts:
        return None
    on = draw(dates)
    account = ReleasedId(key_for_released(SETTINGS, RecordType.ACCOUNT, IntacctKey(ACCOUNT_NOS[0])))
    currency_: Currency = draw(st.sampled_from([BASE, BASE, FOREIGN]))
    return Invoice(
        id=ReleasedId(f"ri{n}"),
        kind=draw(st.sampled_from(DocumentKind)),
        type=draw(st.sampled_from(InvoiceType)),
        invoice_number=f"R{n}",
        status=draw(st.sampled_from(ReleasedInvoiceStatus)),
        contact_id=draw(st.sampled_from(contacts)).id,
        issue_date=on,
        due_date=on + timedelta(days=14),
        currency=currency_,
        lines=(InvoiceLine(description=draw(names), account_id=account, unit_price=draw(amounts)),),
    )


@st.composite
def worlds(draw: st.DrawFn) -> Companies:
    world = Companies()
    lists = draw(intacct_lists())
    kinds = [v.kind for t, v in lists if isinstance(v, DimensionValue)]
    found = draw(parties())
    made = draw(transactions(found, kinds))
    paid = draw(intacct_payments(made))
    for record_type, record in lists:
        world.put_intacct(record_type, record)
    for party in found:
        world.put_intacct(RecordType.CONTACT, party)
    for tx in made:
        world.put_intacct(tx.record_type, tx)
    for payment in paid:
        world.put_intacct(RecordType.PAYMENT, payment)
    for record_type, rl in draw(released_side()):
        world.put_released(record_type, rl)
    return world
