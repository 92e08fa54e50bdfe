"""The ``demo`` seed: company ``RL-DEMO`` (API key ``demo-api-key``) facing the Intacct demo.

It is built to give onboarding real work against the Intacct simulator's demo company (``DEMO``:
GL accounts 1000-5200, tax details ``Standard 10%`` / ``Reduced 5%`` / ``Exempt``, dimensions
Location, Department, Class, Project, Employee, customers ``CUS-100x`` and vendors ``VEN-200x``).
Each item is here for one onboarding case (rules O2 auto-match, O3 resolve by hand: match, archive
or create, O4 one-to-one):

Tax types
- O2 ``Standard 10%``; ``" reduced 5% "`` (case and outer spaces); ``Exempt``.
- O4 ``EXEMPT`` (id ``tax-exempt-dup``): would match Intacct ``Exempt``, which ``tax-exempt``
  already holds.
- O3 ``GST on Imports``: no Intacct tax detail (archive it, or match by hand).

Accounts
- O2 by code: ``4000`` Rental Income; ``" 4100 "`` service charges (spaces, case);
  ``5000`` Repairs & Maintenance (the name differs, the code decides).
- O2 by name: code ``UTIL`` named ``utilities`` matches ``5100 Utilities``.
- O4 by code: ``5200`` (``acc-5200``) and ``"5200 "`` (``acc-5200-old``) both want ``5200``.
- O4 by name: ``4200`` Recoveries takes ``4200``; ``4210 RECOVERIES`` (``acc-4210``) would match it
  by name and is left to the user.
- O3 ``6100 Bank Charges``: no Intacct account.

Tracking categories and options (an option matches within its category's dimension)
- ``Location`` (kind LOCATION): O2 ``East Region``, ``" west region"``, ``Harbour Plaza``,
  ``"Riverside Tower "``; O3 ``Dockside Annex``.
- ``Department`` (kind DEPARTMENT): O2 ``Leasing``, ``Administration``, ``Maintenance``; O4
  ``"maintenance "`` (``opt-dept-maint-dup``) wants the same Intacct department.
- ``class`` (no kind, matched by its name): O2 ``Residential``, ``COMMERCIAL``.
- ``Projects`` (kind PROJECT): O2 ``lobby refurbishment``; O3 ``Car park resurfacing``.
- ``Portfolio`` (no kind, no Intacct dimension of that name): O3 ``North``, ``South``.

Contacts
- O2 by name: ``Harbour Cafe Ltd``; ``"northwind traders "``; vendors ``City Power & Light``,
  ``apex maintenance co``.
- O2 by email: ``Bluebell Dental Practice`` with ``accounts@bluebelldental.example``.
- O4: ``Quayside Books`` and ``QUAYSIDE BOOKS`` (``con-quayside-dup``) want ``CUS-1004``.
- O3 create in Intacct: ``Greenleaf Florists`` (a customer), ``Sparkle Cleaning Services`` (a
  vendor); O3 already archived: ``Former Tenant Ltd``.

Documents (income unless said): ``INV-0001`` Draft, ``INV-0002`` AwaitingApproval, ``INV-0003``
Approved (its payment deleted again), ``INV-0004`` Paid, ``INV-0005`` Approved and part paid,
``INV-0006`` Voided, ``INV-0007`` Approved with part of credit note ``CN-0001`` allocated to it,
``BILL-0001`` an Approved expense invoice from City Power & Light, paid.
"""

from __future__ import annotations

from datetime import datetime

from released_intacct.fakes.simulators.released import resources
from released_intacct.fakes.simulators.released.checks import Json
from released_intacct.fakes.simulators.released.company import Company
from released_intacct.fakes.simulators.released.simulator import Simulator

COMPANY_ID = "RL-DEMO"
API_KEY = "demo-api-key"

TAX_TYPES = (
    ("tax-standard", "Standard 10%", "10"),
    ("tax-reduced", " reduced 5% ", "5"),
    ("tax-exempt", "Exempt", "0"),
    ("tax-exempt-dup", "EXEMPT", "0"),
    ("tax-gst-imports", "GST on Imports", "15"),
)
ACCOUNTS = (
    ("acc-4000", "4000", "Rental Income", "Revenue"),
    ("acc-4100", " 4100 ", "service charges", "Revenue"),
    ("acc-4200", "4200", "Recoveries", "Revenue"),
    ("acc-4210", "4210", "RECOVERIES", "Revenue"),
    ("acc-5000", "5000", "Repairs & Maintenance", "Expense"),
    ("acc-util", "UTIL", "utilities", "Expense"),
    ("acc-5200", "5200", "Management Fees", "Expense"),
    ("acc-5200-old", "5200 ", "Mgmt fees (old)", "Expense"),
    ("acc-6100", "6100", "Bank Charges", "Expense"),
)
CATEGORIES: tuple[tuple[str, str, str | None, tuple[tuple[str, str], ...]], ...] = (
    ("trc-location", "Location", "LOCATION", (
        ("opt-loc-east", "East Region"), ("opt-loc-west", " west region"),
        ("opt-loc-harbour", "Harbour Plaza"), ("opt-loc-riverside", "Riverside Tower "),
        ("opt-loc-dockside", "Dockside Annex"),
    )),
    ("trc-department", "Department", "DEPARTMENT", (
        ("opt-dept-leasing", "Leasing"), ("opt-dept-admin", "Administration"),
        ("opt-dept-maint", "Maintenance"), ("opt-dept-maint-dup", "maintenance "),
    )),
    ("trc-class", "class", None, (
        ("opt-class-res", "Residential"), ("opt-class-com", "COMMERCIAL"),
    )),
    ("trc-projects", "Projects", "PROJECT", (
        ("opt-proj-lobby", "lobby refurbishment"), ("opt-proj-carpark", "Car park resurfacing"),
    )),
    ("trc-portfolio", "Portfolio", None, (
        ("opt-port-north", "North"), ("opt-port-south", "South"),
    )),
)  # fmt: skip
CONTACTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("con-harbour", "Harbour Cafe Ltd", "hello@harbourcafe.example", "Customer"),
    ("con-northwind", "northwind traders ", "", "Customer"),
    ("con-bluebell", "Bluebell Dental Practice", "accounts@bluebelldental.example", "Customer"),
    ("con-quayside", "Quayside Books", "", "Customer"),
    ("con-quayside-dup", "QUAYSIDE BOOKS", "", None),
    ("con-citypower", "City Power & Light", "", "Vendor"),
    ("con-apex", "apex maintenance co", "", "Vendor"),
    ("con-greenleaf", "Greenleaf Florists", "orders@greenleaf.example", "Customer"),
    ("con-sparkle", "Sparkle Cleaning Services", "", "Vendor"),
    ("con-former", "Former Tenant Ltd", "", None),
)


def _lists() -> dict[str, list[object]]:
    return {
        "tax-types": [{"id": i, "name": n, "rate": r} for i, n, r in TAX_TYPES],
        "accounts": [{"id": i, "code": c, "name": n, "type": t} for i, c, n, t in ACCOUNTS],
        "tracking-categories": [
            {"id": i, "name": n, "kind": k, "options": [{"id": o, "name": m} for o, m in opts]}
            for i, n, k, opts in CATEGORIES
        ],
        "contacts": [
            {
                "id": i,
                "name": n,
                "email": e,
                "role": r,
                "currency": "USD",
                "status": "Archived" if i == "con-former" else "Active",
            }
            for i, n, e, r in CONTACTS
        ],
    }


def _line(account: str, price: str, **options: object) -> Json:
    line: Json = {"description": options.get("description", "Rent"), "accountId": account}
    line.update(unitPrice=price, quantity=options.get("quantity", "1"))
    line.update(taxTypeId="tax-standard", taxAmount=options.get("tax", "0.00"))
    line["tracking"] = [{"categoryId": "trc-location", "optionId": "opt-loc-east"}]
    return line


def _document(doc_id: str, contact: str, status: str, lines: list[Json], **more: str) -> Json:
    return {
        "id": doc_id,
        "type": more.get("type", "Income"),
        "invoiceNumber": doc_id.upper(),
        "status": status,
        "contactId": contact,
        "issueDate": more.get("issued", "2026-03-02"),
        "dueDate": more.get("due", "2026-04-01"),
        "reference": more.get("reference", ""),
        "currency": "USD",
        "lines": lines,
    }


def _invoices() -> list[object]:
    rent = [_line("acc-4000", "1200.00", tax="120.00")]
    return [
        _document("inv-0001", "con-harbour", "Draft", rent),
        _document("inv-0002", "con-northwind", "AwaitingApproval", rent),
        _document("inv-0003", "con-bluebell", "Approved", rent, reference="payment deleted"),
        _document("inv-0004", "con-quayside", "Approved", rent, reference="paid"),
        _document("inv-0005", "con-harbour", "Approved",
                  [*rent, _line("acc-4100", "75.50", quantity="2", description="Service")]),
        _document("inv-0006", "con-greenleaf", "Draft", rent, reference="voided"),
        _document("inv-0007", "con-harbour", "Approved", rent, issued="2026-03-09"),
        _document("bill-0001", "con-citypower", "Approved",
                  [_line("acc-util", "310.00", description="Power", tax="31.00")],
                  type="Expense"),
    ]  # fmt: skip


def _credit_note() -> Json:
    note = _document("cn-0001", "con-harbour", "Approved", [_line("acc-4000", "200.00")])
    del note["dueDate"]
    return note


def _payments() -> list[object]:
    return [
        {"id": "pay-0003", "invoiceId": "inv-0003", "date": "2026-03-10", "amount": "100.00"},
        {"id": "pay-0004", "invoiceId": "inv-0004", "date": "2026-03-12", "amount": "1320.00"},
        {"id": "pay-0005", "invoiceId": "inv-0005", "date": "2026-03-15", "amount": "500.00"},
        {"id": "pay-bill", "invoiceId": "bill-0001", "date": "2026-03-20", "amount": "341.00"},
    ]


def load_demo(sim: Simulator, *, now: datetime) -> Company:
    """Add ``RL-DEMO`` to ``sim``; its records are stamped from ``now``, 1 microsecond apart."""
    company = sim.add_company(COMPANY_ID, API_KEY)
    company.clock = lambda: now
    try:
        sim.load(company, {**_lists(), "invoices": _invoices(), "credit-notes": [_credit_note()]})
        sim.load(company, {"payments": _payments()})
        resources.act(company, "invoices", "inv-0006", "void")
        resources.act(company, "payments", "pay-0003", "delete")
        body = {"invoiceId": "inv-0007", "amount": "150.00", "date": "2026-03-16"}
        resources.allocate(company, "cn-0001", body)
    finally:
        company.clock = sim.clock
    return company
