"""Small, valid sample records for example-based tests; override any field by keyword."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

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
    ReleasedStatus,
    System,
)
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    IntacctId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.intacct import (
    DimensionValue,
    GlAccount,
    IntacctPayment,
    Party,
    PaymentApplication,
    TaxDetail,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.matching import (
    account_candidates,
    contact_candidates,
    dimension_targets,
    gl_account_targets,
    party_targets,
    tax_detail_targets,
    tax_type_candidates,
    tracking_candidates,
)
from released_intacct.domain.money import currency
from released_intacct.domain.onboarding import Onboarding, start_onboarding
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    InvoiceLine,
    Payment,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.settings import SyncSettings
from released_intacct.domain.state import Connection, Phase

GBP = currency("GBP")
EUR = currency("EUR")
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ON = date(2026, 3, 1)

ACCOUNT_ID = ReleasedId("acc-4000")
CONTACT_ID = ReleasedId("con-1")
VENDOR_CONTACT_ID = ReleasedId("con-2")


def settings(**overrides: Any) -> SyncSettings:
    base = SyncSettings(
        connection=ConnectionId("conn-1"), sync_from=date(2026, 1, 1), base_currency=GBP
    )
    return replace(base, **overrides)


def base_links() -> list[Link]:
    """An account and a customer and a vendor, linked as if onboarding had matched them."""
    return [
        Link(
            record_type=RecordType.ACCOUNT,
            released_id=ACCOUNT_ID,
            intacct_key=IntacctKey("4000"),
            origin=System.INTACCT,
        ),
        Link(
            record_type=RecordType.CONTACT,
            released_id=CONTACT_ID,
            intacct_key=IntacctKey("CUSTOMER:C1"),
            origin=System.INTACCT,
        ),
        Link(
            record_type=RecordType.CONTACT,
            released_id=VENDOR_CONTACT_ID,
            intacct_key=IntacctKey("VENDOR:V1"),
            origin=System.INTACCT,
        ),
    ]


def links(*extra: Link) -> LinkIndex:
    return LinkIndex([*base_links(), *extra])


def gl_account(**overrides: Any) -> GlAccount:
    return replace(GlAccount(account_no=IntacctId("4000"), title="Rent Income"), **overrides)


def party(**overrides: Any) -> Party:
    base = Party(
        role=ContactRole.CUSTOMER,
        party_id=IntacctId("C1"),
        name="Harbour Cafe",
        record_no="11",
        modified_at=WHEN,
    )
    return replace(base, **overrides)


def contact(**overrides: Any) -> Contact:
    return replace(Contact(id=ReleasedId("con-new"), name="Swift Plumbing"), **overrides)


def transaction(**overrides: Any) -> Transaction:
    base = Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number="INV-1",
        state=IntacctState.POSTED,
        party_id=IntacctId("C1"),
        invoice_date=ON,
        gl_date=ON,
        due_date=date(2026, 3, 31),
        currency=GBP,
        lines=(TransactionLine(memo="Rent", account_no=IntacctId("4000"), amount=Decimal(100)),),
        record_no="101",
        modified_at=WHEN,
    )
    return replace(base, **overrides)


def invoice(**overrides: Any) -> Invoice:
    base = Invoice(
        id=ReleasedId("inv-1"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number="R-1",
        status=ReleasedInvoiceStatus.AWAITING_APPROVAL,
        contact_id=CONTACT_ID,
        issue_date=ON,
        due_date=date(2026, 3, 31),
        currency=GBP,
        lines=(InvoiceLine(description="Rent", account_id=ACCOUNT_ID, unit_price=Decimal(100)),),
    )
    return replace(base, **overrides)


def intacct_payment(**overrides: Any) -> IntacctPayment:
    base = IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.ORDINARY,
        party_id=IntacctId("C1"),
        date=ON,
        currency=GBP,
        amount=Decimal(100),
        applications=(PaymentApplication(document_key=IntacctKey("101"), amount=Decimal(100)),),
        record_no="501",
        modified_at=WHEN,
    )
    return replace(base, **overrides)


def payment(**overrides: Any) -> Payment:
    base = Payment(
        id=ReleasedId("pay-1"),
        invoice_id=ReleasedId("inv-1"),
        document_kind=DocumentKind.INVOICE,
        date=ON,
        amount=Decimal(100),
        currency=GBP,
    )
    return replace(base, **overrides)


def confirmed_connection(id: ConnectionId, **overrides: Any) -> Connection:
    """A connection confirmed at the top level of an Intacct company, syncing from 2026-01-01."""
    base = Connection(
        id=id,
        released_company=ReleasedCompanyId(f"RL-{id}"),
        intacct_company=IntacctCompanyId(f"INT-{id}"),
        phase=Phase.CONFIRMED,
        entity=EntityId(""),
        sync_from=date(2026, 1, 1),
        created_at=WHEN,
        confirmed_at=WHEN,
    )
    return replace(base, **overrides)


def credentials(password: str) -> IntacctCredentials:
    """Web Services credentials whose passwords are ``password``."""
    secret = Secret(password)
    return IntacctCredentials(
        sender_id="s", sender_password=secret, company_id="C", user_id="u", user_password=secret
    )


def onboarding() -> Onboarding:
    """An onboarding with something in every step; auto-match resolves some of it."""
    return start_onboarding(
        tax_types=tax_type_candidates(
            [
                TaxType(id=ReleasedId("t-std"), name="Standard", rate=Decimal(20)),
                TaxType(id=ReleasedId("t-old"), name="Old rate", rate=Decimal(15)),
            ]
        ),
        tax_details=tax_detail_targets(
            [
                TaxDetail(detail_id=IntacctId("Standard"), rate=Decimal(20)),
                TaxDetail(detail_id=IntacctId("Reduced"), rate=Decimal(5)),
            ]
        ),
        accounts=account_candidates(
            [
                Account(id=ReleasedId("a-sales"), code="4000", name="Sales income"),
                Account(id=ReleasedId("a-rent"), code="R1", name="Rent received"),
                Account(id=ReleasedId("a-misc"), code="M1", name="Misc"),
            ]
        ),
        gl_accounts=gl_account_targets(
            [
                GlAccount(account_no=IntacctId("4000"), title="Sales"),
                GlAccount(account_no=IntacctId("4100"), title="Rental income"),
            ]
        ),
        tracking_options=tracking_candidates(
            [
                TrackingCategory(
                    id=ReleasedId("cat-area"),
                    name="Area",
                    options=(
                        TrackingOption(id=ReleasedId("o-north"), name="North"),
                        TrackingOption(id=ReleasedId("o-south"), name="South"),
                    ),
                )
            ]
        ),
        dimension_values=dimension_targets(
            [
                DimensionValue(kind=DimensionKind.LOCATION, value_id=IntacctId("N"), name="Nth"),
                DimensionValue(kind=DimensionKind.LOCATION, value_id=IntacctId("S"), name="Sth"),
                DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D"), name="Sth"),
            ]
        ),
        contacts=contact_candidates(
            [
                Contact(id=ReleasedId("c-acme"), name="Acme Ltd"),
                Contact(id=ReleasedId("c-new"), name="New Tenant"),
                Contact(id=ReleasedId("c-gone"), name="Gone Ltd", status=ReleasedStatus.ARCHIVED),
            ]
        ),
        parties=party_targets(
            [
                Party(role=ContactRole.CUSTOMER, party_id=IntacctId("C-1"), name="ACME LTD"),
                Party(role=ContactRole.VENDOR, party_id=IntacctId("V-1"), name="Builders Co"),
            ]
        ),
    )
