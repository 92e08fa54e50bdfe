"""The ``demo`` company's master data, as a config for ``config.load_company``.

Company ``DEMO``; sender ``demo-sender`` / ``demo-sender-pass``; user ``ws_user`` / ``ws_pass``;
entities ``E100`` and ``E200``; base currency USD; document sequencing on; Account Labels off;
multi-currency ON (the company holds a EUR customer and invoice, rule D14, which a real company can
only hold with multi-currency on). Order Entry and Purchasing are on, with the external tax
solution ``AVATAX`` and subtotal dimension defaulting.

Ids: customers ``CUS-1001``…, vendors ``VEN-2001``…, items ``<ACCOUNTNO>-S`` (``<title> [s]``,
sales, INCOMEACCTKEY) and ``<ACCOUNTNO>-P`` (``<title> [p]``, purchasing, EXPENSEACCTKEY). The
ids never collide with the ones sequencing generates (``C0001``, ``V0001``, ...).
"""

from __future__ import annotations

from released_intacct.fakes.simulators.intacct.company import Record

COMPANY_ID = "DEMO"
SENDER = ("demo-sender", "demo-sender-pass")
USER = ("ws_user", "ws_pass")
OAUTH_CLIENT = ("demo-client", "demo-client-secret")
"""The demo's REST OAuth client (id, secret), bound to the demo sender."""

ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("1000", "Operating Cash", "balancesheet", "debit"),
    ("1100", "Accounts Receivable", "balancesheet", "debit"),
    ("2000", "Accounts Payable", "balancesheet", "credit"),
    ("2200", "Sales Tax Payable", "balancesheet", "credit"),
    ("4000", "Rental Income", "incomestatement", "credit"),
    ("4100", "Service Charges", "incomestatement", "credit"),
    ("4200", "Recoveries", "incomestatement", "credit"),
    ("5000", "Repairs and Maintenance", "incomestatement", "debit"),
    ("5100", "Utilities", "incomestatement", "debit"),
    ("5200", "Management Fees", "incomestatement", "debit"),
)
SALES_ACCOUNTS = ("4000", "4100", "4200")
PURCHASE_ACCOUNTS = ("5000", "5100", "5200")

CUSTOMERS: tuple[tuple[str, str, str], ...] = (
    ("CUS-1001", "Harbour Cafe Ltd", "USD"),
    ("CUS-1002", "Northwind Traders", "USD"),
    ("CUS-1003", "Bluebell Dental", "USD"),
    ("CUS-1004", "Quayside Books", "USD"),
    ("CUS-1005", "Riverside Gym", "USD"),
    ("CUS-1006", "Maple Street Bakery", "USD"),
    ("CUS-1007", "Oakline Architects", "USD"),
    ("CUS-1008", "Rheinland Immobilien GmbH", "EUR"),
)
VENDORS: tuple[tuple[str, str], ...] = (
    ("VEN-2001", "City Power & Light"),
    ("VEN-2002", "Apex Maintenance Co"),
    ("VEN-2003", "Summit Property Management"),
    ("VEN-2004", "Clearview Window Cleaning"),
)


def _contacts() -> list[Record]:
    """Contacts of their own, named by a customer's SHIPTO / BILLTO (spec correction 10)."""
    return [
        {
            "CONTACTNAME": "Quayside Books Warehouse",
            "PRINTAS": "Quayside Books Warehouse",
            "MAILADDRESS": {"ADDRESS1": "7 Dock Road", "CITY": "Portsmouth", "ZIP": "03801"},
        },
        {
            "CONTACTNAME": "Quayside Books Accounts",
            "PRINTAS": "Quayside Books Accounts",
            "EMAIL1": "payables@quaysidebooks.example",
            "MAILADDRESS": {"ADDRESS1": "PO Box 12", "CITY": "Portsmouth", "ZIP": "03802"},
        },
    ]


_REFERENCES: dict[str, Record] = {  # what a customer's SHIPTO / BILLTO name
    "CUS-1004": {
        "SHIPTO": {"CONTACTNAME": "Quayside Books Warehouse"},
        "BILLTO": {"CONTACTNAME": "Quayside Books Accounts"},
    }
}


def _party(id_field: str, party_id: str, name: str, currency: str = "USD") -> Record:
    slug = name.lower().replace(" ", "").replace("&", "and")[:16]
    return _REFERENCES.get(party_id, {}) | {
        id_field: party_id,
        "NAME": name,
        "CURRENCY": currency,
        "DISPLAYCONTACT": {
            "CONTACTNAME": name,
            "PRINTAS": name,
            "EMAIL1": f"accounts@{slug}.example",
            "PHONE1": "555-0100",
            "MAILADDRESS": {"ADDRESS1": "1 Demo Street", "CITY": "Springfield", "ZIP": "01101"},
        },
    }


def _items() -> list[Record]:
    titles = {number: title for number, title, _, _ in ACCOUNTS}
    sales: list[Record] = [
        {"ITEMID": f"{n}-S", "NAME": f"{titles[n]} [s]", "ITEMTYPE": "Non-Inventory (Sales only)",
         "INCOMEACCTKEY": n}
        for n in SALES_ACCOUNTS
    ]  # fmt: skip
    purchases: list[Record] = [
        {"ITEMID": f"{n}-P", "NAME": f"{titles[n]} [p]",
         "ITEMTYPE": "Non-Inventory (Purchase only)", "EXPENSEACCTKEY": n}
        for n in PURCHASE_ACCOUNTS
    ]  # fmt: skip
    return sales + purchases


def _dimensions() -> dict[str, list[Record]]:
    return {
        "LOCATIONENTITY": [
            {"LOCATIONID": "E100", "NAME": "East Region", "CURRENCY": "USD"},
            {"LOCATIONID": "E200", "NAME": "West Region", "CURRENCY": "USD"},
        ],
        "LOCATION": [
            {"LOCATIONID": "E100", "NAME": "East Region"},
            {"LOCATIONID": "E200", "NAME": "West Region"},
            {"LOCATIONID": "L110", "NAME": "Harbour Plaza", "PARENTID": "E100"},
            {"LOCATIONID": "L210", "NAME": "Riverside Tower", "PARENTID": "E200"},
        ],
        "DEPARTMENT": [
            {"DEPARTMENTID": "D100", "TITLE": "Leasing"},
            {"DEPARTMENTID": "D200", "TITLE": "Maintenance"},
            {"DEPARTMENTID": "D300", "TITLE": "Administration"},
        ],
        "CLASS": [
            {"CLASSID": "CL-RES", "NAME": "Residential"},
            {"CLASSID": "CL-COM", "NAME": "Commercial"},
        ],
        "PROJECT": [
            {"PROJECTID": "P-001", "NAME": "Lobby refurbishment", "PROJECTSTATUS": "In Progress"},
            {"PROJECTID": "P-002", "NAME": "Roof repairs", "PROJECTSTATUS": "Completed"},
        ],
        "EMPLOYEE": [{"EMPLOYEEID": "EMP-01", "NAME": "Dana Whitfield"}],
    }


def _tax() -> dict[str, list[Record]]:
    details = [("Standard 10%", "10"), ("Reduced 5%", "5"), ("Exempt", "0")]
    return {
        "TAXSOLUTION": [
            {
                "SOLUTIONID": "AVATAX",
                "TAXMETHOD": "Externally calculated",
                "STARTDATE": "01/01/2023",
            }
        ],
        "TAXDETAIL": [
            {
                "DETAILID": name,
                "TAXTYPE": "Sale",
                "VALUE": value,
                "TAXSOLUTIONID": "AVATAX",
                "GLACCOUNT": "2200",
            }
            for name, value in details
        ],
    }


def _records(
    customers: tuple[tuple[str, str, str], ...], *, order_modules: bool
) -> dict[str, list[Record]]:
    records: dict[str, list[Record]] = {
        "GLACCOUNT": [
            {"ACCOUNTNO": n, "TITLE": t, "ACCOUNTTYPE": kind, "NORMALBALANCE": balance}
            for n, t, kind, balance in ACCOUNTS
        ],
        **_tax(),
        **_dimensions(),
        "ITEM": _items(),
        "CONTACT": _contacts(),
        "CUSTOMER": [_party("CUSTOMERID", i, name, cur) for i, name, cur in customers],
        "VENDOR": [_party("VENDORID", i, name) for i, name in VENDORS],
        "SODOCUMENTPARAMS": [
            {"DOCID": "Sales Invoice", "DOCCLASS": "Invoice"},
            {"DOCID": "Sales Order", "DOCCLASS": "Order"},
        ],
        "PODOCUMENTPARAMS": [
            {"DOCID": "Vendor Invoice", "DOCCLASS": "Invoice"},
            {"DOCID": "Purchase Order", "DOCCLASS": "Order"},
        ],
    }
    if not order_modules:  # no transaction definitions: the modules are not used
        del records["SODOCUMENTPARAMS"], records["PODOCUMENTPARAMS"]
    for rows in records.values():
        for row in rows:
            row.setdefault("STATUS", "active")
    return records


def demo_config(*, sync_errors: bool = True, order_modules: bool = True) -> dict[str, object]:
    """The demo company with its master data and no transactions (``seed.load_demo`` adds them).

    ``sync_errors=False`` leaves out the EUR customer (``CUS-1008``), a sync error by rule D14;
    ``order_modules=False`` turns the Order Entry and Purchasing subscriptions off."""
    customers = CUSTOMERS if sync_errors else tuple(c for c in CUSTOMERS if c[2] == "USD")
    return {
        "company_id": COMPANY_ID,
        "senders": {SENDER[0]: SENDER[1]},
        "users": {USER[0]: USER[1]},
        "entities": {"E100": "East Region", "E200": "West Region"},
        "settings": {
            "base_currency": "USD",
            "multi_currency": True,
            "account_labels": False,
            "customer_sequencing": True,
            "vendor_sequencing": True,
            "tax_solution_external": True,
            "subtotal_defaulting": True,
            "order_entry": order_modules,
            "purchasing": order_modules,
            "timezone": "America/Phoenix",  # a US company's zone, without daylight saving
        },
        "records": _records(customers, order_modules=order_modules),
        "oauth_clients": {
            OAUTH_CLIENT[0]: {
                "secret": OAUTH_CLIENT[1],
                "sender": SENDER[0],
                "redirect_uris": ["http://127.0.0.1/oauth/callback"],
                "login": USER[0],
            }
        },
    }
