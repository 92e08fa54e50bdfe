"""The REST query service: fields, the documented operators in both filter forms,
filterExpression, orderBy, paging with ia::meta, the 4,000-row limit and UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.config import insert_records, load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "general-ledger/account"


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    found = load_company(sim, company(settings={"timezone": "America/Phoenix"}), now=NOW)
    rows = [
        {"ACCOUNTNO": f"{n}", "TITLE": f"Account {n}", "STATUS": "active"}
        for n in (5000, 6000, 7000)
    ]
    insert_records(found, "GLACCOUNT", rows, now=NOW + timedelta(hours=1))
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return signed_in(sim)


def _ids(api: RestSim, **body: object) -> list[object]:
    response = api.query(object=ACCOUNT, fields=["id"], **body)
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["ia::result"]]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("$eq", "5000", ["5000"]),
        ("$ne", "5000", ["1000", "4000", "6000", "7000"]),
        ("$lt", "4000", ["1000"]),
        ("$lte", "4000", ["1000", "4000"]),
        ("$gt", "6000", ["7000"]),
        ("$gte", "6000", ["6000", "7000"]),
        ("$in", ["1000", "7000"], ["1000", "7000"]),
        ("$notIn", ["1000", "7000"], ["4000", "5000", "6000"]),
        ("$between", ["4000", "6000"], ["4000", "5000", "6000"]),
        ("$notBetween", ["4000", "6000"], ["1000", "7000"]),
        ("$contains", "00", ["1000", "4000", "5000", "6000", "7000"]),
        ("$startsWith", "7", ["7000"]),
        ("$endsWith", "000", ["1000", "4000", "5000", "6000", "7000"]),
    ],
)
def test_operators_in_the_clients_form(
    api: RestSim, operator: str, value: object, expected: list[str]
) -> None:
    assert _ids(api, filters=[{operator: {"id": value}}]) == expected


def test_the_pages_filter_form_is_accepted_too(api: RestSim) -> None:
    filters = [{"field": "name", "operator": "$startsWith", "value": "Account"}]
    assert _ids(api, filters=filters) == ["5000", "6000", "7000"]


def test_case_insensitive_comparison_is_a_filter_parameter(api: RestSim) -> None:
    filters = [{"$eq": {"name": "cash"}}]
    assert _ids(api, filters=filters) == []
    assert _ids(api, filters=filters, filterParameters={"caseSensitiveComparison": False}) == [
        "1000"
    ]


def test_filter_expression_combines_by_number(api: RestSim) -> None:
    filters = [{"$eq": {"id": "1000"}}, {"$eq": {"id": "5000"}}, {"$eq": {"status": "active"}}]
    assert _ids(api, filters=filters, filterExpression="(1 or 2) and 3") == ["1000", "5000"]
    assert _ids(api, filters=filters[:2], filterExpression="or") == ["1000", "5000"]
    assert _ids(api, filters=filters, filterExpression="1 and 2") == []
    response = api.query(object=ACCOUNT, fields=["id"], filters=filters, filterExpression="1 and 4")
    assert response.status_code == 400
    assert "filterExpression" in response.json()["ia::error"]["message"]


def test_modified_time_filters_in_utc(api: RestSim) -> None:
    later = [{"$gt": {"audit.modifiedDateTime": "2026-05-01T12:30:00Z"}}]
    assert _ids(api, filters=later) == ["5000", "6000", "7000"]
    rows = api.query(object=ACCOUNT, fields=["id", "audit.modifiedDateTime"], filters=later).json()
    assert rows["ia::result"][0] == {"id": "5000", "audit.modifiedDateTime": "2026-05-01T13:00:00Z"}


def test_order_by_sorts_by_each_field_in_turn(api: RestSim) -> None:
    order = [{"accountType": "asc"}, {"id": "desc"}]
    assert _ids(api, orderBy=order) == ["1000", "4000", "7000", "6000", "5000"]


def test_pages_start_at_one_and_meta_points_to_the_next(api: RestSim) -> None:
    first = api.query(object=ACCOUNT, fields=["id"], start=1, size=2).json()
    assert first["ia::meta"] == {
        "totalCount": 5,
        "start": 1,
        "pageSize": 2,
        "next": 3,
        "previous": None,
    }
    last = api.query(object=ACCOUNT, fields=["id"], start=5, size=2).json()
    assert [r["id"] for r in last["ia::result"]] == ["7000"]
    assert (last["ia::meta"]["next"], last["ia::meta"]["previous"]) == (None, 3)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"fields": ["id"], "size": 4001}, "size"),
        ({"fields": ["id"], "start": 0}, "start"),
        ({"fields": ["*"]}, "'*'"),
        ({"fields": []}, "fields"),
        ({"fields": ["colour"]}, "colour"),
        ({"fields": ["id"], "filters": [{"$like": {"id": "1"}}]}, "$like"),
        ({"fields": ["id"], "filters": [{"$in": {"id": "1"}}]}, "$in"),
        ({"fields": ["id"], "orderBy": [{"id": "up"}]}, "orderBy"),
        ({"fields": ["id"], "pageSize": 3}, "pageSize"),
    ],
)
def test_a_bad_query_is_400_naming_what_is_wrong(
    api: RestSim, body: dict[str, object], named: str
) -> None:
    response = api.query(object=ACCOUNT, **body)
    assert response.status_code == 400
    assert named in response.json()["ia::error"]["message"]


def test_4000_rows_is_the_largest_page(api: RestSim) -> None:
    assert api.query(object=ACCOUNT, fields=["id"], size=4000).status_code == 200


def test_an_unknown_object_is_refused(api: RestSim) -> None:
    response = api.query(object="general-ledger/nothing", fields=["id"])
    assert response.status_code == 404


def test_audit_history_shows_deletions_in_rest_words(sim: Simulator, api: RestSim) -> None:
    found = sim.companies["DEMO"].by_field("GLACCOUNT", "ACCOUNTNO", "7000")
    assert found is not None
    assert api.delete(f"/objects/{ACCOUNT}/{found['RECORDNO']}").status_code == 204
    fields = ["changeDetails.objectName", "changeDetails.objectId", "changeSource.accessDateTime"]
    filters = [{"$eq": {"changeSource.actionPerformed": "delete"}}]
    body = api.query(object="company-config/audit-history", fields=fields, filters=filters).json()
    assert body["ia::result"] == [
        {
            "changeDetails.objectName": ACCOUNT,
            "changeDetails.objectId": "7000",
            "changeSource.accessDateTime": "2026-05-01T12:00:00Z",
        }
    ]


def test_a_query_sees_only_what_its_entity_sees(api: RestSim) -> None:
    headers = {"X-IA-API-Param-Entity": "E100"}
    assert (
        api.post(
            "/objects/accounts-receivable/customer",
            json={"id": "E1", "name": "East"},
            headers=headers,
        ).status_code
        == 201
    )
    body = {"object": "accounts-receivable/customer", "fields": ["id"]}
    west = api.request(
        "POST", "/services/core/query", json=body, headers={"X-IA-API-Param-Entity": "E200"}
    )
    assert [r["id"] for r in west.json()["ia::result"]] == ["C1"]
    top = api.query(**body)
    assert [r["id"] for r in top.json()["ia::result"]] == ["C1", "E1"]


def test_audit_history_needs_the_audit_trail_permission_as_over_xml(
    sim: Simulator, api: RestSim
) -> None:
    sim.companies["DEMO"].settings.audit_trail_permission = False
    response = api.query(object="company-config/audit-history", fields=["key"])
    assert (response.status_code, response.json()["ia::error"]["code"]) == (403, "permissionDenied")
    assert response.json()["ia::error"]["details"][0]["code"] == "PL04000005"
    assert api.get("/objects/company-config/audit-history/1").status_code == 403


def test_a_named_contacts_fields_are_queried_through_the_reference(
    sim: Simulator, api: RestSim
) -> None:
    fields = ["id", "contacts.billTo.id", "contacts.billTo.email1", "contacts.shipTo.email1"]
    rows = api.query(object="accounts-receivable/customer", fields=fields).json()["ia::result"]
    assert rows == [
        {
            "id": "C1",
            "contacts.billTo.id": "Ann Bell",
            "contacts.billTo.email1": "ann@x.example",
            "contacts.shipTo.email1": "ap@acme.example",  # never set: the display contact
        }
    ]
    found = sim.companies["DEMO"].by_field("CUSTOMER", "CUSTOMERID", "C1")
    assert found is not None
    got = api.get(f"/objects/accounts-receivable/customer/{found['RECORDNO']}").json()
    assert set(got["ia::result"]["contacts"]["billTo"]) == {"id", "key"}  # a reference only
