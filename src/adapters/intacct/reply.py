"""What one reply of the gateway says, as plain values (spec §2): the control block, the
authentication block and one :class:`FunctionResult` per function; and the paging attributes of a
``<data>``. ``response`` reads a body into these; ``classify`` decides what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

__all__ = ["FunctionResult", "IntacctError", "PageInfo", "Response"]


@dataclass(frozen=True, slots=True)
class IntacctError:
    """One ``<error>`` of an ``<errormessage>``."""

    errorno: str
    description: str
    description2: str
    correction: str


@dataclass(frozen=True, slots=True)
class FunctionResult:
    """One ``<result>``: the outcome of one function, echoing its ``controlid``."""

    status: str
    function: str
    controlid: str
    data: etree._Element | None
    key: str | None
    """The new key a legacy ``create_*`` returns (``<key>C1234</key>``)."""
    errors: tuple[IntacctError, ...]

    @property
    def ok(self) -> bool:
        return self.status == "success"


@dataclass(frozen=True, slots=True)
class Response:
    control_ok: bool
    control_errors: tuple[IntacctError, ...]
    auth_ok: bool | None
    """``None`` when there is no ``<operation>`` (the control block failed)."""
    auth_errors: tuple[IntacctError, ...]
    results: tuple[FunctionResult, ...]
    session_timestamp: str = ""
    """``<authentication><sessiontimestamp>``: "now" at Intacct with a UTC offset
    (``2015-10-22T20:58:27-07:00``); ``""`` when absent."""


@dataclass(frozen=True, slots=True)
class PageInfo:
    """The paging attributes of a ``<data>`` (readByQuery / readMore / query)."""

    count: int
    total: int | None
    remaining: int
    result_id: str
    offset: int | None
