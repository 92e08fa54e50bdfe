"""Simulator legacy AR/AP functions: create_invoice / _bill / _aradjustment / _apadjustment,
reverse_invoice / _bill, their refusals, and the STATE machine through generic update/delete."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _sim(**settings: object) -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: T0)
    config = demo_config()
    config["settings"] = {**config["settings"], **settings}  # type: ignore[dict-item]
    return sim, load_company(sim, config, now=T0)


def _call(sim: Simulator, *functions: str) -> list[xmlgw.Element]:
    return xmlgw.results(sim.handle(xmlgw.request(*functions), endpoint=ENDPOINT).body)


def _ok(sim: Simulator, function: str) -> str:
    (result,) = _call(sim, function)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    return result.findtext("key", "")


def _failed(sim: Simulator, function: str) -> tuple[list[str], str]:
    (result,) = _call(sim, function)
    assert result.findtext("status") == "failure"
    return xmlgw.errornos(result), result.findtext("errormessage/error/description2", "")


def _day(tag: str, text: str) -> str:
    month, day, year = text.split("/")
    return f"<{tag}><year>{year}</year><month>{month}</month><day>{day}</day></{tag}>"


def invoice(
    customer: str = "CUS-1001", amount: str = "100.00", *, head: str = "", line: str = ""
) -> str:
    account = line or "<glaccountno>4000</glaccountno>"
    return (
        f"<create_invoice><customerid>{customer}</customerid>{_day('datecreated', '03/01/2026')}"
        f"{_day('datedue', '03/31/2026')}{head}<invoiceitems><lineitem>{account}"
        f"<amount>{amount}</amount></lineitem></invoiceitems></create_invoice>"
    )


def test_create_invoice_answers_key_and_stores_the_header_fields() -> None:
    sim, company = _sim()
    key = _ok(sim, invoice(head="<invoiceno>R-1</invoiceno><ponumber>PO-9</ponumber>"))
    stored = company.by_recordno("ARINVOICE", key)
    assert stored is not None
    assert {f: stored[f] for f in ("RECORDID", "STATE", "CUSTOMERID", "DOCNUMBER")} == {
        "RECORDID": "R-1",
        "STATE": "Posted",
        "CUSTOMERID": "CUS-1001",
        "DOCNUMBER": "PO-9",
    }
    assert (stored["WHENCREATED"], stored["WHENPOSTED"], stored["WHENDUE"]) == (
        "03/01/2026",
        "03/01/2026",
        "03/31/2026",
    )
    assert (stored["TOTALENTERED"], stored["TOTALPAID"], stored["TOTALDUE"]) == (
        "100.00",
        "0.00",
        "100.00",
    )
    assert (stored["CURRENCY"], stored["BASECURR"]) == ("USD", "USD")
    lines = stored["ARINVOICEITEMS"]
    assert isinstance(lines, list)
    assert [line["ACCOUNTNO"] for line in lines] == ["4000"]


def test_legacy_create_result_has_the_real_key_shape() -> None:
    sim, _ = _sim()
    (result,) = _call(sim, invoice())
    real = xmlgw.parse((FIXTURES / "response-legacy-create-class-key.xml").read_bytes())
    real_result = real.find("operation/result")
    assert real_result is not None
    assert [c.tag for c in result] == [c.tag for c in real_result]


def test_the_sdk_fixture_request_is_read_and_its_empty_account_refused() -> None:
    sim, _ = _sim()
    function = (FIXTURES / "request-create-invoice-legacy.xml").read_text()
    inner = function.split('controlid="unittest">', 1)[1].rsplit("</function>", 1)[0]
    _, message = _failed(sim, inner.replace("CUSTOMER1", "CUS-1001"))
    assert "glaccountno" in message
    key = _ok(
        sim,
        inner.replace("CUSTOMER1", "CUS-1001").replace(
            "<glaccountno/>", "<glaccountno>4000</glaccountno>"
        ),
    )
    assert key.isdigit()


def test_children_out_of_dtd_order_are_a_schema_error() -> None:
    sim, _ = _sim()
    swapped = (
        f"<create_invoice>{_day('datecreated', '03/01/2026')}<customerid>CUS-1001</customerid>"
        "<invoiceitems><lineitem><glaccountno>4000</glaccountno><amount>1</amount></lineitem>"
        "</invoiceitems></create_invoice>"
    )
    errornos, message = _failed(sim, swapped)
    assert errornos == ["XL03000003"]
    assert "customerid" in message
    errornos, _ = _failed(sim, invoice(line="<amount>5</amount><glaccountno>4000</glaccountno>"))
    assert errornos == ["XL03000003"]


@pytest.mark.parametrize(
    ("function", "named"),
    [
        (invoice(customer="NOBODY"), "NOBODY"),
        (invoice(line="<glaccountno>9999</glaccountno>"), "9999"),
        (invoice().replace("</amount>", "</amount><locationid>L999</locationid>"), "L999"),
        (
            invoice(line="<glaccountno>4000</glaccountno>").replace(
                "</amount>", "</amount><itemid>NOITEM</itemid>"
            ),
            "NOITEM",
        ),
        (
            invoice().replace(
                "</amount>",
                "</amount><taxentries><taxentry><detailid>Bogus</detailid></taxentry></taxentries>",
            ),
            "Bogus",
        ),
    ],
    ids=["customer", "gl-account", "location", "item", "tax-detail"],
)
def test_unknown_references_are_refused(function: str, named: str) -> None:
    sim, _ = _sim()
    errornos, message = _failed(sim, function)
    assert errornos == ["BL01001973"]
    assert named in message


def test_a_deleted_customer_is_then_not_found() -> None:
    sim, company = _sim()
    customer = company.by_field("CUSTOMER", "CUSTOMERID", "CUS-1004")
    assert customer is not None
    _call(sim, f"<delete><object>CUSTOMER</object><keys>{customer['RECORDNO']}</keys></delete>")
    _, message = _failed(sim, invoice(customer="CUS-1004"))
    assert "CUS-1004" in message


def test_foreign_currency_needs_multi_currency() -> None:
    sim, _ = _sim(multi_currency=False)
    _, message = _failed(sim, invoice(head="<currency>EUR</currency>"))
    assert "multi-currency" in message
    _, message = _failed(sim, invoice(customer="CUS-1008"))
    assert "EUR" in message
    sim, company = _sim(multi_currency=True)
    key = _ok(sim, invoice(customer="CUS-1008"))
    assert company.table("ARINVOICE")[int(key)]["CURRENCY"] == "EUR"


def test_account_labels_on_refuse_gl_accounts_and_take_labels() -> None:
    sim, company = _sim(account_labels=True)
    company.insert(
        "ARACCOUNTLABEL", {"ACCOUNTLABEL": "Rent", "GLACCOUNTNO": "4000"}, now=T0, entity=""
    )
    _, message = _failed(sim, invoice())
    assert "accountlabel" in message
    key = _ok(sim, invoice(line="<accountlabel>Rent</accountlabel>"))
    lines = company.table("ARINVOICE")[int(key)]["ARINVOICEITEMS"]
    assert isinstance(lines, list)
    assert [(x["ACCOUNTLABEL"], x["ACCOUNTNO"]) for x in lines] == [("Rent", "4000")]


def test_account_labels_off_refuse_labels() -> None:
    sim, _ = _sim(account_labels=False)
    _, message = _failed(sim, invoice(line="<accountlabel>Rent</accountlabel>"))
    assert "Account Labels are off" in message


def bill(number: str = "") -> str:
    billno = f"<billno>{number}</billno>" if number else ""
    return (
        f"<create_bill><vendorid>VEN-2001</vendorid>{_day('datecreated', '02/01/2026')}"
        f"{_day('datedue', '03/01/2026')}{billno}<billitems><lineitem><glaccountno>5100"
        "</glaccountno><amount>45.50</amount><departmentid>D200</departmentid></lineitem>"
        "</billitems></create_bill>"
    )


def test_bill_number_is_sequenced_or_refused_with_bl03002128() -> None:
    sim, company = _sim(vendor_sequencing=False)
    errornos, message = _failed(sim, bill())
    assert errornos == ["BL03002128"]
    assert message == "Enter a Bill number, and try again."
    key = _ok(sim, bill("B-77"))
    stored = company.table("APBILL")[int(key)]
    assert (stored["RECORDID"], stored["PAYMENTPRIORITY"], stored["TOTALDUE"]) == (
        "B-77",
        "Normal",
        "45.50",
    )
    sim, company = _sim(vendor_sequencing=True)
    assert company.table("APBILL")[int(_ok(sim, bill()))]["RECORDID"] == "BILL-0001"


def _taxed_bill(entries: str) -> str:
    """A ``create_bill`` line as the PHP ``BillLineCreateTest`` writes it: ``taxentries`` last,
    after ``billable``; each ``taxentry`` as ``BillLineTaxEntriesCreateTest`` (detailid,
    trx_tax)."""
    return (
        f"<create_bill><vendorid>VEN-2001</vendorid>{_day('datecreated', '03/01/2026')}"
        "<billitems><lineitem><glaccountno>5100</glaccountno><amount>100</amount>"
        f"<billable>true</billable><taxentries>{entries}</taxentries></lineitem></billitems>"
        "</create_bill>"
    )


def test_php_bill_line_tax_entries_are_stored_in_order_and_refer_to_tax_details() -> None:
    sim, company = _sim()
    key = _ok(
        sim,
        _taxed_bill(
            "<taxentry><detailid>Standard 10%</detailid><trx_tax>10</trx_tax></taxentry>"
            "<taxentry><detailid>Exempt</detailid></taxentry>"
        ),
    )
    lines = company.table("APBILL")[int(key)]["APBILLITEMS"]
    assert isinstance(lines, list)
    assert lines[0]["TAXENTRIES"] == [
        {"DETAILID": "Standard 10%", "TRX_TAX": "10.00"},
        {"DETAILID": "Exempt"},
    ]
    _, message = _failed(sim, _taxed_bill("<taxentry><detailid>TaxName</detailid></taxentry>"))
    assert "TaxName" in message
    swapped = "<taxentry><trx_tax>10</trx_tax><detailid>Exempt</detailid></taxentry>"
    errornos, message = _failed(sim, _taxed_bill(swapped))
    assert errornos == ["XL03000003"]
    assert "<detailid> is out of order" in message


def test_a_tax_entry_counts_in_what_an_invoice_and_a_bill_owe() -> None:
    """An invoice's total is owed with its tax ([RESTDOC] accounts-receivable, "GET
    /objects/accounts-receivable/invoice/{key}": a 400.00 line with a 40.00 tax entry totals
    440.00), so a payment of the gross applies in full; a tax entry without an amount adds none."""
    sim, company = _sim()
    key = _ok(
        sim,
        "<create_invoice><customerid>CUS-1001</customerid>"
        f"{_day('datecreated', '03/01/2026')}<invoiceitems><lineitem>"
        "<glaccountno>4000</glaccountno><amount>100.00</amount><taxentries><taxentry>"
        "<detailid>Standard 10%</detailid><trx_tax>10</trx_tax></taxentry></taxentries>"
        "</lineitem></invoiceitems></create_invoice>",
    )
    stored = company.table("ARINVOICE")[int(key)]
    assert (stored["TOTALENTERED"], stored["TOTALDUE"]) == ("110.00", "110.00")
    lines = stored["ARINVOICEITEMS"]
    assert isinstance(lines, list)
    assert lines[0]["TOTALDUE"] == "110.00"
    paid = (
        "<create_arpayment><customerid>CUS-1001</customerid><paymentamount>110.00</paymentamount>"
        f"{_day('datereceived', '03/10/2026')}<paymentmethod>EFT</paymentmethod><arpaymentitem>"
        f"<invoicekey>{key}</invoicekey><amount>110.00</amount></arpaymentitem></create_arpayment>"
    )
    _ok(sim, paid)
    assert (stored["TOTALDUE"], stored["STATE"]) == ("0.00", "Paid")
    bill = _ok(
        sim,
        _taxed_bill(
            "<taxentry><detailid>Standard 10%</detailid><trx_tax>10</trx_tax></taxentry>"
            "<taxentry><detailid>Exempt</detailid></taxentry>"
        ),
    )
    assert company.table("APBILL")[int(bill)]["TOTALENTERED"] == "110.00"


def test_a_repeated_document_number_is_refused() -> None:
    sim, _ = _sim()
    _ok(sim, invoice(head="<invoiceno>DUP</invoiceno>"))
    errornos, _ = _failed(sim, invoice(head="<invoiceno>DUP</invoiceno>"))
    assert errornos == ["BL34000061", "BL01001973"]


def test_adjustments_are_created_with_their_reference() -> None:
    sim, company = _sim()
    ar = _ok(
        sim,
        f"<create_aradjustment><customerid>CUS-1002</customerid>{_day('datecreated', '04/01/2026')}"
        "<adjustmentno>CM-1</adjustmentno><invoiceno>INV-9</invoiceno><aradjustmentitems>"
        "<lineitem><glaccountno>4100</glaccountno><amount>-20</amount></lineitem>"
        "</aradjustmentitems></create_aradjustment>",
    )
    stored = company.table("ARADJUSTMENT")[int(ar)]
    assert (stored["RECORDID"], stored["INVOICENO"], stored["TOTALENTERED"]) == (
        "CM-1",
        "INV-9",
        "-20.00",
    )
    ap = _ok(
        sim,
        f"<create_apadjustment><vendorid>VEN-2002</vendorid>{_day('datecreated', '04/01/2026')}"
        "<apadjustmentitems><lineitem><glaccountno>5000</glaccountno><amount>-7.25</amount>"
        "</lineitem></apadjustmentitems></create_apadjustment>",
    )
    assert company.table("APADJUSTMENT")[int(ap)]["RECORDTYPE"] == "pa"


def _reverse(kind: str, key: str) -> str:
    fixture = (FIXTURES / "request-reverse-invoice-legacy.xml").read_text()
    inner = fixture.split('controlid="unittest">', 1)[1].rsplit("</function>", 1)[0]
    return inner.replace('key="1234"', f'key="{key}"').replace("reverse_invoice", kind)


def test_D7_reverse_invoice_makes_a_reversed_original_and_a_reversal_record() -> None:
    sim, company = _sim()
    key = _ok(sim, invoice(amount="250.00"))
    reversal_key = _ok(sim, _reverse("reverse_invoice", key))
    original = company.table("ARINVOICE")[int(key)]
    reversal = company.table("ARINVOICE")[int(reversal_key)]
    assert (original["STATE"], original["TOTALDUE"]) == ("Reversed", "0.00")
    assert (reversal["STATE"], reversal["TOTALENTERED"], reversal["RECORDID"]) == (
        "Reversal",
        "-250.00",
        f"Reversed - {original['RECORDID']}",
    )
    # correction 3: no field links the two records
    assert key not in {str(v) for k, v in reversal.items() if k != "ARINVOICEITEMS"}
    assert reversal_key not in {str(v) for v in original.values()}
    assert reversal["WHENCREATED"] == "06/30/2015"
    _, message = _failed(sim, _reverse("reverse_invoice", key))
    assert "Reversed" in message


def test_reverse_refuses_paid_and_unknown_and_reverse_bill_works() -> None:
    sim, company = _sim()
    key = _ok(sim, invoice(amount="80.00"))
    _ok(
        sim,
        f"<create_arpayment><customerid>CUS-1001</customerid><paymentamount>30</paymentamount>"
        f"{_day('datereceived', '03/05/2026')}<paymentmethod>Cash</paymentmethod><arpaymentitem>"
        f"<invoicekey>{key}</invoicekey><amount>30</amount></arpaymentitem></create_arpayment>",
    )
    _, message = _failed(sim, _reverse("reverse_invoice", key))
    assert "payments applied" in message
    errornos, _ = _failed(sim, _reverse("reverse_invoice", "99999"))
    assert errornos == ["BL01001973"]
    bill_key = _ok(sim, bill("B-1"))
    _ok(sim, _reverse("reverse_bill", bill_key))
    assert company.table("APBILL")[int(bill_key)]["STATE"] == "Reversed"


def test_a_draft_has_no_gl_date_and_is_posted_by_update() -> None:
    sim, company = _sim()
    key = _ok(sim, invoice(head="<action>Draft</action>"))
    stored = company.table("ARINVOICE")[int(key)]
    assert (stored["STATE"], stored["WHENPOSTED"]) == ("Draft", "")
    post = (
        f"<update><ARINVOICE><RECORDNO>{key}</RECORDNO><STATE>Posted</STATE></ARINVOICE></update>"
    )
    (result,) = _call(sim, post)
    assert result.findtext("status") == "success"
    assert (stored["STATE"], stored["WHENPOSTED"]) == ("Posted", "03/01/2026")
    (again,) = _call(sim, post.replace("Posted", "Paid"))
    assert again.findtext("status") == "failure"


def test_deleting_an_invoice_is_audited_and_refused_once_paid() -> None:
    sim, company = _sim()
    unpaid, paid = _ok(sim, invoice()), _ok(sim, invoice(amount="60"))
    _ok(
        sim,
        f"<create_arpayment><customerid>CUS-1001</customerid><paymentamount>60</paymentamount>"
        f"{_day('datereceived', '03/05/2026')}<paymentmethod>Cash</paymentmethod><arpaymentitem>"
        f"<invoicekey>{paid}</invoicekey><amount>60</amount></arpaymentitem></create_arpayment>",
    )
    (refused,) = _call(sim, f"<delete><object>ARINVOICE</object><keys>{paid}</keys></delete>")
    assert "payments applied" in refused.findtext("errormessage/error/description2", "")
    (deleted,) = _call(sim, f"<delete><object>ARINVOICE</object><keys>{unpaid}</keys></delete>")
    assert deleted.findtext("status") == "success"
    assert int(unpaid) not in company.table("ARINVOICE")
    audit = [
        r["ACCESSMODE"]
        for r in company.table("AUDITHISTORY").values()
        if r["OBJECTTYPE"] == "arinvoice" and r["OBJECTKEY"] == unpaid
    ]
    assert audit == ["Create", "Delete"]


@pytest.mark.parametrize(
    ("function", "named"),
    [
        (
            f"<create_aradjustment><customerid>GONE</customerid>{_day('datecreated', '04/01/2026')}"
            "<aradjustmentitems><lineitem><glaccountno>4100</glaccountno><amount>-1</amount>"
            "</lineitem></aradjustmentitems></create_aradjustment>",
            "GONE",
        ),
        (
            f"<create_apadjustment><vendorid>VEN-2002</vendorid>{_day('datecreated', '04/01/2026')}"
            "<apadjustmentitems/></create_apadjustment>",
            "lineitem",
        ),
        (
            f"<create_bill><vendorid>VEN-9999</vendorid>{_day('datecreated', '04/01/2026')}"
            "<billitems><lineitem><glaccountno>5100</glaccountno><amount>1</amount></lineitem>"
            "</billitems></create_bill>",
            "VEN-9999",
        ),
        (
            f'<reverse_bill key="424242">{_day("datereversed", "04/01/2026")}</reverse_bill>',
            "424242",
        ),
        (
            "<create_invoice><customerid>CUS-1001</customerid><datecreated><year>2026</year>"
            "<month>02</month><day>30</day></datecreated><invoiceitems/></create_invoice>",
            "datecreated",
        ),
    ],
    ids=["adjustment-customer", "adjustment-no-lines", "bill-vendor", "reverse-bill", "bad-date"],
)
def test_other_legacy_refusals_name_what_is_wrong(function: str, named: str) -> None:
    sim, _ = _sim()
    _, message = _failed(sim, function)
    assert named in message
