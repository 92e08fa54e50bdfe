"""What ``doctor`` over REST and the token client show of a real company's answers, against the
REST mode of the simulator (issue 20): the checks of facts docs/intacct-rest.md marks
**inferred**, each shown passing and, with the simulator made to behave the other way, failing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from returns.result import Failure

from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ports import FeedQuery
from released_intacct.fakes.awaiting import outcome
from released_intacct.fakes.sim_adapters import At, served
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_C2_a_token_refused_with_gw_0011_keeps_the_documented_code_in_its_cause() -> None:
    """The simulator refuses a client whose sender the company has not authorized with 401
    ``ia::error`` ``GW-0011`` ([RESTDOC] error-handling); the error keeps that code, not only
    the status, so the user and support see which refusal it was."""
    clock = At(T0)
    sim = Simulator(clock=clock)
    company = load_demo(sim, now=clock())
    company.senders.clear()

    async def go() -> None:
        async with served(sim, clock) as both:
            read = await outcome(both.rest.accounts(FeedQuery()))
            assert isinstance(read, Failure)
            error = read.failure()
            assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
            assert error.cause == "HTTP 401 GW-0011"

    asyncio.run(go())
