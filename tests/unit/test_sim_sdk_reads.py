"""Simulator read functions the official SDKs emit beside the generic ones: the legacy
``get_list`` (JS / PHP ``GetList``) and ``lookup`` (``Lookup``), and ``inspect``, which shares
``lookup``'s field facts.

Requests are shaped as the SDK tests' expected XML (inventory §2.39); the ``get_list`` reply is
compared with the shape of ``response-multiple-results.xml``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _sim() -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: T0)
    return sim, load_company(sim, demo_config(), now=T0)


def _result(sim: Simulator, function: str) -> xmlgw.Element:
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    return result


def _ok(sim: Simulator, function: str) -> xmlgw.Element:
    result = _result(sim, function)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    return result


def _vendor_ids(result: xmlgw.Element) -> list[str]:
    return [row.findtext("vendorid", "") for row in result.iterfind("data/vendor")]


# --- get_list ------------------------------------------------------------------------------


def test_get_list_reply_has_the_fixtures_listtype_and_data_shape() -> None:
    sim, _ = _sim()
    result = _ok(sim, '<get_list object="vendor" showprivate="false" />')
    fixture = xmlgw.parse((FIXTURES / "response-multiple-results.xml").read_bytes())
    real = next(
        r for r in fixture.iterfind("operation/result") if r.findtext("function") == "get_list"
    )
    assert [child.tag for child in result] == [child.tag for child in real]
    listtype = result.find("listtype")
    assert listtype is not None
    assert (listtype.text, listtype.get("start"), listtype.get("end"), listtype.get("total")) == (
        "vendor",
        "0",
        "3",
        "4",
    )
    first = result.find("data/vendor")
    assert first is not None
    real_first = real.find("data/vendor")
    assert real_first is not None
    shared = {child.tag for child in real_first} & {child.tag for child in first}
    assert {"recordno", "vendorid", "name"} <= shared  # lower-case generic field names
    assert _vendor_ids(result) == ["VEN-2001", "VEN-2002", "VEN-2003", "VEN-2004"]


def test_js_get_list_of_an_unknown_object_fails() -> None:
    sim, _ = _sim()
    result = _result(sim, '<get_list object="company_info" />')
    assert xmlgw.errornos(result) == ["BL01001973"]


def test_php_get_list_filters_sorts_pages_and_picks_fields() -> None:
    sim, _ = _sim()
    function = (
        '<get_list object="vendor" maxitems="2" start="1" showprivate="false"><filter>'
        '<logical logical_operator="or"><expression><field>vendorid</field><operator>=</operator>'
        "<value>VEN-2001</value></expression><expression><field>name</field>"
        "<operator>like</operator><value>%Co%</value></expression></logical></filter>"
        '<sorts><sortfield order="desc">vendorid</sortfield></sorts>'
        "<fields><field>vendorid</field><field>name</field></fields></get_list>"
    )
    result = _ok(sim, function)
    listtype = result.find("listtype")
    assert listtype is not None
    # VEN-2001 by "=", VEN-2002 "Apex Maintenance Co" by the case-sensitive "%Co%"; desc, from 1
    assert listtype.get("total") == "2"
    assert (listtype.get("start"), listtype.get("end")) == ("1", "1")
    assert _vendor_ids(result) == ["VEN-2001"]
    row = result.find("data/vendor")
    assert row is not None
    assert [child.tag for child in row] == ["vendorid", "name"]


def test_get_list_takes_legacy_document_names_and_leaves_lines_out() -> None:
    sim, _ = _sim()
    _ok(
        sim,
        "<create_invoice><customerid>CUS-1001</customerid><datecreated><year>2026</year>"
        "<month>03</month><day>01</day></datecreated><termname>N30</termname><invoiceitems>"
        "<lineitem><glaccountno>4000</glaccountno><amount>12</amount></lineitem>"
        "</invoiceitems></create_invoice>",
    )
    result = _ok(sim, '<get_list object="invoice" showprivate="false" />')
    invoice = result.find("data/invoice")
    assert invoice is not None
    assert invoice.findtext("customerid") == "CUS-1001"
    assert invoice.findtext("totalentered") == "12.00"
    assert invoice.find("arinvoiceitems") is None


def test_get_list_refuses_a_bad_filter() -> None:
    sim, _ = _sim()
    one_sided = (
        '<get_list object="vendor" showprivate="false"><filter><logical logical_operator="and">'
        "<expression><field>vendorid</field><operator>=</operator><value>1</value></expression>"
        "</logical></filter></get_list>"
    )
    assert xmlgw.errornos(_result(sim, one_sided)) == ["BL01001973"]
    operator = (
        '<get_list object="vendor" showprivate="false"><filter><expression><field>vendorid'
        "</field><operator>between</operator><value>1</value></expression></filter></get_list>"
    )
    assert xmlgw.errornos(_result(sim, operator)) == ["BL01001973"]


# --- lookup and inspect --------------------------------------------------------------------


def test_js_lookup_lists_fields_and_relationships_of_the_object() -> None:
    sim, _ = _sim()
    result = _ok(
        sim, "<lookup><object>ARINVOICE</object><docparid>Sales Invoice</docparid></lookup>"
    )
    kind = result.find("data/Type")
    assert kind is not None
    assert kind.get("Name") == "ARINVOICE"
    fields = {f.findtext("ID"): f for f in kind.iterfind("Fields/Field")}
    assert {"RECORDNO", "CUSTOMERID", "TOTALDUE", "WHENMODIFIED"} <= set(fields)
    recordno = fields["RECORDNO"]
    assert [child.tag for child in recordno] == [
        "ID",
        "LABEL",
        "DESCRIPTION",
        "REQUIRED",
        "READONLY",
        "DATATYPE",
    ]
    assert recordno.findtext("DATATYPE") == "INTEGER"
    assert fields["WHENMODIFIED"].findtext("READONLY") == "true"
    related = {
        r.findtext("RELATEDBY"): r.findtext("OBJECTNAME") for r in kind.iterfind("*/Relationship")
    }
    assert related["CUSTOMERID"] == "CUSTOMER"


def test_php_lookup_of_an_unknown_object_fails_as_inspect_does() -> None:
    sim, _ = _sim()
    for function in (
        "<lookup><object>TEST</object></lookup>",
        '<inspect detail="0"><object>TEST</object></inspect>',
    ):
        result = _result(sim, function)
        assert xmlgw.errornos(result) == ["Query Failed"]


def test_inspect_and_lookup_describe_the_same_fields() -> None:
    sim, _ = _sim()
    inspected = _ok(sim, '<inspect detail="1"><object>APBILL</object></inspect>')
    looked_up = _ok(sim, "<lookup><object>APBILL</object></lookup>")
    names = [f.findtext("Name") for f in inspected.iterfind("data/Type/Fields/Field")]
    assert names == [f.findtext("ID") for f in looked_up.iterfind("data/Type/Fields/Field")]
    required = {
        f.findtext("Name")
        for f in inspected.iterfind("data/Type/Fields/Field")
        if f.findtext("isRequired") == "true"
    }
    assert required == {
        f.findtext("ID")
        for f in looked_up.iterfind("data/Type/Fields/Field")
        if f.findtext("REQUIRED") == "true"
    }


def _prefs(sim: Simulator, application: str) -> list[tuple[str, str, str]]:
    result = _ok(sim, f'<get_companyprefs application="{application}" />')
    return [
        (
            p.findtext("application", ""),
            p.findtext("preference", ""),
            p.findtext("prefvalue", ""),
        )
        for p in result.iterfind("data/companypref")
    ]


def test_correction_5_get_companyprefs_answers_the_documented_names() -> None:
    sim, _ = _sim()
    general = _prefs(sim, "GEN")
    assert [name for _, name, _ in general] == [
        "PRIMARY_ACCTNO_LENGTH",
        "ACCTNO_SEPARATOR",
        "SUBACCTNO_LENGTH",
        "FISCAL_FIRST_MONTH",
        "FISCAL_FIRST_MONTH_TAX",
        "WEEK_START",
        "CUSTOM_ACCOUNTING_PERIODS",
        "PACKAGE_TYPE",
    ]
    assert _prefs(sim, "GL") == [("GL", "EMPLOYEEDIMENSION", "T")]  # the documented sample
    assert _prefs(sim, "ME") == [("ME", "DISABLEENTITYSLIDEIN", "false")]  # true / false values
    assert _prefs(sim, "AR") == []  # no documented AR preference
    empty = _ok(sim, '<get_companyprefs application="PA" />')  # the JS SDK test's application
    assert empty.find("data") is not None
    assert not list(empty.iterfind("data/companypref"))


def test_correction_5_inferred_preference_names_only_when_the_company_says_so() -> None:
    sim, company = _sim()
    company.settings.preferences = "inferred"
    assert ("AR", "ENABLEACCOUNTLABEL", "F") in _prefs(sim, "AR")
    assert ("AP", "VENDOR_SEQUENCE", "Vendor") in _prefs(sim, "AP")
    assert ("GEN", "PRIMARY_ACCTNO_LENGTH", "4") in _prefs(sim, "GEN")


def test_correction_5_getfinancialsetup_answers_the_documented_fields() -> None:
    sim, company = _sim()
    block = _ok(sim, "<getFinancialSetup/>").find("data/financialSetup")
    assert block is not None
    assert [child.tag for child in block] == [
        "baseCurrency",
        "defaultBook",
        "firstFiscalMonth",
        "multiBaseCurrency",
        "multiBook",
        "multiCurrency",
        "multiEntityShared",
    ]
    assert (block.findtext("baseCurrency"), block.findtext("multiCurrency")) == ("USD", "true")
    company.settings.multi_base_currency = True
    again = _ok(sim, "<getFinancialSetup/>").find("data/financialSetup")
    assert again is not None
    assert (again.findtext("baseCurrency"), again.findtext("multiBaseCurrency")) == ("", "true")
