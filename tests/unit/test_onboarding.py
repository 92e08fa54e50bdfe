"""The onboarding wizard (rules O1, O3, O4, O5 and C1): decisions, step order and confirm."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from returns.result import Result

from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import GlAccount
from released_intacct.domain.matching import (
    Archive,
    Candidate,
    CreateAs,
    Match,
    Step,
    Target,
    account_candidates,
    gl_account_targets,
)
from released_intacct.domain.onboarding import (
    Onboarding,
    StepState,
    archive,
    can_confirm,
    confirm,
    continue_step,
    create_as,
    match,
    start_onboarding,
    unresolved,
)
from released_intacct.domain.released import (
    Account,
)
from released_intacct.fakes import samples

R = ReleasedId
K = IntacctKey


def _ok(result: Result[Onboarding, SyncError]) -> Onboarding:
    return result.unwrap()


def _refused(result: Result[Onboarding, SyncError], rule: Rule) -> SyncError:
    error = result.failure()
    assert error.rule is rule, error
    return error


def _resolve_all(ob: Onboarding) -> Onboarding:
    ob = _ok(archive(ob, Step.TAX_TYPES, R("t-old")))
    ob = _ok(match(ob, Step.ACCOUNTS, R("a-rent"), K("4100")))
    ob = _ok(archive(ob, Step.ACCOUNTS, R("a-misc")))
    ob = _ok(match(ob, Step.TRACKING_OPTIONS, R("o-north"), K("LOCATION:N")))
    ob = _ok(match(ob, Step.TRACKING_OPTIONS, R("o-south"), K("LOCATION:S")))
    return _ok(create_as(ob, R("c-new"), ContactRole.CUSTOMER))


def _continue_all(ob: Onboarding) -> Onboarding:
    for step in Step:
        ob = _ok(continue_step(ob, step))
    return ob


# --- O1 ------------------------------------------------------------------------------------------


def test_O1_with_nothing_pre_existing_onboarding_goes_straight_to_confirm() -> None:
    ob = start_onboarding(
        gl_accounts=gl_account_targets([GlAccount(account_no=IntacctId("1"), title="Cash")])
    )
    assert all(state.continued for state in ob.steps)
    assert _ok(can_confirm(ob)) == ob
    assert _ok(confirm(ob)).confirmed


def test_O1_O2_each_step_starts_with_its_auto_matches() -> None:
    ob = samples.onboarding()
    assert ob.state(Step.TAX_TYPES).decisions == {
        R("t-std"): Match(released_id=R("t-std"), intacct_key=K("Standard"), auto=True)
    }
    assert ob.state(Step.ACCOUNTS).decisions == {
        R("a-sales"): Match(released_id=R("a-sales"), intacct_key=K("4000"), auto=True)
    }
    assert ob.state(Step.CONTACTS).decisions[R("c-acme")] == Match(
        released_id=R("c-acme"), intacct_key=K("CUSTOMER:C-1"), auto=True
    )
    assert not any(state.continued for state in ob.steps)


def test_O1_a_step_with_no_candidates_starts_continued_the_others_wait() -> None:
    only_accounts = start_onboarding(
        accounts=account_candidates([Account(id=R("a"), code="4000", name="Sales")]),
        gl_accounts=gl_account_targets([GlAccount(account_no=IntacctId("4000"), title="Sales")]),
    )
    assert [state.continued for state in only_accounts.steps] == [True, False, True, True]
    assert unresolved(only_accounts, Step.ACCOUNTS) == ()
    ready = _ok(continue_step(only_accounts, Step.ACCOUNTS))
    assert _ok(can_confirm(ready)) == ready


# --- O3 ------------------------------------------------------------------------------------------


def test_O3_unmatched_items_are_listed_until_matched_or_archived() -> None:
    ob = samples.onboarding()
    assert [c.released_id for c in unresolved(ob, Step.ACCOUNTS)] == ["a-rent", "a-misc"]
    ob = _ok(match(ob, Step.ACCOUNTS, R("a-rent"), K("4100")))
    ob = _ok(archive(ob, Step.ACCOUNTS, R("a-misc")))
    assert unresolved(ob, Step.ACCOUNTS) == ()
    assert ob.state(Step.ACCOUNTS).decisions[R("a-rent")] == Match(
        released_id=R("a-rent"), intacct_key=K("4100"), auto=False
    )
    assert ob.state(Step.ACCOUNTS).decisions[R("a-misc")] == Archive(released_id=R("a-misc"))


def test_O3_a_contact_archived_in_released_starts_resolved_as_archived() -> None:
    decisions = samples.onboarding().state(Step.CONTACTS).decisions
    assert decisions[R("c-gone")] == Archive(released_id=R("c-gone"))


def test_O3_a_contact_may_be_created_in_intacct_as_customer_or_vendor() -> None:
    ob = _ok(create_as(samples.onboarding(), R("c-new"), ContactRole.VENDOR))
    assert ob.state(Step.CONTACTS).decisions[R("c-new")] == CreateAs(
        released_id=R("c-new"), role=ContactRole.VENDOR
    )
    assert unresolved(ob, Step.CONTACTS) == ()


def test_O3_only_contacts_can_be_created_in_intacct() -> None:
    error = _refused(create_as(samples.onboarding(), R("a-misc"), ContactRole.CUSTOMER), Rule.O3)
    assert "M1 Misc" in error.message
    assert "Accounts step" in error.message
    assert error.record is not None
    assert error.record.released_id == "a-misc"


def test_O3_unknown_records_are_refused_by_name() -> None:
    ob = samples.onboarding()
    unknown = _refused(match(ob, Step.ACCOUNTS, R("nope"), K("4100")), Rule.O3)
    assert "nope" in unknown.message
    assert "Accounts" in unknown.message
    no_target = _refused(match(ob, Step.ACCOUNTS, R("a-rent"), K("9999")), Rule.O3)
    assert "9999" in no_target.message
    assert "R1 Rent received" in no_target.message
    _refused(archive(ob, Step.TAX_TYPES, R("a-rent")), Rule.O3)
    _refused(create_as(ob, R("nope"), ContactRole.VENDOR), Rule.O3)


def test_O3_options_of_one_category_match_values_of_one_dimension() -> None:
    ob = _ok(match(samples.onboarding(), Step.TRACKING_OPTIONS, R("o-north"), K("LOCATION:N")))
    error = _refused(match(ob, Step.TRACKING_OPTIONS, R("o-south"), K("DEPARTMENT:D")), Rule.O3)
    assert "Area: South" in error.message
    assert "Location: Nth" in error.message
    assert _ok(match(ob, Step.TRACKING_OPTIONS, R("o-south"), K("LOCATION:S")))


# --- O4 ------------------------------------------------------------------------------------------


def test_O4_a_second_match_is_refused_naming_the_holder() -> None:
    ob = samples.onboarding()
    error = _refused(match(ob, Step.ACCOUNTS, R("a-rent"), K("4000")), Rule.O4)
    assert error.message.startswith(
        "The Intacct account '4000 Sales' is already matched to the Re-Leased account "
        "'4000 Sales income'"
    )
    assert "R1 Rent received" in error.fix
    assert error.kind is ErrorKind.REJECTED
    assert ob.state(Step.ACCOUNTS).holder(K("4000")) == "a-sales"


def test_O4_holder_is_named_for_a_match_made_by_hand() -> None:
    ob = _ok(match(samples.onboarding(), Step.CONTACTS, R("c-new"), K("VENDOR:V-1")))
    error = _refused(match(ob, Step.CONTACTS, R("c-acme"), K("VENDOR:V-1")), Rule.O4)
    assert "Builders Co (vendor V-1)" in error.message
    assert "'New Tenant'" in error.message


def test_O4_rematching_a_record_releases_its_old_target() -> None:
    ob = _ok(match(samples.onboarding(), Step.ACCOUNTS, R("a-sales"), K("4100")))
    assert ob.state(Step.ACCOUNTS).holder(K("4000")) is None
    ob = _ok(match(ob, Step.ACCOUNTS, R("a-rent"), K("4000")))
    assert ob.state(Step.ACCOUNTS).holder(K("4000")) == "a-rent"
    assert ob.state(Step.ACCOUNTS).holder(K("4100")) == "a-sales"


def test_O4_archiving_a_record_releases_its_target() -> None:
    ob = _ok(archive(samples.onboarding(), Step.TAX_TYPES, R("t-std")))
    assert _ok(match(ob, Step.TAX_TYPES, R("t-old"), K("Standard")))


# --- O5 ------------------------------------------------------------------------------------------


def test_O5_steps_continue_in_order() -> None:
    ob = _resolve_all(samples.onboarding())
    error = _refused(continue_step(ob, Step.ACCOUNTS), Rule.O5)
    assert "Accounts" in error.message
    assert "Tax types" in error.message
    ob = _ok(continue_step(ob, Step.TAX_TYPES))
    assert _ok(continue_step(ob, Step.ACCOUNTS)).state(Step.ACCOUNTS).continued


def test_O5_a_step_with_unresolved_items_cannot_continue_and_lists_five() -> None:
    many = start_onboarding(
        tax_types=[
            Candidate(released_id=R(f"t{n}"), label=f"Tax {n}", keys=(f"Tax {n}",))
            for n in range(7)
        ],
        tax_details=[Target(intacct_key=K("Other"), label="Other", keys=("Other",))],
    )
    error = _refused(continue_step(many, Step.TAX_TYPES), Rule.O5)
    assert error.kind is ErrorKind.NEEDS_USER
    assert error.message == (
        "7 tax type(s) still need a decision: "
        "'Tax 0', 'Tax 1', 'Tax 2', 'Tax 3', 'Tax 4' and 2 more."
    )


def test_O5_confirm_needs_all_four_steps_continued() -> None:
    ob = _resolve_all(samples.onboarding())
    for step in list(Step)[:3]:
        ob = _ok(continue_step(ob, step))
    error = _refused(can_confirm(ob), Rule.O5)
    assert "Contacts" in error.message
    _refused(confirm(ob), Rule.O5)
    ob = _ok(continue_step(ob, Step.CONTACTS))
    confirmed = _ok(confirm(ob))
    assert confirmed.confirmed
    assert confirmed.steps == ob.steps


def test_O5_changing_a_continued_step_keeps_it_resolved_and_continued() -> None:
    ob = _ok(continue_step(_resolve_all(samples.onboarding()), Step.TAX_TYPES))
    ob = _ok(match(ob, Step.TAX_TYPES, R("t-old"), K("Reduced")))
    state = ob.state(Step.TAX_TYPES)
    assert state.continued
    assert unresolved(ob, Step.TAX_TYPES) == ()


# --- C1 ------------------------------------------------------------------------------------------


def test_C1_confirming_twice_is_refused_the_link_is_fixed() -> None:
    confirmed = _ok(confirm(_continue_all(_resolve_all(samples.onboarding()))))
    error = _refused(confirm(confirmed), Rule.C1)
    assert "fixed" in error.message


@pytest.mark.parametrize(
    "change",
    [
        lambda ob: match(ob, Step.ACCOUNTS, R("a-rent"), K("4100")),
        lambda ob: archive(ob, Step.ACCOUNTS, R("a-sales")),
        lambda ob: create_as(ob, R("c-new"), ContactRole.VENDOR),
        lambda ob: continue_step(ob, Step.CONTACTS),
        can_confirm,
    ],
    ids=["match", "archive", "create_as", "continue_step", "can_confirm"],
)
def test_C1_after_confirm_every_change_is_refused(
    change: Callable[[Onboarding], Result[Onboarding, SyncError]],
) -> None:
    confirmed = _ok(confirm(_continue_all(_resolve_all(samples.onboarding()))))
    _refused(change(confirmed), Rule.C1)


def test_O5_onboarding_is_made_of_four_states_in_order() -> None:
    state = StepState(step=Step.TAX_TYPES, candidates=(), targets=(), decisions={})
    with pytest.raises(ValueError, match="in step order"):
        Onboarding(steps=(state,))
