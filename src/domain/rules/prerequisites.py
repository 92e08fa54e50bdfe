"""Rule C5: Intacct's set-up before confirm, never guessed.

Each prerequisite *holds*, *fails* or is *unknown*: read from a documented object or preference,
or not readable at all (spec correction 5: no source names the preferences for customer / vendor
document sequencing, account labels, subtotal-dimension defaulting or external tax). A failure
blocks confirm with its fix. An unknown one is shown with where to check it in Intacct, and
blocks confirm until the user acknowledges it (``acknowledged``): nothing blocks or passes
silently. A later refusal that an unconfirmed prerequisite would explain names the rule it is
about (D4, D16, D17, D18) and the same fix (``explain``).

Which apply: the sequencing, account-label and base-currency checks always; items, external tax
and subtotal-dimension defaulting only while Order Entry or Purchasing is in use.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import Enum
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.domain.actions import CreateInIntacct, UpdateInIntacct
from released_intacct.domain.enums import ContactRole, Prerequisite
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.intacct import Party, Transaction
from released_intacct.domain.ports import IntacctSetup

__all__ = [
    "Assessment",
    "Status",
    "assess",
    "blocking",
    "check_can_confirm",
    "check_prerequisites",
    "explain",
    "unconfirmed",
]


class Status(Enum):
    HOLDS = "holds"
    FAILS = "fails"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """One prerequisite as read: its status, whether the user acknowledged it, and the words."""

    prerequisite: Prerequisite
    status: Status
    acknowledged: bool
    rule: Rule
    """The rule the prerequisite serves (a later refusal it explains names it)."""
    message: str
    fix: str
    """What to change in Intacct (fails), or where to check it and how to acknowledge (unknown)."""
    where: str
    """Where the user checks it in Intacct."""
    source: str
    """How it was read, or why it could not be."""

    @property
    def blocks(self) -> bool:
        return self.status is Status.FAILS or (
            self.status is Status.UNKNOWN and not self.acknowledged
        )

    def error(self) -> SyncError:
        return SyncError(
            kind=ErrorKind.NEEDS_USER, rule=Rule.C5, message=self.message, fix=self.fix
        )


@dataclass(frozen=True, slots=True)
class _Check:
    rule: Rule
    subject: str
    """What is checked, in words: "document sequencing numbers new Customer IDs"."""
    fails: str
    fix: str
    where: str
    """Where the user checks it in Intacct."""


_ACKNOWLEDGE: Final = (
    "Once it is as needed, acknowledge it (CLI: released-intacct acknowledge CONNECTION {name}; "
    "admin API: POST /connections/{{id}}/acknowledgements; decisions file: [prerequisites] "
    'acknowledge = ["{name}"]).'
)
_CHECKS: Final[dict[Prerequisite, _Check]] = {
    Prerequisite.CUSTOMER_SEQUENCING: _Check(
        Rule.D4,
        "document sequencing numbers new Customer IDs",
        "Document sequencing is off for Customers in Sage Intacct: new contacts cannot be "
        "created there as customers, because Intacct must number them (rule D4).",
        "In Sage Intacct, go to Accounts Receivable > Setup > Configuration and choose a "
        "document sequence for Customer ID numbering.",
        "Accounts Receivable > Setup > Configuration > Customer ID numbering",
    ),
    Prerequisite.VENDOR_SEQUENCING: _Check(
        Rule.D4,
        "document sequencing numbers new Vendor IDs",
        "Document sequencing is off for Vendors in Sage Intacct: new contacts cannot be created "
        "there as vendors, because Intacct must number them (rule D4).",
        "In Sage Intacct, go to Accounts Payable > Setup > Configuration and choose a document "
        "sequence for Vendor ID numbering.",
        "Accounts Payable > Setup > Configuration > Vendor ID numbering",
    ),
    Prerequisite.ACCOUNT_LABELS_OFF: _Check(
        Rule.D16,
        "Account Labels are off",
        "Account Labels are on in Sage Intacct; they are not supported (rule D16): the product "
        "sends account codes only.",
        "In Sage Intacct, go to Accounts Receivable > Setup > Configuration and Accounts Payable "
        "> Setup > Configuration and turn Account Labels off (an active account label is how "
        "the product sees them in use: make the labels inactive too).",
        "Accounts Receivable > Setup > Configuration and Accounts Payable > Setup > "
        "Configuration (Enable account labels)",
    ),
    Prerequisite.ITEMS: _Check(
        Rule.D17,
        "Items exist for Order Entry and Purchasing lines",
        "Order Entry or Purchasing is used but Sage Intacct has no Items; their invoice lines "
        "need Items (rule D17).",
        "In Sage Intacct, go to Inventory Control > Items (or Order Entry > Items) and set up "
        "Items, then check again.",
        "Inventory Control > Items",
    ),
    Prerequisite.ITEM_CREATES: _Check(
        Rule.D17,
        "the product can create the Items of Order Entry and Purchasing lines over this API",
        "Order Entry or Purchasing is used, and this connection speaks Sage Intacct's REST API, "
        "which offers no documented way to create an Item with its income and expense accounts: "
        "the product could not create the Items their lines need (rule D17).",
        "Connect this company over the XML API instead (released-intacct connect, with a Web "
        'Services sender and user: intacct.api = "xml"), or stop using Order Entry and '
        "Purchasing transaction definitions for the entity in Sage Intacct, then check again.",
        "the connection's API (released-intacct status) and Order Entry > Setup > Transaction "
        "definitions",
    ),
    Prerequisite.EXTERNAL_TAX: _Check(
        Rule.D17,
        "the tax solution is externally calculated tax",
        "Order Entry or Purchasing is used but the tax solution is not externally calculated "
        "tax; Intacct's tax engine must calculate tax on these invoices (rule D17).",
        "In Sage Intacct, go to Taxes > Setup > Tax solutions and use externally calculated tax "
        "for this entity.",
        "Taxes > Setup > Tax solutions (and the entity's tax solution)",
    ),
    Prerequisite.SUBTOTAL_DEFAULTING: _Check(
        Rule.D18,
        "subtotal dimensions default from the line dimensions",
        "Order Entry or Purchasing is used but subtotal dimension defaulting is off; the product "
        "never sets subtotal dimensions, so Intacct must default them from the lines (rule D18).",
        "In Sage Intacct, go to Order Entry > Setup > Configuration and Purchasing > Setup > "
        "Configuration and turn on defaulting of subtotal dimensions from line dimensions.",
        "Order Entry > Setup > Configuration and Purchasing > Setup > Configuration (subtotal "
        "dimensions)",
    ),
    Prerequisite.BASE_CURRENCY: _Check(
        Rule.D14,
        "one base currency applies to this entity",
        "Sage Intacct names no single base currency here: at the top level of a company with "
        "several base currencies each entity has its own (rule D14 needs one).",
        "Connect an entity of the Sage Intacct company rather than its top level (rule C3), then "
        "check again.",
        "Company > Setup > Company > Accounting (multiple base currencies)",
    ),
}


def assess(
    setup: IntacctSetup, acknowledged: Collection[Prerequisite] = ()
) -> tuple[Assessment, ...]:
    """Every prerequisite that applies to ``setup``, in the order of the rule's text."""
    facts: list[tuple[Prerequisite, bool | None]] = [
        (Prerequisite.CUSTOMER_SEQUENCING, setup.customer_sequencing),
        (Prerequisite.VENDOR_SEQUENCING, setup.vendor_sequencing),
        (Prerequisite.ACCOUNT_LABELS_OFF, _not(setup.account_labels)),
        (Prerequisite.BASE_CURRENCY, setup.base_currency is not None),
    ]
    if setup.order_entry or setup.purchasing:
        facts += [
            (Prerequisite.ITEMS, bool(setup.items)),
            (Prerequisite.ITEM_CREATES, setup.item_creates),
            (Prerequisite.EXTERNAL_TAX, setup.tax_solution_external),
            (Prerequisite.SUBTOTAL_DEFAULTING, setup.subtotal_dimension_defaulting),
        ]
    sources = dict(setup.sources)
    return tuple(
        _assessment(prerequisite, holds, prerequisite in acknowledged, sources)
        for prerequisite, holds in facts
    )


def _assessment(
    prerequisite: Prerequisite, holds: bool | None, acknowledged: bool, sources: dict[str, str]
) -> Assessment:
    check = _CHECKS[prerequisite]
    source = sources.get(prerequisite.value, "")
    if holds is None:
        status = Status.UNKNOWN
        message = (
            f"Sage Intacct does not report whether {check.subject} (no documented object or "
            f"preference says); the integration needs it (rule {check.rule.value})."
        )
        fix = f"Check it in Sage Intacct: {check.where}. " + _ACKNOWLEDGE.format(
            name=prerequisite.value
        )
    elif holds:
        status, message, fix = Status.HOLDS, f"Sage Intacct: {check.subject}.", ""
    else:
        status, message, fix = Status.FAILS, check.fails, check.fix
    return Assessment(
        prerequisite=prerequisite,
        status=status,
        acknowledged=acknowledged,
        rule=check.rule,
        message=message,
        fix=fix,
        where=check.where,
        source=source or ("not readable" if holds is None else "read from Intacct"),
    )


def blocking(assessments: Collection[Assessment]) -> tuple[SyncError, ...]:
    """One error per prerequisite that blocks confirm: failed, or unknown and not acknowledged."""
    return tuple(a.error() for a in assessments if a.blocks)


def check_prerequisites(
    setup: IntacctSetup, acknowledged: Collection[Prerequisite] = ()
) -> tuple[SyncError, ...]:
    """Rule C5: one error per blocking prerequisite, each with its fix; () = ready."""
    return blocking(assess(setup, acknowledged))


def check_can_confirm(
    setup: IntacctSetup, acknowledged: Collection[Prerequisite] = ()
) -> Result[IntacctSetup, SyncError]:
    """Rule C5: confirm is allowed only when nothing blocks."""
    errors = check_prerequisites(setup, acknowledged)
    return Failure(errors[0]) if errors else Success(setup)


def unconfirmed(setup: IntacctSetup) -> frozenset[Prerequisite]:
    """The prerequisites that apply and could not be read (the user acknowledged them)."""
    return frozenset(a.prerequisite for a in assess(setup) if a.status is Status.UNKNOWN)


def explain(
    error: SyncError,
    write: CreateInIntacct | UpdateInIntacct,
    unknown: Collection[Prerequisite],
) -> SyncError:
    """A refusal of a write to Intacct, naming the rule and fix of the unconfirmed prerequisite
    that would explain it: a new customer or vendor, its document sequencing (D4); an invoice or
    credit note, account labels (D16); an OE / PO document, also external tax (D17) and
    subtotal-dimension defaulting (D18). Intacct's own words are kept; an error that already names
    a rule, or that no unconfirmed prerequisite explains, is returned as it is."""
    if error.kind is not ErrorKind.REJECTED or error.rule is not None:
        return error
    candidates = [p for p in _explaining(write) if p in unknown]
    if not candidates:
        return error
    maybe = " or ".join(f"that {_CHECKS[p].subject}" for p in candidates)
    return replace(
        error,
        rule=_CHECKS[candidates[0]].rule,
        message=(
            f"{error.message} Sage Intacct could not confirm {maybe} when this connection was "
            "set up (acknowledged at onboarding, rule C5); check it."
        ),
        fix=" ".join(_CHECKS[p].fix for p in candidates),
    )


def _explaining(write: CreateInIntacct | UpdateInIntacct) -> tuple[Prerequisite, ...]:
    record = write.record
    if isinstance(record, Party):
        vendor = record.role is ContactRole.VENDOR
        return (Prerequisite.VENDOR_SEQUENCING if vendor else Prerequisite.CUSTOMER_SEQUENCING,)
    if isinstance(record, Transaction):
        if record.transaction_definition is not None:
            return (
                Prerequisite.ACCOUNT_LABELS_OFF,
                Prerequisite.EXTERNAL_TAX,
                Prerequisite.SUBTOTAL_DEFAULTING,
            )
        return (Prerequisite.ACCOUNT_LABELS_OFF,)
    return ()


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value
