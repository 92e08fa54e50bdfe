"""Issue 7's acceptance: random user actions on both sides, interleaved with syncs and faults.

Users of Intacct and Re-Leased do what ``fakes.user_actions`` models, in any order, between syncs
that may meet injected faults (``fakes.faulty``: refused calls, and writes that land while their
answer is lost). Every sync is checked as it runs: it never writes what Intacct owns nor reverses
anything there (rules D1, D3, D7, D9, D20). At the end a fault-free sync must converge
(``fakes.invariants.converged``: rules C4, D2-D14, D20, E1), and a second one must write nothing
on either side nor find anything new (rule D21, ``fakes.sync_guard``).

Every action and every fault target is on. The engine fixes this test found: the product's own
void read back as a user's (D7), a void or a create whose answer was lost and whose look-up
failed (the run now stops at a write it cannot confirm), invoices failing for a contact whose
create failed retriably (the same stop keeps the cursor before them), and an open update sent
again over a later Intacct change (now checked against Intacct first, D20). The settings are
fixed here (derandomized, 250 sequences of up to 40 steps: about 12 s; no deadline, since
speed is the benchmarks' to prove and a loaded machine must not fail a sequence).

The fakes have no API; ``test_sync_stateful_simulated`` runs these actions over the Intacct
simulator through the XML and the REST adapter (issue 20), but for the few its docstring names.
``FakeReleased`` lets the sync move an approved invoice back to Awaiting Approval, which
Re-Leased refuses: the D20 conflict that test holds back went unseen here.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    IntacctStatus,
    InvoiceType,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
    ReleasedStatus,
)
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    DimensionValue,
    GlAccount,
    IntacctPayment,
    Party,
    TaxDetail,
    Transaction,
    category_key,
    option_key,
)
from released_intacct.domain.released import Contact, Invoice, Payment, TrackingRef
from released_intacct.domain.state import Run
from released_intacct.fakes import user_actions as do
from released_intacct.fakes.faulty import TARGETS, Fault
from released_intacct.fakes.history import History
from released_intacct.fakes.invariants import converged
from released_intacct.fakes.sync_guard import both_sides, engine_changes, snapshot
from released_intacct.fakes.sync_world import BASE, FOREIGN, SYNC_FROM, SyncWorld

T = TypeVar("T")
RATE = Decimal(20)
EARLY = SYNC_FROM - timedelta(days=10)
_WRITES = ("intacct.write", "released.write", "released.void")
amounts = st.decimals(min_value=Decimal(10), max_value=Decimal(900), places=2)
variants = st.sampled_from(["plain", "plain", "plain", "foreign", "negative", "early"])
fault_plans = st.dictionaries(
    st.tuples(st.sampled_from(TARGETS), st.integers(0, 6)),
    st.sampled_from(Fault),
    max_size=3,
)


def run(body: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(body)


def pick(items: list[T], index: int) -> T:
    return items[index % len(items)]


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = SyncWorld()
        self.history = History()
        self.numbers = itertools.count(1)
        self.paid: dict[IntacctKey, Decimal] = {}
        self.advances: dict[str, Transaction] = {}
        self.syncs: list[Run] = []
        run(self._start())

    async def _start(self) -> None:
        intacct = self.world.intacct
        for record in (
            GlAccount(account_no=IntacctId("4000"), title="Rent Income"),
            GlAccount(account_no=IntacctId("5000"), title="Repairs"),
            TaxDetail(detail_id=IntacctId("Standard"), rate=RATE),
            DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D1"), name="Lets"),
        ):
            intacct.put(record)
        for role in ContactRole:
            self.history.saw(do.create_party(intacct, role, f"P{next(self.numbers)}"))
        await self.world.connect()
        await self._sync({})
        index = {
            rt: {link.intacct_key: link.released_id for link in await self.world.links(rt)}
            for rt in RecordType
        }
        self.account = {
            InvoiceType.INCOME: index[RecordType.ACCOUNT][IntacctKey("4000")],
            InvoiceType.EXPENSE: index[RecordType.ACCOUNT][IntacctKey("5000")],
        }
        self.tax = index[RecordType.TAX_TYPE][IntacctKey("Standard")]
        self.tracking = TrackingRef(
            category_id=index[RecordType.TRACKING_CATEGORY][category_key(DimensionKind.DEPARTMENT)],
            option_id=index[RecordType.TRACKING_OPTION][
                option_key(DimensionKind.DEPARTMENT, IntacctId("D1"))
            ],
        )

    async def _sync(self, plan: dict[tuple[str, int], Fault]) -> Run:
        before = snapshot(self.world.intacct)
        self.world.faults.arm(plan)
        try:
            done = await self.world.sync()
        finally:
            self.world.faults.disarm()
        problems = engine_changes(before, snapshot(self.world.intacct))
        assert not problems, problems
        self.syncs.append(done)
        self.links = await self.world.all_links()
        return done

    # --- what is there to act on -----------------------------------------------------------------

    def _of(self, kind: type[T]) -> list[T]:
        return [r for r in self.world.intacct.records if isinstance(r, kind)]

    def _released(self, kind: type[T]) -> list[T]:
        return [r for r in self.world.released.records.values() if isinstance(r, kind)]

    def _linked_intacct(self, record_type: RecordType) -> dict[IntacctKey, ReleasedId]:
        return {link.intacct_key: link.released_id for link in self.links[record_type]}

    def _parties(self, role: ContactRole) -> list[Party]:
        return [
            p
            for p in self._of(Party)
            if p.role is role and p.currency in (None, BASE) and p.status is IntacctStatus.ACTIVE
        ]

    def _live(self) -> list[Transaction]:
        """Transactions a user can still change (not reversed)."""
        return [t for t in self._of(Transaction) if t.state not in _ENDED]

    def _payable(self) -> list[tuple[Transaction, Invoice]]:
        """Posted invoices synced both ways, not voided, with something still due."""
        linked = self._linked_intacct(RecordType.INVOICE)
        found = []
        for tx in self._live():
            copy = self.world.released.get(
                RecordType.INVOICE, linked.get(tx.link_key, ReleasedId(""))
            )
            if (
                tx.state is IntacctState.POSTED
                and isinstance(copy, Invoice)
                and copy.status is ReleasedInvoiceStatus.APPROVED
                and tx.kind is DocumentKind.INVOICE
                and self._due(tx, copy) > 0
            ):
                found.append((tx, copy))
        return found

    def _due(self, tx: Transaction, copy: Invoice) -> Decimal:
        return min(tx.total, copy.total) - self.paid.get(tx.link_key, Decimal(0))

    def _date(self, variant: str) -> date:
        return EARLY if variant == "early" else SYNC_FROM + timedelta(days=40)

    # --- syncs -----------------------------------------------------------------------------------

    @rule(plan=fault_plans)
    def sync(self, plan: dict[tuple[str, int], Fault]) -> None:
        run(self._sync(plan))

    @rule(writes=st.lists(st.tuples(st.sampled_from(_WRITES), st.integers(0, 4)), max_size=3))
    def sync_losing_answers(self, writes: list[tuple[str, int]]) -> None:
        """Writes land, and the answers are lost: the uncertain outcome of the outbox."""
        run(self._sync(dict.fromkeys(writes, Fault.AFTER)))

    @rule()
    def sync_cleanly(self) -> None:
        run(self._sync({}))

    # --- Intacct users ---------------------------------------------------------------------------

    @rule(role=st.sampled_from(ContactRole), foreign=st.sampled_from([False, False, True]))
    def intacct_creates_party(self, role: ContactRole, foreign: bool) -> None:
        made = do.create_party(
            self.world.intacct,
            role,
            f"P{next(self.numbers)}",
            currency=FOREIGN if foreign else None,
        )
        self.history.saw(made)

    @precondition(lambda self: self._of(Party))
    @rule(index=st.integers(0, 50))
    def intacct_edits_party(self, index: int) -> None:
        party = pick(self._of(Party), index)
        self.history.saw(do.intacct_edit(self.world.intacct, party, name=f"{party.name}+"))

    @precondition(lambda self: self._of(Party))
    @rule(index=st.integers(0, 50))
    def intacct_toggles_party(self, index: int) -> None:
        party = pick(self._of(Party), index)
        active = party.status is IntacctStatus.INACTIVE
        self.history.saw(do.set_party_status(self.world.intacct, party, active=active))

    def _unused_parties(self) -> list[Party]:
        """Intacct refuses to delete a customer or vendor that has transactions."""
        used = {(t.origin.role, t.party_id) for t in self._of(Transaction)}
        contacts = self._linked_intacct(RecordType.CONTACT)
        billed = {i.contact_id for i in self._released(Invoice)}
        return [
            p
            for p in self._of(Party)
            if (p.role, p.party_id) not in used and contacts.get(p.link_key) not in billed
        ]

    @precondition(lambda self: any(self._parties(role) for role in ContactRole))
    @rule(
        origin=st.sampled_from([Origin.AR, Origin.AP]),
        kind=st.sampled_from(DocumentKind),
        variant=variants,
        draft=st.booleans(),
        amount=amounts,
        extras=st.booleans(),
        index=st.integers(0, 50),
    )
    def intacct_creates_transaction(
        self,
        origin: Origin,
        kind: DocumentKind,
        variant: str,
        draft: bool,
        amount: Decimal,
        extras: bool,
        index: int,
    ) -> None:
        parties = self._parties(origin.role)
        if not parties:
            return
        party = pick(parties, index)
        sign = -1 if variant == "negative" else 1
        line = do.intacct_line(
            amount * sign,
            "4000" if origin is Origin.AR else "5000",
            tax=("Standard", RATE) if extras else None,
            dimension=(DimensionKind.DEPARTMENT, "D1") if extras else None,
        )
        made = do.create_transaction(
            self.world.intacct,
            origin=origin,
            kind=kind,
            number=f"I{next(self.numbers)}",
            party_id=party.party_id or IntacctId(""),
            on=self._date(variant),
            lines=(line,),
            currency=FOREIGN if variant == "foreign" else BASE,
            posted=not draft,
        )
        self.history.saw(made)

    @precondition(lambda self: self._live())
    @rule(index=st.integers(0, 50), amount=amounts)
    def intacct_edits_transaction(self, index: int, amount: Decimal) -> None:
        tx = pick(self._live(), index)
        lines = tx.lines
        if not self.paid.get(tx.link_key):
            sign = -1 if tx.total < 0 else 1
            lines = (replace_amount(lines[0], amount * sign), *lines[1:])
        edited = do.intacct_edit(
            self.world.intacct, tx, reference=f"edit {next(self.numbers)}", lines=lines
        )
        self.history.saw(edited)

    @precondition(lambda self: self._drafts())
    @rule(index=st.integers(0, 50))
    def intacct_posts(self, index: int) -> None:
        tx = pick(self._drafts(), index)
        self.history.saw(do.intacct_edit(self.world.intacct, tx, state=IntacctState.POSTED))

    def _drafts(self) -> list[Transaction]:
        return [t for t in self._live() if t.state is IntacctState.DRAFT]

    def _unpaid(self, posted: bool) -> list[Transaction]:
        """Transactions with no payment on either side, whose copy (if any) is not voided."""
        linked = self._linked_intacct(RecordType.INVOICE) | self._linked_intacct(
            RecordType.CREDIT_NOTE
        )
        found = []
        for tx in self._live():
            copy = self.world.released.get(tx.record_type, linked.get(tx.link_key, ReleasedId("")))
            voided = isinstance(copy, Invoice) and copy.status is ReleasedInvoiceStatus.VOIDED
            paid = isinstance(copy, Invoice) and copy.amount_paid > 0
            if voided or paid or self.paid.get(tx.link_key):
                continue
            if not posted or tx.state is IntacctState.POSTED:
                found.append(tx)
        return found

    @precondition(lambda self: self._unpaid(posted=True))
    @rule(index=st.integers(0, 50))
    def intacct_reverses(self, index: int) -> None:
        found = self._unpaid(posted=True)
        if not found:
            return
        tx = pick(found, index)
        reversal = do.reverse_transaction(self.world.intacct, tx)
        self.history.saw(do.intacct_current(self.world.intacct, tx))
        self.history.saw(reversal)

    @precondition(lambda self: self._payable())
    @rule(
        index=st.integers(0, 50),
        amount=amounts,
        kind=st.sampled_from(
            ["ordinary", "ordinary", "early", "journal", "refund", "advance", "allocated"]
        ),
    )
    def intacct_pays(self, index: int, amount: Decimal, kind: str) -> None:
        tx, copy = pick(self._payable(), index)
        amount = min(amount, self._due(tx, copy))
        payment_kind = {
            "journal": PaymentKind.JOURNAL_ENTRY,
            "refund": PaymentKind.REFUND,
            "advance": PaymentKind.ADVANCE,
            "allocated": PaymentKind.ADVANCE,
        }.get(kind, PaymentKind.ORDINARY)
        made = do.enter_payment(
            self.world.intacct,
            tx=tx,
            amount=amount,
            on=self._date("early" if kind == "early" else "plain"),
            reference=f"IP{next(self.numbers)}",
            kind=payment_kind,
            applied=kind not in ("refund", "advance"),
        )
        self.history.saw(made)
        if kind not in ("journal", "refund"):
            self.paid[tx.link_key] = self.paid.get(tx.link_key, Decimal(0)) + amount
        if kind == "advance":
            self.advances[made.record_no or ""] = tx

    def _open_advances(self) -> list[IntacctPayment]:
        return [
            p
            for p in self._of(IntacctPayment)
            if p.record_no in self.advances
            and not p.applications
            and p.state is IntacctState.POSTED
        ]

    @precondition(lambda self: self._open_advances())
    @rule(index=st.integers(0, 50))
    def intacct_allocates_advance(self, index: int) -> None:
        advance = pick(self._open_advances(), index)
        do.allocate_payment(self.world.intacct, advance, self.advances[advance.record_no or ""])
        self.history.saw(do.intacct_current(self.world.intacct, advance))

    def _posted_payments(self) -> list[IntacctPayment]:
        return [p for p in self._of(IntacctPayment) if p.state is IntacctState.POSTED]

    @precondition(lambda self: self._posted_payments())
    @rule(index=st.integers(0, 50))
    def intacct_reverses_payment(self, index: int) -> None:
        payment = pick(self._posted_payments(), index)
        do.reverse_payment(self.world.intacct, payment)
        self.history.saw(do.intacct_current(self.world.intacct, payment))

    def _deletable(self, what: str) -> list[Any]:
        if what == "party":
            return self._unused_parties()
        if what == "transaction":
            return self._unpaid(posted=False)
        return self._posted_payments()

    @rule(what=st.sampled_from(["party", "transaction", "payment"]), index=st.integers(0, 50))
    def intacct_deletes(self, what: str, index: int) -> None:
        found = self._deletable(what)
        if not found:
            return
        chosen = pick(found, index)
        if isinstance(chosen, Party):
            do.delete_party(self.world.intacct, chosen)
        elif isinstance(chosen, Transaction):
            do.delete_transaction(self.world.intacct, chosen)
        else:
            do.delete_payment(self.world.intacct, chosen)

    # --- Re-Leased users -------------------------------------------------------------------------

    @rule(
        role=st.sampled_from([ContactRole.CUSTOMER, ContactRole.VENDOR, None]),
        foreign=st.sampled_from([False, False, True]),
    )
    def released_creates_contact(self, role: ContactRole | None, foreign: bool) -> None:
        made = do.create_contact(
            self.world.released,
            f"R{next(self.numbers)}",
            role=role,
            currency=FOREIGN if foreign else None,
        )
        self.history.saw(made)

    @precondition(lambda self: self._released(Contact))
    @rule(index=st.integers(0, 50))
    def released_edits_contact(self, index: int) -> None:
        contact = pick(self._released(Contact), index)
        edited = do.released_edit(
            self.world.released, contact, telephone=f"555-{next(self.numbers)}"
        )
        self.history.saw(edited)

    def _billable(self, role: ContactRole) -> list[Contact]:
        """Active contacts of ``role`` in the base currency (their customer / vendor may be gone:
        rule D5 then refuses the invoice)."""
        billed = {i.contact_id for i in self._released(Invoice)}
        return [
            c
            for c in self._released(Contact)
            if (c.role is role or (c.role is None and c.id not in billed))
            and c.currency in (None, BASE)
            and c.status is ReleasedStatus.ACTIVE
        ]

    @precondition(lambda self: any(self._billable(role) for role in ContactRole))
    @rule(
        kind=st.sampled_from(DocumentKind),
        type=st.sampled_from(InvoiceType),
        status=st.sampled_from(
            [
                ReleasedInvoiceStatus.DRAFT,
                ReleasedInvoiceStatus.AWAITING_APPROVAL,
                ReleasedInvoiceStatus.APPROVED,
                ReleasedInvoiceStatus.APPROVED,
            ]
        ),
        variant=variants,
        amount=amounts,
        extras=st.booleans(),
        index=st.integers(0, 50),
    )
    def released_creates_invoice(
        self,
        kind: DocumentKind,
        type: InvoiceType,
        status: ReleasedInvoiceStatus,
        variant: str,
        amount: Decimal,
        extras: bool,
        index: int,
    ) -> None:
        role = ContactRole.CUSTOMER if type is InvoiceType.INCOME else ContactRole.VENDOR
        contacts = self._billable(role)
        if not contacts:
            return
        sign = -1 if variant == "negative" else 1
        line = do.released_line(
            amount * sign,
            self.account[type],
            tax=(self.tax, RATE) if extras else None,
            tracking=self.tracking if extras else None,
        )
        made = do.create_invoice(
            self.world.released,
            kind=kind,
            type=type,
            number=f"R{next(self.numbers)}",
            contact_id=pick(contacts, index).id,
            status=status,
            on=self._date(variant),
            lines=(line,),
            currency=FOREIGN if variant == "foreign" else BASE,
        )
        self.history.saw(made)

    def _editable(self) -> list[Invoice]:
        """Invoices not voided whose Intacct transaction (if any) was not deleted."""
        deleted = {d.key for d in self.world.intacct.deleted}
        linked = {
            link.released_id: link.intacct_key
            for rt in (RecordType.INVOICE, RecordType.CREDIT_NOTE)
            for link in self.links[rt]
        }
        return [
            i
            for i in self._released(Invoice)
            if i.status is not ReleasedInvoiceStatus.VOIDED and linked.get(i.id) not in deleted
        ]

    @precondition(lambda self: self._editable())
    @rule(index=st.integers(0, 50), amount=amounts)
    def released_edits_invoice(self, index: int, amount: Decimal) -> None:
        invoice = pick(self._editable(), index)
        lines = invoice.lines
        if invoice.status in (ReleasedInvoiceStatus.DRAFT, ReleasedInvoiceStatus.AWAITING_APPROVAL):
            sign = -1 if invoice.total < 0 else 1
            lines = (replace_price(lines[0], amount * sign), *lines[1:])
        edited = do.released_edit(
            self.world.released, invoice, reference=f"edit {next(self.numbers)}", lines=lines
        )
        self.history.saw(edited)

    def _awaiting(self) -> list[Invoice]:
        return [
            i
            for i in self._editable()
            if i.status in (ReleasedInvoiceStatus.DRAFT, ReleasedInvoiceStatus.AWAITING_APPROVAL)
        ]

    @precondition(lambda self: self._awaiting())
    @rule(index=st.integers(0, 50))
    def released_approves(self, index: int) -> None:
        invoice = pick(self._awaiting(), index)
        self.history.saw(do.approve_invoice(self.world.released, invoice))

    def _voidable(self) -> list[Invoice]:
        unpaid = {
            self._linked_intacct(tx.record_type).get(tx.link_key) for tx in self._unpaid(False)
        }
        linked = {
            link.released_id
            for rt in (RecordType.INVOICE, RecordType.CREDIT_NOTE)
            for link in self.links[rt]
        }
        return [
            i
            for i in self._editable()
            if i.amount_paid == 0
            and (i.id not in linked or i.id in unpaid)
            and i.status is not ReleasedInvoiceStatus.PAID
        ]

    @precondition(lambda self: self._voidable())
    @rule(index=st.integers(0, 50))
    def released_voids(self, index: int) -> None:
        invoice = pick(self._voidable(), index)
        do.void_invoice(self.world.released, invoice)
        voided = self.world.released.get(
            RecordType.INVOICE if invoice.kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE,
            invoice.id,
        )
        assert isinstance(voided, Invoice)
        self.history.saw(voided)

    @precondition(lambda self: self._payable())
    @rule(index=st.integers(0, 50), amount=amounts, early=st.sampled_from([False, False, True]))
    def released_pays(self, index: int, amount: Decimal, early: bool) -> None:
        tx, copy = pick(self._payable(), index)
        amount = min(amount, self._due(tx, copy))
        made = do.pay_invoice(
            self.world.released,
            copy,
            amount,
            on=self._date("early" if early else "plain"),
            reference=f"RP{next(self.numbers)}",
        )
        self.history.saw(made)
        self.paid[tx.link_key] = self.paid.get(tx.link_key, Decimal(0)) + amount

    def _active_payments(self) -> list[Payment]:
        return [p for p in self._released(Payment) if p.status is ReleasedPaymentStatus.ACTIVE]

    @precondition(lambda self: self._active_payments())
    @rule(index=st.integers(0, 50))
    def released_removes_payment(self, index: int) -> None:
        payment = pick(self._active_payments(), index)
        self.history.saw(do.remove_payment(self.world.released, payment))

    # --- the end ---------------------------------------------------------------------------------

    def teardown(self) -> None:
        run(self._finally())

    async def _finally(self) -> None:
        await self._sync({})
        problems = await converged(self.world, self.history)
        assert not problems, "\n".join(problems)
        before, rows = both_sides(self.world), await self._rows()
        again = await self._sync({})
        assert both_sides(self.world) == before, "a second sync wrote something (D21)"
        writes = {
            rt.value: (c.created, c.updated)
            for rt, c in again.counts.by_type.items()
            if c.created or c.updated
        }
        assert not writes, f"a second sync counted writes (D21): {writes}"
        new = sorted(str(row) for row in await self._rows() - rows)
        assert not new, f"a second sync found new problems (D21): {new}"
        problems = await converged(self.world, self.history)
        assert not problems, "\n".join(problems)

    async def _rows(self) -> set[object]:
        return {(r.identity, r.message) for r in await self.world.results()}


_ENDED = (IntacctState.REVERSED, IntacctState.REVERSAL)


def replace_amount(line: Any, amount: Decimal) -> Any:
    return do.intacct_line(
        amount,
        line.account_no,
        memo=line.memo,
        tax=(line.tax_detail_id, RATE) if line.tax_detail_id else None,
        dimension=line.dimensions[0] if line.dimensions else None,
    )


def replace_price(line: Any, amount: Decimal) -> Any:
    return do.released_line(
        amount,
        line.account_id,
        description=line.description,
        tax=(line.tax_type_id, RATE) if line.tax_type_id else None,
        tracking=line.tracking[0] if line.tracking else None,
    )


def test_D21_an_intacct_rename_of_a_lost_create_found_later_reaches_released() -> None:
    """The sequence hypothesis found (kept as it was shrunk): a Re-Leased contact's customer is
    created in Intacct, the answer lost, and renamed there before the next sync finds it by its
    key; the link took the renamed customer for our echo, so the rename never reached Re-Leased
    and no result said why (``planning.written.link_for_found_write``)."""
    state = SyncMachine()
    state.released_creates_contact(foreign=False, role=ContactRole.CUSTOMER)
    for _ in range(3):
        state.intacct_edits_party(index=0)
    state.sync_losing_answers(writes=[("intacct.write", 0)])
    state.intacct_edits_party(index=2)
    state.teardown()


SyncMachine.TestCase.settings = settings(
    settings(), max_examples=250, stateful_step_count=40, derandomize=True, deadline=None
)
TestD21_E1_random_users_syncs_and_faults_converge = SyncMachine.TestCase
