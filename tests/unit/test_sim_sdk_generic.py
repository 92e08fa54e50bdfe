"""The official SDKs' generic ``create`` / ``update`` classes against the simulator, for the
objects it simulates: each request is the SDK test's minimal expected XML (inventory §2.1-§2.14),
with the demo company's ids where the SDK test names a record the company lacks.

Not here: ProjectCreate, TaskCreate and EmployeeCreate without an id (the simulator numbers only
customers and vendors, so it refuses them), and the AP payment classes (payments are reworked
elsewhere).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct import catalog
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

CASES = [
    ("CustomerCreate", "<create><CUSTOMER><NAME>SaaS Corp</NAME><DISPLAYCONTACT><PRINTAS>"
     "SaaS Corporation</PRINTAS></DISPLAYCONTACT></CUSTOMER></create>",
     "CUSTOMER", "NAME", "SaaS Corp"),
    ("CustomerUpdate", "<update><CUSTOMER><CUSTOMERID>CUS-1001</CUSTOMERID><DISPLAYCONTACT />"
     "<STATUS>inactive</STATUS></CUSTOMER></update>", "CUSTOMER", "STATUS", "inactive"),
    ("VendorCreate", "<create><VENDOR><NAME>SaaS Corp</NAME><DISPLAYCONTACT><PRINTAS>"
     "SaaS Corporation</PRINTAS></DISPLAYCONTACT></VENDOR></create>", "VENDOR", "NAME",
     "SaaS Corp"),
    ("VendorUpdate", "<update><VENDOR><VENDORID>VEN-2001</VENDORID><DISPLAYCONTACT />"
     "<ONHOLD>true</ONHOLD></VENDOR></update>", "VENDOR", "ONHOLD", "true"),
    ("ContactCreate", "<create><CONTACT><CONTACTNAME>hello</CONTACTNAME><PRINTAS>world</PRINTAS>"
     "</CONTACT></create>", "CONTACT", "PRINTAS", "world"),
    ("AccountCreate", "<create><GLACCOUNT><ACCOUNTNO>1010</ACCOUNTNO><TITLE>hello world</TITLE>"
     "<ACCOUNTTYPE>balancesheet</ACCOUNTTYPE><NORMALBALANCE>debit</NORMALBALANCE><CLOSINGTYPE>"
     "non-closing account</CLOSINGTYPE></GLACCOUNT></create>", "GLACCOUNT", "ACCOUNTNO", "1010"),
    ("AccountUpdate", "<update><GLACCOUNT><ACCOUNTNO>1000</ACCOUNTNO><TITLE>hello world</TITLE>"
     "</GLACCOUNT></update>", "GLACCOUNT", "TITLE", "hello world"),
    ("DepartmentCreate", "<create><DEPARTMENT><DEPARTMENTID>D1234</DEPARTMENTID><TITLE>"
     "hello world</TITLE></DEPARTMENT></create>", "DEPARTMENT", "DEPARTMENTID", "D1234"),
    ("DepartmentUpdate", "<update><DEPARTMENT><DEPARTMENTID>D100</DEPARTMENTID><TITLE>Lettings"
     "</TITLE></DEPARTMENT></update>", "DEPARTMENT", "TITLE", "Lettings"),
    ("LocationCreate", "<create><LOCATION><LOCATIONID>L1234</LOCATIONID><NAME>hello world</NAME>"
     "</LOCATION></create>", "LOCATION", "LOCATIONID", "L1234"),
    ("LocationUpdate", "<update><LOCATION><LOCATIONID>L110</LOCATIONID><NAME>hello world</NAME>"
     "<STARTDATE>02/01/2015</STARTDATE></LOCATION></update>", "LOCATION", "STARTDATE",
     "02/01/2015"),
    ("ClassCreate", "<create><CLASS><CLASSID>C1234</CLASSID><NAME>hello world</NAME></CLASS>"
     "</create>", "CLASS", "CLASSID", "C1234"),
    ("ClassUpdate", "<update><CLASS><CLASSID>CL-RES</CLASSID><NAME>Homes</NAME></CLASS></update>",
     "CLASS", "NAME", "Homes"),
    ("ProjectUpdate", "<update><PROJECT><PROJECTID>P-001</PROJECTID><NAME>hello world</NAME>"
     "</PROJECT></update>", "PROJECT", "NAME", "hello world"),
    ("EmployeeUpdate", "<update><EMPLOYEE><EMPLOYEEID>EMP-01</EMPLOYEEID><TITLE>Manager</TITLE>"
     "</EMPLOYEE></update>", "EMPLOYEE", "TITLE", "Manager"),
    ("ContractCreate", "<create><CONTRACT><CONTRACTID>CT1234</CONTRACTID><CUSTOMERID>CUS-1001"
     "</CUSTOMERID><NAME>Contract name</NAME><BEGINDATE>01/01/2017</BEGINDATE><ENDDATE>"
     "12/31/2017</ENDDATE><BILLINGFREQUENCY>Monthly</BILLINGFREQUENCY><TERMNAME>N30</TERMNAME>"
     "</CONTRACT></create>", "CONTRACT", "CONTRACTID", "CT1234"),
    ("ItemCreate", "<create><ITEM><ITEMID>I1234</ITEMID><NAME>hello world</NAME><ITEMTYPE>"
     "Inventory</ITEMTYPE></ITEM></create>", "ITEM", "ITEMTYPE", "Inventory"),
    ("ItemUpdate", "<update><ITEM><ITEMID>4000-S</ITEMID><NAME>hello world</NAME></ITEM>"
     "</update>", "ITEM", "NAME", "hello world"),
    ("WarehouseCreate", "<create><WAREHOUSE><WAREHOUSEID>W1234</WAREHOUSEID><NAME>hello world"
     "</NAME><LOC><LOCATIONID>L110</LOCATIONID></LOC></WAREHOUSE></create>", "WAREHOUSE",
     "WAREHOUSEID", "W1234"),
    ("ArAccountLabelCreate", "<create><ARACCOUNTLABEL><ACCOUNTLABEL>revenue</ACCOUNTLABEL>"
     "<DESCRIPTION>hello world</DESCRIPTION><GLACCOUNTNO>4000</GLACCOUNTNO></ARACCOUNTLABEL>"
     "</create>", "ARACCOUNTLABEL", "GLACCOUNTNO", "4000"),
    ("ApAccountLabelCreate", "<create><APACCOUNTLABEL><ACCOUNTLABEL>expense</ACCOUNTLABEL>"
     "<DESCRIPTION>hello world</DESCRIPTION><GLACCOUNTNO>5000</GLACCOUNTNO></APACCOUNTLABEL>"
     "</create>", "APACCOUNTLABEL", "GLACCOUNTNO", "5000"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "object_name", "field", "value"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_sdk_generic_write_is_accepted_and_stored(
    function: str, object_name: str, field: str, value: str
) -> None:
    sim = Simulator(clock=lambda: T0)
    company = load_company(sim, demo_config(), now=T0)
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    data = result.find("data")
    assert data is not None
    assert data.get("listtype") == "objects"
    assert company.by_field(object_name, field, value) is not None


def test_sdk_updates_that_send_an_empty_displaycontact_keep_the_contact() -> None:
    sim = Simulator(clock=lambda: T0)
    company = load_company(sim, demo_config(), now=T0)
    update = "<update><VENDOR><VENDORID>VEN-2001</VENDORID><DISPLAYCONTACT /></VENDOR></update>"
    xmlgw.results(sim.handle(xmlgw.request(update), endpoint=ENDPOINT).body)
    vendor = company.by_field("VENDOR", "VENDORID", "VEN-2001")
    assert vendor is not None
    contact = vendor["DISPLAYCONTACT"]
    assert isinstance(contact, dict)
    assert contact["PRINTAS"] == "City Power & Light"


CREATED_THEN_UPDATED = [
    ("ContactUpdate", "<CONTACT><CONTACTNAME>hello</CONTACTNAME><PRINTAS>world</PRINTAS></CONTACT>",
     "<CONTACT><CONTACTNAME>hello</CONTACTNAME><STATUS>inactive</STATUS></CONTACT>",
     "CONTACT", "CONTACTNAME", "hello"),
    ("TaskUpdate", "<TASK><TASKID>T1</TASKID><NAME>hello world</NAME><PROJECTID>P-001</PROJECTID>"
     "</TASK>", "<TASK><RECORDNO>{recordno}</RECORDNO><PROJECTID>P-002</PROJECTID></TASK>",
     "TASK", "TASKID", "T1"),
    ("WarehouseUpdate (JS)", "<WAREHOUSE><WAREHOUSEID>W1234</WAREHOUSEID><NAME>hello world</NAME>"
     "<LOC><LOCATIONID>L110</LOCATIONID></LOC></WAREHOUSE>",
     "<WAREHOUSE><RECORDNO>{recordno}</RECORDNO><STATUS>inactive</STATUS></WAREHOUSE>",
     "WAREHOUSE", "WAREHOUSEID", "W1234"),
    ("WarehouseUpdate (PHP)", "<WAREHOUSE><WAREHOUSEID>W1234</WAREHOUSEID><NAME>hello world"
     "</NAME><LOC><LOCATIONID>L110</LOCATIONID></LOC></WAREHOUSE>",
     "<WAREHOUSE><WAREHOUSEID>W1234</WAREHOUSEID><STATUS>inactive</STATUS></WAREHOUSE>",
     "WAREHOUSE", "WAREHOUSEID", "W1234"),
    ("ArAccountLabelUpdate", "<ARACCOUNTLABEL><ACCOUNTLABEL>revenue</ACCOUNTLABEL><DESCRIPTION>"
     "hello world</DESCRIPTION><GLACCOUNTNO>4000</GLACCOUNTNO></ARACCOUNTLABEL>",
     "<ARACCOUNTLABEL><ACCOUNTLABEL>revenue</ACCOUNTLABEL><STATUS>inactive</STATUS>"
     "</ARACCOUNTLABEL>", "ARACCOUNTLABEL", "ACCOUNTLABEL", "revenue"),
    ("ApAccountLabelUpdate", "<APACCOUNTLABEL><ACCOUNTLABEL>expense</ACCOUNTLABEL><DESCRIPTION>"
     "hello world</DESCRIPTION><GLACCOUNTNO>5000</GLACCOUNTNO></APACCOUNTLABEL>",
     "<APACCOUNTLABEL><ACCOUNTLABEL>expense</ACCOUNTLABEL><STATUS>inactive</STATUS>"
     "</APACCOUNTLABEL>", "APACCOUNTLABEL", "ACCOUNTLABEL", "expense"),
    ("ContractUpdate", "<CONTRACT><CONTRACTID>CT1234</CONTRACTID><CUSTOMERID>CUS-1001</CUSTOMERID>"
     "<NAME>Contract name</NAME><BILLINGFREQUENCY>Monthly</BILLINGFREQUENCY><TERMNAME>N30"
     "</TERMNAME></CONTRACT>",
     "<CONTRACT><RECORDNO>{recordno}</RECORDNO><NAME>Renamed</NAME></CONTRACT>",
     "CONTRACT", "CONTRACTID", "CT1234"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("create", "update", "object_name", "field", "value"),
    [case[1:] for case in CREATED_THEN_UPDATED],
    ids=[case[0] for case in CREATED_THEN_UPDATED],
)
def test_sdk_update_finds_the_record_by_its_id_or_recordno(
    create: str, update: str, object_name: str, field: str, value: str
) -> None:
    sim = Simulator(clock=lambda: T0)
    company = load_company(sim, demo_config(), now=T0)
    sim.handle(xmlgw.request(f"<create>{create}</create>"), endpoint=ENDPOINT)
    before = company.by_field(object_name, field, value)
    assert before is not None
    function = f"<update>{update.format(recordno=before['RECORDNO'])}</update>"
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    after = company.by_field(object_name, field, value)
    assert after is not None
    assert any(
        row["OBJECTKEY"] == before[catalog.audit_key(object_name)] and row["ACCESSMODE"] == "Modify"
        for row in company.table("AUDITHISTORY").values()
    )
