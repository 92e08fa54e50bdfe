"""What ``doctor`` over REST and the token client show of a real company's answers, against the
REST mode of the simulator (issue 20): the checks of facts docs/intacct-rest.md marks
**inferred**, each shown passing and, with the simulator made to behave the other way, failing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from returns.result import Failure
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import ContactRole, RecordType
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import EntityId, IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import ContactBlock, Party
from released_intacct.domain.ports import FeedQuery
from released_intacct.fakes.awaiting import outcome, value
from released_intacct.fakes.sim_adapters import DEMO_OAUTH, At, client, served, settings
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SPELLINGS = (b"x-ia-api-param-entity", b"x-ia-api-paramentity")
Wrap = Callable[[ASGIApp], ASGIApp]


def _company(sim: Simulator, clock: At) -> None:
    """The demo's credentials, two entities, a customer made at each through the REST API."""
    config: dict[str, object] = {
        "company_id": "DEMO",
        "senders": {"demo-sender": "demo-sender-pass"},
        "users": {"ws_user": "ws_pass"},
        "oauth_clients": {
            "demo-client": {"secret": "demo-client-secret", "sender": "demo-sender",
                            "login": "ws_user"},
        },
        "entities": {"E100": "East", "E200": "West"},
        "records": {
            "GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}],
            "LOCATIONENTITY": [
                {"LOCATIONID": "E100", "NAME": "East", "CURRENCY": "USD"},
                {"LOCATIONID": "E200", "NAME": "West", "CURRENCY": "GBP"},
            ],
        },
    }  # fmt: skip
    load_company(sim, config, now=clock())

    async def make() -> None:
        async with client(sim) as to_sim:
            for entity in ("E100", "E200"):
                at = IntacctRestAdapter(to_sim, DEMO_OAUTH, entity=EntityId(entity),
                                        settings=settings(), clock=clock)  # fmt: skip
                (made,) = await value(at.write([_customer(entity)]))
                assert made.result.unwrap()

    asyncio.run(make())


def _customer(entity: str) -> CreateInIntacct:
    party = Party(
        role=ContactRole.CUSTOMER,
        party_id=None,
        name=f"Only at {entity}",
        primary=ContactBlock(first_name="Ana", email=f"{entity}@example.com"),
    )
    return CreateInIntacct(
        key=IdempotencyKey(f"ri-{entity}"),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId(f"rl-{entity}"),
        record=party,
        source_fingerprint="fp",
    )


def _diagnosed(
    entity: str, wrap: Wrap | None = None, *, composite: bool = True
) -> dict[str, Finding]:
    clock = At(T0)
    sim = Simulator(clock=clock)
    _company(sim, clock)
    app = create_app(sim)

    async def go() -> dict[str, Finding]:
        async with client(wrap(app) if wrap else app) as to_sim:
            rest = IntacctRestAdapter(to_sim, DEMO_OAUTH, entity=EntityId(entity) or None,
                                      settings=settings(rest_composite=composite),
                                      clock=clock)  # fmt: skip
            diagnosis = await value(rest.diagnose(EntityId(entity)))
            return {f.check: f for f in diagnosis.findings}

    return asyncio.run(go())


def _default_entity(app: ASGIApp) -> ASGIApp:
    """Intacct as if the token's default entity were E100: a request without the entity header
    is read at E100, not at the top level."""

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        headers = list(scope.get("headers", []))
        if scope["type"] == "http" and not any(k in SPELLINGS for k, _ in headers):
            scope = {**scope, "headers": [*headers, (SPELLINGS[0], b"E100")]}
        await app(scope, receive, send)

    return served


def _composite_ignores_entities(app: ASGIApp) -> ASGIApp:
    """Intacct as if it ignored a composite sub-request's own headers."""

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/services/core/composite"):
            await app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        subs = [{k: v for k, v in sub.items() if k != "headers"} for sub in json.loads(body)]
        sent = json.dumps(subs).encode()

        async def replay() -> Message:
            return {"type": "http.request", "body": sent, "more_body": False}

        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(sent)).encode())]}
        await app(scope, replay, send)

    return served


@pytest.mark.parametrize("entity", ["", "E200"])
def test_doctor_over_rest_finds_no_entity_header_reads_the_top_level(entity: str) -> None:
    found = _diagnosed(entity)["rest.entity_header"]
    assert found.verdict is Verdict.OK, found


@pytest.mark.parametrize("entity", ["", "E200"])
def test_doctor_over_rest_fails_a_token_whose_default_entity_is_not_the_top_level(
    entity: str,
) -> None:
    found = _diagnosed(entity, _default_entity)["rest.entity_header"]
    assert found.verdict is Verdict.FAILED, found
    assert "not seen without the header" in found.seen
    assert "top level" in found.fix


def test_doctor_over_rest_finds_a_composite_sub_request_read_at_its_entity() -> None:
    found = _diagnosed("E200")
    assert found["rest.composite_entity"].verdict is Verdict.OK, found["rest.composite_entity"]
    assert "rest.composite_entity" not in _diagnosed("")  # no composite names an entity there


def test_doctor_over_rest_fails_an_intacct_that_ignores_a_sub_requests_entity() -> None:
    found = _diagnosed("E200", _composite_ignores_entities)["rest.composite_entity"]
    assert found.verdict is Verdict.FAILED, found
    assert "differing" in found.seen
    assert "intacct.rest_composite = false" in found.fix
    assert 'intacct.api = "xml"' in found.fix


def test_doctor_over_rest_with_composites_off_relies_on_no_sub_requests_entity() -> None:
    """``intacct.rest_composite = false``: the set-up reads each fact on its own, so an Intacct
    ignoring a sub-request's entity header changes nothing: ok, saying composites are off."""
    found = _diagnosed("E200", _composite_ignores_entities, composite=False)
    assert found["rest.composite_entity"].verdict is Verdict.OK, found["rest.composite_entity"]
    assert "intacct.rest_composite = false" in found["rest.composite_entity"].seen
    assert found["rest.entity_header"].verdict is Verdict.OK, found["rest.entity_header"]


def test_C2_a_token_refused_with_gw_0011_keeps_the_documented_code_in_its_cause() -> None:
    """The simulator refuses a client whose sender the company has not authorized with 401
    ``ia::error`` ``GW-0011`` ([RESTDOC] error-handling); the error keeps that code, not only
    the status, so the user and support see which refusal it was."""
    clock = At(T0)
    sim = Simulator(clock=clock)
    company = load_demo(sim, now=clock())
    company.senders.clear()

    async def go() -> None:
        async with served(sim, clock) as both:
            read = await outcome(both.rest.accounts(FeedQuery()))
            assert isinstance(read, Failure)
            error = read.failure()
            assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
            assert error.cause == "HTTP 401 GW-0011"

    asyncio.run(go())
