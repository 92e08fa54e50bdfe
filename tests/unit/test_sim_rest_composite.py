"""The REST simulator's composite requests (``POST /services/core/composite``): 2-10
sub-requests run in order through the plain handlers, stopping at the first failure; a later
sub-request may use an earlier one's result (``resultReference``, ``@{name.field}``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
COMPOSITE = "/services/core/composite"
ACCOUNTS = "/objects/general-ledger/account"
CUSTOMERS = "/objects/accounts-receivable/customer"
QUERY = {"object": "general-ledger/account", "fields": ["id"], "orderBy": [{"id": "asc"}]}


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(), now=NOW)
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return signed_in(sim)


def _key(api: RestSim) -> str:
    """The key of the first account."""
    return str(api.query(**{**QUERY, "fields": ["key"]}).json()["ia::result"][0]["key"])


def _query(body: dict[str, object] | None = None) -> dict[str, object]:
    return {"method": "POST", "path": "/services/core/query", "body": body or QUERY}


def test_each_sub_request_answers_as_its_plain_request_in_order(api: RestSim) -> None:
    plain_query = api.query(**QUERY).json()
    key = _key(api)
    plain_get = api.get(f"{ACCOUNTS}/{key}").json()
    reply = api.post(COMPOSITE, json=[_query(), {"method": "GET", "path": f"{ACCOUNTS}/{key}"}])
    assert reply.status_code == 200, reply.text
    got = reply.json()
    assert got["ia::meta"] == {"totalCount": 2, "totalSuccess": 2, "totalError": 0}
    assert got["ia::result"] == [
        {**plain_query, "ia::status": 200},
        {**plain_get, "ia::status": 200},
    ]


def test_execution_stops_at_the_first_failure_without_rollback(
    sim: Simulator, api: RestSim
) -> None:
    created = {"id": "C-NEW", "name": "New customer"}
    subs = [
        {"method": "POST", "path": CUSTOMERS, "body": created},
        {"method": "GET", "path": f"{ACCOUNTS}/9999"},
        {"method": "GET", "path": f"{ACCOUNTS}/{_key(api)}"},
    ]
    reply = api.post(COMPOSITE, json=subs)
    assert reply.status_code == 207, reply.text
    first, failed, skipped = reply.json()["ia::result"]
    assert first["ia::status"] == 201
    assert (failed["ia::status"], failed["ia::error"]["code"]) == (404, "notFound")
    assert (skipped["ia::status"], skipped["ia::error"]["code"]) == (422, "unprocessed")
    assert reply.json()["ia::meta"] == {"totalCount": 3, "totalSuccess": 1, "totalError": 2}
    # no rollback: the customer written before the failure stays
    assert api.get(f"{CUSTOMERS}/{first['ia::result']['key']}").status_code == 200


@pytest.mark.parametrize("count", [0, 1, 11])
def test_a_composite_holds_2_to_10_sub_requests(api: RestSim, count: int) -> None:
    reply = api.post(COMPOSITE, json=[_query()] * count)
    assert reply.status_code == 400
    assert reply.json()["ia::error"]["code"] == "invalidRequest"
    assert "2 to 10" in reply.json()["ia::error"]["message"]


def test_ten_sub_requests_are_served(api: RestSim) -> None:
    reply = api.post(COMPOSITE, json=[_query()] * 10)
    assert reply.status_code == 200
    assert len(reply.json()["ia::result"]) == 10


@pytest.mark.parametrize(
    ("sub", "names"),
    [
        ({"method": "PUT", "path": ACCOUNTS}, "method"),
        ({"method": "GET", "path": "objects/x"}, "path"),
        ({"method": "GET", "path": ACCOUNTS, "resultReference": "a.b"}, "resultReference"),
        ({"method": "GET", "path": f"{ACCOUNTS}/@{{nobody.1.key}}"}, "@{nobody.1.key}"),
        ({"method": "GET", "path": ACCOUNTS, "headers": ["x"]}, "headers"),
    ],
)
def test_a_malformed_sub_request_refuses_the_composite_naming_it(
    api: RestSim, sub: dict[str, object], names: str
) -> None:
    reply = api.post(COMPOSITE, json=[_query(), sub])
    assert reply.status_code == 400
    assert f"sub-request 2: {names}" in reply.json()["ia::error"]["message"]


def test_the_composite_is_authenticated_as_a_whole(api: RestSim) -> None:
    reply = api.post(COMPOSITE, json=[_query(), _query()], headers={"authorization": "Bearer x"})
    assert (reply.status_code, reply.json()["ia::error"]["code"]) == (401, "GW-0031")


def test_sub_requests_inherit_the_entity_and_may_name_their_own(api: RestSim) -> None:
    reply = api.post(
        COMPOSITE,
        json=[_query(), {**_query(), "headers": {"X-IA-API-Param-Entity": "E999"}}],
        headers={"X-IA-API-Param-Entity": "E100"},
    )
    first, second = reply.json()["ia::result"]
    assert first["ia::status"] == 200
    assert (second["ia::status"], second["ia::error"]["code"]) == (400, "invalidRequest")


def test_a_composite_is_one_request_and_each_sub_request_spends_as_its_own(
    sim: Simulator, api: RestSim
) -> None:
    before = sim.usage["DEMO"]
    requests, transactions = before.requests, before.transactions
    api.post(COMPOSITE, json=[_query(), _query(), _query()])
    usage = sim.usage["DEMO"]
    assert usage.requests - requests == 1
    assert usage.transactions - transactions == 3


def test_a_fault_rule_matches_a_sub_request_as_its_plain_request(api: RestSim) -> None:
    get = {"method": "GET", "path": f"{ACCOUNTS}/{_key(api)}"}
    rule = {"kind": "throttle", "function": "query", "object": "GLACCOUNT", "times": 1}
    assert api.post("/_sim/faults", json=rule).status_code == 201
    reply = api.post(COMPOSITE, json=[get, _query()])
    assert reply.status_code == 207
    first, second = reply.json()["ia::result"]
    assert first["ia::status"] == 200
    assert second["ia::status"] == 429


@pytest.mark.parametrize("kind", ["malformed", "truncated", "server_error"])
def test_a_sub_request_reply_that_is_not_json_breaks_the_whole_reply(
    api: RestSim, kind: str
) -> None:
    rule = {"kind": kind, "function": "query", "object": "GLACCOUNT", "times": 1}
    assert api.post("/_sim/faults", json=rule).status_code == 201
    reply = api.post(COMPOSITE, json=[_query(), _query()])
    with pytest.raises(ValueError):  # noqa: PT011 - json's error
        reply.json()


def test_a_created_records_key_is_used_by_a_later_sub_request(api: RestSim) -> None:
    """The page's sample: a POST named ``vendor``, then ``GET …/@{vendor.1.key}`` (bulk-requests.md,
    "Composite Requests")."""
    subs = [
        {"method": "POST", "path": CUSTOMERS, "body": {"id": "C-NEW", "name": "New customer"},
         "resultReference": "customer"},
        {"method": "GET", "path": f"{CUSTOMERS}/@{{customer.1.key}}"},
    ]  # fmt: skip
    reply = api.post(COMPOSITE, json=subs)
    assert reply.status_code == 200, reply.text
    made, read = reply.json()["ia::result"]
    assert read["ia::result"]["key"] == made["ia::result"]["key"]
    assert read["ia::result"]["id"] == "C-NEW"


def test_a_records_field_filters_a_later_query_and_a_query_row_is_picked_by_number(
    api: RestSim,
) -> None:
    """The page's other sample: a GET named ``employee``, then a query filtered on
    ``@{employee.department.key}`` (common-resources.md, "POST /services/core/composite")."""
    key = _key(api)
    same: dict[str, object] = {"$eq": {"accountType": "@{account.accountType}"}}
    by_type: dict[str, object] = {**QUERY, "fields": ["id", "accountType"], "filters": [same]}
    subs = [
        {"method": "GET", "path": f"{ACCOUNTS}/{key}", "resultReference": "account"},
        _query(by_type),
        {**_query({**QUERY, "fields": ["id", "key"]}), "resultReference": "accounts"},
        {"method": "GET", "path": f"{ACCOUNTS}/@{{accounts.2.key}}"},
    ]
    reply = api.post(COMPOSITE, json=subs)
    assert reply.status_code == 200, reply.text
    account, same_type, _, second = reply.json()["ia::result"]
    kind = account["ia::result"]["accountType"]
    assert same_type["ia::result"] == [{"id": account["ia::result"]["id"], "accountType": kind}]
    assert second["ia::result"]["id"] == "4000"


def test_a_reference_to_nothing_fails_its_sub_request_and_stops_the_composite(
    api: RestSim,
) -> None:
    subs = [
        {"method": "GET", "path": f"{ACCOUNTS}/{_key(api)}", "resultReference": "account"},
        {"method": "GET", "path": f"{ACCOUNTS}/@{{account.colour}}"},
        _query(),
    ]
    reply = api.post(COMPOSITE, json=subs)
    assert reply.status_code == 207
    _, missing, skipped = reply.json()["ia::result"]
    assert (missing["ia::status"], missing["ia::error"]["code"]) == (400, "invalidRequest")
    assert "@{account.colour}" in missing["ia::error"]["message"]
    assert skipped["ia::status"] == 422


def test_a_whole_string_reference_keeps_its_json_type_and_a_name_is_given_once(
    api: RestSim,
) -> None:
    named = {"method": "GET", "path": f"{ACCOUNTS}/{_key(api)}", "resultReference": "a"}
    twice = api.post(COMPOSITE, json=[named, named])
    assert twice.status_code == 400
    assert "resultReference" in twice.json()["ia::error"]["message"]
    contacts = {"default": "@{c.contacts.default}"}
    copy = {"id": "C-COPY", "name": "Copy of @{c.name}", "contacts": contacts}
    subs = [
        {"method": "GET", "path": f"{CUSTOMERS}/@{{list.1.key}}", "resultReference": "c"},
        {"method": "POST", "path": CUSTOMERS, "body": copy, "resultReference": "copy"},
        {"method": "GET", "path": f"{CUSTOMERS}/@{{copy.key}}"},
    ]
    listed = {"method": "GET", "path": CUSTOMERS, "resultReference": "list"}
    reply = api.post(COMPOSITE, json=[listed, *subs])
    assert reply.status_code == 200, reply.text
    _, original, _, copied = (r["ia::result"] for r in reply.json()["ia::result"])
    assert copied["name"] == f"Copy of {original['name']}"
    assert copied["contacts"]["default"]["email1"] == original["contacts"]["default"]["email1"]
