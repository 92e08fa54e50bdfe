"""Log-in and company set-up (rules C2, C3, C5): the domain's ``IntacctDirectory`` over the gateway.

``login`` checks credentials by a live ``getAPISession`` (no ``<locationid>``: the user's own
default, so a user limited to one entity can sign in too) and lists the company's entities from
LOCATIONENTITY (inactive ones left out; none means the top level only). It opens its own session
with the credentials it is given and leaves the adapter's session alone.

``setup`` opens a session at the entity (``""``: the top level) with the adapter's credentials
(the adapter's own sessions when they open there, so a run logs in once) and reads, in one
request of one function each: subscriptions and the financial set-up, the transaction
definitions of the order modules (one row each; a module not subscribed has its answer left
unread, and is not asked when the last read found it not subscribed), the account labels, the
first page of every ITEM and the entity's LOCATIONENTITY row. A list longer than a page is then
read to the end through ``reads`` and the one paginator, with no size cap; a page offered twice
is refused rather than read forever. A sync run (``reuse``) takes the subscriptions,
definitions, labels and Items from a read within ``ClientSettings.setup_lifetime``
(``setupcache``, which says why each may be kept and the base currency may not): its request
then asks only the financial set-up and the entity's row. What
each fact means is ``convert.setup``'s. An entity Intacct will not open a session at (the same
user signs in without it) is a NEEDS_USER error of rule C3; refused credentials stay FATAL errors
of rule C2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert import setup as facts
from released_intacct.adapters.intacct.convert.reading import item
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.reads import Reads, result_data
from released_intacct.adapters.intacct.reply import FunctionResult
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.setupcache import Kept, Key, SetupCache
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.intacct import Item
from released_intacct.domain.ports import (
    Credentials,
    Entity,
    FeedQuery,
    IntacctSetup,
    Page,
)

T = TypeVar("T")
Row = Mapping[str, object]
Keep = Callable[[Row], T | None]

_DEFINITIONS = {"SO": "SODOCUMENTPARAMS", "PO": "PODOCUMENTPARAMS"}
_ITEMS, _ENTITY = "items", "entity"


class Directory:
    def __init__(
        self,
        gateway: Gateway,
        credentials: Credentials,
        settings: ClientSettings,
        *,
        spend: Callable[[int], None],
        cache: SetupCache,
    ) -> None:
        self._gateway = gateway
        self._cache = cache
        self._credentials = credentials
        self.settings = settings
        self.spend = spend

    @property
    def company_id(self) -> str:
        return self._credentials.company_id

    def sessions(self, entity: EntityId | None) -> Sessions:
        """Sessions of the adapter's user at ``entity`` (None: the user's default)."""
        return Sessions(self._gateway, self._credentials, self.settings, entity=entity)

    def reads(self, sessions: Sessions) -> Reads:
        return Reads(sessions, self.settings, spend=self.spend)

    async def login(self, credentials: Credentials) -> Result[tuple[Entity, ...], SyncError]:
        sessions = Sessions(self._gateway, credentials, self.settings, entity=None)
        opened = await sessions.login()
        if not is_successful(opened):
            return Failure(opened.failure())
        found = await self._kept(sessions, q.Select(object_name="LOCATIONENTITY"), facts.entity)
        return found.map(tuple)

    async def setup(
        self, entity: EntityId, *, shared: Sessions | None = None, reuse: bool = False
    ) -> Result[IntacctSetup, SyncError]:
        """``shared``: the adapter's own sessions when they open at ``entity``, so the log-in
        that reads the set-up is the one the run's feeds and writes go on with; ``reuse``: the
        facts ``setupcache`` keeps may serve (a sync run), else every fact is read afresh."""
        sessions = (
            shared if shared is not None and shared.entity == entity else self.sessions(entity)
        )
        opened = await sessions.login()
        if not is_successful(opened):
            return Failure(await self._why_not(opened.failure(), entity))
        return (await self._facts(sessions, entity, reuse=reuse)).map(facts.build)

    async def _facts(
        self, sessions: Sessions, entity: EntityId, *, reuse: bool
    ) -> Result[facts.Facts, SyncError]:
        """Every fact's first read in one request, then the pages of any list longer than one;
        with ``reuse``, the facts ``setupcache`` keeps taken from a read within the lifetime."""
        key, lifetime = self.key(entity), self.settings.setup_lifetime
        kept = self._cache.fresh(key, lifetime) if reuse else None
        selects: dict[str, q.Select] = {}
        also = [Function("financial", facts.financial_request())]
        if kept is None:
            selects |= _company_selects(self._cache.last(key))
            also.append(Function("apps", facts.applications_request()))
        if entity:
            where = q.Eq("LOCATIONID", entity)
            selects[_ENTITY] = q.Select(object_name="LOCATIONENTITY", where=where)
        reads = self.reads(sessions)
        sent = await reads.first_pages(selects, sizes=dict.fromkeys(_DEFINITIONS, 1), also=also)
        if not is_successful(sent):
            return Failure(sent.failure())
        pages, results = sent.unwrap()
        financial = self._data(results, "financial", "getFinancialSetup").map(facts.financial)
        if not is_successful(financial):
            return Failure(financial.failure())
        if kept is None:
            read = await self._company(reads, selects, pages, results)
            if not is_successful(read):
                return Failure(read.failure())
            kept = read.unwrap()
            self._cache.keep(key, kept, lifetime)
        currency = await _entity_currency(reads, selects, pages)
        found = kept
        return currency.map(lambda at: _facts_of(found, financial.unwrap(), at))

    def key(self, entity: EntityId) -> Key:
        return (self._credentials.company_id, self._credentials.user_id or "", entity)

    def forget(self, entity: EntityId) -> None:
        """What ``setupcache`` keeps for this user at ``entity`` is read again next run."""
        self._cache.forget(self.key(entity))

    async def _company(
        self,
        reads: Reads,
        selects: Mapping[str, q.Select],
        pages: Mapping[str, Result[Page[Row], SyncError]],
        results: Mapping[str, FunctionResult],
    ) -> Result[Kept, SyncError]:
        """Subscriptions, definitions, labels and Items, as ``setupcache`` keeps them."""
        apps = self._data(results, "apps", "get_applications").map(facts.applications)
        if not is_successful(apps):
            return Failure(apps.failure())
        subscribed = apps.unwrap()
        definitions = await _definitions(reads, pages, subscribed)
        if not is_successful(definitions):
            return Failure(definitions.failure())
        labels = await _labels(reads, selects, pages)
        if not is_successful(labels):
            return Failure(labels.failure())
        items = await _every(reads, selects, pages, _ITEMS)
        if not is_successful(items):
            return Failure(items.failure())
        return Success(
            Kept(
                read_at=self._cache.now(),
                subscribed=subscribed,
                definitions=definitions.unwrap(),
                labels=labels.unwrap(),
                items=tuple(i for i in map(_item, items.unwrap()) if i is not None),
            )
        )

    def _data(
        self, results: Mapping[str, FunctionResult], name: str, what: str
    ) -> Result[etree._Element, SyncError]:
        data = result_data(results.get(name), what=what)
        if is_successful(data):
            self.spend(1)
        return data

    async def _why_not(self, error: SyncError, entity: EntityId) -> SyncError:
        """A refused log-in at an entity is its fault when the user signs in without it."""
        if error.kind is ErrorKind.REJECTED:
            return _at_entity(error, entity)
        if error.rule is not Rule.C2 or not entity:
            return error
        plain = self.sessions(None)
        retried = await plain.login()
        return _at_entity(error, entity) if is_successful(retried) else error

    async def _kept(
        self, sessions: Sessions, select: q.Select, keep: Keep[T]
    ) -> Result[list[T], SyncError]:
        """Every record of ``select`` (page by page) that ``keep`` turns into a value."""
        found = await self.reads(sessions).every(select)
        return found.map(lambda rows: [v for v in map(keep, rows) if v is not None])


def _company_selects(known: Kept | None) -> dict[str, q.Select]:
    """The lists the company's facts are read from: each order module's definitions (but a
    module ``known`` not subscribed), the account labels and the Items."""
    modules = [m for m in facts.MODULES if known is None or m in known.subscribed]
    selects = {m: q.Select(object_name=_DEFINITIONS[m]) for m in modules}
    selects |= {name: q.Select(object_name=name) for name in facts.LABEL_OBJECTS}
    selects[_ITEMS] = q.Select(object_name="ITEM")
    return selects


async def _definitions(
    reads: Reads, pages: Mapping[str, Result[Page[Row], SyncError]], subscribed: frozenset[str]
) -> Result[frozenset[str], SyncError]:
    """The subscribed order modules with at least one transaction definition (one row read; the
    answer for a module not subscribed is not looked at, and one not asked, since it was not
    subscribed at the last read, is asked now)."""
    found: set[str] = set()
    for module in (m for m in facts.MODULES if m in subscribed):
        first = pages.get(module)
        if first is None:
            select = q.Select(object_name=_DEFINITIONS[module])
            first = await reads.page(select, FeedQuery(size=1))
        if not is_successful(first):
            return Failure(first.failure())
        if first.unwrap().items:
            found.add(module)
    return Success(frozenset(found))


async def _labels(
    reads: Reads, selects: Mapping[str, q.Select], pages: Mapping[str, Result[Page[Row], SyncError]]
) -> Result[dict[str, int | None], SyncError]:
    """Active account labels per label object; None where Intacct refuses the object (it proves
    nothing either way, so the fact stays unknown)."""
    found: dict[str, int | None] = {}
    for object_name in facts.LABEL_OBJECTS:
        rows = await _every(reads, selects, pages, object_name)
        if is_successful(rows):
            found[object_name] = sum(facts.active(row) for row in rows.unwrap())
        elif rows.failure().kind is ErrorKind.REJECTED:
            found[object_name] = None
        else:
            return Failure(rows.failure())
    return Success(found)


async def _entity_currency(
    reads: Reads, selects: Mapping[str, q.Select], pages: Mapping[str, Result[Page[Row], SyncError]]
) -> Result[str | None, SyncError]:
    """The entity's currency (None at the top level or when it has none)."""
    if _ENTITY not in selects:
        return Success(None)
    found = await _every(reads, selects, pages, _ENTITY)
    if not is_successful(found):
        return Failure(found.failure())
    entities = (e for e in map(facts.entity, found.unwrap()) if e is not None)
    return Success(next((e.currency for e in entities if e.currency), None))


def _facts_of(kept: Kept, financial: dict[str, str], currency: str | None) -> facts.Facts:
    return facts.Facts(
        subscribed=kept.subscribed,
        definitions=kept.definitions,
        items=kept.items,
        labels=kept.labels,
        financial=financial,
        entity_currency=currency,
    )


async def _every(
    reads: Reads,
    selects: Mapping[str, q.Select],
    pages: Mapping[str, Result[Page[Row], SyncError]],
    name: str,
) -> Result[list[Row], SyncError]:
    """Every row of the list ``name`` whose first page came with the set-up's request."""
    first = pages[name]
    if not is_successful(first):
        return Failure(first.failure())
    return await reads.rest(selects[name], first.unwrap())


def _item(row: Row) -> Item | None:
    read = item(row)
    return read.unwrap() if is_successful(read) else None


def _at_entity(error: SyncError, entity: EntityId) -> SyncError:
    """A log-in refused at an entity that is the problem (rule C3)."""
    where = f'entity "{entity}"' if entity else "the top level"
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.C3,
        message=f"Sage Intacct did not open a session at {where} of this company.",
        fix="Choose one of the company's entities (or its top level), then check again.",
        cause=error.cause,
    )
