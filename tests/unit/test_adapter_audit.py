"""Spec correction 4 in the adapter: deletions are AUDITHISTORY rows whose ACCESSMODE is
``Delete`` (readByQuery's word), named by RECORDNO; a user without the custom-reports permission
is told what to grant (C5), not shown a refused record."""

from __future__ import annotations

import asyncio

import httpx
from returns.result import Result

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
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


def test_correction_4_deletions_are_read_by_the_documented_word_and_recordno() -> None:
    audit: dict[str, str | bytes] = {
        "OBJECTTYPE": "arinvoice",
        "OBJECTKEY": "412",
        "ACCESSMODE": "Delete",
        "ACCESSTIME": "05/01/2026 09:30:00",
        "SOURCE": "ui",
    }

    def answer(call: Call) -> bytes:
        return result("readByQuery", data("audithistory", rows("audithistory", audit), count=1))

    stub = Stub(answer)
    page = _deletions(stub).unwrap()
    (deleted,) = page.items
    assert deleted.key == "412"
    (sent,) = stub.calls
    assert sent.text("object") == "AUDITHISTORY"
    assert sent.text("query") == (
        "ACCESSMODE = 'Delete' AND "
        "OBJECTTYPE IN ('arinvoice', 'apbill', 'sodocument', 'podocument')"
    )


def test_correction_4_no_custom_reports_permission_names_what_to_grant() -> None:
    def answer(call: Call) -> bytes:
        return failure(
            "readByQuery",
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
            "readByQuery",
            "PL04000005",
            "You do not have permission for API operation READ_BY_QUERY on objects of type"
            " arinvoice",
        )

    error = _deletions(Stub(answer)).failure()
    assert (error.kind, error.rule) == (ErrorKind.FATAL, None)
    assert "objects of type arinvoice" in error.message
