"""Invoice lines both ways (rules M1, M2, D17, D18; seed 004 line tables).

AR/AP lines: Memo ↔ Description, Account ↔ Account, Transaction Amount ↔ Unit Price (quantity 1),
Tax Detail ↔ Tax Type. OE/PO lines: Memo ↔ Description, Item ID ↔ Account (the account's Item,
rule D17), Quantity ↔ Quantity, Price ↔ Unit Price. Tax on OE/PO lines is Intacct's to calculate:
the tax amount Intacct returns is read into Re-Leased, and 0 is sent (D17). Line dimensions ↔
tracking (M2), sorted by kind, at most one per kind; subtotal dimensions are never set (D18: only
line dimensions exist in the model). Revenue-recognition template and dates are carried as they are.
Amounts are never rounded: a line whose quantity x price, or whose tax amount, is not a whole
number of cents is refused naming the field, both ways (``amounts``; issue 16, F9).

Errors here say what is wrong with *the line*; ``documents`` names the document and line number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypeVar

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.domain.enums import DimensionKind, InvoiceType, Origin
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import TransactionLine
from released_intacct.domain.mapping.amounts import exact, exact_line
from released_intacct.domain.mapping.items import account_no_for_item, item_id_for
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.released import InvoiceLine

_T = TypeVar("_T")
_K = TypeVar("_K")
Dimensions = tuple[tuple[DimensionKind, IntacctId], ...]
_IN_CENTS = "so that the line comes to whole cents; it syncs once changed."
_FIX_IN_RELEASED = f"Change the unit price (or the quantity) in Re-Leased {_IN_CENTS}"
_FIX_IN_INTACCT = f"Change the price or amount (or the quantity) in Sage Intacct {_IN_CENTS}"


def invoice_line_from(
    line: TransactionLine, origin: Origin, ids: IdBook
) -> Result[InvoiceLine, SyncError]:
    """The Re-Leased line of an Intacct line of a transaction from module ``origin``."""
    order = origin.is_order_module
    return Result.do(
        InvoiceLine(
            description=line.memo,
            account_id=account_id,
            unit_price=line.price if order else line.amount,
            quantity=line.quantity if order else Decimal(1),
            tax_type_id=tax_type_id,
            tax_amount=line.tax_amount,
            tracking=tracking,
            rev_rec_template=line.rev_rec_template,
            rev_rec_start=line.rev_rec_start,
            rev_rec_end=line.rev_rec_end,
        )
        for account_id in _account_in(line, origin, ids)
        for tax_type_id in optional(line.tax_detail_id, ids.tax_type_id)
        for tracking in collect(ids.tracking(kind, value) for kind, value in line.dimensions)
        for _ in _exact_in(line, origin)
    )


def transaction_line_from(
    line: InvoiceLine, origin: Origin, ids: IdBook
) -> Result[TransactionLine, SyncError]:
    """The Intacct line of a Re-Leased line, for a transaction written to module ``origin``: the
    first failure of its account, tax type, tracking and amounts, in that order, else the line.
    (A plain sequence of checks, not ``Result.do``: it runs for every line written.)"""
    account_no = ids.account_no(line.account_id)
    if not is_successful(account_no):
        return Failure(account_no.failure())
    tax = optional(line.tax_type_id, ids.tax_detail_id)
    if not is_successful(tax):
        return Failure(tax.failure())
    dimensions = _dimensions_out(line, ids)
    if not is_successful(dimensions):
        return Failure(dimensions.failure())
    checked = _exact_out(line, origin)
    if not is_successful(checked):
        return Failure(checked.failure())
    return Success(
        _transaction_line(
            line,
            origin,
            account_no=account_no.unwrap(),
            tax_detail_id=tax.unwrap(),
            dimensions=dimensions.unwrap(),
        )
    )


def collect(results: Iterable[Result[_T, SyncError]]) -> Result[tuple[_T, ...], SyncError]:
    """All the values, or the first failure (results after it are not computed)."""
    done: list[_T] = []
    for result in results:
        if not is_successful(result):
            return Failure(result.failure())
        done.append(result.unwrap())
    return Success(tuple(done))


def optional(
    value: _K | None, lookup: Callable[[_K], Result[_T, SyncError]]
) -> Result[_T | None, SyncError]:
    """``lookup(value)``, or None when there is no value to look up."""
    if value is None:
        return Success(None)
    return lookup(value)


def _exact_in(line: TransactionLine, origin: Origin) -> Result[Decimal, SyncError]:
    """An Intacct line's amounts, each a whole number of cents (see the module docstring)."""
    if origin.is_order_module:
        amount = exact_line(line.quantity, line.price, price_named="price", fix=_FIX_IN_INTACCT)
    else:
        amount = exact(line.amount, named="the line amount", fix=_FIX_IN_INTACCT)
    fix = "Enter the tax in whole cents in Sage Intacct; it syncs once changed."
    return amount.bind(lambda _: exact(line.tax_amount, named="the tax amount", fix=fix))


def _exact_out(line: InvoiceLine, origin: Origin) -> Result[Decimal, SyncError]:
    """A Re-Leased line's amounts, each a whole number of cents; an OE/PO line's tax is not
    sent (Intacct calculates it, rule D17)."""
    amount = exact_line(
        line.quantity, line.unit_price, price_named="unit price", fix=_FIX_IN_RELEASED
    )
    if origin.is_order_module or not is_successful(amount):
        return amount
    fix = "Enter the tax amount in whole cents in Re-Leased; it syncs once changed."
    return exact(line.tax_amount, named="the tax amount", fix=fix)


def _account_in(
    line: TransactionLine, origin: Origin, ids: IdBook
) -> Result[ReleasedId, SyncError]:
    if origin.is_order_module:
        if line.item_id is None:
            return Failure(_no_field("item ID", "Choose the account's item on the line"))
        return account_no_for_item(line.item_id).bind(lambda found: ids.account_id(found[0]))
    if line.account_no is None:
        return Failure(_no_field("GL account", "Choose an account on the line"))
    return ids.account_id(line.account_no)


def _transaction_line(
    line: InvoiceLine,
    origin: Origin,
    *,
    account_no: IntacctId,
    tax_detail_id: IntacctId | None,
    dimensions: Dimensions,
) -> TransactionLine:
    """AR/AP: account and amount. OE/PO: the account's Item, quantity and price; no tax (D17)."""
    order = origin.is_order_module
    sales = origin.invoice_type is InvoiceType.INCOME
    return TransactionLine(
        memo=line.description,
        account_no=None if order else account_no,
        item_id=item_id_for(account_no, sales=sales) if order else None,
        amount=Decimal(0) if order else line.line_amount,
        quantity=line.quantity if order else Decimal(1),
        price=line.unit_price if order else Decimal(0),
        tax_detail_id=tax_detail_id,
        tax_amount=Decimal(0) if order else line.tax_amount,
        dimensions=dimensions,
        rev_rec_template=line.rev_rec_template,
        rev_rec_start=line.rev_rec_start,
        rev_rec_end=line.rev_rec_end,
    )


def _dimensions_out(line: InvoiceLine, ids: IdBook) -> Result[Dimensions, SyncError]:
    """Rule M2: the line's tracking as dimensions, one per kind, sorted by kind."""
    if not line.tracking:
        return _NO_DIMENSIONS
    return collect(ids.dimension(ref) for ref in line.tracking).bind(_one_per_kind)


_NO_DIMENSIONS: Result[Dimensions, SyncError] = Success(())


def _one_per_kind(found: Dimensions) -> Result[Dimensions, SyncError]:
    kinds = [kind for kind, _ in found]
    repeated = sorted({kind.label for kind in kinds if kinds.count(kind) > 1})
    if repeated:
        return Failure(
            SyncError(
                kind=ErrorKind.NEEDS_USER,
                rule=Rule.M2,
                message=f"the line has more than one {' / '.join(repeated)} tracking option.",
                fix="Keep one option per tracking category on the line.",
            )
        )
    return Success(tuple(sorted(found, key=lambda pair: pair[0].value)))


def _no_field(field: str, fix: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.M1,
        message=f"the line has no {field}.",
        fix=f"{fix} in Sage Intacct.",
    )
