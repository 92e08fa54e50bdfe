"""Owned lines over REST (a bill and its bill-lines): created with their owner, shown in the
owner's GET, added, changed and deleted by a PATCH of the owner (the others kept, by key),
queried as their own object with their owner's fields, and the same lines over XML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
BILLS = "/objects/accounts-payable/bill"
BILL = {
    "billNumber": "B-1",
    "vendor": {"id": "V1"},
    "createdDate": "2026-04-30",
    "dueDate": "2026-05-30",
    "lines": [
        {"glAccount": {"id": "4000"}, "txnAmount": "100.00"},
        {"glAccount": {"id": "4000"}, "txnAmount": "50.00", "memo": "second"},
    ],
}


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(more={"VENDOR": [{"VENDORID": "V1", "NAME": "Supplies"}]}), now=NOW)
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return signed_in(sim)


def _bill(api: RestSim) -> dict[str, object]:
    made = api.post(BILLS, json=BILL)
    assert made.status_code == 201, made.text
    found: dict[str, object] = api.get(f"{BILLS}/{made.json()['ia::result']['key']}").json()[
        "ia::result"
    ]
    return found


def _lines(bill: dict[str, object]) -> list[dict[str, object]]:
    lines = bill["lines"]
    assert isinstance(lines, list)
    return lines


def test_an_owner_is_created_with_its_lines_and_shows_them(api: RestSim) -> None:
    bill = _bill(api)
    assert (bill["billNumber"], bill["totalTxnAmount"], bill["createdDate"]) == (
        "B-1",
        "150.00",
        "2026-04-30",
    )
    lines = _lines(bill)
    assert [(line["txnAmount"], line["memo"]) for line in lines] == [
        ("100.00", None),
        ("50.00", "second"),
    ]
    assert lines[0]["bill"] == {
        "key": bill["key"],
        "id": bill["key"],
        "href": f"{BILLS}/{bill['key']}",
    }


def test_a_patch_of_the_owner_changes_adds_and_deletes_lines_by_key(api: RestSim) -> None:
    bill = _bill(api)
    first, second = (str(line["key"]) for line in _lines(bill))
    changes = {
        "lines": [
            {"key": first, "txnAmount": "10.00"},
            {"ia::operation": "delete", "key": second},
            {"glAccount": {"id": "1000"}, "txnAmount": "1.00"},
        ]
    }
    assert api.patch(f"{BILLS}/{bill['key']}", json=changes).status_code == 200
    after = api.get(f"{BILLS}/{bill['key']}").json()["ia::result"]
    assert [(line["key"] == first, line["txnAmount"]) for line in after["lines"]] == [
        (True, "10.00"),
        (False, "1.00"),
    ]
    assert after["totalTxnAmount"] == "11.00"


def test_a_patch_without_lines_keeps_them(api: RestSim) -> None:
    bill = _bill(api)
    assert api.patch(f"{BILLS}/{bill['key']}", json={"description": "x"}).status_code == 200
    assert len(api.get(f"{BILLS}/{bill['key']}").json()["ia::result"]["lines"]) == 2


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ({"key": "9999", "txnAmount": "1"}, "9999"),
        ({"ia::operation": "delete"}, "key"),
        ({"ia::operation": "upsert", "key": "1"}, "ia::operation"),
        ({"txnAmount": "1", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_line_is_400_naming_it(api: RestSim, line: dict[str, object], named: str) -> None:
    bill = _bill(api)
    response = api.patch(f"{BILLS}/{bill['key']}", json={"lines": [line]})
    assert response.status_code == 400
    assert named in response.json()["ia::error"]["message"]


def test_owned_lines_are_queried_with_their_owners_fields(api: RestSim) -> None:
    bill = _bill(api)
    fields = ["txnAmount", "bill.id", "bill.billNumber", "bill.vendor.id"]
    rows = api.query(object="accounts-payable/bill-line", fields=fields).json()["ia::result"]
    assert rows == [
        {
            "txnAmount": "100.00",
            "bill.id": bill["key"],
            "bill.billNumber": "B-1",
            "bill.vendor.id": "V1",
        },
        {
            "txnAmount": "50.00",
            "bill.id": bill["key"],
            "bill.billNumber": "B-1",
            "bill.vendor.id": "V1",
        },
    ]
    by_bill = [{"$eq": {"bill.key": bill["key"]}}]
    response = api.query(object="accounts-payable/bill-line", fields=["key"], filters=by_bill)
    assert response.json()["ia::meta"]["totalCount"] == 2


def test_an_owner_cannot_be_queried_for_its_lines(api: RestSim) -> None:
    response = api.query(object="accounts-payable/bill", fields=["lines.txnAmount"])
    assert response.status_code == 400


def test_lines_are_written_only_through_their_owner_for_now(api: RestSim) -> None:
    response = api.post("/objects/accounts-payable/bill-line", json={"txnAmount": "1"})
    assert response.status_code == 405


def test_a_bill_made_over_rest_is_read_with_its_lines_over_xml(api: RestSim) -> None:
    bill = _bill(api)
    read = f"<read><object>APBILL</object><keys>{bill['key']}</keys><fields>*</fields></read>"
    (result,) = xmlgw.results(api.post(GATEWAY_PATH, content=xmlgw.request(read)).content)
    amounts = [e.text for e in result.iterfind("data/APBILL/APBILLITEMS/apbillitem/TRX_AMOUNT")]
    assert amounts == ["100.00", "50.00"]


def test_amounts_are_strings_with_two_places_and_may_be_written_as_numbers(api: RestSim) -> None:
    body = {**BILL, "billNumber": "B-2", "lines": [{"glAccount": {"id": "4000"}, "txnAmount": 100}]}
    made = api.post(BILLS, json=body)
    assert made.status_code == 201
    bill = api.get(f"{BILLS}/{made.json()['ia::result']['key']}").json()["ia::result"]
    assert (bill["totalTxnAmount"], bill["lines"][0]["txnAmount"]) == ("100.00", "100.00")
    refused = api.post(BILLS, json={**body, "lines": [{"txnAmount": "lots"}]})
    assert refused.status_code == 400
    assert "txnAmount" in refused.json()["ia::error"]["message"]
