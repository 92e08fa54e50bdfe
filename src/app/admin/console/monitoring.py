"""The console's monitoring screens: status with its flag (polled), results with unlink and
relink, notifications with mark-read (rules E1-E4).

The flag is the run's colour as the API answers it (rule E3): blue when the last run succeeded,
orange while one runs with errors, red when it failed. A red run's reasons are the status's own
(``StatusView.reasons``: its notification, then the rules its failed records broke, each with an
example and its fix), the same ``sync``, ``status`` and the API's runs give.
"""

from __future__ import annotations

from typing import Final

from returns.pipeline import is_successful
from starlette.requests import Request
from starlette.responses import Response

from released_intacct.app.admin.console.page import Page
from released_intacct.app.admin.reports import (
    LinkView,
    NotificationsView,
    QueuedView,
    ResultsView,
    StatusView,
)
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.links import LinkStatus

__all__ = [
    "mark_read",
    "notifications",
    "relink",
    "results",
    "status",
    "status_panel",
    "sync_now",
    "unlink",
]

_C: Final = "/connections/{id}"
_FILTERS: Final = ("type", "direction", "link")


def _id(request: Request) -> dict[str, str]:
    return {"id": request.path_params["id"]}


# --- status (E3, E4) ------------------------------------------------------------------------------


async def status(page: Page, request: Request, *, note: str = "") -> Response:
    """The status screen: the polled panel, and Sync now."""
    return await _status(page, request, "status.html", note=note)


async def status_panel(page: Page, request: Request) -> Response:
    """The panel the status screen polls every few seconds."""
    return await _status(page, request, "status_panel.html", note="")


async def _status(page: Page, request: Request, template: str, *, note: str) -> Response:
    found = await page.ask(("GET", f"{_C}/status"), StatusView, params=_id(request))
    if not is_successful(found):
        return page.problem(request, found.failure())
    shown = found.unwrap()
    return page.render(request, template, status=shown, reasons=shown.reasons, note=note)


async def sync_now(page: Page, request: Request) -> Response:
    """Rule E4: queue a run now (refused while one runs, in the API's words)."""
    done = await page.ask(("POST", f"{_C}/sync"), QueuedView, params=_id(request))
    if not is_successful(done):
        return page.problem(request, done.failure())
    queued = done.unwrap()
    note = (
        f"Run {queued.run_id} started; the flag follows it."
        if queued.run_id
        else "A sync is requested; the flag follows it once a worker starts it."
    )
    return await status(page, request, note=note)


# --- results, unlink and relink (E1, E2) ----------------------------------------------------------


async def results(page: Page, request: Request, *, note: str = "") -> Response:
    """Rule E1: the results, filtered by record type, direction and link status."""
    chosen = {name: value for name in _FILTERS if (value := request.query_params.get(name))}
    return await _results(page, request, chosen, note)


async def _results(
    page: Page,
    request: Request,
    chosen: dict[str, str],
    note: str,
    record: tuple[str, str] = ("", ""),
) -> Response:
    """The results screen; ``record`` (type, Re-Leased id) fills the unlink / relink form."""
    query = {**chosen, "limit": "200"}
    route = ("GET", f"{_C}/results")
    found = await page.ask(route, ResultsView, params=_id(request), query=query)
    if not is_successful(found):
        return page.problem(request, found.failure())
    return page.render(
        request,
        "results.html",
        id=request.path_params["id"],
        results=found.unwrap().results,
        chosen=chosen,
        note=note,
        record_types=[t.value for t in RecordType],
        directions=[d.value for d in Direction],
        links=[s.value for s in LinkStatus],
        record=record,
    )


async def unlink(page: Page, request: Request) -> Response:
    """Rule E2: take the record out of later syncs; the results follow, filtered as they were."""
    return await _link(page, request, "unlink")


async def relink(page: Page, request: Request) -> Response:
    """Rule E2: put the record back into the sync."""
    return await _link(page, request, "relink")


async def _link(page: Page, request: Request, action: str) -> Response:
    """The form names the record (``recordType``, ``releasedId``: the API's path parameters) and
    carries the results' filters."""
    form = await page.form(request)
    if not is_successful(form):
        return page.problem(request, form.failure())
    given = form.unwrap()
    params = {**_id(request), **given.body("recordType", "releasedId")}
    route = ("POST", f"{_C}/links/{{recordType}}/{{releasedId}}/{action}")
    done = await page.ask(route, LinkView, params=params)
    if not is_successful(done):
        return page.problem(request, done.failure())
    changed = done.unwrap()
    noun = changed.record_type.replace("_", " ")
    note = (
        f"Re-Leased {noun} {changed.released_id} is {changed.status} "
        f"(Sage Intacct {changed.intacct_key})."
    )
    record = (changed.record_type, changed.released_id)
    return await _results(page, request, given.filled(*_FILTERS), note, record)


# --- notifications (E3) ---------------------------------------------------------------------------


async def notifications(page: Page, request: Request) -> Response:
    route = ("GET", f"{_C}/notifications")
    found = await page.ask(route, NotificationsView, params=_id(request))
    if not is_successful(found):
        return page.problem(request, found.failure())
    shown = found.unwrap().notifications
    return page.render(request, "notifications.html", id=request.path_params["id"], items=shown)


async def mark_read(page: Page, request: Request) -> Response:
    params = {**_id(request), "n": request.path_params["n"]}
    route = ("POST", f"{_C}/notifications/{{n}}/read")
    done = await page.ask(route, NotificationsView, params=params)
    if not is_successful(done):
        return page.problem(request, done.failure())
    return await notifications(page, request)
