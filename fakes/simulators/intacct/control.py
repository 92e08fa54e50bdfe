"""The control API (JSON, mounted under ``/_sim``): reset and seed, companies, faults, stats.

    POST   /reset                              {"seed": "demo" | "none" | null}  (body optional)
    POST   /companies                          a ``config.load_company`` config -> 201
    GET    /companies/{id}/records/{object}    ?limit=&offset=
    POST   /companies/{id}/records/{object}    {"records": [{...}]} -> 201 {"recordnos": [...]}
    POST   /limits                             {"company_id"?, "concurrency"?, "latency_ms"?}
    POST   /faults                             a fault rule -> 201;   GET /faults;  DELETE /faults
    DELETE /faults/{rule_id}
    POST   /sessions/expire                    {"company_id"?}  (body optional: all companies)
    POST   /tokens/expire                      {"company_id"?}  REST access tokens end
    POST   /tokens/revoke                      {"company_id"?}  access and refresh tokens end
    POST   /clock/advance                      {"seconds": N}  -> {"now": ISO 8601, "shifted_s"}
    GET    /stats

Bodies are validated by hand: a bad one gets 400 (not JSON) or 422 with ``{"error", "field"}``;
an unknown company or object in the path gets 404; a company id already taken gets 409.
Decisions where the spec is silent: ``reset`` also clears fault rules, per-company limits and
counters (the global defaults from the CLI stay); ``/limits`` without ``company_id`` sets the
defaults; records are listed in RECORDNO order across all entities. ``/clock/advance`` moves the
simulator's clock forward for good (WHENMODIFIED, ACCESSTIME, session and result-set lifetimes;
``reset`` keeps it), never back (``seconds`` >= 0), as if that time passed. Records posted are
stored as the company's own data, as if entered in Intacct's UI or imported by CSV (how Intacct
takes what its XML API does not create, such as customer refunds): with a RECORDNO and
timestamps, nothing else checked.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from released_intacct.fakes.simulators.intacct import catalog
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import (
    ConfigError,
    insert_records,
    load_company,
)
from released_intacct.fakes.simulators.intacct.faults import KINDS, FaultRule
from released_intacct.fakes.simulators.intacct.faults import known_functions as _functions
from released_intacct.fakes.simulators.intacct.faults import known_object as _object
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

SEEDS = ("demo", "demo-blue", "demo-blue-rest", "none")
Loader = Callable[[Simulator], object]
_RULE_FIELDS = (
    "kind",
    "function",
    "object",
    "company",
    "probability",
    "times",
    "retry_after",
    "delay_ms",
)


class ControlError(ValueError):
    """A request the control API refuses; the message names the field."""

    def __init__(self, field: str, message: str, *, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.status = status


def seed_loader(name: object) -> Loader | None:
    """What loads the named seed (None: an empty simulator); ``ControlError`` for another name."""
    if name is None or name == "none":
        return None
    if name not in SEEDS:
        raise ControlError("seed", f"unknown seed {name!r} (known: {', '.join(SEEDS)})")
    errors = name == "demo"  # demo-blue: without the records that are sync errors (D13, D14)
    orders = name != "demo-blue-rest"  # without Order Entry / Purchasing (load_demo)
    return lambda sim: load_demo(sim, now=sim.clock(), sync_errors=errors, order_modules=orders)


def rule_from_json(sim: Simulator, data: object) -> FaultRule:
    body = _object_body(data, _RULE_FIELDS)
    raw_kind = body.get("kind")
    kind = next((k for k in KINDS if k == raw_kind), None)
    if kind is None:
        raise ControlError("kind", f"must be one of {', '.join(KINDS)}, got {raw_kind!r}")
    function = _opt_str(body, "function")
    if function is not None and function not in _functions():
        raise ControlError("function", f"unknown function {function!r}")
    obj = _opt_str(body, "object")
    if obj is not None and _object(obj) is None:
        raise ControlError("object", f"unknown object {obj!r}")
    probability = body.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float):
        raise ControlError("probability", "must be a number above 0 and at most 1")
    if not 0 < probability <= 1:
        raise ControlError("probability", f"must be above 0 and at most 1, got {probability}")
    return FaultRule(
        rule_id=sim.faults.next_id(),
        kind=kind,
        function=function,
        object=None if obj is None else _object(obj),
        company=_opt_str(body, "company"),
        probability=float(probability),
        remaining=_opt_int(body, "times", least=1),
        retry_after=_only_for(
            body, "retry_after", kinds=("throttle", "service_unavailable"), default=1, least=0
        ),
        delay_ms=_only_for(body, "delay_ms", kinds=("delay",), default=0, least=1),
    )


def _only_for(
    body: Mapping[str, object], name: str, *, kinds: tuple[str, ...], default: int, least: int
) -> int:
    value = _opt_int(body, name, least=least)
    named = " or ".join(f"'{kind}'" for kind in kinds)
    if value is not None and body["kind"] not in kinds:
        raise ControlError(name, f"applies only to kind {named}")
    if value is None and body["kind"] in kinds and default < least:
        raise ControlError(name, f"is required for kind {named} (a whole number >= {least})")
    return default if value is None else value


def _object_body(data: object, known: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(data, dict):
        raise ControlError("body", "must be a JSON object")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ControlError(unknown[0], f"unknown field (known: {', '.join(known)})")
    return data


def _opt_str(body: Mapping[str, object], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise ControlError(name, "must be a non-empty string or null")
    return value


def _opt_int(body: Mapping[str, object], name: str, *, least: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ControlError(name, f"must be a whole number >= {least}, got {value!r}")
    return value


def _company_field(sim: Simulator, body: Mapping[str, object]) -> str | None:
    company_id = _opt_str(body, "company_id")
    if company_id is not None and company_id not in sim.companies:
        raise ControlError("company_id", f"no company {company_id!r}")
    return company_id


def _plain(value: object) -> object:
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _json(data: object, status: int = 200) -> Response:
    body = json.dumps(data, default=_plain).encode()
    return Response(body, status_code=status, media_type="application/json")


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ControlError("body", f"is not JSON: {error}", status=400) from error


def _company_json(sim: Simulator, company: Company) -> dict[str, object]:
    usage = sim.usage.get(company.company_id)
    return {
        "requests": 0 if usage is None else usage.requests,
        "functions": 0 if usage is None else usage.functions,
        "transactions": 0 if usage is None else usage.transactions,
        "faults_fired": sim.faults.by_company[company.company_id],
        "concurrency_refused": sim.refused.get(company.company_id, 0),
        "in_flight": sim.in_flight.get(company.company_id, 0),
    }


Endpoint = Callable[[Request], Awaitable[Response]]


def _guarded(handler: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except ControlError as error:
            return _json({"error": str(error), "field": error.field}, error.status)

    return endpoint


class _Control:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def reset(self, request: Request) -> Response:
        body = _object_body(await _body(request), ("seed",))
        loader = seed_loader(body.get("seed"))
        self.sim.reset()
        if loader is not None:
            loader(self.sim)
        return _json({"reset": True, "companies": sorted(self.sim.companies)})

    async def add_company(self, request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict):
            raise ControlError("body", "must be a JSON object (a company config)")
        if body.get("company_id") in self.sim.companies:
            raise ControlError("company_id", f"company {body['company_id']!r} exists", status=409)
        try:
            company = load_company(self.sim, body, now=self.sim.clock())
        except ConfigError as error:
            return _json({"error": str(error)}, 422)
        return _json({"company_id": company.company_id}, 201)

    def _company_object(self, request: Request) -> tuple[Company, catalog.ObjectDef]:
        company = self.sim.companies.get(request.path_params["company_id"])
        obj = catalog.lookup(request.path_params["object"])
        if company is None or obj is None:
            what = "company_id" if company is None else "object"
            raise ControlError(what, f"no such {what}: {request.path_params[what]!r}", status=404)
        return company, obj

    async def enter(self, request: Request) -> Response:
        company, obj = self._company_object(request)
        body = _object_body(await _body(request), ("records",))
        try:
            made = insert_records(company, obj.name, body.get("records"), now=self.sim.clock())
        except ConfigError as error:
            raise ControlError("records", str(error)) from error
        return _json({"object": obj.name, "recordnos": made}, 201)

    async def records(self, request: Request) -> Response:
        company, obj = self._company_object(request)
        limit = _query_int(request, "limit", least=1)
        offset = _query_int(request, "offset", least=0) or 0
        rows = [row for _, row in sorted(company.table(obj.name).items())]
        page = rows[offset:] if limit is None else rows[offset : offset + limit]
        data = {"company_id": company.company_id, "object": obj.name, "total": len(rows)}
        return _json({**data, "offset": offset, "limit": limit, "records": page})

    async def limits(self, request: Request) -> Response:
        body = _object_body(await _body(request), ("company_id", "concurrency", "latency_ms"))
        company_id = _company_field(self.sim, body)
        concurrency = _opt_int(body, "concurrency", least=1)
        latency = _opt_int(body, "latency_ms", least=0)
        _set_limits(self.sim, company_id, concurrency, latency)
        if company_id is None:
            found = {"concurrency": self.sim.concurrency, "latency_ms": self.sim.latency_ms}
        else:
            found = {
                "concurrency": self.sim.concurrency_for(company_id),
                "latency_ms": self.sim.latency_for(company_id),
            }
        return _json({"company_id": company_id, **found})

    async def add_fault(self, request: Request) -> Response:
        rule = self.sim.faults.add(rule_from_json(self.sim, await _body(request)))
        return _json(asdict(rule), 201)

    async def list_faults(self, _: Request) -> Response:
        return _json({"faults": [asdict(rule) for rule in self.sim.faults.rules]})

    async def clear_faults(self, _: Request) -> Response:
        return _json({"cleared": self.sim.faults.clear()})

    async def delete_fault(self, request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        rules = self.sim.faults.rules
        kept = [rule for rule in rules if rule.rule_id != rule_id]
        if len(kept) == len(rules):
            raise ControlError("rule_id", f"no fault rule {rule_id!r}", status=404)
        rules[:] = kept
        return _json({"cleared": 1})

    async def expire(self, request: Request) -> Response:
        body = _object_body(await _body(request), ("company_id",))
        return _json({"expired": self.sim.expire_sessions(_company_field(self.sim, body))})

    async def tokens(self, request: Request) -> Response:
        body = _object_body(await _body(request), ("company_id",))
        revoke = request.url.path.endswith("/revoke")
        ended = self.sim.rest.expire(_company_field(self.sim, body), revoke=revoke)
        return _json({"ended": ended})

    async def advance(self, request: Request) -> Response:
        body = _object_body(await _body(request), ("seconds",))
        seconds = _opt_int(body, "seconds", least=0)
        if seconds is None:
            raise ControlError("seconds", "is required: a whole number >= 0")
        now = self.sim.advance(timedelta(seconds=seconds))
        shifted = self.sim.shifted.total_seconds()
        return _json({"now": now.isoformat(), "shifted_s": shifted})

    async def stats(self, _: Request) -> Response:
        sim = self.sim
        companies = {cid: _company_json(sim, c) for cid, c in sorted(sim.companies.items())}
        return _json({"companies": companies, "faults_fired": sim.faults.total})


def routes(sim: Simulator) -> list[Route]:
    """The control API's routes, to mount under ``/_sim``."""
    api = _Control(sim)
    return [
        Route("/reset", _guarded(api.reset), methods=["POST"]),
        Route("/companies", _guarded(api.add_company), methods=["POST"]),
        Route("/companies/{company_id}/records/{object}", _guarded(api.records), methods=["GET"]),
        Route("/companies/{company_id}/records/{object}", _guarded(api.enter), methods=["POST"]),
        Route("/limits", _guarded(api.limits), methods=["POST"]),
        Route("/faults", _guarded(api.add_fault), methods=["POST"]),
        Route("/faults", _guarded(api.list_faults), methods=["GET"]),
        Route("/faults", _guarded(api.clear_faults), methods=["DELETE"]),
        Route("/faults/{rule_id}", _guarded(api.delete_fault), methods=["DELETE"]),
        Route("/sessions/expire", _guarded(api.expire), methods=["POST"]),
        Route("/tokens/expire", _guarded(api.tokens), methods=["POST"]),
        Route("/tokens/revoke", _guarded(api.tokens), methods=["POST"]),
        Route("/clock/advance", _guarded(api.advance), methods=["POST"]),
        Route("/stats", _guarded(api.stats), methods=["GET"]),
    ]


def _query_int(request: Request, name: str, *, least: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < least:
        raise ControlError(name, f"must be a whole number >= {least}, got {raw!r}")
    return int(raw)


def _set_limits(
    sim: Simulator, company_id: str | None, concurrency: int | None, latency: int | None
) -> None:
    if company_id is None:
        sim.concurrency = sim.concurrency if concurrency is None else concurrency
        sim.latency_ms = sim.latency_ms if latency is None else latency
        return
    if concurrency is not None:
        sim.company_concurrency[company_id] = concurrency
    if latency is not None:
        sim.company_latency_ms[company_id] = latency
