"""Schemathesis fuzzes every operation of the admin API's OpenAPI document, in process over ASGI,
with the token, against a store holding one connection: no answer is a 5xx."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from released_intacct.app.admin import create_admin_app
from released_intacct.app.admin.openapi import openapi_document
from released_intacct.app.admin.routes import endpoints
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

TOKEN = "admin-fuzz-token-3f9a27c1e6d04b85"
T0 = datetime(2026, 5, 1, tzinfo=UTC)


class _Clock:
    def now(self) -> datetime:
        return T0


def _store() -> FakeStateStore:
    store = FakeStateStore()
    connection = Connection(id=ConnectionId("conn-fuzz"), released_company=ReleasedCompanyId("RL"),
                            intacct_company=IntacctCompanyId("C"), created_at=T0)  # fmt: skip
    asyncio.run(value(store.add_connection(connection, DEMO)))
    return store


def _schema() -> schemathesis.schemas.BaseSchema:
    intacct, released = FakeIntacct(), FakeReleased()
    ports = Ports(store=_store(), intacct_for=lambda c, e: intacct,
                  released_for=lambda c: released, clock=_Clock())  # fmt: skip
    schema = schemathesis.openapi.from_dict(
        openapi_document(endpoints(), title="admin", version="1")
    )
    schema.app = create_admin_app(Service(ports), token=Secret(TOKEN))
    return schema


SCHEMA = _schema()
OPERATIONS = [found.ok() for found in SCHEMA.get_all_operations()]  # type: ignore[union-attr]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_operation_answers_a_server_error(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
) -> None:
    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def fuzz(case: schemathesis.Case[Any]) -> None:
        if "id" in (case.path_parameters or {}) and len(case.path_parameters["id"]) % 2:
            case.path_parameters["id"] = "conn-fuzz"
        reply = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
        assert reply.status_code < 500, (case.method, case.formatted_path, reply.text)

    fuzz()
