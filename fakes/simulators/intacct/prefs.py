"""Subscriptions and company preferences: legacy ``get_applications`` and ``get_companyprefs``.

Both answer from the company's ``Settings``, so a test flips a setting and reads it back.

- ``<get_applications/>`` answers ``<data><application>CO</application>...`` (the documented
  shape): CO, GL, CM, AR and AP always, ``ME`` when the company has entities, ``SO`` with Order
  Entry on, ``PO`` with Purchasing on.
- ``<get_companyprefs application="AR"/>`` answers ``<data>`` with one
  ``<companypref><application/><preference/><prefvalue/></companypref>`` per preference (the
  documented shape; flags are ``T`` / ``F`` as in the documented GL example). Applications: GEN,
  AR, AP, SO (only with Order Entry on), PO (only with Purchasing on); any other documented
  application answers no preferences; an unknown one, or SO / PO while the module is off, fails
  with BL01001973.

The preference **names** below are **inferred** (not found in any SDK, test or documentation page):

    GEN  BASE_CURRENCY                     the company's base currency (``base_currency``)
    AR   ENABLEACCOUNTLABEL                T / F (``account_labels``)
    AR   CUSTOMER_SEQUENCE                 the document sequence numbering customer ids, "" if none
                                           (``customer_sequencing``)
    AP   ENABLEACCOUNTLABEL                T / F (``account_labels``)
    AP   VENDOR_SEQUENCE                   as CUSTOMER_SEQUENCE, for vendors (``vendor_sequencing``)
    SO   USE_LINE_DIMENSIONS_IN_SUBTOTALS  T / F: subtotal dimensions default from the lines
    PO                                     (``subtotal_defaulting``)
    SO   ENABLE_EXTERNAL_TAX               T / F: the module's tax is calculated by an external
    PO                                     tax solution (``tax_solution_external``)

The refusal for an application the company does not subscribe to is **inferred** too.
"""

from __future__ import annotations

from lxml import etree

from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome
from released_intacct.fakes.simulators.intacct.wire import Element, sub

DOCUMENTED = frozenset({"GEN", "ME", "GL", "CM", "AP", "AR", "EE", "PO", "SO", "INV", "PA", "CS"})
"""The applications the get_companyprefs documentation lists."""

_ALWAYS = ("CO", "GL", "CM", "AR", "AP")


def subscribed(company: Company) -> tuple[str, ...]:
    """The applications the company subscribes to, in a stable order."""
    settings = company.settings
    optional = (
        ("ME", bool(company.entities)),
        ("SO", settings.order_entry),
        ("PO", settings.purchasing),
    )
    return (*_ALWAYS, *(name for name, on in optional if on))


def preferences(company: Company, application: str) -> tuple[tuple[str, str], ...]:
    """(preference, value) of one application, from the company's settings."""
    settings = company.settings
    labels = _flag(settings.account_labels)
    if application == "GEN":
        return (("BASE_CURRENCY", settings.base_currency),)
    if application == "AR":
        sequence = "Customer" if settings.customer_sequencing else ""
        return (("ENABLEACCOUNTLABEL", labels), ("CUSTOMER_SEQUENCE", sequence))
    if application == "AP":
        sequence = "Vendor" if settings.vendor_sequencing else ""
        return (("ENABLEACCOUNTLABEL", labels), ("VENDOR_SEQUENCE", sequence))
    if application in ("SO", "PO"):
        return (
            ("USE_LINE_DIMENSIONS_IN_SUBTOTALS", _flag(settings.subtotal_defaulting)),
            ("ENABLE_EXTERNAL_TAX", _flag(settings.tax_solution_external)),
        )
    return ()


def get_applications(ctx: Context, function: Element) -> Outcome:
    del function  # takes no parameters
    ctx.spend()
    data = etree.Element("data")
    for name in subscribed(ctx.company):
        sub(data, "application", name)
    return data


def get_companyprefs(ctx: Context, function: Element) -> Outcome:
    application = (function.get("application") or "").strip().upper()
    if application not in DOCUMENTED:
        raise failure(
            GENERIC,
            f"Invalid application '{application}' for get_companyprefs",
            correction=f"Use one of {', '.join(sorted(DOCUMENTED))}.",
        )
    optional = {"SO", "PO", "ME"}
    if application in optional and application not in subscribed(ctx.company):
        raise failure(GENERIC, f"The company is not subscribed to application {application}")
    ctx.spend()
    data = etree.Element("data")
    for name, value in preferences(ctx.company, application):
        pref = sub(data, "companypref")
        sub(pref, "application", application)
        sub(pref, "preference", name)
        sub(pref, "prefvalue", value)
    return data


def _flag(on: bool) -> str:
    return "T" if on else "F"


HANDLERS: dict[str, Handler] = {
    "get_applications": get_applications,
    "get_companyprefs": get_companyprefs,
}
