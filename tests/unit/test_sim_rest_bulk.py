"""The REST simulator's bulk requests (``POST /services/bulk/job/create``, ``GET
/services/bulk/job/status``): a multipart form of the job and its JSON file, each record its own
transaction through the plain request's code, the job's status and its downloaded results."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.sim_calls import call
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CREATE = "/services/bulk/job/create"
STATUS = "/services/bulk/job/status"
CUSTOMERS = "/objects/accounts-receivable/customer"


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(), now=NOW)
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return signed_in(sim)


def _job(api: RestSim, operation: str, records: object, **spec: object) -> httpx.Response:
    """The page's curl sample: ``ia::requestBody`` and the part ``file``."""
    body = {"objectName": "accounts-receivable/customer", "operation": operation,
            "jobFile": "customers.json", "fileContentType": "json", **spec}  # fmt: skip
    return api.post(
        CREATE,
        data={"ia::requestBody": json.dumps(body)},
        files={"file": ("customers.json", json.dumps(records).encode(), "application/json")},
    )


def _status(api: RestSim, job_id: str, **more: str) -> httpx.Response:
    return api.get(STATUS, params={"jobId": job_id, **more})


def test_a_bulk_create_runs_each_record_and_goes_on_after_a_failure(
    sim: Simulator, api: RestSim
) -> None:
    records = [{"id": "C-A", "name": "Alpha"}, {"id": "C1", "name": "Taken"},
               {"id": "C-B", "name": "Beta"}]  # fmt: skip
    made = _job(api, "create", records)
    assert made.status_code == 200, made.text
    job = made.json()["ia::result"]
    assert job["statusURL"] == f"{STATUS}?jobId={job['jobId']}"
    shown = _status(api, job["jobId"]).json()
    assert shown["ia::result"]["status"] == "completed"
    assert shown["ia::result"]["percentComplete"] == 100
    assert shown["ia::meta"] == {"totalCount": 3, "totalSuccess": 2, "totalError": 1}
    results = _status(api, job["jobId"], download="true").json()["ia::result"]
    assert [r["ia::status"] for r in results] == [201, 409, 201]
    assert [r.get("id") for r in results] == ["C-A", None, "C-B"]
    over_xml = call(sim, "<readByQuery><object>CUSTOMER</object><fields>CUSTOMERID</fields>"
                         "<query>CUSTOMERID IN ('C-A', 'C-B')</query></readByQuery>")  # fmt: skip
    assert sorted(c.text or "" for c in over_xml.iter("CUSTOMERID")) == ["C-A", "C-B"]


def test_a_bulk_update_and_delete_name_each_record_by_key(api: RestSim) -> None:
    made = _job(api, "create", [{"id": "C-A", "name": "Alpha"}, {"id": "C-B", "name": "Beta"}])
    keys = [r["key"] for r in _status(api, made.json()["ia::result"]["jobId"],
                                      download="true").json()["ia::result"]]  # fmt: skip
    updated = _job(api, "update", [{"key": keys[0], "name": "Alpha 2"}, {"name": "no key"}])
    results = _status(api, updated.json()["ia::result"]["jobId"], download="true").json()
    assert [r["ia::status"] for r in results["ia::result"]] == [200, 400]
    assert api.get(f"{CUSTOMERS}/{keys[0]}").json()["ia::result"]["name"] == "Alpha 2"
    deleted = _job(api, "delete", [{"key": keys[1]}])
    results = _status(api, deleted.json()["ia::result"]["jobId"], download="true").json()
    assert results["ia::result"] == [{"ia::status": 204}]
    assert api.get(f"{CUSTOMERS}/{keys[1]}").status_code == 404


def test_a_job_is_read_only_by_the_client_and_company_that_made_it(
    sim: Simulator, api: RestSim
) -> None:
    job_id = _job(api, "create", [{"id": "C-A", "name": "Alpha"}]).json()["ia::result"]["jobId"]
    other = company(company_id="OTHER", records={})
    load_company(sim, other, now=NOW)
    stranger = RestSim(api.app)
    assert stranger.token(grant_type="client_credentials", client_id="demo-client",
                          client_secret="demo-client-secret",
                          username="ws_user@OTHER").status_code == 200  # fmt: skip
    assert _status(stranger, job_id).status_code == 404
    assert _status(api, "nope").status_code == 404
    missing = api.get(STATUS)
    assert (missing.status_code, "jobId" in missing.text) == (400, True)


@pytest.mark.parametrize(
    ("spec", "records", "named"),
    [
        ({"operation": "upsert"}, [], "operation"),
        ({"fileContentType": "csv"}, [], "fileContentType"),
        ({"objectName": "nothing/here"}, [], "objectName"),
        ({"objectName": "customer"}, {"id": "C-A"}, "JSON array"),
    ],
)
def test_a_bad_job_is_refused_naming_what(
    api: RestSim, spec: dict[str, object], records: object, named: str
) -> None:
    refused = _job(api, str(spec.pop("operation", "create")), records, **spec)
    assert refused.status_code == 400, refused.text
    assert named in refused.json()["ia::error"]["message"]


def test_a_job_must_be_a_multipart_form_sent_with_a_token(api: RestSim) -> None:
    as_json = api.post(CREATE, json={"objectName": "customer", "operation": "create"})
    assert as_json.status_code == 400
    assert "multipart" in as_json.json()["ia::error"]["message"]
    api.access_token = "stale"
    assert _job(api, "create", [{"id": "C-A", "name": "A"}]).status_code == 401
