"""Spec correction 4 in the adapter: deletions are AUDITHISTORY rows read with ``query`` (whose
ACCESSMODE is the letter ``D``), named by RECORDNO; a page Intacct fails to process is read again
smaller, an entry that fails even alone is passed over and reported (D8); a user without the
custom-reports permission is told what to grant (C5), not shown a refused record."""

from __future__ import annotations

import asyncio

import httpx
from returns.result import Result

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.paging import All, read_all
from released_intacct.app.ports import awaited
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.intacct import Deletion
from released_intacct.domain.ports import FeedQuery, IntacctCredentials, Page
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled
from released_intacct.fakes.gateway_stub import Call, Stub, data, failure, result, rows

CREDENTIALS = IntacctCredentials(
    sender_id="s",
    sender_password=Secret("sender-pass"),
    company_id="C",
    user_id="u",
    user_password=Secret("user-pass"),
)


def _deletions(stub: Stub) -> Result[Page[Deletion], SyncError]:
    async def main() -> Result[Page[Deletion], SyncError]:
        async with httpx.AsyncClient(transport=stub.transport()) as client:
            settings = ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=1)
            adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
            return await settled(adapter.deletions(RecordType.INVOICE, FeedQuery()))

    return asyncio.run(main())


def _entry(key: str) -> dict[str, str | bytes]:
    return {
        "OBJECTTYPE": "arinvoice",
        "OBJECTKEY": key,
        "ACCESSMODE": "D",
        "ACCESSTIME": "05/01/2026 09:30:00",
    }


def _window(call: Call, entries: list[dict[str, str | bytes]]) -> bytes:
    """A ``query`` page of ``entries`` at the call's offset and size."""
    offset, size = int(call.text("offset")), int(call.text("pagesize"))
    page = entries[offset : offset + size]
    left = max(0, len(entries) - offset - len(page))
    body = rows("AUDITHISTORY", *page)
    return result("query", data("AUDITHISTORY", body, count=len(page), remaining=left))


def _deletions_read(stub: Stub) -> All[Deletion]:
    async def main() -> All[Deletion]:
        async with httpx.AsyncClient(transport=stub.transport()) as client:
            settings = ClientSettings(
                endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=1, page_size=100
            )
            adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
            found = await read_all(
                awaited(lambda q: adapter.deletions(RecordType.INVOICE, q)), what="deletions"
            )
            return found.unwrap()

    return asyncio.run(main())


def test_correction_4_deletions_are_read_with_query_by_the_documented_letter() -> None:
    stub = Stub(lambda call: _window(call, [_entry("412")]))
    page = _deletions(stub).unwrap()
    (deleted,) = page.items
    assert deleted.key == "412"
    (sent,) = stub.calls
    assert (sent.name, sent.text("object")) == ("query", "AUDITHISTORY")
    assert [f.text for f in sent.function.iterfind("select/field")] == [
        "OBJECTTYPE",
        "OBJECTKEY",
        "ACCESSMODE",
        "ACCESSTIME",
    ]
    assert sent.function.findtext("filter/and/equalto/value") == "D"
    kinds = [v.text for v in sent.function.iterfind("filter/and/in/value")]
    assert kinds == ["arinvoice", "apbill", "sodocument", "podocument"]


def test_correction_4_a_page_intacct_fails_to_process_is_read_again_smaller() -> None:
    entries = [_entry(str(400 + n)) for n in range(60)]

    def answer(call: Call) -> bytes:
        if int(call.text("pagesize")) > 10:
            return failure("query", "DL02000001", "There was an error processing the request.")
        return _window(call, entries)

    stub = Stub(answer)
    page = _deletions_read(stub)
    assert [d.key for d in page.items] == [str(400 + n) for n in range(60)]
    assert page.problems == ()
    sizes = [int(c.text("pagesize")) for c in stub.calls]
    assert sizes[:3] == [100, 25, 6]
    assert set(sizes[3:]) == {6}


def test_correction_4_D8_an_entry_that_fails_even_alone_is_passed_over_and_reported() -> None:
    entries = [_entry(str(400 + n)) for n in range(5)]

    def answer(call: Call) -> bytes:
        offset, size = int(call.text("offset")), int(call.text("pagesize"))
        if offset <= 2 < offset + size:
            return failure("query", "DL02000001", "There was an error processing the request.")
        return _window(call, entries)

    page = _deletions_read(Stub(answer))
    assert [d.key for d in page.items] == ["400", "401", "403", "404"]
    (problem,) = page.problems
    assert (problem.kind, problem.rule) == (ErrorKind.NEEDS_USER, Rule.D8)
    assert "audit trail" in problem.message
    assert "may not be seen" in problem.message
    assert problem.record is not None
    assert problem.record.label == "AUDITHISTORY position 2"


def test_correction_4_no_custom_reports_permission_names_what_to_grant() -> None:
    def answer(call: Call) -> bytes:
        return failure(
            "query",
            "PL04000005",
            "You do not have permission for API operation READ_BY_QUERY on objects of type"
            " audithistory",
        )

    error = _deletions(Stub(answer)).failure()
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C5)
    assert "audit trail" in error.message
    assert "View permission for Custom reports" in error.fix
    assert error.cause is not None
    assert error.cause.startswith("PL04000005")


def test_a_missing_permission_elsewhere_is_fatal_and_names_it() -> None:
    def answer(call: Call) -> bytes:
        return failure(
            "query",
            "PL04000005",
            "You do not have permission for API operation READ_BY_QUERY on objects of type"
            " arinvoice",
        )

    error = _deletions(Stub(answer)).failure()
    assert (error.kind, error.rule) == (ErrorKind.FATAL, None)
    assert "objects of type arinvoice" in error.message
