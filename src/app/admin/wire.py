"""What the admin API takes: request bodies, path and query parameters, as msgspec Structs.

Bodies are decoded from JSON by one ``msgspec.json.Decoder`` per type (``decoder``); path and
query parameters, which arrive as strings, are converted with ``msgspec.convert`` (not strict, so
``"20"`` is an int and ``"true"`` a bool). Passwords decode straight into ``Secret``: no struct
ever holds one in clear.

Every number taken is bounded (``Limit``, ``Offset``, ``RowId``), so none overflows what the state
store keeps (SQLite integers are 64-bit): a larger one is a 422 naming it, never a 500. A moment
(``since``) must be one the store can write in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

import msgspec

from released_intacct.domain.enums import ContactRole, Direction, Prerequisite, RecordType
from released_intacct.domain.links import LinkStatus
from released_intacct.domain.matching import Step
from released_intacct.domain.rules.guard import UserAction
from released_intacct.domain.secret import Secret

__all__ = [
    "ArchiveBody",
    "ConnectBody",
    "ConnectionPath",
    "CreateBody",
    "CredentialsBody",
    "Empty",
    "EntityBody",
    "GuardBody",
    "LinkPath",
    "MatchBody",
    "NoQuery",
    "NotificationPath",
    "NotificationsQuery",
    "ResultsQuery",
    "RunPath",
    "RunsQuery",
    "StepPath",
    "SyncFromBody",
    "dec_hook",
    "schema_hook",
]

S = TypeVar("S")

NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Offset = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]
RowId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
"""A row's id in the state store: a positive SQLite integer (64-bit)."""


class _Wire(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    pass


class Empty(_Wire, frozen=True):
    """No body, or no path parameters."""


# --- bodies ---------------------------------------------------------------------------------------


class CredentialsBody(_Wire, frozen=True):
    """An Intacct Web Services user (rule C2); checked by a live log-in before it is stored."""

    sender_id: str
    sender_password: Secret
    company_id: str
    user_id: str
    user_password: Secret


class ConnectBody(_Wire, frozen=True):
    released_company: NonEmpty
    credentials: CredentialsBody


class EntityBody(_Wire, frozen=True):
    entity_id: Annotated[str, msgspec.Meta(max_length=200)]
    """The entity's id; ``""`` is the top level of a company without entities (rule C3)."""


class SyncFromBody(_Wire, frozen=True):
    sync_from: date
    """YYYY-MM-DD, on or after 2018-01-01 (rule C4)."""


class AcknowledgeBody(_Wire, frozen=True):
    prerequisites: Annotated[tuple[Prerequisite, ...], msgspec.Meta(min_length=1, max_length=20)]
    """The prerequisites the user checked in Intacct (rule C5): ``customer_sequencing``,
    ``vendor_sequencing``, ``account_labels_off``, ``items``, ``item_creates``, ``external_tax``,
    ``subtotal_defaulting``, ``base_currency``."""


class MatchBody(_Wire, frozen=True):
    released_id: NonEmpty
    intacct_key: NonEmpty


class ArchiveBody(_Wire, frozen=True):
    released_id: NonEmpty


class CreateBody(_Wire, frozen=True):
    released_id: NonEmpty
    role: ContactRole


class GuardBody(_Wire, frozen=True):
    record_type: RecordType
    action: UserAction
    released_id: NonEmpty | None = None
    label: Annotated[str, msgspec.Meta(max_length=200)] = ""


# --- path parameters ------------------------------------------------------------------------------


class ConnectionPath(_Wire, frozen=True):
    id: NonEmpty


class StepPath(ConnectionPath, frozen=True):
    step: Step


class LinkPath(ConnectionPath, frozen=True):
    record_type: RecordType
    released_id: NonEmpty


class NotificationPath(ConnectionPath, frozen=True):
    n: RowId


class RunPath(ConnectionPath, frozen=True):
    run: NonEmpty


# --- query parameters -----------------------------------------------------------------------------


class _Query(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class NoQuery(_Query, frozen=True):
    """A route without query parameters (any sent are ignored)."""


class RunsQuery(_Query, frozen=True):
    limit: Limit = 20


class ResultsQuery(_Query, frozen=True):
    record_type: RecordType | None = msgspec.field(default=None, name="type")
    direction: Direction | None = None
    link: LinkStatus | None = None
    since: Aware | None = None
    """Results last seen at or after this moment (ISO 8601 with its zone)."""
    limit: Limit = 100
    offset: Offset = 0

    def __post_init__(self) -> None:
        if self.since is None:
            return
        try:
            self.since.astimezone(UTC)
        except OverflowError:
            msg = "since is out of range: give a moment between years 0001 and 9999 in UTC"
            raise ValueError(msg) from None


class NotificationsQuery(_Query, frozen=True):
    unread: bool = False


# --- custom types ---------------------------------------------------------------------------------


def dec_hook(kind: type[Any], obj: Any) -> Any:
    """Decode a ``Secret`` from a JSON string (the value never appears in an error)."""
    if kind is Secret:
        if not isinstance(obj, str):
            msg = "Expected a string"
            raise TypeError(msg)
        return Secret(obj)
    msg = f"Unsupported type {kind!r}"
    raise NotImplementedError(msg)


def schema_hook(kind: type[Any]) -> dict[str, Any]:
    """The JSON schema of a ``Secret``: a write-only string."""
    if kind is Secret:
        return {"type": "string", "format": "password", "writeOnly": True}
    msg = f"No schema for {kind!r}"
    raise NotImplementedError(msg)
