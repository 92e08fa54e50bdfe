"""The company's set-up (rules C3, C5) from Intacct's replies: requests, and plain readings.

How each fact is read, and what is known of each source:

- Subscriptions: legacy ``<get_applications/>``, answering ``<data><application>SO</application>
  ...`` (documented). Order Entry / Purchasing are *used* when the company subscribes to SO / PO
  **and** has at least one transaction definition (a SODOCUMENTPARAMS / PODOCUMENTPARAMS record).
- Preferences: legacy ``<get_companyprefs application="AR"/>``, answering ``<data>`` with
  ``<companypref><application/><preference/><prefvalue/></companypref>`` per preference
  (documented shape). A flag reads as on for ``T`` (the documented GL example), ``true``, ``Y``
  or ``yes`` (any case); anything else is off. The preference **names** are **inferred** (not
  found in any SDK, test or documentation page): AR / AP ``ENABLEACCOUNTLABEL``; AR
  ``CUSTOMER_SEQUENCE`` and AP ``VENDOR_SEQUENCE`` (the document sequence numbering new ids,
  empty when none); SO / PO ``USE_LINE_DIMENSIONS_IN_SUBTOTALS`` and ``ENABLE_EXTERNAL_TAX``;
  GEN ``BASE_CURRENCY``. A preference that is absent reads as off (empty).
- Account labels are on when AR or AP has them on.
- Subtotal-dimension defaulting and externally calculated tax are read from the modules in use
  (SO, PO; when neither is used, from the ones subscribed; with none, off): each must say so.
  Tax also needs the tax solutions agree: where the company has TAXSOLUTION records (the Taxes
  application), at least one active one must have a TAXMETHOD naming an external engine
  (``extern``, ``avalara`` or ``avatax`` in it, any case: **inferred**; the simulator's value is
  ``Externally calculated``).
- Base currency: the entity's LOCATIONENTITY CURRENCY, else the GEN base-currency preference.
- Items: every ITEM the session at the entity sees; an item that cannot be read is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from released_intacct.adapters.intacct.envelope import element
from released_intacct.domain.ids import EntityId
from released_intacct.domain.intacct import Item
from released_intacct.domain.ports import Entity, IntacctSetup

__all__ = [
    "APPLICATIONS",
    "MODULES",
    "Facts",
    "applications",
    "applications_request",
    "build",
    "entity",
    "external_solution",
    "preferences",
    "prefs_request",
]

APPLICATIONS = ("GEN", "AR", "AP", "SO", "PO")
"""The applications whose preferences set-up reads."""
MODULES = ("SO", "PO")
"""Order Entry and Purchasing: their preferences can be read only while subscribed."""

LABELS = "ENABLEACCOUNTLABEL"
SEQUENCES = {"AR": "CUSTOMER_SEQUENCE", "AP": "VENDOR_SEQUENCE"}
SUBTOTALS = "USE_LINE_DIMENSIONS_IN_SUBTOTALS"
EXTERNAL_TAX = "ENABLE_EXTERNAL_TAX"
BASE_CURRENCY = "BASE_CURRENCY"

_ON = frozenset({"t", "true", "y", "yes"})
_EXTERNAL = ("extern", "avalara", "avatax")

Prefs = Mapping[tuple[str, str], str]
"""(application, preference) → value."""


def applications_request() -> etree._Element:
    return element("get_applications")


def prefs_request(application: str) -> etree._Element:
    return element("get_companyprefs", application=application)


def applications(data: etree._Element) -> frozenset[str]:
    return frozenset((node.text or "").strip().upper() for node in data.iter("application"))


def preferences(data: etree._Element) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for pref in data.iter("companypref"):
        application = (pref.findtext("application") or "").strip().upper()
        name = (pref.findtext("preference") or "").strip().upper()
        found[application, name] = (pref.findtext("prefvalue") or "").strip()
    return found


def entity(row: Mapping[str, object]) -> Entity | None:
    """A LOCATIONENTITY row as an entity; None when inactive or without an id."""
    entity_id, name = _text(row, "LOCATIONID"), _text(row, "NAME")
    if not entity_id or _text(row, "STATUS").lower() == "inactive":
        return None
    return Entity(id=EntityId(entity_id), name=name or entity_id, currency=_currency(row))


def external_solution(row: Mapping[str, object]) -> bool:
    """An active TAXSOLUTION whose TAXMETHOD names an external tax engine."""
    method = _text(row, "TAXMETHOD").lower()
    active = _text(row, "STATUS").lower() != "inactive"
    return active and any(word in method for word in _EXTERNAL)


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What set-up read, before it is decided."""

    subscribed: frozenset[str]
    prefs: Prefs
    definitions: frozenset[str]
    """The modules (SO, PO) with at least one transaction definition."""
    items: tuple[Item, ...]
    solutions: tuple[bool, ...]
    """One per TAXSOLUTION record: whether it is an active external one."""
    entity_currency: str | None


def build(facts: Facts) -> IntacctSetup:
    prefs, used = facts.prefs, _used(facts)
    relevant = used or tuple(m for m in MODULES if m in facts.subscribed)
    solutions_agree = not facts.solutions or any(facts.solutions)
    return IntacctSetup(
        customer_sequencing=bool(prefs.get(("AR", SEQUENCES["AR"]))),
        vendor_sequencing=bool(prefs.get(("AP", SEQUENCES["AP"]))),
        account_labels=_on(prefs, ("AR", LABELS)) or _on(prefs, ("AP", LABELS)),
        order_entry="SO" in used,
        purchasing="PO" in used,
        items=facts.items,
        tax_solution_external=_all_on(prefs, relevant, EXTERNAL_TAX) and solutions_agree,
        subtotal_dimension_defaulting=_all_on(prefs, relevant, SUBTOTALS),
        base_currency=facts.entity_currency or prefs.get(("GEN", BASE_CURRENCY), ""),
    )


def _used(facts: Facts) -> tuple[str, ...]:
    return tuple(m for m in MODULES if m in facts.subscribed and m in facts.definitions)


def _all_on(prefs: Prefs, modules: Iterable[str], name: str) -> bool:
    chosen = tuple(modules)
    return bool(chosen) and all(_on(prefs, (module, name)) for module in chosen)


def _on(prefs: Prefs, key: tuple[str, str]) -> bool:
    return prefs.get(key, "").lower() in _ON


def _text(row: Mapping[str, object], field: str) -> str:
    value = row.get(field)
    return value.strip() if isinstance(value, str) else ""


def _currency(row: Mapping[str, object]) -> str | None:
    return _text(row, "CURRENCY").upper() or None
