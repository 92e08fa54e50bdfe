"""The Re-Leased ``demo`` seed, and what the product's own auto-match (rules O2-O4) makes of it
against the Intacct simulator's demo seed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from released_intacct.domain import matching
from released_intacct.domain.enums import ContactRole, DimensionKind, ReleasedStatus
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import (
    ContactBlock,
    DimensionValue,
    GlAccount,
    Party,
    TaxDetail,
)
from released_intacct.domain.released import (
    Account,
    Contact,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.fakes.simulators.intacct import seeddata
from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.client import SyncClient
from released_intacct.fakes.simulators.released.company import Company
from released_intacct.fakes.simulators.released.seed import API_KEY, COMPANY_ID, load_demo
from released_intacct.fakes.simulators.released.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
Json = dict[str, Any]
DIMENSIONS = ("LOCATION", "DEPARTMENT", "CLASS", "PROJECT", "EMPLOYEE")
INTACCT: dict[str, list[Json]] = seeddata.demo_config()["records"]  # type: ignore[assignment]


@pytest.fixture(scope="module")
def company() -> Company:
    return load_demo(Simulator(clock=lambda: NOW), now=NOW)


def rows(company: Company, resource: str) -> list[Json]:
    return company.ordered(resource)


def status(row: Json) -> ReleasedStatus:
    return ReleasedStatus(row["status"])


def matched(
    candidates: tuple[matching.Candidate, ...], targets: tuple[matching.Target, ...]
) -> dict[str, str]:
    return {m.released_id: m.intacct_key for m in matching.auto_match(candidates, targets)}


def test_the_demo_company_and_its_key(company: Company) -> None:
    assert (
        (company.company_id, company.api_key)
        == (COMPANY_ID, API_KEY)
        == ("RL-DEMO", "demo-api-key")
    )
    assert company.clock() == NOW


def test_tax_types_auto_match_conflict_and_miss(company: Company) -> None:
    taxes = [TaxType(id=ReleasedId(r["id"]), name=r["name"], rate=r["rate"], status=status(r))
             for r in rows(company, "tax-types")]  # fmt: skip
    details = [TaxDetail(detail_id=IntacctId(d["DETAILID"]), rate=Decimal(d["VALUE"]))
               for d in INTACCT["TAXDETAIL"]]  # fmt: skip
    found = matched(matching.tax_type_candidates(taxes), matching.tax_detail_targets(details))
    assert found == {
        "tax-exempt": "Exempt",
        "tax-reduced": "Reduced 5%",
        "tax-standard": "Standard 10%",
    }
    unmatched = {t.id for t in taxes} - set(found)
    assert unmatched == {"tax-exempt-dup", "tax-gst-imports"}


def test_accounts_auto_match_by_code_then_name_with_one_to_one_conflicts(company: Company) -> None:
    accounts = [Account(id=ReleasedId(r["id"]), code=r["code"], name=r["name"])
                for r in rows(company, "accounts")]  # fmt: skip
    gl = [GlAccount(account_no=IntacctId(number), title=title)
          for number, title, _, _ in seeddata.ACCOUNTS]  # fmt: skip
    found = matched(matching.account_candidates(accounts), matching.gl_account_targets(gl))
    assert found == {
        "acc-4000": "4000", "acc-4100": "4100", "acc-4200": "4200", "acc-5000": "5000",
        "acc-util": "5100", "acc-5200": "5200",
    }  # fmt: skip
    assert {a.id for a in accounts} - set(found) == {"acc-4210", "acc-5200-old", "acc-6100"}


def _categories(company: Company) -> list[TrackingCategory]:
    return [
        TrackingCategory(
            id=ReleasedId(r["id"]),
            name=r["name"],
            kind=None if r["kind"] is None else DimensionKind(r["kind"]),
            options=tuple(
                TrackingOption(id=ReleasedId(o["id"]), name=o["name"]) for o in r["options"]
            ),
        )
        for r in rows(company, "tracking-categories")
    ]


def _dimension_values() -> list[DimensionValue]:
    values = []
    for kind in DIMENSIONS:
        for record in INTACCT[kind]:
            value_id = record[f"{kind}ID"]
            name = record.get("NAME") or record["TITLE"]
            values.append(DimensionValue(kind=DimensionKind(kind), value_id=value_id, name=name))
    return values


def test_tracking_options_match_within_their_category(company: Company) -> None:
    found = matched(
        matching.tracking_candidates(_categories(company)),
        matching.dimension_targets(_dimension_values()),
    )
    assert sorted(found) == sorted([
        "opt-loc-east", "opt-loc-west", "opt-loc-harbour", "opt-loc-riverside",
        "opt-dept-leasing", "opt-dept-admin", "opt-dept-maint", "opt-class-res", "opt-class-com",
        "opt-proj-lobby",
    ])  # fmt: skip
    every = {o.id for c in _categories(company) for o in c.options}
    assert every - set(found) == {
        "opt-loc-dockside", "opt-dept-maint-dup", "opt-proj-carpark", "opt-port-north",
        "opt-port-south",
    }  # fmt: skip


def _parties() -> list[Party]:
    found = []
    for table, id_field, role in (("CUSTOMER", "CUSTOMERID", ContactRole.CUSTOMER),
                                  ("VENDOR", "VENDORID", ContactRole.VENDOR)):  # fmt: skip
        for record in INTACCT[table]:
            email = record["DISPLAYCONTACT"]["EMAIL1"]
            found.append(Party(role=role, party_id=record[id_field], name=record["NAME"],
                               primary=ContactBlock(email=email)))  # fmt: skip
    return found


def test_contacts_match_by_name_then_email_and_leave_work_for_the_user(company: Company) -> None:
    contacts = [Contact(id=ReleasedId(r["id"]), name=r["name"], email=r["email"], status=status(r))
                for r in rows(company, "contacts")]  # fmt: skip
    found = matched(matching.contact_candidates(contacts), matching.party_targets(_parties()))
    parties: dict[str, str | None] = {party.link_key: party.party_id for party in _parties()}
    assert {released: parties[key] for released, key in found.items()} == {
        "con-harbour": "CUS-1001", "con-northwind": "CUS-1002", "con-bluebell": "CUS-1003",
        "con-quayside": "CUS-1004", "con-citypower": "VEN-2001", "con-apex": "VEN-2002",
    }  # fmt: skip
    assert {c.id for c in contacts} - set(found) == {
        "con-quayside-dup", "con-greenleaf", "con-sparkle", "con-former",
    }  # fmt: skip
    former = next(c for c in contacts if c.id == "con-former")
    assert former.status is ReleasedStatus.ARCHIVED


def test_documents_cover_every_status_a_credit_note_and_payments(company: Company) -> None:
    statuses = {r["id"]: r["status"] for r in rows(company, "invoices")}
    assert statuses == {
        "inv-0001": "Draft", "inv-0002": "AwaitingApproval", "inv-0003": "Approved",
        "inv-0004": "Paid", "inv-0005": "Approved", "inv-0006": "Voided", "inv-0007": "Approved",
        "bill-0001": "Paid",
    }  # fmt: skip
    invoices = company.tables["invoices"]
    assert (invoices["inv-0005"]["amountPaid"], invoices["inv-0005"]["amountDue"]) == (
        Decimal("500.00"), Decimal("971.00"),
    )  # fmt: skip
    assert invoices["inv-0007"]["amountPaid"] == Decimal("150.00")
    assert invoices["bill-0001"]["type"] == "Expense"
    (note,) = rows(company, "credit-notes")
    assert (note["status"], note["remainingCredit"]) == ("Approved", Decimal("50.00"))
    payments = {r["id"]: r["status"] for r in rows(company, "payments")}
    assert payments == {"pay-0003": "Deleted", "pay-0004": "Active", "pay-0005": "Active",
                        "pay-bill": "Active"}  # fmt: skip


def test_the_seed_is_deterministic_and_stamped_from_now(company: Company) -> None:
    again = load_demo(Simulator(clock=lambda: NOW), now=NOW)
    for resource in company.tables:
        assert rows(again, resource) == rows(company, resource)
    stamps = sorted(r["lastModified"] for t in company.tables for r in rows(company, t))
    assert stamps[0] == NOW
    assert len(set(stamps)) == len(stamps)


def test_the_demo_is_served_with_its_key() -> None:
    sim = Simulator(clock=lambda: NOW)
    load_demo(sim, now=NOW)
    api = SyncClient(create_app(sim), headers={"Authorization": f"Bearer {API_KEY}",
                                               "X-Company-Id": COMPANY_ID})  # fmt: skip
    listed = api.get("/api/invoices", includeArchived="true").json()
    assert listed["totalCount"] == 8
    assert api.get("/api/contacts").json()["totalCount"] == 9
