"""Issue 7's stateful test over the Intacct simulator, through each Intacct API (issue 20).

``test_sync_stateful`` runs the engine over the in-memory fakes (``FakeIntacct``), which have no
API. Here the Intacct side is the simulator app in process (``demo_pair``: the demo companies,
onboarded and confirmed, over ``httpx.ASGITransport``), and the engine's port is the one
``app.bootstrap.intacct_adapter`` chooses: the XML adapter (``xml``, credentials ``DEMO``) or
the REST adapter (``rest``, the demo OAuth client ``DEMO_OAUTH``, on the demo company without
Order Entry and Purchasing: D17). Users act as people do: in Intacct through its XML gateway
(``IntacctUser``), in Re-Leased through its REST API (``ReleasedUser``); faults are the
simulators' own fault rules, armed through their fault books for the next requests.

The subset carried over (the fakes variant keeps the full set): Intacct users create customers,
rename them and raise AR invoices (on the demo customer CUS-1002 or one they created); Re-Leased
users create customer contacts, raise invoices (draft or approved, on a demo customer or one
they created) and approve drafts. Syncs run cleanly or under up to two fault rules, each firing
on the next one or two requests of either simulator, of every kind but ``drop`` (in process an
ASGI app's dropped connection is an exception in the caller, not a transport error; the fault
soak meets ``drop`` over TCP) and with ``processing_error`` on AUDITHISTORY reads only, as in
the soak. Not carried over: edits of amounts, voids, reversals, deletions, payments on either
side, foreign-currency and early documents.

The end takes two fault-free syncs, not one as over the fakes: a customer the first one creates
in Intacct is also a value of the demo company's Customer dimension, which the next sync reads and
adds as a Re-Leased tracking option (a new record of Intacct's, not an echo). Then the end state
must converge as over the fakes (``fakes.invariants.check``: rules C4, D2-D14, D20, E1), over both
companies as the product reads them (``fakes.sim_invariants.Watcher``: Intacct through the XML
adapter whatever API the engine speaks, Re-Leased through its adapter, the connection's own sync
settings); ``history`` holds what users saved: the state after onboarding, then what changed at
each user action (``_saw``; what a sync changes is the engine's, ``_settled``). Over REST, what
the engine wrote reads back through XML with every mapped field as the REST adapter wrote it:
the check met no field one API shows and the other does not (it found a bill's payment priority
that Intacct fills in and the engine did not bring back, fixed in ``planning.written``). Nothing
is held twice on either side by sync key or label (``soak_state.duplicates``) and no write intent
is left open. Then one more sync writes nothing on either side, counts no write and finds no new
problem (rule D21).

Run time: each example onboards the demo pair (about 0.3 s of CPU) and each sync takes about
0.2 s, so the examples are fewer than the fakes variant's: 8 sequences of up to 12 steps per
API (derandomized), about 9 s of CPU over XML and 6 s over REST, of which the watcher's reads
take about 3.5 s and 2.5 s (30 random sequences each passed too, in about 31 s and 26 s of CPU).
"""

from __future__ import annotations

import asyncio
import itertools
from contextlib import AsyncExitStack
from decimal import Decimal
from typing import Any, ClassVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from released_intacct.domain.enums import IntacctApi
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import ResultFilter
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import RL_DEMO, DemoPair, confirmed, demo_pair
from released_intacct.fakes.invariants import History
from released_intacct.fakes.sim_invariants import Watcher
from released_intacct.fakes.simulators.intacct import faults as intacct_faults
from released_intacct.fakes.simulators.released import faults as released_faults
from released_intacct.fakes.soak_state import duplicates, intacct_records, released_records
from released_intacct.fakes.state_store import FakeStateStore

TODAY = "<year>2026</year><month>05</month><day>01</day>"
INTACCT_KINDS = tuple(k for k in intacct_faults.KINDS if k != "drop")
RELEASED_KINDS = tuple(k for k in released_faults.KINDS if k != "drop")
amounts = st.decimals(min_value=Decimal(10), max_value=Decimal(900), places=2)
fault_plans = st.lists(
    st.tuples(
        st.sampled_from(["intacct", "released"]),
        st.integers(0, 20),
        st.integers(1, 2),
    ),
    max_size=2,
)


class SimulatedSync(RuleBasedStateMachine):
    api: ClassVar[IntacctApi] = IntacctApi.XML

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.exits = AsyncExitStack()
        self.numbers = itertools.count(9001)
        self.customers: dict[str, str] = {}
        """Customer ids an Intacct user created, with their current names."""
        self.raised_in_intacct: list[str] = []
        self.contacts: list[str] = []
        """Re-Leased ids of the customer contacts a Re-Leased user created."""
        self.drafts: list[str] = []
        self.approved: list[str] = []
        self.pair: DemoPair = self.run(self.exits.enter_async_context(self._pair()))
        self.id: ConnectionId = self.run(confirmed(self.pair))
        self.history = History()
        self.watcher = Watcher(self.pair, self.id)
        self._saw()

    def _pair(self) -> Any:
        return demo_pair(FakeStateStore(), api=self.api)

    def run(self, body: Any) -> Any:
        return self.loop.run_until_complete(body)

    async def _sync(self) -> Any:
        self.pair.clock.advance()
        return await value(self.pair.sync.run(self.id))

    # --- syncs -----------------------------------------------------------------------------------

    @rule(plan=fault_plans)
    def sync(self, plan: list[tuple[str, int, int]]) -> None:
        ibook, rbook = self.pair.intacct.faults, self.pair.released.faults
        for side, index, times in plan:
            if side == "intacct":
                kind = INTACCT_KINDS[index % len(INTACCT_KINDS)]
                ibook.add(
                    intacct_faults.FaultRule(
                        rule_id=ibook.next_id(),
                        kind=kind,
                        object="AUDITHISTORY" if kind == "processing_error" else None,
                        remaining=times,
                        retry_after=0,
                        delay_ms=5 if kind == "delay" else 0,
                    )
                )
            else:
                rkind = RELEASED_KINDS[index % len(RELEASED_KINDS)]
                rbook.add(
                    released_faults.FaultRule(
                        rule_id=rbook.next_id(),
                        kind=rkind,
                        remaining=times,
                        retry_after=0,
                        delay_ms=5 if rkind == "delay" else 0,
                    )
                )
        try:
            self.run(self._sync())
        finally:
            ibook.rules.clear()
            rbook.rules.clear()

    @rule()
    def sync_cleanly(self) -> None:
        self.run(self._sync())

    # --- Intacct users ---------------------------------------------------------------------------

    @rule()
    def intacct_creates_customer(self) -> None:
        n = next(self.numbers)
        customer, name = f"CUS-{n}", f"Tenant {n}"
        self.run(
            self.pair.intacct_user.run(
                f"<create><CUSTOMER><CUSTOMERID>{customer}</CUSTOMERID><NAME>{name}</NAME>"
                f"<DISPLAYCONTACT><PRINTAS>{name}</PRINTAS><EMAIL1>t{n}@example.com</EMAIL1>"
                "</DISPLAYCONTACT></CUSTOMER></create>"
            )
        )
        self.customers[customer] = name
        self._saw()

    @precondition(lambda self: self.customers)
    @rule(index=st.integers(0, 50))
    def intacct_renames_customer(self, index: int) -> None:
        customer = sorted(self.customers)[index % len(self.customers)]
        name = f"{self.customers[customer]} {next(self.numbers)}"
        self.run(
            self.pair.intacct_user.run(
                f"<update><CUSTOMER><CUSTOMERID>{customer}</CUSTOMERID><NAME>{name}</NAME>"
                f"<DISPLAYCONTACT><PRINTAS>{name}</PRINTAS></DISPLAYCONTACT></CUSTOMER></update>"
            )
        )
        self.customers[customer] = name
        self._saw()

    @rule(index=st.integers(0, 50), amount=amounts)
    def intacct_invoices(self, index: int, amount: Decimal) -> None:
        customers = ["CUS-1002", *sorted(self.customers)]
        customer = customers[index % len(customers)]
        number = f"INV-{next(self.numbers)}"
        self.run(
            self.pair.intacct_user.key(
                f"<create_invoice><customerid>{customer}</customerid><datecreated>{TODAY}"
                f"</datecreated><invoiceno>{number}</invoiceno><invoiceitems><lineitem>"
                f"<glaccountno>4000</glaccountno><amount>{amount}</amount>"
                "<locationid>E100</locationid></lineitem></invoiceitems></create_invoice>"
            )
        )
        self.raised_in_intacct.append(number)
        self._saw()

    # --- Re-Leased users -------------------------------------------------------------------------

    @rule()
    def released_creates_contact(self) -> None:
        n = next(self.numbers)
        body = {"name": f"Resident {n}", "email": f"r{n}@example.com", "role": "Customer"}
        made = self.run(
            self.pair.released_user.ok(
                "POST", "contacts", body | {"currency": "USD"}, key=f"contact-{n}"
            )
        )
        self.contacts.append(str(made["id"]))
        self._saw()

    @rule(index=st.integers(0, 50), amount=amounts, approve=st.booleans())
    def released_raises_invoice(self, index: int, amount: Decimal, approve: bool) -> None:
        contacts = ["con-northwind", "con-harbour", *self.contacts]
        line: dict[str, Any] = {"description": "Rent", "accountId": "acc-4000", "quantity": "1"}
        line |= {"unitPrice": str(amount), "taxTypeId": "tax-standard", "taxAmount": "0.00"}
        line["tracking"] = [{"categoryId": "trc-location", "optionId": "opt-loc-east"}]
        body: dict[str, Any] = {
            "type": "Income",
            "invoiceNumber": f"RL-{next(self.numbers)}",
            "contactId": contacts[index % len(contacts)],
            "currency": "USD",
            "issueDate": "2026-05-01",
            "dueDate": "2026-05-31",
            "lines": [line],
        }
        user = self.pair.released_user
        if approve:
            self.approved.append(self.run(user.approved(body)))
            self._saw()
            return
        made = self.run(user.ok("POST", "invoices", body, key=f"raise-{body['invoiceNumber']}"))
        self.drafts.append(str(made["id"]))
        self._saw()

    @precondition(lambda self: self.drafts)
    @rule(index=st.integers(0, 50))
    def released_approves(self, index: int) -> None:
        invoice = self.drafts.pop(index % len(self.drafts))
        for action in ("submit", "approve"):
            self.run(self.pair.released_user.ok("POST", f"invoices/{invoice}/{action}"))
        self.approved.append(invoice)
        self._saw()

    # --- the end ---------------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            self.run(self._finally())
        finally:
            self.run(self.exits.aclose())
            self.loop.close()

    async def _finally(self) -> None:
        await self._sync()
        await self._sync()  # the dimension values of the parties the first one created
        problems = await self._converged()
        assert not problems, "\n".join(problems)
        before, rows = self._state(), await self._rows()
        again = await self._sync()
        assert self._state() == before, "a second sync wrote something (D21)"
        writes = {
            rt.value: (c.created, c.updated)
            for rt, c in again.counts.by_type.items()
            if c.created or c.updated
        }
        assert not writes, f"a second sync counted writes (D21): {writes}"
        new = sorted(str(row) for row in await self._rows() - rows)
        assert not new, f"a second sync found new problems (D21): {new}"

    def _state(self) -> object:
        intacct = self.pair.intacct.companies["DEMO"]
        return intacct_records(intacct), released_records(self.pair.released.companies[RL_DEMO])

    async def _rows(self) -> set[object]:
        found = await value(self.pair.store.results(self.id, ResultFilter(limit=100_000)))
        return {(r.identity, r.message) for r in found}

    async def _converged(self) -> list[str]:
        problems = await self.watcher.converged(self.history)
        intacct, released = (
            self.pair.intacct.companies["DEMO"],
            self.pair.released.companies[RL_DEMO],
        )
        problems += [f"held twice: {d}" for d in duplicates(intacct, released)]
        intents = await value(self.pair.store.open_intents(self.id))
        return problems + [f"write intent left open: {i}" for i in intents]

    def _saw(self) -> None:
        """After a user action: what it changed is a version a user saved."""
        self.run(self.watcher.saw_users(self.history))

    @invariant()
    def _settled(self) -> None:
        """After every step: what a sync changed is the engine's."""
        self.run(self.watcher.settled())


class SimulatedSyncRest(SimulatedSync):
    api = IntacctApi.REST


_SETTINGS = settings(
    settings(), max_examples=8, stateful_step_count=12, derandomize=True, deadline=None
)
SimulatedSync.TestCase.settings = _SETTINGS
SimulatedSyncRest.TestCase.settings = _SETTINGS
TestD21_E1_simulated_users_syncs_and_faults_converge_xml = SimulatedSync.TestCase
TestD21_E1_simulated_users_syncs_and_faults_converge_rest = SimulatedSyncRest.TestCase
