"""Spec correction 11 in the adapter: WHENMODIFIED has no zone, the session timestamp carries an
offset. Unless a zone is configured, the adapter calibrates at each log-in from that offset and,
as a fixed offset cannot follow daylight saving, reads feeds with an hour more of overlap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.intacct import GlAccount
from released_intacct.domain.ports import FeedQuery, IntacctCredentials, Page
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
SINCE = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)


def _accounts(stub: Stub, settings: ClientSettings) -> Page[GlAccount]:
    async def main() -> Page[GlAccount]:
        async with httpx.AsyncClient(transport=stub.transport()) as client:
            adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
            return await value(adapter.accounts(FeedQuery(since=SINCE)))

    return asyncio.run(main())


def _answer(call: Call) -> bytes:
    account: dict[str, str | bytes] = {
        "RECORDNO": "7",
        "ACCOUNTNO": "4000",
        "TITLE": "Rent",
        "STATUS": "active",
        "WHENMODIFIED": "03/01/2026 10:15:00",
    }
    return result("readByQuery", data("glaccount", rows("glaccount", account), count=1))


def test_correction_11_the_zone_is_calibrated_from_the_session_timestamp() -> None:
    stub = Stub(_answer)  # the SDK fixture's log-in: sessiontimestamp 2015-10-22T20:58:27-07:00
    page = _accounts(stub, ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=1))
    (account,) = page.items
    seven_west = timezone(timedelta(hours=-7))
    assert account.modified_at == datetime(2026, 3, 1, 10, 15, tzinfo=seven_west)
    (read,) = stub.calls
    # 17:00 UTC less the overlap (5 minutes) and an hour for daylight saving, at -07:00
    assert read.text("query") == "WHENMODIFIED >= '03/01/2026 08:55:00'"


def test_correction_11_a_configured_zone_wins_and_keeps_daylight_saving() -> None:
    stub = Stub(_answer)
    london = ZoneInfo("Europe/London")
    settings = ClientSettings(
        endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=1, company_tz=london
    )
    page = _accounts(stub, settings)
    (account,) = page.items
    assert account.modified_at == datetime(2026, 3, 1, 10, 15, tzinfo=london)
    (read,) = stub.calls
    assert read.text("query") == "WHENMODIFIED >= '03/01/2026 16:55:00'"
