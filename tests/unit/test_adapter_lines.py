"""Spec correction 1 in the adapter: a page of headers, then its lines in bulk; a refused line
object falls back to ``read``; a document with a total whose lines do not come is read again and
then reported, never synced empty."""

from __future__ import annotations

import asyncio

import httpx
from returns.result import Result

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.ports import FeedQuery, IntacctCredentials, Page
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.gateway_stub import Call, Stub, data, failure, result, rows

CREDENTIALS = IntacctCredentials(
    sender_id="s",
    sender_password=Secret("sender-pass"),
    company_id="C",
    user_id="u",
    user_password=Secret("user-pass"),
)


def _header(recordno: str, total: str = "300.00") -> dict[str, str | bytes]:
    return {
        "RECORDNO": recordno,
        "RECORDID": f"INV-{recordno}",
        "STATE": "Posted",
        "CUSTOMERID": "C1",
        "WHENCREATED": "03/01/2026",
        "CURRENCY": "USD",
        "TOTALENTERED": total,
        "WHENMODIFIED": "03/01/2026 09:30:00",
    }


def _line(recordkey: str, line_no: str, amount: str) -> dict[str, str | bytes]:
    return {
        "RECORDNO": f"9{recordkey}{line_no}",
        "RECORDKEY": recordkey,
        "LINE_NO": line_no,
        "ACCOUNTNO": "4000",
        "TRX_AMOUNT": amount,
    }


def _headers(*headers: dict[str, str | bytes]) -> bytes:
    return result("readByQuery", data("arinvoice", rows("arinvoice", *headers), count=len(headers)))


def _read(stub: Stub) -> Page[Transaction]:
    async def main() -> Page[Transaction]:
        async with httpx.AsyncClient(transport=stub.transport()) as client:
            settings = ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=1)
            adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
            page = await value(adapter.transactions(Origin.AR, DocumentKind.INVOICE, FeedQuery()))
            return Page(items=tuple(page.items), problems=page.problems)

    return asyncio.run(main())


def test_correction_1_a_page_of_headers_takes_one_line_query_for_all_its_lines() -> None:
    lines = [_line("11", "2", "100.00"), _line("11", "1", "200.00"), _line("12", "1", "50.00")]

    def answer(call: Call) -> bytes:
        if call.text("object") == "ARINVOICE":
            return _headers(_header("11"), _header("12", "50.00"))
        assert call.text("object") == "ARINVOICEITEM"
        assert call.text("query") == "RECORDKEY IN ('11', '12')"
        return result("readByQuery", data("arinvoiceitem", rows("arinvoiceitem", *lines), count=3))

    stub = Stub(answer)
    page = _read(stub)
    first, second = page.items
    assert [line.amount for line in first.lines] == [200, 100]
    assert [line.amount for line in second.lines] == [50]
    assert [call.text("object") for call in stub.calls] == ["ARINVOICE", "ARINVOICEITEM"]


def test_correction_1_a_refused_line_object_is_read_with_read_from_then_on() -> None:
    nested = rows("arinvoiceitem", _line("11", "1", "300.00"))

    def answer(call: Call) -> bytes:
        if call.name == "readByQuery" and call.text("object") == "ARINVOICE":
            return _headers(_header("11"))
        if call.name == "readByQuery":
            return failure(
                "readByQuery", "Query Failed", "Object definition ARINVOICEITEM not found"
            )
        header = rows("ARINVOICE", {**_header("11"), "ARINVOICEITEMS": nested})
        return result("read", data("ARINVOICE", header, count=1))

    stub = Stub(answer)
    page = _read(stub)
    (invoice,) = page.items
    assert [line.amount for line in invoice.lines] == [300]
    assert [call.name for call in stub.calls] == ["readByQuery", "readByQuery", "read"]
    assert stub.calls[-1].text("keys") == "11"


def test_correction_1_lines_that_did_not_come_are_read_again_with_read() -> None:
    nested = rows("arinvoiceitem", _line("11", "1", "300.00"))

    def answer(call: Call) -> bytes:
        if call.name == "readByQuery" and call.text("object") == "ARINVOICE":
            return _headers(_header("11"), _header("12", "0.00"))
        if call.name == "readByQuery":
            return result("readByQuery", data("arinvoiceitem", b"", count=0))
        assert call.text("keys") == "11"  # only the one with a total: a zero total needs none
        header = rows("ARINVOICE", {**_header("11"), "ARINVOICEITEMS": nested})
        return result("read", data("ARINVOICE", header, count=1))

    stub = Stub(answer)
    page = _read(stub)
    assert [len(tx.lines) for tx in page.items] == [1, 0]
    assert page.problems == ()


def test_correction_1_a_document_whose_lines_never_come_is_reported_not_synced_empty() -> None:
    def answer(call: Call) -> bytes:
        if call.name == "readByQuery" and call.text("object") == "ARINVOICE":
            return _headers(_header("11"), _header("12", "50.00"))
        if call.name == "readByQuery":
            lines = rows("arinvoiceitem", _line("12", "1", "50.00"))
            return result("readByQuery", data("arinvoiceitem", lines, count=1))
        return result("read", data("ARINVOICE", rows("ARINVOICE", _header("11")), count=1))

    page = _read(Stub(answer))
    (synced,) = page.items
    assert synced.number == "INV-12"
    (problem,) = page.problems
    assert (problem.kind, problem.rule) == (ErrorKind.REJECTED, Rule.M1)
    assert "ARINVOICE 11 INV-11 has a total but its lines could not be read" in problem.message
    assert problem.record is not None
    assert problem.record.intacct_key == "11"


def test_F6_a_read_by_key_answered_with_more_records_than_keys_is_refused_unread() -> None:
    """Issue 16, F6: ``read`` answers at most one record per key; a reply holding more is refused
    before any of its records is read (FATAL: the same question would get the same answer)."""

    def answer(call: Call) -> bytes:
        if call.name == "readByQuery" and call.text("object") == "ARINVOICE":
            return _headers(_header("11"))
        if call.name == "readByQuery":
            return failure("readByQuery", "Query Failed", "Object definition not found")
        assert call.text("keys") == "11"
        twice = rows("ARINVOICE", _header("11"), _header("12"))
        return result("read", data("ARINVOICE", twice, count=2))

    async def main() -> Result[Page[Transaction], SyncError]:
        async with httpx.AsyncClient(transport=Stub(answer).transport()) as client:
            settings = ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=3)
            adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
            return await settled(adapter.transactions(Origin.AR, DocumentKind.INVOICE, FeedQuery()))

    error = asyncio.run(main()).failure()
    assert error.kind is ErrorKind.FATAL, error
    assert "read of ARINVOICE with 2 records where at most 1 were asked for" in error.message
