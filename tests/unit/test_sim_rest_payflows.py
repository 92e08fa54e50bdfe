"""The payment and advance workflows over REST in the simulator (``rest/payflows.py``): submit,
the AP approvals (approve, decline, print, confirm) and the advances' submit and reverse, each
the XML gateway's own state change, so a payment moved over REST reads so over XML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.restsim import RestSim, ap_advance, ar_advance
from released_intacct.fakes.sim_calls import call, demo_books
from released_intacct.fakes.sim_calls import ok_key as _ok
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
FLOWS = "/workflows"


def _api(**settings: object) -> tuple[Simulator, RestSim]:
    sim, _ = demo_books(T0, **settings)
    api = RestSim(create_app(sim))
    assert api.token().status_code == 200
    return sim, api


def _invoice(sim: Simulator) -> str:
    return _ok(
        sim,
        "<create_invoice><customerid>CUS-1001</customerid><datecreated><year>2026</year>"
        "<month>03</month><day>01</day></datecreated><invoiceitems><lineitem><glaccountno>4000"
        "</glaccountno><amount>100.00</amount></lineitem></invoiceitems></create_invoice>",
    )


def _bill(sim: Simulator) -> str:
    return _ok(
        sim,
        "<create_bill><vendorid>VEN-2001</vendorid><datecreated><year>2026</year><month>03"
        "</month><day>01</day></datecreated><datedue><year>2026</year><month>04</month><day>01"
        "</day></datedue><billitems><lineitem><glaccountno>5000</glaccountno><amount>80.00"
        "</amount></lineitem></billitems></create_bill>",
    )


def _ap_payment(api: RestSim, bill: str, method: str) -> str:
    body = {
        "paymentMethod": method,
        "vendor": {"id": "VEN-2001"},
        "paymentDate": "2026-03-24",
        "details": [{"bill": {"key": bill}, "txnCurrency": {"paymentAmount": "80.00"}}],
    }
    made = api.post("/objects/accounts-payable/payment", json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["ia::result"]["key"])


def _flow(api: RestSim, path: str, **body: str) -> tuple[int, dict[str, object]]:
    response = api.post(f"{FLOWS}/{path}", json=body)
    found: dict[str, object] = response.json().get("ia::result") or response.json()
    return response.status_code, found


def _xml_state(sim: Simulator, obj: str, key: str) -> str:
    result = call(
        sim, f"<read><object>{obj}</object><keys>{key}</keys><fields>STATE</fields></read>"
    )
    return result.findtext("data/*/STATE") or ""


def _due(api: RestSim, path: str, key: str) -> str:
    return str(api.get(f"/objects/{path}/{key}").json()["ia::result"]["totalTxnAmountDue"])


def test_an_ar_draft_payment_made_over_xml_is_submitted_over_rest_and_pays_its_invoice() -> None:
    sim, api = _api()
    invoice = _invoice(sim)
    key = _ok(
        sim,
        "<create><ARPYMT><PAYMENTMETHOD>Cash</PAYMENTMETHOD><CUSTOMERID>CUS-1001</CUSTOMERID>"
        "<RECEIPTDATE>03/23/2026</RECEIPTDATE><ACTION>Draft</ACTION><ARPYMTDETAILS><ARPYMTDETAIL>"
        f"<RECORDKEY>{invoice}</RECORDKEY><TRX_PAYMENTAMOUNT>60.00</TRX_PAYMENTAMOUNT>"
        "</ARPYMTDETAIL></ARPYMTDETAILS></ARPYMT></create>",
    )
    assert _due(api, "accounts-receivable/invoice", invoice) == "100.00"
    status, done = _flow(api, "accounts-receivable/payment/submit", key=key)
    href = f"/objects/accounts-receivable/payment/{key}"
    assert (status, done) == (200, {"key": key, "id": key, "state": "complete", "href": href})
    assert _due(api, "accounts-receivable/invoice", invoice) == "40.00"
    assert _xml_state(sim, "ARPYMT", key) == "Complete"
    again = api.post(f"{FLOWS}/accounts-receivable/payment/submit", json={"key": key})
    assert again.status_code == 422
    assert "only a draft" in again.text.lower()


def test_an_ap_check_payment_is_approved_printed_and_confirmed_then_pays_its_bill() -> None:
    sim, api = _api(ap_payment_approvals=True)
    bill = _bill(sim)
    key = _ap_payment(api, bill, "printedCheck")
    path = "accounts-payable/payment"
    assert api.get(f"/objects/{path}/{key}").json()["ia::result"]["state"] == "submitted"
    printed_early = api.post(f"{FLOWS}/{path}/print", json={"key": key})
    assert printed_early.status_code == 422, printed_early.text
    steps = [("approve", "approved"), ("print", "delivered"), ("confirm", "confirmed")]
    for action, state in steps:
        assert _due(api, "accounts-payable/bill", bill) == "80.00"
        status, done = _flow(api, f"{path}/{action}", key=key, notes="ok")
        assert (status, done["state"]) == (200, state), (action, done)
    assert _due(api, "accounts-payable/bill", bill) == "0.00"
    assert _xml_state(sim, "APPYMT", key) == "Posted"


def test_an_ap_eft_payment_posts_when_approved_and_a_declined_one_pays_nothing() -> None:
    sim, api = _api(ap_payment_approvals=True)
    bill = _bill(sim)
    path = "accounts-payable/payment"
    declined = _ap_payment(api, bill, "eft")
    assert _flow(api, f"{path}/decline", key=declined, notes="no")[1]["state"] == "declined"
    assert _xml_state(sim, "APPYMT", declined) == "Declined"
    approved = _ap_payment(api, bill, "eft")
    assert _flow(api, f"{path}/approve", key=approved)[1]["state"] == "confirmed"
    assert _due(api, "accounts-payable/bill", bill) == "0.00"
    status, refused = _flow(api, f"{path}/approve", key=declined)
    assert status == 422
    assert "Cannot approve" in str(refused)


@pytest.mark.parametrize(("approvals", "state"), [(False, "confirmed"), (True, "submitted")])
def test_an_ap_draft_is_submitted_as_a_new_payment_would_be(approvals: bool, state: str) -> None:
    sim, api = _api(ap_payment_approvals=approvals)
    bill = _bill(sim)
    key = _ok(
        sim,
        "<create><APPYMT><FINANCIALENTITY>BOA</FINANCIALENTITY><PAYMENTMETHOD>EFT</PAYMENTMETHOD>"
        "<VENDORID>VEN-2001</VENDORID><PAYMENTDATE>03/24/2026</PAYMENTDATE><ACTION>Draft</ACTION>"
        f"<APPYMTDETAILS><APPYMTDETAIL><RECORDKEY>{bill}</RECORDKEY><TRX_PAYMENTAMOUNT>80.00"
        "</TRX_PAYMENTAMOUNT></APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>",
    )
    assert _flow(api, "accounts-payable/payment/submit", key=key)[1]["state"] == state
    assert _due(api, "accounts-payable/bill", bill) == ("0.00" if state == "confirmed" else "80.00")


def test_an_ar_advance_is_submitted_then_reversed_answering_its_reversal() -> None:
    sim, api = _api()
    made = api.post("/objects/accounts-receivable/advance", json=ar_advance(state="draft"))
    key = str(made.json()["ia::result"]["key"])
    path = "accounts-receivable/advance"
    assert _flow(api, f"{path}/submit", key=key)[1]["state"] == "posted"
    status, done = _flow(api, f"{path}/reverse", key=key, reversedDate="2026-04-15", memo="dup")
    assert (status, done["state"]) == (200, "reversal")
    assert done["key"] != key
    assert api.get(f"/objects/{path}/{key}").json()["ia::result"]["state"] == "reversed"
    assert _xml_state(sim, "ARADVANCE", key) == "Reversed"


def test_an_ap_advance_reversed_answers_itself_reversed() -> None:
    _, api = _api()
    key = str(api.post("/objects/accounts-payable/advance", json=ap_advance()).json()
              ["ia::result"]["key"])  # fmt: skip
    body = {"key": key, "reversedDate": "2026-04-15", "memo": "dup"}
    status, done = _flow(api, "accounts-payable/advance/reverse", **body)
    assert (status, done["key"], done["state"]) == (200, key, "reversed")


@pytest.mark.parametrize(
    ("path", "body", "status", "named"),
    [
        ("accounts-receivable/advance/submit", {"key": "{payment}"}, 404, "{payment}"),
        ("accounts-receivable/payment/print", {"key": "{payment}"}, 404, "print"),
        ("accounts-payable/advance/approve", {"key": "1"}, 404, "approve"),
        ("accounts-receivable/advance/reverse", {"key": "{advance}"}, 400, "reversedDate"),
        ("accounts-receivable/advance/submit", {"key": "{advance}"}, 422, "only a draft"),
    ],
)  # fmt: skip
def test_a_bad_payment_or_advance_workflow_is_refused_naming_what(
    path: str, body: dict[str, str], status: int, named: str
) -> None:
    sim, api = _api()
    invoice = _invoice(sim)
    payment = _ok(
        sim,
        "<create><ARPYMT><PAYMENTMETHOD>Cash</PAYMENTMETHOD><CUSTOMERID>CUS-1001</CUSTOMERID>"
        "<RECEIPTDATE>03/23/2026</RECEIPTDATE><ARPYMTDETAILS><ARPYMTDETAIL>"
        f"<RECORDKEY>{invoice}</RECORDKEY><TRX_PAYMENTAMOUNT>60.00</TRX_PAYMENTAMOUNT>"
        "</ARPYMTDETAIL></ARPYMTDETAILS></ARPYMT></create>",
    )
    advance = api.post("/objects/accounts-receivable/advance", json=ar_advance())
    keys = {"{payment}": payment, "{advance}": str(advance.json()["ia::result"]["key"])}
    sent = {name: keys.get(value, value) for name, value in body.items()}
    response = api.post(f"{FLOWS}/{path}", json=sent)
    assert response.status_code == status, response.text
    assert keys.get(named, named).lower() in response.text.lower()
