"""The company's set-up (rules C3, C5) from Intacct's replies: requests, and plain readings.

Rule C5 never guesses (spec correction 5): each fact is read from a documented object or function,
or is *unknown* (``None``), which the user is asked to check and acknowledge.

- Subscriptions: legacy ``<get_applications/>`` (documented reply ``<application>SO``...).
  Order Entry / Purchasing are *used* when the company subscribes to SO / PO **and** has at least
  one transaction definition (a SODOCUMENTPARAMS / PODOCUMENTPARAMS record).
- Customer / vendor document sequencing, subtotal-dimension defaulting and externally calculated
  tax: **unknown**. No documented preference or object reports them (get_companyprefs documents
  GEN names only; TAXSOLUTION's TAXMETHOD values are not enumerated anywhere).
- Account labels: ARACCOUNTLABEL / APACCOUNTLABEL (documented objects). An active label means the
  feature is in use (on); none, or the object refused, does not prove it off: unknown.
- Items: every ITEM the session at the entity sees (an item that cannot be read is left out).
- Base currency: the entity's LOCATIONENTITY CURRENCY; else ``<getFinancialSetup/>``'s
  ``baseCurrency`` (documented: empty when the company has multiple base currencies, and then
  there is none at the top level: ``None``).
- Preferences (``get_companyprefs``) are not read for C5; ``doctor`` reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from released_intacct.adapters.intacct.envelope import element
from released_intacct.domain.ids import EntityId
from released_intacct.domain.intacct import Item
from released_intacct.domain.ports import Entity, IntacctSetup

__all__ = [
    "APPLICATIONS",
    "LABEL_OBJECTS",
    "MODULES",
    "Facts",
    "active",
    "applications",
    "applications_request",
    "build",
    "decided",
    "entity",
    "financial",
    "financial_request",
    "labels_source",
    "preferences",
    "prefs_request",
]

APPLICATIONS = ("GEN", "ME", "GL", "AR", "AP", "SO", "PO")
"""The applications whose preferences ``doctor`` reads."""
MODULES = ("SO", "PO")
"""Order Entry and Purchasing: their preferences can be read only while subscribed."""
LABEL_OBJECTS = ("ARACCOUNTLABEL", "APACCOUNTLABEL")

Prefs = Mapping[tuple[str, str], str]
"""(application, preference) → value."""


def applications_request() -> etree._Element:
    return element("get_applications")


def prefs_request(application: str) -> etree._Element:
    return element("get_companyprefs", application=application)


def financial_request() -> etree._Element:
    return element("getFinancialSetup")


def applications(data: etree._Element) -> frozenset[str]:
    return frozenset((node.text or "").strip().upper() for node in data.iter("application"))


def preferences(data: etree._Element) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for pref in data.iter("companypref"):
        application = (pref.findtext("application") or "").strip().upper()
        name = (pref.findtext("preference") or "").strip().upper()
        found[application, name] = (pref.findtext("prefvalue") or "").strip()
    return found


def financial(data: etree._Element) -> dict[str, str]:
    """getFinancialSetup's fields (``baseCurrency``, ``multiBaseCurrency``, ...), wherever the
    ``financialSetup`` element sits in the reply."""
    block = next(data.iter("financialSetup"), None)
    if block is None:
        return {}
    return {
        str(child.tag): (child.text or "").strip() for child in block if isinstance(child.tag, str)
    }


def entity(row: Mapping[str, object]) -> Entity | None:
    """A LOCATIONENTITY row as an entity; None when inactive or without an id."""
    entity_id, name = _text(row, "LOCATIONID"), _text(row, "NAME")
    if not entity_id or _text(row, "STATUS").lower() == "inactive":
        return None
    return Entity(id=EntityId(entity_id), name=name or entity_id, currency=_currency(row))


def active(row: Mapping[str, object]) -> bool:
    return _text(row, "STATUS").lower() not in ("inactive", "f")


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What set-up read, before it is decided."""

    subscribed: frozenset[str]
    definitions: frozenset[str]
    """The modules (SO, PO) with at least one transaction definition."""
    items: tuple[Item, ...]
    labels: Mapping[str, int | None]
    """Active account labels per label object; None: the object was refused."""
    financial: Mapping[str, str]
    entity_currency: str | None


_UNREADABLE = "no documented object or preference reports it"


def build(facts: Facts) -> IntacctSetup:
    """The set-up from what the XML API read, each fact's source named."""
    base = facts.entity_currency or facts.financial.get("baseCurrency") or None
    return decided(
        facts,
        base=base,
        sources=(
            ("customer_sequencing", _UNREADABLE),
            ("vendor_sequencing", _UNREADABLE),
            ("account_labels_off", labels_source(facts.labels)),
            ("items", f"ITEM: {len(facts.items)} readable"),
            ("external_tax", _UNREADABLE),
            ("subtotal_defaulting", _UNREADABLE),
            ("base_currency", _currency_source(facts)),
        ),
    )


def decided(
    facts: Facts,
    *,
    base: str | None,
    sources: tuple[tuple[str, str], ...],
    item_creates: bool = True,
) -> IntacctSetup:
    """What the facts decide, whichever API read them (the REST directory's too): a label active
    means labels on; a module subscribed with a definition is used; what no source reports
    is unknown (None). ``sources`` names where each fact came from."""
    used = _used(facts)
    labelled = sum(n for n in facts.labels.values() if n)
    return IntacctSetup(
        customer_sequencing=None,
        vendor_sequencing=None,
        account_labels=True if labelled else None,
        order_entry="SO" in used,
        purchasing="PO" in used,
        items=facts.items,
        tax_solution_external=None,
        subtotal_dimension_defaulting=None,
        base_currency=base.upper() if base else None,
        item_creates=item_creates,
        sources=sources,
    )


def labels_source(labels: Mapping[str, int | None]) -> str:
    """What the label objects said (each by its name): ``account_labels_off``'s source."""
    said = [
        f"{name}: {'refused' if count is None else f'{count} active'}"
        for name, count in labels.items()
    ]
    return "; ".join(said) + " (no label does not prove the feature off)"


def _currency_source(facts: Facts) -> str:
    if facts.entity_currency:
        return f"LOCATIONENTITY CURRENCY {facts.entity_currency}"
    multi = facts.financial.get("multiBaseCurrency", "")
    base = facts.financial.get("baseCurrency", "")
    return f"getFinancialSetup baseCurrency {base!r}, multiBaseCurrency {multi!r}"


def _used(facts: Facts) -> tuple[str, ...]:
    return tuple(m for m in MODULES if m in facts.subscribed and m in facts.definitions)


def _text(row: Mapping[str, object], field: str) -> str:
    value = row.get(field)
    return value.strip() if isinstance(value, str) else ""


def _currency(row: Mapping[str, object]) -> str | None:
    return _text(row, "CURRENCY").upper() or None
