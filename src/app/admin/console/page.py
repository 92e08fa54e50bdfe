"""The console's footing: ``Page`` asks the admin API's own endpoints and renders HTML fragments.

``Page.ask`` runs an endpoint of the route table through ``Endpoint.answer``, the one
decode-and-handle step the JSON route runs too: a form is turned into the JSON body the API takes
(``Form.body``), so it is decoded, checked and refused exactly as the API would, with the API's
wording (``errors.Problem``), which ``Page.problem`` shows in the page.

Templates are Jinja2 with autoescape on and undefined names an error. Links are built by
``url(route, **params)``: the path of the console's own route ``name`` under the prefix the console
is mounted at (the ASGI ``root_path``, which includes a host's mount and a proxy's prefix), the
same path ``request.url_for(...).path`` gives, also where a host names its mount.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl

import msgspec
from jinja2 import Environment, PackageLoader, StrictUndefined
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Router

from released_intacct.app.admin import errors
from released_intacct.app.admin.endpoint import Asked, Endpoint, read_body
from released_intacct.app.admin.errors import Problem
from released_intacct.app.service import Service

__all__ = ["Form", "Page"]

V = TypeVar("V", bound=msgspec.Struct)
_LIST: Final = "[]"


class Form:
    """A URL-encoded form (what a browser posts), as the JSON body the API takes.

    A field named ``credentials.senderId`` is ``{"credentials": {"senderId": ...}}``; one named
    ``prerequisites[]`` collects every value sent under it into a list."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._pairs = tuple(pairs)

    def one(self, name: str) -> str | None:
        """The last value sent under ``name``, or None."""
        found = [value for key, value in self._pairs if key == name]
        return found[-1] if found else None

    def filled(self, *names: str) -> dict[str, str]:
        """The non-empty values of ``names`` (a filter's query), by name."""
        return {name: value for name in names if (value := self.one(name))}

    def body(self, *names: str) -> dict[str, Any]:
        """The JSON body made of ``names`` (those sent; a missing one is the API's to name)."""
        made: dict[str, Any] = {}
        for name in names:
            if name.endswith(_LIST):
                values = [value for key, value in self._pairs if key == name]
                _put(made, name.removesuffix(_LIST), values)
            elif (value := self.one(name)) is not None:
                _put(made, name, value)
        return made


def _put(into: dict[str, Any], dotted: str, value: object) -> None:
    *outer, last = dotted.split(".")
    for part in outer:
        into = into.setdefault(part, {})
    into[last] = value


class Page:
    """The service, the API's route table and the templates, for the console's screens."""

    def __init__(
        self, service: Service, table: Sequence[Endpoint], router: Router, *, max_body: int
    ) -> None:
        self._service, self._router, self._max_body = service, router, max_body
        self._by_route = {(ep.method, ep.path): ep for ep in table}
        self._templates = Environment(
            loader=PackageLoader("released_intacct.app.admin.console", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    async def ask(
        self,
        route: tuple[str, str],
        view: type[V],
        *,
        params: Mapping[str, Any],
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Result[V, Problem]:
        """The answer of the API's endpoint ``(method, path)`` to these inputs, decoded and
        handled exactly as the JSON route does it."""
        endpoint = self._by_route[route]
        raw = b"" if body is None else msgspec.json.encode(body)

        async def read(limit: int) -> bytes | None:
            return None if len(raw) > limit else raw

        asked = Asked(path=params, query=query or {}, body=read)
        done = await endpoint.answer(self._service, asked, self._max_body)
        if not is_successful(done):
            return Failure(done.failure())
        found = done.unwrap()
        if not isinstance(found, view):
            msg = f"{route} answered {type(found).__name__}, not {view.__name__}"
            raise TypeError(msg)
        return Success(found)

    async def form(self, request: Request) -> Result[Form, Problem]:
        """The posted form, read under the same size limit as an API body (413 past it)."""
        raw = await read_body(request, self._max_body)
        if raw is None:
            return Failure(errors.too_large(self._max_body))
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            return Failure(errors.malformed("the form is not UTF-8"))
        return Success(Form(parse_qsl(text, keep_blank_values=True)))

    def url(self, request: Request) -> Callable[..., str]:
        """``url(route, **params)``: the path of the console's route ``route``."""
        prefix = str(request.scope.get("root_path", "")).rstrip("/")

        def url(route: str, /, **params: object) -> str:
            return prefix + str(self._router.url_path_for(route, **params))

        return url

    def render(
        self, request: Request, template: str, *, code: int = 200, **context: object
    ) -> HTMLResponse:
        """``template`` rendered with ``context`` (and ``url``), answered with status ``code``."""
        html = self._templates.get_template(template).render(url=self.url(request), **context)
        return HTMLResponse(html, status_code=code)

    def problem(self, request: Request, problem: Problem) -> HTMLResponse:
        """The API's problem, in the page's problem area (whatever element asked), with the
        API's status and headers."""
        shown = self.render(request, "problem.html", code=problem.status, error=problem.body.error)
        shown.headers.update(problem.headers)
        shown.headers["HX-Retarget"] = "#problem"
        shown.headers["HX-Reswap"] = "innerHTML"
        return shown
