"""The invariants of a fault-free sync (issue 7's acceptance), as lists of problems.

``converged(world, history)``, after a fault-free sync over the in-memory fakes, and ``check(seen,
history)`` over what any source shows (``Seen``: the simulators' in ``sim_invariants``): every
record on either side that may sync is linked to exactly one record on the other side whose mapped
fields equal it (compared by the domain's own mapping and fingerprints, with the connection's sync
settings); where the two differ, a sync result names the rule that kept them apart (D3 contact
edits, D6 / D7 / D20 document edits) and each side holds a version some user saved or its
mapping; every record that may not sync has exactly one result naming its rule and no copy.
``history`` holds every version a user saved, by side and key.
(What one sync may never do, and the second-sync check, are in ``sync_guard``.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.domain.enums import (
    Direction,
    IntacctState,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
    ReleasedStatus,
)
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import (
    Deletion,
    IntacctPayment,
    IntacctRecord,
    Party,
    Transaction,
)
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.released import Contact, Invoice, Payment, ReleasedRecord
from released_intacct.domain.results import SyncResult
from released_intacct.domain.rules.eligibility import (
    check_incoming_party,
    check_incoming_payment,
    check_incoming_transaction,
    check_outgoing_contact,
    check_outgoing_invoice,
    check_outgoing_payment,
)
from released_intacct.domain.settings import SyncSettings
from released_intacct.fakes.history import History
from released_intacct.fakes.pairs import Pair, pair_of
from released_intacct.fakes.released_states import record_type_of
from released_intacct.fakes.sync_world import SETTINGS, SyncWorld
from released_intacct.fakes.user_actions import intacct_key_of

_DELETION_RULES = {
    RecordType.CONTACT: Rule.D5,
    RecordType.INVOICE: Rule.D8,
    RecordType.CREDIT_NOTE: Rule.D8,
    RecordType.PAYMENT: Rule.D9,
}
_REVERSED = (IntacctState.REVERSED, IntacctState.REVERSAL)


# --- convergence after a fault-free sync ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Seen:
    """What the convergence checks read once (``seen``): the connection's sync settings, its
    links and results, and both sides' records."""

    settings: SyncSettings
    links: LinkIndex
    linked: tuple[Link, ...]
    rows: tuple[SyncResult, ...]
    intacct: dict[tuple[type, str], IntacctRecord]
    """By type and key (``user_actions.intacct_key_of``: a link key, a payment's RECORDNO)."""
    released: dict[tuple[RecordType, str], ReleasedRecord]
    ours_intacct: frozenset[str]
    """The keys of the Intacct records the engine created (left out of the lone-record checks)."""
    ours_released: frozenset[str]
    """The ids of the Re-Leased records the engine created."""
    deletions: tuple[Deletion, ...]
    """Every deletion Intacct reports."""
    deleted: frozenset[str]

    def rows_naming(
        self, rule: Rule, record_type: RecordType, *, key: str | None, rid: str | None
    ) -> list[SyncResult]:
        return [
            row
            for row in self.rows
            if row.rule is rule
            and row.record_type is record_type
            and (
                (key is not None and row.intacct_key == key)
                or (rid is not None and row.released_id == rid)
            )
        ]


def seen(
    settings: SyncSettings,
    links: Iterable[Link],
    rows: Iterable[SyncResult],
    *,
    intacct: Iterable[IntacctRecord],
    released: Iterable[ReleasedRecord],
    ours: tuple[Iterable[str], Iterable[str]],
    deletions: Iterable[Deletion],
) -> Seen:
    """``Seen`` from any source: ``ours`` the keys of the Intacct records and the ids of the
    Re-Leased records the engine created."""
    linked, deleted = tuple(links), tuple(deletions)
    return Seen(
        settings=settings,
        links=LinkIndex(linked),
        linked=linked,
        rows=tuple(rows),
        intacct={(type(r), str(intacct_key_of(r))): r for r in intacct},
        released={(record_type_of(r), str(r.id)): r for r in released},
        ours_intacct=frozenset(ours[0]),
        ours_released=frozenset(ours[1]),
        deletions=deleted,
        deleted=frozenset(str(d.key) for d in deleted),
    )


async def converged(world: SyncWorld, history: History) -> list[str]:
    """``check`` over the fakes, with the settings the service derives for their connection."""
    return check(
        seen(
            SETTINGS,
            [link for rt in RecordType for link in await world.links(rt)],
            await world.results(),
            intacct=world.intacct.records,
            released=world.released.records.values(),
            ours=(
                (str(intacct_key_of(r)) for r in world.intacct.by_key.values()),
                (str(rid) for _, rid in world.released.keys.values()),
            ),
            deletions=world.intacct.deleted,
        ),
        history,
    )


def check(seen: Seen, history: History) -> list[str]:
    """Every way ``seen`` is not converged (rules C4, D2-D14, D20, E1)."""
    problems = _duplicates(seen)
    problems += [p for r in seen.intacct.values() for p in _intacct_alone(r, seen)]
    problems += [p for r in seen.released.values() for p in _released_alone(r, seen)]
    problems += [p for link in seen.linked for p in _pair(link, seen, history)]
    for deletion in seen.deletions:
        if deletion.record_type is RecordType.CONTACT:
            problems += _party_deleted(seen, history, deletion)
            continue
        rule = _DELETION_RULES[deletion.record_type]
        problems += _one_row(seen, rule, deletion.record_type, key=deletion.key, rid=None)
    return problems


def _party_deleted(seen: Seen, history: History, deletion: Deletion) -> list[str]:
    """Rule D5: a deleted customer / vendor is found out when its contact is next edited in
    Re-Leased (or billed: see ``_released_alone``); until then nothing need be said."""
    link = seen.links.by_intacct(RecordType.CONTACT, deletion.key)
    if link is None:
        return []
    edited = any(
        isinstance(v, Contact) and v.modified_at is not None and v.modified_at > deletion.deleted_at
        for v in history.of_released(str(link.released_id))
    )
    rows = seen.rows_naming(Rule.D5, RecordType.CONTACT, key=None, rid=link.released_id)
    if len(rows) == int(edited) or (not edited and len(rows) <= 1):
        return []
    return [f"contact {link.released_id}: {len(rows)} results naming D5 (edited: {edited})"]


def _one_row(
    seen: Seen, rule: Rule | None, record_type: RecordType, *, key: str | None, rid: str | None
) -> list[str]:
    if rule is None:
        return [f"{record_type.value} {key or rid}: refused without a rule"]
    found = seen.rows_naming(rule, record_type, key=key, rid=rid)
    if len(found) == 1:
        return []
    return [f"{record_type.value} {key or rid}: {len(found)} sync results naming {rule.value}"]


def _rule_of(checked: Result[object, SyncError]) -> Rule | None:
    return None if is_successful(checked) else checked.failure().rule


def _intacct_alone(record: IntacctRecord, seen: Seen) -> list[str]:
    """An Intacct record no link holds: it must be one that may not sync, with its result."""
    if str(intacct_key_of(record)) in seen.ours_intacct:
        return []
    if isinstance(record, IntacctPayment):
        return _intacct_payment_alone(record, seen)
    if isinstance(record, Party) and not seen.links.by_intacct(RecordType.CONTACT, record.link_key):
        rule = _rule_of(check_incoming_party(record, seen.settings))
        return _expected(rule, seen, RecordType.CONTACT, key=record.link_key)
    if isinstance(record, Transaction) and not seen.links.by_intacct(
        record.record_type, record.link_key
    ):
        if record.state is IntacctState.REVERSAL and _reverses_synced(record, seen):
            return []  # the entry reversing a synced document: the D7 result names the original
        rule = Rule.D7 if record.state in _REVERSED else None
        rule = rule or _rule_of(check_incoming_transaction(record, seen.settings))
        return _expected(rule, seen, record.record_type, key=record.link_key)
    return []


def _reverses_synced(entry: Transaction, seen: Seen) -> bool:
    """Whether ``entry`` (a Reversal) reverses a linked document: the sync voids that copy with
    one D7 result naming the original (``planning.documents._reversed``)."""
    original = entry.reverses
    return original is not None and seen.links.by_intacct(entry.record_type, original) is not None


def _intacct_payment_alone(payment: IntacctPayment, seen: Seen) -> list[str]:
    if payment.state is IntacctState.REVERSAL and payment.reverses is not None:
        return []  # the entry reversing a payment: its result is the reversed one's (D9)
    key = IntacctKey(payment.record_no or "")
    rule = _rule_of(check_incoming_payment(payment, seen.settings))
    if rule is None and payment.state is IntacctState.REVERSED:
        rule = Rule.D9
    if rule is not None:
        return _one_row(seen, rule, RecordType.PAYMENT, key=key, rid=None)
    missing = [
        a
        for a in payment.applications
        if seen.links.by_intacct(RecordType.PAYMENT, payment.allocation_key(a)) is None
    ]
    return [f"payment {key}: eligible allocation {a.document_key} not synced" for a in missing]


def _released_alone(record: ReleasedRecord, seen: Seen) -> list[str]:
    """A Re-Leased record no link holds: one that may not sync, with its result."""
    if not isinstance(record, Contact | Invoice | Payment) or str(record.id) in seen.ours_released:
        return []
    record_type = record_type_of(record)
    if seen.links.by_released(record_type, record.id) is not None:
        return []
    if isinstance(record, Contact):
        archived = record.status is ReleasedStatus.ARCHIVED  # at onboarding (O3) or later
        rule = Rule.O3 if archived else _rule_of(check_outgoing_contact(record, seen.settings))
        rule = rule or (Rule.D4 if record.role is None else None)
    elif isinstance(record, Invoice):
        rule = _rule_of(check_outgoing_invoice(record, seen.settings)) or _gone(record, seen)
    else:
        if record.status is ReleasedPaymentStatus.DELETED:
            return []  # removed before it was synced: nothing to sync, nothing to say
        rule = _rule_of(check_outgoing_payment(record, seen.settings))
    return _expected(rule, seen, record_type, rid=record.id)


def _gone(invoice: Invoice, seen: Seen) -> Rule | None:
    """Rule D5: an invoice raised for a contact whose customer / vendor was deleted."""
    link = seen.links.by_released(RecordType.CONTACT, invoice.contact_id)
    return Rule.D5 if link is not None and str(link.intacct_key) in seen.deleted else None


def _expected(
    rule: Rule | None,
    seen: Seen,
    record_type: RecordType,
    *,
    key: str | None = None,
    rid: str | None = None,
) -> list[str]:
    if rule is None:
        return [f"{record_type.value} {key or rid}: may sync, but has no copy on the other side"]
    return _one_row(seen, rule, record_type, key=key, rid=rid)


def _pair(link: Link, seen: Seen, history: History) -> list[str]:
    if link.record_type not in _DELETION_RULES or not link.is_linked:
        return []
    pair = pair_of(link, seen.intacct, seen.released, seen.settings)
    if pair.released is None:
        return [f"{link.record_type.value} {link.released_id}: linked copy missing in Re-Leased"]
    if pair.intacct is None:
        return []  # deleted in Intacct: its result is checked with the deletions
    return _compare(pair, link, seen, history)


def _compare(pair: Pair, link: Link, seen: Seen, history: History) -> list[str]:
    ids = IdBook(seen.links)
    tx, copy = pair.intacct, pair.released
    label = f"{link.record_type.value} {link.intacct_key} / {link.released_id}"
    if isinstance(tx, Transaction) and tx.state in _REVERSED:
        return _reversed(link, copy, seen, history, label)
    problems = [p for direction in _removals(pair) for p in _one_d9(seen, link, direction)]
    if pair.equal(ids):
        return problems
    allowed = pair.divergence_rules()
    justified = [
        r
        for r in allowed
        for _ in seen.rows_naming(r, link.record_type, key=link.intacct_key, rid=link.released_id)
    ]
    if not justified:
        return [*problems, f"{label}: the two sides differ and no result names {allowed}"]
    counts = Counter(justified)
    problems += [f"{label}: {n} results naming {r.value}" for r, n in counts.items() if n > 2]
    return problems + pair.within_history(history, ids, label)


def _removals(pair: Pair) -> list[Direction]:
    """Which side removed a synced payment (rule D9): Re-Leased deleted it (an outgoing result),
    Intacct reversed it (an incoming one)."""
    found = []
    if isinstance(pair.released, Payment) and pair.released.status is ReleasedPaymentStatus.DELETED:
        found.append(Direction.OUTGOING)
    if isinstance(pair.intacct, IntacctPayment) and pair.intacct.state is IntacctState.REVERSED:
        found.append(Direction.INCOMING)
    return found


def _one_d9(seen: Seen, link: Link, direction: Direction) -> list[str]:
    return _directed(seen, Rule.D9, link, direction, expected=1)


def _directed(
    seen: Seen, rule: Rule, link: Link, direction: Direction, *, expected: int, most: bool = False
) -> list[str]:
    rows = [
        row
        for row in seen.rows_naming(
            rule, link.record_type, key=link.intacct_key, rid=link.released_id
        )
        if row.direction is direction
    ]
    if len(rows) == expected or (most and len(rows) < expected):
        return []
    return [
        f"{link.record_type.value} {link.intacct_key} / {link.released_id}: {len(rows)} "
        f"{direction.value} results naming {rule.value}, expected {'at most ' if most else ''}"
        f"{expected}"
    ]


def _reversed(
    link: Link, copy: ReleasedRecord | None, seen: Seen, history: History, label: str
) -> list[str]:
    """Rule D7: the copy is voided, one incoming result asks to unlink it, and an outgoing one
    exists only when a Re-Leased user voided the copy too."""
    voided = isinstance(copy, Invoice) and copy.status is ReleasedInvoiceStatus.VOIDED
    problems = [] if voided else [f"{label}: reversed in Intacct, not voided in Re-Leased"]
    by_user = any(
        isinstance(v, Invoice) and v.status is ReleasedInvoiceStatus.VOIDED
        for v in history.of_released(str(link.released_id))
    )
    problems += _directed(seen, Rule.D7, link, Direction.INCOMING, expected=1)
    # a user's void can be overwritten by a later Intacct edit before it is seen (Intacct wins)
    return problems + _directed(
        seen, Rule.D7, link, Direction.OUTGOING, expected=int(by_user), most=True
    )


def _duplicates(seen: Seen) -> list[str]:
    """Exactly once: no two records on one side copy the same thing. A document is told by its
    number and party: the two companies may each hold a document of one number for different
    parties (the demo's INV-0005), and each comes to the other side as its own."""
    labels: list[tuple[str, ...]] = []
    for r in seen.intacct.values():
        if isinstance(r, Party):
            labels.append(("intacct party", r.role.value, r.name))
        elif isinstance(r, Transaction):
            labels.append(
                ("intacct transaction", r.origin.value, r.kind.value, r.number, r.party_id)
            )
    for rr in seen.released.values():
        if isinstance(rr, Contact):
            labels.append(("released contact", rr.correspondence_name or rr.name))
        elif isinstance(rr, Invoice):
            label = ("released invoice", rr.kind.value, rr.type.value, rr.invoice_number)
            labels.append((*label, rr.contact_id))
    return [f"duplicated: {label} x{n}" for label, n in Counter(labels).items() if n > 1]
