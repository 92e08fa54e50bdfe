"""Small lxml builders shared by the writers: text children, split dates, plain decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

Element = etree._Element

DATE = "%m/%d/%Y"
_child = etree.SubElement  # looked up once: the writers make tens of elements a record


def sub(parent: Element, tag: str, text: str | None = None) -> Element:
    child = _child(parent, tag)
    if text is not None:
        child.text = text
    return child


def optional(parent: Element, tag: str, text: str | None) -> None:
    """A text child, only when there is text."""
    if text:
        sub(parent, tag, text)


def plain(amount: Decimal) -> str:
    """A decimal as plain text (no exponent): ``Decimal("1E+2")`` → ``100``."""
    return format(amount, "f")


def split_date(parent: Element, tag: str, when: date) -> None:
    """A legacy date: ``<tag><year/><month/><day/></tag>``."""
    block = _child(parent, tag)
    _child(block, "year").text = f"{when.year:04d}"
    _child(block, "month").text = f"{when.month:02d}"
    _child(block, "day").text = f"{when.day:02d}"


def us_date(when: date) -> str:
    """A generic-function date: ``mm/dd/yyyy``."""
    return when.strftime(DATE)
