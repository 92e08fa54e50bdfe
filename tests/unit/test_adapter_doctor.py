"""``doctor`` through the adapter against the simulator: each finding checks a ledger row by
reading (correction 1 lines, 4 audit trail, 2 payment kinds, 5 preferences, 11 time), and says so
when the company differs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.diagnosis import Diagnosis, Finding, Verdict
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.gateway_stub import Answer, Call, Stub, data, failure, result, rows
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
E100 = EntityId("E100")
GOOD = IntacctCredentials(
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)


@pytest.fixture(scope="module")
def demo_tables() -> Company:
    return load_demo(Simulator(clock=lambda: NOW), now=NOW)


def _demo(demo_tables: Company) -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: NOW)
    company = demo_tables.snapshot()
    sim.add_sender("demo-sender", "demo-sender-pass")
    sim.add_company(company)
    return sim, company


def _diagnose(sim: Simulator, **settings: object) -> Diagnosis:
    async def main() -> Diagnosis:
        transport = httpx.ASGITransport(app=create_app(sim))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            given = ClientSettings(endpoint="http://sim/ia/xml/xmlgw.phtml", **settings)  # type: ignore[arg-type]
            adapter = IntacctAdapter(client, GOOD, entity=None, settings=given)
            return await value(adapter.diagnose(E100))

    return asyncio.run(main())


def _diagnose_stubbed(answer: Answer) -> Diagnosis:
    """``doctor`` against a scripted gateway (``fakes.gateway_stub``) that answers ``answer``."""

    async def main() -> Diagnosis:
        async with httpx.AsyncClient(transport=Stub(answer).transport()) as client:
            given = ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=1)
            adapter = IntacctAdapter(client, GOOD, entity=None, settings=given)
            return await value(adapter.diagnose(EntityId("")))

    return asyncio.run(main())


def _finding(diagnosis: Diagnosis, check: str) -> Finding:
    (found,) = [f for f in diagnosis.findings if f.check == check]
    return found


def test_doctor_finds_the_demo_company_as_the_product_relies_on(demo_tables: Company) -> None:
    sim, _ = _demo(demo_tables)
    diagnosis = _diagnose(sim)
    verdicts = {f.check: f.verdict for f in diagnosis.findings}
    assert verdicts == {
        "time.zone": Verdict.OK,
        "time.newest_change": Verdict.OK,
        "lines.list_functions": Verdict.OK,
        "lines.line_object": Verdict.OK,
        "lines.read": Verdict.OK,
        "audit.permission": Verdict.OK,
        "audit.modes": Verdict.OK,
        "audit.object_keys": Verdict.OK,
        "payments.kinds": Verdict.OK,
        "keys.fields": Verdict.OK,
    }
    assert not diagnosis.failed
    assert diagnosis.session_timestamp == "2026-06-01T05:00:00-07:00"
    assert "UTC-07:00" in _finding(diagnosis, "time.zone").seen
    assert {"AR", "AP", "SO", "PO", "ME"} <= set(diagnosis.subscriptions)
    assert ("GEN", "PRIMARY_ACCTNO_LENGTH", "4") in diagnosis.preferences
    modes = _finding(diagnosis, "audit.modes").seen
    assert modes == "query, ACCESSMODE 'D': 2 recent; readByQuery, 'Delete': 2 recent"
    assert "arinvoice" in _finding(diagnosis, "audit.object_keys").seen
    lines = _finding(diagnosis, "lines.line_object").seen
    assert lines == _finding(diagnosis, "lines.read").seen.replace("nested ", "")


def test_correction_5_doctor_reports_preference_names_no_source_documents(
    demo_tables: Company,
) -> None:
    sim, company = _demo(demo_tables)
    company.settings.preferences = "inferred"
    seen = _diagnose(sim).preferences
    assert ("AR", "ENABLEACCOUNTLABEL", "F") in seen
    assert ("AP", "VENDOR_SEQUENCE", "Vendor") in seen


def test_correction_4_doctor_names_the_missing_audit_permission(demo_tables: Company) -> None:
    sim, company = _demo(demo_tables)
    company.settings.audit_trail_permission = False
    diagnosis = _diagnose(sim)
    found = _finding(diagnosis, "audit.permission")
    assert found.verdict is Verdict.FAILED
    assert "View permission for Custom reports" in found.fix
    assert diagnosis.failed


def test_correction_11_doctor_catches_a_configured_zone_that_is_wrong(demo_tables: Company) -> None:
    sim, _ = _demo(demo_tables)
    diagnosis = _diagnose(sim, company_tz=ZoneInfo("Pacific/Honolulu"))
    zone = _finding(diagnosis, "time.zone")
    assert zone.verdict is Verdict.FAILED
    assert "UTC-10:00" in zone.seen
    assert "UTC-07:00" in zone.seen
    newest = _finding(diagnosis, "time.newest_change")
    assert newest.verdict is Verdict.FAILED
    assert "in the future" in newest.seen


def test_correction_4_doctor_fails_a_company_whose_query_finds_no_deletion_by_letter() -> None:
    """A company that answered only readByQuery's word would leave deletions unseen."""
    deleted: dict[str, str | bytes] = {
        "OBJECTTYPE": "arinvoice",
        "OBJECTKEY": "77",
        "ACCESSMODE": "Delete",
        "ACCESSTIME": "05/01/2026 09:30:00",
    }

    def answer(call: Call) -> bytes:
        name, obj = call.name, call.text("object")
        if name == "readByQuery" and obj == "AUDITHISTORY":
            body = rows("audithistory", deleted)
            return result(name, data("audithistory", body, count=1))
        if name in ("get_applications", "get_companyprefs"):
            return result(name, b"<data></data>")
        return result(name, data(obj or "x", b"", count=0))

    diagnosis = _diagnose_stubbed(answer)
    modes = _finding(diagnosis, "audit.modes")
    assert modes.verdict is Verdict.FAILED
    assert "would not be seen" in modes.fix
    assert _finding(diagnosis, "lines.list_functions").verdict is Verdict.UNKNOWN


def test_F3_doctor_fails_a_company_that_cannot_find_a_document_by_its_external_id() -> None:
    """The key of a document's create is its ``externalid``, read as EXTERNALID (an inferred
    name): a company that refuses the query would leave a create whose reply was lost unfound."""

    def answer(call: Call) -> bytes:
        name, obj = call.name, call.text("object")
        if name == "readByQuery" and "EXTERNALID" in call.text("query"):
            return failure(name, "Query Failed", f"Invalid field EXTERNALID for {obj}")
        if name in ("get_applications", "get_companyprefs"):
            return result(name, b"<data></data>")
        return result(name, data(obj or "x", b"", count=0))

    diagnosis = _diagnose_stubbed(answer)
    keys = _finding(diagnosis, "keys.fields")
    assert keys.verdict is Verdict.FAILED
    assert "ARINVOICE.EXTERNALID" in keys.seen
    assert "CUSTOMER" not in keys.seen, "the display contact's name is answered"
    assert "resolve" in keys.fix
    assert diagnosis.failed
