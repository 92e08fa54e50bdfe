"""Bad requests are refused before anything is written: a body that is not JSON is 400, a missing
or wrong field 422 naming it (nested ones by their path), a bad path or query parameter 422 naming
it; the state store is unchanged afterwards. An exception in a handler is a generic 500, logged."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import msgspec
import pytest
from returns.future import FutureResult

from released_intacct.app.admin import create_admin_app
from released_intacct.app.admin.openapi import OPENAPI_PATH, openapi_document
from released_intacct.app.admin.routes import endpoints
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

TOKEN = "admin-bodies-token-8d1e4c07a92b5f36"
ID = ConnectionId("conn-bodies")
T0 = datetime(2026, 5, 1, tzinfo=UTC)
VALID: dict[str, dict[str, Any]] = {
    "ConnectBody": {
        "releasedCompany": "RL-OTHER",
        "credentials": {
            "senderId": "s",
            "senderPassword": "p",
            "companyId": "C",
            "userId": "u",
            "userPassword": "q",
        },
    },
    "EntityBody": {"entityId": "E100"},
    "SyncFromBody": {"syncFrom": "2024-01-01"},
    "MatchBody": {"releasedId": "r", "intacctKey": "k"},
    "ArchiveBody": {"releasedId": "r"},
    "CreateBody": {"releasedId": "r", "role": "customer"},
    "GuardBody": {"recordType": "invoice", "action": "void"},
    "AcknowledgeBody": {"prerequisites": ["customer_sequencing"]},
    "AuthorizeBody": {
        "releasedCompany": "RL-OTHER",
        "clientId": "client",
        "clientSecret": "secret",
        "companyId": "C",
        "redirectUri": "http://127.0.0.1/oauth/callback",
    },
}
WITH_BODY = [(ep, ep.body.__name__) for ep in endpoints() if ep.body is not None]


class _Clock:
    def now(self) -> datetime:
        return T0


def _concrete(path: str) -> str:
    return path.format(id=ID, step="contacts", recordType="invoice", releasedId="r", n="1", run="r")


class World:
    def __init__(self, store: FakeStateStore | None = None) -> None:
        self.store = store or FakeStateStore()
        intacct, released = FakeIntacct(), FakeReleased()
        ports = Ports(store=self.store, intacct_for=lambda c, e: intacct,
                      released_for=lambda c: released, clock=_Clock())  # fmt: skip
        self.app = create_admin_app(Service(ports), token=Secret(TOKEN))

    async def snapshot(self) -> tuple[object, ...]:
        return (
            await value(self.store.connections()),
            await value(self.store.onboarding(ID)),
            await value(self.store.notifications(ID)),
        )

    async def send(self, method: str, path: str, content: bytes) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
            return await client.request(method, path, content=content, headers=headers)


def _refused(method: str, path: str, content: bytes) -> tuple[httpx.Response, bool]:
    """The answer, and whether the store is as it was."""

    async def go() -> tuple[httpx.Response, bool]:
        world = World()
        connection = Connection(id=ID, released_company=ReleasedCompanyId("RL"),
                                intacct_company=IntacctCompanyId("C"), created_at=T0)  # fmt: skip
        await value(world.store.add_connection(connection, DEMO))
        before = await world.snapshot()
        reply = await world.send(method, path, content)
        return reply, before == await world.snapshot()

    return asyncio.run(go())


def _encode(body: object) -> bytes:
    return httpx.Request("POST", "http://x", json=body).content


def _required(body: dict[str, Any], prefix: str = "") -> list[str]:
    names = []
    for name, field in body.items():
        names.append(prefix + name)
        if isinstance(field, dict):
            names.extend(_required(field, f"{prefix}{name}."))
    return names


def _without(body: dict[str, Any], dotted: str) -> dict[str, Any]:
    head, _, rest = dotted.partition(".")
    if not rest:
        return {k: v for k, v in body.items() if k != head}
    return {**body, head: _without(body[head], rest)}


@pytest.mark.parametrize("ep", [ep for ep, _ in WITH_BODY], ids=lambda ep: f"{ep.method} {ep.path}")
@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2"], ids=["broken", "empty", "cut"])
def test_a_body_that_is_not_json_is_400_and_writes_nothing(ep: Any, content: bytes) -> None:
    reply, unchanged = _refused(ep.method, _concrete(ep.path), content)
    assert reply.status_code == 400
    assert reply.json()["error"]["kind"] == "malformed"
    assert unchanged


CASES = [
    (ep, name, field) for ep, name in WITH_BODY for field in _required(VALID[name])
    if not (name == "GuardBody" and field not in ("recordType", "action"))
]  # fmt: skip


@pytest.mark.parametrize(("ep", "name", "field"), CASES, ids=lambda v: getattr(v, "path", v))
def test_a_missing_field_is_422_naming_it_and_writes_nothing(
    ep: Any, name: str, field: str
) -> None:
    body = _without(VALID[name], field)
    reply, unchanged = _refused(ep.method, _concrete(ep.path), _encode(body))
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["kind"] == "invalid"
    assert f"'{field}'" in error["message"]
    assert "Correct" in error["fix"]
    assert unchanged


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"syncFrom": "01/01/2024"}, "syncFrom"),
        ({"syncFrom": "2024-01-01", "extra": 1}, "extra"),
    ],
)
def test_C4_a_wrong_field_is_422_naming_it(body: dict[str, Any], field: str) -> None:
    reply, unchanged = _refused("PUT", f"/connections/{ID}/sync-from", _encode(body))
    assert reply.status_code == 422
    assert field in reply.json()["error"]["message"]
    assert unchanged


def test_C2_a_password_of_the_wrong_type_is_422_without_echoing_it() -> None:
    body = _without(VALID["ConnectBody"], "credentials.userPassword")
    body["credentials"]["userPassword"] = 12345
    reply, unchanged = _refused("POST", "/connections", _encode(body))
    assert reply.status_code == 422
    assert "credentials.userPassword" in reply.json()["error"]["message"]
    assert "12345" not in reply.text
    assert unchanged


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"/connections/{ID}/results?since=2024-01-01T00:00:00", "since"),
        (f"/connections/{ID}/results?type=cheese", "type"),
        (f"/connections/{ID}/results?offset=-1", "offset"),
        (f"/connections/{ID}/runs?limit=0", "limit"),
        (f"/connections/{ID}/notifications?unread=maybe", "unread"),
    ],
)
def test_E1_a_bad_query_parameter_is_422_naming_it(path: str, name: str) -> None:
    reply, _ = _refused("GET", path, b"")
    assert reply.status_code == 422
    assert f"query parameter '{name}'" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"/connections/{ID}/matching/cheese/continue", "step"),
        (f"/connections/{ID}/links/cheese/r/unlink", "recordType"),
        (f"/connections/{ID}/notifications/one/read", "n"),
    ],
)
def test_a_bad_path_parameter_is_422_naming_it(path: str, name: str) -> None:
    reply, unchanged = _refused("POST", path, b"")
    assert reply.status_code == 422
    assert f"path parameter '{name}'" in reply.json()["error"]["message"]
    assert unchanged


class _Broken(FakeStateStore):
    def connections(self) -> FutureResult[tuple[Connection, ...], SyncError]:
        raise RuntimeError("the store broke")


def test_an_exception_in_a_handler_is_a_generic_500_and_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = asyncio.run(World(_Broken()).send("GET", "/connections", b""))
    assert reply.status_code == 500
    assert reply.json()["error"]["kind"] == "internal"
    assert "broke" not in reply.text
    assert any("event=admin_request_failed" in r.getMessage() for r in caplog.records)


# --- every route: its body, path and query parameters, from the route table ----------------------


def _full(store: FakeStateStore) -> object:
    """Everything the fake store holds, field by field (``Book`` compares by identity); what its
    dicts and lists hold is frozen, so copying the containers keeps a snapshot."""
    books = {
        id: {f.name: copy.copy(getattr(book, f.name)) for f in dataclasses.fields(book)}
        for id, book in store._books.items()
    }
    return books, repr(store._runs), repr(store._notes)


def _bad_value(kind: object) -> str:
    inner = kind.type if isinstance(kind, msgspec.inspect.Metadata) else kind
    if isinstance(inner, msgspec.inspect.UnionType):
        inner = next(t for t in inner.types if not isinstance(t, msgspec.inspect.NoneType))
    if isinstance(inner, msgspec.inspect.StrType):
        return "x" * 201  # over the 200-character limit
    bad: dict[type, str] = {msgspec.inspect.IntType: "one", msgspec.inspect.BoolType: "maybe",
                            msgspec.inspect.DateTimeType: "2024-01-01T00:00:00"}  # fmt: skip
    return bad.get(type(inner), "cheese")  # enums and literals


def _fields(kind: type[msgspec.Struct]) -> list[msgspec.inspect.Field]:
    info = msgspec.inspect.type_info(kind)
    assert isinstance(info, msgspec.inspect.StructType)
    return list(info.fields)


def _route_cases() -> list[tuple[str, str, str, bytes, int]]:
    """(id, method, path, body, status) of an invalid request to each route, by what it takes."""
    cases = []
    for ep in endpoints():
        name = f"{ep.method} {ep.path}"
        good = _concrete(ep.path)
        body = _encode(VALID[ep.body.__name__]) if ep.body is not None else b""
        if ep.body is not None:
            cases.append((f"{name} body-an-array", ep.method, good, b"[]", 422))
            extra = _encode({**VALID[ep.body.__name__], "unexpected": True})
            cases.append((f"{name} body-unknown-field", ep.method, good, extra, 422))
        for spec in _fields(ep.params):
            value = quote(_bad_value(spec.type))
            path = ep.path.replace("{" + spec.encode_name + "}", value)
            cases.append((f"{name} path-{spec.encode_name}", ep.method, _concrete(path), body, 422))
            if spec.encode_name == "id":
                unknown = _concrete(ep.path.replace("{id}", "conn-nobody"))
                cases.append((f"{name} unknown-connection", ep.method, unknown, body, 404))
        for spec in _fields(ep.query):
            bad = f"{good}?{spec.encode_name}={quote(_bad_value(spec.type))}"
            cases.append((f"{name} query-{spec.encode_name}", ep.method, bad, body, 422))
    return cases


ROUTE_CASES = _route_cases()


@pytest.mark.parametrize(("method", "path", "body", "status"),
                         [case[1:] for case in ROUTE_CASES],
                         ids=[case[0] for case in ROUTE_CASES])  # fmt: skip
def test_an_invalid_request_to_any_route_is_refused_and_changes_nothing_stored(
    method: str, path: str, body: bytes, status: int
) -> None:
    async def go() -> tuple[httpx.Response, object, object]:
        world = World()
        connection = Connection(id=ID, released_company=ReleasedCompanyId("RL"),
                                intacct_company=IntacctCompanyId("C"), created_at=T0)  # fmt: skip
        await value(world.store.add_connection(connection, DEMO))
        before = _full(world.store)
        reply = await world.send(method, path, body)
        return reply, before, _full(world.store)

    reply, before, after = asyncio.run(go())
    assert reply.status_code == status, reply.text
    assert reply.json()["error"]["kind"] in ("invalid", "not_found"), reply.text
    assert before == after


def test_every_route_taking_a_body_or_parameters_has_invalid_request_cases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A new route (or a new field of one) cannot be missed: the cases come from the table."""
    covered = {case[0].rsplit(" ", 1)[0] for case in ROUTE_CASES}
    takes_input = {
        f"{ep.method} {ep.path}"
        for ep in endpoints()
        if ep.body is not None or _fields(ep.params) or _fields(ep.query)
    }
    assert takes_input <= covered, takes_input - covered
    documented = openapi_document(endpoints(), title="t", version="1")["paths"]
    assert {ep.path for ep in endpoints()} == set(documented) - {OPENAPI_PATH}
    with capsys.disabled():
        print(f"\n[admin API] {len(ROUTE_CASES)} invalid-request cases over {len(covered)} routes")


def test_the_full_snapshot_sees_a_change() -> None:
    """The snapshot the cases compare can fail: a valid request does change it."""

    async def go() -> tuple[int, object, object]:
        world = World()
        connection = Connection(id=ID, released_company=ReleasedCompanyId("RL"),
                                intacct_company=IntacctCompanyId("C"), created_at=T0)  # fmt: skip
        await value(world.store.add_connection(connection, DEMO))
        before = _full(world.store)
        reply = await world.send("DELETE", f"/connections/{ID}", b"")
        return reply.status_code, before, _full(world.store)

    status, before, after = asyncio.run(go())
    assert status == 200
    assert before != after
