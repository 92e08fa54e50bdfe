"""The simulator's AR/AP documents over REST (``rest/docobjects.py``, ``rest/docwrites.py``):
created through the legacy functions' checks, shown with owned lines and their tax entries, and
their workflows (docs/intacct-rest.md 4.6-4.9 and section 8)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
INVOICES = "/objects/accounts-receivable/invoice"
INVOICE: dict[str, object] = {
    "customer": {"id": "C1"},
    "invoiceNumber": "INV-1",
    "invoiceDate": "2026-04-30",
    "dueDate": "2026-05-30",
    "referenceNumber": "PO-1",
    "currency": {"txnCurrency": "USD"},
    "lines": [
        {
            "glAccount": {"id": "4000"},
            "txnAmount": "100.00",
            "memo": "rent",
            "taxEntries": [{"orderEntryTaxDetail": {"id": "VAT20"}, "txnTaxAmount": "20.00"}],
        }
    ],
}


@pytest.fixture
def api() -> RestSim:
    sim = Simulator(clock=lambda: NOW)
    load_company(
        sim,
        company(more={"TAXDETAIL": [{"DETAILID": "VAT20", "VALUE": "20", "STATUS": "active"}]}),
        now=NOW,
    )
    return signed_in(sim)


def _made(api: RestSim, body: dict[str, object]) -> str:
    made = api.post(INVOICES, json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["ia::result"]["key"])


def test_correction_1_an_invoice_shows_its_lines_and_their_tax_entries(api: RestSim) -> None:
    """The total is owed with the tax: the sample's line of 400.00 with a tax entry of 40.00
    totals 440.00, due 440.00 ([RESTDOC] accounts-receivable, "GET
    /objects/accounts-receivable/invoice/{key}")."""
    key = _made(api, INVOICE)
    shown = api.get(f"{INVOICES}/{key}").json()["ia::result"]
    assert (
        shown["state"],
        shown["totalTxnAmount"],
        shown["totalTxnAmountDue"],
        shown["customer"]["id"],
    ) == ("posted", "120.00", "120.00", "C1")
    (line,) = shown["lines"]
    assert line["invoice"]["key"] == key
    assert line["taxEntries"] == [{"orderEntryTaxDetail": {"id": "VAT20"}, "txnTaxAmount": "20.00"}]


def test_a_create_goes_through_the_legacy_checks(api: RestSim) -> None:
    _made(api, INVOICE)
    again = api.post(INVOICES, json=INVOICE)
    assert again.status_code == 409  # the number is taken, as create_invoice refuses it
    unknown = api.post(INVOICES, json={**INVOICE, "colour": "red"})
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["ia::error"]["message"]
    no_party = api.post(
        INVOICES, json={**INVOICE, "invoiceNumber": "INV-9", "customer": {"id": "X"}}
    )
    assert no_party.status_code == 422


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ({"dimensions": {"task": {"id": "T1"}}}, "lines[0].dimensions.task.id"),
        ({"revenueRecognitionTemplate": {"id": "RR"}}, "lines[0].revenueRecognitionTemplate.id"),
    ],
)
def test_an_ar_invoice_line_takes_no_task_nor_revenue_recognition(
    api: RestSim, line: dict[str, object], named: str
) -> None:
    """The AR invoice line of the pages has no ``task`` dimension and no revenue-recognition
    field ([RESTDOC] accounts-receivable, "GET /objects/accounts-receivable/invoice/{key}"): 400
    naming the field, nothing written."""
    first = {"glAccount": {"id": "4000"}, "txnAmount": "100.00", **line}
    refused = api.post(INVOICES, json={**INVOICE, "lines": [first]})
    assert refused.status_code == 400
    assert named in refused.json()["ia::error"]["message"]
    assert api.get(INVOICES).json()["ia::meta"]["totalCount"] == 0


def test_an_ar_invoice_has_no_top_level_posting_date(api: RestSim) -> None:
    """Its posting date is ``invoiceSummary.glPostingDate`` ([RESTDOC] accounts-receivable,
    "GET /objects/accounts-receivable/invoice/{key}"), unlike the adjustment's ``glPostingDate``."""
    refused = api.post(INVOICES, json={**INVOICE, "glPostingDate": "2026-04-30"})
    assert refused.status_code == 400
    assert "glPostingDate" in refused.json()["ia::error"]["message"]
    key = _made(api, {**INVOICE, "invoiceSummary": {"glPostingDate": "2026-04-30"}})
    shown = api.get(f"{INVOICES}/{key}").json()["ia::result"]
    assert shown["invoiceSummary"]["glPostingDate"] == "2026-04-30"


def test_D20_a_draft_is_created_and_submitted_through_the_workflow(api: RestSim) -> None:
    key = _made(api, {**INVOICE, "state": "draft"})
    assert api.get(f"{INVOICES}/{key}").json()["ia::result"]["state"] == "draft"
    posted = api.post("/workflows/accounts-receivable/invoice/submit", json={"key": key})
    assert posted.status_code == 200, posted.text
    assert posted.json()["ia::result"]["state"] == "posted"
    again = api.post("/workflows/accounts-receivable/invoice/submit", json={"key": key})
    assert again.status_code == 422


def test_correction_3_reverse_answers_the_reversal_and_xml_reads_both(api: RestSim) -> None:
    key = _made(api, INVOICE)
    reversed_ = api.post(
        "/workflows/accounts-receivable/invoice/reverse",
        json={"key": key, "reversedDate": "2026-05-02", "memo": "undo"},
    )
    assert reversed_.status_code == 200, reversed_.text
    result = reversed_.json()["ia::result"]
    assert result["state"] == "reversal"
    assert result["key"] != key
    read = xmlgw.request(
        f"<read><object>ARINVOICE</object><keys>{key}</keys><fields>*</fields></read>"
    )
    (found,) = xmlgw.results(api.post(GATEWAY_PATH, content=read).content)
    assert found.findtext("data/ARINVOICE/STATE") == "Reversed"


def test_a_workflow_the_pages_do_not_give_is_404(api: RestSim) -> None:
    key = _made(api, INVOICE)
    assert (
        api.post("/workflows/accounts-receivable/invoice/recall", json={"key": key}).status_code
        == 404
    )
    assert (
        api.post("/workflows/accounts-receivable/invoice/void", json={"key": key}).status_code
        == 404
    )
    missing = api.post("/workflows/accounts-receivable/invoice/submit", json={"key": "999"})
    assert missing.status_code == 404


def test_a_purchasing_document_awaiting_approval_is_approved_or_declined_by_workflow() -> None:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    api = signed_in(sim)
    made = []
    for number in ("PO-A", "PO-B"):
        body = {
            "vendor": {"id": "VEN-2001"},
            "txnDate": "2026-04-30",
            "documentNumber": number,
            "lines": [
                {"dimensions": {"item": {"id": "5000-P"}}, "unitQuantity": "1", "unitPrice": "5"}
            ],
        }
        sent = api.post("/objects/purchasing/document::Purchase Order", json=body)
        assert sent.status_code == 201, sent.text
        made.append(str(sent.json()["ia::result"]["key"]))
    for key in made:  # a document waits for approval when submitted (approvals.py)
        sim.companies["DEMO"].update("PODOCUMENT", int(key), {"STATE": "Submitted"}, now=NOW)
    approved = api.post(
        "/workflows/purchasing/document/approve", json={"key": made[0], "notes": "ok"}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["ia::result"]["state"] == "approved"
    declined = api.post("/workflows/purchasing/document/decline", json={"key": made[1]})
    assert declined.json()["ia::result"]["state"] == "declined"
    again = api.post("/workflows/purchasing/document/approve", json={"key": made[0]})
    assert again.status_code == 422  # no longer awaiting approval
    shown = api.get(f"/objects/purchasing/document/{made[0]}").json()["ia::result"]
    assert shown["state"] == "approved"
