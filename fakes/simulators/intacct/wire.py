"""Reading requests and writing responses: a hardened lxml parser and element helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lxml import etree

Element = etree._Element

MAX_REQUEST_BYTES = 10 * 1024 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=True,
)


class MalformedRequestError(Exception):
    """The body is not XML the gateway can read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse(body: bytes) -> Element:
    if len(body) > MAX_REQUEST_BYTES:
        msg = f"request is larger than {MAX_REQUEST_BYTES} bytes"
        raise MalformedRequestError(msg)
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise MalformedRequestError(str(error)) from error
    if root is None:  # an empty document
        msg = "empty request"
        raise MalformedRequestError(msg)
    return root


def text_of(parent: Element, tag: str, default: str = "") -> str:
    """The stripped text of the first child ``tag`` (any position: child order is free)."""
    child = parent.find(tag)
    if child is None or child.text is None:
        return default
    return child.text.strip()


def has(parent: Element, tag: str) -> bool:
    return parent.find(tag) is not None


def sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def write_value(parent: Element, tag: str, value: object) -> None:
    """A record field: text, a nested block (dict) or repeated children (list of dicts)."""
    if isinstance(value, Mapping):
        block = sub(parent, tag)
        for key, inner in value.items():
            write_value(block, key, inner)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        holder = sub(parent, tag)
        child_tag = _singular(tag).lower()
        for item in value:
            write_value(holder, child_tag, item)
    else:
        sub(parent, tag, "" if value is None else str(value))


def read_value(element: Element) -> object:
    """A record field from XML: text, a dict of its children, or a list of repeated children."""
    children = list(element)
    if not children:
        return (element.text or "").strip()
    if is_list_holder(element):
        return [read_value(child) for child in children]
    return {str(child.tag): read_value(child) for child in children}


def is_list_holder(element: Element) -> bool:
    """``<APBILLITEMS><APBILLITEM>``, ``<SODOCUMENTENTRIES><sodocumententry>``: a list of lines."""
    tags = {str(child.tag).upper() for child in element}
    if len(tags) != 1:
        return False
    (child,) = tags
    parent = str(element.tag).upper()
    return parent in (child + "S", child + "ES", child[:-1] + "IES")


FRAGMENT = "fragment"
"""The tag of a handler's answer that puts several elements directly under ``<result>``."""


def fragment(*parts: Element) -> Element:
    """Elements to write side by side under ``<result>`` (``get_list``: ``<listtype>``, then
    ``<data>``); the gateway writes the parts, never the ``<fragment>`` holding them."""
    holder = etree.Element(FRAGMENT)
    holder.extend(parts)
    return holder


def serialize(root: Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _singular(tag: str) -> str:
    if tag.endswith("IES"):
        return tag[:-3] + "Y"
    return tag[:-1] if tag.endswith("S") else tag
