"""The console's onboarding screens: connect, entity and sync-from date, prerequisites, one
matching step per kind, confirm (rules C1-C5, O1-O5).

Each screen asks the admin API's own endpoint (``Page.ask``) and renders its answer; a refusal is
the API's problem, shown in the page. What the matching dropdowns offer is computed here
(``rows``): an Intacct item another Re-Leased item holds is disabled (rule O4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from returns.pipeline import is_successful
from starlette.requests import Request
from starlette.responses import Response

from released_intacct.app.admin.console.monitoring import status
from released_intacct.app.admin.console.page import Page
from released_intacct.app.admin.views import (
    AcknowledgementsView,
    CandidateView,
    ConnectedView,
    ConnectionsView,
    ConnectionView,
    EntitiesView,
    OnboardingView,
    PrerequisitesView,
    StepView,
)

__all__ = [
    "Choice",
    "Row",
    "acknowledge",
    "archive",
    "confirm",
    "confirm_screen",
    "connect",
    "connections",
    "continue_step",
    "create_as",
    "match",
    "matching",
    "open_connection",
    "prerequisites",
    "rows",
    "save_setup",
    "setup",
    "start_matching",
]

_C: Final = "/connections/{id}"
_CREDENTIALS: Final = ("senderId", "senderPassword", "companyId", "userId", "userPassword")


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """One Intacct item in one Re-Leased item's dropdown."""

    key: str
    label: str
    group: str
    selected: bool
    disabled: bool
    """Another Re-Leased item holds it (rule O4): the server says so, not the browser."""
    held_by: str | None
    """The label of the Re-Leased item holding it, when another one does."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    candidate: CandidateView
    choices: tuple[Choice, ...]


def rows(step: StepView) -> tuple[Row, ...]:
    """Each Re-Leased item with its dropdown: its match selected, every item another holds
    disabled."""
    labels = {c.released_id: c.label for c in step.candidates}
    made = []
    for candidate in step.candidates:
        decision = candidate.decision
        chosen = None if decision is None else decision.intacct_key
        choices = tuple(
            Choice(
                key=t.intacct_key,
                label=t.label,
                group=t.group,
                selected=t.intacct_key == chosen,
                disabled=t.held_by is not None and t.held_by != candidate.released_id,
                held_by=None
                if t.held_by in (None, candidate.released_id)
                else labels.get(t.held_by, t.held_by),
            )
            for t in step.targets
        )
        made.append(Row(candidate=candidate, choices=choices))
    return tuple(made)


def _id(request: Request) -> dict[str, str]:
    return {"id": request.path_params["id"]}


# --- connections and connect (C1-C4) ------------------------------------------------------------


async def connections(page: Page, request: Request) -> Response:
    found = await page.ask(("GET", "/connections"), ConnectionsView, params={})
    if not is_successful(found):
        return page.problem(request, found.failure())
    return page.render(request, "connections.html", connections=found.unwrap().connections)


async def connect(page: Page, request: Request) -> Response:
    """Rules C1, C2. The credentials go to the API's connect and are never sent back."""
    form = await page.form(request)
    if not is_successful(form):
        return page.problem(request, form.failure())
    names = ("releasedCompany", *(f"credentials.{name}" for name in _CREDENTIALS))
    body = form.unwrap().body(*names)
    done = await page.ask(("POST", "/connections"), ConnectedView, params={}, body=body)
    if not is_successful(done):
        return page.problem(request, done.failure())
    connected = done.unwrap()
    return page.render(
        request, "setup.html", connection=connected.connection, entities=connected.entities
    )


async def open_connection(page: Page, request: Request) -> Response:
    """The screen a connection is at: set-up, prerequisites, or (once confirmed) its status."""
    found = await page.ask(("GET", _C), ConnectionView, params=_id(request))
    if not is_successful(found):
        return page.problem(request, found.failure())
    connection = found.unwrap()
    if connection.phase == "connected" or connection.sync_from is None:
        return await setup(page, request)
    if connection.phase == "onboarding":
        return await prerequisites(page, request)
    return await status(page, request)


async def setup(page: Page, request: Request) -> Response:
    """Rules C3, C4: the entity (or the top level, chosen explicitly) and the sync-from date."""
    found = await page.ask(("GET", _C), ConnectionView, params=_id(request))
    if not is_successful(found):
        return page.problem(request, found.failure())
    listed = await page.ask(("GET", f"{_C}/entities"), EntitiesView, params=_id(request))
    if not is_successful(listed):
        return page.problem(request, listed.failure())
    entities = listed.unwrap().entities
    return page.render(request, "setup.html", connection=found.unwrap(), entities=entities)


async def save_setup(page: Page, request: Request) -> Response:
    form = await page.form(request)
    if not is_successful(form):
        return page.problem(request, form.failure())
    given = form.unwrap()
    for route, names in (
        (("PUT", f"{_C}/entity"), ("entityId",)),
        (("PUT", f"{_C}/sync-from"), ("syncFrom",)),
    ):
        done = await page.ask(route, ConnectionView, params=_id(request), body=given.body(*names))
        if not is_successful(done):
            return page.problem(request, done.failure())
    return await prerequisites(page, request)


# --- prerequisites (C5) ---------------------------------------------------------------------------


async def prerequisites(page: Page, request: Request) -> Response:
    found = await page.ask(("GET", f"{_C}/prerequisites"), PrerequisitesView, params=_id(request))
    if not is_successful(found):
        return page.problem(request, found.failure())
    started = await page.ask(("GET", f"{_C}/matching"), OnboardingView, params=_id(request))
    return page.render(
        request,
        "prerequisites.html",
        id=request.path_params["id"],
        view=found.unwrap(),
        matching=is_successful(started),
    )


async def acknowledge(page: Page, request: Request) -> Response:
    form = await page.form(request)
    if not is_successful(form):
        return page.problem(request, form.failure())
    body = form.unwrap().body("prerequisites[]")
    route = ("POST", f"{_C}/acknowledgements")
    done = await page.ask(route, AcknowledgementsView, params=_id(request), body=body)
    if not is_successful(done):
        return page.problem(request, done.failure())
    return await prerequisites(page, request)


# --- matching (O1-O5) -----------------------------------------------------------------------------


async def start_matching(page: Page, request: Request) -> Response:
    """Rules O1, O2: read both sides and auto-match (again: start over)."""
    done = await page.ask(("POST", f"{_C}/matching"), OnboardingView, params=_id(request))
    if not is_successful(done):
        return page.problem(request, done.failure())
    return _step(page, request, done.unwrap(), None)


async def matching(page: Page, request: Request) -> Response:
    """The step in the path, or (without one) the first step not yet continued."""
    found = await page.ask(("GET", f"{_C}/matching"), OnboardingView, params=_id(request))
    if not is_successful(found):
        return page.problem(request, found.failure())
    return _step(page, request, found.unwrap(), request.path_params.get("step"))


async def match(page: Page, request: Request) -> Response:
    """Rules O3, O4: the Intacct item chosen in a Re-Leased item's dropdown."""
    return await _decide(page, request, "match", ("releasedId", "intacctKey"))


async def archive(page: Page, request: Request) -> Response:
    return await _decide(page, request, "archive", ("releasedId",))


async def create_as(page: Page, request: Request) -> Response:
    """Rule O3: the contact is created in Intacct as a customer or a vendor at confirm."""
    form = await page.form(request)
    if not is_successful(form):
        return page.problem(request, form.failure())
    route = ("POST", f"{_C}/matching/contacts/create")
    body = form.unwrap().body("releasedId", "role")
    done = await page.ask(route, OnboardingView, params=_id(request), body=body)
    if not is_successful(done):
        return page.problem(request, done.failure())
    return _step(page, request, done.unwrap(), "contacts")


async def _decide(page: Page, request: Request, action: str, names: tuple[str, ...]) -> Response:
    form = await page.form(request)
    if not is_successful(form):
        return page.problem(request, form.failure())
    step = request.path_params["step"]
    params = {**_id(request), "step": step}
    route = ("POST", f"{_C}/matching/{{step}}/{action}")
    done = await page.ask(route, OnboardingView, params=params, body=form.unwrap().body(*names))
    if not is_successful(done):
        return page.problem(request, done.failure())
    return _step(page, request, done.unwrap(), step)


async def continue_step(page: Page, request: Request) -> Response:
    """Rule O5: the step is done; on to the next one, or to confirm after the last."""
    params = {**_id(request), "step": request.path_params["step"]}
    route = ("POST", f"{_C}/matching/{{step}}/continue")
    done = await page.ask(route, OnboardingView, params=params)
    if not is_successful(done):
        return page.problem(request, done.failure())
    onboarding = done.unwrap()
    if all(step.continued for step in onboarding.steps):
        return await confirm_screen(page, request)
    return _step(page, request, onboarding, None)


def _step(page: Page, request: Request, onboarding: OnboardingView, name: str | None) -> Response:
    """The step ``name``, or the first one not yet continued."""
    steps = onboarding.steps
    shown = next((s for s in steps if s.step == name), None) or next(
        (s for s in steps if not s.continued), steps[-1]
    )
    return page.render(
        request,
        "matching.html",
        id=request.path_params["id"],
        steps=steps,
        step=shown,
        rows=rows(shown),
    )


# --- confirm (O5, C1) -----------------------------------------------------------------------------


async def confirm_screen(page: Page, request: Request) -> Response:
    found = await page.ask(("GET", _C), ConnectionView, params=_id(request))
    if not is_successful(found):
        return page.problem(request, found.failure())
    onboarding = await page.ask(("GET", f"{_C}/matching"), OnboardingView, params=_id(request))
    if not is_successful(onboarding):
        return page.problem(request, onboarding.failure())
    return page.render(
        request, "confirm.html", connection=found.unwrap(), steps=onboarding.unwrap().steps
    )


async def confirm(page: Page, request: Request) -> Response:
    """Rules C5, O5: confirm; the initial sync starts, and the status screen follows it."""
    done = await page.ask(("POST", f"{_C}/confirm"), ConnectionView, params=_id(request))
    if not is_successful(done):
        return page.problem(request, done.failure())
    return await status(page, request)
