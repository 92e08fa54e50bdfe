"""``make run`` for now: plan and apply a whole sync of a small demo pair of companies in memory.

It shows the pure core at work on every kind of record: Intacct-owned lists flowing into
Re-Leased (D1), contacts and invoices both ways, the records that by rule do not sync and why, and
that a second sync with no changes writes nothing (D21). The HTTP simulators, the state store and
the admin API replace this in-memory world as they land.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    InvoiceType,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
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
from released_intacct.domain.money import currency
from released_intacct.domain.planning.common import key_for_released
from released_intacct.domain.released import (
    Address,
    Contact,
    Invoice,
    InvoiceLine,
    ReleasedRecord,
)
from released_intacct.domain.settings import SyncSettings
from released_intacct.fakes.companies import Companies
from released_intacct.fakes.full_sync import sync_everything

GBP = currency("GBP")
WHEN = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def demo_settings() -> SyncSettings:
    return SyncSettings(
        connection=ConnectionId("demo"), sync_from=date(2026, 1, 1), base_currency=GBP
    )


def demo_world() -> Companies:
    world = Companies()
    for record_type, record in _intacct_records():
        world.put_intacct(record_type, record)
    for record_type, rl in _released_records():
        world.put_released(record_type, rl)
    return world


def _intacct_records() -> list[tuple[RecordType, IntacctRecord]]:
    rent = GlAccount(account_no=IntacctId("4000"), title="Rent Income", account_type="income")
    repairs = GlAccount(account_no=IntacctId("6100"), title="Repairs", account_type="expense")
    vat = TaxDetail(detail_id=IntacctId("UK Sale Goods Standard Rate"), rate=Decimal(20))
    dept = DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D10"), name="Leasing")
    tenant = Party(
        role=ContactRole.CUSTOMER,
        party_id=IntacctId("C00001"),
        name="Harbour Café Ltd",
        primary=ContactBlock(
            first_name="Ana",
            last_name="Silva",
            email="ana@harbour.example",
            address=Address(line1="1 Quay St", city="Bristol", postcode="BS1 4DJ", country="UK"),
        ),
        record_no="1",
    )
    line = TransactionLine(
        memo="November rent",
        account_no=IntacctId("4000"),
        amount=Decimal("1200.00"),
        tax_detail_id=IntacctId("UK Sale Goods Standard Rate"),
        tax_amount=Decimal("240.00"),
        dimensions=((DimensionKind.DEPARTMENT, IntacctId("D10")),),
    )
    posted = _invoice("INV-1001", "101", IntacctState.POSTED, (line,), date(2026, 11, 1))
    credit = _invoice("INV-0999", "99", IntacctState.POSTED, (line,), date(2026, 11, 2))
    credit = replace(credit, lines=(_negated(line),))
    old = _invoice("INV-0001", "1", IntacctState.POSTED, (line,), date(2025, 6, 1))
    journal = IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.JOURNAL_ENTRY,
        party_id=IntacctId("C00001"),
        date=date(2026, 11, 3),
        currency=GBP,
        amount=Decimal("100.00"),
        applications=(PaymentApplication(document_key=IntacctKey("101"), amount=Decimal(100)),),
        record_no="501",
    )
    return [
        (RecordType.ACCOUNT, rent),
        (RecordType.ACCOUNT, repairs),
        (RecordType.TAX_TYPE, vat),
        (RecordType.TRACKING_OPTION, dept),
        (RecordType.CONTACT, tenant),
        (RecordType.INVOICE, posted),
        (RecordType.INVOICE, credit),
        (RecordType.INVOICE, old),
        (RecordType.PAYMENT, journal),
    ]


def _invoice(
    number: str, record_no: str, state: IntacctState, lines: tuple[TransactionLine, ...], on: date
) -> Transaction:
    return Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number=number,
        state=state,
        party_id=IntacctId("C00001"),
        invoice_date=on,
        gl_date=on,
        due_date=on.replace(day=28),
        currency=GBP,
        lines=lines,
        record_no=record_no,
        modified_at=WHEN,
    )


def _negated(line: TransactionLine) -> TransactionLine:
    return TransactionLine(
        memo="Rent credit entered as a negative invoice",
        account_no=line.account_no,
        amount=-line.amount,
    )


def _released_records() -> list[tuple[RecordType, ReleasedRecord]]:
    plumber = Contact(
        id=ReleasedId("rl-contact-7"),
        name="Swift Plumbing",
        email="jobs@swift.example",
        street_address=Address(line1="9 Mill Lane", city="Bath", country="UK"),
    )
    bill = Invoice(
        id=ReleasedId("rl-invoice-3"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.EXPENSE,
        invoice_number="SP-778",
        status=ReleasedInvoiceStatus.AWAITING_APPROVAL,
        contact_id=plumber.id,
        issue_date=date(2026, 11, 5),
        due_date=date(2026, 12, 5),
        currency=GBP,
        lines=(
            InvoiceLine(
                description="Burst pipe, unit 4",
                account_id=ReleasedId(
                    key_for_released(demo_settings(), RecordType.ACCOUNT, IntacctKey("6100"))
                ),
                unit_price=Decimal("180.00"),
            ),
        ),
    )
    return [(RecordType.CONTACT, plumber), (RecordType.INVOICE, bill)]


def main() -> None:
    settings = demo_settings()
    world = demo_world()
    first = sync_everything(world, settings)
    print("First sync of the demo companies (in memory)")
    for what, count in sorted(first.writes.items()):
        print(f"  {count:3d}  {what}")
    print("Sync results (rule, kind):")
    for what, count in sorted(first.results.items()):
        print(f"  {count:3d}  {what}")
    for error in world.results:
        print(f"    - [{error.rule.value if error.rule else '-'}] {error.message}")
    second = sync_everything(world, settings)
    print(f"Second sync with no changes: {sum(second.writes.values())} writes (rule D21).")


if __name__ == "__main__":
    main()
