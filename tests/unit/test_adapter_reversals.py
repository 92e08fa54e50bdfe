"""Spec correction 3 in the adapter: a Reversal entry names no original, so the feed pairs it
with the record it reverses (same party, STATE Reversed, opposite total, earlier record number;
a bill's ``Reversed - <number>`` narrows the search) and leaves an unpairable one unpaired."""

from __future__ import annotations

import asyncio

import httpx

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.enums import DocumentKind, IntacctState, Origin
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.ports import FeedQuery, IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.gateway_stub import Call, Stub, data, result, rows

CREDENTIALS = IntacctCredentials(
    sender_id="s",
    sender_password=Secret("sender-pass"),
    company_id="C",
    user_id="u",
    user_password=Secret("user-pass"),
)
Row = dict[str, str | bytes]


def _document(recordno: str, state: str, total: str, number: str, party: str = "C1") -> Row:
    return {
        "RECORDNO": recordno,
        "RECORDID": number,
        "STATE": state,
        "CUSTOMERID": party,
        "VENDORID": party,
        "WHENCREATED": "03/01/2026",
        "CURRENCY": "USD",
        "TOTALENTERED": total,
        "WHENMODIFIED": "03/02/2026 09:30:00",
    }


def _line(recordkey: str, amount: str) -> Row:
    return {
        "RECORDNO": f"9{recordkey}",
        "RECORDKEY": recordkey,
        "LINE_NO": "1",
        "ACCOUNTNO": "4000",
        "TRX_AMOUNT": amount,
    }


def _read(stub: Stub, origin: Origin) -> list[Transaction]:
    async def main() -> list[Transaction]:
        async with httpx.AsyncClient(transport=stub.transport()) as client:
            settings = ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=1)
            adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
            feed = adapter.transactions(origin, DocumentKind.INVOICE, FeedQuery())
            return list((await value(feed)).items)

    return asyncio.run(main())


def _answer(object_name: str, page: list[Row], candidates: list[Row], lines: list[Row]) -> Stub:
    def answer(call: Call) -> bytes:
        name = call.text("object")
        if (
            name == object_name
            and "CUSTOMERID" not in call.text("query")
            and ("VENDORID" not in call.text("query"))
        ):
            return result("readByQuery", data(name, rows(name, *page), count=len(page)))
        if name == object_name:
            return result("readByQuery", data(name, rows(name, *candidates), count=len(candidates)))
        return result("readByQuery", data(name, rows(name, *lines), count=len(lines)))

    return Stub(answer)


def test_correction_3_a_reversal_is_paired_with_the_latest_earlier_reversed_invoice() -> None:
    reversal = _document("30", "Reversal", "-120.00", "INV-30")
    candidates = [
        _document("10", "Reversed", "120.00", "INV-10"),
        _document("20", "Reversed", "120.00", "INV-20"),
        _document("25", "Reversed", "99.00", "INV-25"),  # not the opposite total
        _document("28", "Posted", "120.00", "INV-28"),  # not reversed
        _document("40", "Reversed", "120.00", "INV-40"),  # later than the reversal
        reversal,
    ]
    stub = _answer("ARINVOICE", [reversal], candidates, [_line("30", "-120.00")])
    (entry,) = _read(stub, Origin.AR)
    assert entry.state is IntacctState.REVERSAL
    assert entry.reverses == "20"
    (search,) = [
        c for c in stub.named("readByQuery", "ARINVOICE") if "CUSTOMERID" in c.text("query")
    ]
    assert search.text("query") == "CUSTOMERID = 'C1'"


def test_correction_3_a_bill_reversal_numbered_after_its_original_narrows_the_search() -> None:
    reversal = _document("31", "Reversal", "-80.00", "Reversed - B-7", party="V1")
    original = _document("12", "Reversed", "80.00", "B-7", party="V1")
    stub = _answer("APBILL", [reversal], [original], [_line("31", "-80.00")])
    (entry,) = _read(stub, Origin.AP)
    assert entry.reverses == "12"
    (search,) = [c for c in stub.named("readByQuery", "APBILL") if "VENDORID" in c.text("query")]
    assert search.text("query") == "VENDORID = 'V1' AND RECORDID = 'B-7'"


def test_correction_3_a_reversal_with_no_matching_original_stays_unpaired() -> None:
    reversal = _document("30", "Reversal", "-120.00", "INV-30")
    other = _document("10", "Reversed", "75.00", "INV-10")
    stub = _answer("ARINVOICE", [reversal], [other, reversal], [_line("30", "-120.00")])
    (entry,) = _read(stub, Origin.AR)
    assert entry.state is IntacctState.REVERSAL
    assert entry.reverses is None


def test_correction_3_a_page_without_reversals_costs_no_search() -> None:
    invoice = _document("10", "Posted", "120.00", "INV-10")
    stub = _answer("ARINVOICE", [invoice], [], [_line("10", "120.00")])
    (entry,) = _read(stub, Origin.AR)
    assert entry.reverses is None
    assert [c.text("object") for c in stub.calls] == ["ARINVOICE", "ARINVOICEITEM"]
