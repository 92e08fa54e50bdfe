"""The Re-Leased adapter against the simulator, in process (httpx.ASGITransport, no socket)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from returns.future import FutureResult
from returns.io import IOResult
from returns.pipeline import is_successful
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.released import ReleasedAdapter, ReleasedSettings
from released_intacct.domain.enums import DocumentKind, RecordType, ReleasedInvoiceStatus
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.money import Currency
from released_intacct.domain.ports import FeedQuery, ReleasedPort
from released_intacct.domain.released import Contact, Invoice, TrackingOption
from released_intacct.domain.secret import Secret
from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.seed import API_KEY, COMPANY_ID, load_demo
from released_intacct.fakes.simulators.released.simulator import Simulator

T = TypeVar("T")
IKEY = IdempotencyKey("ri-00000000000000000000000000000001")
Scenario = Callable[[ReleasedAdapter, httpx.AsyncClient], Awaitable[None]]


async def _nap(_: float) -> None:
    return None


def on_demo(scenario: Scenario, **settings: Any) -> None:
    async def main() -> None:
        sim = Simulator()
        load_demo(sim, now=datetime(2026, 3, 1, tzinfo=UTC))
        transport = httpx.ASGITransport(app=create_app(sim))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            released = ReleasedAdapter(
                client,
                base_url="http://sim",
                api_key=Secret(API_KEY),
                company_id=COMPANY_ID,
                settings=ReleasedSettings(**settings),
                sleep=_nap,
            )
            await scenario(released, client)

    asyncio.run(main())


async def ok(call: FutureResult[T, SyncError]) -> T:
    result: IOResult[T, SyncError] = await call
    assert is_successful(result), result
    return unsafe_perform_io(result.unwrap())


async def failed(call: FutureResult[T, SyncError]) -> SyncError:
    result: IOResult[T, SyncError] = await call
    assert not is_successful(result)
    return unsafe_perform_io(result.failure())


async def stored(client: httpx.AsyncClient, resource: str) -> list[dict[str, Any]]:
    reply = await client.get(f"/_sim/companies/{COMPANY_ID}/records/{resource}")
    records: list[dict[str, Any]] = reply.json()["records"]
    return records


def test_every_demo_feed_reads_without_problems_in_small_pages() -> None:
    async def scenario(released: ReleasedAdapter, _: httpx.AsyncClient) -> None:
        port: ReleasedPort = released  # mypy checks that the adapter is the port
        feeds = {
            "contacts": port.contacts,
            "accounts": port.accounts,
            "tax_types": port.tax_types,
            "tracking_categories": port.tracking_categories,
            "payments": port.payments,
        }
        for name, feed in feeds.items():
            query, count = FeedQuery(), 0
            while True:
                page = await ok(feed(query))
                assert page.problems == (), name
                count += len(page.items)
                if page.next_token is None:
                    break
                query = FeedQuery(token=page.next_token)
            assert count > 0, name
        notes = await ok(port.invoices(DocumentKind.CREDIT_NOTE, FeedQuery()))
        assert notes.items[0].kind is DocumentKind.CREDIT_NOTE

    on_demo(scenario, page_size=2)


def test_a_create_whose_reply_is_lost_after_commit_is_replayed_not_duplicated() -> None:
    contact = Contact(id=ReleasedId(IKEY), name="Replay Ltd", currency=Currency("USD"))

    async def scenario(released: ReleasedAdapter, client: httpx.AsyncClient) -> None:
        fault = {"kind": "timeout_after_commit", "method": "POST", "resource": "contacts",
                 "times": 1}  # fmt: skip
        assert (await client.post("/_sim/faults", json=fault)).status_code < 300
        created = await ok(released.create(IKEY, contact))
        assert created.id == ReleasedId(IKEY)
        again = await ok(released.create(IKEY, contact))
        assert again == created
        names = [row["name"] for row in await stored(client, "contacts")]
        assert names.count("Replay Ltd") == 1
        assert await ok(released.find_by_key(RecordType.CONTACT, IKEY)) == created

    on_demo(scenario)


def test_a_stale_update_is_a_retriable_conflict_and_a_fresh_one_lands() -> None:
    async def scenario(released: ReleasedAdapter, _: httpx.AsyncClient) -> None:
        page = await ok(released.contacts(FeedQuery()))
        first = page.items[0]
        renamed = await ok(released.update(replace(first, email="new@example.test")))
        assert isinstance(renamed, Contact)
        assert renamed.version == first.version + 1
        conflict = await failed(released.update(replace(first, email="stale@example.test")))
        assert conflict.kind is ErrorKind.RETRIABLE
        assert "changed in Re-Leased meanwhile" in conflict.message

    on_demo(scenario)


def test_void_and_a_repeated_void_of_an_approved_invoice() -> None:
    async def scenario(released: ReleasedAdapter, _: httpx.AsyncClient) -> None:
        page = await ok(released.invoices(DocumentKind.INVOICE, FeedQuery()))
        approved = ReleasedInvoiceStatus.APPROVED
        target: Invoice = next(i for i in page.items if i.status is approved and not i.amount_paid)
        await ok(released.void(RecordType.INVOICE, target.id))
        await ok(released.void(RecordType.INVOICE, target.id))
        after = await ok(released.invoices(DocumentKind.INVOICE, FeedQuery()))
        (voided,) = [i for i in after.items if i.id == target.id]
        assert voided.status is ReleasedInvoiceStatus.VOIDED

    on_demo(scenario)


def test_D20_a_document_is_looked_up_as_re_leased_holds_it_and_none_when_it_is_gone() -> None:
    """``document_held`` (the copy checked before Intacct's unposted version is written over it)
    reads each document as its feed does; an unknown id is None, not an error."""

    async def scenario(released: ReleasedAdapter, _: httpx.AsyncClient) -> None:
        for kind in DocumentKind:
            page = await ok(released.invoices(kind, FeedQuery()))
            for listed in page.items[:3]:
                assert await ok(released.document_held(kind, listed.id)) == listed
            assert await ok(released.document_held(kind, ReleasedId("no-such-id"))) is None

    on_demo(scenario)


def test_a_tracking_option_is_created_through_its_category_once() -> None:
    async def scenario(released: ReleasedAdapter, _: httpx.AsyncClient) -> None:
        (category, *_others) = (await ok(released.tracking_categories(FeedQuery()))).items
        option = TrackingOption(id=ReleasedId(IKEY), name="North Region", category_id=category.id)
        created = await ok(released.create(IKEY, option))
        assert created == option
        assert await ok(released.create(IKEY, option)) == option
        found = await ok(released.find_by_key(RecordType.TRACKING_OPTION, IKEY))
        assert found == option
        listed = (await ok(released.tracking_categories(FeedQuery()))).items
        (after,) = [found for found in listed if found.id == category.id]
        assert [o.name for o in after.options].count("North Region") == 1

    on_demo(scenario)
