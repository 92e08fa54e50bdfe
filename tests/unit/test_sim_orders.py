"""Simulator Order Entry / Purchasing: create_sotransaction with externally computed tax, the
generated ARINVOICE, D19 re-keying on edit, refusals, create_potransaction, and the SDKs' line and
document blocks the simulator accepts without storing (item details, fulfillment and kit status,
subtotals)."""

from __future__ import annotations

from datetime import UTC, datetime

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DATE = "<datecreated><year>2026</year><month>04</month><day>01</day></datecreated>"


def _books(**settings: object) -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: T0)
    config = demo_config()
    config["settings"] = {**config["settings"], **settings}  # type: ignore[dict-item]
    return sim, load_company(sim, config, now=T0)


def _call(sim: Simulator, function: str) -> xmlgw.Element:
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    return result


def _ok(sim: Simulator, function: str) -> str:
    result = _call(sim, function)
    assert result.findtext("status") == "success", result.findtext(".//description2")
    return result.findtext("key", "")


def _refused(sim: Simulator, function: str) -> str:
    result = _call(sim, function)
    assert result.findtext("status") == "failure"
    return result.findtext("errormessage/error/description2", "")


def line(item: str = "4000-S", quantity: str = "2", price: str = "100.00", tax: str = "") -> str:
    taxes = f"<taxentries><taxentry><detailid>{tax}</detailid></taxentry></taxentries>"
    return (
        f"<sotransitem><itemid>{item}</itemid><quantity>{quantity}</quantity>"
        f"<price>{price}</price><locationid>E100</locationid>"
        f"<departmentid>D100</departmentid><revrectemplate>Straight</revrectemplate>"
        f"{taxes if tax else ''}</sotransitem>"
    )


def sales(*lines: str, kind: str = "Sales Invoice") -> str:
    return (
        f"<create_sotransaction><transactiontype>{kind}</transactiontype>{DATE}"
        f"<customerid>CUS-1002</customerid><referenceno>PO-5</referenceno>"
        f"<sotransitems>{''.join(lines)}</sotransitems></create_sotransaction>"
    )


def _document(company: Company, docid: str) -> Record:
    found = company.by_field("SODOCUMENT", "DOCID", docid)
    assert found is not None
    return found


def _ledger(company: Company, document: Record) -> Record:
    return company.table("ARINVOICE")[int(str(document["PRRECORDKEY"]))]


def test_create_sotransaction_sequences_docid_and_computes_tax_per_line() -> None:
    sim, company = _books()
    docid = _ok(sim, sales(line(), line("4100-S", "1", "50.00", tax="Reduced 5%")))
    assert docid == "Sales Invoice-SI0001"
    document = _document(company, docid)
    lines = document["SODOCUMENTENTRIES"]
    assert isinstance(lines, list)
    assert [(x["LINE_NO"], x["TOTAL"], x["TAXRATE"], x["TAX"]) for x in lines] == [
        ("0", "200.00", "10", "20.00"),
        ("1", "50.00", "5", "2.50"),
    ]
    assert (document["SUBTOTAL"], document["TAXTOTAL"], document["TOTAL"]) == (
        "250.00",
        "22.50",
        "272.50",
    )
    assert (document["DOCPARID"], document["DOCNO"], document["TAXSOLUTIONID"]) == (
        "Sales Invoice",
        "SI0001",
        "AVATAX",
    )
    ledger = _ledger(company, document)
    assert (ledger["RECORDID"], ledger["TOTALENTERED"], ledger["TAXTOTAL"]) == (
        docid,
        "272.50",
        "22.50",
    )
    assert (ledger["CUSTOMERID"], ledger["DOCNUMBER"], ledger["MODULEKEY"]) == (
        "CUS-1002",
        "PO-5",
        "8.SO",
    )
    items = ledger["ARINVOICEITEMS"]
    assert isinstance(items, list)
    assert [(i["ACCOUNTNO"], i["AMOUNT"], i["TAX"]) for i in items] == [
        ("4000", "200.00", "20.00"),
        ("4100", "50.00", "2.50"),
    ]
    assert _ok(sim, sales(line())) == "Sales Invoice-SI0002"


ITEM_DETAILS = (  # PHP TransactionItemDetailTest (quantity, lotno, itemexpiration)
    "<itemdetails><itemdetail><quantity>2</quantity><lotno>223</lotno><itemexpiration><year>2027"
    "</year><month>12</month><day>31</day></itemexpiration></itemdetail></itemdetails>"
)
KIT_STATUS = (  # PHP OrderEntryTransactionLineCreateTest testKitStatus (KitStatusCreate)
    "<fulfillmentstatus><kitstatus><line_num>14</line_num><invoiceprice>700.5</invoiceprice>"
    "<deliverystatus>Undelivered</deliverystatus><deliverydate><year>2018</year><month>12</month>"
    "<day>25</day></deliverydate><deferralstatus>Defer until item is delivered</deferralstatus>"
    "</kitstatus></fulfillmentstatus>"
)
SUBTOTALS = (  # PHP / JS TransactionSubtotalCreateTest
    "<subtotals><subtotal><description>Subtotal Description</description><total>2340</total>"
    "</subtotal></subtotals>"
)


FULFILLMENT = (  # PHP FulfillmentStatusCreate (deliverystatus, deliverydate, deferralstatus)
    "<fulfillmentstatus><deliverystatus>Delivered</deliverystatus><deliverydate><year>2026"
    "</year><month>04</month><day>02</day></deliverydate><deferralstatus>Defer until item is "
    "delivered</deferralstatus></fulfillmentstatus>"
)


def test_sdk_item_details_fulfillment_kit_status_and_subtotals_are_accepted_not_stored() -> None:
    sim, company = _books()
    plain = _document(company, _ok(sim, sales(line(), line("4100-S"))))
    detailed = line().replace("<revrectemplate>", f"{ITEM_DETAILS}<revrectemplate>")
    kit = detailed.replace("</sotransitem>", f"{KIT_STATUS}</sotransitem>")
    fulfilled = line("4100-S").replace("</sotransitem>", f"{FULFILLMENT}</sotransitem>")
    function = sales(kit, fulfilled).replace("</sotransitems>", f"</sotransitems>{SUBTOTALS}")
    document = _document(company, _ok(sim, function))
    totals = ("SUBTOTAL", "TAXTOTAL", "TOTAL")
    assert [document[t] for t in totals] == [plain[t] for t in totals]  # subtotals computed
    for sent in ("subtotal description", "deliverystatus", "kitstatus", "lotno"):
        assert sent not in str(document).lower()  # none of the blocks is stored
    misplaced = sales(line().replace("<itemid>", f"{KIT_STATUS}<itemid>"))
    assert "<itemid> is out of order (after fulfillmentstatus)" in _refused(sim, misplaced)


def test_without_the_external_tax_solution_no_tax_is_computed() -> None:
    sim, company = _books(tax_solution_external=False)
    document = _document(company, _ok(sim, sales(line())))
    assert (document["TAXTOTAL"], document["TOTAL"]) == ("0.00", "200.00")


def test_an_order_creates_no_ar_invoice() -> None:
    sim, company = _books()
    document = _document(company, _ok(sim, sales(line(), kind="Sales Order")))
    assert document["PRRECORDKEY"] == ""
    assert company.table("ARINVOICE") == {}


def test_refusals_name_the_setting_or_the_reference() -> None:
    sim, _ = _books(subtotal_defaulting=False)
    assert "Subtotal dimensions" in _refused(sim, sales(line()))
    sim, _ = _books(order_entry=False)
    assert "Order Entry" in _refused(sim, sales(line()))
    sim, _ = _books()
    assert "Credit Note" in _refused(sim, sales(line(), kind="Credit Note"))
    assert "NOPE" in _refused(sim, sales(line("NOPE")))
    assert "Bogus" in _refused(sim, sales(line(tax="Bogus")))
    assert "customerid" in _refused(
        sim, sales(line()).replace("<customerid>CUS-1002</customerid>", "")
    )


def _audit(company: Company, key: str) -> list[object]:
    return [
        row["ACCESSMODE"]
        for row in company.table("AUDITHISTORY").values()
        if row["OBJECTTYPE"] == "arinvoice" and row["OBJECTKEY"] == key
    ]


def test_D19_update_sotransaction_re_keys_the_ar_invoice() -> None:
    sim, company = _books()
    docid = _ok(sim, sales(line(), line("4100-S", "1", "50.00")))
    old_key = str(_document(company, docid)["PRRECORDKEY"])
    change = '<updatesotransitem line_num="2"><quantity>3</quantity></updatesotransitem>'
    edit = f'<update_sotransaction key="{docid}"><updatesotransitems>{change}'
    assert _ok(sim, edit + "</updatesotransitems></update_sotransaction>") == docid
    document = _document(company, docid)
    new_key = str(document["PRRECORDKEY"])
    assert new_key != old_key
    assert int(old_key) not in company.table("ARINVOICE")
    assert _audit(company, old_key) == ["Create", "Delete"]
    assert _audit(company, new_key) == ["Create"]
    assert _ledger(company, document)["TOTALENTERED"] == "385.00"
    query = (
        f"<readByQuery><object>ARINVOICE</object><query>RECORDID = '{docid}'</query></readByQuery>"
    )
    rows = _call(sim, query).findall("data/arinvoice")
    assert [r.findtext("RECORDNO") for r in rows] == [new_key]


def test_D19_generic_update_by_docid_re_keys_too() -> None:
    sim, company = _books()
    docid = _ok(sim, sales(line()))
    old_key = str(_document(company, docid)["PRRECORDKEY"])
    result = _call(
        sim,
        f"<update><SODOCUMENT><DOCID>{docid}</DOCID><MESSAGE>edited</MESSAGE></SODOCUMENT></update>",
    )
    assert result.findtext("status") == "success"
    document = _document(company, docid)
    assert document["PRRECORDKEY"] != old_key
    assert _audit(company, old_key) == ["Create", "Delete"]
    assert _ledger(company, document)["DESCRIPTION"] == "edited"


def test_an_edited_or_deleted_document_whose_invoice_is_paid_is_refused() -> None:
    sim, company = _books()
    docid = _ok(sim, sales(line()))
    key = str(_document(company, docid)["PRRECORDKEY"])
    _ok(
        sim,
        "<create_arpayment><customerid>CUS-1002</customerid><paymentamount>10</paymentamount>"
        "<datereceived><year>2026</year><month>04</month><day>02</day></datereceived>"
        f"<paymentmethod>Cash</paymentmethod><arpaymentitem><invoicekey>{key}</invoicekey>"
        "<amount>10</amount></arpaymentitem></create_arpayment>",
    )
    edit = f'<update_sotransaction key="{docid}"><message>x</message></update_sotransaction>'
    assert "payments applied" in _refused(sim, edit)
    recordno = _document(company, docid)["RECORDNO"]
    delete = f"<delete><object>SODOCUMENT</object><keys>{recordno}</keys></delete>"
    assert "payments applied" in _refused(sim, delete)
    generated = f"<delete><object>ARINVOICE</object><keys>{key}</keys></delete>"
    assert "payments applied" in _refused(sim, generated)


def test_deleting_a_document_deletes_its_invoice_which_cannot_be_deleted_alone() -> None:
    sim, company = _books()
    document = _document(company, _ok(sim, sales(line())))
    key = str(document["PRRECORDKEY"])
    generated = f"<delete><object>ARINVOICE</object><keys>{key}</keys></delete>"
    assert "generated by transaction" in _refused(sim, generated)
    _call(sim, f"<delete><object>SODOCUMENT</object><keys>{document['RECORDNO']}</keys></delete>")
    assert company.table("ARINVOICE") == {}
    assert _audit(company, key) == ["Create", "Delete"]


def test_create_potransaction_posts_an_ap_bill() -> None:
    sim, company = _books()
    docid = _ok(
        sim,
        f"<create_potransaction><transactiontype>Vendor Invoice</transactiontype>{DATE}"
        "<vendorid>VEN-2002</vendorid><potransitems><potransitem><itemid>5000-P</itemid>"
        "<quantity>4</quantity><price>85.00</price></potransitem></potransitems>"
        "</create_potransaction>",
    )
    assert docid == "Vendor Invoice-VI0001"
    document = company.by_field("PODOCUMENT", "DOCID", docid)
    assert document is not None
    bill = company.table("APBILL")[int(str(document["PRRECORDKEY"]))]
    assert (bill["VENDORID"], bill["TOTALENTERED"], bill["MODULEKEY"]) == (
        "VEN-2002",
        "374.00",
        "9.PO",
    )


def test_create_potransaction_refusals() -> None:
    purchase = (
        f"<create_potransaction><transactiontype>Vendor Invoice</transactiontype>{DATE}"
        "<vendorid>VEN-2002</vendorid><potransitems><potransitem><itemid>5000-P</itemid>"
        "<quantity>1</quantity><price>1</price></potransitem></potransitems>"
        "</create_potransaction>"
    )
    sim, _ = _books(purchasing=False)
    assert "Purchasing" in _refused(sim, purchase)
    sim, _ = _books()
    assert "VEN-0000" in _refused(sim, purchase.replace("VEN-2002", "VEN-0000"))
    assert "Vendor Bill" in _refused(sim, purchase.replace("Vendor Invoice", "Vendor Bill"))
