"""Id translation through the link table (rules M1, M2).

Every reference a mapped record makes to another record (its contact, a line's account, tax type or
tracking option, the invoice a payment pays) is translated through the links. Only LINKED links
count: an unlinked record (rule E2) is as unknown as one never matched, and a reference to it is a
NEEDS_USER error naming what is not linked.

Link keys (see ``intacct.py``): a contact is ``party_key(role, id)`` (``CUSTOMER:C001``), an
account its ACCOUNTNO, a tax type its DETAILID, a tracking option ``option_key(kind, id)``
(``DEPARTMENT:D1``), a tracking category ``category_key(kind)`` (``DEPARTMENT``), an invoice or
credit note its RECORDNO or DOCID.
"""

from __future__ import annotations

from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import ContactRole, DimensionKind, Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import category_key, option_key, party_key
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.released import TrackingRef

_INTACCT_NAMES: Final = {
    RecordType.CONTACT: "customer or vendor",
    RecordType.ACCOUNT: "GL account",
    RecordType.TAX_TYPE: "tax detail",
    RecordType.TRACKING_OPTION: "dimension value",
    RecordType.TRACKING_CATEGORY: "dimension",
    RecordType.INVOICE: "invoice",
    RecordType.CREDIT_NOTE: "credit note (adjustment)",
    RecordType.PAYMENT: "payment",
    RecordType.ITEM: "item",
}
_RELEASED_NAMES: Final = {
    RecordType.CONTACT: "contact",
    RecordType.ACCOUNT: "account",
    RecordType.TAX_TYPE: "tax type",
    RecordType.TRACKING_OPTION: "tracking option",
    RecordType.TRACKING_CATEGORY: "tracking category",
    RecordType.INVOICE: "invoice",
    RecordType.CREDIT_NOTE: "credit note",
    RecordType.PAYMENT: "payment",
    RecordType.ITEM: "account",
}


class IdBook:
    """Translates ids between the two systems through the LINKED links of a ``LinkIndex``."""

    __slots__ = ("_dimensions", "_links", "_lists")

    def __init__(self, links: LinkIndex) -> None:
        self._links = links
        self._dimensions: dict[TrackingRef, Result[tuple[DimensionKind, IntacctId], SyncError]] = {}
        """Each tracking reference translated once (a page's lines share a few dozen)."""
        self._lists: dict[tuple[RecordType, ReleasedId], Result[IntacctId, SyncError]] = {}
        """Each account and tax type translated once."""

    # --- contacts --------------------------------------------------------------------------------

    def party_for_contact(
        self, contact_id: ReleasedId
    ) -> Result[tuple[ContactRole, IntacctId], SyncError]:
        """The Intacct customer or vendor a Re-Leased contact is linked to."""
        return self._to_intacct(RecordType.CONTACT, contact_id, Rule.M1).map(_split_party_key)

    def contact_for_party(
        self, role: ContactRole, party_id: IntacctId
    ) -> Result[ReleasedId, SyncError]:
        what = f"{role.value} {party_id}"
        return self._to_released(RecordType.CONTACT, party_key(role, party_id), Rule.M1, what)

    # --- accounts and tax types ------------------------------------------------------------------

    def account_no(self, account_id: ReleasedId) -> Result[IntacctId, SyncError]:
        return self._list_item(RecordType.ACCOUNT, account_id)

    def account_id(self, account_no: IntacctId) -> Result[ReleasedId, SyncError]:
        what = f"GL account {account_no}"
        return self._to_released(RecordType.ACCOUNT, IntacctKey(account_no), Rule.M1, what)

    def tax_detail_id(self, tax_type_id: ReleasedId) -> Result[IntacctId, SyncError]:
        return self._list_item(RecordType.TAX_TYPE, tax_type_id)

    def tax_type_id(self, detail_id: IntacctId) -> Result[ReleasedId, SyncError]:
        what = f"tax detail {detail_id}"
        return self._to_released(RecordType.TAX_TYPE, IntacctKey(detail_id), Rule.M1, what)

    # --- tracking (rule M2) ----------------------------------------------------------------------

    def dimension(self, ref: TrackingRef) -> Result[tuple[DimensionKind, IntacctId], SyncError]:
        """The dimension value a tracking option stands for; its category must match (M2)."""
        known = self._dimensions.get(ref)
        if known is None:
            known = self._dimensions[ref] = (
                self._to_intacct(RecordType.TRACKING_OPTION, ref.option_id, Rule.M2)
                .map(_split_option_key)
                .bind(lambda found: self._same_category(ref, found))
            )
        return known

    def tracking(self, kind: DimensionKind, value_id: IntacctId) -> Result[TrackingRef, SyncError]:
        value = f"{kind.label} {value_id}"
        option = self._to_released(
            RecordType.TRACKING_OPTION, option_key(kind, value_id), Rule.M2, value
        )
        category = f"{kind.label} dimension"
        return option.bind(
            lambda option_id: self._to_released(
                RecordType.TRACKING_CATEGORY, category_key(kind), Rule.M2, category
            ).map(lambda category_id: TrackingRef(category_id=category_id, option_id=option_id))
        )

    # --- invoices and credit notes ---------------------------------------------------------------

    def document_key(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> Result[IntacctKey, SyncError]:
        return self._to_intacct(record_type, released_id, Rule.M1)

    def document_id(
        self, record_type: RecordType, key: IntacctKey
    ) -> Result[ReleasedId, SyncError]:
        what = f"{_INTACCT_NAMES[record_type]} {key}"
        return self._to_released(record_type, key, Rule.M1, what)

    # --- helpers ---------------------------------------------------------------------------------

    def _list_item(
        self, record_type: RecordType, released_id: ReleasedId
    ) -> Result[IntacctId, SyncError]:
        known = self._lists.get((record_type, released_id))
        if known is None:
            known = self._lists[record_type, released_id] = self._to_intacct(
                record_type, released_id, Rule.M1
            ).map(IntacctId)
        return known

    def _to_intacct(
        self, record_type: RecordType, released_id: ReleasedId, rule: Rule
    ) -> Result[IntacctKey, SyncError]:
        link = self._links.by_released(record_type, released_id)
        if link is not None and link.is_linked:
            return Success(link.intacct_key)
        what = f"Re-Leased {_RELEASED_NAMES[record_type]} {released_id}"
        target = f"a Sage Intacct {_INTACCT_NAMES[record_type]}"
        ref = RecordRef(
            record_type=record_type,
            direction=Direction.OUTGOING,
            released_id=released_id,
            label=released_id,
        )
        return Failure(_not_linked(what, target, link, rule=rule, ref=ref))

    def _to_released(
        self, record_type: RecordType, key: IntacctKey, rule: Rule, what: str
    ) -> Result[ReleasedId, SyncError]:
        """``what`` names the Intacct record: ``customer C1``, ``GL account 4000``."""
        link = self._links.by_intacct(record_type, key)
        if link is not None and link.is_linked:
            return Success(link.released_id)
        target = f"a Re-Leased {_RELEASED_NAMES[record_type]}"
        ref = RecordRef(
            record_type=record_type, direction=Direction.INCOMING, intacct_key=key, label=what
        )
        return Failure(_not_linked(f"Sage Intacct {what}", target, link, rule=rule, ref=ref))

    def _same_category(
        self, ref: TrackingRef, found: tuple[DimensionKind, IntacctId]
    ) -> Result[tuple[DimensionKind, IntacctId], SyncError]:
        kind = found[0]
        category = self._to_intacct(RecordType.TRACKING_CATEGORY, ref.category_id, Rule.M2)
        return category.bind(
            lambda key: (
                Success(found)
                if key == category_key(kind)
                else Failure(_wrong_category(ref, kind, key))
            )
        )


def _not_linked(
    what: str, target: str, link: Link | None, *, rule: Rule, ref: RecordRef
) -> SyncError:
    if link is None:
        message = f"{what} is not linked to {target}."
        fix = "Match or create it during onboarding, or relink it."
    else:
        message = f"{what} was unlinked from {target}, so it is left out of the sync."
        fix = "Relink it once the cause is fixed, so it takes part in the sync again."
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=rule,
        message=message,
        fix=fix,
        record=ref,
    )


def _wrong_category(ref: TrackingRef, kind: DimensionKind, key: IntacctKey) -> SyncError:
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.M2,
        message=(
            f"Re-Leased tracking option {ref.option_id} is linked to a Sage Intacct {kind.label} "
            f"value, but it is used under tracking category {ref.category_id}, which is linked to "
            f"the {key} dimension."
        ),
        fix=f"Choose the option under the {kind.label} tracking category, or relink the option.",
        record=RecordRef(
            record_type=RecordType.TRACKING_OPTION,
            direction=Direction.OUTGOING,
            released_id=ref.option_id,
            label=ref.option_id,
        ),
    )


def _split_party_key(key: IntacctKey) -> tuple[ContactRole, IntacctId]:
    role, _, party_id = key.partition(":")
    if role not in ContactRole.__members__ or not party_id:
        msg = f"a contact link key is ROLE:ID, got {key!r}"
        raise ValueError(msg)
    return ContactRole[role], IntacctId(party_id)


_DIMENSION_KINDS = frozenset(member.value for member in DimensionKind)


def _split_option_key(key: IntacctKey) -> tuple[DimensionKind, IntacctId]:
    kind, _, value_id = key.partition(":")
    if kind not in _DIMENSION_KINDS or not value_id:
        msg = f"a tracking option link key is KIND:ID, got {key!r}"
        raise ValueError(msg)
    return DimensionKind(kind), IntacctId(value_id)
