"""What planning needs to know about one connection: dates, currency and Intacct's set-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.money import Currency, currency
from released_intacct.domain.ports import IntacctSetup
from released_intacct.domain.rules.prerequisites import unconfirmed

EARLIEST_SYNC_FROM = date(2018, 1, 1)
"""Rule C4: the sync-from date may not be earlier than this."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncSettings:
    connection: ConnectionId
    sync_from: date
    base_currency: Currency
    post_on_due_date: bool = False
    """Rule M3: Intacct's GL date comes from the due date instead of the issue date."""
    account_labels: bool = False
    """Rule D16: Account Labels enabled in Intacct (not supported)."""
    unconfirmed: frozenset[Prerequisite] = frozenset()
    """Rule C5: prerequisites Intacct could not report, acknowledged by the user; a refusal they
    would explain names their rule (``rules.prerequisites.explain``)."""
    order_entry: bool = False
    """Order Entry in use: income invoices go to Intacct as OE documents (rule D17)."""
    purchasing: bool = False
    """Purchasing in use: expense invoices go to Intacct as PO documents (rule D17)."""
    sales_definition: str = "Sales Invoice"
    sales_credit_definition: str = "Sales Return"
    """The definition of the OE credit documents read from Intacct as credit notes. A Re-Leased
    credit note always goes out as an AR / AP adjustment (rule D13)."""
    purchase_definition: str = "Vendor Invoice"
    purchase_credit_definition: str = "Vendor Return"


def sync_settings(
    connection: ConnectionId, sync_from: date, setup: IntacctSetup
) -> Result[SyncSettings, SyncError]:
    """What planning needs about a connection, from its date and Intacct's set-up (used by
    confirm and by every sync run)."""
    if setup.base_currency is None:
        return _unusable(
            "Sage Intacct names no single base currency for this connection (the top level of"
            " a company with several base currencies).",
            "Connect an entity of the company rather than its top level (rule C3).",
        )
    try:
        base = currency(setup.base_currency)
    except ValueError:
        return _unusable(
            f"Sage Intacct reports the base currency {setup.base_currency!r}, which is not "
            "a currency code.",
            "Check the company's base currency in Sage Intacct, then confirm again.",
        )
    return Success(
        SyncSettings(
            connection=connection,
            sync_from=sync_from,
            base_currency=base,
            account_labels=setup.account_labels is True,
            unconfirmed=unconfirmed(setup),
            order_entry=setup.order_entry,
            purchasing=setup.purchasing,
        )
    )


def _unusable(message: str, fix: str) -> Failure[SyncError]:
    """Rule C5: Intacct's set-up gives no base currency the sync can use (FATAL: no run goes on)."""
    return Failure(SyncError(kind=ErrorKind.FATAL, rule=Rule.C5, message=message, fix=fix))
