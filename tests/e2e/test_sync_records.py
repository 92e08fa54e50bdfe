"""No false conflicts, no silent cents: the demo pair over HTTP (issue 16, F8 and F9).

F8: an update of the demo's unposted Order Entry invoice (``inv-0002``, in Intacct ``Sales
Invoice-INV-0002``) is sent, committed by Intacct, and its reply lost (the simulator's
``timeout_after_commit`` fault, on every attempt): the run stops with the intent open. Intacct had
computed the line's tax meanwhile (rule D17). The next run settles the intent from what Intacct
holds, comparing only what the update wrote: it landed, so there is no D20 result (there were two).
Had a user changed the document in Intacct meanwhile, Intacct wins with one D20 result.

F9: an invoice raised in Re-Leased with a unit price of ``100.005`` (Intacct would have made its
total 110.01, Re-Leased 110.00) is refused with a result naming the unit price; one whose lines
come to whole cents syncs with the same total on both sides.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from released_intacct.domain.actions import UpdateInIntacct
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.results import SyncResult
from released_intacct.domain.state import Intent, ResultFilter, Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DemoPair, confirmed, demo_pair
from released_intacct.fakes.simulators.intacct.control import rule_from_json
from released_intacct.fakes.state_store import FakeStateStore

DOCID = "Sales Invoice-INV-0002"
LOST_REPLY = {"kind": "timeout_after_commit", "function": "update", "object": "SODOCUMENT"}


@dataclass(frozen=True)
class Ran:
    run: Run
    results: tuple[SyncResult, ...]
    """What the run reported (seen at or after its start)."""
    open_intents: tuple[Intent, ...]


async def _run(pair: DemoPair, id: ConnectionId) -> Ran:
    pair.clock.advance()
    run = await value(pair.sync.run(id))
    everything = await value(pair.store.results(id, ResultFilter(limit=1000)))
    seen = tuple(r for r in everything if r.last_seen >= run.started_at)
    return Ran(run, seen, await value(pair.store.open_intents(id)))


def _document(pair: DemoPair) -> dict[str, Any]:
    (found,) = [
        d
        for d in pair.intacct.companies["DEMO"].tables["SODOCUMENT"].values()
        if d["DOCID"] == DOCID
    ]
    return found


def _released(pair: DemoPair, id: str, resource: str = "invoices") -> dict[str, Any]:
    found: dict[str, Any] = pair.released.companies["RL-DEMO"].tables[resource][id]
    return found


def _lost_reply(intacct_edit: str | None) -> tuple[list[Ran], dict[str, Any], dict[str, Any]]:
    """Runs 2-3 of the F8 scenario; Intacct's document and the Re-Leased invoice after them."""

    async def scenario() -> tuple[list[Ran], dict[str, Any], dict[str, Any]]:
        async with demo_pair(FakeStateStore()) as pair:
            id = await confirmed(pair)
            await _run(pair, id)
            pair.clock.advance()
            user = pair.released_user
            invoice = await user.get("invoices/inv-0002")
            line = {**invoice["lines"][0], "unitPrice": "1250.00"}
            await user.edit("invoices/inv-0002", lines=[line])
            pair.intacct.faults.add(rule_from_json(pair.intacct, LOST_REPLY))
            lost = await _run(pair, id)
            pair.intacct.faults.clear()
            if intacct_edit is not None:
                await pair.intacct_user.run(
                    f'<update_sotransaction key="{DOCID}"><updatesotransitems>'
                    f'<updatesotransitem line_num="1"><price>{intacct_edit}</price>'
                    "</updatesotransitem></updatesotransitems></update_sotransaction>"
                )
            settled = await _run(pair, id)
            return [lost, settled], _document(pair), _released(pair, "inv-0002")

    return asyncio.run(scenario())


def _d20(ran: Ran) -> list[SyncResult]:
    return [r for r in ran.results if r.rule is Rule.D20]


def test_F8_an_update_whose_reply_was_lost_is_settled_without_a_false_conflict() -> None:
    (lost, settled), document, invoice = _lost_reply(None)
    # the reply was lost: the run stopped with the update open, Intacct had it and its tax
    (intent,) = lost.open_intents
    assert isinstance(intent.action, UpdateInIntacct)
    assert (intent.action.released_id, intent.state.value) == ("inv-0002", "sent")
    entry = document["SODOCUMENTENTRIES"][0]
    assert (entry["PRICE"], entry["TAX"], document["TOTAL"]) == ("1250.00", "125.00", "1375.00")
    # the next run found it landed: confirmed, no conflict, and Intacct's tax in Re-Leased
    assert settled.open_intents == ()
    assert _d20(lost) == _d20(settled) == []
    assert [(line["unitPrice"], line["taxAmount"]) for line in invoice["lines"]] == [
        (Decimal("1250.00"), Decimal("125.00"))
    ]
    assert invoice["total"] == Decimal(document["TOTAL"])


def test_D20_an_intacct_edit_made_while_a_reply_was_lost_is_still_a_conflict() -> None:
    """Comparing only what the update wrote still sees a user's change of it in Intacct."""
    (_, settled), document, invoice = _lost_reply("1300.00")
    said = _d20(settled)
    assert {(r.kind, r.released_id) for r in said} == {(ErrorKind.REJECTED, "inv-0002")}
    assert any("was on its way; the Intacct version was kept" in r.message for r in said)
    assert settled.open_intents == ()
    assert document["SODOCUMENTENTRIES"][0]["PRICE"] == "1300.00"
    assert [line["unitPrice"] for line in invoice["lines"]] == [Decimal("1300.00")]


def _raised(number: str, quantity: str, price: str) -> dict[str, Any]:
    line: dict[str, Any] = {"description": "Rent", "accountId": "acc-4000", "quantity": quantity}
    line |= {"unitPrice": price, "taxTypeId": "tax-standard", "taxAmount": "0.00"}
    body: dict[str, Any] = {"type": "Income", "invoiceNumber": number, "contactId": "con-northwind"}
    body |= {"currency": "USD", "issueDate": "2026-05-01", "dueDate": "2026-05-31"}
    return body | {"lines": [line]}


def test_F9_a_unit_price_beyond_the_cent_is_refused_naming_it_and_whole_cents_agree() -> None:
    async def scenario() -> tuple[Ran, dict[str, dict[str, Any]], list[dict[str, Any]]]:
        async with demo_pair(FakeStateStore()) as pair:
            id = await confirmed(pair)
            await _run(pair, id)
            pair.clock.advance()
            user = pair.released_user
            ids = {
                "cent": await user.approved(_raised("INV-0200", "1", "100.005")),
                "whole": await user.approved(_raised("INV-0201", "2", "100.005")),
            }
            ran = await _run(pair, id)
            documents = pair.intacct.companies["DEMO"].tables["SODOCUMENT"].values()
            made = [d for d in documents if str(d["DOCID"]).endswith(("INV-0200", "INV-0201"))]
            return ran, {k: _released(pair, v) for k, v in ids.items()}, made

    ran, invoices, made = asyncio.run(scenario())
    refused = invoices["cent"]
    (result,) = [r for r in ran.results if r.released_id == refused["id"]]
    assert (result.kind, result.rule) == (ErrorKind.REJECTED, Rule.M1)
    assert "INV-0200, line 1: the line amount (quantity 1 x unit price 100.005)" in result.message
    assert "not a whole number of cents" in result.message
    assert "unit price" in result.fix
    (document,) = made  # INV-0200 never reached Intacct, to be rounded there
    assert document["DOCID"].endswith("INV-0201")
    assert document["TOTAL"] == "220.01"
    assert invoices["whole"]["total"] == Decimal("220.01")
