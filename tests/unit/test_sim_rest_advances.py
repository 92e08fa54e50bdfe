"""AR and AP advances created over REST in the simulator (``rest/advances.py``): the pages' create
bodies, stored as the XML gateway stores an advance (read back over XML as ARADVANCE / APADVANCE
and among the payments), a draft kept for ``submit``, and bad bodies refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.restsim import RestSim, ap_advance, ar_advance
from released_intacct.fakes.sim_calls import call, demo_books
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AR_ADVANCES = "/objects/accounts-receivable/advance"
AP_ADVANCES = "/objects/accounts-payable/advance"


@pytest.fixture
def books() -> tuple[Simulator, Company]:
    return demo_books(T0)


@pytest.fixture
def api(books: tuple[Simulator, Company]) -> RestSim:
    api = RestSim(create_app(books[0]))
    assert api.token().status_code == 200
    return api


def _xml(sim: Simulator, obj: str, key: str) -> dict[str, str]:
    result = call(sim, f"<read><object>{obj}</object><keys>{key}</keys><fields>*</fields></read>")
    (row,) = result.findall("data/*")
    return {child.tag: child.text or "" for child in row}


def test_an_ar_advance_created_over_rest_is_posted_and_read_over_xml(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    made = api.post(AR_ADVANCES, json=ar_advance())
    assert made.status_code == 201, made.text
    key = made.json()["ia::result"]["key"]
    shown = api.get(f"{AR_ADVANCES}/{key}").json()["ia::result"]
    assert (shown["recordType"], shown["state"], shown["txnTotalEntered"]) == (
        "rr",
        "posted",
        "520.50",
    )
    assert shown["paymentInformation"]["totalDue"] == "520.50"
    assert shown["paymentInformation"]["financialEntity"]["id"] == "BOA"
    assert shown["advanceSummary"]["id"] == "511"
    over_xml = _xml(books[0], "ARADVANCE", key)
    assert (over_xml["CUSTOMERID"], over_xml["TOTALDUE"], over_xml["RECORDTYPE"]) == (
        "CUS-1001", "520.50", "rr")  # fmt: skip
    payment = api.get(f"/objects/accounts-receivable/payment/{key}").json()["ia::result"]
    assert payment["recordType"] == "rr"
    (stored,) = [r for r in books[1].table("ARPYMT").values() if str(r["RECORDNO"]) == key]
    items = stored["ARADVANCEITEMS"]
    assert isinstance(items, list)
    assert [(i["ACCOUNTNO"], i["TRX_AMOUNT"], i.get("LOCATIONID")) for i in items] == [
        ("4000", "500", "E100"), ("4000", "20.5", None)]  # fmt: skip


def test_an_ap_advance_created_over_rest_is_read_over_xml_and_among_the_payments(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    made = api.post(AP_ADVANCES, json=ap_advance())
    assert made.status_code == 201, made.text
    key = made.json()["ia::result"]["key"]
    shown = api.get(f"{AP_ADVANCES}/{key}").json()["ia::result"]
    assert (shown["recordType"], shown["state"], shown["totalEntered"], shown["totalDue"]) == (
        "pr", "posted", "120.00", "120.00")  # fmt: skip
    assert (shown["vendor"]["id"], shown["advanceDate"]) == ("VEN-2001", "2026-03-23")
    over_xml = _xml(books[0], "APADVANCE", key)
    assert (over_xml["VENDORID"], over_xml["TOTALDUE"], over_xml["STATE"]) == (
        "VEN-2001", "120.00", "Posted")  # fmt: skip
    found = api.query(object="accounts-payable/payment", fields=["key", "recordType"],
                      filters=[{"$eq": {"key": key}}]).json()["ia::result"]  # fmt: skip
    assert found == [{"key": key, "recordType": "pr"}]


def test_an_ap_advance_by_check_waits_for_approval_where_the_company_uses_approvals() -> None:
    sim, _ = demo_books(T0, ap_payment_approvals=True)
    api = RestSim(create_app(sim))
    api.token()
    made = api.post(AP_ADVANCES, json=ap_advance(paymentMethod="printedCheck"))
    key = made.json()["ia::result"]["key"]
    assert api.get(f"{AP_ADVANCES}/{key}").json()["ia::result"]["state"] == "submitted"


def test_an_advance_created_as_a_draft_stays_a_draft(api: RestSim) -> None:
    made = api.post(AR_ADVANCES, json=ar_advance(state="draft"))
    key = made.json()["ia::result"]["key"]
    shown = api.get(f"{AR_ADVANCES}/{key}").json()["ia::result"]
    assert (shown["state"], shown["paymentInformation"]["totalDue"]) == ("draft", "520.50")


@pytest.mark.parametrize(
    ("path", "body", "status", "named"),
    [
        (AR_ADVANCES, ar_advance(items=[]), 400, "items"),
        (AR_ADVANCES, ar_advance(state="reversed"), 400, "state"),
        (AR_ADVANCES, ar_advance(items=[{"txnAmount": "x"}]), 400, "items[0].txnAmount"),
        (AR_ADVANCES, ar_advance(items=[{"size": 1}]), 400, "items[0].size"),
        (AR_ADVANCES, ar_advance(recordType="rp"), 400, "recordType"),
        (AP_ADVANCES, ap_advance(vendor={"id": "NOPE"}), 422, "NOPE"),
        (AP_ADVANCES, ap_advance(advanceDate="23/03/2026"), 400, "advanceDate"),
    ],
)
def test_a_bad_advance_is_refused_naming_what(
    api: RestSim, path: str, body: dict[str, object], status: int, named: str
) -> None:
    refused = api.post(path, json=body)
    assert refused.status_code == status, refused.text
    assert named in refused.text


def test_an_advance_is_not_patched_or_deleted_over_rest(api: RestSim) -> None:
    key = api.post(AP_ADVANCES, json=ap_advance()).json()["ia::result"]["key"]
    assert api.patch(f"{AP_ADVANCES}/{key}", json={"description": "x"}).status_code == 405
    assert api.delete(f"{AP_ADVANCES}/{key}").status_code == 405
