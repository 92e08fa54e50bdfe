"""Simulator functions the official SDKs emit: the legacy ``delete_*`` functions, approve /
decline of a PODOCUMENT, ``get_list`` and ``lookup``.

Each request is written by hand in the shape of the SDK test's expected XML (inventory
``/tmp/research/sdk-functions.md`` §2.15, §2.33, §2.39), with the company's own ids where the SDK
test's ids name nothing in the demo company.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.control import rule_from_json
from released_intacct.fakes.simulators.intacct.faults import summarize
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DAY = "<datecreated><year>2026</year><month>03</month><day>01</day></datecreated>"


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


def _refused(sim: Simulator, function: str) -> tuple[list[str], str, str]:
    result = _result(sim, function)
    assert result.findtext("status") == "failure"
    error = "errormessage/error/"
    return (
        xmlgw.errornos(result),
        result.findtext(error + "description2", ""),
        result.findtext(error + "correction", ""),
    )


def _invoice(sim: Simulator, customer: str = "CUS-1001", amount: str = "100.00") -> str:
    result = _ok(
        sim,
        f"<create_invoice><customerid>{customer}</customerid>{DAY}<termname>N30</termname>"
        "<invoiceitems><lineitem><glaccountno>4000</glaccountno>"
        f"<amount>{amount}</amount></lineitem></invoiceitems></create_invoice>",
    )
    return result.findtext("key", "")


def _bill(sim: Simulator, vendor: str = "VEN-2001") -> str:
    result = _ok(
        sim,
        f"<create_bill><vendorid>{vendor}</vendorid>{DAY}<termname>N30</termname>"
        "<billitems><lineitem><glaccountno>5000</glaccountno><amount>76343.43</amount>"
        "</lineitem></billitems></create_bill>",
    )
    return result.findtext("key", "")


def _deleted_audit(company: Company, object_name: str, key: str) -> bool:
    """An AUDITHISTORY deletion row naming ``key``: a transaction's RECORDNO, master data's id
    (the "unique name field", spec correction 4)."""
    return any(
        row["OBJECTTYPE"] == object_name.lower()
        and row["OBJECTKEY"] == key
        and row["ACCESSMODE"] == "Delete"
        for row in company.table("AUDITHISTORY").values()
    )


# --- legacy deletes by id ------------------------------------------------------------------

MASTER_DATA = [
    ("<CUSTOMER><CUSTOMERID>C1234</CUSTOMERID><NAME>SaaS Corp</NAME></CUSTOMER>",
     '<delete_customer customerid="C1234" />', "CUSTOMER", "CUSTOMERID", "C1234"),
    ("<VENDOR><VENDORID>V1234</VENDORID><NAME>SaaS Corp</NAME></VENDOR>",
     '<delete_vendor vendorid="V1234" />', "VENDOR", "VENDORID", "V1234"),
    ("<CONTACT><CONTACTNAME>hello</CONTACTNAME><PRINTAS>world</PRINTAS></CONTACT>",
     '<delete_contact contactname="hello" />', "CONTACT", "CONTACTNAME", "hello"),
    ("<GLACCOUNT><ACCOUNTNO>1010</ACCOUNTNO><TITLE>hello world</TITLE></GLACCOUNT>",
     '<delete_glaccount glaccountno="1010" />', "GLACCOUNT", "ACCOUNTNO", "1010"),
    ("<DEPARTMENT><DEPARTMENTID>D1234</DEPARTMENTID><TITLE>hello world</TITLE></DEPARTMENT>",
     '<delete_department departmentid="D1234" />', "DEPARTMENT", "DEPARTMENTID", "D1234"),
    ("<LOCATION><LOCATIONID>L1234</LOCATIONID><NAME>hello world</NAME></LOCATION>",
     '<delete_location locationid="L1234" />', "LOCATION", "LOCATIONID", "L1234"),
    ("<CLASS><CLASSID>C1234</CLASSID><NAME>hello world</NAME></CLASS>",
     '<delete_class key="C1234" />', "CLASS", "CLASSID", "C1234"),
    ("<PROJECT><PROJECTID>P1234</PROJECTID><NAME>hello world</NAME></PROJECT>",
     '<delete_project key="P1234" />', "PROJECT", "PROJECTID", "P1234"),
    ("<EMPLOYEE><EMPLOYEEID>E1234</EMPLOYEEID></EMPLOYEE>",
     '<delete_employee employeeid="E1234" />', "EMPLOYEE", "EMPLOYEEID", "E1234"),
    ("<ITEM><ITEMID>I1234</ITEMID><NAME>hello world</NAME><ITEMTYPE>Inventory</ITEMTYPE></ITEM>",
     '<delete_item itemid="I1234" />', "ITEM", "ITEMID", "I1234"),
    ("<ARACCOUNTLABEL><ACCOUNTLABEL>Revenue</ACCOUNTLABEL><DESCRIPTION>hello world</DESCRIPTION>"
     "<GLACCOUNTNO>4000</GLACCOUNTNO></ARACCOUNTLABEL>",
     '<delete_araccountlabel accountlabel="Revenue" />', "ARACCOUNTLABEL", "ACCOUNTLABEL",
     "Revenue"),
    ("<APACCOUNTLABEL><ACCOUNTLABEL>expense</ACCOUNTLABEL><DESCRIPTION>hello world</DESCRIPTION>"
     "<GLACCOUNTNO>5000</GLACCOUNTNO></APACCOUNTLABEL>",
     '<delete_apaccountlabel accountlabel="expense" />', "APACCOUNTLABEL", "ACCOUNTLABEL",
     "expense"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("create", "function", "object_name", "field", "value"),
    MASTER_DATA,
    ids=[case[2] for case in MASTER_DATA],
)
def test_legacy_delete_by_id_removes_the_record_and_audits_it(
    create: str, function: str, object_name: str, field: str, value: str
) -> None:
    sim, company = _sim()
    _ok(sim, f"<create>{create}</create>")
    record = company.by_field(object_name, field, value)
    assert record is not None
    result = _ok(sim, function)
    assert result.find("data") is None  # as the generic delete: no <data>
    assert company.by_field(object_name, field, value) is None
    assert _deleted_audit(company, object_name, value)


@pytest.mark.parametrize(
    "function",
    [case[1] for case in MASTER_DATA],
    ids=[case[2] for case in MASTER_DATA],
)
def test_legacy_delete_of_an_unknown_id_is_refused_as_the_generic_delete_refuses(
    function: str,
) -> None:
    sim, _ = _sim()
    errornos, message, _ = _refused(sim, function)
    assert errornos == ["BL01001973"]
    assert message.startswith("Cannot find ")
    assert message.endswith(" to delete.")


def test_delete_task_names_the_task_by_its_recordno() -> None:
    sim, company = _sim()
    _ok(
        sim,
        "<create><TASK><TASKID>T1</TASKID><NAME>hello world</NAME><PROJECTID>P-001</PROJECTID>"
        "</TASK></create>",
    )
    task = company.by_field("TASK", "TASKID", "T1")
    assert task is not None
    assert xmlgw.errornos(_result(sim, '<delete_task key="T1" />')) == ["BL01001973"]
    _ok(sim, f'<delete_task key="{task["RECORDNO"]}" />')
    assert company.by_field("TASK", "TASKID", "T1") is None


def test_js_sdk_delete_without_its_attribute_is_a_clear_function_failure() -> None:
    sim, company = _sim()
    before = len(company.table("CUSTOMER"))
    errornos, message, correction = _refused(sim, "<delete_customer />")
    assert errornos == ["BL01001973"]
    assert message == "Cannot find customer with key '' to delete."
    assert 'customerid="..."' in correction
    assert len(company.table("CUSTOMER")) == before


def test_legacy_delete_takes_no_children() -> None:
    sim, company = _sim()
    errornos, _, _ = _refused(
        sim, '<delete_customer customerid="CUS-1001"><name>x</name></delete_customer>'
    )
    assert errornos == ["XL03000003"]
    assert company.by_field("CUSTOMER", "CUSTOMERID", "CUS-1001") is not None


# --- parties still named by documents ------------------------------------------------------


def test_customer_named_by_an_invoice_is_not_deleted_by_either_delete() -> None:
    sim, company = _sim()
    invoice = _invoice(sim, "CUS-1002")
    customer = company.by_field("CUSTOMER", "CUSTOMERID", "CUS-1002")
    assert customer is not None
    _, message, correction = _refused(sim, '<delete_customer customerid="CUS-1002" />')
    assert f"ARINVOICE {invoice} names it" in message
    assert "inactive" in correction
    generic = f"<delete><object>CUSTOMER</object><keys>{customer['RECORDNO']}</keys></delete>"
    assert xmlgw.errornos(_result(sim, generic)) == ["BL01001973"]
    _ok(sim, f'<delete_invoice key="{invoice}" />')
    _ok(sim, '<delete_customer customerid="CUS-1002" />')
    assert company.by_field("CUSTOMER", "CUSTOMERID", "CUS-1002") is None


def test_vendor_named_by_a_bill_is_not_deleted() -> None:
    sim, company = _sim()
    _bill(sim, "VEN-2002")
    _, message, _ = _refused(sim, '<delete_vendor vendorid="VEN-2002" />')
    assert "APBILL" in message
    assert company.by_field("VENDOR", "VENDORID", "VEN-2002") is not None


# --- legacy deletes of documents -----------------------------------------------------------


def test_delete_invoice_and_delete_bill_remove_the_document_and_its_lines() -> None:
    sim, company = _sim()
    invoice, bill = _invoice(sim), _bill(sim)
    _ok(sim, f'<delete_invoice key="{invoice}" />')
    _ok(sim, f'<delete_bill key="{bill}" />')
    assert company.by_recordno("ARINVOICE", invoice) is None
    assert company.by_recordno("APBILL", bill) is None
    assert not company.table("ARINVOICEITEM")
    assert not company.table("APBILLITEM")
    assert _deleted_audit(company, "ARINVOICE", invoice)


def test_delete_invoice_refuses_a_paid_invoice_as_the_generic_delete_does() -> None:
    sim, company = _sim()
    invoice = _invoice(sim)
    _ok(
        sim,
        "<create_arpayment><customerid>CUS-1001</customerid><paymentamount>40</paymentamount>"
        "<datereceived><year>2026</year><month>03</month><day>05</day></datereceived>"
        "<paymentmethod>Printed Check</paymentmethod><arpaymentitem>"
        f"<invoicekey>{invoice}</invoicekey><amount>40</amount></arpaymentitem></create_arpayment>",
    )
    _, message, _ = _refused(sim, f'<delete_invoice key="{invoice}" />')
    assert "payments applied" in message
    assert company.by_recordno("ARINVOICE", invoice) is not None


@pytest.mark.parametrize(
    ("create", "function", "object_name"),
    [
        ("create_aradjustment", "delete_aradjustment", "ARADJUSTMENT"),
        ("create_apadjustment", "delete_apadjustment", "APADJUSTMENT"),
    ],
)
def test_delete_adjustment_by_recordno(create: str, function: str, object_name: str) -> None:
    sim, company = _sim()
    party, items = (
        ("<customerid>CUS-1001</customerid>", "aradjustmentitems")
        if object_name.startswith("AR")
        else ("<vendorid>VEN-2001</vendorid>", "apadjustmentitems")
    )
    key = _ok(
        sim,
        f"<{create}>{party}{DAY}<{items}><lineitem><glaccountno>4000</glaccountno>"
        f"<amount>-10</amount></lineitem></{items}></{create}>",
    ).findtext("key", "")
    _ok(sim, f'<{function} key="{key}" />')
    assert company.by_recordno(object_name, key) is None
    assert xmlgw.errornos(_result(sim, f'<{function} key="{key}" />')) == ["BL01001973"]


def test_delete_sotransaction_by_docid_deletes_its_ar_invoice() -> None:
    sim, company = _sim()
    docid = _ok(
        sim,
        "<create_sotransaction><transactiontype>Sales Invoice</transactiontype>"
        f"{DAY}<customerid>CUS-1001</customerid><sotransitems><sotransitem>"
        "<itemid>4000-S</itemid><quantity>2</quantity><price>50</price></sotransitem>"
        "</sotransitems></create_sotransaction>",
    ).findtext("key", "")
    document = company.by_field("SODOCUMENT", "DOCID", docid)
    assert document is not None
    invoice = str(document["PRRECORDKEY"])
    _ok(sim, f'<delete_sotransaction key="{docid}" />')
    assert company.by_field("SODOCUMENT", "DOCID", docid) is None
    assert company.by_recordno("ARINVOICE", invoice) is None


def test_delete_potransaction_by_docid() -> None:
    sim, company = _sim()
    docid = _ok(
        sim,
        "<create_potransaction><transactiontype>Purchase Order</transactiontype>"
        f"{DAY}<vendorid>VEN-2001</vendorid><returnto><contactname /></returnto>"
        "<payto><contactname /></payto><potransitems><potransitem><itemid>5000-P</itemid>"
        "<quantity>1200</quantity></potransitem></potransitems></create_potransaction>",
    ).findtext("key", "")
    assert docid == "Purchase Order-PO0001"
    _ok(sim, '<delete_potransaction key="Purchase Order-PO0001" />')
    assert company.by_field("PODOCUMENT", "DOCID", docid) is None
    refused = _refused(sim, '<delete_potransaction key="Vendor Invoice-VI4321" />')
    assert refused[1] == "Cannot find podocument with key 'Vendor Invoice-VI4321' to delete."


# --- approve / decline a PODOCUMENT --------------------------------------------------------


def _submitted_po(sim: Simulator) -> str:
    return _ok(
        sim,
        "<create_potransaction><transactiontype>Vendor Invoice</transactiontype>"
        f"{DAY}<vendorid>VEN-2001</vendorid><documentno>VI4321</documentno>"
        "<returnto><contactname /></returnto><payto><contactname /></payto>"
        "<state>Submitted</state><potransitems><potransitem><itemid>5000-P</itemid>"
        "<quantity>1</quantity><price>10</price></potransitem></potransitems>"
        "</create_potransaction>",
    ).findtext("key", "")


@pytest.mark.parametrize(
    ("function", "state"),
    [
        ("<approve><PODOCUMENT><DOCID>Vendor Invoice-VI4321</DOCID>"
         "<COMMENT>Final approval for the quarter</COMMENT></PODOCUMENT></approve>", "Approved"),
        ("<decline><PODOCUMENT><DOCID>Vendor Invoice-VI4321</DOCID>"
         "<COMMENT>Need to wait on this</COMMENT></PODOCUMENT></decline>", "Declined"),
    ],
    ids=["approve", "decline"],
)  # fmt: skip
def test_sdk_approve_and_decline_decide_a_submitted_purchasing_transaction(
    function: str, state: str
) -> None:
    sim, company = _sim()
    docid = _submitted_po(sim)
    assert docid == "Vendor Invoice-VI4321"
    result = _ok(sim, function)
    assert result.find("data") is None
    document = company.by_field("PODOCUMENT", "DOCID", docid)
    assert document is not None
    assert document["STATE"] == state
    errornos, message, _ = _refused(sim, function)  # decided: no longer awaiting approval
    assert errornos == ["BL01001973"]
    assert f"not awaiting approval (state {state})" in message


def test_approve_refuses_a_document_not_awaiting_approval_and_an_unknown_docid() -> None:
    sim, _ = _sim()
    docid = _ok(
        sim,
        "<create_potransaction><transactiontype>Purchase Order</transactiontype>"
        f"{DAY}<vendorid>VEN-2001</vendorid><returnto><contactname /></returnto>"
        "<payto><contactname /></payto><potransitems><potransitem><itemid>5000-P</itemid>"
        "<quantity>1</quantity></potransitem></potransitems></create_potransaction>",
    ).findtext("key", "")
    approve = f"<approve><PODOCUMENT><DOCID>{docid}</DOCID></PODOCUMENT></approve>"
    assert "state Pending" in _refused(sim, approve)[1]
    unknown = "<approve><PODOCUMENT><DOCID>Purchase Order-PO0213</DOCID></PODOCUMENT></approve>"
    assert _refused(sim, unknown)[1] == (
        "Cannot find podocument with key 'Purchase Order-PO0213' to approve."
    )
    assert _refused(sim, "<decline><PODOCUMENT /></decline>")[0] == ["BL01001973"]
    timesheet = "<approve><TIMESHEET><RECORDNO>1</RECORDNO></TIMESHEET></approve>"
    assert "found TIMESHEET" in _refused(sim, timesheet)[1]


# --- fault rules match the new functions by object ------------------------------------------


def test_fault_rules_match_sdk_functions_by_the_object_they_touch() -> None:
    sim, company = _sim()
    body = xmlgw.request(
        '<delete_vendor vendorid="V1" />',
        '<update_bill key="1" />',
        '<update_potransaction key="Purchase Order-PO0001" />',
        "<approve><PODOCUMENT><DOCID>x</DOCID></PODOCUMENT></approve>",
        '<get_list object="invoice" />',
        "<lookup><object>customer</object></lookup>",
    )
    assert summarize(sim, body).calls == (
        ("delete_vendor", "VENDOR"),
        ("update_bill", "APBILL"),
        ("update_potransaction", "PODOCUMENT"),
        ("approve", "PODOCUMENT"),
        ("get_list", "ARINVOICE"),
        ("lookup", "CUSTOMER"),
    )
    sim.faults.add(rule_from_json(sim, {"kind": "server_error", "object": "VENDOR", "times": 1}))
    reply = sim.handle(xmlgw.request('<delete_vendor vendorid="VEN-2001" />'), endpoint=ENDPOINT)
    assert reply.status == 500
    assert company.by_field("VENDOR", "VENDORID", "VEN-2001") is not None
