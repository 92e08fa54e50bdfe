"""Log-in and company set-up over REST (rules C2, C3, C5).

- ``login``: the credentials' token (the client-credentials grant for a Web Services user; the
  connection's stored refresh token for the authorization-code grant), then the company's entities
  from ``company-config/entity`` read without the entity header ([FYREST]
  ``apis/location_entities.py``), as the XML reader reads LOCATIONENTITY (``convert.setup.entity``).
- ``setup``: an entity the company does not list is rule C3's (NEEDS_USER). The facts
  (docs/intacct-rest.md 4.13; the C5 table of ``docs/intacct-fidelity.md``): account labels from
  ``accounts-receivable/account-label`` / ``accounts-payable/account-label`` (an active one means
  on; none, or refused, is unknown); Order Entry / Purchasing from ``order-entry/txn-definition``
  / ``purchasing/txn-definition``: there is no REST object of subscriptions, so a module counts as
  subscribed when its definitions can be read (**inferred**) and as used when one exists, as over
  XML; items from ``inventory-control/item``; the base currency is the entity's ``baseCurrency``
  (no REST page names the top level's). Customer / vendor sequencing, subtotal-dimension
  defaulting and external tax have no REST field either: unknown. ``reuse`` takes the facts kept
  by ``setupcache`` within ``setup_lifetime``, as the XML directory does. When the facts are
  read, the entity list and the five reads of the facts go in one composite request
  (``composite``), as the XML set-up sends its functions in one request: the composite is sent
  at the top level, and each fact's sub-request names the entity in its own
  ``X-IA-API-Param-Entity`` ("Support HTTP headers per sub-request", [RESTDOC] bulk-requests,
  "Composite Requests"; that Intacct honours the entity header there is **inferred**).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.convert import setup as facts_of
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.setupcache import Kept, SetupCache
from released_intacct.adapters.intacct_rest import items
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import Row, Select, field
from released_intacct.adapters.intacct_rest.rows import every_row, first_pages, rows_from
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import Entity, IntacctSetup, OAuthCredentials

__all__ = ["DEFINITIONS", "ENTITY_PATH", "LABELS", "Directory"]

ENTITY_PATH: Final = "company-config/entity"
LABELS: Final = ("accounts-receivable/account-label", "accounts-payable/account-label")
DEFINITIONS: Final = {"SO": "order-entry/txn-definition", "PO": "purchasing/txn-definition"}
_UNREADABLE: Final = "no REST object or field reports it (docs/intacct-rest.md section 13)"
_ENTITIES: Final = Select(object_name=ENTITY_PATH, fields=("id", "name", "baseCurrency.id"))
_FACTS: Final = (
    *(Select(object_name=path, fields=("id", "status")) for path in LABELS),
    items.selecting(),
    *(Select(object_name=path, fields=("id", "status")) for path in DEFINITIONS.values()),
)
"""The facts' reads, in the order ``Directory._kept`` reads them: two labels, the items, the
order definitions (last)."""

RestAt = Callable[[EntityId | None], Rest]
"""The REST API at an entity (None: the top level, no entity header)."""


class Directory:
    def __init__(
        self,
        credentials: OAuthCredentials,
        settings: ClientSettings,
        rest_at: RestAt,
        cache: SetupCache,
    ) -> None:
        self._credentials = credentials
        self._settings = settings
        self._rest_at = rest_at
        self._cache = cache

    async def entities(self, rest: Rest) -> Result[tuple[Entity, ...], SyncError]:
        return _entities(await every_row(rest, _ENTITIES))

    async def setup(self, entity: EntityId, *, reuse: bool) -> Result[IntacctSetup, SyncError]:
        """The entities, and the facts unless kept: when the facts are read too, the entities
        (at the top level) and the five fact reads (at ``entity``, named in each sub-request)
        go as one composite request, the order definitions last (a module the company does not
        subscribe to may refuse its read, which stops the composite there: the reads after it
        are then asked on their own)."""
        top = self._rest_at(None)
        rest = self._rest_at(entity or None)
        key = (self._credentials.company_id, self._credentials.user_id or "", entity)
        lifetime = self._settings.setup_lifetime
        kept = self._cache.fresh(key, lifetime) if reuse else None
        facts = [(rest, select) for select in _FACTS] if kept is None else []
        answers = await first_pages(top, [(top, _ENTITIES), *facts])
        listed = _entities(await rows_from(top, _ENTITIES, answers[0]))
        if isinstance(listed, Failure):
            return Failure(listed.failure())
        known = {e.id: e for e in listed.unwrap()}
        if entity and entity not in known:
            return Failure(_unknown_entity(entity))
        if kept is None:
            rows = [await rows_from(r, s, a) for (r, s), a in zip(facts, answers[1:], strict=True)]
            read = self._kept(rows)
            if isinstance(read, Failure):
                return Failure(read.failure())
            kept = read.unwrap()
            self._cache.keep(key, kept, lifetime)
        currency = known[entity].currency if entity else None
        return Success(_build(kept, currency))

    def _kept(self, read: list[Result[list[Row], SyncError]]) -> Result[Kept, SyncError]:
        """The facts from the rows of ``_FACTS``, in its order."""
        label_rows, item_rows, definition_rows = read[: len(LABELS)], read[len(LABELS)], read[-2:]
        subscribed: set[str] = set()
        definitions: set[str] = set()
        for module, rows in zip(DEFINITIONS, definition_rows, strict=True):
            if isinstance(rows, Success):
                subscribed.add(module)
                if any(facts_of.active(_status_row(row)) for row in rows.unwrap()):
                    definitions.add(module)
            elif rows.failure().kind is ErrorKind.RETRIABLE:
                return Failure(rows.failure())
        labels: dict[str, int | None] = {}
        for path, rows in zip(LABELS, label_rows, strict=True):
            if isinstance(rows, Success):
                labels[path] = sum(facts_of.active(_status_row(row)) for row in rows.unwrap())
            elif rows.failure().kind is ErrorKind.RETRIABLE:
                return Failure(rows.failure())
            else:
                labels[path] = None
        found = items.readable(item_rows)
        if isinstance(found, Failure):
            return Failure(found.failure())
        return Success(
            Kept(
                read_at=self._cache.now(),
                subscribed=frozenset(subscribed),
                definitions=frozenset(definitions),
                labels=labels,
                items=found.unwrap(),
            )
        )


def _entities(rows: Result[list[Row], SyncError]) -> Result[tuple[Entity, ...], SyncError]:
    if isinstance(rows, Failure):
        return Failure(rows.failure())
    read = (facts_of.entity(_entity_row(row)) for row in rows.unwrap())
    return Success(tuple(entity for entity in read if entity is not None))


def _entity_row(row: Row) -> dict[str, object]:
    return {
        "LOCATIONID": str(field(row, "id") or ""),
        "NAME": str(field(row, "name") or ""),
        "CURRENCY": str(field(row, "baseCurrency.id") or ""),
    }


def _status_row(row: Row) -> dict[str, object]:
    return {"STATUS": str(field(row, "status") or "")}


def _build(kept: Kept, currency: str | None) -> IntacctSetup:
    facts = facts_of.Facts(
        subscribed=kept.subscribed,
        definitions=kept.definitions,
        items=kept.items,
        labels=kept.labels,
        financial={},
        entity_currency=currency,
    )
    return facts_of.decided(
        facts,
        base=currency,
        item_creates=False,
        sources=(
            ("customer_sequencing", _UNREADABLE),
            ("vendor_sequencing", _UNREADABLE),
            ("account_labels_off", facts_of.labels_source(kept.labels)),
            ("order_modules", f"txn-definition readable for {sorted(kept.subscribed)} (inferred)"),
            ("items", f"{items.ITEM_PATH}: {len(kept.items)} readable"),
            ("item_creates", "no REST page shows an Item created with its GL accounts"),
            ("external_tax", _UNREADABLE),
            ("subtotal_defaulting", _UNREADABLE),
            (
                "base_currency",
                f"{ENTITY_PATH} baseCurrency {currency}"
                if currency
                else "the top level: no REST page names its base currency",
            ),
        ),
    )


def _unknown_entity(entity: EntityId) -> SyncError:
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.C3,
        message=f'Sage Intacct lists no entity "{entity}" in this company.',
        fix="Choose one of the company's entities (or its top level), then check again.",
    )
