"""The objects the simulator knows, with the facts its functions need about each."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_FIELDS = frozenset({"WHENMODIFIED", "MEGAENTITYID"})
"""Fields a write never sets. RECORDNO passes (``update`` finds the record by it; ``create``
assigns its own) and so does WHENCREATED (the transaction date of AR/AP documents, e.g.
``<APBILL><WHENCREATED>``; ``Company.insert`` stamps it when absent)."""


@dataclass(frozen=True, slots=True)
class ObjectDef:
    name: str
    id_field: str | None
    """The human id (CUSTOMERID, ACCOUNTNO, ...), unique per company; None when only RECORDNO."""
    name_field: str | None = None
    lines: str | None = None
    """The element holding the lines of a transaction (APBILLITEMS, SODOCUMENTENTRIES, ...)."""
    sequence: str | None = None
    """The ``Settings`` flag that turns on document sequencing for the id."""
    prefix: str = ""
    missing_id: tuple[str, str] | None = None
    """The errorno and text when the id is missing and sequencing is off (else BL01001973)."""
    id_is_recordno: bool = False
    """A create without the id gets the record's RECORDNO as its id (TASKID)."""
    id_within: str | None = None
    """The id is unique among the records with the same value of this field (TASKID within its
    PROJECTID), not in the whole company."""
    generic_create: bool = True
    """False where the real gateway only creates through a legacy function (ARINVOICE, ...)."""
    fields: tuple[str, ...] = ()
    """Fields listed by ``inspect`` besides the system fields and what records hold."""
    read_only: bool = False
    view: tuple[str, str, str] | None = None
    """A view of another object's records: (stored in, field, value) (ARADVANCE: the ARPYMT
    records of RECORDTYPE ``rr``)."""

    @property
    def home(self) -> str:
        """The table its records are stored in."""
        return self.view[0] if self.view else self.name

    @property
    def singular(self) -> str:
        return self.name.title()


def _dimension(
    name: str, id_field: str, name_field: str = "NAME", *, sequence: str | None = None
) -> ObjectDef:
    prefix = name[0] if sequence else ""
    fields = (id_field, name_field, "STATUS")
    return ObjectDef(name, id_field, name_field, sequence=sequence, prefix=prefix, fields=fields)


_PARTY = ("NAME", "STATUS", "CURRENCY", "DISPLAYCONTACT", "SHIPTO", "BILLTO", "CONTACTINFO")
_TX = (
    "RECORDID",
    "RECORDTYPE",
    "TERMNAME",
    "STATE",
    "WHENPOSTED",
    "WHENDUE",
    "WHENPAID",
    "DOCNUMBER",
    "DESCRIPTION",
    "EXTERNALID",
    "CURRENCY",
    "BASECURR",
    "TOTALENTERED",
    "TOTALPAID",
    "TOTALDUE",
)

OBJECTS: dict[str, ObjectDef] = {
    d.name: d
    for d in (
        ObjectDef(
            "CUSTOMER",
            "CUSTOMERID",
            "NAME",
            sequence="customer_sequencing",
            prefix="C",
            fields=_PARTY,
        ),
        ObjectDef(
            "VENDOR",
            "VENDORID",
            "NAME",
            sequence="vendor_sequencing",
            prefix="V",
            fields=(*_PARTY, "PAYTO", "RETURNTO"),
        ),
        ObjectDef("CONTACT", "CONTACTNAME", "PRINTAS", fields=("PRINTAS", "STATUS", "MAILADDRESS")),
        ObjectDef(
            "GLACCOUNT",
            "ACCOUNTNO",
            "TITLE",
            fields=("ACCOUNTNO", "TITLE", "ACCOUNTTYPE", "NORMALBALANCE", "STATUS"),
        ),
        ObjectDef(
            "TAXDETAIL",
            "DETAILID",
            "DETAILID",
            fields=("DETAILID", "TAXTYPE", "VALUE", "TAXSOLUTIONID", "STATUS"),
        ),
        ObjectDef(
            "TAXSOLUTION",
            "SOLUTIONID",
            "SOLUTIONID",
            fields=("SOLUTIONID", "TAXMETHOD", "STARTDATE", "STATUS"),
        ),
        ObjectDef(
            "LOCATIONENTITY", "LOCATIONID", "NAME", fields=("LOCATIONID", "NAME", "CURRENCY")
        ),
        _dimension("DEPARTMENT", "DEPARTMENTID", "TITLE"),
        _dimension("LOCATION", "LOCATIONID"),
        _dimension("PROJECT", "PROJECTID", sequence="project_sequencing"),
        _dimension("EMPLOYEE", "EMPLOYEEID", sequence="employee_sequencing"),
        _dimension("CLASS", "CLASSID"),
        _dimension("CONTRACT", "CONTRACTID"),
        ObjectDef(
            "TASK",
            "TASKID",
            "NAME",
            id_is_recordno=True,
            id_within="PROJECTID",
            fields=("TASKID", "NAME", "PROJECTID", "STATUS"),
        ),
        _dimension("WAREHOUSE", "WAREHOUSEID"),
        ObjectDef(
            "ITEM",
            "ITEMID",
            "NAME",
            fields=("ITEMID", "NAME", "ITEMTYPE", "STATUS", "INCOMEACCTKEY", "EXPENSEACCTKEY"),
        ),
        ObjectDef(
            "ARACCOUNTLABEL",
            "ACCOUNTLABEL",
            "DESCRIPTION",
            fields=("ACCOUNTLABEL", "DESCRIPTION", "GLACCOUNTNO", "STATUS"),
        ),
        ObjectDef(
            "APACCOUNTLABEL",
            "ACCOUNTLABEL",
            "DESCRIPTION",
            fields=("ACCOUNTLABEL", "DESCRIPTION", "GLACCOUNTNO", "STATUS"),
        ),
        ObjectDef(
            "ARINVOICE",
            "RECORDID",
            lines="ARINVOICEITEMS",
            sequence="customer_sequencing",
            prefix="INV-",
            generic_create=False,
            fields=(*_TX, "CUSTOMERID", "CUSTOMERNAME", "TAXTOTAL", "MODULEKEY", "SYSTEMGENERATED"),
        ),
        ObjectDef(
            "APBILL",
            "RECORDID",
            lines="APBILLITEMS",
            sequence="vendor_sequencing",
            prefix="BILL-",
            missing_id=("BL03002128", "Enter a Bill number, and try again."),
            fields=(*_TX, "VENDORID", "VENDORNAME", "PAYMENTPRIORITY", "ONHOLD", "MODULEKEY"),
        ),
        ObjectDef(
            "ARADJUSTMENT",
            "RECORDID",
            lines="ARADJUSTMENTITEMS",
            sequence="customer_sequencing",
            prefix="ADJ-",
            generic_create=False,
            fields=(*_TX, "CUSTOMERID", "CUSTOMERNAME", "INVOICENO"),
        ),
        ObjectDef(
            "APADJUSTMENT",
            "RECORDID",
            lines="APADJUSTMENTITEMS",
            sequence="vendor_sequencing",
            prefix="VADJ-",
            generic_create=False,
            fields=(*_TX, "VENDORID", "VENDORNAME", "BILLNO"),
        ),
        ObjectDef(
            "ARPYMT",
            None,
            lines="ARPYMTDETAILS",
            fields=(
                "CUSTOMERID",
                "CUSTOMERNAME",
                "RECORDTYPE",
                "STATE",
                "RAWSTATE",
                "PAYMENTMETHOD",
                "PAYERNAME",
                "RECEIPTDATE",
                "WHENPAID",
                "CURRENCY",
                "BASECURR",
                "TOTALENTERED",
                "TOTALPAID",
                "TOTALDUE",
                "DOCNUMBER",
                "PARENTPAYMENTKEY",
            ),
        ),
        ObjectDef(
            "APPYMT",
            None,
            lines="APPYMTDETAILS",
            fields=(
                "VENDORID",
                "VENDORNAME",
                "RECORDTYPE",
                "STATE",
                "RAWSTATE",
                "PAYMENTMETHOD",
                "PAYMENTDATE",
                "WHENPAID",
                "CURRENCY",
                "BASECURR",
                "AMOUNTTOPAY",
                "TOTALENTERED",
                "TOTALPAID",
                "TOTALDUE",
                "DOCNUMBER",
                "PARENTPAYMENTKEY",
            ),
        ),
        ObjectDef(
            "SODOCUMENT",
            "DOCID",
            lines="SODOCUMENTENTRIES",
            generic_create=False,
            fields=(
                "DOCID",
                "DOCPARID",
                "DOCNO",
                "STATE",
                "CUSTVENDID",
                "WHENCREATED",
                "WHENDUE",
                "PRRECORDKEY",
                "CREATEDFROM",
                "PONUMBER",
                "CUSTVENDNAME",
                "CURRENCY",
                "SUBTOTAL",
                "TAXTOTAL",
                "TOTAL",
                "TAXSOLUTIONID",
                "EXTERNALID",
            ),
        ),
        ObjectDef(
            "PODOCUMENT",
            "DOCID",
            lines="PODOCUMENTENTRIES",
            generic_create=False,
            fields=(
                "DOCID",
                "DOCPARID",
                "DOCNO",
                "STATE",
                "CUSTVENDID",
                "WHENCREATED",
                "WHENDUE",
                "PRRECORDKEY",
                "CREATEDFROM",
                "PONUMBER",
                "CUSTVENDNAME",
                "CURRENCY",
                "SUBTOTAL",
                "TAXTOTAL",
                "TOTAL",
                "TAXSOLUTIONID",
                "EXTERNALID",
            ),
        ),
        ObjectDef(
            "ARADVANCE",
            None,
            lines="ARADVANCEITEMS",
            view=("ARPYMT", "RECORDTYPE", "rr"),
            fields=(
                "CUSTOMERID",
                "RECORDTYPE",
                "STATE",
                "PAYMENTMETHOD",
                "RECEIPTDATE",
                "PAYMENTDATE",
                "TOTALENTERED",
                "TOTALPAID",
                "TOTALDUE",
                "DOCNUMBER",
            ),
        ),
        ObjectDef(
            "APADVANCE",
            None,
            read_only=True,
            view=("APPYMT", "RECORDTYPE", "pr"),
            fields=(
                "VENDORID",
                "RECORDTYPE",
                "STATE",
                "PAYMENTMETHOD",
                "PAYMENTDATE",
                "TOTALENTERED",
                "TOTALPAID",
                "TOTALDUE",
                "DOCNUMBER",
            ),
        ),
        ObjectDef(
            "CUSTOMERREFUND",
            None,
            read_only=True,
            fields=(
                "CUSTOMERID",
                "RECORDTYPE",
                "STATE",
                "PAYMENTMETHOD",
                "REFUNDDATE",
                "TOTALENTERED",
                "DOCNUMBER",
                "DESCRIPTION",
            ),
        ),
        ObjectDef("SODOCUMENTPARAMS", "DOCID", fields=("DOCID", "DOCCLASS")),
        ObjectDef("PODOCUMENTPARAMS", "DOCID", fields=("DOCID", "DOCCLASS")),
        ObjectDef(
            "AUDITHISTORY",
            None,
            read_only=True,
            fields=("OBJECTTYPE", "OBJECTKEY", "ACCESSMODE", "ACCESSTIME", "SOURCE"),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class LineObject:
    """A line object: the lines of one header object, queryable on their own.

    ``keys`` are (line field, header field) pairs copied onto every line: the header's key
    (RECORDKEY, DOCHDRNO, PAYMENTKEY) and, for OE/PO, its DOCID (DOCHDRID).
    """

    name: str
    header: str
    keys: tuple[tuple[str, str], ...]

    @property
    def holder(self) -> str:
        holder = OBJECTS[self.header].lines
        if holder is None:
            msg = f"{self.header} has no lines"
            raise ValueError(msg)
        return holder


_LINE_FIELDS = ("RECORDKEY", "LINE_NO", "ACCOUNTNO", "AMOUNT", "TRX_AMOUNT", "ENTRYDESCRIPTION")
_ENTRY_FIELDS = ("DOCHDRNO", "DOCHDRID", "LINE_NO", "ITEMID", "QUANTITY", "PRICE", "TOTAL", "MEMO")
_DETAIL_FIELDS = ("PAYMENTKEY", "RECORDKEY", "ENTRYKEY", "TRX_PAYMENTAMOUNT", "PAYMENTDATE")

LINE_OBJECTS: dict[str, LineObject] = {
    line.name: line
    for line in (
        LineObject("ARINVOICEITEM", "ARINVOICE", (("RECORDKEY", "RECORDNO"),)),
        LineObject("APBILLITEM", "APBILL", (("RECORDKEY", "RECORDNO"),)),
        LineObject("ARADJUSTMENTITEM", "ARADJUSTMENT", (("RECORDKEY", "RECORDNO"),)),
        LineObject("APADJUSTMENTITEM", "APADJUSTMENT", (("RECORDKEY", "RECORDNO"),)),
        LineObject(
            "SODOCUMENTENTRY", "SODOCUMENT", (("DOCHDRNO", "RECORDNO"), ("DOCHDRID", "DOCID"))
        ),
        LineObject(
            "PODOCUMENTENTRY", "PODOCUMENT", (("DOCHDRNO", "RECORDNO"), ("DOCHDRID", "DOCID"))
        ),
        LineObject("ARPYMTDETAIL", "ARPYMT", (("PAYMENTKEY", "RECORDNO"),)),
        LineObject("APPYMTDETAIL", "APPYMT", (("PAYMENTKEY", "RECORDNO"),)),
    )
}
"""The line objects, by name (spec correction 1: lines come through ``read`` or these)."""

LINES_OF: dict[str, LineObject] = {line.header: line for line in LINE_OBJECTS.values()}
"""The line object of each header object that has one."""

for _line in LINE_OBJECTS.values():
    _fields = {"ARPYMTDETAIL": _DETAIL_FIELDS, "APPYMTDETAIL": _DETAIL_FIELDS}.get(
        _line.name, _ENTRY_FIELDS if _line.name.endswith("ENTRY") else _LINE_FIELDS
    )
    OBJECTS[_line.name] = ObjectDef(_line.name, None, read_only=True, fields=_fields)


def lookup(name: str) -> ObjectDef | None:
    return OBJECTS.get(name.strip().upper())
