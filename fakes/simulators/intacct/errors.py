"""Gateway errors: what goes into an ``<errormessage>`` (errorno, description2, correction).

With ``<showadditionalerrorinfo>true</showadditionalerrorinfo>`` in ``<control>``, each ``<error>``
also carries an ``<additionalinfo>`` ([XMLDOC] ``xml/requests.md``): ``errorid``, ``category``,
an error-level ``target`` and three messages (``description``, ``cdescription``, ``correction``),
each with a ``messageid``, a ``target`` and ``placeholders``. "All optional elements will be
returned with empty values if there is no information available": an error whose
:class:`AdditionalInfo` the simulator does not know gets the block with every value empty. The
only documented values are those of the GLACCOUNT duplicate (``duplicates``).
"""

from __future__ import annotations

from dataclasses import dataclass

from released_intacct.fakes.simulators.intacct.wire import Element, sub

_TARGET = ("domain", "requestinfo", "object", "field")


@dataclass(frozen=True, slots=True)
class AdditionalInfo:
    """The ``<additionalinfo>`` of one error: its stable id, category and message ids."""

    errorid: str = ""
    category: str = ""
    description: str = ""
    """The ``messageid`` of ``<description>``; likewise ``cdescription`` and ``correction``."""
    cdescription: str = ""
    correction: str = ""
    placeholders: tuple[tuple[str, str], ...] = ()
    """``(name, value)`` pairs of the ``<cdescription>`` (the sample's ``ACCOUNTNO``)."""


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""
    info: AdditionalInfo | None = None


class GatewayError(Exception):
    """A failure of one function (or of authentication), carrying the errors Intacct would list."""

    def __init__(self, *details: ErrorDetail) -> None:
        super().__init__("; ".join(d.description2 or d.description or d.errorno for d in details))
        self.details = details


def failure(
    errorno: str, description2: str, *, description: str = "", correction: str = ""
) -> GatewayError:
    return GatewayError(ErrorDetail(errorno, description, description2, correction))


GENERIC = "BL01001973"
"""Intacct's generic business-logic failure number."""


def not_found(
    object_name: str, key: str, *, action: str = "read", correction: str = ""
) -> GatewayError:
    return failure(
        GENERIC,
        f"Cannot find {object_name.lower()} with key '{key}' to {action}.",
        correction=correction,
    )


def write_errors(parent: Element, details: tuple[ErrorDetail, ...]) -> None:
    """``details`` as ``<error>`` s of ``parent`` 's ``<errormessage>`` (made when missing).

    Every error gets its ``<additionalinfo>``; :func:`hide_additional_info` takes them out again
    unless the request asked for them.
    """
    holder = parent.find("errormessage")
    if holder is None:
        holder = sub(parent, "errormessage")
    for detail in details:
        error = sub(holder, "error")
        sub(error, "errorno", detail.errorno)
        sub(error, "description", detail.description)
        sub(error, "description2", detail.description2)
        sub(error, "correction", detail.correction)
        _additional(error, detail.info or AdditionalInfo())


def hide_additional_info(response: Element, control: Element | None) -> None:
    """Remove every ``<additionalinfo>`` unless ``control`` says ``showadditionalerrorinfo``."""
    asked = control is not None and control.findtext("showadditionalerrorinfo", "").strip()
    if asked and asked.lower() == "true":
        return
    for found in list(response.iter("additionalinfo")):
        parent = found.getparent()
        if parent is not None:
            parent.remove(found)


def _additional(error: Element, info: AdditionalInfo) -> None:
    block = sub(error, "additionalinfo")
    sub(block, "errorid", info.errorid)
    sub(block, "category", info.category)
    _target(block, "businessinfo")
    for tag, messageid in (
        ("description", info.description),
        ("cdescription", info.cdescription),
        ("correction", info.correction),
    ):
        message = sub(block, tag)
        sub(message, "messageid", messageid)
        _target(message, "businessInfo")  # the sample's casing differs by level
        holder = sub(message, "placeholders")
        if tag == "cdescription":
            for name, value in info.placeholders:
                sub(holder, "placeholder", name=name, value=value)


def _target(parent: Element, business: str) -> None:
    sub(parent, "target", **dict.fromkeys((*_TARGET, business), ""))
