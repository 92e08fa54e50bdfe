"""The simulator's master-data and set-up REST objects (rest/master.py) over the XML gateway's
records: tax details, dimensions, items, account labels and transaction definitions, and the
audit-history row of a deletion made over REST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RECORDS = {
    "GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}],
    "TAXDETAIL": [{"DETAILID": "GST 10", "VALUE": "10", "TAXTYPE": "Sale", "STATUS": "active"}],
    "DEPARTMENT": [
        {"DEPARTMENTID": "D1", "TITLE": "Leasing", "STATUS": "active non-posting"},
        {"DEPARTMENTID": "D2", "TITLE": "Old", "STATUS": "inactive"},
    ],
    "PROJECT": [{"PROJECTID": "P1", "NAME": "Roof"}],
    "TASK": [{"TASKID": "T1", "NAME": "Survey", "PROJECTID": "P1"}],
    "ITEM": [
        {"ITEMID": "RENT", "NAME": "Rent", "ITEMTYPE": "Non-Inventory", "INCOMEACCTKEY": "4000"}
    ],
    "ARACCOUNTLABEL": [{"ACCOUNTLABEL": "Rent", "GLACCOUNTNO": "4000", "STATUS": "active"}],
    "SODOCUMENTPARAMS": [{"DOCID": "Sales Invoice", "DOCCLASS": "Invoice"}],
    "CUSTOMER": [{"CUSTOMERID": "C1", "NAME": "Acme"}],
}


@pytest.fixture
def api() -> RestSim:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(records=RECORDS), now=NOW)
    return signed_in(sim)


def _query(api: RestSim, obj: str, *fields: str, **more: object) -> list[dict[str, object]]:
    body = {"object": obj, "fields": list(fields), **more}
    response = api.post("/services/core/query", json=body)
    assert response.status_code == 200, response.text
    rows = response.json()["ia::result"]
    assert isinstance(rows, list)
    return rows


def test_tax_details_show_their_percent_and_type(api: RestSim) -> None:
    rows = _query(api, "tax/tax-detail", "id", "taxPercent", "taxType", "status")
    assert [(r["id"], r["taxPercent"], r["taxType"], r["status"]) for r in rows] == [
        ("GST 10", "10", "Sale", "active")
    ]


def test_dimension_statuses_are_the_models_enum(api: RestSim) -> None:
    rows = _query(api, "company-config/department", "id", "name", "status")
    assert [(r["id"], r["name"], r["status"]) for r in rows] == [
        ("D1", "Leasing", "activeNonPosting"),
        ("D2", "Old", "inactive"),
    ]


def test_a_task_names_its_project_and_has_no_status(api: RestSim) -> None:
    (row,) = _query(api, "projects/task", "id", "name", "project.id")
    assert (row["id"], row["name"], row["project.id"]) == ("T1", "Survey", "P1")
    refused = api.post(
        "/services/core/query", json={"object": "projects/task", "fields": ["status"]}
    )
    assert refused.status_code == 400


def test_an_items_accounts_come_through_its_gl_group(api: RestSim) -> None:
    (row,) = _query(api, "inventory-control/item", "id", "inventory.glGroup.incomeGLAccount")
    assert (row["id"], row["inventory.glGroup.incomeGLAccount"]) == ("RENT", "4000")


def test_an_item_cannot_be_created_over_rest(api: RestSim) -> None:
    """docs/intacct-rest.md section 13, gap 5: no page shows a non-inventory item created with
    its own income account, so the simulator takes no item writes over REST."""
    body = {"id": "FEES", "name": "Fees", "inventory": {"glGroup": {"incomeGLAccount": "4000"}}}
    response = api.post("/objects/inventory-control/item", json=body)
    assert (response.status_code, response.json()["ia::error"]["code"]) == (405, "methodNotAllowed")


def test_C5_account_labels_and_transaction_definitions_are_readable(api: RestSim) -> None:
    labels = _query(api, "accounts-receivable/account-label", "id", "glAccount.id", "status")
    assert [(r["id"], r["glAccount.id"], r["status"]) for r in labels] == [
        ("Rent", "4000", "active")
    ]
    (definition,) = _query(api, "order-entry/txn-definition", "id", "docClass")
    assert (definition["id"], definition["docClass"]) == ("Sales Invoice", "invoice")
    assert _query(api, "purchasing/txn-definition", "id") == []


def test_D8_a_deletion_over_rest_is_an_audit_history_row(api: RestSim) -> None:
    (customer,) = _query(api, "accounts-receivable/customer", "key", "id")
    deleted = api.request("DELETE", f"/objects/accounts-receivable/customer/{customer['key']}")
    assert deleted.status_code == 204
    old = _query(api, "company-config/department", "key", "id")[1]
    gone = api.request("DELETE", f"/objects/company-config/department/{old['key']}")
    assert gone.status_code == 204
    rows = _query(
        api,
        "company-config/audit-history",
        "changeDetails.objectName",
        "changeDetails.objectId",
        "changeSource.actionPerformed",
        filters=[{"$eq": {"changeSource.actionPerformed": "delete"}}],
    )
    assert [(r["changeDetails.objectName"], r["changeDetails.objectId"]) for r in rows] == [
        ("accounts-receivable/customer", "C1"),
        ("company-config/department", "D2"),
    ]
