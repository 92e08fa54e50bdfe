"""Items over REST (``inventory-control/item``, docs/intacct-rest.md 4.5): read through the XML
reader, found by their id (an item's id is its key: rule D17).

The pages show an item's GL accounts only through its GL group, and never a non-inventory item
created with its own income or expense account, as the XML create writes it (docs/intacct-rest.md
section 13, gap 5). So this adapter does not create items: such a write is refused before
anything is sent, naming the fix (create the item in Intacct, or connect over XML).
"""

from __future__ import annotations

from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.convert.reading import item as read_item
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import Filter, Row, Select
from released_intacct.adapters.intacct_rest.rows import as_xml, every_row, rest_fields
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.intacct import Item

__all__ = ["ITEM_PATH", "item_of", "items_matching", "readable", "refused", "selecting"]

ITEM_PATH: Final = "inventory-control/item"
PAIRS: Final = (
    ("id", "ITEMID"),
    ("name", "NAME"),
    ("itemType", "ITEMTYPE"),
    ("status", "STATUS"),
    ("inventory.glGroup.incomeGLAccount", "INCOMEACCTKEY"),
    ("inventory.glGroup.expenseGLAccount", "EXPENSEACCTKEY"),
)


def item_of(row: Row) -> Result[Item, SyncError]:
    return read_item(as_xml(row, PAIRS))


def selecting(*filters: Filter) -> Select:
    """The query of the items the filters match."""
    return Select(object_name=ITEM_PATH, fields=rest_fields(PAIRS), filters=filters)


def readable(rows: Result[list[Row], SyncError]) -> Result[tuple[Item, ...], SyncError]:
    """The items of ``rows`` (one that cannot be read is left out, as the XML set-up does)."""
    if isinstance(rows, Failure):
        return Failure(rows.failure())
    read = (item_of(row) for row in rows.unwrap())
    return Success(tuple(i.unwrap() for i in read if isinstance(i, Success)))


async def items_matching(rest: Rest, *filters: Filter) -> Result[tuple[Item, ...], SyncError]:
    """Every readable item the filters match."""
    return readable(await every_row(rest, selecting(*filters)))


def refused(item: Item) -> SyncError:
    """Why the REST adapter does not create ``item``."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.D17,
        message=(
            f"Item {item.item_id} cannot be created over Sage Intacct's REST API: it offers no "
            "documented way to give a non-inventory item its own income or expense account."
        ),
        fix=(
            f"Create item {item.item_id} in Sage Intacct (or switch this connection to "
            "intacct.api = xml), then sync again."
        ),
    )
