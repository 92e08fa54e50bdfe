"""Tracking options, written through their category.

An option has no resource of its own: the adapter reads its category (``GET
/api/tracking-categories/{id}``), adds or replaces the option in the ``options`` list, and writes
the whole category back with the ``version`` it read (``PUT``). A 409 in between is the usual
retriable "changed in Re-Leased meanwhile". A created option keeps its proposed id (the
idempotency key, as planning proposes it), so a repeated create finds it already there and
returns it without writing, and ``find_by_key`` finds it by that id. An option written on its own
needs ``category_id``; archiving one by id alone searches the categories for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from urllib.parse import quote

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.paging import read_all
from released_intacct.adapters.released.errors import is_conflict
from released_intacct.adapters.released.feeds import read_page
from released_intacct.adapters.released.lists import (
    TrackingCategoryBody,
    TrackingCategoryWire,
    TrackingOptionWire,
    option_wire,
    status_of,
    to_category,
)
from released_intacct.adapters.released.resources import TRACKING_CATEGORIES
from released_intacct.adapters.released.transport import Http
from released_intacct.adapters.released.wire import encode
from released_intacct.domain.enums import ReleasedStatus
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.domain.released import TrackingOption

__all__ = ["Options"]

Edit = Callable[[list[TrackingOptionWire]], list[TrackingOptionWire]]


class Options:
    def __init__(self, http: Http, *, page_size: int) -> None:
        self._http = http
        self._page_size = page_size

    async def create(self, option: TrackingOption) -> Result[TrackingOption, SyncError]:
        category = _category_of(option)
        read = await self._get(category)
        if not is_successful(read):
            return Failure(read.failure())
        if any(found.id == option.id for found in read.unwrap().options):
            return _option(read.unwrap(), option)
        return await self._put(
            read.unwrap(), option, lambda options: [*options, option_wire(option)]
        )

    async def create_all(
        self, options: Sequence[TrackingOption]
    ) -> list[Result[TrackingOption, SyncError]]:
        """Each option created as ``create`` does, those of one category in one read and one
        write of it; per option its outcome, in order (a failed read or write fails its group)."""
        groups: dict[str, list[int]] = {}
        for index, option in enumerate(options):
            groups.setdefault(_category_of(option), []).append(index)
        outcomes: dict[int, Result[TrackingOption, SyncError]] = {}
        for category, indexes in groups.items():
            done = await self._create_in(category, [options[i] for i in indexes])
            outcomes.update(zip(indexes, done, strict=True))
        return [outcomes[index] for index in range(len(options))]

    async def _create_in(
        self, category_id: str, group: list[TrackingOption]
    ) -> list[Result[TrackingOption, SyncError]]:
        read = await self._get(category_id)
        if is_successful(read):
            wire = read.unwrap()
            held = {found.id for found in wire.options}
            new = {option.id: option for option in group if option.id not in held}
            if new:
                options = [*wire.options, *(option_wire(option) for option in new.values())]
                read = await self._write(wire, options)
        if not is_successful(read):
            return [Failure(read.failure()) for _ in group]
        converted = to_category(read.unwrap())
        if not is_successful(converted):
            return [Failure(converted.failure()) for _ in group]
        now_held = _Held(converted.unwrap().options)
        return [now_held.find(option) for option in group]

    async def update(self, option: TrackingOption) -> Result[TrackingOption, SyncError]:
        read = await self._get(_category_of(option))
        if not is_successful(read):
            return Failure(read.failure())
        if not any(found.id == option.id for found in read.unwrap().options):
            return Failure(_missing(option.id))
        written = await self._put(read.unwrap(), option, _replacing(option))
        if is_successful(written) or not is_conflict(written.failure()):
            return written
        again = await self._get(_category_of(option))  # the PUT may have landed, its reply lost
        held = again.bind(lambda wire: _option(wire, option))
        if is_successful(held) and _same(held.unwrap(), option):
            return held
        return written

    async def set_archived(self, option_id: str, *, archived: bool) -> Result[None, SyncError]:
        found = await self.find(option_id)
        if not is_successful(found):
            return Failure(found.failure())
        option = found.unwrap()
        if option is None:
            return Failure(_missing(option_id))
        status = ReleasedStatus.ARCHIVED if archived else ReleasedStatus.ACTIVE
        if option.status is status:
            return Success(None)
        return (await self.update(replace(option, status=status))).map(lambda _: None)

    async def find(self, option_id: str) -> Result[TrackingOption | None, SyncError]:
        """The option with this id in any category (a scan of the categories)."""
        holder = await read_all(
            self._categories,
            what="Re-Leased tracking categories",
            until=lambda seen: any(_holds(wire, option_id) for wire in seen),
        )
        if not is_successful(holder):
            return Failure(holder.failure())
        found = [wire for wire in holder.unwrap().items if _holds(wire, option_id)]
        if not found:
            return Success(None)
        return _option(found[0], TrackingOption(id=ReleasedId(option_id), name="")).map(_some)

    async def _categories(self, query: FeedQuery) -> Result[Page[TrackingCategoryWire], SyncError]:
        size = min(self._page_size, query.size or self._page_size)
        page = await read_page(self._http, TRACKING_CATEGORIES, query, size=size)
        return page.map(
            lambda raw: Page(items=raw.wires, next_token=raw.next_token, problems=raw.problems)
        )

    async def _get(self, category_id: str) -> Result[TrackingCategoryWire, SyncError]:
        path = f"{TRACKING_CATEGORIES.path}/{quote(category_id, safe='')}"
        sent = await self._http.send("GET", path)
        return sent.bind(lambda reply: self._http.read(TRACKING_CATEGORIES.decode, reply))

    async def _put(
        self, category: TrackingCategoryWire, option: TrackingOption, edit: Edit
    ) -> Result[TrackingOption, SyncError]:
        written = await self._write(category, edit(list(category.options)))
        return written.bind(lambda wire: _option(wire, option))

    async def _write(
        self, category: TrackingCategoryWire, options: list[TrackingOptionWire]
    ) -> Result[TrackingCategoryWire, SyncError]:
        """The category written back with ``options``, at the version it was read."""
        body = TrackingCategoryBody(
            id=category.id,
            name=category.name,
            kind=category.kind,
            status=category.status,
            options=options,
            version=category.version,
        )
        path = f"{TRACKING_CATEGORIES.path}/{quote(category.id, safe='')}"
        sent = await self._http.send("PUT", path, body=encode(body))
        return sent.bind(lambda reply: self._http.read(TRACKING_CATEGORIES.decode, reply))


def _category_of(option: TrackingOption) -> str:
    if option.category_id is None:
        msg = "a tracking option is written through its category: set category_id"
        raise ValueError(msg)
    return option.category_id


def _replacing(option: TrackingOption) -> Edit:
    def edit(options: list[TrackingOptionWire]) -> list[TrackingOptionWire]:
        return [
            TrackingOptionWire(id=found.id, name=option.name, status=status_of(option.status))
            if found.id == option.id
            else found
            for found in options
        ]

    return edit


def _option(
    wire: TrackingCategoryWire, wanted: TrackingOption
) -> Result[TrackingOption, SyncError]:
    """``wanted`` as the category holds it: by id, else (an id the server chose) by name."""
    converted = to_category(wire)
    if not is_successful(converted):
        return Failure(converted.failure())
    return _Held(converted.unwrap().options).find(wanted)


class _Held:
    """The options a category holds, found by id, else (an id the server chose) the last by
    name: indexed once, however many are looked for."""

    def __init__(self, options: Sequence[TrackingOption]) -> None:
        self._by_id = {option.id: option for option in options}
        self._by_name = {option.name: option for option in options if option.name}

    def find(self, wanted: TrackingOption) -> Result[TrackingOption, SyncError]:
        found = self._by_id.get(wanted.id) or self._by_name.get(wanted.name)
        return Success(found) if found is not None else Failure(_missing(wanted.id))


def _same(held: TrackingOption, wanted: TrackingOption) -> bool:
    return (held.name, held.status) == (wanted.name, wanted.status)


def _holds(category: TrackingCategoryWire, option_id: str) -> bool:
    return any(option.id == option_id for option in category.options)


def _some(option: TrackingOption) -> TrackingOption | None:
    return option


def _missing(option_id: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=None,
        message=f"The tracking option {option_id} is no longer in Re-Leased.",
        fix="Unlink the option, or link it to another one.",
    )
