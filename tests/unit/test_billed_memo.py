"""The payments step's memo of whom each document read in the run bills (``sync.billed``): its
memory stays at ``held`` documents however many are read, the others spilled to a temporary file
(``adapters.spill``), and it answers as a dict would (the last read of a document wins)."""

from __future__ import annotations

from datetime import date

import pytest

from released_intacct.adapters.spill import Spilled
from released_intacct.app.sync.billed import BilledMemo
from released_intacct.domain.enums import DocumentKind, InvoiceType, Origin, ReleasedInvoiceStatus
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.money import currency
from released_intacct.domain.released import BilledTo, Invoice

PAGE = 500


def _invoice(
    number: int,
    *,
    contact: str = "con-1",
    kind: DocumentKind = DocumentKind.INVOICE,
    type: InvoiceType = InvoiceType.INCOME,
) -> Invoice:
    return Invoice(
        id=ReleasedId(f"inv-{number}"),
        kind=kind,
        type=type,
        invoice_number=f"R-{number}",
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=ReleasedId(contact),
        issue_date=date(2026, 3, 1),
        due_date=None,
        currency=currency("GBP"),
        lines=(),
    )


def _page(start: int) -> list[Invoice]:
    return [
        _invoice(n, contact=f"con:{n % 37}", type=InvoiceType(list(InvoiceType)[n % 2].value))
        for n in range(start, start + PAGE)
    ]


def test_memory_holds_at_most_held_documents_over_many_pages() -> None:
    memo = BilledMemo(held=PAGE)
    for page in range(40):  # 20,000 documents: 40 times what memory holds
        memo.keep(_page(page * PAGE))
        assert memo.in_memory <= PAGE
    ids = [ReleasedId(f"inv-{n}") for n in range(40 * PAGE)]
    found = memo.of(DocumentKind.INVOICE, ids)
    assert len(found) == 40 * PAGE
    for n in (0, 1, 777, 19_999):
        invoice = _page(n - n % PAGE)[n % PAGE]
        assert found[invoice.id] == BilledTo(invoice.contact_id, invoice.origin)
    memo.close()


def test_the_last_read_of_a_document_wins_in_memory_and_on_disk() -> None:
    memo = BilledMemo(held=3)
    memo.keep([_invoice(1, contact="con-a")])
    memo.keep(_invoice(n) for n in range(2, 10))  # inv-1 spilled
    memo.keep([_invoice(1, contact="con-b", type=InvoiceType.EXPENSE)])  # held again, newer
    wanted = [ReleasedId("inv-1")]
    assert memo.of(DocumentKind.INVOICE, wanted) == {
        ReleasedId("inv-1"): BilledTo(ReleasedId("con-b"), Origin.AP)
    }
    memo.keep(_invoice(n) for n in range(10, 20))  # the newer one spilled over the older
    assert memo.of(DocumentKind.INVOICE, wanted)[ReleasedId("inv-1")].contact_id == "con-b"


def test_kinds_are_apart_and_unknown_documents_are_left_out() -> None:
    memo = BilledMemo(held=2)
    memo.keep(
        [_invoice(1, contact="con-i"), _invoice(1, contact="con-c", kind=DocumentKind.CREDIT_NOTE)]
    )
    memo.keep(_invoice(n) for n in range(2, 6))
    ids = [ReleasedId("inv-1"), ReleasedId("inv-404")]
    assert memo.of(DocumentKind.CREDIT_NOTE, ids) == {
        ReleasedId("inv-1"): BilledTo(ReleasedId("con-c"), Origin.AR)
    }
    assert memo.of(DocumentKind.INVOICE, ids)[ReleasedId("inv-1")].contact_id == "con-i"


def test_spilled_answers_more_keys_than_one_statement_holds_and_forgets_when_closed() -> None:
    kept = Spilled(held=10)
    kept.put((f"k{n}", f"v{n}") for n in range(2_000))
    assert kept.in_memory <= 10
    found = kept.get(f"k{n}" for n in range(-5, 2_000))
    assert len(found) == 2_000
    assert found["k1234"] == "v1234"
    kept.close()
    assert kept.get(["k1", "k1999"]) == {}


def test_spilled_refuses_a_bound_below_one() -> None:
    with pytest.raises(ValueError, match="held is at least 1"):
        Spilled(held=0)
