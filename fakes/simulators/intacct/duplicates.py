"""Duplicate refusals: what a write answers when the id it gives is already taken (correction 7).

Duplicates have no single errorno; each documented refusal is answered as its source shows it:

- GLACCOUNT: BL01001973 "Duplicate account number" / "The account number '5000.11' already
  exists" / "Enter unique account number", then BL01001973 "Could not create GL Account record.";
  with ``showadditionalerrorinfo``, GL-0493 "Duplication Prevention"
  (``IA.DUPLICATE_ACCOUNT_NUMBER`` ...) and GL-0504 "Unable to create record." ([XMLDOC]
  ``xml/requests.md``, both samples).
- CLASS: BL34000061 "Another Class with the given value(s) UT01  already exists" / "Use a unique
  value instead.", then BL01001973 "Could not create class record!" and "Could not create Class
  record!" ([PHP] ``IntacctClientTest::testCreateFailure``; the two spaces are the sample's).
- EMPLOYEE: BL34000061 ([FYAPI] ``tasks.py`` takes BL34000061 or PL05000104 as "the employee
  already exists"); its text follows the CLASS sample (**inferred**), and PL05000104 is not
  answered (when Intacct gives it instead is not documented).
- anything else (CUSTOMER, VENDOR, documents' numbers, ...): BL34000061 then BL01001973, as the
  CLASS sample (**inferred**; [FYAPI] ``utils.py`` matches "Another record with the value" in a
  vendor's description2, a text not seen in a reply).
"""

from __future__ import annotations

from released_intacct.fakes.simulators.intacct.errors import (
    GENERIC,
    AdditionalInfo,
    ErrorDetail,
    GatewayError,
)

__all__ = ["DUPLICATE", "DuplicateError", "another", "taken"]


class DuplicateError(GatewayError):
    """A refusal because the id or number given is taken (the REST API answers it 409)."""


DUPLICATE = "BL34000061"
"""The errorno of "Another … with the given value(s) … already exists" (CLASS, employees)."""


def taken(object_name: str, singular: str, given: str) -> DuplicateError:
    """A generic ``create`` of ``object_name`` whose id ``given`` another record holds."""
    if object_name == "GLACCOUNT":
        return _account(given)
    then = [f"Could not create {object_name.lower()} record!"]
    if object_name == "CLASS":
        then.append(f"Could not create {singular} record!")
    return another(singular, given, then=then)


def another(noun: str, given: str, *, then: list[str]) -> DuplicateError:
    """BL34000061 for ``noun`` (as Intacct capitalises it) and ``given``, then a BL01001973 each
    for the texts of ``then``."""
    first = ErrorDetail(
        DUPLICATE,
        description2=f"Another {noun} with the given value(s) {given}  already exists",
        correction="Use a unique value instead.",
    )
    return DuplicateError(first, *(ErrorDetail(GENERIC, description2=text) for text in then))


def _account(given: str) -> DuplicateError:
    duplicate = ErrorDetail(
        GENERIC,
        description="Duplicate account number",
        description2=f"The account number '{given}' already exists",
        correction="Enter unique account number",
        info=AdditionalInfo(
            errorid="GL-0493",
            category="Duplication Prevention",
            description="IA.DUPLICATE_ACCOUNT_NUMBER",
            cdescription="IA.THE_ACCOUNT_NUMBER_ALREADY_EXISTS",
            correction="IA.ENTER_UNIQUE_ACCOUNT_NUMBER",
            placeholders=(("ACCOUNTNO", given),),
        ),
    )
    not_created = ErrorDetail(
        GENERIC,
        description2="Could not create GL Account record.",
        info=AdditionalInfo(
            errorid="GL-0504",
            category="Unable to create record.",
            cdescription="IA.COULD_NOT_CREATE_GL_ACCOUNT_RECORD",
        ),
    )
    return DuplicateError(duplicate, not_created)
