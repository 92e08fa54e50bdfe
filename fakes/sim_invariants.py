"""The convergence check over the simulators: ``invariants.check`` over what the product reads.

``Watcher(pair, connection)`` watches a connection of the demo pair (``demo_pair``) and reads
both companies through the product's own readers, each feed from the beginning: Intacct through
the XML adapter with the demo company's credentials (``sim_adapters.DEMO``) at the connection's
entity, whatever API the connection speaks (so a REST connection's writes are read back by the
other API, as a person reading the company would); Re-Leased through the Re-Leased adapter of
the connection's company. What it reads:

- Intacct: customers and vendors, the invoices and credit notes of every module the connection
  syncs (``steps.origins``: AR and AP, Order Entry / Purchasing when in use) in every state
  (reversed and reversal included), AR and AP payments with their applications, and every
  deletion AUDITHISTORY reports (invoices, credit notes, payments, customers and vendors);
- Re-Leased: contacts, invoices and credit notes, payments;
- the sync settings the engine derives for the connection (its sync-from date, and Intacct's
  set-up read through the connection's own port: base currency, modules), its links and results;
- what the engine created (``Seen.ours_*``): the Intacct keys of the links whose origin is
  Re-Leased (a payment's RECORDNO), the Re-Leased ids of the links whose origin is Intacct. Over
  the fakes these are the records the engine created by idempotency key (``by_key``, ``keys``);
  both only matter to a record no link holds, and a record the engine created is linked once a
  fault-free sync has run (matched links have origin Intacct, but they are links too). Over 150
  sequences of the fakes' stateful test the two agreed on every record no link held.

A record a reader cannot read fails the test, named (the check would otherwise pass over it).

History: ``saw_users(history)``, called after every user action, adds to ``history`` every record
whose content (its fingerprint, the domain's own: ``fingerprint``, ``intacct_fingerprint``)
changed since the last call, every record at the first call (the state after onboarding: the
seeds are what users saved); ``settled()``, called after every step (a sync's), takes what
changed as the engine's and records nothing, and fails when something changed with no run since
the last look (a user action that did not call ``saw_users``). Both re-read Re-Leased (a few
milliseconds), and read Intacct's feeds from their last read only when its audit trail grew
(every write there adds an AUDITHISTORY row).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from functools import partial
from typing import TypeVar

from released_intacct.app.gather import Fetch, read_all
from released_intacct.app.ports import Ports
from released_intacct.app.preconditions import (
    chosen_date,
    intacct_at_entity,
    stored_connection,
)
from released_intacct.app.sync.steps import origins
from released_intacct.domain.enums import ContactRole, DocumentKind, Origin, RecordType, System
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.intacct import Deletion, IntacctRecord
from released_intacct.domain.links import Link
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.ports import IntacctPort, ReleasedPort
from released_intacct.domain.released import Contact, Invoice, Payment
from released_intacct.domain.settings import SyncSettings, sync_settings
from released_intacct.domain.state import ResultFilter
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DemoPair
from released_intacct.fakes.history import History
from released_intacct.fakes.invariants import Seen, check, seen
from released_intacct.fakes.released_states import record_type_of
from released_intacct.fakes.sim_adapters import DEMO
from released_intacct.fakes.simulators.intacct.company import AUDIT, Company
from released_intacct.fakes.user_actions import intacct_key_of

__all__ = ["Watcher"]

T = TypeVar("T")
R = TypeVar("R", IntacctRecord, Contact | Invoice | Payment)
_PAYMENTS = (Origin.AR, Origin.AP)
"""The payment feeds a run reads (``payments.payments_step``)."""
_DELETED = (RecordType.INVOICE, RecordType.CREDIT_NOTE, RecordType.PAYMENT, RecordType.CONTACT)
"""Every deletion the convergence check looks at (a run reads the first three; a deleted
customer or vendor it finds out when next needed, rule D5)."""


class Watcher:
    """Both companies of ``pair``'s connection ``connection``, as the product reads them."""

    def __init__(self, pair: DemoPair, connection: ConnectionId) -> None:
        self._pair, self._id = pair, connection
        self._ready: tuple[SyncSettings, IntacctPort, ReleasedPort] | None = None
        self._versions: dict[tuple[str, str], str] = {}
        """(type, key) -> the fingerprint of the record as last read."""
        self._trail = -1
        """How many AUDITHISTORY rows Intacct held at its last read."""
        self._read_at: datetime | None = None
        """When Intacct was last read (its feeds are read again from then: the simulator stamps
        a change with the pair's clock, which stands still until a sync moves it)."""
        self._run: str | None = None
        """The connection's latest run at the last look."""

    async def saw_users(self, history: History) -> None:
        """Add to ``history`` every record whose content changed since the last look (this or
        ``settled``), every record at the first."""
        for record in await self._changed():
            history.saw(record)
        self._run = await self._latest_run()

    async def settled(self) -> None:
        """What changed since the last look was the engine's: remember it, record nothing. A
        change with no run since is a user's that ``saw_users`` was not told of: an error."""
        changed, run = await self._changed(), await self._latest_run()
        if changed and run == self._run:
            names = sorted(f"{type(r).__name__} {History.key_of(r)}" for r in changed)
            msg = f"changed with no sync since the last look (call saw_users): {names}"
            raise AssertionError(msg)
        self._run = run

    async def _latest_run(self) -> str | None:
        latest = await value(self._pair.store.runs(self._id, limit=1))
        return latest[0].id if latest else None

    async def converged(self, history: History) -> list[str]:
        """``invariants.check`` over both companies as they are now."""
        return check(await self.seen(), history)

    async def seen(self) -> Seen:
        settings, intacct, released = await self._ports()
        store = self._pair.store
        links = [link for rt in RecordType for link in await value(store.links(self._id, rt))]
        rows = await value(store.results(self._id, ResultFilter(limit=100_000)))
        records, deletions = await _intacct(intacct, settings)
        return seen(
            settings,
            links,
            rows,
            intacct=records,
            released=await _released(released),
            ours=(
                (_record_key(link) for link in links if link.origin is System.RELEASED),
                (str(link.released_id) for link in links if link.origin is System.INTACCT),
            ),
            deletions=deletions,
        )

    async def _changed(self) -> list[IntacctRecord | Contact | Invoice | Payment]:
        settings, intacct, released = await self._ports()
        found: list[IntacctRecord | Contact | Invoice | Payment] = []
        trail = len(self._company().tables.get(AUDIT, {}))
        if trail != self._trail:
            since, self._trail, self._read_at = self._read_at, trail, self._pair.clock.now()
            records, _ = await _intacct(intacct, settings, since=since, deletions=False)
            found += self._new(records, intacct_fingerprint)
        found += self._new(await _released(released), fingerprint)
        return found

    def _new(self, records: Iterable[R], content: Callable[[R], str]) -> list[R]:
        """The records whose content is not what was last read of them."""
        changed = []
        for record in records:
            at, now = (type(record).__name__, History.key_of(record)), content(record)
            if self._versions.get(at) != now:
                self._versions[at] = now
                changed.append(record)
        return changed

    def _company(self) -> Company:
        return self._pair.intacct.companies[DEMO.company_id]

    async def _ports(self) -> tuple[SyncSettings, IntacctPort, ReleasedPort]:
        """The connection's sync settings as a run derives them (``SyncService._prepare``),
        the XML reader at its entity and its Re-Leased port (read once)."""
        if self._ready is None:
            pair = self._pair
            ports = Ports(
                store=pair.store,
                intacct_for=pair.intacct_for,
                released_for=pair.released_for,
                clock=pair.clock,
            )
            connection = await value(stored_connection(pair.store, self._id))
            own, entity = await value(intacct_at_entity(ports, connection))
            setup = await value(own.setup(entity, reuse=True))
            since = chosen_date(connection).unwrap()
            settings = sync_settings(connection.id, since, setup).unwrap()
            reader = pair.intacct_for(DEMO, entity)
            self._ready = settings, reader, pair.released_for(connection.released_company)
        return self._ready


def _record_key(link: Link) -> str:
    """The key ``intacct_key_of`` gives the record ``link`` names: a payment allocation's link
    key is ``RECORDNO/document``."""
    if link.record_type is RecordType.PAYMENT:
        return link.intacct_key.partition("/")[0]
    return str(link.intacct_key)


async def _every(
    fetch: Fetch[T], what: str, key: Callable[[T], Hashable], since: datetime | None = None
) -> tuple[T, ...]:
    """Every record of a feed; a record the reader cannot read fails the test, naming it (the
    check would otherwise pass over it)."""
    read = await value(read_all(fetch, what=what, key=key, since=since))
    if read.problems:
        msg = f"the {what} feed could not read: {[p.message for p in read.problems]}"
        raise AssertionError(msg)
    return read.items


async def _intacct(
    port: IntacctPort,
    settings: SyncSettings,
    *,
    since: datetime | None = None,
    deletions: bool = True,
) -> tuple[list[IntacctRecord], list[Deletion]]:
    """Every customer, vendor, document and payment of the company changed at or after ``since``
    (None: all), and (``deletions``) every deletion its audit trail reports."""
    records: list[IntacctRecord] = []
    for role in ContactRole:
        records += await _every(
            partial(port.parties, role), f"{role.value}s", intacct_key_of, since
        )
    for origin in origins(settings):
        for kind in DocumentKind:
            fetch = partial(port.transactions, origin, kind)
            records += await _every(fetch, f"{origin.value} {kind.value}s", intacct_key_of, since)
    for origin in _PAYMENTS:
        records += await _every(partial(port.payments, origin), "payments", intacct_key_of, since)
    gone: list[Deletion] = []
    for record_type in _DELETED if deletions else ():
        audit = partial(port.deletions, record_type)
        gone += await _every(audit, f"{record_type.value} deletions", _deletion_key)
    return records, gone


def _deletion_key(deletion: Deletion) -> Hashable:
    return deletion.key, deletion.deleted_at


async def _released(port: ReleasedPort) -> list[Contact | Invoice | Payment]:
    records: list[Contact | Invoice | Payment] = [*await _every(port.contacts, "contacts", _id)]
    for kind in DocumentKind:
        records += await _every(partial(port.invoices, kind), f"{kind.value}s", _id)
    records += await _every(port.payments, "payments", _id)
    return records


def _id(record: Contact | Invoice | Payment) -> Hashable:
    return record_type_of(record), record.id
