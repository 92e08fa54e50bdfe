"""The onboarding wizard as a value: four matching steps, then confirm (rules O1, O3-O5, C1).

Every function is pure and returns a new ``Onboarding`` (or the refusal, with its rule id);
``decide_all`` takes many decisions in time linear in them (``onboarding_book``).

Decided where the spec is silent:
- A step with no candidates starts *continued* (rule O1): with nothing pre-existing in Re-Leased,
  ``can_confirm`` holds at once. A step with candidates waits for the user's Continue, even when
  auto-match resolved all of them, so the user sees the matches made for them.
- A candidate already archived in Re-Leased and not auto-matched starts resolved as ``Archive``.
- Changing a decision in a continued step keeps it continued: no change can leave an item
  unresolved, and steps after it stay valid.
- Options of one Re-Leased tracking category must match values of one Intacct dimension (one
  category per dimension, rule D1/M2); a match mixing dimensions is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.matching import (
    Archive,
    Candidate,
    CreateAs,
    Decision,
    Match,
    Step,
    Target,
    auto_match,
)
from released_intacct.domain.onboarding_book import Book, check, ref, refusal

_LISTED = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class StepState:
    step: Step
    candidates: tuple[Candidate, ...]
    targets: tuple[Target, ...]
    decisions: Mapping[ReleasedId, Decision]
    continued: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.decisions, MappingProxyType):
            object.__setattr__(self, "decisions", MappingProxyType(dict(self.decisions)))

    def candidate(self, released_id: ReleasedId) -> Candidate | None:
        return next((c for c in self.candidates if c.released_id == released_id), None)

    def target(self, intacct_key: IntacctKey) -> Target | None:
        return next((t for t in self.targets if t.intacct_key == intacct_key), None)

    def holder(self, intacct_key: IntacctKey) -> ReleasedId | None:
        """The Re-Leased record matched to ``intacct_key``, if any."""
        return next(
            (
                released_id
                for released_id, decision in self.decisions.items()
                if isinstance(decision, Match) and decision.intacct_key == intacct_key
            ),
            None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Onboarding:
    steps: tuple[StepState, ...]
    """One per ``Step``, in order."""
    confirmed: bool = False

    def __post_init__(self) -> None:
        if tuple(state.step for state in self.steps) != tuple(Step):
            msg = "onboarding needs one state per step, in step order"
            raise ValueError(msg)

    def state(self, step: Step) -> StepState:
        return self.steps[list(Step).index(step)]


def start_onboarding(
    *,
    tax_types: Sequence[Candidate] = (),
    tax_details: Sequence[Target] = (),
    accounts: Sequence[Candidate] = (),
    gl_accounts: Sequence[Target] = (),
    tracking_options: Sequence[Candidate] = (),
    dimension_values: Sequence[Target] = (),
    contacts: Sequence[Candidate] = (),
    parties: Sequence[Target] = (),
) -> Onboarding:
    """Rules O1/O2: each step starts with its auto-matches; an empty step starts continued."""
    return Onboarding(
        steps=(
            _start(Step.TAX_TYPES, tax_types, tax_details),
            _start(Step.ACCOUNTS, accounts, gl_accounts),
            _start(Step.TRACKING_OPTIONS, tracking_options, dimension_values),
            _start(Step.CONTACTS, contacts, parties),
        )
    )


def match(
    ob: Onboarding, step: Step, released_id: ReleasedId, intacct_key: IntacctKey
) -> Result[Onboarding, SyncError]:
    """Rules O3/O4: match by hand; a target held by another record is refused, naming it."""
    return _one(ob, step, Match(released_id=released_id, intacct_key=intacct_key))


def archive(ob: Onboarding, step: Step, released_id: ReleasedId) -> Result[Onboarding, SyncError]:
    """Rule O3: archive the record in Re-Leased (it releases any Intacct record it held)."""
    return _one(ob, step, Archive(released_id=released_id))


def create_as(
    ob: Onboarding, released_id: ReleasedId, role: ContactRole
) -> Result[Onboarding, SyncError]:
    """Rule O3: a contact (only) may be created in Intacct as a new customer or vendor."""
    return _one(ob, Step.CONTACTS, CreateAs(released_id=released_id, role=role))


@dataclass(frozen=True, slots=True, kw_only=True)
class Decided:
    """What ``decide_all`` made of its decisions: the onboarding with those taken, and the
    refusal that stopped it (``None`` when all were taken)."""

    onboarding: Onboarding
    refused: SyncError | None = None


def decide_all(ob: Onboarding, decisions: Iterable[tuple[Step, Decision]]) -> Decided:
    """Many decisions taken in turn, each checked as ``match``, ``archive`` or ``create_as``
    checks it (a ``CreateAs`` is always the Contacts step's, rule O3); the first refusal stops
    them and the decisions before it are kept. Linear in the decisions: each step's look-ups and
    decision map are built once, not once a decision."""
    books: dict[Step, Book] = {}

    def book(step: Step) -> Book:
        found = books.get(step)
        if found is None:
            state = ob.state(step)
            found = books[step] = Book(step, state.candidates, state.targets, state.decisions)
        return found

    refused = _locked(ob)
    for step, decision in () if refused is not None else decisions:
        refused = check(book, step, decision)
        if refused is not None:
            break
        book(Step.CONTACTS if isinstance(decision, CreateAs) else step).take(decision)
    states = tuple(
        replace(s, decisions=MappingProxyType(books[s.step].decisions))
        if s.step in books and books[s.step].changed
        else s
        for s in ob.steps
    )
    return Decided(onboarding=replace(ob, steps=states), refused=refused)


def unresolved(ob: Onboarding, step: Step) -> tuple[Candidate, ...]:
    state = ob.state(step)
    return tuple(c for c in state.candidates if c.released_id not in state.decisions)


def continue_step(ob: Onboarding, step: Step) -> Result[Onboarding, SyncError]:
    """Rule O5: steps continue in order, each once all its items are resolved."""
    error = _locked(ob) or _previous_open(ob, step) or _unresolved_error(ob, step)
    if error is not None:
        return Failure(error)
    states = tuple(replace(s, continued=True) if s.step is step else s for s in ob.steps)
    return Success(replace(ob, steps=states))


def can_confirm(ob: Onboarding) -> Result[Onboarding, SyncError]:
    """Rule O5: confirm is allowed once all four steps are continued."""
    error = _locked(ob)
    if error is not None:
        return Failure(error)
    for state in ob.steps:
        if not state.continued:
            left = len(unresolved(ob, state.step))
            return Failure(
                SyncError(
                    kind=ErrorKind.NEEDS_USER,
                    rule=Rule.O5,
                    message=(
                        f"Onboarding cannot be confirmed yet: the {state.step.title} step "
                        f"is not continued ({left} still to match or archive)."
                    ),
                    fix="Resolve every item of each step, then select Continue on it.",
                )
            )
    return Success(ob)


def confirm(ob: Onboarding) -> Result[Onboarding, SyncError]:
    """Rule O5/C1: confirm once; from then on the link is fixed and every change is refused."""
    return can_confirm(ob).map(lambda ready: replace(ready, confirmed=True))


def _start(step: Step, candidates: Sequence[Candidate], targets: Sequence[Target]) -> StepState:
    decisions: dict[ReleasedId, Decision] = {
        found.released_id: found for found in auto_match(candidates, targets)
    }
    for candidate in candidates:
        if candidate.archived and candidate.released_id not in decisions:
            decisions[candidate.released_id] = Archive(released_id=candidate.released_id)
    return StepState(
        step=step,
        candidates=tuple(candidates),
        targets=tuple(targets),
        decisions=decisions,
        continued=not candidates,
    )


def _one(ob: Onboarding, step: Step, decision: Decision) -> Result[Onboarding, SyncError]:
    decided = decide_all(ob, [(step, decision)])
    return Failure(decided.refused) if decided.refused else Success(decided.onboarding)


def _locked(ob: Onboarding) -> SyncError | None:
    if not ob.confirmed:
        return None
    return refusal(
        Rule.C1,
        "Onboarding is already confirmed: the link between this Re-Leased company and its "
        "Intacct company is fixed and can no longer be changed.",
        "Nothing to do: matches made at onboarding cannot be changed after confirm.",
    )


def _previous_open(ob: Onboarding, step: Step) -> SyncError | None:
    position = list(Step).index(step)
    if position == 0 or ob.steps[position - 1].continued:
        return None
    earlier = next(state.step for state in ob.steps if not state.continued)
    return refusal(
        Rule.O5,
        f"The {step.title} step cannot be continued before the {earlier.title} step.",
        f"Resolve and continue the {earlier.title} step first; steps run in order.",
    )


def _unresolved_error(ob: Onboarding, step: Step) -> SyncError | None:
    left = unresolved(ob, step)
    if not left:
        return None
    listed = ", ".join(f"'{c.label}'" for c in left[:_LISTED])
    more = f" and {len(left) - _LISTED} more" if len(left) > _LISTED else ""
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.O5,
        message=f"{len(left)} {step.noun}(s) still need a decision: {listed}{more}.",
        fix=f"Match each to an {step.intacct_noun} or archive it"
        + (", or create it in Intacct as a customer or vendor." if step is Step.CONTACTS else "."),
        record=ref(step, left[0].released_id, left[0]) if len(left) == 1 else None,
    )
