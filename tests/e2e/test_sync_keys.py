"""Issue 16, F3: the key of a create lives where users do not write, and a create whose outcome is
unknown is never sent twice silently.

The demo pair (``fakes.demo_pair``) is onboarded and confirmed; then a Re-Leased user adds a
customer contact, and the next sync creates it in Intacct. The way to Intacct loses the reply to
that create (it ran) and then goes down, so the run cannot look it up and stops with the intent
open. Before the next sync an Intacct user edits the new customer:

- its comments only (where the key used to be written): the next sync finds it by its key and
  links it; one customer, one contact;
- its comments, and its display contact's name (where the key is written now) changes too: no
  API function takes that name after the create (so the test changes it in the simulator's
  table, as a person with other means might), nothing carries the key, and the next sync names
  the customer of the same name as a candidate (NEEDS_USER), keeps the intent open and sends
  nothing; the user links it (``intents.resolve``) and the sync after that links the two and
  carries on. Never a second customer nor a second contact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from released_intacct.app.intents import open_writes, resolve
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.links import Link
from released_intacct.domain.results import RunStatus, SyncResult
from released_intacct.domain.state import Resolution, ResultFilter, Run, StateStore
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import RL_DEMO, STORES, confirmed, demo_pair, on_store

NAME = "Meadow Yoga Studio"


class Network:
    """The way to Intacct (around the simulator's app): it can lose the reply to the next create
    of a customer (the create runs, its answer never comes back) and then be down until restored."""

    def __init__(self) -> None:
        self.armed = False
        self.down = False

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def way(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if self.down:
                raise httpx.ConnectError("the network is down")
            messages: list[Message] = [await receive()]
            while messages[-1].get("more_body", False):
                messages.append(await receive())
            replay = iter(messages)

            async def again() -> Message:
                return next(replay, {"type": "http.disconnect"})

            if not (self.armed and b"<create><CUSTOMER>" in b"".join(_bodies(messages))):
                await app(scope, again, send)
                return

            async def lost(_: Message) -> None:
                return None

            await app(scope, again, lost)
            self.armed, self.down = False, True
            raise httpx.ReadTimeout("the reply was lost")

        return way


def _bodies(messages: list[Message]) -> list[bytes]:
    return [bytes(m.get("body", b"")) for m in messages]


@dataclass(frozen=True)
class Outcome:
    runs: tuple[Run, ...]
    results: tuple[tuple[SyncResult, ...], ...]
    """What each run after confirm reported (seen at or after its start)."""
    open_after: tuple[int, ...]
    """Open intents after each run."""
    customers: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    links: tuple[Link, ...]


Answer = Callable[[dict[str, Any]], Resolution]
"""What the user answers about the open create, given the customer Intacct holds."""


async def _scenario(
    store: StateStore, *, edit: str, renamed: str | None, then: Answer | None
) -> Outcome:
    network = Network()
    async with demo_pair(store, before_intacct=network.wrap) as pair:
        id = await confirmed(pair)
        pair.clock.advance()
        contact = {"name": NAME, "email": "hello@meadowyoga.example", "role": "Customer"}
        body = contact | {"currency": "USD"}
        await pair.released_user.ok("POST", "contacts", body, key="new-meadow")
        pair.clock.advance()
        network.armed = True
        runs = [await value(pair.sync.run(id))]
        network.down = False
        (customer,) = _named(pair.intacct.companies["DEMO"].tables["CUSTOMER"])
        await pair.intacct_user.run(
            f"<update><CUSTOMER><CUSTOMERID>{customer['CUSTOMERID']}</CUSTOMERID>"
            f"{edit}</CUSTOMER></update>"
        )
        if renamed is not None:
            stored = pair.intacct.companies["DEMO"].by_field(
                "CUSTOMER", "CUSTOMERID", customer["CUSTOMERID"]
            )
            assert stored is not None
            display = stored["DISPLAYCONTACT"]
            assert isinstance(display, dict)
            display["CONTACTNAME"] = renamed
        opened = [len(await value(store.open_intents(id)))]

        async def sync() -> None:
            pair.clock.advance()
            runs.append(await value(pair.sync.run(id)))
            opened.append(len(await value(store.open_intents(id))))

        await sync()
        if then is not None:
            (write,) = await value(open_writes(store, id))
            await value(resolve(store, id, write.intent.key, then(customer)))
            await sync()
        everything = await value(store.results(id, ResultFilter(limit=1000)))
        return Outcome(
            runs=tuple(runs),
            results=tuple(
                tuple(r for r in everything if r.last_seen >= run.started_at) for run in runs
            ),
            open_after=tuple(opened),
            customers=_named(pair.intacct.companies["DEMO"].tables["CUSTOMER"]),
            contacts=_named(pair.released.companies[RL_DEMO].tables["contacts"]),
            links=await value(store.links(id, RecordType.CONTACT)),
        )


def _named(table: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(row) for row in table.values() if str(row.get("NAME", row.get("name"))) == NAME]


def _run(
    kind: str,
    tmp_path: Path,
    *,
    edit: str,
    renamed: str | None = None,
    then: Answer | None = None,
) -> Outcome:
    scenario = partial(_scenario, edit=edit, renamed=renamed, then=then)
    return on_store(kind, lambda: tmp_path, scenario)


@pytest.mark.parametrize("kind", STORES)
def test_F3_a_customer_whose_create_reply_was_lost_is_found_by_its_key_after_a_comments_edit(
    kind: str, tmp_path: Path
) -> None:
    outcome = _run(kind, tmp_path, edit="<COMMENTS>Prefers to be called in the morning</COMMENTS>")
    assert outcome.runs[0].status is RunStatus.FAILED, "the lost reply stops the first run"
    assert outcome.open_after == (1, 0)
    assert len(outcome.customers) == 1, outcome.customers
    assert len(outcome.contacts) == 1, (outcome.contacts, _said(outcome.results[1]))
    (customer,) = outcome.customers
    (contact,) = outcome.contacts
    linked = [link.intacct_key for link in outcome.links if link.released_id == contact["id"]]
    assert linked == [f"CUSTOMER:{customer['CUSTOMERID']}"], _said(outcome.results[1])


def _said(results: tuple[SyncResult, ...]) -> list[str]:
    return [f"{r.kind.value} {r.released_id} {r.intacct_key}: {r.message}" for r in results]


def _link(customer: dict[str, Any]) -> Resolution:
    return Resolution.link(IntacctKey(f"CUSTOMER:{customer['CUSTOMERID']}"))


@pytest.mark.parametrize("kind", STORES)
def test_F3_with_the_key_field_edited_too_the_candidate_is_named_and_nothing_is_sent_twice(
    kind: str, tmp_path: Path
) -> None:
    edit = "<COMMENTS>Prefers email</COMMENTS>"
    outcome = _run(kind, tmp_path, edit=edit, renamed="Meadow Yoga (front desk)", then=_link)
    assert [run.status for run in outcome.runs[:2]] == [RunStatus.FAILED, RunStatus.FAILED]
    assert outcome.open_after == (1, 1, 0), "kept open until the user answers"
    (customer,) = outcome.customers
    assert len(outcome.contacts) == 1, (outcome.contacts, _said(outcome.results[2]))
    (contact,) = outcome.contacts
    (asked,) = [r for r in outcome.results[1] if r.released_id == contact["id"]]
    assert asked.kind is ErrorKind.NEEDS_USER, asked
    assert f'CUSTOMER:{customer["CUSTOMERID"]} "{NAME}"' in asked.message, asked
    assert "--link" in asked.fix, asked
    assert "--send-again" in asked.fix, asked
    linked = [link.intacct_key for link in outcome.links if link.released_id == contact["id"]]
    assert linked == [f"CUSTOMER:{customer['CUSTOMERID']}"], _said(outcome.results[2])
