"""The ``/api/...`` endpoints: authentication, idempotent creates, and dispatch to ``resources``.

Authentication: ``Authorization: Bearer <api key>`` must be some company's key (else 401
``unauthorized``, with ``WWW-Authenticate: Bearer``); ``X-Company-Id`` must name a company whose
key it is (else 403 ``forbidden``; a missing header is 400 ``validation_failed``).

Idempotency: a create (``POST /api/<resource>``) needs ``Idempotency-Key`` (1-255 characters;
400 without it). Its first successful reply is kept for 24 h per company: the same key with the
same method, path and body (compared as decoded JSON) replays it with ``Idempotent-Replayed:
true``; with anything else it is 422 ``idempotency_key_reused``. Refusals are not kept, so a
corrected retry may reuse its key. A credit-note allocation honours the header the same way but
does not require it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from released_intacct.fakes.simulators.released import listing, resources
from released_intacct.fakes.simulators.released.checks import Json
from released_intacct.fakes.simulators.released.company import RESOURCES, Company, Replay
from released_intacct.fakes.simulators.released.documents import ACTIONS, DOCUMENTS
from released_intacct.fakes.simulators.released.errors import (
    ApiError,
    business,
    invalid_field,
)
from released_intacct.fakes.simulators.released.jsonio import decode, encode
from released_intacct.fakes.simulators.released.simulator import Simulator

JSON = "application/json"
MAX_KEY = 255
SYNC_HEADER = "x-sync-source"


def json_response(
    data: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(encode(data), status_code=status, media_type=JSON, headers=headers)


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status, dict(error.headers))


def _same(secret: str, offered: str) -> bool:
    return hmac.compare_digest(secret.encode(), offered.encode())


def authenticate(sim: Simulator, request: Request) -> Company:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("send Authorization: Bearer <api key>")
    if not any(_same(company.api_key, token) for company in sim.companies.values()):
        raise _unauthorized("the API key is not valid")
    company_id = request.headers.get("x-company-id")
    if not company_id:
        raise invalid_field("X-Company-Id", "is required: the id of the company to work in")
    company = sim.companies.get(company_id)
    if company is None or not _same(company.api_key, token):
        raise ApiError(403, "forbidden", f"the API key does not give access to {company_id!r}")
    return company


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def resource_of(request: Request) -> str:
    resource = str(request.path_params["resource"])
    if resource not in RESOURCES:
        raise ApiError(404, "not_found", f"no resource {resource!r}")
    return resource


class Api:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def collection(self, request: Request) -> Response:
        company = authenticate(self.sim, request)
        resource = resource_of(request)
        if request.method == "GET":
            return json_response(listing.list_page(company, resource, request.query_params))
        return await self._once(
            request,
            company,
            lambda body: resources.create(company, resource, body, key=_key(request)),
            required=True,
        )

    async def item(self, request: Request) -> Response:
        company = authenticate(self.sim, request)
        resource = resource_of(request)
        record_id = str(request.path_params["record_id"])
        if request.method == "GET":
            return json_response(resources.get(company, resource, record_id))
        body = decode(await request.body())
        sync = request.headers.get(SYNC_HEADER, "").lower() == "intacct"
        return json_response(resources.update(company, resource, record_id, body, sync=sync))

    async def action(self, request: Request) -> Response:
        company = authenticate(self.sim, request)
        resource = resource_of(request)
        record_id, action = str(request.path_params["record_id"]), request.path_params["action"]
        if resource == "credit-notes" and action == "allocations":
            return await self._once(
                request, company, lambda body: resources.allocate(company, record_id, body)
            )
        if (resource in DOCUMENTS and action in ACTIONS) or (
            resource == "payments" and action == "delete"
        ):
            return json_response(resources.act(company, resource, record_id, action))
        if resource in resources.ARCHIVABLE and action in ("archive", "unarchive"):
            archived = action == "archive"
            found = resources.set_archived(company, resource, record_id, archived=archived)
            return json_response(found)
        raise ApiError(404, "not_found", f"no action {action!r} on {resource}")

    async def _once(
        self,
        request: Request,
        company: Company,
        run: Callable[[object], Json],
        *,
        required: bool = False,
    ) -> Response:
        key = _key(request)
        if key is None and required:
            raise invalid_field("Idempotency-Key", "is required on every create")
        body = decode(await request.body())
        if key is None:
            return json_response(run(body), 201)
        fingerprint = (request.method, request.url.path, body)
        replay = company.replay(key)
        if replay is not None:
            if replay.request != fingerprint:
                raise business(
                    "idempotency_key_reused", "this Idempotency-Key was used with another request"
                )
            headers = {"Idempotent-Replayed": "true"}
            return Response(replay.body, replay.status, headers=headers, media_type=JSON)
        payload = encode(run(body))
        company.replays[key] = Replay(fingerprint, 201, payload, self.sim.clock())
        return Response(payload, 201, media_type=JSON)


def _key(request: Request) -> str | None:
    raw = request.headers.get("idempotency-key")
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_KEY:
        raise invalid_field("Idempotency-Key", f"must be at most {MAX_KEY} characters")
    return raw
