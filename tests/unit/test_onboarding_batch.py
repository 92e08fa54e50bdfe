"""Many onboarding decisions at once (rules O3, O4): ``decide_all`` refuses and keeps exactly what
the decisions taken one by one would, and takes N decisions in time linear in N."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful

from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.matching import (
    Archive,
    Candidate,
    CreateAs,
    Decision,
    Match,
    Step,
    Target,
)
from released_intacct.domain.onboarding import (
    Decided,
    Onboarding,
    StepState,
    archive,
    create_as,
    decide_all,
    match,
)
from released_intacct.fakes import samples

R = ReleasedId
K = IntacctKey


def _one_by_one(ob: Onboarding, decisions: list[tuple[Step, Decision]]) -> Decided:
    """The decisions taken through ``match``, ``archive`` and ``create_as``, as before a batch."""
    for step, decision in decisions:
        match decision:
            case Match(released_id=released_id, intacct_key=intacct_key):
                taken = match(ob, step, released_id, intacct_key)
            case Archive(released_id=released_id):
                taken = archive(ob, step, released_id)
            case CreateAs(released_id=released_id, role=role):
                taken = create_as(ob, released_id, role)
        refused: SyncError | None = None if is_successful(taken) else taken.failure()
        if refused is not None:
            return Decided(onboarding=ob, refused=refused)
        ob = taken.unwrap()
    return Decided(onboarding=ob)


@st.composite
def _decided_in(draw: st.DrawFn, step: Step) -> tuple[Step, Decision]:
    """A decision in ``step``, mostly about its own records (so batches re-match, release and
    hold them), now and then about another step's or an unknown one."""
    ob = samples.onboarding()
    own = ob.state(step)
    ids = [c.released_id for c in own.candidates] or [R("nobody")]
    keys = [t.intacct_key for t in own.targets] or [K("nothing")]
    released = st.one_of(
        st.sampled_from(ids), st.sampled_from([R("nobody"), R("a-sales"), R("c-new")])
    )
    keyed = st.one_of(st.sampled_from(keys), st.just(K("nothing")))
    decision: Decision = draw(
        st.one_of(
            st.builds(lambda r, k: Match(released_id=r, intacct_key=k), released, keyed),
            st.builds(lambda r: Archive(released_id=r), released),
            st.builds(
                lambda r, role: CreateAs(released_id=r, role=role),
                released,
                st.sampled_from(ContactRole),
            ),
        )
    )
    return step, decision


def _decisions() -> st.SearchStrategy[list[tuple[Step, Decision]]]:
    return st.sampled_from(list(Step)).flatmap(
        lambda step: st.lists(
            st.one_of(_decided_in(step), _decided_in(step), _decided_in(Step.CONTACTS)),
            max_size=10,
        )
    )


@settings(max_examples=300)
@given(_decisions())
def test_O3_O4_decide_all_takes_and_refuses_as_the_decisions_one_by_one(
    decisions: list[tuple[Step, Decision]],
) -> None:
    """Each decision of a batch is checked against the ones taken before it in the same batch
    (a target matched earlier is held, a re-match releases it, a category keeps its dimension)."""
    assert decide_all(samples.onboarding(), decisions) == _one_by_one(
        samples.onboarding(), decisions
    )


def test_O4_a_target_matched_earlier_in_the_batch_is_held() -> None:
    decided = decide_all(
        samples.onboarding(),
        [
            (Step.ACCOUNTS, Match(released_id=R("a-rent"), intacct_key=K("4100"))),
            (Step.ACCOUNTS, Archive(released_id=R("a-misc"))),
            (Step.ACCOUNTS, Match(released_id=R("a-misc"), intacct_key=K("4100"))),
            (Step.ACCOUNTS, Archive(released_id=R("a-sales"))),
        ],
    )
    assert decided.refused is not None
    assert decided.refused.rule is Rule.O4
    assert "R1 Rent received" in decided.refused.message
    kept = decided.onboarding.state(Step.ACCOUNTS)
    assert kept.decisions[R("a-misc")] == Archive(released_id=R("a-misc"))  # kept before it
    assert not isinstance(kept.decisions[R("a-sales")], Archive)  # not taken after it


def test_O4_a_target_released_earlier_in_the_batch_is_free() -> None:
    decided = decide_all(
        samples.onboarding(),
        [
            (Step.ACCOUNTS, Match(released_id=R("a-rent"), intacct_key=K("4100"))),
            (Step.ACCOUNTS, Archive(released_id=R("a-rent"))),
            (Step.ACCOUNTS, Match(released_id=R("a-misc"), intacct_key=K("4100"))),
        ],
    )
    assert decided.refused is None
    assert decided.onboarding.state(Step.ACCOUNTS).holder(K("4100")) == R("a-misc")


def test_O3_a_category_released_earlier_in_the_batch_may_take_another_dimension() -> None:
    decided = decide_all(
        samples.onboarding(),
        [
            (Step.TRACKING_OPTIONS, Match(released_id=R("o-north"), intacct_key=K("LOCATION:N"))),
            (Step.TRACKING_OPTIONS, Match(released_id=R("o-south"), intacct_key=K("LOCATION:S"))),
            (Step.TRACKING_OPTIONS, Archive(released_id=R("o-north"))),
            (Step.TRACKING_OPTIONS, Match(released_id=R("o-south"), intacct_key=K("DEPARTMENT:D"))),
            (Step.TRACKING_OPTIONS, Match(released_id=R("o-north"), intacct_key=K("LOCATION:N"))),
        ],
    )
    assert decided.refused is not None
    assert decided.refused.rule is Rule.O3
    assert "'Area: North' cannot be matched to 'Location: Nth'" in decided.refused.message
    assert "'Area: South' of the same category is matched to 'Department: Sth'" in (
        decided.refused.message
    )


class _Scanned(tuple[Candidate, ...]):
    """A step's candidates that count how often they are walked through."""

    scans = 0

    def __iter__(self) -> Iterator[Candidate]:
        _Scanned.scans += 1
        return super().__iter__()


class _Copied(dict[ReleasedId, Decision]):
    """A step's decision map that counts how often it is read whole (copied or walked)."""

    reads = 0

    def keys(self):  # type: ignore[no-untyped-def]
        _Copied.reads += 1
        return super().keys()

    def items(self):  # type: ignore[no-untyped-def]
        _Copied.reads += 1
        return super().items()

    def values(self):  # type: ignore[no-untyped-def]
        _Copied.reads += 1
        return super().values()

    def __iter__(self) -> Iterator[ReleasedId]:
        _Copied.reads += 1
        return super().__iter__()


def _contacts(n: int) -> Onboarding:
    """``n`` contacts and ``n`` Intacct customers, nothing decided, the map and list counting."""
    candidates = _Scanned(
        Candidate(released_id=R(f"c-{i}"), label=f"Contact {i}", keys=()) for i in range(n)
    )
    targets = tuple(
        Target(intacct_key=K(f"C-{i}"), label=f"Customer {i}", keys=()) for i in range(n)
    )
    steps = tuple(
        StepState(
            step=step,
            candidates=candidates if step is Step.CONTACTS else (),
            targets=targets if step is Step.CONTACTS else (),
            decisions=MappingProxyType(_Copied()) if step is Step.CONTACTS else {},
        )
        for step in Step
    )
    return Onboarding(steps=steps)


def _reads(n: int) -> tuple[int, int]:
    ob = _contacts(n)
    _Scanned.scans = _Copied.reads = 0
    half = n // 2
    decided = decide_all(
        ob,
        [
            *[
                (Step.CONTACTS, Match(released_id=R(f"c-{i}"), intacct_key=K(f"C-{i}")))
                for i in range(half)
            ],
            *[
                (Step.CONTACTS, CreateAs(released_id=R(f"c-{i}"), role=ContactRole.VENDOR))
                for i in range(half, n)
            ],
        ],
    )
    assert decided.refused is None
    assert len(decided.onboarding.state(Step.CONTACTS).decisions) == n
    return _Scanned.scans, _Copied.reads


def test_O3_decide_all_reads_the_candidates_and_decision_map_once_whatever_the_count() -> None:
    """Linear, not quadratic: N decisions walk a step's candidates and copy its decision map a
    fixed number of times (once), not once a decision; counted, not timed."""
    assert _reads(10) == _reads(200) == (1, 1)
