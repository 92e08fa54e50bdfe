"""Onboarding matching: what Re-Leased already holds, what Intacct holds, and auto-match (O1-O4).

A ``Candidate`` is a Re-Leased record waiting to be matched, a ``Target`` an Intacct record it may
be matched to. Each carries its auto-match ``keys`` in priority order (accounts: code, then name;
contacts: name, then email) and, for tracking options, a ``group`` (the category): an option only
auto-matches a dimension value of the same group.

Equality is ``normalize``: exact once trimmed and case-folded (rule O2). Runs of whitespace *inside*
a key are kept as they are (decided): ``"GST  on Sales"`` does not equal ``"GST on Sales"``; the
user matches such near misses by hand. An empty key never matches.

``auto_match`` is deterministic: keys are tried level by level (every candidate's first key, then
every still unmatched candidate's second key, ...); within a level, candidates are taken in order of
``released_id`` and each takes the first free target (in order of ``intacct_key``) with an equal key
in the same group. So a target wanted by two candidates goes to the one with the smallest id, and
the other is left to the user.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum

from released_intacct.domain.enums import ContactRole, RecordType, ReleasedStatus
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import DimensionValue, GlAccount, Party, TaxDetail
from released_intacct.domain.released import Account, Contact, TaxType, TrackingCategory


class Step(Enum):
    """The onboarding steps, in the order they run (rule O5)."""

    TAX_TYPES = "tax_types"
    ACCOUNTS = "accounts"
    TRACKING_OPTIONS = "tracking_options"
    CONTACTS = "contacts"

    @property
    def record_type(self) -> RecordType:
        return _WORDS[self][0]

    @property
    def noun(self) -> str:
        """One item of the step, as Re-Leased calls it: ``"tax type"``."""
        return _WORDS[self][1]

    @property
    def intacct_noun(self) -> str:
        """What it is matched to: ``"Intacct tax rate"``."""
        return _WORDS[self][2]

    @property
    def title(self) -> str:
        return _WORDS[self][3]


_WORDS = {
    Step.TAX_TYPES: (RecordType.TAX_TYPE, "tax type", "Intacct tax rate", "Tax types"),
    Step.ACCOUNTS: (RecordType.ACCOUNT, "account", "Intacct account", "Accounts"),
    Step.TRACKING_OPTIONS: (
        RecordType.TRACKING_OPTION,
        "tracking option",
        "Intacct dimension value",
        "Tracking options",
    ),
    Step.CONTACTS: (RecordType.CONTACT, "contact", "Intacct customer or vendor", "Contacts"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A Re-Leased record to match."""

    released_id: ReleasedId
    label: str
    """What the user sees: an account's code and name, a contact's name."""
    keys: tuple[str, ...]
    """Auto-match keys in priority order."""
    group: str = ""
    """Tracking options: the category; an option only auto-matches within its category."""
    archived: bool = False
    """Already archived in Re-Leased: resolved as archived unless it auto-matches."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """An Intacct record a candidate may be matched to."""

    intacct_key: IntacctKey
    label: str
    keys: tuple[str, ...]
    group: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    released_id: ReleasedId
    intacct_key: IntacctKey
    auto: bool = False
    """Made by ``auto_match`` rather than by the user."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """Archive the record in Re-Leased; an archived tax type or account can no longer be used."""

    released_id: ReleasedId


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateAs:
    """Contacts only (rule O3): create the contact in Intacct as a new customer or vendor."""

    released_id: ReleasedId
    role: ContactRole


Decision = Match | Archive | CreateAs


def normalize(text: str) -> str:
    """Rule O2: trimmed and case-folded; inner whitespace is kept as it is."""
    return text.strip().casefold()


# --- builders ------------------------------------------------------------------------------------


def tax_type_candidates(tax_types: Sequence[TaxType]) -> tuple[Candidate, ...]:
    """Tax types match Intacct tax details by name (the detail id)."""
    return tuple(
        Candidate(
            released_id=tax.id,
            label=tax.name,
            keys=(tax.name,),
            archived=tax.status is ReleasedStatus.ARCHIVED,
        )
        for tax in tax_types
    )


def tax_detail_targets(details: Sequence[TaxDetail]) -> tuple[Target, ...]:
    return tuple(
        Target(intacct_key=detail.link_key, label=detail.detail_id, keys=(detail.detail_id,))
        for detail in details
    )


def account_candidates(accounts: Sequence[Account]) -> tuple[Candidate, ...]:
    """Accounts match by code, then by name."""
    return tuple(
        Candidate(
            released_id=account.id,
            label=f"{account.code} {account.name}".strip(),
            keys=(account.code, account.name),
            archived=account.status is ReleasedStatus.ARCHIVED,
        )
        for account in accounts
    )


def gl_account_targets(accounts: Sequence[GlAccount]) -> tuple[Target, ...]:
    return tuple(
        Target(
            intacct_key=account.link_key,
            label=f"{account.account_no} {account.title}".strip(),
            keys=(account.account_no, account.title),
        )
        for account in accounts
    )


def tracking_candidates(categories: Sequence[TrackingCategory]) -> tuple[Candidate, ...]:
    """Every option of every category; the group is the category's dimension label when its kind
    is known, else its name."""
    return tuple(
        Candidate(
            released_id=option.id,
            label=f"{category.name}: {option.name}",
            keys=(option.name,),
            group=normalize(category.kind.label if category.kind else category.name),
            archived=ReleasedStatus.ARCHIVED in (category.status, option.status),
        )
        for category in categories
        for option in category.options
    )


def dimension_targets(values: Sequence[DimensionValue]) -> tuple[Target, ...]:
    return tuple(
        Target(
            intacct_key=value.link_key,
            label=f"{value.kind.label}: {value.name}",
            keys=(value.name,),
            group=normalize(value.kind.label),
        )
        for value in values
    )


def contact_candidates(contacts: Sequence[Contact]) -> tuple[Candidate, ...]:
    """Contacts match by name, then by email."""
    return tuple(
        Candidate(
            released_id=contact.id,
            label=contact.name,
            keys=(contact.name, contact.email),
            archived=contact.status is ReleasedStatus.ARCHIVED,
        )
        for contact in contacts
    )


def party_targets(parties: Sequence[Party]) -> tuple[Target, ...]:
    """Customers and vendors, by name then primary email. A party without an id yet is left out:
    it has no key to link to."""
    return tuple(
        Target(
            intacct_key=party.link_key,
            label=f"{party.name} ({party.role.value} {party.party_id})",
            keys=(party.name, party.primary.email),
        )
        for party in parties
        if party.party_id is not None
    )


# --- auto-match ----------------------------------------------------------------------------------


def auto_match(
    candidates: Sequence[Candidate],
    targets: Sequence[Target],
    *,
    taken: Collection[IntacctKey] = (),
) -> tuple[Match, ...]:
    """Rule O2: the matches equality of keys makes, ordered by ``released_id``.

    A target in ``taken`` (already held by another Re-Leased record) is never given out, and no
    target is given to two candidates. Duplicate ids in either list are a programmer error.
    """
    _require_unique([c.released_id for c in candidates], "candidate released_id")
    _require_unique([t.intacct_key for t in targets], "target intacct_key")
    held = set(taken)
    matched: dict[ReleasedId, Match] = {}
    ordered = sorted(candidates, key=lambda candidate: candidate.released_id)
    levels = max((len(candidate.keys) for candidate in candidates), default=0)
    for level in range(levels):
        index = _targets_by_key(targets, level)
        for candidate in ordered:
            key = _key(candidate.keys, level)
            if candidate.released_id in matched or not key:
                continue
            free = [t for t in index[(normalize(candidate.group), key)] if t not in held]
            if free:
                held.add(free[0])
                matched[candidate.released_id] = Match(
                    released_id=candidate.released_id, intacct_key=free[0], auto=True
                )
    return tuple(matched[released_id] for released_id in sorted(matched))


def _key(keys: tuple[str, ...], level: int) -> str:
    return normalize(keys[level]) if level < len(keys) else ""


def _targets_by_key(
    targets: Sequence[Target], level: int
) -> defaultdict[tuple[str, str], list[IntacctKey]]:
    index: defaultdict[tuple[str, str], list[IntacctKey]] = defaultdict(list)
    for target in sorted(targets, key=lambda target: target.intacct_key):
        key = _key(target.keys, level)
        if key:
            index[(normalize(target.group), key)].append(target.intacct_key)
    return index


def _require_unique(values: Sequence[str], what: str) -> None:
    duplicates = sorted(value for value, count in Counter(values).items() if count > 1)
    if duplicates:
        msg = f"duplicate {what}: {', '.join(duplicates)}"
        raise ValueError(msg)
