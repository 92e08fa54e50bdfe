"""The Re-Leased simulator's lists: paging edges, ``modifiedSince``, filters, total order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.client import SyncClient
from released_intacct.fakes.simulators.released.company import Company
from released_intacct.fakes.simulators.released.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
AUTH = {"Authorization": "Bearer key-1", "X-Company-Id": "C1"}
SIZE = 3


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def setup(count: int) -> tuple[SyncClient, Company]:
    """``count`` contacts written at ``LATER`` plus 2 older ones written at ``NOW``."""
    clock = Clock()
    sim = Simulator(clock=clock)
    company = sim.add_company("C1", "key-1")
    sim.load(company, {"contacts": [{"name": f"Old {n}"} for n in range(2)]})
    clock.now = LATER
    sim.load(company, {"contacts": [{"name": f"New {n}"} for n in range(count)]})
    return SyncClient(create_app(sim), headers=AUTH), company


def walk(api: SyncClient, since: str) -> list[dict[str, object]]:
    pages, page = [], 1
    while True:
        reply = api.get("/api/contacts", modifiedSince=since, page=str(page), pageSize=str(SIZE))
        assert reply.status_code == 200
        pages.append(reply.json())
        if not reply.json()["hasMore"]:
            return pages
        page += 1


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, [0]), (1, [1]), (SIZE, [SIZE]), (SIZE + 1, [SIZE, 1]), (2 * SIZE, [SIZE, SIZE])],
)
def test_paging_edges_with_modified_since(count: int, sizes: list[int]) -> None:
    api, _ = setup(count)
    pages = walk(api, "2026-05-01T13:00:00Z")
    assert [len(page["items"]) for page in pages] == sizes  # type: ignore[arg-type]
    assert {page["totalCount"] for page in pages} == {count}
    names = [item["name"] for page in pages for item in page["items"]]  # type: ignore[attr-defined]
    assert names == [f"New {n}" for n in range(count)]
    assert [page["page"] for page in pages] == list(range(1, len(sizes) + 1))


def test_a_page_past_the_end_is_empty() -> None:
    api, _ = setup(SIZE)
    reply = api.get("/api/contacts", page="3", pageSize=str(SIZE)).json()
    assert (reply["items"], reply["totalCount"], reply["hasMore"]) == ([], SIZE + 2, False)


def test_modified_since_is_inclusive_and_accepts_offsets() -> None:
    api, company = setup(2)
    first_new = company.ordered("contacts")[2]["lastModified"]
    stamp = first_new.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    names = [i["name"] for i in api.get("/api/contacts", modifiedSince=stamp).json()["items"]]
    assert names == ["New 0", "New 1"]
    in_cet = api.get("/api/contacts", modifiedSince="2026-05-01T14:00:00+02:00").json()
    assert in_cet["totalCount"] == 4


def test_a_frozen_clock_still_orders_records_strictly() -> None:
    api, company = setup(4)
    stamps = [row["lastModified"] for row in company.ordered("contacts")]
    assert stamps == sorted(set(stamps))
    items = api.get("/api/contacts").json()["items"]
    assert [item["lastModified"] for item in items][2:4] == [
        "2026-05-01T13:00:00.000000Z",
        "2026-05-01T13:00:00.000001Z",
    ]


def test_an_update_moves_a_record_to_the_end_of_the_feed() -> None:
    api, company = setup(2)
    first = api.get("/api/contacts").json()["items"][0]
    api.put(f"/api/contacts/{first['id']}", {**first, "name": "Renamed"})
    assert [row["name"] for row in company.ordered("contacts")][-1] == "Renamed"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pageSize": "0"}, "pageSize"),
        ({"pageSize": "501"}, "pageSize"),
        ({"pageSize": "ten"}, "pageSize"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"modifiedSince": "yesterday"}, "modifiedSince"),
        ({"modifiedSince": "2026-05-01T12:00:00"}, "modifiedSince"),
        ({"includeArchived": "yes"}, "includeArchived"),
        ({"type": "Income"}, "type"),
    ],
)
def test_bad_query_parameters_are_400_naming_them(params: dict[str, str], field: str) -> None:
    api, _ = setup(1)
    reply = api.get("/api/contacts", **params)
    assert reply.status_code == 400
    assert [d["field"] for d in reply.json()["error"]["details"]] == [field]


def test_every_bad_parameter_is_named_at_once() -> None:
    api, _ = setup(1)
    reply = api.get("/api/contacts", page="0", pageSize="900", modifiedSince="x")
    assert [d["field"] for d in reply.json()["error"]["details"]] == [
        "page", "pageSize", "modifiedSince",
    ]  # fmt: skip


def test_page_size_bounds_1_and_500_are_accepted() -> None:
    api, _ = setup(1)
    assert api.get("/api/contacts", pageSize="1").json()["hasMore"] is True
    assert api.get("/api/contacts", pageSize="500").json()["pageSize"] == 500
    assert api.get("/api/contacts").json()["pageSize"] == 100


def test_include_archived_and_type_filter() -> None:
    api, company = setup(0)
    sim_records = {
        "accounts": [{"id": "a", "code": "4000", "name": "Rent"}],
        "invoices": [
            {"id": f"i-{kind}", "type": kind, "contactId": contact["id"], "issueDate": "2026-04-01",
             "currency": "USD", "lines": [{"accountId": "a", "unitPrice": "1.00"}],
             "status": status}
            for kind, status in (("Income", "Draft"), ("Expense", "Voided"))
            for contact in company.ordered("contacts")[:1]
        ],
    }  # fmt: skip
    sim = api.app.state.simulator  # type: ignore[attr-defined]
    sim.load(company, sim_records)
    assert [i["id"] for i in api.get("/api/invoices").json()["items"]] == ["i-Income"]
    everything = api.get("/api/invoices", includeArchived="true").json()["items"]
    assert [i["id"] for i in everything] == ["i-Income", "i-Expense"]
    expense = api.get("/api/invoices", includeArchived="true", type="Expense").json()["items"]
    assert [i["id"] for i in expense] == ["i-Expense"]
    assert api.get("/api/credit-notes", type="Income").status_code == 200
