"""A Re-Leased credit note's reference, written to Intacct over either API (rules M1, D21).

No write of an AR / AP adjustment we can source has a reference field (docs/intacct-fidelity.md,
"Adjustment reference"), so the adjustment is created without it and Intacct holds none. The
reference stays in Re-Leased, and a SKIPPED result says so. Before: over XML the next sync took
Intacct's empty reference for an Intacct change and wrote it over the user's; over REST the two
sides stayed apart with no result (found by the simulated stateful test's full check).
"""

from __future__ import annotations

import asyncio

import pytest

from released_intacct.domain.enums import IntacctApi, RecordType
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.state import ResultFilter
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import RL_DEMO, confirmed, demo_pair
from released_intacct.fakes.state_store import FakeStateStore


@pytest.mark.parametrize("api", list(IntacctApi), ids=lambda api: api.value)
def test_M1_D21_a_credit_note_reference_stays_in_released_with_a_result(api: IntacctApi) -> None:
    async def go() -> None:
        async with demo_pair(FakeStateStore(), api=api) as pair:
            id = await confirmed(pair)
            notes = pair.released.companies[RL_DEMO].tables["credit-notes"]
            (note,) = [n for n in notes.values() if n["invoiceNumber"] == "CN-0001"]
            await pair.released_user.edit(f"credit-notes/{note['id']}", reference="RMA-7")
            pair.clock.advance()
            await value(pair.sync.run(id))
            pair.clock.advance()
            again = await value(pair.sync.run(id))

            assert notes[note["id"]]["reference"] == "RMA-7"
            adjustments = pair.intacct.companies["DEMO"].tables["ARADJUSTMENT"]
            (sent,) = [a for a in adjustments.values() if a["RECORDID"] == "CN-0001"]
            assert sent["DOCNUMBER"] == ""
            credit_notes = again.counts.by_type.get(RecordType.CREDIT_NOTE)
            assert credit_notes is None or not (credit_notes.created or credit_notes.updated)
            rows = await value(pair.store.results(id, ResultFilter(limit=1_000)))
            (row,) = [r for r in rows if r.released_id == note["id"]]
            assert (row.rule, row.kind, row.count) == (Rule.M1, ErrorKind.SKIPPED, 1)
            assert "RMA-7" in row.message

    asyncio.run(go())
