"""``doctor``'s checks of the entity header over REST, two facts docs/intacct-rest.md marks
**inferred**, each read from the customers the company shows (ids only; a customer created at
an entity is seen there and at the top level, not at another entity):

- ``rest.entity_header``: a request without ``X-IA-API-Param-Entity`` reads the top level (the
  headers page says "the default entity for the access token is used"; the adapter sends none
  at the top level): the customers read without the header hold every customer of an entity;
  were the token's default entity another one, they would not;
- ``rest.composite_entity``: a composite's sub-request read at the connection's entity through
  its own entity header (how the set-up reads its facts, ``directory``) sees what the same read
  sent on its own at the entity sees; were Intacct to ignore a sub-request's header, it would
  see the top level's (the fix: ``intacct.rest_composite = false``). With composites off, no
  composite is sent: the check is ok, saying so.
"""

from __future__ import annotations

from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct_rest.directory import ENTITY_PATH, RestAt
from released_intacct.adapters.intacct_rest.parties import PARTY_PATHS
from released_intacct.adapters.intacct_rest.query import Row, Select, field
from released_intacct.adapters.intacct_rest.rows import every_row, first_pages, rows_from
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import EntityId

__all__ = ["findings"]

_CUSTOMERS: Final = Select(object_name=PARTY_PATHS[ContactRole.CUSTOMER], fields=("id",))
_ENTITIES: Final = Select(object_name=ENTITY_PATH, fields=("id",))
_HEADER: Final = "rest.entity_header"
_MOST_ENTITIES: Final = 5
_COMPOSITE: Final = "rest.composite_entity"
_TOP_LEVEL: Final = (
    "The Web Services user's default entity is not the top level: give the user access to the "
    "top level in Intacct (or connect at the entity it defaults to), then run doctor again."
)
_NO_COMPOSITE: Final = (
    "Intacct reads a composite's sub-request at the top level, so the set-up's facts would be "
    "the top level's: set intacct.rest_composite = false (the set-up then reads each fact on "
    'its own), connect at the top level, or use intacct.api = "xml" for this connection; and '
    "tell support, with this report."
)

Ids = Result[frozenset[str], SyncError]


async def findings(rest_at: RestAt, entity: EntityId) -> list[Finding]:
    """The checks at ``entity``; at the top level (``""``), where the set-up's composite names
    no entity, only ``rest.entity_header``."""
    top = rest_at(None)
    if not entity:
        return [await _header_at_top(rest_at)]
    rest = rest_at(entity)
    if not top.settings.rest_composite:
        unscoped = _ids(await every_row(top, _CUSTOMERS))
        return [_header(unscoped, _ids(await every_row(rest, _CUSTOMERS)), entity), _off(entity)]
    answers = await first_pages(top, [(top, _CUSTOMERS), (rest, _CUSTOMERS)])
    unscoped = _ids(await rows_from(top, _CUSTOMERS, answers[0]))
    plain = _ids(await every_row(rest, _CUSTOMERS))
    composite = None if answers[1] is None else _ids(await rows_from(rest, _CUSTOMERS, answers[1]))
    return [_header(unscoped, plain, entity), _composite(plain, composite, entity)]


async def _header_at_top(rest_at: RestAt) -> Finding:
    """At the top level, the customers of the first ``_MOST_ENTITIES`` listed entities stand
    for an entity's (a default entity's own customers would be seen either way)."""
    top = rest_at(None)
    entities = await every_row(top, _ENTITIES)
    if isinstance(entities, Failure):
        return _unread(_HEADER, _header_expected(), entities.failure())
    listed = sorted(str(field(row, "id")) for row in entities.unwrap() if field(row, "id"))
    if not listed:
        # a company without entities has no other default entity, but an entity list read at
        # a default entity may be empty too: nothing to compare either way
        return Finding(check=_HEADER, verdict=Verdict.UNKNOWN, expected=_header_expected(),
                       seen="no entity listed without the header: nothing to compare")  # fmt: skip
    asked = [EntityId(entity) for entity in listed[:_MOST_ENTITIES]]
    scoped: set[str] = set()
    for entity in asked:
        read = _ids(await every_row(rest_at(entity), _CUSTOMERS))
        if isinstance(read, Failure):
            return _unread(_HEADER, _header_expected(), read.failure())
        scoped |= read.unwrap()
    unscoped = _ids(await every_row(top, _CUSTOMERS))
    return _header(unscoped, Success(frozenset(scoped)), EntityId(", ".join(asked)))


def _header(unscoped: Ids, scoped: Ids, entity: EntityId) -> Finding:
    expected = _header_expected()
    for read in (unscoped, scoped):
        if isinstance(read, Failure):
            return _unread(_HEADER, expected, read.failure())
    every, theirs = unscoped.unwrap(), scoped.unwrap()
    if not theirs:
        return Finding(check=_HEADER, verdict=Verdict.UNKNOWN, expected=expected,
                       seen=f"no customer at {entity} yet")  # fmt: skip
    missing = theirs - every
    seen = f"{len(every)} customers without the header; {len(theirs)} at {entity}"
    if missing:
        seen += f", {len(missing)} of them not seen without the header ({_some(missing)})"
        return Finding(check=_HEADER, verdict=Verdict.FAILED, expected=expected, seen=seen,
                       fix=_TOP_LEVEL)  # fmt: skip
    return Finding(check=_HEADER, verdict=Verdict.OK, expected=expected, seen=seen)


def _composite(plain: Ids, composite: Ids | None, entity: EntityId) -> Finding:
    expected = f"a composite's sub-request with the entity header {entity} reads at {entity}"
    if composite is None:
        return Finding(check=_COMPOSITE, verdict=Verdict.UNKNOWN, expected=expected,
                       seen="the composite was not answered: the set-up reads each fact on "
                       "its own")  # fmt: skip
    for read in (plain, composite):
        if isinstance(read, Failure):
            return _unread(_COMPOSITE, expected, read.failure())
    alone, together = plain.unwrap(), composite.unwrap()
    seen = f"{len(alone)} customers at {entity} on its own, {len(together)} in a composite"
    if alone != together:
        seen += f"; differing: {_some(alone ^ together)}"
        return Finding(check=_COMPOSITE, verdict=Verdict.FAILED, expected=expected, seen=seen,
                       fix=_NO_COMPOSITE)  # fmt: skip
    return Finding(check=_COMPOSITE, verdict=Verdict.OK, expected=expected, seen=seen)


def _off(entity: EntityId) -> Finding:
    return Finding(
        check=_COMPOSITE,
        verdict=Verdict.OK,
        expected=f"a composite's sub-request with the entity header {entity} reads at {entity}",
        seen="composite requests are off (intacct.rest_composite = false): the set-up reads "
        "each fact on its own at the entity",
    )


def _header_expected() -> str:
    return "a request without X-IA-API-Param-Entity reads the top level (every entity's records)"


def _ids(read: Result[list[Row], SyncError]) -> Ids:
    return read.map(lambda rows: frozenset(str(field(row, "id")) for row in rows))


def _some(ids: frozenset[str]) -> str:
    shown = sorted(ids)[:5]
    return ", ".join(shown) + (", ..." if len(ids) > len(shown) else "")


def _unread(check: str, expected: str, error: SyncError) -> Finding:
    return Finding(check=check, verdict=Verdict.UNKNOWN, expected=expected, seen=error.message)
