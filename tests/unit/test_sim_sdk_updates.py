"""Simulator legacy updates the official SDKs emit: ``update_invoice`` / ``update_bill`` (JS
``InvoiceUpdate`` / ``BillUpdate``) and ``update_potransaction`` / ``update_sotransaction``.

The "all parameters" requests are the JS SDK tests' expected XML verbatim (inventory §2.18, §2.21,
§2.29, §2.32); the company first gets the records they name (CUSTOMER1, VENDOR1, the items).
"""

from __future__ import annotations

from datetime import UTC, datetime

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
D2015 = "<year>2015</year><month>06</month><day>30</day>"
DUE = "<year>2020</year><month>09</month><day>24</day>"
CUSTOM = (
    "<customfields><customfield><customfieldname>customfield1</customfieldname>"
    "<customfieldvalue>customvalue1</customfieldvalue></customfield></customfields>"
)


def _head(party: str, number: str, *, onhold: str = "") -> str:
    """The header of the JS InvoiceUpdateTest / BillUpdateTest "all parameters" case."""
    return (
        f"<datecreated>{D2015}</datecreated><dateposted>{D2015}</dateposted>"
        f"<datedue>{DUE}</datedue><termname>N30</termname><action>Submit</action>"
        f"<{number}>234</{number}><ponumber>234235</ponumber>{onhold}"
        "<description>Some description</description><payto><contactname>28952</contactname>"
        "</payto><returnto><contactname>289533</contactname></returnto><currency>USD</currency>"
        f"<exchratedate>{D2015}</exchratedate><exchratetype>Intacct Daily Rate</exchratetype>"
        f"<supdocid>6942</supdocid>{CUSTOM}"
    ).replace("<datecreated>", party + "<datecreated>", 1)


JS_UPDATE_INVOICE = (
    '<update_invoice key="20394" externalkey="true">'
    + _head("<customerid>CUSTOMER1</customerid>", "invoiceno")
    + '<updateinvoiceitems><updatelineitem line_num="1"><amount>76343.43</amount>'
    "</updatelineitem></updateinvoiceitems></update_invoice>"
)
JS_UPDATE_BILL = (
    '<update_bill key="20394" externalkey="true">'
    + _head("<vendorid>VENDOR1</vendorid>", "billno", onhold="<onhold>true</onhold>")
    + '<updatebillitems><updatelineitem line_num="1"><amount>76343.43</amount>'
    "</updatelineitem></updatebillitems></update_bill>"
)
JS_UPDATE_POTRANSACTION = (
    '<update_potransaction key="20394" externalkey="true">'
    f"<datecreated>{D2015}</datecreated><dateposted>{D2015}</dateposted>"
    f"<referenceno>234235</referenceno><termname>N30</termname><datedue>{DUE}</datedue>"
    "<message>Submit</message><shippingmethod>USPS</shippingmethod>"
    "<returnto><contactname>Bobbi Reese</contactname></returnto>"
    "<payto><contactname>Henry Jones</contactname></payto><supdocid>6942</supdocid>"
    "<externalid>20394</externalid><basecurr>USD</basecurr><currency>USD</currency>"
    f"<exchratedate>{D2015}</exchratedate><exchratetype>Intacct Daily Rate</exchratetype>"
    f"{CUSTOM}<state>Pending</state><updatepotransitems>"
    '<updatepotransitem line_num="1"><itemid>02354032</itemid><quantity>223</quantity>'
    "</updatepotransitem><potransitem><itemid>2390552</itemid><quantity>223</quantity>"
    "</potransitem></updatepotransitems><updatesubtotals><updatesubtotal>"
    "<description>Subtotal description</description><total>223</total></updatesubtotal>"
    "</updatesubtotals></update_potransaction>"
)


def _sim() -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: T0)
    company = load_company(sim, demo_config(), now=T0)
    _ok(
        sim,
        "<create><CUSTOMER><CUSTOMERID>CUSTOMER1</CUSTOMERID><NAME>Customer One</NAME></CUSTOMER>"
        "<VENDOR><VENDORID>VENDOR1</VENDORID><NAME>Vendor One</NAME></VENDOR>"
        "<ITEM><ITEMID>02354032</ITEMID><NAME>Widget</NAME><EXPENSEACCTKEY>5000"
        "</EXPENSEACCTKEY></ITEM><ITEM><ITEMID>2390552</ITEMID><NAME>Gadget</NAME>"
        "<EXPENSEACCTKEY>5100</EXPENSEACCTKEY></ITEM></create>",
    )
    return sim, company


def _result(sim: Simulator, function: str) -> xmlgw.Element:
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    return result


def _ok(sim: Simulator, function: str) -> str:
    result = _result(sim, function)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    return result.findtext("key", "")


def _refused(sim: Simulator, function: str) -> tuple[list[str], str]:
    result = _result(sim, function)
    assert result.findtext("status") == "failure"
    return xmlgw.errornos(result), result.findtext("errormessage/error/description2", "")


def _document(name: str, party: str, *, head: str = "", amounts: tuple[str, ...] = ("10",)) -> str:
    """A legacy create_invoice / create_bill (``name``) with one line per amount."""
    ar = name == "create_invoice"
    party_tag, items, account = (
        ("customerid", "invoiceitems", "4000") if ar else ("vendorid", "billitems", "5000")
    )
    lines = "".join(
        f"<lineitem><glaccountno>{account}</glaccountno><amount>{amount}</amount></lineitem>"
        for amount in amounts
    )
    return (
        f"<{name}><{party_tag}>{party}</{party_tag}><datecreated><year>2026</year><month>03"
        f"</month><day>01</day></datecreated><termname>N30</termname>{head}<{items}>{lines}"
        f"</{items}></{name}>"
    )


def _stored(company: Company, object_name: str, key: str) -> Record:
    record = company.by_recordno(object_name, key)
    assert record is not None
    return record


def _lines(record: Record, holder: str) -> list[Record]:
    lines = record[holder]
    assert isinstance(lines, list)
    return lines


# --- update_invoice ------------------------------------------------------------------------


def test_legacy_creates_keep_externalid_for_externalkey_updates() -> None:
    sim, company = _sim()
    key = _ok(sim, _document("create_invoice", "CUS-1001", head="<externalid>X-9</externalid>"))
    assert _stored(company, "ARINVOICE", key)["EXTERNALID"] == "X-9"


def test_js_minimal_update_invoice_changes_nothing_and_answers_the_key() -> None:
    sim, company = _sim()
    key = _ok(sim, _document("create_invoice", "CUS-1001"))
    before = dict(_stored(company, "ARINVOICE", key))
    assert _ok(sim, f'<update_invoice key="{key}" />') == key
    after = _stored(company, "ARINVOICE", key)
    assert {k: v for k, v in after.items() if k != "ARINVOICEITEMS"} == {
        k: v for k, v in before.items() if k != "ARINVOICEITEMS"
    }


def test_js_update_invoice_with_all_parameters_finds_the_invoice_by_its_external_id() -> None:
    sim, company = _sim()
    head = "<action>Draft</action><externalid>20394</externalid>"
    key = _ok(sim, _document("create_invoice", "CUS-1001", head=head, amounts=("10", "5")))
    assert _ok(sim, JS_UPDATE_INVOICE) == key
    invoice = _stored(company, "ARINVOICE", key)
    assert {f: invoice[f] for f in ("CUSTOMERID", "CUSTOMERNAME", "RECORDID", "STATE")} == {
        "CUSTOMERID": "CUSTOMER1",
        "CUSTOMERNAME": "Customer One",
        "RECORDID": "234",
        "STATE": "Posted",
    }
    assert (invoice["WHENCREATED"], invoice["WHENPOSTED"], invoice["WHENDUE"]) == (
        "06/30/2015",
        "06/30/2015",
        "09/24/2020",
    )
    assert (invoice["DOCNUMBER"], invoice["DESCRIPTION"]) == ("234235", "Some description")
    assert [line["AMOUNT"] for line in _lines(invoice, "ARINVOICEITEMS")] == ["76343.43", "5.00"]
    assert (invoice["TOTALENTERED"], invoice["TOTALDUE"]) == ("76348.43", "76348.43")


def test_update_invoice_edits_a_line_by_line_num_and_appends_lineitems() -> None:
    sim, company = _sim()
    key = _ok(sim, _document("create_invoice", "CUS-1001", amounts=("10", "20")))
    first = str(_lines(_stored(company, "ARINVOICE", key), "ARINVOICEITEMS")[0]["RECORDNO"])
    _ok(
        sim,
        f'<update_invoice key="{key}"><updateinvoiceitems><updatelineitem line_num="1">'
        "<memo>hello world</memo><departmentid>D100</departmentid></updatelineitem>"
        "<lineitem><glaccountno>4100</glaccountno><amount>7.50</amount></lineitem>"
        "</updateinvoiceitems></update_invoice>",
    )
    invoice = _stored(company, "ARINVOICE", key)
    lines = _lines(invoice, "ARINVOICEITEMS")
    assert [(line["ACCOUNTNO"], line["AMOUNT"]) for line in lines] == [
        ("4000", "10.00"),
        ("4000", "20.00"),
        ("4100", "7.50"),
    ]
    assert (lines[0]["ENTRYDESCRIPTION"], lines[0]["DEPARTMENTID"]) == ("hello world", "D100")
    assert lines[0]["RECORDNO"] == first  # the edited line keeps its line RECORDNO
    assert invoice["TOTALENTERED"] == "37.50"
    assert len(company.table("ARINVOICEITEM")) == 3


def test_update_invoice_refusals() -> None:
    sim, company = _sim()
    key = _ok(sim, _document("create_invoice", "CUS-1001"))
    assert _refused(sim, '<update_invoice key="999999" />')[1] == (
        "Cannot find arinvoice with key '999999' to update."
    )
    assert _refused(sim, '<update_invoice key="20394" externalkey="true" />')[0] == ["BL01001973"]
    missing_line = (
        f'<update_invoice key="{key}"><updateinvoiceitems><updatelineitem line_num="2">'
        "<amount>1</amount></updatelineitem></updateinvoiceitems></update_invoice>"
    )
    assert "Line 2 does not exist" in _refused(sim, missing_line)[1]
    swapped = f'<update_invoice key="{key}"><ponumber>1</ponumber><invoiceno>2</invoiceno>'
    assert _refused(sim, swapped + "</update_invoice>")[0] == ["XL03000003"]
    draft = f'<update_invoice key="{key}"><action>Draft</action></update_invoice>'
    assert "cannot go back to Draft" in _refused(sim, draft)[1]
    assert _stored(company, "ARINVOICE", key)["STATE"] == "Posted"


def test_update_invoice_number_already_used_is_a_duplicate() -> None:
    sim, _ = _sim()
    _ok(sim, _document("create_invoice", "CUS-1001", head="<invoiceno>INV-A</invoiceno>"))
    key = _ok(sim, _document("create_invoice", "CUS-1001", head="<invoiceno>INV-B</invoiceno>"))
    update = f'<update_invoice key="{key}"><invoiceno>INV-A</invoiceno></update_invoice>'
    assert _refused(sim, update)[0] == ["BL34000061", "BL01001973"]
    assert _ok(sim, f'<update_invoice key="{key}"><invoiceno>INV-B</invoiceno></update_invoice>')


def test_update_invoice_lines_of_a_paid_or_reversed_invoice_are_refused() -> None:
    sim, _ = _sim()
    key = _ok(sim, _document("create_invoice", "CUS-1001"))
    _ok(
        sim,
        "<create_arpayment><customerid>CUS-1001</customerid><paymentamount>4</paymentamount>"
        "<datereceived><year>2026</year><month>03</month><day>05</day></datereceived>"
        "<paymentmethod>Cash</paymentmethod><arpaymentitem>"
        f"<invoicekey>{key}</invoicekey><amount>4</amount></arpaymentitem></create_arpayment>",
    )
    edit = (
        f'<update_invoice key="{key}"><updateinvoiceitems><updatelineitem line_num="1">'
        "<amount>1</amount></updatelineitem></updateinvoiceitems></update_invoice>"
    )
    assert "payments applied" in _refused(sim, edit)[1]
    other = _ok(sim, _document("create_invoice", "CUS-1001"))
    _ok(
        sim,
        f'<reverse_invoice key="{other}"><datereversed><year>2026</year><month>03</month>'
        "<day>09</day></datereversed></reverse_invoice>",
    )
    assert "reversed" in _refused(sim, f'<update_invoice key="{other}" />')[1]


# --- update_bill ---------------------------------------------------------------------------


def test_js_update_bill_with_all_parameters_finds_the_bill_by_its_external_id() -> None:
    sim, company = _sim()
    key = _ok(sim, _document("create_bill", "VEN-2001", head="<externalid>20394</externalid>"))
    assert _ok(sim, JS_UPDATE_BILL) == key
    bill = _stored(company, "APBILL", key)
    assert {f: bill[f] for f in ("VENDORID", "VENDORNAME", "RECORDID", "ONHOLD")} == {
        "VENDORID": "VENDOR1",
        "VENDORNAME": "Vendor One",
        "RECORDID": "234",
        "ONHOLD": "true",
    }
    assert (bill["WHENPOSTED"], bill["TOTALENTERED"]) == ("06/30/2015", "76343.43")


def test_js_minimal_update_bill_by_recordno() -> None:
    sim, _ = _sim()
    key = _ok(sim, _document("create_bill", "VEN-2001"))
    assert _ok(sim, f'<update_bill key="{key}" />') == key
    assert _refused(sim, '<update_bill key="1234" />')[1] == (
        "Cannot find apbill with key '1234' to update."
    )


def test_update_bill_refuses_an_invoice_only_child() -> None:
    sim, _ = _sim()
    key = _ok(sim, _document("create_bill", "VEN-2001"))
    errornos, _ = _refused(sim, f'<update_bill key="{key}"><invoiceno>1</invoiceno></update_bill>')
    assert errornos == ["XL03000003"]


# --- update_potransaction / update_sotransaction -------------------------------------------


def _po(sim: Simulator, transaction_type: str, head: str = "") -> str:
    return _ok(
        sim,
        f"<create_potransaction><transactiontype>{transaction_type}</transactiontype>"
        "<datecreated><year>2026</year><month>03</month><day>01</day></datecreated>"
        "<vendorid>VENDOR1</vendorid><returnto><contactname /></returnto><payto><contactname />"
        f"</payto>{head}<potransitems><potransitem><itemid>2390552</itemid><quantity>1200"
        "</quantity><price>2</price></potransitem></potransitems></create_potransaction>",
    )


def test_js_update_potransaction_with_all_parameters_edits_and_appends_lines() -> None:
    sim, company = _sim()
    docid = _po(sim, "Purchase Order", "<externalid>20394</externalid>")
    assert _ok(sim, JS_UPDATE_POTRANSACTION) == docid
    document = company.by_field("PODOCUMENT", "DOCID", docid)
    assert document is not None
    lines = _lines(document, "PODOCUMENTENTRIES")
    assert [(line["ITEMID"], line["QUANTITY"]) for line in lines] == [
        ("02354032", "223"),
        ("2390552", "223"),
    ]
    assert (document["PONUMBER"], document["WHENDUE"], document["STATE"]) == (
        "234235",
        "09/24/2020",
        "Pending",
    )


def test_update_potransaction_by_docid_reposts_the_vendor_invoices_bill() -> None:
    sim, company = _sim()
    docid = _po(sim, "Vendor Invoice")
    before = company.by_field("PODOCUMENT", "DOCID", docid)
    assert before is not None
    old_bill = str(before["PRRECORDKEY"])
    _ok(
        sim,
        f'<update_potransaction key="{docid}"><updatepotransitems>'
        '<updatepotransitem line_num="1"><quantity>10</quantity></updatepotransitem>'
        "</updatepotransitems></update_potransaction>",
    )
    after = company.by_field("PODOCUMENT", "DOCID", docid)
    assert after is not None
    assert company.by_recordno("APBILL", old_bill) is None  # D19: re-created
    bill = _stored(company, "APBILL", str(after["PRRECORDKEY"]))
    assert bill["TOTALENTERED"] == after["TOTAL"]
    assert after["SUBTOTAL"] == "20.00"


def test_update_potransaction_refusals() -> None:
    sim, _ = _sim()
    docid = _po(sim, "Purchase Order")
    assert _refused(sim, '<update_potransaction key="1234" />')[1] == (
        "Cannot find podocument with key '1234' to update."
    )
    bad_line = (
        f'<update_potransaction key="{docid}"><updatepotransitems>'
        '<updatepotransitem line_num="3"><quantity>1</quantity></updatepotransitem>'
        "</updatepotransitems></update_potransaction>"
    )
    assert "Line 3 does not exist" in _refused(sim, bad_line)[1]
    so_line = (
        f'<update_potransaction key="{docid}"><updatepotransitems><sotransitem>'
        "<itemid>2390552</itemid><quantity>1</quantity></sotransitem></updatepotransitems>"
        "</update_potransaction>"
    )
    assert _refused(sim, so_line)[0] == ["XL03000003"]


def test_js_update_sotransaction_by_external_key_with_its_externalid_child() -> None:
    sim, company = _sim()
    docid = _ok(
        sim,
        "<create_sotransaction><transactiontype>Sales Order</transactiontype>"
        "<datecreated><year>2026</year><month>03</month><day>01</day></datecreated>"
        "<customerid>CUS-1001</customerid><externalid>EXT1</externalid><sotransitems>"
        "<sotransitem><itemid>4000-S</itemid><quantity>1</quantity><price>9</price>"
        "</sotransitem></sotransitems></create_sotransaction>",
    )
    update = (
        '<update_sotransaction key="EXT1" externalkey="true" disablevalidation="true">'
        "<referenceno>R-7</referenceno><externalid>EXT1</externalid></update_sotransaction>"
    )
    assert _ok(sim, update) == docid
    document = company.by_field("SODOCUMENT", "DOCID", docid)
    assert document is not None
    assert document["PONUMBER"] == "R-7"
