"""The STATE machine and balances of AR/AP documents (invoices, bills, adjustments).

Draft → Posted → Partially Paid → Paid, and Posted → Reversed (with a new Reversal record).

- A document created with ``<action>Draft</action>`` is a Draft: no WHENPOSTED, no payments.
  A generic ``update`` with ``STATE`` = ``Posted`` (or ``ACTION`` = ``Submit``/``Post``) posts it;
  any other change of STATE through ``update`` is refused (STATE is the gateway's to set).
- Payments move TOTALPAID/TOTALDUE on the header and down the lines in waterfall order (first line
  first; a line's total is AMOUNT plus its tax, if any: ``line_total``), or on the one line a
  payment detail names (``ENTRYKEY``); the header STATE follows: nothing paid → Posted, some →
  Partially Paid, all → Paid (with WHENPAID = the payment date). Removing a payment (reversal or
  delete) moves them back. A negative document (a credit memo, a negative bill or invoice) is
  "paid" when its credit is applied to another document: its TOTALPAID moves down towards its
  negative total.
- Reversing sets the original to Reversed (TOTALDUE 0) and inserts a new record with STATE
  Reversal: the original's fields with every amount negated, WHENCREATED = the reversal date,
  TOTALDUE 0, and the number ``Reversed - <original number>`` (documented for bills,
  intacct.com help "bill reversal"; for the other documents **inferred**). No field links the
  two (spec correction 3). Drafts, documents with payments applied and documents already
  reversed cannot be reversed.
"""

from __future__ import annotations

from decimal import Decimal

from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.legacy import money

DRAFT, POSTED, PARTIAL, PAID = "Draft", "Posted", "Partially Paid", "Paid"
REVERSED, REVERSAL = "Reversed", "Reversal"
CLOSED = frozenset({REVERSED, REVERSAL})

LINES = {
    "ARINVOICE": "ARINVOICEITEMS",
    "APBILL": "APBILLITEMS",
    "ARADJUSTMENT": "ARADJUSTMENTITEMS",
    "APADJUSTMENT": "APADJUSTMENTITEMS",
}


def dec(value: object) -> Decimal:
    return Decimal(str(value or "0"))


def line_total(line: Record) -> Decimal:
    """What a line asks to be paid: its AMOUNT plus its tax, the TAX an OE / PO invoice's line
    carries or the TRX_TAX of the tax entries a legacy create sent (an invoice's total is owed
    with its tax, as an OE invoice's TOTALENTERED is; a tax entry without TRX_TAX adds none)."""
    entries = line.get("TAXENTRIES")
    taxes = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    return (
        dec(line.get("AMOUNT"))
        + dec(line.get("TAX"))
        + sum((dec(e.get("TRX_TAX")) for e in taxes), Decimal(0))
    )


def lines_of(record: Record, object_name: str) -> list[Record]:
    rows = record.get(LINES[object_name])
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def describe(object_name: str, record: Record) -> str:
    return f"{object_name} {record.get('RECORDNO')} ({record.get('RECORDID', '')})"


def recompute_due(record: Record, *, paid_on: str) -> None:
    """Recompute TOTALDUE and STATE from TOTALENTERED and TOTALPAID (in place)."""
    entered, paid = dec(record.get("TOTALENTERED")), dec(record.get("TOTALPAID"))
    record["TOTALDUE"] = money(entered - paid)
    if record.get("STATE") in CLOSED or record.get("STATE") == DRAFT:
        return
    if paid == 0:
        record["STATE"], record["WHENPAID"] = POSTED, ""
    elif paid == entered:
        record["STATE"], record["WHENPAID"] = PAID, paid_on
    else:
        record["STATE"], record["WHENPAID"] = PARTIAL, ""


def _waterfall(lines: list[Record], amount: Decimal, *, negative: bool) -> None:
    """Spread ``amount`` over the lines, first line first; an amount of the other sign than the
    document (``negative``: its total is below zero) takes a payment off again, last line first."""
    applying = (amount > 0) != negative
    left = amount
    for line in lines if applying else list(reversed(lines)):
        paid, total = dec(line.get("TOTALPAID")), line_total(line)
        if applying and total * amount <= 0:
            continue
        room = total - paid if applying else -paid
        step = min(left, room) if amount > 0 else max(left, room)
        line["TOTALPAID"] = money(paid + step)
        line["TOTALDUE"] = money(total - paid - step)
        left -= step
        if left == 0:
            return


def line_of(object_name: str, record: Record, line: str) -> Record:
    """The line whose RECORDNO is ``line`` (refused when the document has none)."""
    for row in lines_of(record, object_name):
        if str(row.get("RECORDNO", "")) == line:
            return row
    raise failure(
        GENERIC,
        f"Line {line} is not a line of {describe(object_name, record)}",
        correction="Name a line of the document by its RECORDNO, or leave the line key out.",
    )


def check_payable(object_name: str, record: Record, amount: Decimal, *, line: str = "") -> None:
    """Refuse a payment the document (or its ``line``) cannot take."""
    what = describe(object_name, record)
    state = str(record.get("STATE", ""))
    if state == DRAFT or state in CLOSED:
        raise failure(
            GENERIC,
            f"Cannot apply a payment to {what}: its state is {state}",
            correction="Pay only posted documents.",
        )
    due = dec((line_of(object_name, record, line) if line else record).get("TOTALDUE"))
    if amount <= 0 or amount > due:
        where = f"line {line} of {what}" if line else what
        raise failure(
            GENERIC,
            f"Cannot apply {money(amount)} to {where}: the amount due is {money(due)}",
            correction="Apply a positive amount no larger than the amount due.",
        )


def pay(
    ctx: Context, object_name: str, record: Record, amount: Decimal, *, on: str, line: str = ""
) -> None:
    """Apply ``amount`` (of the other sign than the document: take it off) to the document, or to
    its ``line`` only, and store the change."""
    changed = dict(record)
    lines = [dict(row) for row in lines_of(record, object_name)]
    paid = [row for row in lines if str(row.get("RECORDNO", "")) == line] if line else lines
    _waterfall(paid, amount, negative=dec(record.get("TOTALENTERED")) < 0)
    changed[LINES[object_name]] = lines
    changed["TOTALPAID"] = money(dec(record.get("TOTALPAID")) + amount)
    recompute_due(changed, paid_on=on)
    ctx.company.update(object_name, int(str(record["RECORDNO"])), changed, now=ctx.now)
    ctx.spend()


def post_or_refuse(record: Record, changes: Record) -> Record:
    """The STATE part of a generic update: post a Draft, refuse anything else."""
    merged = dict(changes)
    action = str(merged.pop("ACTION", "")).strip()
    wanted = str(merged.pop("STATE", "")).strip()
    current = str(record.get("STATE", ""))
    if current in CLOSED:
        raise failure(GENERIC, f"Cannot update a {current.lower()} document", correction="")
    posting = wanted == POSTED or action in ("Submit", "Post")
    if posting and current == DRAFT:
        merged["STATE"] = POSTED
        merged["WHENPOSTED"] = str(record.get("WHENPOSTED") or record.get("WHENCREATED", ""))
    elif (wanted and wanted != current) or (action and action != "Draft"):
        raise failure(
            GENERIC,
            f"STATE cannot be changed from {current} to {wanted or action} by update",
            correction="Only a Draft can be posted (STATE Posted); pay or reverse otherwise.",
        )
    return merged


def reverse(ctx: Context, object_name: str, record: Record, *, on: str, memo: str) -> Record:
    """Reverse a posted, unpaid document; the new Reversal record is returned."""
    what, state = describe(object_name, record), str(record.get("STATE", ""))
    if state == DRAFT or state in CLOSED or dec(record.get("TOTALPAID")) != 0:
        reason = "it has payments applied" if state not in CLOSED | {DRAFT} else f"it is {state}"
        raise failure(
            GENERIC,
            f"Cannot reverse {what}: {reason}",
            correction="Reverse only posted documents with no payments; reverse payments first.",
        )
    reversal = {k: v for k, v in record.items() if k not in ("RECORDNO", "WHENMODIFIED")}
    reversal[LINES[object_name]] = [_negated(line) for line in lines_of(record, object_name)]
    reversal.update(
        RECORDID=f"Reversed - {record.get('RECORDID', '')}",
        STATE=REVERSAL,
        WHENCREATED=on,
        WHENPOSTED=on,
        TOTALENTERED=money(-dec(record.get("TOTALENTERED"))),
        TOTALPAID=money(Decimal(0)),
        TOTALDUE=money(Decimal(0)),
        DESCRIPTION=memo or f"Reversal of {record.get('RECORDID', '')}",
    )
    stored = ctx.company.insert(object_name, reversal, now=ctx.now, entity=ctx.entity)
    original = {**record, "STATE": REVERSED, "TOTALDUE": money(Decimal(0))}
    ctx.company.update(object_name, int(str(record["RECORDNO"])), original, now=ctx.now)
    ctx.spend(2)
    return stored


def _negated(line: Record) -> Record:
    flipped = dict(line)
    for field in ("AMOUNT", "TRX_AMOUNT"):
        if field in flipped:
            flipped[field] = money(-dec(flipped[field]))
    flipped["TOTALPAID"], flipped["TOTALDUE"] = money(Decimal(0)), money(Decimal(0))
    return flipped
