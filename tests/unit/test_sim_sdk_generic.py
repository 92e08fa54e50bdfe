"""The official SDKs' generic ``create`` / ``update`` classes against the simulator, for the
objects it simulates: each request is the SDK test's minimal expected XML (inventory §2.1-§2.14),
with the demo company's ids where the SDK test names a record the company lacks.

ProjectCreate, EmployeeCreate and TaskCreate send no id: document sequencing numbers projects and
employees (refused with sequencing off), a task takes its RECORDNO. The AP payment classes are
``test_sim_ap_payments`` / ``test_sim_ap_requests``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct import audit
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
        row["OBJECTKEY"] == before[audit.audit_key(object_name)] and row["ACCESSMODE"] == "Modify"
        for row in company.table("AUDITHISTORY").values()
    )


NUMBERED = [
    ("ProjectCreate", "<create><PROJECT><NAME>hello world</NAME><PROJECTCATEGORY>Contract"
     "</PROJECTCATEGORY></PROJECT></create>", "PROJECT", "PROJECTID", "project_sequencing"),
    ("EmployeeCreate", "<create><EMPLOYEE><PERSONALINFO><CONTACTNAME>John Smith</CONTACTNAME>"
     "</PERSONALINFO></EMPLOYEE></create>", "EMPLOYEE", "EMPLOYEEID", "employee_sequencing"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "object_name", "id_field", "setting"),
    [case[1:] for case in NUMBERED],
    ids=[case[0] for case in NUMBERED],
)
def test_sdk_create_without_an_id_is_numbered_by_document_sequencing_or_refused(
    function: str, object_name: str, id_field: str, setting: str
) -> None:
    sim = Simulator(clock=lambda: T0)
    company = load_company(sim, demo_config(), now=T0)
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    number = f"{object_name[0]}0001"
    assert result.findtext(f"data/{object_name.lower()}/{id_field}") == number
    assert company.by_field(object_name, id_field, number) is not None
    off = Simulator(clock=lambda: T0)
    config = demo_config()
    config["settings"] = {**config["settings"], setting: False}  # type: ignore[dict-item]
    load_company(off, config, now=T0)
    (refused,) = xmlgw.results(off.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    assert refused.findtext("status") == "failure"
    assert refused.findtext(".//description2") == (
        f"{id_field} is required: document sequencing is off for {object_name.lower()}s"
    )
    assert id_field in refused.findtext(".//correction", "")


def _create_task(sim: Simulator, task: str) -> xmlgw.Element:
    function = f"<create><TASK>{task}</TASK></create>"
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    return result


def test_sdk_task_create_without_taskid_takes_its_recordno_and_taskid_is_unique_per_project() -> (
    None
):
    sim = Simulator(clock=lambda: T0)
    company = load_company(sim, demo_config(), now=T0)
    # JS / PHP TaskCreateTest "should build TaskCreate object", with a demo project
    created = _create_task(sim, "<NAME>hello world</NAME><PROJECTID>P-001</PROJECTID>")
    assert created.findtext("status") == "success", xmlgw.errornos(created)
    recordno = created.findtext("data/task/RECORDNO")
    assert recordno
    assert created.findtext("data/task/TASKID") == recordno
    assert company.table("TASK")[int(recordno)]["TASKID"] == recordno
    prep = "<NAME>Prep</NAME><PROJECTID>{}</PROJECTID><TASKID>Prep-01</TASKID>"
    assert _create_task(sim, prep.format("P-001")).findtext("status") == "success"
    assert _create_task(sim, prep.format("P-002")).findtext("status") == "success"
    again = _create_task(sim, prep.format("P-001"))
    assert xmlgw.errornos(again)[0] == "BL34000061"
    assert sorted(str(t["PROJECTID"]) for t in company.table("TASK").values()) == [
        "P-001",
        "P-001",
        "P-002",
    ]
