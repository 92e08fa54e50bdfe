"""The control API (JSON, mounted under ``/_sim``): reset and seed, companies, faults, stats.

    POST   /reset                               {"seed": "demo" | "none" | null}  (body optional)
    POST   /companies                           {"companyId", "apiKey", "records"?} -> 201
    GET    /companies/{id}/records/{resource}   every record, in (lastModified, id) order
    POST   /faults                              a fault rule -> 201;  GET /faults;  DELETE /faults
    DELETE /faults/{id}
    POST   /clock/advance                       {"seconds": N} -> {"now": ISO 8601, "shiftedS"}
    GET    /stats                               requests per company and per resource

A fault rule: ``{"kind", "method"?, "resource"?, "company"?, "probability"? (0 < p <= 1),
"times"? (>= 1), "retryAfter"? (throttle only, seconds >= 0, default 1), "delayMs"? (delay only,
required, >= 1)}``. Refusals use the API's error body: 400 ``validation_failed`` naming the field,
404 ``not_found``, 409 ``company_exists``; records ``POST /companies`` cannot load are 422 naming
``records.<resource>[i].<field>`` (the company is not kept). ``reset`` also clears fault rules and
counters; the clock and the fault seed stay. ``/clock/advance`` moves the simulator's clock
forward for good (``lastModified`` of what is written next, idempotency replays' age), never back
(``seconds`` >= 0), as if that time passed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from released_intacct.fakes.simulators.released.checks import Checker
from released_intacct.fakes.simulators.released.company import RESOURCES
from released_intacct.fakes.simulators.released.errors import ApiError, invalid_field
from released_intacct.fakes.simulators.released.faults import KINDS, FaultRule
from released_intacct.fakes.simulators.released.jsonio import decode, encode
from released_intacct.fakes.simulators.released.seed import load_demo
from released_intacct.fakes.simulators.released.simulator import Simulator

SEEDS = ("demo", "none")
METHODS = ("GET", "POST", "PUT")
Loader = Callable[[Simulator], object]
Endpoint = Callable[[Request], Awaitable[Response]]


def seed_loader(name: object) -> Loader | None:
    """What loads the named seed (None: nothing); 400 for an unknown name."""
    if name is None or name == "none":
        return None
    if name != "demo":
        raise invalid_field("seed", f"unknown seed {name!r} (known: {', '.join(SEEDS)})")
    return lambda sim: load_demo(sim, now=sim.clock())


def _json(data: object, status: int = 200) -> Response:
    return Response(encode(data), status_code=status, media_type="application/json")


def _guarded(handler: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return _json(error.body(), error.status)

    return endpoint


def _one_of(check: Checker, body: Mapping[str, Any], name: str, options: tuple[str, ...]) -> Any:
    value = body.get(name)
    if value is not None and value not in options:
        check.fail(name, f"must be one of {', '.join(options)}")
    return value


def _whole(check: Checker, body: Mapping[str, Any], name: str, *, least: int) -> int | None:
    value = body.get(name)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or value < least
    ):
        check.fail(name, f"must be a whole number >= {least}")
        return None
    return value


def _probability(check: Checker, body: Mapping[str, Any]) -> float:
    raw = body.get("probability", 1)
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal) or not 0 < raw <= 1:
        check.fail("probability", "must be a number above 0 and at most 1")
        return 1.0
    return float(raw)


def _only_for(check: Checker, body: Mapping[str, Any], name: str, kind: str) -> int | None:
    value = _whole(check, body, name, least=0 if kind == "throttle" else 1)
    if value is not None and body.get("kind") != kind:
        check.fail(name, f"applies only to kind {kind!r}")
    if value is None and name == "delayMs" and body.get("kind") == kind:
        check.fail(name, "is required for kind 'delay' (a whole number >= 1)")
    return value


def rule_from_json(sim: Simulator, data: object) -> FaultRule:
    """A fault rule from its JSON; 400 ``validation_failed`` naming every bad field."""
    check = Checker()
    known = ("kind", "method", "resource", "company", "probability", "times")
    fields = check.fields(data, "", known=(*known, "retryAfter", "delayMs"))
    body = fields.data
    kind = _one_of(check, body, "kind", KINDS)
    if kind is None:
        check.fail("kind", f"is required: one of {', '.join(KINDS)}")
    rule = FaultRule(
        rule_id=sim.faults.next_id(),
        kind=kind or "throttle",
        method=_one_of(check, body, "method", METHODS),
        resource=_one_of(check, body, "resource", RESOURCES),
        company=fields.opt_text("company"),
        probability=_probability(check, body),
        remaining=_whole(check, body, "times", least=1),
        retry_after=_only_for(check, body, "retryAfter", "throttle") or 1,
        delay_ms=_only_for(check, body, "delayMs", "delay") or 0,
    )
    check.done()
    return rule


class _Control:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def reset(self, request: Request) -> Response:
        check = Checker()
        body = check.fields(decode(await request.body()), "", known=("seed",)).data
        check.done()
        loader = seed_loader(body.get("seed"))
        self.sim.reset()
        if loader is not None:
            loader(self.sim)
        return _json({"reset": True, "companies": sorted(self.sim.companies)})

    async def add_company(self, request: Request) -> Response:
        check = Checker()
        fields = check.fields(
            decode(await request.body()), "", known=("companyId", "apiKey", "records")
        )
        company_id = fields.text("companyId", required=True)
        api_key = fields.text("apiKey", required=True)
        records = fields.data.get("records") or {}
        if not isinstance(records, dict) or set(records) - set(RESOURCES):
            check.fail("records", f"must be an object keyed by {', '.join(RESOURCES)}")
        elif any(not isinstance(rows, list) for rows in records.values()):
            check.fail("records", "must hold a list of records per resource")
        check.done()
        if company_id in self.sim.companies:
            raise ApiError(409, "company_exists", f"company {company_id!r} exists")
        company = self.sim.add_company(company_id, api_key)
        try:
            stored = self.sim.load(company, records)
        except ApiError:
            del self.sim.companies[company_id]
            raise
        return _json({"companyId": company_id, "records": len(stored)}, 201)

    async def records(self, request: Request) -> Response:
        company_id, resource = request.path_params["company_id"], request.path_params["resource"]
        company = self.sim.companies.get(company_id)
        if company is None or resource not in RESOURCES:
            what = f"company {company_id!r}" if company is None else f"resource {resource!r}"
            raise ApiError(404, "not_found", f"no {what}")
        rows = company.ordered(resource)
        data = {"companyId": company_id, "resource": resource, "total": len(rows)}
        return _json({**data, "records": rows})

    async def add_fault(self, request: Request) -> Response:
        rule = self.sim.faults.add(rule_from_json(self.sim, decode(await request.body())))
        return _json(rule.as_json(), 201)

    async def list_faults(self, _: Request) -> Response:
        return _json({"faults": [rule.as_json() for rule in self.sim.faults.rules]})

    async def clear_faults(self, _: Request) -> Response:
        return _json({"cleared": self.sim.faults.clear()})

    async def delete_fault(self, request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if not self.sim.faults.remove(rule_id):
            raise ApiError(404, "not_found", f"no fault rule {rule_id!r}")
        return _json({"cleared": 1})

    async def advance(self, request: Request) -> Response:
        check = Checker()
        fields = check.fields(decode(await request.body()), "", known=("seconds",))
        seconds = fields.integer("seconds", required=True)
        if seconds is not None and seconds < 0:
            check.fail("seconds", "must be a whole number >= 0 (the clock only moves forward)")
        check.done()
        now = self.sim.advance(timedelta(seconds=seconds or 0))
        return _json({"now": now.isoformat(), "shiftedS": self.sim.shifted.total_seconds()})

    async def stats(self, _: Request) -> Response:
        return _json(self.sim.stats())


def routes(sim: Simulator) -> list[Route]:
    """The control API's routes, to mount under ``/_sim``."""
    api = _Control(sim)
    return [
        Route("/reset", _guarded(api.reset), methods=["POST"]),
        Route("/companies", _guarded(api.add_company), methods=["POST"]),
        Route("/companies/{company_id}/records/{resource}", _guarded(api.records), methods=["GET"]),
        Route("/faults", _guarded(api.add_fault), methods=["POST"]),
        Route("/faults", _guarded(api.list_faults), methods=["GET"]),
        Route("/faults", _guarded(api.clear_faults), methods=["DELETE"]),
        Route("/faults/{rule_id}", _guarded(api.delete_fault), methods=["DELETE"]),
        Route("/clock/advance", _guarded(api.advance), methods=["POST"]),
        Route("/stats", _guarded(api.stats), methods=["GET"]),
    ]
