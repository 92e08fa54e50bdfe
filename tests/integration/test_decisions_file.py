"""The onboarding decisions file (rule O3): its documented example, and a decision naming a record
the step does not hold, on the demo pair in process."""

from __future__ import annotations

import asyncio
import re
import tomllib
from pathlib import Path

from returns.pipeline import is_successful

from released_intacct.app.decisions import (
    Archive,
    CreateAs,
    Leftover,
    MatchTo,
    apply_decisions,
    decisions_from_mapping,
    decisions_from_toml,
)
from released_intacct.domain.enums import ContactRole, Prerequisite
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, IntacctKey, ReleasedId
from released_intacct.domain.matching import Step
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO, RL_DEMO, SYNC_FROM, DemoPair, demo_pair
from released_intacct.fakes.state_store import FakeStateStore

CHECKOUT = Path(__file__).resolve().parents[2]
DOC = CHECKOUT / "docs" / "decisions.md"


def test_O3_the_documented_example_reads_as_documented() -> None:
    (example,) = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    decisions = decisions_from_mapping(tomllib.loads(example))
    assert decisions.by_step[Step.ACCOUNTS] == {
        ReleasedId("acc-legacy"): MatchTo(IntacctKey("4000")),
        ReleasedId("acc-old"): Archive(),
    }
    assert decisions.by_step[Step.CONTACTS][ReleasedId("con-greenleaf")] == CreateAs(
        ContactRole.CUSTOMER
    )
    assert decisions.unresolved is Leftover.ARCHIVE
    assert Prerequisite.ACCOUNT_LABELS_OFF in decisions.acknowledge


def test_O3_the_demo_decisions_file_is_read() -> None:
    decisions = decisions_from_toml(CHECKOUT / "examples" / "demo" / "decisions.toml")
    assert decisions.unresolved is Leftover.ARCHIVE


async def _matching(pair: DemoPair) -> ConnectionId:
    connected = await value(pair.flow.connect(RL_DEMO, DEMO))
    id = connected.connection.id
    await value(pair.flow.choose_entity(id, EntityId("E100")))
    await value(pair.flow.set_sync_from(id, SYNC_FROM))
    await value(pair.flow.start_matching(id))
    return id


def test_O3_a_decision_naming_a_record_the_step_does_not_hold_is_refused_before_any_is_taken() -> (
    None
):
    async def scenario() -> tuple[SyncError, int]:
        async with demo_pair(FakeStateStore()) as pair:
            id = await _matching(pair)
            document = {
                "tax_types": {"tax-gst-imports": "archive", "tax-no-such": "archive"},
                "unresolved": {"action": "archive"},
            }
            taken = await apply_decisions(pair.flow, id, decisions_from_mapping(document))
            assert not is_successful(taken)
            onboarding = await value(pair.flow.onboarding(id))
            return taken.failure(), len(onboarding.state(Step.TAX_TYPES).decisions)

    refused, decided = asyncio.run(scenario())
    assert refused.rule is Rule.O3
    assert '"tax-no-such" under [tax_types]' in refused.message
    assert '"tax-gst-imports"' in refused.message  # what it does hold
    assert "[tax_types]" in refused.fix
    assert decided == 3  # the auto-matches only: none of the file's decisions was taken
