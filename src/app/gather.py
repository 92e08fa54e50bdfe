"""What each side already holds when a company connects, read whole, for matching (rules O1, O2).

Re-Leased: tax types, accounts, tracking categories (with their options) and contacts. Intacct (at
the chosen entity): tax details, GL accounts, the values of every dimension (rule M2), customers
and vendors. Every feed is read from the start to its last page; a page token seen twice is
refused rather than read forever. A record read twice (pages may overlap) counts once, the last
read winning. Records a page could not read come back as ``problems`` (sync results, rule E1).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters import paging
from released_intacct.adapters.paging import All
from released_intacct.app.ports import awaited
from released_intacct.domain.enums import ContactRole, DimensionKind
from released_intacct.domain.errors import SyncError
from released_intacct.domain.intacct import DimensionValue, GlAccount, Party, TaxDetail
from released_intacct.domain.matching import (
    account_candidates,
    contact_candidates,
    dimension_targets,
    gl_account_targets,
    party_targets,
    tax_detail_targets,
    tax_type_candidates,
    tracking_candidates,
)
from released_intacct.domain.onboarding import Onboarding, start_onboarding
from released_intacct.domain.ports import FeedQuery, IntacctFeeds, Page, ReleasedFeeds
from released_intacct.domain.released import Account, Contact, TaxType, TrackingCategory

T = TypeVar("T")
Fetch = Callable[[FeedQuery], FutureResult[Page[T], SyncError]]


async def read_all(
    fetch: Fetch[T], *, what: str, key: Callable[[T], Hashable], since: datetime | None = None
) -> Result[All[T], SyncError]:
    """Every record of a port's feed (changed at or after ``since``), page by page to the end,
    each once by ``key``."""
    return await paging.read_all(awaited(fetch), what=what, key=key, since=since)


@dataclass(frozen=True, slots=True, kw_only=True)
class Holdings:
    onboarding: Onboarding
    problems: tuple[SyncError, ...]


async def released_lists(
    released: ReleasedFeeds,
) -> Result[tuple[All[TaxType], All[Account], All[TrackingCategory], All[Contact]], SyncError]:
    taxes = await read_all(released.tax_types, what="Re-Leased tax types", key=_id)
    accounts = await read_all(released.accounts, what="Re-Leased accounts", key=_id)
    categories = await read_all(
        released.tracking_categories, what="Re-Leased tracking categories", key=_id
    )
    contacts = await read_all(released.contacts, what="Re-Leased contacts", key=_id)
    for feed in (taxes, accounts, categories, contacts):
        if not is_successful(feed):
            return Failure(feed.failure())
    return Success((taxes.unwrap(), accounts.unwrap(), categories.unwrap(), contacts.unwrap()))


async def intacct_lists(
    intacct: IntacctFeeds,
) -> Result[tuple[All[TaxDetail], All[GlAccount], All[DimensionValue], All[Party]], SyncError]:
    details = await read_all(intacct.tax_details, what="Intacct tax details", key=_link_key)
    accounts = await read_all(intacct.accounts, what="Intacct GL accounts", key=_link_key)
    values = await _each(
        [
            (f"Intacct {k.label} values", partial(intacct.dimension_values, k))
            for k in DimensionKind
        ],
        key=_link_key,
    )
    parties = await _each(
        [(f"Intacct {role.value}s", partial(intacct.parties, role)) for role in ContactRole],
        key=_party_key,
    )
    for feed in (details, accounts, values, parties):
        if not is_successful(feed):
            return Failure(feed.failure())
    return Success((details.unwrap(), accounts.unwrap(), values.unwrap(), parties.unwrap()))


async def _each(
    feeds: Sequence[tuple[str, Fetch[T]]], *, key: Callable[[T], Hashable]
) -> Result[All[T], SyncError]:
    """Several feeds of one kind of record (one per dimension, one per role) as one."""
    items: list[T] = []
    problems: list[SyncError] = []
    for what, fetch in feeds:
        read = await read_all(fetch, what=what, key=key)
        if not is_successful(read):
            return Failure(read.failure())
        items.extend(read.unwrap().items)
        problems.extend(read.unwrap().problems)
    return Success(All(items=tuple(items), problems=tuple(problems)))


async def holdings(released: ReleasedFeeds, intacct: IntacctFeeds) -> Result[Holdings, SyncError]:
    """Rules O1/O2: the onboarding both sides' records call for, auto-matches made."""
    ours = await released_lists(released)
    if not is_successful(ours):
        return Failure(ours.failure())
    theirs = await intacct_lists(intacct)
    if not is_successful(theirs):
        return Failure(theirs.failure())
    taxes, accounts, categories, contacts = ours.unwrap()
    details, gl_accounts, values, parties = theirs.unwrap()
    onboarding = start_onboarding(
        tax_types=tax_type_candidates(taxes.items),
        tax_details=tax_detail_targets(details.items),
        accounts=account_candidates(accounts.items),
        gl_accounts=gl_account_targets(gl_accounts.items),
        tracking_options=tracking_candidates(categories.items),
        dimension_values=dimension_targets(values.items),
        contacts=contact_candidates(contacts.items),
        parties=party_targets(parties.items),
    )
    feeds = (taxes, accounts, categories, contacts, details, gl_accounts, values, parties)
    problems = tuple(problem for feed in feeds for problem in feed.problems)
    return Success(Holdings(onboarding=onboarding, problems=problems))


def _id(record: TaxType | Account | TrackingCategory | Contact) -> Hashable:
    return record.id


def _link_key(record: TaxDetail | GlAccount | DimensionValue) -> Hashable:
    return record.link_key


def _party_key(party: Party) -> Hashable:
    return (party.role, party.party_id)
