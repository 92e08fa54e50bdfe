"""``crash_state.duplicates``: what the sync crash test counts as written twice (issue 20: over
the REST API an Intacct document carries no source reference, so documents are also counted by
number and party)."""

from __future__ import annotations

from typing import Any

from released_intacct.fakes.crash_state import duplicates


def _invoice(number: str, customer: str) -> dict[str, Any]:
    return {"RECORDNO": number[-1], "RECORDID": number, "CUSTOMERID": customer}


def _released(*invoices: tuple[str, str]) -> dict[str, list[dict[str, Any]]]:
    rows = [
        {"id": f"inv-{n}", "type": "Income", "invoiceNumber": number, "contactId": contact}
        for n, (number, contact) in enumerate(invoices)
    ]
    return {"invoices": rows, "contacts": [{"id": "con-a", "name": "A"}]}


def test_outbox_an_intacct_document_held_twice_by_number_and_party_is_a_duplicate() -> None:
    intacct = {"ARINVOICE": [_invoice("INV-1", "CUS-1"), _invoice("INV-1", "CUS-1")]}
    assert duplicates(intacct, _released()) == ["intacct ARINVOICE INV-1 CUS-1"]


def test_outbox_one_number_for_two_parties_or_two_contacts_is_no_duplicate() -> None:
    intacct = {"ARINVOICE": [_invoice("INV-1", "CUS-1"), _invoice("INV-1", "CUS-2")]}
    released = _released(("INV-0005", "con-a"), ("INV-0005", "ri-0001"))
    assert duplicates(intacct, released) == []
    twice = _released(("INV-0005", "con-a"), ("INV-0005", "con-a"))
    assert duplicates({}, twice) == ["released invoices Income INV-0005 con-a"]
