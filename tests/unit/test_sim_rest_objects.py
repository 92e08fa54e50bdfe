"""REST objects over the same company as the XML gateway: get, list, create, update, delete,
batches (non-atomic, atomic, 207), business refusals as 422 ``operationFailed``, and a record
written through one API read through the other."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct import catalog
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ACCOUNTS = "/objects/general-ledger/account"
CUSTOMERS = "/objects/accounts-receivable/customer"
ATOMIC = {"X-IA-API-Param-Transaction": "true"}


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(settings={"timezone": "America/Phoenix"}), now=NOW)
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return signed_in(sim)


def _key(sim: Simulator, object_name: str, field: str, value: str) -> str:
    found = sim.companies["DEMO"].by_field(object_name, field, value)
    assert found is not None
    return str(found["RECORDNO"])


def test_get_shows_the_pages_field_names_with_utc_audit_times(sim: Simulator, api: RestSim) -> None:
    key = _key(sim, "GLACCOUNT", "ACCOUNTNO", "4000")
    response = api.get(f"{ACCOUNTS}/{key}")
    assert response.status_code == 200
    assert response.json()["ia::result"] == {
        "key": key,
        "id": "4000",
        "name": "Rent",
        "accountType": "incomeStatement",
        "normalBalance": "credit",
        "status": "active",
        "audit": {
            "createdDateTime": "2026-05-01T12:00:00Z",
            "modifiedDateTime": "2026-05-01T12:00:00Z",
        },
        "href": f"{ACCOUNTS}/{key}",
    }
    assert (
        sim.companies["DEMO"].table("GLACCOUNT")[int(key)]["WHENMODIFIED"] == "05/01/2026 05:00:00"
    )


def test_a_customers_contacts_show_the_display_contact_and_named_ones(
    sim: Simulator, api: RestSim
) -> None:
    key = _key(sim, "CUSTOMER", "CUSTOMERID", "C1")
    contacts = api.get(f"{CUSTOMERS}/{key}").json()["ia::result"]["contacts"]
    assert contacts["default"]["email1"] == "ap@acme.example"
    assert contacts["billTo"] == {
        "id": "Ann Bell",
        "key": _key(sim, "CONTACT", "CONTACTNAME", "Ann Bell"),
    }
    assert contacts["shipTo"]["id"] == "Acme(CC1)"  # never set: the display contact


def test_list_answers_references_with_paging_meta(api: RestSim) -> None:
    body = api.get(ACCOUNTS, params={"size": "1"}).json()
    assert [row["id"] for row in body["ia::result"]] == ["1000"]
    assert set(body["ia::result"][0]) == {"key", "id", "href"}
    assert body["ia::meta"] == {
        "totalCount": 2,
        "start": 1,
        "pageSize": 1,
        "next": 2,
        "previous": None,
    }


def test_batch_get_answers_the_records_found(sim: Simulator, api: RestSim) -> None:
    keys = [_key(sim, "GLACCOUNT", "ACCOUNTNO", n) for n in ("1000", "4000")]
    body = api.get(f"{ACCOUNTS}/{','.join(keys)},999").json()
    assert [row["id"] for row in body["ia::result"]] == ["1000", "4000"]
    missing = api.get(f"{ACCOUNTS}/999")
    assert (missing.status_code, missing.json()["ia::error"]["code"]) == (404, "notFound")


def test_create_runs_the_xml_sides_defaults_and_audit(sim: Simulator, api: RestSim) -> None:
    body = {"name": "Harbour Cafe", "contacts": {"default": {"email1": "hc@x.example"}}}
    response = api.post(CUSTOMERS, json=body)
    assert response.status_code == 201
    made = response.json()["ia::result"]
    assert made["id"] == "C0001"  # numbered by document sequencing, as the gateway numbers it
    stored = sim.companies["DEMO"].table("CUSTOMER")[int(made["key"])]
    display = stored["DISPLAYCONTACT"]
    assert isinstance(display, dict)
    assert (stored["STATUS"], display["CONTACTNAME"]) == ("active", "Harbour Cafe(CC0001)")
    audit = [
        r for r in sim.companies["DEMO"].table("AUDITHISTORY").values() if r["OBJECTKEY"] == "C0001"
    ]
    assert [r["ACCESSMODE"] for r in audit] == ["Create"]


def test_a_business_refusal_is_422_operation_failed_with_the_legacy_code(api: RestSim) -> None:
    body = {"name": "Nobody's", "contacts": {"primary": {"id": "No Such Contact"}}}
    response = api.post(CUSTOMERS, json=body)
    assert response.status_code == 422
    error = response.json()["ia::error"]
    assert (error["code"], error["message"]) == (
        "operationFailed",
        "Operation create object accounts-receivable/customer failed",
    )
    assert error["details"][0]["code"] == "BL01001973"
    assert "No Such Contact" in error["details"][0]["message"]


def test_a_duplicate_id_is_409_with_the_legacy_codes_in_details(api: RestSim) -> None:
    response = api.post(ACCOUNTS, json={"id": "1000", "name": "Again"})
    assert response.status_code == 409
    error = response.json()["ia::error"]
    assert error["code"] == "operationFailed"
    assert [d["code"] for d in error["details"]] == ["BL01001973", "BL01001973"]
    assert "1000" in error["details"][0]["message"]
    duplicate = api.post(CUSTOMERS, json={"id": "C1", "name": "Again"})
    assert duplicate.status_code == 409
    assert duplicate.json()["ia::error"]["details"][0]["code"] == "BL34000061"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"name": "X", "colour": "red"}, "colour"),
        ({"id": "9", "accountType": "sideways"}, "accountType"),
        (
            {"id": "9", "audit": {"createdDateTime": "2020-01-01T00:00:00Z"}},
            "audit.createdDateTime",
        ),
    ],
)
def test_an_unknown_read_only_or_wrong_field_is_400_naming_it(
    api: RestSim, body: dict[str, object], named: str
) -> None:
    path = ACCOUNTS if "accountType" in body or "audit" in body else CUSTOMERS
    response = api.post(path, json=body)
    assert response.status_code == 400
    assert named in response.json()["ia::error"]["message"]


def test_patch_by_key_updates_and_moves_the_modified_time(sim: Simulator, api: RestSim) -> None:
    key = _key(sim, "GLACCOUNT", "ACCOUNTNO", "1000")
    response = api.patch(f"{ACCOUNTS}/{key}", json={"name": "Cash at bank", "status": "inactive"})
    assert response.status_code == 200
    stored = sim.companies["DEMO"].table("GLACCOUNT")[int(key)]
    assert (stored["TITLE"], stored["STATUS"]) == ("Cash at bank", "inactive")
    assert api.patch(f"{ACCOUNTS}/999", json={"name": "x"}).status_code == 404
    refused = api.patch(f"{ACCOUNTS}/{key}", json={"id": "1001"})
    assert (refused.status_code, refused.json()["ia::error"]["code"]) == (400, "invalidRequest")


def test_batch_patch_takes_keys_in_the_body(sim: Simulator, api: RestSim) -> None:
    keys = [_key(sim, "GLACCOUNT", "ACCOUNTNO", n) for n in ("1000", "4000")]
    body = [{"key": keys[0], "name": "One"}, {"key": keys[1], "name": "Two"}]
    response = api.patch(ACCOUNTS, json=body)
    assert response.status_code == 200
    assert [r["ia::status"] for r in response.json()["ia::result"]] == [200, 200]
    titles = [sim.companies["DEMO"].table("GLACCOUNT")[int(k)]["TITLE"] for k in keys]
    assert titles == ["One", "Two"]


def test_a_mixed_batch_is_207_and_keeps_what_succeeded(sim: Simulator, api: RestSim) -> None:
    body = [{"id": "5000", "name": "Fees"}, {"id": "1000", "name": "Duplicate"}]
    response = api.post(ACCOUNTS, json=body)
    assert response.status_code == 207
    results = response.json()["ia::result"]
    assert [r["ia::status"] for r in results] == [201, 409]
    assert results[1]["ia::error"]["code"] == "operationFailed"
    assert response.json()["ia::meta"] == {"totalCount": 2, "totalSuccess": 1, "totalError": 1}
    assert sim.companies["DEMO"].by_field("GLACCOUNT", "ACCOUNTNO", "5000") is not None


@pytest.mark.parametrize(
    "atomic",
    # bulk-requests.md spells it Param-Transaction, http-headers.md ParamTransaction: both taken
    [ATOMIC, {"X-IA-API-ParamTransaction": "true"}],
    ids=["bulk-requests", "http-headers"],
)
def test_an_atomic_batch_that_fails_is_rolled_back_whole(
    sim: Simulator, api: RestSim, atomic: dict[str, str]
) -> None:
    body = [{"id": "5000", "name": "Fees"}, {"id": "1000", "name": "Duplicate"}, {"id": "6000"}]
    response = api.post(ACCOUNTS, json=body, headers=atomic)
    assert response.status_code == 409
    results = response.json()["ia::result"]
    assert [r["ia::status"] for r in results] == [422, 409, 422]
    assert results[0]["ia::error"] == {
        "code": "unprocessed",
        "message": "Operation skipped due to atomic transaction failure",
    }
    assert sim.companies["DEMO"].by_field("GLACCOUNT", "ACCOUNTNO", "5000") is None
    assert sim.usage["DEMO"].transactions == 0


def test_a_batch_holds_at_most_500_records(api: RestSim) -> None:
    response = api.post(CUSTOMERS, json=[{"name": f"N{n}"} for n in range(501)])
    assert (response.status_code, response.json()["ia::error"]["code"]) == (400, "invalidRequest")


def test_delete_answers_204_and_writes_the_audit_row(sim: Simulator, api: RestSim) -> None:
    key = _key(sim, "GLACCOUNT", "ACCOUNTNO", "4000")
    response = api.delete(f"{ACCOUNTS}/{key}")
    assert (response.status_code, response.content) == (204, b"")
    modes = [
        r["ACCESSMODE"]
        for r in sim.companies["DEMO"].table("AUDITHISTORY").values()
        if r["OBJECTKEY"] == "4000"
    ]
    assert modes == ["Create", "Delete"]
    again = api.delete(f"{ACCOUNTS}/{key}")
    assert again.status_code == 404


def test_a_batch_delete_with_a_missing_key_is_207_by_position(sim: Simulator, api: RestSim) -> None:
    key = _key(sim, "GLACCOUNT", "ACCOUNTNO", "4000")
    response = api.delete(f"{ACCOUNTS}/{key},999")
    assert response.status_code == 207
    assert [r["ia::status"] for r in response.json()["ia::result"]] == [204, 404]


def test_audit_history_is_read_only(api: RestSim) -> None:
    response = api.post("/objects/company-config/audit-history", json={"id": "1"})
    assert (response.status_code, response.json()["ia::error"]["code"]) == (405, "methodNotAllowed")


def test_an_unknown_object_is_404(api: RestSim) -> None:
    assert api.get("/objects/general-ledger/nothing").status_code == 404


def test_every_rest_object_maps_onto_a_catalogued_xml_object() -> None:
    assert {o.xml for o in OBJECTS.values()} <= set(catalog.OBJECTS)
    assert set(OBJECTS) >= {
        "general-ledger/account",
        "company-config/entity",
        "accounts-receivable/customer",
        "accounts-payable/vendor",
        "company-config/audit-history",
    }


def test_a_customer_written_through_xml_is_read_through_rest_and_back(
    sim: Simulator, api: RestSim
) -> None:
    create = "<create><CUSTOMER><CUSTOMERID>X1</CUSTOMERID><NAME>Via XML</NAME></CUSTOMER></create>"
    assert xmlgw.statuses(api.post(GATEWAY_PATH, content=xmlgw.request(create)).content) == [
        "success"
    ]
    query = {"object": "accounts-receivable/customer", "fields": ["key", "name"]}
    filters = [{"$eq": {"id": "X1"}}]
    (row,) = api.query(**query, filters=filters).json()["ia::result"]
    assert row["name"] == "Via XML"
    made = api.post(CUSTOMERS, json={"id": "R1", "name": "Via REST"}).json()["ia::result"]
    read = f"<read><object>CUSTOMER</object><keys>{made['key']}</keys><fields>*</fields></read>"
    reply = xmlgw.results(api.post(GATEWAY_PATH, content=xmlgw.request(read)).content)
    assert reply[0].findtext("data/CUSTOMER/NAME") == "Via REST"
    assert reply[0].findtext("data/CUSTOMER/CUSTOMERID") == "R1"


def test_a_contact_made_over_rest_can_be_named_by_a_customer(sim: Simulator, api: RestSim) -> None:
    contact = {"id": "Bo Diaz", "printAs": "Bo Diaz", "mailingAddress": {"city": "Leeds"}}
    assert api.post("/objects/company-config/contact", json=contact).status_code == 201
    body = {"name": "Diaz Ltd", "contacts": {"shipTo": {"id": "Bo Diaz"}}}
    made = api.post(CUSTOMERS, json=body)
    assert made.status_code == 201
    fields = ["id", "contacts.shipTo.mailingAddress.city"]
    query = {"object": "accounts-receivable/customer", "fields": fields}
    rows = api.query(**query, filters=[{"$eq": {"name": "Diaz Ltd"}}]).json()["ia::result"]
    assert rows == [
        {"id": made.json()["ia::result"]["id"], "contacts.shipTo.mailingAddress.city": "Leeds"}
    ]
