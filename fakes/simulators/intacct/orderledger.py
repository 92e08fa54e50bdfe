"""Order Entry / Purchasing documents: line prices, tax, and the AR/AP record each invoice posts.

**Tax.** With the company setting ``tax_solution_external`` on, tax is computed per line as the
simulated external engine would: TAX = TOTAL × rate, rounded half-up to the cent, where the rate is
the line's tax detail VALUE (a percent, ``TAXDETAILID`` / ``<taxentries><taxentry><detailid>``) or
10 % when the line names none (``DEFAULT_RATE``). Lines carry TAXRATE and TAX; the document carries
SUBTOTAL, TAXTOTAL, TOTAL and TAXSOLUTIONID (the company's first TAXSOLUTION). With the setting off
TAX is 0.

**The posted record.** A document whose transaction definition (SODOCUMENTPARAMS / PODOCUMENTPARAMS
DOCID) has DOCCLASS ``Invoice`` and whose STATE is not ``Draft`` creates an ARINVOICE (OE) or APBILL
(PO): RECORDID = the document's DOCID, MODULEKEY ``8.SO`` / ``9.PO``, SYSTEMGENERATED ``T``, the
document's dates, party, currency and totals (TOTALENTERED = TOTAL including tax, TAXTOTAL), one
line per document line (ACCOUNTNO = the item's INCOMEACCTKEY / EXPENSEACCTKEY, AMOUNT = the
line TOTAL, TAX, dimensions). The document's PRRECORDKEY is that record's RECORDNO.

**D19.** Editing the document (generic ``update`` by DOCID or legacy ``update_sotransaction``)
deletes that record and creates it again under a new RECORDNO (AUDITHISTORY shows Delete and
Create) and moves PRRECORDKEY. A document whose record has payments applied cannot be edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from released_intacct.fakes.simulators.intacct import legacy, states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure

DEFAULT_RATE = Decimal(10)


@dataclass(frozen=True, slots=True)
class DocKind:
    object_name: str
    params: str
    party_object: str
    party_field: str
    ledger: str
    ledger_party: str
    recordtype: str
    module: str
    gl_field: str
    setting: str

    @property
    def lines(self) -> str:
        return f"{self.object_name}ENTRIES"


SALES = DocKind(
    "SODOCUMENT", "SODOCUMENTPARAMS", "CUSTOMER", "CUSTOMERID", "ARINVOICE", "CUSTOMERNAME",
    "ri", "8.SO", "INCOMEACCTKEY", "order_entry",
)  # fmt: skip
PURCHASES = DocKind(
    "PODOCUMENT", "PODOCUMENTPARAMS", "VENDOR", "VENDORID", "APBILL", "VENDORNAME",
    "pi", "9.PO", "EXPENSEACCTKEY", "purchasing",
)  # fmt: skip
KINDS = {SALES.object_name: SALES, PURCHASES.object_name: PURCHASES}

_DIMENSION_FIELDS = {field: (obj, key) for field, obj, key in legacy.DIMENSIONS.values()}


def entries(kind: DocKind, record: Record) -> list[Record]:
    rows = record.get(kind.lines)
    return [dict(r) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _rate(ctx: Context, line: Record) -> Decimal:
    detail = str(line.get("TAXDETAILID", "")).strip()
    if not detail:
        return DEFAULT_RATE
    found = legacy.existing(ctx, "TAXDETAIL", "DETAILID", detail)
    return legacy.parse_decimal(str(found.get("VALUE") or "0"), f"TAXDETAIL {detail} VALUE")


def price_line(ctx: Context, line: Record, number: int) -> Record:
    """A line with its references checked and TOTAL, TAXRATE and TAX computed."""
    priced = dict(line)
    for field, (object_name, id_field) in _DIMENSION_FIELDS.items():
        value = str(priced.get(field, "")).strip()
        if value:
            legacy.existing(ctx, object_name, id_field, value)
    if not str(priced.get("ITEMID", "")).strip():
        raise failure(GENERIC, f"Line {number + 1}: required field itemid is missing")
    quantity = legacy.parse_decimal(str(priced.get("QUANTITY") or "0"), "QUANTITY")
    price = legacy.parse_decimal(str(priced.get("PRICE") or "0"), "PRICE")
    total = (quantity * price).quantize(legacy.CENT, ROUND_HALF_UP)
    rate = _rate(ctx, priced) if ctx.company.settings.tax_solution_external else Decimal(0)
    tax = (total * rate / 100).quantize(legacy.CENT, ROUND_HALF_UP)
    priced.update(
        LINE_NO=str(number), TOTAL=legacy.money(total), TAXRATE=str(rate), TAX=legacy.money(tax)
    )
    return priced


def priced(ctx: Context, kind: DocKind, record: Record) -> Record:
    """The document with every line priced and the header totals set."""
    lines = [price_line(ctx, line, n) for n, line in enumerate(entries(kind, record))]
    if not lines:
        raise failure(GENERIC, f"{kind.object_name} needs at least one line")
    subtotal = sum((states.dec(line["TOTAL"]) for line in lines), Decimal(0))
    tax = sum((states.dec(line["TAX"]) for line in lines), Decimal(0))
    solutions = ctx.company.table("TAXSOLUTION").values()
    solution = next((str(s.get("SOLUTIONID", "")) for s in solutions), "")
    external = ctx.company.settings.tax_solution_external
    return {
        **record,
        kind.lines: lines,
        "SUBTOTAL": legacy.money(subtotal),
        "TAXTOTAL": legacy.money(tax),
        "TOTAL": legacy.money(subtotal + tax),
        "TAXSOLUTIONID": solution if external else "",
    }


def posts(ctx: Context, kind: DocKind, record: Record) -> bool:
    """Whether the document posts an AR/AP record (an Invoice definition, not a Draft)."""
    params = ctx.company.by_field(kind.params, "DOCID", str(record.get("DOCPARID", "")))
    is_invoice = params is not None and str(params.get("DOCCLASS", "")) == "Invoice"
    return is_invoice and record.get("STATE") != states.DRAFT


def _ledger_line(ctx: Context, kind: DocKind, line: Record, number: int) -> Record:
    item = legacy.existing(ctx, "ITEM", "ITEMID", str(line["ITEMID"]))
    account = str(item.get(kind.gl_field, "")).strip()
    if not account:
        raise failure(
            GENERIC,
            f"Item {line['ITEMID']} has no {kind.gl_field}: its invoice line needs a GL account",
            correction=f"Set {kind.gl_field} on the item.",
        )
    amount, tax = str(line["TOTAL"]), str(line["TAX"])
    dims = {f: line[f] for f in _DIMENSION_FIELDS if str(line.get(f, "")).strip()}
    return {
        "LINE_NO": str(number),
        "ACCOUNTNO": account,
        "AMOUNT": amount,
        "TRX_AMOUNT": amount,
        "TAX": tax,
        "TAXRATE": str(line.get("TAXRATE", "0")),
        "ENTRYDESCRIPTION": str(line.get("ITEMDESC") or line.get("MEMO") or ""),
        "TOTALPAID": "0.00",
        "TOTALDUE": legacy.money(states.dec(amount) + states.dec(tax)),
        **dims,
        **{f: line[f] for f in ("REVRECTEMPLATE", "REVRECSTARTDATE", "REVRECENDDATE") if f in line},
    }


def post(ctx: Context, kind: DocKind, record: Record) -> Record:
    """Create the AR/AP record for a priced document; the stored record is returned."""
    lines = [
        _ledger_line(ctx, kind, line, n) for n, line in enumerate(entries(kind, record), start=1)
    ]
    ledger: Record = {
        "RECORDID": record["DOCID"],
        "RECORDTYPE": kind.recordtype,
        "STATE": states.POSTED,
        kind.party_field: record["CUSTVENDID"],
        kind.ledger_party: record.get("CUSTVENDNAME", ""),
        "WHENCREATED": record["WHENCREATED"],
        "WHENPOSTED": record.get("WHENPOSTED") or record["WHENCREATED"],
        "WHENDUE": record.get("WHENDUE") or record["WHENCREATED"],
        "WHENPAID": "",
        "DOCNUMBER": record.get("PONUMBER", ""),
        "DESCRIPTION": record.get("MESSAGE", ""),
        "CURRENCY": record["CURRENCY"],
        "BASECURR": record["BASECURR"],
        "TOTALENTERED": record["TOTAL"],
        "TOTALPAID": "0.00",
        "TOTALDUE": record["TOTAL"],
        "TAXTOTAL": record["TAXTOTAL"],
        "TAXSOLUTIONID": record["TAXSOLUTIONID"],
        "MODULEKEY": kind.module,
        "SYSTEMGENERATED": "T",
        states.LINES[kind.ledger]: lines,
    }
    stored = ctx.company.insert(kind.ledger, ledger, now=ctx.now, entity=ctx.entity)
    ctx.spend()
    return stored


def unpost(ctx: Context, kind: DocKind, record: Record) -> None:
    """Delete the document's AR/AP record (refused once it has payments applied)."""
    key = str(record.get("PRRECORDKEY", ""))
    ledger = ctx.company.by_recordno(kind.ledger, key)
    if ledger is None:
        return
    if states.dec(ledger.get("TOTALPAID")) != 0:
        raise failure(
            GENERIC,
            f"{kind.object_name} {record.get('DOCID')} cannot be changed: its {kind.ledger} {key} "
            "has payments applied",
            correction="Reverse the payments first.",
        )
    ctx.company.delete(kind.ledger, int(key), now=ctx.now)
    ctx.spend()


def repost(ctx: Context, kind: DocKind, before: Record, after: Record) -> Record:
    """D19: an edited document's AR/AP record is deleted and created again under a new key."""
    unpost(ctx, kind, before)
    edited = priced(ctx, kind, after)
    edited["PRRECORDKEY"] = (
        str(post(ctx, kind, edited)["RECORDNO"]) if posts(ctx, kind, edited) else ""
    )
    return edited
