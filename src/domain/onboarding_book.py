"""One step's decisions checked against look-ups built once (rules O3, O4): the onboarding
wizard's ``decide_all`` keeps a ``Book`` per step it touches, so N decisions cost O(N), not a
copy of the step's decision map and a scan of its candidates each.

The refusals are the wizard's: the same rule ids and messages however many decisions are taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from released_intacct.domain.enums import Direction
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.matching import (
    Archive,
    Candidate,
    CreateAs,
    Decision,
    Match,
    Step,
    Target,
    normalize,
)

__all__ = ["Book", "check", "ref", "refusal"]


def check(book_of: Callable[[Step], Book], step: Step, decision: Decision) -> SyncError | None:
    """The refusal of ``decision`` in ``step``, if any (rules O3/O4)."""
    match decision:
        case Match(released_id=released_id, intacct_key=intacct_key):
            held = book_of(step)
            return (
                _unknown_candidate(held, released_id)
                or _unknown_target(held, released_id, intacct_key)
                or _held(held, released_id, intacct_key)
                or _mixed_dimensions(held, released_id, intacct_key)
            )
        case Archive(released_id=released_id):
            return _unknown_candidate(book_of(step), released_id)
        case CreateAs(released_id=released_id):
            return _not_a_contact(book_of, released_id)


class Book:
    """One step's look-ups, built once from its state and kept up to date as decisions are
    taken: candidates and targets by id, the holder of each Intacct record, and for each tracking
    category how many of its matches use each dimension. ``decisions`` is the step's decision
    map, copied once; ``changed`` says whether any decision was taken."""

    __slots__ = ("candidates", "changed", "decisions", "dimensions", "holders", "step", "targets")

    def __init__(
        self,
        step: Step,
        candidates: Sequence[Candidate],
        targets: Sequence[Target],
        decisions: Mapping[ReleasedId, Decision],
    ) -> None:
        self.step, self.changed = step, False
        self.candidates: dict[ReleasedId, Candidate] = {}
        for candidate in candidates:
            self.candidates.setdefault(candidate.released_id, candidate)
        self.targets: dict[IntacctKey, Target] = {}
        for target in targets:
            self.targets.setdefault(target.intacct_key, target)
        self.decisions: dict[ReleasedId, Decision] = dict(decisions)
        self.holders: dict[IntacctKey, ReleasedId] = {}
        self.dimensions: dict[str, Counter[str]] = {}
        for decision in self.decisions.values():
            self._count(decision, 1)

    def candidate(self, released_id: ReleasedId) -> Candidate | None:
        return self.candidates.get(released_id)

    def target(self, intacct_key: IntacctKey) -> Target | None:
        return self.targets.get(intacct_key)

    def holder(self, intacct_key: IntacctKey) -> ReleasedId | None:
        return self.holders.get(intacct_key)

    def dimension(self, decision: Decision | None) -> tuple[str, str] | None:
        """The (category, dimension) a match of a known candidate to a known target uses."""
        if not isinstance(decision, Match):
            return None
        candidate, target = self.candidate(decision.released_id), self.target(decision.intacct_key)
        if candidate is None or target is None:
            return None
        return normalize(candidate.group), normalize(target.group)

    def take(self, decision: Decision) -> None:
        before = self.decisions.get(decision.released_id)
        if before is not None:
            self._count(before, -1)
        self.decisions[decision.released_id] = decision
        self._count(decision, 1)
        self.changed = True

    def _count(self, decision: Decision, change: int) -> None:
        if isinstance(decision, Match):
            if change > 0:
                self.holders.setdefault(decision.intacct_key, decision.released_id)
            elif self.holders.get(decision.intacct_key) == decision.released_id:
                del self.holders[decision.intacct_key]
        used = self.dimension(decision)
        if used is not None:
            self.dimensions.setdefault(used[0], Counter())[used[1]] += change


def ref(step: Step, released_id: ReleasedId, candidate: Candidate | None) -> RecordRef:
    return RecordRef(
        record_type=step.record_type,
        direction=Direction.OUTGOING,
        released_id=released_id,
        label=candidate.label if candidate else "",
    )


def _refers(book: Book, released_id: ReleasedId) -> RecordRef:
    return ref(book.step, released_id, book.candidate(released_id))


def _label(book: Book, released_id: ReleasedId) -> str:
    candidate = book.candidate(released_id)
    return candidate.label if candidate else released_id


def refusal(rule: Rule, message: str, fix: str, *, ref: RecordRef | None = None) -> SyncError:
    return SyncError(kind=ErrorKind.REJECTED, rule=rule, message=message, fix=fix, record=ref)


def _unknown_candidate(book: Book, released_id: ReleasedId) -> SyncError | None:
    if book.candidate(released_id) is not None:
        return None
    step = book.step
    return refusal(
        Rule.O3,
        f"There is no Re-Leased {step.noun} with id '{released_id}' in the {step.title} step.",
        f"Pick one of the {step.noun}s listed in the {step.title} step.",
        ref=_refers(book, released_id),
    )


def _unknown_target(
    book: Book, released_id: ReleasedId, intacct_key: IntacctKey
) -> SyncError | None:
    if book.target(intacct_key) is not None:
        return None
    step = book.step
    return refusal(
        Rule.O3,
        f"There is no {step.intacct_noun} '{intacct_key}' to match the {step.noun} "
        f"'{_label(book, released_id)}' to.",
        f"Pick one of the {step.intacct_noun}s offered, or archive the {step.noun}.",
        ref=_refers(book, released_id),
    )


def _held(book: Book, released_id: ReleasedId, intacct_key: IntacctKey) -> SyncError | None:
    holder = book.holder(intacct_key)
    target = book.target(intacct_key)
    if holder is None or holder == released_id or target is None:
        return None
    step, holder_label = book.step, _label(book, holder)
    return refusal(
        Rule.O4,
        f"The {step.intacct_noun} '{target.label}' is already matched to the Re-Leased "
        f"{step.noun} '{holder_label}'; each can be matched to one {step.noun} only.",
        f"Match '{_label(book, released_id)}' to another {step.intacct_noun} or archive it, "
        f"or first change the match of '{holder_label}'.",
        ref=_refers(book, released_id),
    )


def _mixed_dimensions(
    book: Book, released_id: ReleasedId, intacct_key: IntacctKey
) -> SyncError | None:
    """One tracking category matches one dimension: refused when another option of the category
    is matched to another dimension's value (counted in ``book``; searched for only then)."""
    used = book.dimension(Match(released_id=released_id, intacct_key=intacct_key))
    if used is None:
        return None
    category, dimension = used
    others = Counter(book.dimensions.get(category, {}))
    own = book.dimension(book.decisions.get(released_id))
    if own is not None:
        others[own[1]] -= 1
    if all(count <= 0 for used_by, count in others.items() if used_by != dimension):
        return None
    for other_id, decision in book.decisions.items():
        other = book.dimension(decision) if other_id != released_id else None
        mixed = other is not None and other[0] == category and other[1] != dimension
        if mixed and isinstance(decision, Match):
            return _mixed(book, released_id, intacct_key, decision)
    return None


def _mixed(book: Book, released_id: ReleasedId, intacct_key: IntacctKey, other: Match) -> SyncError:
    candidate, target = book.candidates[released_id], book.targets[intacct_key]
    label, held = book.candidates[other.released_id].label, book.targets[other.intacct_key]
    return refusal(
        Rule.O3,
        f"The tracking option '{candidate.label}' cannot be matched to '{target.label}': "
        f"'{label}' of the same category is matched to '{held.label}', and one "
        "tracking category matches one Intacct dimension.",
        f"Match '{candidate.label}' to a value of the same dimension as '{held.label}', "
        "or archive it.",
        ref=_refers(book, released_id),
    )


def _not_a_contact(book_of: Callable[[Step], Book], released_id: ReleasedId) -> SyncError | None:
    for step in Step:
        candidate = book_of(step).candidate(released_id)
        if candidate is not None and step is not Step.CONTACTS:
            return refusal(
                Rule.O3,
                f"Only contacts can be created in Intacct; '{candidate.label}' belongs to the "
                f"{step.title} step.",
                f"Match '{candidate.label}' to an {step.intacct_noun}, or archive it.",
                ref=ref(step, released_id, candidate),
            )
    return _unknown_candidate(book_of(Step.CONTACTS), released_id)
