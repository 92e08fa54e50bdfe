"""The REST API over HTTP, mounted by ``app.create_app`` under ``/ia/api/v1``.

Every request to ``/objects``, ``/workflows``, ``/services/core/query``,
``/services/core/composite`` (each of its sub-requests too, ``rest.composite``) and
``/services/bulk/job/…`` (``rest.bulk``) is authenticated by
its bearer token (401 ``GW-0034`` without a ``Bearer`` header, 401 ``GW-0031`` "Invalid Token" for
an unknown or expired one: [RESTDOC] docs/rest/error-handling.md, "4XX Gateway Error Codes"; the 401
status for them is **inferred** from "401 Unauthorized: OAuth2 is not able to authenticate"), takes
its entity from ``X-IA-API-Param-Entity`` (spec section 9, [FYREST] ``apis/api_base.py``) or
``X-IA-API-ParamEntity`` (the spelling of [RESTDOC] docs/rest/http-headers.md), else the token's
(the top level); an unknown entity, or the two spellings naming different entities, answers 400
``invalidRequest`` (**inferred**, docs/intacct-rest.md section 3). Then, as for the XML gateway: the
company's in-flight limit (429 ``GW-0010`` with ``X-IA-Throttle-Limit-RetryAfter``), the fault rules
(``refusals``), the latency, the request. Rules match a REST request by company and by (function,
object): GET is ``read``, POST ``create``, PATCH ``update``, DELETE ``delete``, the query service
``query``, each with the REST object's XML object (a rule for ``create`` of CUSTOMER fires on both
APIs). The OAuth endpoints are neither limited nor faulted (their company is not known before the
grant is read). A request asking ``Prefer: respond-async`` is answered with a 202 ACK once it ran
and its result went to its webhook (``rest.asyncreq``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.faults import (
    ConnectionDroppedError,
    RequestInfo,
    decide,
)
from released_intacct.fakes.simulators.intacct.rest import (
    asyncreq,
    bulk,
    composite,
    crud,
    docwrites,
    idempotency,
    oauth,
    payflows,
    refusals,
)
from released_intacct.fakes.simulators.intacct.rest.docobjects import base_path
from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestError,
    RestReply,
    failed,
    invalid,
)
from released_intacct.fakes.simulators.intacct.rest.query import object_named, query
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS
from released_intacct.fakes.simulators.intacct.rest.state import Grant

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

PREFIX: Final = "/ia/api/v1"
_ENTITY: Final = ("x-ia-api-param-entity", "x-ia-api-paramentity")
_ATOMIC: Final = ("x-ia-api-param-transaction", "x-ia-api-paramtransaction")
_FUNCTIONS: Final = {"GET": "read", "POST": "create", "PATCH": "update", "DELETE": "delete"}
Work = Callable[[Context], RestReply]
_SUBREQUEST: Final = ContextVar("_SUBREQUEST", default=False)
"""Set while a composite's sub-requests run: the composite is the one HTTP request counted."""


def _grant(sim: Simulator, request: Request) -> tuple[Grant, str]:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RestError(401, "GW-0034", "Invalid Authorization Header")
    found = sim.rest.access.get(token.strip())
    if found is None or found.expires_at <= sim.clock():
        sim.rest.access.pop(token.strip(), None)
        raise RestError(401, "GW-0031", "Invalid Token")
    return found.grant, token.strip()


def _entity(sim: Simulator, request: Request, grant: Grant) -> str:
    values = {request.headers[h] for h in _ENTITY if h in request.headers}
    if len(values) > 1:
        raise invalid("X-IA-API-Param-Entity and X-IA-API-ParamEntity name different entities")
    given = values.pop() if values else None
    if given is None:
        return grant.entity
    if given and given not in sim.companies[grant.company_id].entities:
        raise invalid(f"X-IA-API-Param-Entity: no entity {given!r} in this company")
    return given


def _parsed(raw: bytes) -> object:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError as error:
        raise invalid(f"the body is not JSON: {error}") from error


def _xml_of(path: object) -> str | None:
    """The XML object a REST object path names (what fault rules match), None when unknown."""
    found = OBJECTS.get(base_path(path)) if isinstance(path, str) else None
    return None if found is None else found.xml


class _Api:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def serve(
        self,
        request: Request,
        xml_object: str | None,
        function: str,
        work: Work,
        *,
        keyed: bool,
        asynchronous: bool = True,
    ) -> RestReply:
        """One authenticated request through admission, faults, idempotency and latency;
        answered with an async ACK when it asks (``rest.asyncreq``; ``asynchronous`` False: a
        service that is always answered at once)."""
        sim = self.sim
        try:
            grant, token = _grant(sim, request)
            entity = _entity(sim, request, grant)
            later = asynchronous and not _SUBREQUEST.get()
            webhook = asyncreq.asked(dict(request.headers)) if later else None
        except RestError as error:
            return failed(error)
        company_id = grant.company_id
        if not sim.admit(company_id):
            return refusals.throttled(1)
        writes = keyed and request.method in ("POST", "PATCH")
        key = request.headers.get(idempotency.HEADER) if writes else None
        claimed = False
        try:
            info = RequestInfo(
                company=company_id, session_id=token, calls=((function, xml_object),)
            )
            decision = decide(sim, info)
            refused = refusals.before(sim, decision)
            if refused is not None:
                return refused
            if key is not None:
                print_ = idempotency.fingerprint(
                    request.method, request.url.path, await request.body()
                )
                cached = idempotency.claim(sim, company_id, key, print_)
                if cached is not None:
                    return cached
                claimed = True
            wait_ms = sim.latency_for(company_id) + decision.delay_ms
            if wait_ms > 0:
                await asyncio.sleep(wait_ms / 1000)
            if decision.rule is not None and decision.rule.kind == "drop":
                msg = "the simulator dropped the connection (fault rule)"
                raise ConnectionDroppedError(msg)
            reply = self._run(grant, entity, work)
            if key is not None:
                reply.headers[idempotency.HEADER] = key
                idempotency.keep(sim, company_id, key, reply)
            if webhook is not None:
                reply = await asyncreq.acknowledged(sim, grant, webhook, key, reply)
            return refusals.after(decision, reply)
        except RestError as error:
            return failed(error)
        finally:
            if claimed and key is not None:
                idempotency.release(sim, company_id, key)
            sim.release(company_id)

    def _run(self, grant: Grant, entity: str, work: Work) -> RestReply:
        sim = self.sim
        company = sim.companies[grant.company_id]
        ctx = Context(company, grant.user_id, entity, sim.clock(), sim.results)
        usage = sim.usage[company.company_id]
        usage.requests += 0 if _SUBREQUEST.get() else 1
        usage.functions += 1
        try:
            return work(ctx)
        except RestError as error:
            return failed(error)
        finally:
            usage.transactions += ctx.spent

    async def objects(self, request: Request) -> RestReply:
        """Authenticated first: a malformed path, unknown object or body that is not JSON is
        refused only once the token and entity passed (as for the query service)."""
        method = request.method
        atomic = any(request.headers.get(h, "").lower() == "true" for h in _ATOMIC)
        raw = await request.body() if method in ("POST", "PATCH") else b""
        query_params = {k: v[-1] for k, v in parse_qs(request.url.query).items()}
        path = str(request.path_params["path"])

        def work(ctx: Context) -> RestReply:
            name, keys = _split(path)
            obj = object_named(name)
            if method == "GET":
                return crud.get(ctx, obj, keys, query_params)
            body = _parsed(raw)
            if method == "POST":
                if keys:
                    raise RestError(405, "methodNotAllowed", "POST takes no key in the path")
                return crud.post(ctx, obj, body, atomic=atomic)
            if method == "PATCH":
                return crud.patch(ctx, obj, keys, body, atomic=atomic)
            return crud.delete(ctx, obj, keys, atomic=atomic)

        xml = _xml_of(path.strip("/").rsplit("/", 1)[0]) or _xml_of(path.strip("/"))
        return await self.serve(request, xml, _FUNCTIONS[method], work, keyed=True)

    async def workflows(self, request: Request) -> RestReply:
        """``POST /workflows/<module>/<object>/<action>`` (``rest.payflows.workflow`` for
        payments, ``rest.docwrites.workflow`` for documents): keyed like a write (the pages list
        workflows among what a batch and a key may carry)."""
        raw = await request.body()
        path, _, action = str(request.path_params["path"]).strip("/").rpartition("/")

        def work(ctx: Context) -> RestReply:
            if path in payflows.PATHS:
                return payflows.workflow(ctx, path, action, _parsed(raw))
            return docwrites.workflow(ctx, path, action, _parsed(raw))

        return await self.serve(request, _xml_of(path), "update", work, keyed=True)

    async def bulk_create(self, request: Request) -> RestReply:
        """``POST /services/bulk/job/create`` (``rest.bulk``): one request whose records each
        run as their plain request; fault rules match it by its operation and object."""
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        try:
            asked: bulk.Order | None = bulk.order(content_type, raw)
        except RestError:
            asked = None  # refused in ``work``, once the token and entity passed

        def work(ctx: Context) -> RestReply:
            wanted = asked or bulk.order(content_type, raw)
            grant, _ = _grant(self.sim, request)
            job = bulk.new_job(grant.company_id, grant.client_id, ctx.now, wanted)
            self.sim.rest.jobs[job.job_id] = job
            return bulk.run(ctx, job, wanted)

        xml = None if asked is None else asked.obj.xml
        function = "create" if asked is None else bulk.FUNCTIONS[asked.operation]
        return await self.serve(request, xml, function, work, keyed=False)

    async def bulk_status(self, request: Request) -> RestReply:
        """``GET /services/bulk/job/status?jobId=…[&download=true]`` (``rest.bulk``)."""
        params = {k: v[-1] for k, v in parse_qs(request.url.query).items()}
        job_id = params.get("jobId", "")

        def work(ctx: Context) -> RestReply:
            del ctx
            if not job_id:
                raise invalid("jobId: the job's id is required")
            grant, _ = _grant(self.sim, request)
            job = self.sim.rest.jobs.get(job_id)
            if job is not None and (job.company_id, job.client_id) != (
                grant.company_id,
                grant.client_id,
            ):
                job = None
            return bulk.status(job, job_id, download=params.get("download") == "true")

        return await self.serve(request, None, "read", work, keyed=False)

    async def async_status(self, request: Request) -> RestReply:
        """``GET /services/core/async/job-status?jobId=…`` (``rest.asyncreq``)."""
        job_id = parse_qs(request.url.query).get("jobId", [""])[-1]

        def work(ctx: Context) -> RestReply:
            del ctx
            return asyncreq.status(self.sim, _grant(self.sim, request)[0], job_id)

        return await self.serve(request, None, "read", work, keyed=False, asynchronous=False)

    async def query(self, request: Request) -> RestReply:
        raw = await request.body()

        def work(ctx: Context) -> RestReply:
            return query(ctx, _parsed(raw))

        try:
            named = json.loads(raw).get("object") if raw.strip() else None
        except (ValueError, AttributeError):
            named = None
        return await self.serve(request, _xml_of(named), "query", work, keyed=False)

    async def composite(self, request: Request) -> RestReply:
        """``POST /services/core/composite`` (``rest.composite``): the composite itself is
        authenticated (a bad token or entity refuses it whole) and counted as one HTTP request;
        each sub-request is then served as the plain request it stands for, by ``_dispatch``,
        and spends its functions and API transactions as that request would (one transaction a
        sub-request for a read: **inferred**, no page says how a composite is billed)."""
        try:
            grant, _ = _grant(self.sim, request)
            _entity(self.sim, request, grant)
            self.sim.usage[grant.company_id].requests += 1
            inside = _SUBREQUEST.set(True)
            try:
                return await composite.run(request, PREFIX, self._dispatch)
            finally:
                _SUBREQUEST.reset(inside)
        except RestError as error:
            return failed(error)

    async def _dispatch(self, request: Request) -> RestReply:
        path = request.url.path.removeprefix(PREFIX)
        if path.startswith("/objects/"):
            request.scope["path_params"] = {"path": path.removeprefix("/objects/")}
            return await self.objects(request)
        if path.startswith("/workflows/") and request.method == "POST":
            request.scope["path_params"] = {"path": path.removeprefix("/workflows/")}
            return await self.workflows(request)
        if path == "/services/core/query" and request.method == "POST":
            return await self.query(request)
        return failed(invalid(f"{request.method} {path} cannot be a composite's sub-request", 404))

    async def token(self, request: Request) -> RestReply:
        return oauth.token(self.sim, await request.body())

    async def authorize(self, request: Request) -> RestReply:
        return oauth.authorize(self.sim, parse_qs(request.url.query, keep_blank_values=True))


def _split(path: str) -> tuple[str, str]:
    """``accounts-receivable/customer/12,13`` -> (object path, keys)."""
    parts = path.strip("/").split("/")
    if len(parts) == 3:
        return "/".join(parts[:2]), parts[2]
    if len(parts) == 2:
        return path.strip("/"), ""
    raise invalid(f"Malformed URL: /objects/{path}", 404)


def routes(
    sim: Simulator, respond: Callable[[RestReply], Response], dropped: Callable[[], Response]
) -> list[Route]:
    """The REST API's routes; ``respond`` turns a reply into the HTTP response, ``dropped``
    answers a ``drop`` fault."""
    api = _Api(sim)

    def endpoint(handler: Callable[[Request], object]) -> Callable[[Request], object]:
        async def run(request: Request) -> Response:
            try:
                reply = await handler(request)  # type: ignore[misc]
            except ConnectionDroppedError:
                return dropped()
            return respond(reply)

        return run

    return [
        Route("/oauth2/token", endpoint(api.token), methods=["POST"]),
        Route("/oauth2/authorize", endpoint(api.authorize), methods=["GET"]),
        Route("/services/core/query", endpoint(api.query), methods=["POST"]),
        Route(composite.PATH, endpoint(api.composite), methods=["POST"]),
        Route(bulk.CREATE, endpoint(api.bulk_create), methods=["POST"]),
        Route(bulk.STATUS, endpoint(api.bulk_status), methods=["GET"]),
        Route(asyncreq.STATUS, endpoint(api.async_status), methods=["GET"]),
        Route("/workflows/{path:path}", endpoint(api.workflows), methods=["POST"]),
        Route(
            "/objects/{path:path}",
            endpoint(api.objects),
            methods=["GET", "POST", "PATCH", "DELETE"],
        ),
    ]
