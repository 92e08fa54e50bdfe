"""Onboarding end to end over the in-memory companies: match, archive, create, confirm, sync."""

from __future__ import annotations

from decimal import Decimal

from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.domain.actions import CreateInIntacct, CreateInReleased
from released_intacct.domain.enums import ContactRole, DimensionKind, RecordType, ReleasedStatus
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import DimensionValue, GlAccount, Party, TaxDetail
from released_intacct.domain.matching import (
    Step,
    account_candidates,
    contact_candidates,
    dimension_targets,
    gl_account_targets,
    party_targets,
    tax_detail_targets,
    tax_type_candidates,
    tracking_candidates,
)
from released_intacct.domain.onboarding import (
    Onboarding,
    archive,
    confirm,
    continue_step,
    create_as,
    start_onboarding,
)
from released_intacct.domain.planning.onboarding import plan_onboarding
from released_intacct.domain.released import (
    Account,
    Contact,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.fakes import samples as s
from released_intacct.fakes.companies import Companies
from released_intacct.fakes.full_sync import sync_everything

GL = [
    GlAccount(account_no=IntacctId("4000"), title="Rent Income"),
    GlAccount(account_no=IntacctId("6100"), title="Repairs"),
]
TAX = [TaxDetail(detail_id=IntacctId("Standard"), rate=Decimal(20))]
DIM = [DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D1"), name="Leasing")]
PARTY = [Party(role=ContactRole.CUSTOMER, party_id=IntacctId("C1"), name="Harbour Cafe")]
ACCOUNTS = [
    Account(id=ReleasedId("a1"), code="4000", name="Rent"),
    Account(id=ReleasedId("a2"), code="9999", name="Old suspense"),
]
TAXES = [TaxType(id=ReleasedId("t1"), name=" standard ", rate=Decimal(20))]
CATEGORIES = [
    TrackingCategory(
        id=ReleasedId("cat1"),
        name="Department",
        kind=DimensionKind.DEPARTMENT,
        options=(TrackingOption(id=ReleasedId("o1"), name="LEASING"),),
    )
]
CONTACTS = [
    Contact(id=ReleasedId("c1"), name="harbour cafe"),
    Contact(id=ReleasedId("c2"), name="Swift Plumbing"),
    Contact(id=ReleasedId("c3"), name="Gone Ltd"),
]


def _ok(result: Result[Onboarding, SyncError]) -> Onboarding:
    assert is_successful(result), result
    return result.unwrap()


def _onboard() -> Onboarding:
    ob = start_onboarding(
        tax_types=tax_type_candidates(TAXES),
        tax_details=tax_detail_targets(TAX),
        accounts=account_candidates(ACCOUNTS),
        gl_accounts=gl_account_targets(GL),
        tracking_options=tracking_candidates(CATEGORIES),
        dimension_values=dimension_targets(DIM),
        contacts=contact_candidates(CONTACTS),
        parties=party_targets(PARTY),
    )
    ob = _ok(archive(ob, Step.ACCOUNTS, ReleasedId("a2")))
    ob = _ok(create_as(ob, ReleasedId("c2"), ContactRole.VENDOR))
    ob = _ok(archive(ob, Step.CONTACTS, ReleasedId("c3")))
    for step in Step:
        ob = _ok(continue_step(ob, step))
    return _ok(confirm(ob))


def _world() -> Companies:
    world = Companies()
    for account in GL:
        world.put_intacct(RecordType.ACCOUNT, account)
    world.put_intacct(RecordType.TAX_TYPE, TAX[0])
    world.put_intacct(RecordType.TRACKING_OPTION, DIM[0])
    world.put_intacct(RecordType.CONTACT, PARTY[0])
    for account_ in ACCOUNTS:
        world.put_released(RecordType.ACCOUNT, account_)
    world.put_released(RecordType.TAX_TYPE, TAXES[0])
    world.put_released(RecordType.TRACKING_CATEGORY, CATEGORIES[0])
    for contact in CONTACTS:
        world.put_released(RecordType.CONTACT, contact)
    return world


def test_O5_plan_onboarding_refuses_before_confirm() -> None:
    ob = start_onboarding(contacts=contact_candidates(CONTACTS), parties=party_targets(PARTY))
    planned = plan_onboarding(ob, s.settings(), contacts={})
    assert not is_successful(planned)
    assert planned.failure().rule is Rule.O5


def test_O1_O2_O3_O4_confirmed_onboarding_then_initial_sync_creates_no_duplicates() -> None:
    world = _world()
    contacts = {contact.id: contact for contact in CONTACTS}
    planned = plan_onboarding(_onboard(), s.settings(), contacts=contacts, categories=CATEGORIES)
    world.apply(planned.unwrap())
    first = sync_everything(world, s.settings())

    created_rl = {
        (a.record_type, a.intacct_key) for a in first.actions if isinstance(a, CreateInReleased)
    }
    assert (RecordType.ACCOUNT, IntacctKey("4000")) not in created_rl  # matched by code (O2)
    assert (RecordType.ACCOUNT, IntacctKey("6100")) in created_rl  # not pre-existing (O1)
    assert (RecordType.TAX_TYPE, IntacctKey("Standard")) not in created_rl  # case/space-insensitive
    assert (RecordType.TRACKING_CATEGORY, IntacctKey("DEPARTMENT")) not in created_rl
    assert (RecordType.CONTACT, IntacctKey("CUSTOMER:C1")) not in created_rl  # matched by name

    matched_account = world.released[(RecordType.ACCOUNT, ReleasedId("a1"))]
    assert isinstance(matched_account, Account)
    assert matched_account.name == "Rent Income"  # Intacct owns the chart of accounts (D1)
    archived = world.released[(RecordType.ACCOUNT, ReleasedId("a2"))]
    assert archived.status is ReleasedStatus.ARCHIVED

    to_intacct = [a for a in (*planned.unwrap(), *first.actions) if isinstance(a, CreateInIntacct)]
    assert [a.released_id for a in to_intacct] == [ReleasedId("c2")]  # created as; c3 archived
    parties = [p for p in world.intacct_of(RecordType.CONTACT) if isinstance(p, Party)]
    assert sorted((p.role.value, p.name) for p in parties) == [
        ("customer", "Harbour Cafe"),
        ("vendor", "Swift Plumbing"),
    ]
    assert sum(sync_everything(world, s.settings()).writes.values()) == 0
