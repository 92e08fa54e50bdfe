"""Subscriptions, company preferences and financial set-up: legacy ``get_applications``,
``get_companyprefs`` and ``getFinancialSetup`` ([XMLDOC company-console-subscriptions],
[XMLDOC company-console-financial-setup]).

All answer from the company's ``Settings``, so a test flips a setting and reads it back.

- ``<get_applications/>`` answers ``<data><application>CO</application>...`` (the documented
  shape): CO, GL, CM, AR and AP always, ``ME`` when the company has entities, ``SO`` with Order
  Entry on, ``PO`` with Purchasing on.
- ``<get_companyprefs application="GEN"/>`` answers ``<data>`` with one
  ``<companypref><application/><preference/><prefvalue/></companypref>`` per preference (the
  documented shape). The documented applications are GEN, ME, GL, CM, AP, AR, EE, PO, SO, INV,
  PA, CS; SO / PO / ME answer only while subscribed (the refusal is **inferred**), another name
  fails with BL01001973.
- ``<getFinancialSetup/>`` answers ``<data><financialSetup>`` with baseCurrency (empty with
  multiple base currencies), defaultBook, firstFiscalMonth and the multi* flags ``true`` /
  ``false`` (the documented reply; that it sits in ``<data>`` is **inferred**).

**Which preferences** (the ``preferences`` setting, spec correction 5):

- ``documented`` (the default): only documented names. GEN: PRIMARY_ACCTNO_LENGTH,
  ACCTNO_SEPARATOR, SUBACCTNO_LENGTH, FISCAL_FIRST_MONTH, FISCAL_FIRST_MONTH_TAX, WEEK_START,
  CUSTOM_ACCOUNTING_PERIODS, PACKAGE_TYPE; GL: EMPLOYEEDIMENSION ``T`` (the documented sample);
  ME: DISABLEENTITYSLIDEIN ``false`` (a real client reads it, with ``true`` / ``false`` values).
  No preference names document sequencing, account labels, subtotal defaulting or external tax.
- ``inferred``: also the names earlier versions of this simulator made up, ``T`` / ``F``:
  AR / AP ENABLEACCOUNTLABEL, AR CUSTOMER_SEQUENCE, AP VENDOR_SEQUENCE (the sequence name, empty
  when none), SO / PO USE_LINE_DIMENSIONS_IN_SUBTOTALS and ENABLE_EXTERNAL_TAX. A company set so
  shows what the product does when a real company answers names no source documents: it reports
  them (``doctor``) and still does not rely on them.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from released_intacct.fakes.simulators.intacct.company import Company, Settings
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome
from released_intacct.fakes.simulators.intacct.wire import Element, sub

DOCUMENTED: Final = frozenset(
    {"GEN", "ME", "GL", "CM", "AP", "AR", "EE", "PO", "SO", "INV", "PA", "CS"}
)
"""The applications the get_companyprefs documentation lists."""
MODES: Final = ("documented", "inferred")

_ALWAYS = ("CO", "GL", "CM", "AR", "AP")
_GENERAL: Final = (
    ("PRIMARY_ACCTNO_LENGTH", "4"),
    ("ACCTNO_SEPARATOR", "-"),
    ("SUBACCTNO_LENGTH", "0"),
    ("FISCAL_FIRST_MONTH", "1"),
    ("FISCAL_FIRST_MONTH_TAX", "1"),
    ("WEEK_START", "1"),
    ("CUSTOM_ACCOUNTING_PERIODS", "F"),
    ("PACKAGE_TYPE", "0"),
)


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
    documented: dict[str, tuple[tuple[str, str], ...]] = {
        "GEN": _GENERAL,
        "GL": (("EMPLOYEEDIMENSION", "T"),),
        "ME": (("DISABLEENTITYSLIDEIN", "false"),),
    }
    found = documented.get(application, ())
    if company.settings.preferences == "inferred":
        found += _inferred(company.settings, application)
    return found


def _inferred(settings: Settings, application: str) -> tuple[tuple[str, str], ...]:
    labels = _flag(settings.account_labels)
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


def get_financial_setup(ctx: Context, function: Element) -> Outcome:
    del function  # takes no parameters
    settings = ctx.company.settings
    ctx.spend()
    data = etree.Element("data")
    setup = sub(data, "financialSetup")
    sub(setup, "baseCurrency", "" if settings.multi_base_currency else settings.base_currency)
    sub(setup, "defaultBook", "ACCRUAL")
    sub(setup, "firstFiscalMonth", "1")
    sub(setup, "multiBaseCurrency", _word(settings.multi_base_currency))
    sub(setup, "multiBook", "false")
    sub(setup, "multiCurrency", _word(settings.multi_currency))
    sub(setup, "multiEntityShared", _word(bool(ctx.company.entities)))
    return data


def _flag(on: bool) -> str:
    return "T" if on else "F"


def _word(on: bool) -> str:
    return "true" if on else "false"


HANDLERS: dict[str, Handler] = {
    "get_applications": get_applications,
    "get_companyprefs": get_companyprefs,
    "getFinancialSetup": get_financial_setup,
}
