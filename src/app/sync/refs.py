"""Which links a page of documents or payments needs: its records and all they refer to (M1, M2)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from returns.pipeline import is_successful

from released_intacct.app.sync.linkset import Wanted
from released_intacct.domain.enums import RecordType
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import (
    IntacctPayment,
    Transaction,
    TransactionLine,
    category_key,
    option_key,
    party_key,
)
from released_intacct.domain.mapping.items import account_no_for_item
from released_intacct.domain.planning.documents import record_type_of
from released_intacct.domain.released import Invoice, InvoiceLine, Payment

_DOCUMENTS = (RecordType.INVOICE, RecordType.CREDIT_NOTE)


def document_refs(invoices: Sequence[Invoice], transactions: Sequence[Transaction]) -> Wanted:
    wanted = Wanted()
    for tx in transactions:
        wanted.intacct(tx.record_type, [tx.link_key, *([tx.reverses] if tx.reverses else [])])
        wanted.intacct(RecordType.CONTACT, [party_key(tx.origin.role, tx.party_id)])
        for line in tx.lines:
            _intacct_line(wanted, line)
    for invoice in invoices:
        wanted.released(record_type_of(invoice.kind), [invoice.id])
        wanted.released(RecordType.CONTACT, [invoice.contact_id])
        for invoice_line in invoice.lines:
            _released_line(wanted, invoice_line)
    return wanted


def payment_refs(payments: Sequence[Payment], intacct: Sequence[IntacctPayment]) -> Wanted:
    """The payments' links and the documents they pay (an allocation's key names its payment)."""
    wanted = Wanted()
    for payment in intacct:
        if payment.record_no is None:
            continue
        wanted.intacct(
            RecordType.PAYMENT, [payment.allocation_key(a) for a in payment.applications]
        )
        if payment.reverses is not None:
            wanted.intacct_prefix(RecordType.PAYMENT, [f"{payment.reverses}/"])
        documents = [a.document_key for a in (*payment.applications, *payment.credits)]
        for record_type in _DOCUMENTS:
            wanted.intacct(record_type, documents)
    for released in payments:
        wanted.released(RecordType.PAYMENT, [released.id])
        wanted.released(record_type_of(released.document_kind), [released.invoice_id])
    return wanted


def _intacct_line(wanted: Wanted, line: TransactionLine) -> None:
    accounts = [IntacctKey(line.account_no)] if line.account_no else []
    if line.item_id is not None:
        item = account_no_for_item(line.item_id)
        if is_successful(item):
            accounts.append(IntacctKey(item.unwrap()[0]))
    wanted.intacct(RecordType.ACCOUNT, accounts)
    wanted.intacct(RecordType.TAX_TYPE, [IntacctKey(line.tax_detail_id or "")])
    wanted.intacct(RecordType.TRACKING_OPTION, [option_key(k, v) for k, v in line.dimensions])
    wanted.intacct(RecordType.TRACKING_CATEGORY, _kinds(line))


def _kinds(line: TransactionLine) -> Iterable[IntacctKey]:
    return (category_key(kind) for kind, _ in line.dimensions)


def _released_line(wanted: Wanted, line: InvoiceLine) -> None:
    wanted.released(RecordType.ACCOUNT, [line.account_id])
    wanted.released(RecordType.TAX_TYPE, [line.tax_type_id])
    wanted.released(RecordType.TRACKING_OPTION, [ref.option_id for ref in line.tracking])
    wanted.released(RecordType.TRACKING_CATEGORY, [ref.category_id for ref in line.tracking])
