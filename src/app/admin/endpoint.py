"""One route of the admin API as a value: method, path, types, and the handler it runs.

A handler is ``async (Call[P, Q, B]) -> Result[O, SyncError]``: it gets the service and the
request's path parameters, query and body already decoded into Structs, and answers a view or
the product's refusal. ``endpoint`` binds a handler to its types and builds the body decoder once;
the route then decodes in this order, answering the first problem:

    path parameters  -> 422 naming the parameter
    query parameters -> 422 naming the parameter
    body             -> 413 when larger than the limit, 400 when it is not JSON (or is nested
                        too deeply), 422 naming the field
    the connection   -> 404 when the path names one that does not exist (or a run it does
                        not have)

and only then calls the handler, so nothing is written on a bad request.

The JSON route and the operator's console (``admin.console``) share this one step
(``Endpoint.answer``): each hands it an ``Asked`` (path parameters and query as strings, and a
reader of the JSON body), so a form in the page is decoded, checked and refused exactly as the
same request to the API is, with the same wording.

The body is read from the stream with its size counted as it arrives: a body whose declared
``Content-Length`` is over the limit is refused unread, and one sent in chunks is refused as soon as
it passes the limit, so no more than the limit (and one chunk) is ever held.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

import msgspec
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from starlette.requests import Request
from starlette.responses import Response

from released_intacct.app.admin import errors
from released_intacct.app.admin.errors import Problem
from released_intacct.app.admin.wire import ConnectionPath, Empty, RunPath, dec_hook
from released_intacct.app.ports import settled
from released_intacct.app.service import Service
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId

__all__ = ["Asked", "Call", "Endpoint", "endpoint", "problem_response", "read_body", "respond"]

P = TypeVar("P", bound=msgspec.Struct)
Q = TypeVar("Q", bound=msgspec.Struct)
B = TypeVar("B", bound=msgspec.Struct)
O = TypeVar("O", bound=msgspec.Struct)  # noqa: E741

_ENCODER: Final = msgspec.json.Encoder()
_JSON: Final = "application/json"


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Generic[P, Q, B]):
    service: Service
    path: P
    query: Q
    body: B


@dataclass(frozen=True, slots=True, kw_only=True)
class Asked:
    """A request to an endpoint before decoding: path parameters, query parameters, and a reader
    of the JSON body given the largest size in bytes it may read (None when over it)."""

    path: Mapping[str, Any]
    query: Mapping[str, str]
    body: Callable[[int], Awaitable[bytes | None]]


Handler = Callable[[Call[P, Q, B]], Awaitable[Result[O, SyncError]]]
Answer = Callable[[Service, Asked, int], Awaitable[Result[msgspec.Struct, Problem]]]
"""Decode, check the connection, run the handler: its view, or the problem to answer."""
Run = Callable[[Service, Request, int], Awaitable[Response]]
"""The route: the service, the request and the largest body in bytes it may read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    method: str
    path: str
    """Relative to where the app is mounted, Starlette's template: ``/connections/{id}``."""
    summary: str
    status: int
    """The status of a success."""
    params: type[msgspec.Struct]
    query: type[msgspec.Struct]
    body: type[msgspec.Struct] | None
    out: type[msgspec.Struct]
    public: bool
    answer: Answer
    run: Run


def endpoint(
    method: str,
    path: str,
    handler: Handler[P, Q, B, O],
    *,
    summary: str,
    params: type[P],
    query: type[Q],
    body: type[B],
    out: type[O],
    status: int = 200,
    public: bool = False,
) -> Endpoint:
    """``body=Empty``: the route takes no body (whatever is sent is ignored)."""
    decoder = None if body is Empty else msgspec.json.Decoder(body, dec_hook=dec_hook)

    async def answer(
        service: Service, asked: Asked, max_body: int
    ) -> Result[msgspec.Struct, Problem]:
        decoded = await _decode(asked, params, query, body, decoder, max_body=max_body)
        if not is_successful(decoded):
            return Failure(decoded.failure())
        path_value, query_value, body_value = decoded.unwrap()
        missing = await _unknown(service, path_value)
        if missing is not None:
            return Failure(missing)
        call = Call(service=service, path=path_value, query=query_value, body=body_value)
        answered = await handler(call)
        if not is_successful(answered):
            return Failure(_problem_of(answered.failure()))
        view: msgspec.Struct = answered.unwrap()
        return Success(view)

    async def run(service: Service, request: Request, max_body: int) -> Response:
        asked = Asked(
            path=request.path_params,
            query=request.query_params,
            body=lambda limit: read_body(request, limit),
        )
        done = await answer(service, asked, max_body)
        if not is_successful(done):
            return problem_response(done.failure())
        return respond(status, done.unwrap())

    return Endpoint(
        method=method,
        path=path,
        summary=summary,
        status=status,
        params=params,
        query=query,
        body=None if body is Empty else body,
        out=out,
        public=public,
        answer=answer,
        run=run,
    )


async def _decode(
    asked: Asked,
    params: type[P],
    query: type[Q],
    body: type[B],
    decoder: msgspec.json.Decoder[B] | None,
    *,
    max_body: int,
) -> Result[tuple[P, Q, B], Problem]:
    path_value = _convert(asked.path, params, "path")
    query_value = _convert(dict(asked.query), query, "query")
    if not is_successful(path_value):
        return Failure(path_value.failure())
    if not is_successful(query_value):
        return Failure(query_value.failure())
    body_value = await _body(asked, body, decoder, max_body)
    return body_value.map(lambda b: (path_value.unwrap(), query_value.unwrap(), b))


def _convert(raw: Mapping[str, Any], kind: type[P], where: str) -> Result[P, Problem]:
    try:
        return Success(msgspec.convert(dict(raw), type=kind, strict=False))
    except msgspec.ValidationError as error:
        return Failure(errors.invalid(where, error))


async def _body(
    asked: Asked, kind: type[B], decoder: msgspec.json.Decoder[B] | None, max_body: int
) -> Result[B, Problem]:
    if decoder is None:
        return Success(kind())
    raw = await asked.body(max_body)
    if raw is None:
        return Failure(errors.too_large(max_body))
    try:
        return Success(decoder.decode(raw))
    except msgspec.ValidationError as error:
        return Failure(_malformed(raw) or errors.invalid("body", error))
    except msgspec.DecodeError as error:
        return Failure(errors.malformed(str(error)))
    except RecursionError:
        return Failure(errors.malformed(_TOO_DEEP))


async def read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to be over ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


_TOO_DEEP: Final = "JSON nested too deeply"


def _malformed(raw: bytes) -> Problem | None:
    """400 for a body msgspec refused by type before it saw the JSON was broken (``[1, 2``)."""
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        return errors.malformed(str(error))
    except RecursionError:
        return errors.malformed(_TOO_DEEP)
    return None


async def _unknown(service: Service, path: msgspec.Struct) -> Problem | None:
    """404 when the path names a connection the store does not hold, or a run it has not."""
    if not isinstance(path, ConnectionPath):
        return None
    found = await settled(service.ports.store.connection(ConnectionId(path.id)))
    if not is_successful(found):
        return _problem_of(found.failure())
    if found.unwrap() is None:
        return errors.not_found(f"connection {path.id}")
    if isinstance(path, RunPath):
        run = await settled(service.ports.store.run(ConnectionId(path.id), path.run))
        if not is_successful(run):
            return _problem_of(run.failure())
        if run.unwrap() is None:
            return errors.not_found(f"run {path.run} of connection {path.id}")
    return None


def _problem_of(error: SyncError) -> Problem:
    body = errors.ErrorBody(error=errors.detail_of(error))
    return Problem(status=errors.STATUS_OF[error.kind], body=body)


def respond(status: int, content: msgspec.Struct | dict[str, Any]) -> Response:
    return Response(_ENCODER.encode(content), status_code=status, media_type=_JSON)


def problem_response(problem: Problem) -> Response:
    return Response(
        _ENCODER.encode(problem.body),
        status_code=problem.status,
        media_type=_JSON,
        headers=problem.headers,
    )
