"""F12: what the admin API cannot hold is refused as the client's mistake, never a 500.

Over the real Starlette app and the SQLite state store (whose integers are 64-bit): JSON nested
10,000 levels deep is 400, an id or a moment the store cannot keep is 422 naming it, and a body
over the limit is 413, refused unread when its length is declared and as soon as it passes the
limit when it is streamed in chunks. Nothing is written on any of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.admin import create_admin_app
from released_intacct.app.admin.routes import endpoints
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.app.settings import ADMIN_MAX_BODY_BYTES
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased

TOKEN = "admin-limits-token-5c0e9a17f3b2d846"
ID = ConnectionId("conn-limits")
T0 = datetime(2026, 5, 1, tzinfo=UTC)
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
WITH_BODY = [ep for ep in endpoints() if ep.body is not None]
DEEP = 10_000
INT64_MAX = 2**63 - 1
CONNECTION = Connection(id=ID, released_company=ReleasedCompanyId("RL"),
                        intacct_company=IntacctCompanyId("C"), created_at=T0)  # fmt: skip


class _Clock:
    def now(self) -> datetime:
        return T0


Client = httpx.AsyncClient
Scenario = Callable[[Client, SqliteStateStore], Awaitable[None]]


def _on_app(folder: Path, scenario: Scenario, *, max_body: int = ADMIN_MAX_BODY_BYTES) -> None:
    """``scenario`` against the admin app over a SQLite store holding one connection; the store's
    connections and notifications must be as they were afterwards."""

    async def go() -> None:
        store = await SqliteStateStore.open(folder / "state.sqlite3", key=generate_key())
        try:
            await value(store.add_connection(CONNECTION, DEMO))
            intacct, released = FakeIntacct(), FakeReleased()
            ports = Ports(store=store, intacct_for=lambda c, e: intacct,
                          released_for=lambda c: released, clock=_Clock())  # fmt: skip
            app = create_admin_app(Service(ports), token=Secret(TOKEN), max_body=max_body)
            before = (await value(store.connections()), await value(store.notifications(ID)))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
                await scenario(client, store)
            after = (await value(store.connections()), await value(store.notifications(ID)))
            assert after == before
        finally:
            await store.close()

    asyncio.run(go())


def _path(template: str) -> str:
    return template.format(id=ID, step="contacts", recordType="invoice", releasedId="r", n="1")


def _error(reply: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    error: dict[str, Any] = reply.json()["error"]
    assert error["kind"] == kind
    return error


# --- nesting --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"[" * DEEP + b"]" * DEEP,
        b"[" * DEEP,
        b'{"a": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"a": ' + b'{"b": ' * DEEP + b"1" + b"}" * DEEP + b"}",
    ],
    ids=["arrays", "unclosed", "in-a-field", "objects"],
)
def test_F12_json_nested_10000_deep_is_400_on_every_route_with_a_body(
    tmp_path: Path, content: bytes
) -> None:
    async def scenario(client: Client, _: SqliteStateStore) -> None:
        for ep in WITH_BODY:
            reply = await client.request(ep.method, _path(ep.path), content=content,
                                         headers=HEADERS)  # fmt: skip
            error = _error(reply, 400, "malformed")
            assert "nested too deeply" in error["message"], (ep.path, error)

    _on_app(tmp_path, scenario)


# --- numbers and moments the store cannot keep ----------------------------------------------------


@pytest.mark.parametrize("n", [10**30, 2**63, -(2**63) - 1, 0, -1])
def test_F12_a_notification_id_beyond_64_bits_is_422_naming_it(tmp_path: Path, n: int) -> None:
    async def scenario(client: Client, _: SqliteStateStore) -> None:
        reply = await client.post(f"/connections/{ID}/notifications/{n}/read", headers=HEADERS)
        error = _error(reply, 422, "invalid")
        assert "path parameter 'n'" in error["message"]

    _on_app(tmp_path, scenario)


def test_F12_the_largest_64_bit_id_reaches_the_store_and_is_not_found(tmp_path: Path) -> None:
    async def scenario(client: Client, _: SqliteStateStore) -> None:
        reply = await client.post(
            f"/connections/{ID}/notifications/{INT64_MAX}/read", headers=HEADERS
        )
        assert reply.status_code == 409
        assert str(INT64_MAX) in reply.json()["error"]["message"]

    _on_app(tmp_path, scenario)


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_F12_a_moment_the_store_cannot_keep_is_422_naming_it(tmp_path: Path, since: str) -> None:
    async def scenario(client: Client, _: SqliteStateStore) -> None:
        reply = await client.get(f"/connections/{ID}/results", params={"since": since},
                                 headers=HEADERS)  # fmt: skip
        error = _error(reply, 422, "invalid")
        assert "since" in error["message"]

    _on_app(tmp_path, scenario)


def _leaves(kind: Any) -> list[msgspec.inspect.Type]:
    """Every leaf type reachable from ``kind`` (through Structs, unions, tuples, collections)."""
    found: list[msgspec.inspect.Type] = []

    def walk(node: msgspec.inspect.Type) -> None:
        if isinstance(node, msgspec.inspect.StructType):
            for field in node.fields:
                walk(field.type)
        elif isinstance(node, msgspec.inspect.UnionType):
            for inner in node.types:
                walk(inner)
        elif isinstance(node, msgspec.inspect.CollectionType):
            walk(node.item_type)
        elif isinstance(node, msgspec.inspect.TupleType):
            for inner in node.item_types:
                walk(inner)
        elif isinstance(node, msgspec.inspect.DictType):
            walk(node.key_type)
            walk(node.value_type)
        else:
            found.append(node)

    walk(msgspec.inspect.type_info(kind))
    return found


TAKEN = {t for ep in endpoints() for t in (ep.params, ep.query, ep.body) if t is not None}


def test_F12_every_whole_number_the_api_takes_is_bounded_to_64_bits() -> None:
    leaves = [leaf for kind in TAKEN for leaf in _leaves(kind)]
    integers = [leaf for leaf in leaves if isinstance(leaf, msgspec.inspect.IntType)]
    assert len(integers) >= 3, "the path id and the query's limit and offset at least"
    for found in integers:
        assert found.ge is not None
        assert found.le is not None
        assert -(2**63) <= found.ge <= found.le <= INT64_MAX
    # Nothing untyped (Any) or floating: the only depth is the Structs' own, and no number is
    # taken that the store could not keep exactly.
    loose = (msgspec.inspect.AnyType, msgspec.inspect.FloatType, msgspec.inspect.CustomType)
    assert not [leaf for leaf in leaves if isinstance(leaf, loose) and "Secret" not in repr(leaf)]


# --- size -----------------------------------------------------------------------------------------

LIMIT = 4096


def _padded(ep_body: bytes, size: int) -> bytes:
    return ep_body + b" " * (size - len(ep_body))


def test_F12_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_413(tmp_path: Path) -> None:
    body = b'{"entityId": "E100"}'

    async def scenario(client: Client, _: SqliteStateStore) -> None:
        path = f"/connections/{ID}/entity"
        at_limit = await client.put(path, content=_padded(body, LIMIT), headers=HEADERS)
        assert at_limit.status_code != 413
        assert at_limit.json()["error"]["kind"] != "malformed"
        over = await client.put(path, content=_padded(body, LIMIT + 1), headers=HEADERS)
        error = _error(over, 413, "too_large")
        assert f"{LIMIT} bytes" in error["message"]
        assert "admin_max_body_bytes" in error["fix"]

    _on_app(tmp_path, scenario, max_body=LIMIT)


class _Source:
    """A request body sent in 64 KiB chunks, up to ``total`` bytes; counts what was taken."""

    CHUNK = 64 * 1024

    def __init__(self, total: int) -> None:
        self.total = total
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken < self.total:
            self.taken += self.CHUNK
            yield b" " * self.CHUNK


def test_F12_a_streamed_body_is_refused_as_soon_as_it_passes_the_default_1_mib(
    tmp_path: Path,
) -> None:
    assert ADMIN_MAX_BODY_BYTES == 1024 * 1024
    source = _Source(total=64 * 1024 * 1024)

    async def scenario(client: Client, _: SqliteStateStore) -> None:
        reply = await client.post("/connections", content=source, headers=HEADERS)
        assert "content-length" not in {k.lower() for k in reply.request.headers}
        _error(reply, 413, "too_large")

    _on_app(tmp_path, scenario)
    assert source.taken <= ADMIN_MAX_BODY_BYTES + _Source.CHUNK


def test_F12_a_streamed_body_under_the_limit_is_read_whole(tmp_path: Path) -> None:
    async def pieces() -> AsyncIterator[bytes]:
        for piece in (b'{"entity', b'Id": "E1', b'00"}', b" " * (LIMIT - 20)):
            yield piece

    async def scenario(client: Client, _: SqliteStateStore) -> None:
        reply = await client.put(f"/connections/{ID}/entity", content=pieces(), headers=HEADERS)
        assert reply.status_code not in (400, 413, 422), reply.text  # read and decoded whole

    _on_app(tmp_path, scenario, max_body=LIMIT)


def test_F12_a_body_declared_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    source = _Source(total=2 * LIMIT)

    async def scenario(client: Client, _: SqliteStateStore) -> None:
        headers = HEADERS | {"Content-Length": str(source.total)}
        reply = await client.post("/connections", content=source, headers=headers)
        _error(reply, 413, "too_large")

    _on_app(tmp_path, scenario, max_body=LIMIT)
    assert source.taken == 0
