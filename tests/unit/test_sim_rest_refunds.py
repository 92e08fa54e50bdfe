"""Customer refunds created over REST in the simulator (``rest/refunds.py`` over ``refunds``):
the page's create body, each detail refunding a credit the customer holds (used up as an AR
payment would use it, so it cannot be applied again), read back over XML, voided and submitted
by the workflows, and bad bodies refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.restsim import RestSim, ar_advance
from released_intacct.fakes.sim_calls import call, demo_books
from released_intacct.fakes.sim_calls import ok_key as _ok
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
REFUNDS = "/objects/accounts-receivable/customer-refund"
ADVANCES = "/objects/accounts-receivable/advance"


@pytest.fixture
def world() -> tuple[Simulator, RestSim]:
    sim, _ = demo_books(T0)
    api = RestSim(create_app(sim))
    assert api.token().status_code == 200
    return sim, api


def _advance(api: RestSim) -> str:
    return str(api.post(ADVANCES, json=ar_advance()).json()["ia::result"]["key"])


def _negative_invoice(sim: Simulator) -> str:
    return _ok(
        sim,
        "<create_invoice><customerid>CUS-1001</customerid><datecreated><year>2026</year>"
        "<month>03</month><day>01</day></datecreated><invoiceitems><lineitem><glaccountno>4000"
        "</glaccountno><amount>-50.00</amount></lineitem></invoiceitems></create_invoice>",
    )


def refund(*details: tuple[str, str, str], **more: object) -> dict[str, object]:
    """The page's sample ("POST /objects/accounts-receivable/customer-refund"): (credit group,
    key, amount) per detail."""
    return {
        "financialEntity": {"id": "BOA"},
        "paymentMethod": "eft",
        "customer": {"id": "CUS-1001"},
        "payTo": {"key": "746"},
        "refundDate": "2026-03-18",
        "refundDetails": [{group: {"key": key}, "txnRefundAmount": amount}
                          for group, key, amount in details],
        **more,
    }  # fmt: skip


def _due(api: RestSim, key: str) -> str:
    shown = api.get(f"{ADVANCES}/{key}").json()["ia::result"]
    return str(shown["paymentInformation"]["totalDue"])


def test_a_refund_uses_up_the_credits_it_refunds_and_is_read_over_xml(
    world: tuple[Simulator, RestSim],
) -> None:
    sim, api = world
    advance, invoice = _advance(api), _negative_invoice(sim)
    body = refund(("arAdvance", advance, "200"), ("negativeInvoice", invoice, "50"),
                  baseCurrency={"refundAmount": "250"})  # fmt: skip
    made = api.post(REFUNDS, json=body)
    assert made.status_code == 201, made.text
    key = made.json()["ia::result"]["key"]
    shown = api.get(f"{REFUNDS}/{key}").json()["ia::result"]
    assert (shown["state"], shown["txnCurrency"]["refundAmount"], shown["refundDate"]) == (
        "posted", "250.00", "2026-03-18")  # fmt: skip
    assert _due(api, advance) == "320.50"
    negative = api.get(f"/objects/accounts-receivable/invoice/{invoice}").json()["ia::result"]
    assert negative["totalTxnAmountDue"] == "0.00"
    over_xml = call(sim, f"<read><object>CUSTOMERREFUND</object><keys>{key}</keys>"
                         "<fields>*</fields></read>")  # fmt: skip
    assert over_xml.findtext("data/*/TOTALENTERED") == "250.00"
    again = api.post(REFUNDS, json=refund(("arAdvance", advance, "400")))
    assert again.status_code == 422, again.text
    assert "unapplied" in again.text


def test_a_voided_refund_gives_its_credits_back_and_a_draft_is_submitted(
    world: tuple[Simulator, RestSim],
) -> None:
    _, api = world
    advance = _advance(api)
    key = api.post(REFUNDS, json=refund(("arAdvance", advance, "100"))).json()["ia::result"]["key"]
    body = {"key": key, "reversedDate": "2026-04-15", "description": "duplicate"}
    voided = api.post("/workflows/accounts-receivable/customer-refund/reverse", json=body)
    assert (voided.status_code, voided.json()["ia::result"]["state"]) == (200, "voided")
    assert _due(api, advance) == "520.50"
    draft = api.post(REFUNDS, json=refund(("arAdvance", advance, "20"), state="draft"))
    later = draft.json()["ia::result"]["key"]
    assert _due(api, advance) == "520.50"
    submitted = api.post("/workflows/accounts-receivable/customer-refund/submit",
                         json={"key": later})  # fmt: skip
    assert (submitted.status_code, submitted.json()["ia::result"]["state"]) == (200, "posted")
    assert _due(api, advance) == "500.50"
    twice = api.post("/workflows/accounts-receivable/customer-refund/reverse", json=body)
    assert twice.status_code == 422


@pytest.mark.parametrize(
    ("change", "status", "named"),
    [
        ({"baseCurrency": {"refundAmount": "99"}}, 400, "baseCurrency.refundAmount"),
        ({"refundDetails": []}, 400, "refundDetails"),
        ({"refundDetails": [{"arAdvance": {"key": "{advance}"}, "negativeInvoice": {"key": "1"},
                             "txnRefundAmount": "1"}]}, 400, "refundDetails[0]"),
        ({"refundDetails": [{"arAdvance": {"key": "{advance}"}}]}, 400, "txnRefundAmount"),
        ({"refundDate": None}, 400, "refundDate"),
        ({"customer": {"id": "NOPE"}}, 422, "NOPE"),
        ({"refundDetails": [{"overPayment": {"key": "99999"}, "txnRefundAmount": "1"}]}, 422,
         "99999"),
        ({"colour": "red"}, 400, "colour"),
    ],
)  # fmt: skip
def test_a_bad_refund_is_refused_naming_what(
    world: tuple[Simulator, RestSim], change: dict[str, object], status: int, named: str
) -> None:
    _, api = world
    advance = _advance(api)
    body = {**refund(("arAdvance", advance, "10")), **change}
    if "refundDetails" in change:
        body["refundDetails"] = [
            {k: ({"key": advance} if v == {"key": "{advance}"} else v) for k, v in d.items()}
            for d in change["refundDetails"]  # type: ignore[attr-defined]
        ]
    response = api.post(REFUNDS, json=body)
    assert response.status_code == status, response.text
    assert named in response.text
    assert _due(api, advance) == "520.50"


def test_an_advance_a_posted_refund_refunds_cannot_be_reversed_until_the_refund_is_voided(
    world: tuple[Simulator, RestSim],
) -> None:
    _, api = world
    advance = _advance(api)
    key = api.post(REFUNDS, json=refund(("arAdvance", advance, "100"))).json()["ia::result"]["key"]
    reverse = {"key": advance, "reversedDate": "2026-04-15"}
    refused = api.post("/workflows/accounts-receivable/advance/reverse", json=reverse)
    assert refused.status_code == 422, refused.text
    assert "void the refunds" in refused.text
    void = {"key": key, "reversedDate": "2026-04-15"}
    assert api.post("/workflows/accounts-receivable/customer-refund/reverse", json=void).is_success
    done = api.post("/workflows/accounts-receivable/advance/reverse", json=reverse)
    assert (done.status_code, done.json()["ia::result"]["state"]) == (200, "reversal")
