"""The Re-Leased adapter against its simulator served for real: drops and changing lists."""

from __future__ import annotations

import asyncio

import httpx

from released_intacct.adapters.released import ReleasedAdapter, ReleasedSettings
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.ports import FeedQuery
from released_intacct.domain.released import Contact, TrackingCategory, TrackingOption
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.simulator import Simulator


def _adapter(base: str, client: httpx.AsyncClient, *, page_size: int = 500) -> ReleasedAdapter:
    settings = ReleasedSettings(page_size=page_size, backoff=0.001, backoff_cap=0.01)
    return ReleasedAdapter(
        client, base_url=base, api_key=Secret("key-1"), company_id="co-1", settings=settings
    )


def test_a_create_retried_after_a_dropped_connection_creates_once() -> None:
    sim = Simulator()
    company = sim.add_company("co-1", "key-1")
    with serving(create_app(sim)) as base:
        rule = {"kind": "drop", "method": "POST", "resource": "contacts", "times": 1}
        httpx.post(f"{base}/_sim/faults", json=rule).raise_for_status()

        async def main() -> str:
            async with httpx.AsyncClient(timeout=10) as client:
                made = await value(
                    _adapter(base, client).create(
                        IdempotencyKey("ri-drop-1"), Contact(id=ReleasedId("new"), name="Acme")
                    )
                )
                return made.id

        made_id = asyncio.run(main())
        fired = httpx.get(f"{base}/_sim/faults").json()["faults"][0]
    assert fired["fired"] == 1  # the first POST really was dropped
    contacts = company.tables["contacts"]
    assert [c["id"] for c in contacts.values()] == [made_id]


def test_a_record_modified_while_the_feed_is_paged_is_not_passed_over() -> None:
    sim = Simulator()
    company = sim.add_company("co-1", "key-1")
    sim.load(company, {"contacts": [{"name": f"Tenant {n}"} for n in range(7)]})
    with serving(create_app(sim)) as base:

        async def main() -> set[str]:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client, page_size=3)
                seen: set[str] = set()
                first = await value(adapter.contacts(FeedQuery()))
                seen |= {c.id for c in first.items}
                early = first.items[0]
                renamed = Contact(id=early.id, name="Renamed early", version=early.version)
                await value(adapter.update(renamed))  # it moves to the end of the list
                token = first.next_token
                while token is not None:
                    page = await value(adapter.contacts(FeedQuery(token=token)))
                    seen |= {c.id for c in page.items}
                    token = page.next_token
                return seen

        seen = asyncio.run(main())
    assert seen == set(company.tables["contacts"])


def test_new_options_of_one_category_are_written_in_one_read_and_one_write_of_it() -> None:
    """M2 at scale: a customer dimension of thousands of values must not rewrite its category
    once per new option (a request each, and the whole category sent each time)."""
    sim = Simulator()
    sim.add_company("co-1", "key-1")
    with serving(create_app(sim)) as base:

        async def main() -> list[object]:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client)
                made = await value(
                    adapter.create(
                        IdempotencyKey("tc"), TrackingCategory(id=ReleasedId("x"), name="Customer")
                    )
                )
                options = [
                    TrackingOption(
                        id=ReleasedId(f"ri-{n}"), name=f"Tenant {n}", category_id=made.id
                    )
                    for n in range(40)
                ]
                outcomes = await value(
                    adapter.create_all([(IdempotencyKey(o.id), o) for o in options])
                )
                return [getattr(outcome.unwrap(), "name", "") for outcome in outcomes]

        names = asyncio.run(main())
        stats = httpx.get(f"{base}/_sim/stats").json()["companies"]["co-1"]
    assert names == [f"Tenant {n}" for n in range(40)]
    assert stats["requests"] == 3  # the category's create, one read and one write of it
