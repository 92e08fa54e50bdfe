"""The closed vocabularies of both systems: record types, statuses, kinds and origins."""

from __future__ import annotations

from enum import Enum


class System(Enum):
    RELEASED = "released"
    INTACCT = "intacct"


class IntacctApi(Enum):
    """Which Sage Intacct API a connection speaks (its setting ``intacct.api``)."""

    XML = "xml"
    REST = "rest"


class Direction(Enum):
    """Seen from the product: incoming is Intacct to Re-Leased, outgoing Re-Leased to Intacct."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


class RecordType(Enum):
    ACCOUNT = "account"
    TAX_TYPE = "tax_type"
    TRACKING_CATEGORY = "tracking_category"
    TRACKING_OPTION = "tracking_option"
    CONTACT = "contact"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    ITEM = "item"

    __hash__ = object.__hash__  # a member is its own identity: hashed in C, not by its name


class ContactRole(Enum):
    """A customer is billed (income side); a vendor bills (expense side)."""

    CUSTOMER = "customer"
    VENDOR = "vendor"


class ReleasedStatus(Enum):
    """Status of a Re-Leased contact, account, tax type or tracking category/option."""

    ACTIVE = "Active"
    ARCHIVED = "Archived"


class IntacctStatus(Enum):
    """STATUS of Intacct master data."""

    ACTIVE = "active"
    INACTIVE = "inactive"


class InvoiceType(Enum):
    INCOME = "Income"
    EXPENSE = "Expense"


class DocumentKind(Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class Origin(Enum):
    """Which Intacct module a transaction belongs to."""

    AR = "AR"
    AP = "AP"
    ORDER_ENTRY = "OE"
    PURCHASING = "PO"

    @property
    def is_order_module(self) -> bool:
        return self in (Origin.ORDER_ENTRY, Origin.PURCHASING)

    @property
    def invoice_type(self) -> InvoiceType:
        if self in (Origin.AR, Origin.ORDER_ENTRY):
            return InvoiceType.INCOME
        return InvoiceType.EXPENSE

    @property
    def role(self) -> ContactRole:
        if self.invoice_type is InvoiceType.INCOME:
            return ContactRole.CUSTOMER
        return ContactRole.VENDOR


class ReleasedInvoiceStatus(Enum):
    DRAFT = "Draft"
    AWAITING_APPROVAL = "AwaitingApproval"
    APPROVED = "Approved"
    PAID = "Paid"
    VOIDED = "Voided"


class IntacctState(Enum):
    """STATE of an Intacct invoice, bill, adjustment, document or payment."""

    DRAFT = "Draft"
    SUBMITTED = "Submitted"
    PARTIALLY_APPROVED = "Partially approved"
    DECLINED = "Declined"
    POSTED = "Posted"
    SELECTED = "Selected"
    PARTIALLY_PAID = "Partially Paid"
    PAID = "Paid"
    REVERSED = "Reversed"
    REVERSAL = "Reversal"
    NO_VALUE = "No value"

    @property
    def is_unposted(self) -> bool:
        return self in (
            IntacctState.DRAFT,
            IntacctState.SUBMITTED,
            IntacctState.PARTIALLY_APPROVED,
            IntacctState.DECLINED,
        )


class PaymentKind(Enum):
    ORDINARY = "ordinary"
    JOURNAL_ENTRY = "journal_entry"
    ADVANCE = "advance"
    OVERPAYMENT = "overpayment"
    REFUND = "refund"


class ReleasedPaymentStatus(Enum):
    ACTIVE = "Active"
    DELETED = "Deleted"


class DimensionKind(Enum):
    """The Intacct line fields that sync as Re-Leased tracking categories (rule M2)."""

    DEPARTMENT = "DEPARTMENT"
    LOCATION = "LOCATION"
    PROJECT = "PROJECT"
    CUSTOMER = "CUSTOMER"
    EMPLOYEE = "EMPLOYEE"
    ITEM = "ITEM"
    CLASS = "CLASS"
    CONTRACT = "CONTRACT"
    TASK = "TASK"
    WAREHOUSE = "WAREHOUSE"
    VENDOR = "VENDOR"

    __hash__ = object.__hash__  # as RecordType's

    @property
    def label(self) -> str:
        """The tracking category name shown in Re-Leased."""
        return "Vendor/Supplier" if self is DimensionKind.VENDOR else self.value.title()


class Prerequisite(Enum):
    """What Intacct's set-up must hold before confirm (rule C5), one value per check."""

    CUSTOMER_SEQUENCING = "customer_sequencing"
    VENDOR_SEQUENCING = "vendor_sequencing"
    ACCOUNT_LABELS_OFF = "account_labels_off"
    ITEMS = "items"
    ITEM_CREATES = "item_creates"
    EXTERNAL_TAX = "external_tax"
    SUBTOTAL_DEFAULTING = "subtotal_defaulting"
    BASE_CURRENCY = "base_currency"
