"""A payment's details (ARPYMTDETAIL / APPYMTDETAIL): what each applies, read from a request or a
stored payment, and written back as a detail row.

A detail applies an amount to one document: an invoice / bill (``RECORDKEY``, a line of it
``ENTRYKEY``) or the side's positive adjustment (``POSADJKEY``, ``POSADJENTRYKEY``: an AR debit
memo, an AP credit memo). The amount is the detail's cash (``TRX_PAYMENTAMOUNT``) plus at most one
credit, each credit a group of key, line key and amount:

- an advance: ``ADVANCEKEY`` / ``ADVANCEENTRYKEY`` / ``TRX_POSTEDADVANCEAMOUNT``;
- an AR overpayment: ``OVERPAYMENTKEY`` / ``OVERPAYMENTENTRYKEY`` /
  ``TRX_POSTEDOVERPAYMENTAMOUNT``;
- the side's negative adjustment: ``ADJUSTMENTKEY`` / ``ADJUSTMENTENTRYKEY`` /
  ``TRX_ADJUSTMENTAMOUNT`` (an AR credit memo, an AP debit memo);
- an AP negative bill: ``INLINEKEY`` / ``INLINEENTRYKEY`` / ``TRX_INLINEAMOUNT``;
- an AR negative invoice: ``NEGATIVEINVOICEKEY`` / ``NEGATIVEINVOICEENTRYKEY`` /
  ``TRX_NEGATIVEINVOICEAMOUNT``.

[XMLDOC accounts-receivable-ar-payments], [XMLDOC accounts-payable-ap-payments]: "provide an
ARPYMTDETAIL for each type of credit"; the AP page's two parts of a detail ("the AP bill or AP
adjustment credit memo to pay", "optional transactions to apply as credits"), and the SDKs'
``ApPaymentDetailBill`` writes a credit and ``TRX_PAYMENTAMOUNT`` in one detail (JS
``ApPaymentCreateTest`` "Bill And Use Negative Bill"). A detail naming two credits is refused.

Fields the pages do not list for the side are refused, naming the field (**inferred**: the AP
page warns that fields "other than those listed ... can cause unexpected behavior or may fail"):
``DISCOUNTTOAPPLY`` and ``CREDITTOAPPLY``, which the SDKs' ``ApPaymentDetailBill`` writes (they
are ``create_paymentrequest``'s), and the credit groups of the other side. ``DISCOUNTDATE`` is
kept on the row: "All discounts available at this date are applied", and the simulated bills and
invoices carry no discount terms, so none is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import legacy, states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure

ADVANCE, OVERPAYMENT, CREDIT = "advance", "overpayment", "credit memo"
INLINE, NEGATIVE = "negative bill", "negative invoice"
CASH_FIELD = "TRX_PAYMENTAMOUNT"


@dataclass(frozen=True, slots=True)
class Group:
    """The fields of one kind of credit in a detail."""

    key: str
    entry: str
    amount: str


GROUPS: dict[str, Group] = {
    ADVANCE: Group("ADVANCEKEY", "ADVANCEENTRYKEY", "TRX_POSTEDADVANCEAMOUNT"),
    OVERPAYMENT: Group("OVERPAYMENTKEY", "OVERPAYMENTENTRYKEY", "TRX_POSTEDOVERPAYMENTAMOUNT"),
    CREDIT: Group("ADJUSTMENTKEY", "ADJUSTMENTENTRYKEY", "TRX_ADJUSTMENTAMOUNT"),
    INLINE: Group("INLINEKEY", "INLINEENTRYKEY", "TRX_INLINEAMOUNT"),
    NEGATIVE: Group("NEGATIVEINVOICEKEY", "NEGATIVEINVOICEENTRYKEY", "TRX_NEGATIVEINVOICEAMOUNT"),
}
FROM_PAYMENTS = frozenset({ADVANCE, OVERPAYMENT})
"""Credits held by an earlier payment record (its TOTALDUE); the others are documents."""
REFUNDS, REFUND_DETAILS = "CUSTOMERREFUND", "REFUNDDETAILS"
"""Customer refunds and their details, which hold the credits they refund (``refunds``)."""


@dataclass(frozen=True, slots=True)
class Credit:
    kind: str
    key: str
    amount: Decimal
    entry: str = ""


@dataclass(frozen=True, slots=True)
class Detail:
    """``cash`` and ``credit`` applied to ``document`` (an invoice / bill; with ``posadj`` the
    side's positive adjustment), on its line ``entry`` when given."""

    document: str
    cash: Decimal = Decimal(0)
    credit: Credit | None = None
    posadj: bool = False
    entry: str = ""
    discount_date: str = ""

    @property
    def amount(self) -> Decimal:
        return self.cash + (self.credit.amount if self.credit else Decimal(0))


@dataclass(frozen=True, slots=True)
class Rules:
    """A side's detail object and the fields it refuses, each with the correction to give (the
    credits a side applies are ``paysides.Side.sources``)."""

    detail: str
    refused: tuple[tuple[str, str], ...]


def _text(row: Record, field: str) -> str:
    return str(row.get(field, "")).strip()


def parse(rules: Rules, row: Record, *, sent: bool = True) -> Detail:
    """The detail a row holds (``sent``: from a request, refusing the fields the side does not
    take; else a stored row)."""
    if sent:
        _refuse_unknown(rules, row)
    credit = credit_of(row, rules.detail)
    posadj = bool(_text(row, "POSADJKEY"))
    return Detail(
        document=_text(row, "POSADJKEY" if posadj else "RECORDKEY"),
        cash=legacy.parse_decimal(_text(row, CASH_FIELD) or "0", CASH_FIELD),
        credit=credit,
        posadj=posadj,
        entry=_text(row, "POSADJENTRYKEY" if posadj else "ENTRYKEY"),
        discount_date=_text(row, "DISCOUNTDATE"),
    )


def credit_of(row: Record, detail: str) -> Credit | None:
    """The one credit a detail row (of ``detail``, an object name) applies, if any."""
    credits = [(kind, group) for kind, group in GROUPS.items() if _text(row, group.key)]
    if len(credits) > 1:
        named = " and ".join(group.key for _, group in credits)
        raise failure(
            GENERIC,
            f"One {detail} names {named}",
            correction=f"Send one {detail} for each credit applied.",
        )
    if not credits:
        return None
    ((kind, group),) = credits
    amount = legacy.parse_decimal(_text(row, group.amount) or "0", group.amount)
    return Credit(kind, _text(row, group.key), amount, _text(row, group.entry))


def _refuse_unknown(rules: Rules, row: Record) -> None:
    for field, correction in rules.refused:
        if _text(row, field):
            raise failure(
                GENERIC,
                f"{field} cannot be used in {rules.detail}",
                correction=correction,
            )


def row_of(detail: Detail, *, on: str) -> Record:
    """The stored row of a detail: its keys, the credit's group, the cash, the payment date."""
    row: Record = {"POSADJKEY" if detail.posadj else "RECORDKEY": detail.document}
    if detail.entry:
        row["POSADJENTRYKEY" if detail.posadj else "ENTRYKEY"] = detail.entry
    if detail.credit is not None:
        group = GROUPS[detail.credit.kind]
        row[group.key] = detail.credit.key
        if detail.credit.entry:
            row[group.entry] = detail.credit.entry
        row[group.amount] = legacy.money(detail.credit.amount)
    if detail.cash or detail.credit is None:
        row[CASH_FIELD] = legacy.money(detail.cash)
    if detail.discount_date:
        row["DISCOUNTDATE"] = detail.discount_date
    row["PAYMENTDATE"] = on
    return row


def rows(value: object) -> list[Record]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def negated(row: Record) -> Record:
    """A detail row of a Reversal: every amount the other way, no RECORDNO / PAYMENTKEY."""
    flipped = {k: v for k, v in row.items() if k not in ("RECORDNO", "PAYMENTKEY")}
    for field in (CASH_FIELD, *(group.amount for group in GROUPS.values())):
        if field in flipped:
            flipped[field] = legacy.money(-states.dec(flipped[field]))
    return flipped
