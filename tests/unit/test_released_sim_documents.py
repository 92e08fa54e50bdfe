"""The Re-Leased simulator's invoices and credit notes: totals, state machine, payments, credits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.client import SyncClient
from released_intacct.fakes.simulators.released.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer key-1", "X-Company-Id": "C1"}
BASE: dict[str, list[object]] = {
    "accounts": [
        {"id": "acc-1", "code": "4000", "name": "Rental Income"},
        {"id": "acc-old", "code": "4900", "name": "Old", "status": "Archived"},
    ],
    "tax-types": [{"id": "tax-1", "name": "Standard 10%", "rate": "10"}],
    "tracking-categories": [
        {"id": "trc-1", "name": "Location", "options": [{"id": "opt-1", "name": "East"}]},
        {"id": "trc-2", "name": "Department", "options": [{"id": "opt-2", "name": "Leasing"}]},
    ],
    "contacts": [
        {"id": "con-1", "name": "Harbour Cafe Ltd"},
        {"id": "con-2", "name": "Northwind Traders"},
    ],
}
Json = dict[str, Any]


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    sim.load(sim.add_company("C1", "key-1"), BASE)
    return sim


@pytest.fixture
def api(sim: Simulator) -> SyncClient:
    return SyncClient(create_app(sim), headers=AUTH)


def line(price: str = "100.00", **more: object) -> Json:
    return {"accountId": "acc-1", "unitPrice": price, "taxTypeId": "tax-1", **more}


def doc(**more: object) -> Json:
    body: Json = {"type": "Income", "contactId": "con-1", "issueDate": "2026-04-01"}
    return {**body, "currency": "USD", "lines": [line(taxAmount="10.00")], **more}


class Books:
    """Creates documents and payments with fresh idempotency keys."""

    def __init__(self, api: SyncClient) -> None:
        self.api = api
        self.keys = 0

    def create(self, resource: str, body: Json) -> httpx.Response:
        self.keys += 1
        return self.api.post(f"/api/{resource}", body, headers={"Idempotency-Key": f"k{self.keys}"})

    def invoice(self, status: str = "Approved", **more: object) -> Json:
        reply = self.create("invoices", doc(status=status, **more))
        assert reply.status_code == 201, reply.text
        made: Json = reply.json()
        return made

    def pay(self, invoice_id: str, amount: str, field: str = "invoiceId") -> httpx.Response:
        return self.create("payments", {field: invoice_id, "date": "2026-04-10", "amount": amount})

    def act(self, resource: str, record_id: str, action: str) -> httpx.Response:
        return self.api.post(f"/api/{resource}/{record_id}/{action}")


@pytest.fixture
def books(api: SyncClient) -> Books:
    return Books(api)


def code(reply: httpx.Response) -> str:
    found: str = reply.json()["error"]["code"]
    return found


# --- totals and validation -----------------------------------------------------------------------


def test_the_server_computes_line_amounts_and_totals_to_the_cent(books: Books) -> None:
    lines = [
        line("33.335", quantity="3", taxAmount="10.0049"),
        line(
            "-5.00", description="Discount", tracking=[{"categoryId": "trc-1", "optionId": "opt-1"}]
        ),
    ]
    made = books.invoice(status="Draft", lines=lines)
    assert [item["lineAmount"] for item in made["lines"]] == ["100.00", "-5.00"]
    assert made["lines"][0]["taxAmount"] == "10.00"
    assert (made["subTotal"], made["totalTax"], made["total"]) == ("95.00", "10.00", "105.00")
    assert (made["amountPaid"], made["amountDue"]) == ("0.00", "105.00")
    assert all(item["id"] for item in made["lines"])
    assert "remainingCredit" not in made


def test_document_references_and_lines_are_validated_with_paths(books: Books) -> None:
    lines = [
        line(accountId="acc-x"),
        line(taxTypeId="tax-x", tracking=[{"categoryId": "trc-1", "optionId": "opt-2"}]),
        line(unitPrice=None, revRecStartDate="2026-13-01"),
    ]
    body = doc(contactId="con-x", issueDate="01/04/2026", type="Sale", lines=lines)
    reply = books.create("invoices", body)
    assert reply.status_code == 400
    assert sorted(d["field"] for d in reply.json()["error"]["details"]) == [
        "contactId", "issueDate", "lines[0].accountId", "lines[1].taxTypeId",
        "lines[1].tracking[0].optionId", "lines[2].revRecStartDate", "lines[2].unitPrice", "type",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"status": "Paid"}, "status"),
        ({"status": "Voided"}, "status"),
        ({"lines": [line(accountId="acc-old")]}, "lines[0].accountId"),
        ({"currency": None}, "currency"),
        ({"type": None}, "type"),
        ({"lines": [line("999999999999999", quantity="10")]}, "lines[0].quantity"),
    ],
)
def test_a_new_document_is_refused_when(books: Books, change: Json, field: str) -> None:
    reply = books.create("invoices", {**doc(), **change})
    assert reply.status_code == 400
    assert [d["field"] for d in reply.json()["error"]["details"]] == [field]


def test_a_credit_note_has_remaining_credit_and_no_due_date(books: Books) -> None:
    refused = books.create("credit-notes", doc(dueDate="2026-05-01"))
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["dueDate"]
    note = books.create("credit-notes", doc(status="Approved")).json()
    assert (note["remainingCredit"], note["allocations"], "dueDate" in note) == (
        "110.00",
        [],
        False,
    )


# --- state machine -------------------------------------------------------------------------------


def test_submit_approve_then_void_each_bump_the_version(books: Books) -> None:
    draft = books.invoice(status="Draft")
    steps = [("submit", "AwaitingApproval"), ("approve", "Approved"), ("void", "Voided")]
    for version, (action, status) in enumerate(steps, start=2):
        reply = books.act("invoices", draft["id"], action)
        assert reply.status_code == 200
        assert (reply.json()["status"], reply.json()["version"]) == (status, version)


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("Draft", "approve"),
        ("AwaitingApproval", "submit"),
        ("Approved", "submit"),
        ("Approved", "approve"),
    ],
)
def test_invalid_transitions_are_422(books: Books, start: str, action: str) -> None:
    made = books.invoice(status=start)
    reply = books.act("invoices", made["id"], action)
    assert (reply.status_code, code(reply)) == (422, "invalid_transition")


def test_paid_and_voided_cannot_be_voided_or_moved(books: Books) -> None:
    paid = books.invoice()
    books.pay(paid["id"], "110.00")
    assert code(books.act("invoices", paid["id"], "void")) == "invalid_transition"
    voided = books.invoice(status="Draft")
    books.act("invoices", voided["id"], "void")
    for action in ("submit", "approve", "void"):
        assert code(books.act("invoices", voided["id"], action)) == "invalid_transition"


def test_the_same_actions_work_on_credit_notes(books: Books) -> None:
    note = books.create("credit-notes", doc()).json()
    assert books.act("credit-notes", note["id"], "submit").json()["status"] == "AwaitingApproval"
    assert books.act("credit-notes", note["id"], "approve").json()["status"] == "Approved"
    assert books.act("credit-notes", "nope", "approve").status_code == 404


def test_put_cannot_change_status_without_the_sync_header(books: Books, api: SyncClient) -> None:
    made = books.invoice(status="AwaitingApproval")
    moved = api.put(f"/api/invoices/{made['id']}", {**made, "status": "Approved"})
    assert (moved.status_code, code(moved)) == (422, "invalid_transition")
    synced = api.put(
        f"/api/invoices/{made['id']}",
        {**made, "status": "Approved"},
        headers={"X-Sync-Source": "intacct"},
    )
    assert (synced.status_code, synced.json()["status"]) == (200, "Approved")
    back = api.put(
        f"/api/invoices/{made['id']}",
        {**synced.json(), "status": "Draft"},
        headers={"X-Sync-Source": "intacct"},
    )
    assert code(back) == "invalid_transition"


def test_approved_lines_are_locked_unless_the_write_comes_from_intacct(
    books: Books, api: SyncClient
) -> None:
    made = books.invoice()
    path = f"/api/invoices/{made['id']}"
    new_lines = [line("250.00")]
    locked = api.put(path, {**made, "lines": new_lines})
    assert (locked.status_code, code(locked)) == (422, "invoice_locked")
    same_lines = api.put(path, {**made, "reference": "PO 7"})
    assert same_lines.status_code == 200
    assert same_lines.json()["lines"] == made["lines"]
    synced = api.put(
        path, {**same_lines.json(), "lines": new_lines}, headers={"X-Sync-Source": "intacct"}
    )
    assert (synced.status_code, synced.json()["total"]) == (200, "250.00")


def test_a_draft_can_be_edited_and_its_type_cannot_change(books: Books, api: SyncClient) -> None:
    made = books.invoice(status="Draft")
    path = f"/api/invoices/{made['id']}"
    edited = api.put(path, {**made, "lines": [line("40.00")]}).json()
    assert (edited["total"], edited["version"], edited["status"]) == ("40.00", 2, "Draft")
    with_files = api.put(path, {**edited, "attachments": ["lease.pdf"]}).json()
    assert with_files["attachments"] == ["lease.pdf"]
    without = {k: v for k, v in with_files.items() if k != "attachments"}
    assert api.put(path, without).json()["attachments"] == ["lease.pdf"]
    edited = api.get(path).json()
    turned = api.put(path, {**edited, "type": "Expense"})
    assert turned.json()["error"]["details"][0]["field"] == "type"


# --- payments ------------------------------------------------------------------------------------


def test_payments_change_amount_due_and_status_and_delete_reverses(
    books: Books, api: SyncClient
) -> None:
    invoice = books.invoice()
    first = books.pay(invoice["id"], "60.00").json()
    part = api.get(f"/api/invoices/{invoice['id']}").json()
    assert (part["status"], part["amountPaid"], part["amountDue"]) == ("Approved", "60.00", "50.00")
    assert part["version"] == 2
    assert (first["status"], first["currency"], first["version"]) == ("Active", "USD", 1)
    books.pay(invoice["id"], "50.00")
    paid = api.get(f"/api/invoices/{invoice['id']}").json()
    assert (paid["status"], paid["amountDue"]) == ("Paid", "0.00")
    deleted = api.post(f"/api/payments/{first['id']}/delete")
    assert (deleted.status_code, deleted.json()["status"]) == (200, "Deleted")
    back = api.get(f"/api/invoices/{invoice['id']}").json()
    assert (back["status"], back["amountPaid"], back["amountDue"]) == ("Approved", "50.00", "60.00")
    again = api.post(f"/api/payments/{first['id']}/delete")
    assert code(again) == "invalid_transition"


def test_payments_are_refused_when(books: Books) -> None:
    draft = books.invoice(status="Draft")
    assert code(books.pay(draft["id"], "10.00")) == "not_payable"
    approved = books.invoice()
    assert code(books.pay(approved["id"], "110.01")) == "amount_exceeds_due"
    bad = books.pay(approved["id"], "-1.00")
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["amount"]
    both = books.create(
        "payments",
        {"invoiceId": approved["id"], "creditNoteId": "x", "date": "2026-04-01", "amount": "1.00"},
    )
    assert "invoiceId" in [d["field"] for d in both.json()["error"]["details"]]
    books.act("invoices", approved["id"], "void")
    assert code(books.pay(approved["id"], "10.00")) == "not_payable"
    assert books.pay("inv-none", "10.00").json()["error"]["details"][0]["field"] == "invoiceId"


def test_a_document_with_payments_cannot_be_voided(books: Books) -> None:
    invoice = books.invoice()
    books.pay(invoice["id"], "10.00")
    assert code(books.act("invoices", invoice["id"], "void")) == "has_payments"


def test_a_payment_cannot_be_updated(books: Books, api: SyncClient) -> None:
    invoice = books.invoice()
    payment = books.pay(invoice["id"], "10.00").json()
    reply = api.put(f"/api/payments/{payment['id']}", payment)
    assert (reply.status_code, code(reply)) == (422, "not_updatable")


# --- credit notes: allocations and refunds -------------------------------------------------------


def test_an_allocation_moves_credit_to_the_invoice(books: Books, api: SyncClient) -> None:
    invoice = books.invoice()
    note = books.create("credit-notes", doc(status="Approved", lines=[line("50.00")])).json()
    body = {"invoiceId": invoice["id"], "amount": "30.00", "date": "2026-04-12"}
    reply = api.post(f"/api/credit-notes/{note['id']}/allocations", body)
    assert reply.status_code == 201
    after = reply.json()
    assert (after["remainingCredit"], after["amountPaid"], after["status"]) == (
        "20.00",
        "30.00",
        "Approved",
    )
    assert after["allocations"][0]["invoiceId"] == invoice["id"]
    paid_by_credit = api.get(f"/api/invoices/{invoice['id']}").json()
    assert (paid_by_credit["amountPaid"], paid_by_credit["amountDue"]) == ("30.00", "80.00")
    rest = api.post(f"/api/credit-notes/{note['id']}/allocations", {**body, "amount": "20.00"})
    assert rest.json()["status"] == "Paid"
    assert code(books.act("credit-notes", note["id"], "void")) == "invalid_transition"


def test_allocations_are_refused_when(books: Books, api: SyncClient) -> None:
    invoice = books.invoice()
    other = books.invoice(contactId="con-2")
    note = books.create("credit-notes", doc(status="Approved", lines=[line("50.00")])).json()
    draft_note = books.create("credit-notes", doc()).json()
    path = f"/api/credit-notes/{note['id']}/allocations"
    body = {"invoiceId": invoice["id"], "amount": "30.00", "date": "2026-04-12"}
    assert code(api.post(path, {**body, "amount": "50.01"})) == "amount_exceeds_due"
    assert code(api.post(path, {**body, "invoiceId": other["id"]})) == "allocation_mismatch"
    assert (
        code(api.post(f"/api/credit-notes/{draft_note['id']}/allocations", body)) == "not_payable"
    )
    missing = api.post(path, {"amount": "1.00"})
    assert [d["field"] for d in missing.json()["error"]["details"]] == ["invoiceId", "date"]
    assert api.post("/api/credit-notes/nope/allocations", body).status_code == 404


def test_an_allocation_with_a_key_is_replayed(
    books: Books, api: SyncClient, sim: Simulator
) -> None:
    invoice = books.invoice()
    note = books.create("credit-notes", doc(status="Approved")).json()
    body = {"invoiceId": invoice["id"], "amount": "30.00", "date": "2026-04-12"}
    path = f"/api/credit-notes/{note['id']}/allocations"
    first = api.post(path, body, headers={"Idempotency-Key": "alloc-1"})
    again = api.post(path, body, headers={"Idempotency-Key": "alloc-1"})
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert len(sim.companies["C1"].tables["credit-notes"][note["id"]]["allocations"]) == 1


def test_a_refund_pays_out_a_credit_note(books: Books, api: SyncClient) -> None:
    note = books.create("credit-notes", doc(status="Approved")).json()
    refund = books.pay(note["id"], "110.00", field="creditNoteId")
    assert refund.json()["creditNoteId"] == note["id"]
    after = api.get(f"/api/credit-notes/{note['id']}").json()
    assert (after["status"], after["remainingCredit"]) == ("Paid", "0.00")
