"""Convert: reading odd rows gives an M1 error naming the field; feeds, quoting, shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.intacct.convert import reading
from released_intacct.adapters.intacct.convert.feeds import (
    ACCOUNTS,
    AUDIT,
    TAX_DETAILS,
    dimension_feed,
    party_feed,
    payment_feed,
    transaction_feed,
)
from released_intacct.adapters.intacct.query import quote, text
from released_intacct.adapters.intacct.response import rows
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    IntacctStatus,
    Origin,
    PaymentKind,
    RecordType,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctId
from released_intacct.domain.intacct import ContactBlock, party_key
from released_intacct.domain.released import Address
from released_intacct.fakes.simulators.intacct.querystring import parse_query

Row = dict[str, object]
Read = Callable[[Row], Result[object, SyncError]]

AR_LINE: Row = {"ACCOUNTNO": "4000", "TRX_AMOUNT": "10.00"}
AR_INVOICE: Row = {
    "RECORDNO": "41",
    "RECORDID": "INV-1",
    "STATE": "Posted",
    "CUSTOMERID": "C1",
    "WHENCREATED": "02/20/2024",
    "CURRENCY": "USD",
    "ARINVOICEITEMS": {"arinvoiceitem": [AR_LINE]},
}
SO_LINE: Row = {"ITEMID": "4000-S", "QUANTITY": "2", "PRICE": "5"}
SO_DOC: Row = {
    "RECORDNO": "52",
    "DOCID": "Sales Invoice-SI0001",
    "DOCPARID": "Sales Invoice",
    "DOCNO": "SI0001",
    "STATE": "Pending",
    "CUSTVENDID": "C1",
    "WHENCREATED": "02/20/2024",
    "CURRENCY": "USD",
    "SODOCUMENTENTRIES": [SO_LINE],
}
AR_PAYMENT: Row = {
    "RECORDNO": "63",
    "RECORDTYPE": "rp",
    "STATE": "Complete",
    "CUSTOMERID": "C1",
    "RECEIPTDATE": "02/28/2024",
    "CURRENCY": "USD",
    "TOTALENTERED": "10.00",
    "ARPYMTDETAILS": {"arpymtdetail": {"RECORDKEY": "41", "TRX_PAYMENTAMOUNT": "10.00"}},
}
AUDIT_ROW: Row = {
    "RECORDNO": "70",
    "OBJECTTYPE": "customer",
    "OBJECTKEY": "C1",
    "ACCESSMODE": "Delete",
    "ACCESSTIME": "03/01/2024 10:00:00",
}

CUSTOMER: Row = {"RECORDNO": "8", "CUSTOMERID": "C1", "NAME": "Acme"}

READERS: dict[str, tuple[Read, Row]] = {
    "GLACCOUNT": (reading.gl_account, {"RECORDNO": "1", "ACCOUNTNO": "4000", "TITLE": "Rent"}),
    "TAXDETAIL": (reading.tax_detail, {"RECORDNO": "2", "DETAILID": "GST", "VALUE": "10"}),
    "DEPARTMENT": (
        lambda row: reading.dimension_value(DimensionKind.DEPARTMENT, row),
        {"RECORDNO": "3", "DEPARTMENTID": "D1", "TITLE": "Leasing"},
    ),
    "CUSTOMER": (lambda row: reading.party(ContactRole.CUSTOMER, row), CUSTOMER),
    "ITEM": (reading.item, {"RECORDNO": "9", "ITEMID": "4000-S", "NAME": "Rent [s]",
                            "ITEMTYPE": "Non-Inventory (Sales only)", "INCOMEACCTKEY": "4000"}),
    "ARINVOICE": (
        lambda row: reading.transaction(Origin.AR, DocumentKind.INVOICE, row), AR_INVOICE
    ),
    "SODOCUMENT": (
        lambda row: reading.transaction(Origin.ORDER_ENTRY, DocumentKind.INVOICE, row),
        SO_DOC,
    ),
    "ARPYMT": (lambda row: reading.payment(Origin.AR, row), AR_PAYMENT),
    "AUDITHISTORY": (lambda row: reading.deletion(RecordType.CONTACT, row), AUDIT_ROW),
}  # fmt: skip

BROKEN: list[tuple[str, str, object, str]] = [
    ("GLACCOUNT", "ACCOUNTNO", None, "ACCOUNTNO"),
    ("GLACCOUNT", "STATUS", "archived", "STATUS"),
    ("GLACCOUNT", "WHENMODIFIED", "2024-03-01T10:00", "WHENMODIFIED"),
    ("TAXDETAIL", "DETAILID", None, "DETAILID"),
    ("TAXDETAIL", "VALUE", "ten", "VALUE"),
    ("DEPARTMENT", "DEPARTMENTID", "", "DEPARTMENTID"),
    ("CUSTOMER", "NAME", None, "NAME"),
    ("CUSTOMER", "CUSTOMERID", {"nested": "x"}, "CUSTOMERID"),
    ("CUSTOMER", "CURRENCY", "DOLLARS", "CURRENCY"),
    ("CUSTOMER", "DISPLAYCONTACT", "not a block", "DISPLAYCONTACT"),
    ("ITEM", "ITEMID", None, "ITEMID"),
    ("ITEM", "INCOMEACCTKEY", None, "INCOMEACCTKEY"),
    ("ARINVOICE", "RECORDID", None, "RECORDID"),
    ("ARINVOICE", "STATE", "Haunted", "STATE"),
    ("ARINVOICE", "WHENCREATED", "31/31/2024", "WHENCREATED"),
    ("ARINVOICE", "CUSTOMERID", None, "CUSTOMERID"),
    ("ARINVOICE", "ARINVOICEITEMS", [{"TRX_AMOUNT": "1"}], "ARINVOICEITEMS[1].ACCOUNTNO"),
    ("ARINVOICE", "ARINVOICEITEMS", [{"ACCOUNTNO": "4000", "TRX_AMOUNT": "x"}],
     "ARINVOICEITEMS[1].TRX_AMOUNT"),
    ("ARINVOICE", "ARINVOICEITEMS", "three lines", "ARINVOICEITEMS"),
    ("SODOCUMENT", "DOCID", None, "DOCID"),
    ("SODOCUMENT", "DOCPARID", None, "DOCPARID"),
    ("SODOCUMENT", "CUSTVENDID", None, "CUSTVENDID"),
    ("SODOCUMENT", "SODOCUMENTENTRIES", [{"ITEMID": "4000-S", "PRICE": "5"}],
     "SODOCUMENTENTRIES[1].QUANTITY"),
    ("ARPYMT", "CUSTOMERID", None, "CUSTOMERID"),
    ("ARPYMT", "TOTALENTERED", None, "TOTALENTERED"),
    ("ARPYMT", "RECORDTYPE", "zz", "RECORDTYPE"),
    ("ARPYMT", "STATE", "Haunted", "STATE"),
    ("ARPYMT", "ARPYMTDETAILS", [{"TRX_PAYMENTAMOUNT": "10.00"}], "ARPYMTDETAILS[1].RECORDKEY"),
    ("AUDITHISTORY", "OBJECTKEY", None, "OBJECTKEY"),
    ("AUDITHISTORY", "ACCESSMODE", "Modify", "ACCESSMODE"),
    ("AUDITHISTORY", "ACCESSTIME", None, "ACCESSTIME"),
]  # fmt: skip


def _without(row: Row, field: str, value: object) -> Row:
    changed = dict(row)
    if value is None:
        changed.pop(field, None)
    else:
        changed[field] = value
    return changed


@pytest.mark.parametrize("name", list(READERS))
def test_each_reader_reads_its_good_row(name: str) -> None:
    read, row = READERS[name]
    assert is_successful(read(row))


@pytest.mark.parametrize(("name", "field", "value", "named"), BROKEN)
def test_M1_a_row_that_cannot_be_read_is_rejected_naming_the_field(
    name: str, field: str, value: object, named: str
) -> None:
    read, row = READERS[name]
    error = read(_without(row, field, value)).failure()
    assert error.kind is ErrorKind.REJECTED
    assert error.rule is Rule.M1
    assert f"field {named} " in error.message
    assert f"{name} {row['RECORDNO']}" in error.message
    assert error.record is not None
    assert error.record.intacct_key == row["RECORDNO"]


def test_M1_modified_at_names_a_bad_timestamp_and_reads_the_company_zone() -> None:
    error = reading.modified_at({"WHENMODIFIED": "yesterday"}).failure()
    assert "WHENMODIFIED" in error.message
    assert reading.modified_at({}).unwrap() is None
    pacific = timezone(timedelta(hours=-7))
    found = reading.modified_at({"WHENMODIFIED": "07/24/2017 15:19:46"}, tz=pacific).unwrap()
    assert found == datetime(2017, 7, 24, 22, 19, 46, tzinfo=UTC)


@pytest.mark.parametrize(
    "holder",
    [
        [AR_LINE, AR_LINE],
        {"arinvoiceitem": [AR_LINE, AR_LINE]},
        {"ARINVOICEITEM": [AR_LINE, AR_LINE]},
    ],
)
def test_lines_are_read_from_any_holder_shape(holder: object) -> None:
    tx = reading.transaction(
        Origin.AR, DocumentKind.INVOICE, {**AR_INVOICE, "ARINVOICEITEMS": holder}
    ).unwrap()
    assert [line.amount for line in tx.lines] == [Decimal(10), Decimal(10)]


def test_a_single_line_and_no_lines_are_read() -> None:
    one = reading.transaction(
        Origin.AR, DocumentKind.INVOICE, {**AR_INVOICE, "ARINVOICEITEMS": {"x": AR_LINE}}
    )
    assert len(one.unwrap().lines) == 1
    none = reading.transaction(
        Origin.AR, DocumentKind.INVOICE, {**AR_INVOICE, "ARINVOICEITEMS": ""}
    )
    assert none.unwrap().lines == ()


def test_a_line_party_equal_to_the_header_party_is_not_a_dimension() -> None:
    line = {**AR_LINE, "CUSTOMERID": "C1", "VENDORID": "V9", "TASKID": "T1", "LOCATIONID": "L1"}
    tx = reading.transaction(
        Origin.AR, DocumentKind.INVOICE, {**AR_INVOICE, "ARINVOICEITEMS": [line]}
    ).unwrap()
    kinds = [kind for kind, _ in tx.lines[0].dimensions]
    assert kinds == [DimensionKind.LOCATION, DimensionKind.TASK, DimensionKind.VENDOR]


def test_tax_comes_from_taxentries_or_the_line() -> None:
    entry = {"DETAILID": "GST", "TRX_TAX": "1.50"}
    taxed = {**AR_LINE, "TAXENTRIES": {"taxentry": entry}}
    line = (
        reading.transaction(
            Origin.AR, DocumentKind.INVOICE, {**AR_INVOICE, "ARINVOICEITEMS": [taxed]}
        )
        .unwrap()
        .lines[0]
    )
    assert (line.tax_detail_id, line.tax_amount) == ("GST", Decimal("1.50"))
    so = reading.transaction(
        Origin.ORDER_ENTRY,
        DocumentKind.INVOICE,
        {**SO_DOC, "SODOCUMENTENTRIES": [{**SO_LINE, "TAXDETAILID": "GST", "TAX": "0.99"}]},
    ).unwrap()
    assert (so.lines[0].tax_detail_id, so.lines[0].tax_amount) == ("GST", Decimal("0.99"))
    assert so.state is IntacctState.POSTED


def test_a_party_reads_its_contact_blocks_when_populated() -> None:
    address = {"ADDRESS1": "1 Quay St", "CITY": "Port", "ZIP": "04101"}
    row = {
        **CUSTOMER,
        "STATUS": "inactive",
        "DISPLAYCONTACT": {"FIRSTNAME": "Ann", "EMAIL1": "a@x.example", "MAILADDRESS": address},
        "SHIPTO": {"PHONE1": "555", "MAILADDRESS": {"CITY": "Dock"}},
        "BILLTO": {"MAILADDRESS": {"ADDRESS1": ""}, "PRINTAS": "ignored"},
    }
    party = reading.party(ContactRole.CUSTOMER, row).unwrap()
    assert party.primary == ContactBlock(
        first_name="Ann",
        email="a@x.example",
        address=Address(line1="1 Quay St", city="Port", postcode="04101"),
    )
    assert party.ship_to == ContactBlock(phone="555", address=Address(city="Dock"))
    assert party.bill_to is None
    assert party.status is IntacctStatus.INACTIVE


def test_correction_10_M1_the_primary_contact_is_contactinfo_and_blocks_fall_back_to_it() -> None:
    """Intacct's "Primary Contact" is CONTACTINFO (DISPLAYCONTACT when it is blank); a Ship-To or
    Bill-To resolved to the same contact is the fallback, not a contact of its own (seed 004)."""
    primary = {"FIRSTNAME": "Bo", "PHONE1": "555-1", "MAILADDRESS": {"ADDRESS1": "2 Main St"}}
    row = {
        **CUSTOMER,
        "DISPLAYCONTACT": {"FIRSTNAME": "Display", "MAILADDRESS": {"ADDRESS1": "1 Old Rd"}},
        "CONTACTINFO": primary,
        "SHIPTO": primary,
        "BILLTO": {"MAILADDRESS": {"ADDRESS1": "PO Box 9"}},
    }
    party = reading.party(ContactRole.CUSTOMER, row).unwrap()
    assert party.primary == ContactBlock(
        first_name="Bo", phone="555-1", address=Address(line1="2 Main St")
    )
    assert party.ship_to is None
    assert party.bill_to == ContactBlock(address=Address(line1="PO Box 9"))


def test_correction_10_dotted_and_nested_contact_fields_read_the_same() -> None:
    """A list function may answer ``<SHIPTO.MAILADDRESS.CITY>``, ``read`` nests it: the rows
    parser (``response.rows``) makes both one shape."""
    fields = {"RECORDNO": "7", "CUSTOMERID": "C7", "NAME": "Dock Co", "STATUS": "active"}
    plain = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())
    dotted = etree.fromstring(
        f"<data><customer>{plain}<SHIPTO.MAILADDRESS.CITY>Dock</SHIPTO.MAILADDRESS.CITY>"
        "<SHIPTO.PHONE1>555</SHIPTO.PHONE1></customer></data>"
    )
    nested = etree.fromstring(
        f"<data><CUSTOMER>{plain}<SHIPTO><PHONE1>555</PHONE1><MAILADDRESS><CITY>Dock</CITY>"
        "</MAILADDRESS></SHIPTO></CUSTOMER></data>"
    )
    read = [reading.party(ContactRole.CUSTOMER, rows(d)[0]).unwrap() for d in (dotted, nested)]
    assert read[0] == read[1]
    assert read[0].ship_to == ContactBlock(phone="555", address=Address(city="Dock"))


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"RECORDTYPE": "rr", "ARPYMTDETAILS": ""}, PaymentKind.ADVANCE),
        ({"RECORDTYPE": "pr"}, PaymentKind.ADVANCE),
        ({"TOTALENTERED": "15.00", "TOTALDUE": "5.00"}, PaymentKind.OVERPAYMENT),
        ({"RECORDTYPE": "ro"}, PaymentKind.ORDINARY),
        ({}, PaymentKind.ORDINARY),
    ],
)
def test_correction_2_payment_kinds_come_from_recordtype(changes: Row, kind: PaymentKind) -> None:
    assert reading.payment(Origin.AR, {**AR_PAYMENT, **changes}).unwrap().kind is kind


@pytest.mark.parametrize(
    ("state", "read"),
    [
        ("Complete", IntacctState.POSTED),
        ("Draft", IntacctState.DRAFT),
        ("Submitted", IntacctState.SUBMITTED),
        ("Reversed", IntacctState.REVERSED),
        ("Reversal", IntacctState.REVERSAL),
    ],
)
def test_correction_2_payment_states(state: str, read: IntacctState) -> None:
    assert reading.payment(Origin.AR, {**AR_PAYMENT, "STATE": state}).unwrap().state is read
    raw = {**AR_PAYMENT, "STATE": "", "RAWSTATE": "D"}
    assert reading.payment(Origin.AR, raw).unwrap().state is IntacctState.DRAFT


def test_correction_2_an_advance_allocated_later_is_a_payment_of_the_invoice() -> None:
    applied = {"RECORDKEY": "41", "ADVANCEKEY": "60", "TRX_POSTEDADVANCEAMOUNT": "7.50"}
    row = {**AR_PAYMENT, "TOTALENTERED": "0.00", "ARPYMTDETAILS": [applied]}
    payment = reading.payment(Origin.AR, row).unwrap()
    assert (payment.kind, payment.amount) == (PaymentKind.ORDINARY, Decimal("7.50"))
    assert [(a.document_key, a.amount) for a in payment.applications] == [("41", Decimal("7.50"))]


def test_correction_2_a_payment_of_several_customers_and_its_credits() -> None:
    details = [
        {"RECORDKEY": "41", "TRX_PAYMENTAMOUNT": "6.00"},
        {"RECORDKEY": "42", "TRX_PAYMENTAMOUNT": "4.00"},
        {"RECORDKEY": "42", "ADJUSTMENTKEY": "70", "TRX_ADJUSTMENTAMOUNT": "2.00"},
    ]
    row = {**AR_PAYMENT, "CUSTOMERID": "", "PAYERNAME": "Group", "ARPYMTDETAILS": details}
    payment = reading.payment(Origin.AR, row).unwrap()
    assert (payment.party_id, payment.payer) == (None, "Group")
    assert [(a.document_key, a.amount) for a in payment.applications] == [
        ("41", Decimal(6)),
        ("42", Decimal(4)),
    ]
    assert [(c.document_key, c.amount) for c in payment.credits] == [("42", Decimal(2))]
    nobody = {**AR_PAYMENT, "CUSTOMERID": ""}
    assert "CUSTOMERID" in reading.payment(Origin.AR, nobody).failure().message


def test_payment_applications_to_one_document_are_summed() -> None:
    details = [
        {"RECORDKEY": "41", "TRX_PAYMENTAMOUNT": "4.00"},
        {"RECORDKEY": "42", "TRX_PAYMENTAMOUNT": "1.00"},
        {"RECORDKEY": "41", "TRX_PAYMENTAMOUNT": "5.00"},
    ]
    payment = reading.payment(Origin.AR, {**AR_PAYMENT, "ARPYMTDETAILS": details}).unwrap()
    assert [(a.document_key, a.amount) for a in payment.applications] == [
        ("41", Decimal(9)),
        ("42", Decimal(1)),
    ]


def test_a_deleted_party_is_keyed_by_role() -> None:
    found = reading.deletion(RecordType.CONTACT, AUDIT_ROW).unwrap()
    assert found.key == party_key(ContactRole.CUSTOMER, IntacctId("C1"))
    assert found.deleted_at == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_feeds_name_their_objects_and_conditions() -> None:
    assert (ACCOUNTS.object_name, TAX_DETAILS.object_name) == ("GLACCOUNT", "TAXDETAIL")
    assert dimension_feed(DimensionKind.VENDOR).object_name == "VENDOR"
    assert party_feed(ContactRole.VENDOR).record_type is RecordType.CONTACT
    assert payment_feed(Origin.AP).object_name == "APPYMT"
    assert transaction_feed(Origin.AP, DocumentKind.CREDIT_NOTE).object_name == "APADJUSTMENT"
    returns = transaction_feed(Origin.PURCHASING, DocumentKind.CREDIT_NOTE)
    assert (returns.object_name, returns.docparid) == ("PODOCUMENT", "Vendor Return")
    assert text(returns.where) == "DOCPARID = 'Vendor Return'"
    since = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    pacific = timezone(timedelta(hours=-8))
    assert text(ACCOUNTS.select(since, tz=pacific).where) == (
        "WHENMODIFIED >= '03/01/2024 01:30:00'"
    )
    audit = AUDIT.feed(RecordType.CONTACT)
    assert text(audit.select(since).where) == (
        "(ACCESSMODE = 'D' AND OBJECTTYPE IN ('customer', 'vendor')) AND "
        "ACCESSTIME >= '03/01/2024 09:30:00'"
    )
    with pytest.raises(ValueError, match="AR or AP"):
        payment_feed(Origin.ORDER_ENTRY)


def test_quoted_values_match_exactly_in_the_query_grammar() -> None:
    value = "Erik's \\ Deli"
    assert quote(value) == "'Erik\\'s \\\\ Deli'"
    predicate = parse_query(f"NAME = {quote(value)}")
    assert predicate(lambda field: value if field == "NAME" else None)
    assert not predicate(lambda field: "Erik's Deli" if field == "NAME" else None)


BEYOND: list[tuple[str, str, object, str, str]] = [
    ("ARINVOICE", "ARINVOICEITEMS", [{"ACCOUNTNO": "4000", "TRX_AMOUNT": "1" * 27 + ".00"}],
     "ARINVOICEITEMS[1].TRX_AMOUNT", "more than 15 digits before the decimal point"),
    ("ARINVOICE", "ARINVOICEITEMS", [{"ACCOUNTNO": "4000", "TRX_AMOUNT": "-" + "9" * 16}],
     "ARINVOICEITEMS[1].TRX_AMOUNT", "more than 15 digits before the decimal point"),
    ("SODOCUMENT", "SODOCUMENTENTRIES", [{**SO_LINE, "PRICE": "5.00000000001"}],
     "SODOCUMENTENTRIES[1].PRICE", "more than 10 decimal places"),
    ("SODOCUMENT", "SODOCUMENTENTRIES", [{**SO_LINE, "QUANTITY": "1,000,000,000,000,000"}],
     "SODOCUMENTENTRIES[1].QUANTITY", "more than 15 digits before the decimal point"),
    ("TAXDETAIL", "VALUE", "1" * 30, "VALUE", "more than 15 digits"),
    ("ARPYMT", "TOTALENTERED", "1" * 16, "TOTALENTERED", "more than 15 digits"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "field", "value", "named", "why"), BEYOND)
def test_F5_an_amount_beyond_the_bounds_is_refused_naming_the_field(
    name: str, field: str, value: object, named: str, why: str
) -> None:
    """Up to 40 characters were taken, and a 27-digit amount made ``quantize`` raise later:
    digits and scale are bounded where the row is read, as a problem of that record (M1)."""
    read, row = READERS[name]
    error = read(_without(row, field, value)).failure()
    assert error.kind is ErrorKind.REJECTED
    assert f"field {named} could not be read (it has {why}" in error.message
    assert error.record is not None
    assert error.record.intacct_key == row["RECORDNO"]


def test_F5_an_invoice_without_its_record_number_is_refused_naming_the_field() -> None:
    """Its link key is its RECORDNO: without one it made the documents step raise."""
    error = reading.transaction(
        Origin.AR, DocumentKind.INVOICE, _without(AR_INVOICE, "RECORDNO", None)
    )
    assert "field RECORDNO could not be read (it is missing or empty)" in error.failure().message
