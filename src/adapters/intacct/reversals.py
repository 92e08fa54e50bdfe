"""Pairing a reversal with the record it reverses (spec correction 3).

Reversing an invoice, bill, adjustment or payment marks the original ``Reversed`` and adds a new
record in STATE ``Reversal`` with the opposite amounts; no field links the two (``REVERSEDKEY``
exists on GL batches only, and PARENTPAYMENTKEY has no documented meaning). The original's
modification time is not documented to move either, so the sync acts on the Reversal entry too:
``pair`` finds, for every Reversal row of a page, the record it reverses: the same object and
party (for a payment of several customers, the same payer), STATE ``Reversed``, the opposite
total, an earlier record number; a bill's reversal is numbered ``Reversed - <number>`` (intacct.com
help), which narrows the search when present. One query per Reversal row; reversals are rare. A
Reversal that cannot be paired is read as it is (the sync skips it, rule D7 / D9).

The pairing travels on the row as ``convert.fields.PAIRED`` (a name no Intacct field can have: it
is not an XML name), read by ``convert`` into ``reverses``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert.fields import PAIRED, Row
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.domain.errors import SyncError

__all__ = ["PREFIX", "Reversals", "best"]

PREFIX: Final = "Reversed - "
_PARTIES: Final[Mapping[str, str]] = {
    "ARINVOICE": "CUSTOMERID",
    "ARADJUSTMENT": "CUSTOMERID",
    "ARPYMT": "CUSTOMERID",
    "APBILL": "VENDORID",
    "APADJUSTMENT": "VENDORID",
    "APPYMT": "VENDORID",
}


class Reversals:
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def pair(self, object_name: str, rows: Sequence[Row]) -> Result[list[Row], SyncError]:
        """``rows`` with every Reversal row that could be paired naming its original."""
        if object_name not in _PARTIES:
            return Success(list(rows))
        paired: list[Row] = []
        for row in rows:
            if _text(row, "STATE").lower() != "reversal":
                paired.append(row)
                continue
            found = await self._original(object_name, row)
            if not is_successful(found):
                return Failure(found.failure())
            original = found.unwrap()
            paired.append({**row, PAIRED: original} if original else row)
        return Success(paired)

    async def _original(self, object_name: str, row: Row) -> Result[str | None, SyncError]:
        party_field = _PARTIES[object_name]
        party, payer = _text(row, party_field), _text(row, "PAYERNAME")
        if not party and not payer:
            return Success(None)
        by = q.Eq(party_field, party) if party else q.Eq("PAYERNAME", payer)
        number = _text(row, "RECORDID")
        named = q.Eq("RECORDID", number.removeprefix(PREFIX)) if number.startswith(PREFIX) else None
        select = q.Select(
            object_name=object_name,
            fields=("RECORDNO", "RECORDID", "STATE", "TOTALENTERED"),
            where=q.both(by, named),
        )
        found = await self._reads.every(select)
        return found.map(lambda candidates: best(row, candidates))


def best(reversal: Row, candidates: Sequence[Row]) -> str | None:
    """The latest earlier record in STATE Reversed with the opposite total, if any (rows of
    RECORDNO, STATE and TOTALENTERED: the REST adapter pairs its rows, read into this shape,
    with it too)."""
    key, total = _number(reversal, "RECORDNO"), _amount(reversal)
    matching = [
        _number(row, "RECORDNO")
        for row in candidates
        if _text(row, "STATE").lower() == "reversed"
        and 0 < _number(row, "RECORDNO") < key
        and total is not None
        and _amount(row) == -total
    ]
    return str(max(matching)) if matching else None


def _text(row: Row, field: str) -> str:
    value = row.get(field)
    return value.strip() if isinstance(value, str) else ""


def _number(row: Row, field: str) -> int:
    text = _text(row, field)
    return int(text) if text.isdigit() else 0


def _amount(row: Row) -> Decimal | None:
    try:
        found = Decimal(_text(row, "TOTALENTERED").replace(",", ""))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None  # a NaN cannot be compared, nor paired
