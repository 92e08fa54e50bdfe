"""Building Intacct gateway requests and reading responses, for tests of the simulator.

Test support: a small, independent writer of the request envelope (not the product's adapter), so
simulator tests do not depend on the code the simulator exists to test.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

Element = etree._Element


@dataclass(frozen=True)
class Login:
    user_id: str = "ws_user"
    company_id: str = "DEMO"
    password: str = "ws_pass"  # noqa: S105 - the demo seed's published test password
    entity: str | None = None


def request(
    *functions: str,
    sender: tuple[str, str] = ("demo-sender", "demo-sender-pass"),
    auth: Login | str = Login(),
    transaction: bool | None = None,
    unique: bool | None = False,
    controlids: tuple[str, ...] = (),
) -> bytes:
    """An envelope around ``functions`` (each one function's inner XML); ``unique=None`` leaves
    ``<uniqueid>`` out."""
    root = etree.Element("request")
    control = etree.SubElement(root, "control")
    for tag, text in (
        ("senderid", sender[0]),
        ("password", sender[1]),
        ("controlid", "test-request"),
        ("uniqueid", None if unique is None else "true" if unique else "false"),
        ("dtdversion", "3.0"),
    ):
        if text is not None:
            etree.SubElement(control, tag).text = text
    operation = etree.SubElement(root, "operation")
    if transaction is not None:
        operation.set("transaction", "true" if transaction else "false")
    _authentication(operation, auth)
    content = etree.SubElement(operation, "content")
    for index, inner in enumerate(functions):
        controlid = controlids[index] if index < len(controlids) else f"f{index + 1}"
        function = etree.SubElement(content, "function", controlid=controlid)
        function.append(etree.fromstring(inner))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _authentication(operation: Element, auth: Login | str) -> None:
    block = etree.SubElement(operation, "authentication")
    if isinstance(auth, str):
        etree.SubElement(block, "sessionid").text = auth
        return
    login = etree.SubElement(block, "login")
    etree.SubElement(login, "userid").text = auth.user_id
    etree.SubElement(login, "companyid").text = auth.company_id
    etree.SubElement(login, "password").text = auth.password
    if auth.entity is not None:
        etree.SubElement(login, "locationid").text = auth.entity


def parse(body: bytes) -> Element:
    return etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))


def results(body: bytes) -> list[Element]:
    return parse(body).findall("operation/result")


def statuses(body: bytes) -> list[str]:
    return [r.findtext("status", "") for r in results(body)]


def errornos(element: Element) -> list[str]:
    return [e.findtext("errorno", "") for e in element.iter("error")]
