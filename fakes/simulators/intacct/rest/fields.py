"""A REST object as a declarative map onto an XML record, and the conversion both ways.

Each ``Field`` pairs a REST name (dotted: ``contacts.primary.id``, ``audit.modifiedDateTime``)
with the path of the XML record's field (``CONTACTINFO.CONTACTNAME``, ``WHENMODIFIED``) and a
``kind`` saying how the value changes on the way:

- ``str``: as stored; ``bool``: ``true``/``false`` text <-> a JSON boolean;
- ``date``: ``mm/dd/yyyy`` <-> ``yyyy-mm-dd``;
- ``timestamp``: the company's ``mm/dd/yyyy HH:MM:SS`` in its own zone <-> UTC ISO 8601 with
  ``Z`` ("timestamps are UTC": the pages' ``audit.modifiedDateTime`` values, e.g.
  ``2023-12-14T11:31:06Z``);
- ``enum``: stored words <-> the REST values (``values``), case kept for unknown words;
- ``money``: shown as a decimal string with two places (every response sample's amounts are
  strings: ``"txnAmount": "400.00"``); written as a string or a JSON number (the owned-objects
  page writes ``"txnAmount": 100``), docs/intacct-rest.md section 1, "Wire formats".

Every object has ``key`` (RECORDNO), ``id`` (the XML id field), ``href`` and the two audit
timestamps; ``key``, ``href``, ``audit.*`` and fields marked ``writable=False`` are never written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.querystring import get_path
from released_intacct.fakes.simulators.intacct.rest.envelope import invalid

Kind = Literal["str", "bool", "date", "timestamp", "enum", "money"]
API: str = "/objects/"
_CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Field:
    rest: str
    xml: str
    kind: Kind = "str"
    values: tuple[tuple[str, str], ...] = ()
    """(stored word, REST value) pairs of an ``enum``."""
    writable: bool = True
    in_get: bool = True
    """False: only the query service answers it (a referenced record's field, such as
    ``contacts.shipTo.mailingAddress.city``: the GET shows the reference only)."""


@dataclass(frozen=True, slots=True)
class Owner:
    """The owning object of an owned one ([RESTDOC] docs/rest/owner-and-owned-objects.md): a
    bill-line's ``bill`` (``{"id", "key", "href"}``) is its header's RECORDNO, held in the line's
    ``key_field`` (RECORDKEY)."""

    name: str
    path: str
    key_field: str


@dataclass(frozen=True, slots=True)
class RestObject:
    path: str
    """``general-ledger/account``: what follows ``/objects/``."""
    xml: str
    """The XML object its records are (GLACCOUNT)."""
    id_field: str | None
    fields: tuple[Field, ...] = ()
    read_only: bool = False
    lines: str | None = None
    """The path of its owned line object: a GET shows them under ``holder``, a write takes them."""
    owner: Owner | None = None
    holder: str = "lines"
    """The name of its owned lines in a body: ``lines``; a payment's ``paymentDetails`` (AR) or
    ``details`` (AP), docs/intacct-rest.md 4.11."""
    definition: str | None = None
    """For ``<module>/document::<definition>``: the DOCPARID its records have."""

    @property
    def all_fields(self) -> tuple[Field, ...]:
        owner = self.owner
        return (
            Field("key", "RECORDNO", writable=False),
            *(
                (Field("id", self.id_field, writable=self.id_field != "RECORDNO"),)
                if self.id_field
                else ()
            ),
            *(
                (
                    Field(f"{owner.name}.key", owner.key_field, writable=False),
                    Field(f"{owner.name}.id", owner.key_field, writable=False),
                )
                if owner
                else ()
            ),
            *self.fields,
            Field("audit.createdDateTime", "WHENCREATED", "timestamp", writable=False),
            Field("audit.modifiedDateTime", "WHENMODIFIED", "timestamp", writable=False),
        )

    def field(self, name: str) -> Field | None:
        return _index(self).get(name)

    def href(self, key: str) -> str:
        return f"{API}{self.path}/{key}"

    def reference(self, record: Record) -> dict[str, object]:
        """``{key, id, href}``: what a list or a write answers of a record."""
        key = str(record.get("RECORDNO", ""))
        found: dict[str, object] = {"key": key}
        if self.id_field:
            found["id"] = str(record.get(self.id_field, ""))
        found["href"] = self.href(key)
        return found


_INDEXES: dict[str, dict[str, Field]] = {}


def _index(obj: RestObject) -> dict[str, Field]:
    """``obj``'s fields by REST name (built once per object path)."""
    found = _INDEXES.get(obj.path)
    if found is None:
        found = _INDEXES[obj.path] = {f.rest: f for f in obj.all_fields}
    return found


def _utc(company: Company, text: str) -> str | None:
    return _utc_in(company.settings.timezone, text)


@lru_cache(maxsize=4096)
def _utc_in(zone_name: str, text: str) -> str | None:
    """A local stamp in ``zone_name`` as UTC (cached: a company's records share stamps)."""
    try:
        local = datetime.strptime(text, "%m/%d/%Y %H:%M:%S")  # noqa: DTZ007 - zone added below
    except ValueError:
        return None
    aware = local.replace(tzinfo=ZoneInfo(zone_name))
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_date(text: str) -> str | None:
    try:
        return datetime.strptime(text, "%m/%d/%Y").date().isoformat()  # noqa: DTZ007 - a date
    except ValueError:
        return None


def _money(text: str) -> str:
    try:
        return str(Decimal(text).quantize(_CENTS))
    except InvalidOperation:
        return text


def _enum(spec: Field, text: str) -> str:
    return _shown_words(spec.values).get(text.lower(), text)


@lru_cache(maxsize=64)
def _shown_words(values: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """An enum's REST values by stored word, any case (XML stores ``Credit Card``)."""
    return {word.lower(): rest for word, rest in values}


_SHOWN: dict[str, Callable[[Company, Field, str], object]] = {
    "bool": lambda _, __, text: text.lower() == "true",
    "date": lambda _, __, text: _iso_date(text),
    "timestamp": lambda company, _, text: _utc(company, text),
    "enum": lambda _, spec, text: _enum(spec, text),
    "money": lambda _, __, text: _money(text),
}
"""How each kind but ``str`` shows a stored (non-empty) text."""


def to_rest_value(company: Company, spec: Field, stored: object) -> object:
    """A stored value as the REST API shows it (None when empty or absent)."""
    if stored is None or stored == "":
        return False if spec.kind == "bool" and stored == "" else None
    show = _SHOWN.get(spec.kind)
    return str(stored) if show is None else show(company, spec, str(stored))


class View(Mapping[str, object]):
    """A record as REST shows it, field by field on demand (what the query service filters and
    orders on without converting every field of every record): ``view[name]`` is
    ``flat(...)[name]``; ``prefixed`` adds another view's fields under ``name.`` (an owner's)."""

    def __init__(
        self, company: Company, obj: RestObject, record: Record, show: Callable[[Record], Record]
    ) -> None:
        self.company, self.obj, self.record = company, obj, record
        self._show = show
        self._shown: Record | None = None
        self._values: dict[str, object] = {}
        self.prefixed: dict[str, Callable[[], Mapping[str, object] | None]] = {}

    @property
    def key(self) -> int:
        return int(str(self.record.get("RECORDNO", "0")))

    def __getitem__(self, name: str) -> object:
        if name in self._values:
            return self._values[name]
        value = self._compute(name)
        self._values[name] = value
        return value

    def _compute(self, name: str) -> object:
        spec = self.obj.field(name)
        if spec is not None and "." not in spec.xml:
            return to_rest_value(self.company, spec, self.record.get(spec.xml))
        if spec is not None:  # a block: as a read shows it (``show``: contacts resolved)
            if self._shown is None:
                self._shown = self._show(self.record)
            return to_rest_value(self.company, spec, get_path(self._shown, spec.xml))
        if name == "href":
            return self.obj.href(str(self.record.get("RECORDNO", "")))
        owner = self.obj.owner
        if owner is not None and name == f"{owner.name}.href":
            return f"{API}{owner.path}/{self.record.get(owner.key_field, '')}"
        head, _, rest = name.partition(".")
        other = self.prefixed.get(head)
        parent = None if other is None else other()
        if parent is not None and rest in parent:
            return parent[rest]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_index(self.obj))

    def __len__(self) -> int:
        return len(_index(self.obj))


def flat(company: Company, obj: RestObject, record: Record) -> dict[str, object]:
    """The record as REST shows it, under its dotted names (what the query service filters on)."""
    found = {
        spec.rest: to_rest_value(
            company, spec, get_path(record, spec.xml) if dotted_xml else _text(record.get(spec.xml))
        )
        for spec, dotted_xml in _shown_fields(obj)
    }
    found["href"] = obj.href(str(record.get("RECORDNO", "")))
    if obj.owner is not None:
        found[f"{obj.owner.name}.href"] = (
            f"{API}{obj.owner.path}/{record.get(obj.owner.key_field, '')}"
        )
    return found


_SHOWN_FIELDS: dict[str, tuple[tuple[Field, bool], ...]] = {}


def _shown_fields(obj: RestObject) -> tuple[tuple[Field, bool], ...]:
    """The fields a GET of ``obj`` shows, each with whether its XML path is dotted (made once per
    object path, not once per record)."""
    found = _SHOWN_FIELDS.get(obj.path)
    if found is None:
        found = _SHOWN_FIELDS[obj.path] = tuple(
            (spec, "." in spec.xml) for spec in obj.all_fields if spec.in_get
        )
    return found


def _text(value: object) -> str | None:
    """``get_path``'s answer for a field at the top of a record: its text, None when empty or not
    text."""
    return value if isinstance(value, str) and value else None


_NAME_PARTS: dict[str, tuple[list[str], str]] = {}
"""Each dotted REST name ``nest`` met: its parents and its leaf (field names of the registry)."""


def nest(values: dict[str, object]) -> dict[str, object]:
    """Dotted names as nested objects: ``{"audit.createdDateTime": t}`` -> ``{"audit": {...}}``."""
    nested: dict[str, object] = {}
    for name, value in values.items():
        split = _NAME_PARTS.get(name)
        if split is None:
            *parents, leaf = name.split(".")
            split = (parents, leaf)
            if len(_NAME_PARTS) < 4096:
                _NAME_PARTS[name] = split
        parents, leaf = split
        holder = nested
        for part in parents:
            inner = holder.setdefault(part, {})
            if not isinstance(inner, dict):
                inner = holder[part] = {}
            holder = inner
        holder[leaf] = value
    return nested


def dotted(body: dict[str, object], prefix: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    for name, value in body.items():
        if isinstance(value, dict):
            found.update(dotted(value, f"{prefix}{name}."))
        else:
            found[f"{prefix}{name}"] = value
    return found


def stored_value(spec: Field, value: object) -> object:
    """A REST value as the record stores it; ``invalid`` (400) naming the field when wrong."""
    if value is None:
        return ""
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise invalid(f"{spec.rest} must be true or false, got {value!r}")
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise invalid(f"{spec.rest} must be a single value, got {type(value).__name__}")
    text = str(value)
    if spec.kind == "money":
        try:
            Decimal(text)
        except InvalidOperation as error:
            raise invalid(
                f'{spec.rest} must be an amount such as "100.00", got {text!r}'
            ) from error
        if not Decimal(text).is_finite():
            raise invalid(f"{spec.rest} must be a finite amount, got {text!r}")
    if spec.kind == "date":
        try:
            return datetime.strptime(text, "%Y-%m-%d").strftime("%m/%d/%Y")  # noqa: DTZ007
        except ValueError as error:
            raise invalid(f"{spec.rest} must be a date yyyy-mm-dd, got {text!r}") from error
    if spec.kind == "enum":
        words = {rest: word for word, rest in spec.values}
        if text not in words:
            allowed = ", ".join(words)
            raise invalid(f"{spec.rest} must be one of {allowed}, got {text!r}")
        return words[text]
    return text


def to_record(obj: RestObject, body: object, *, ignore: tuple[str, ...] = ()) -> Record:
    """A REST body as the XML record's fields (nested as the record keeps them).

    Unknown and read-only fields are refused (400 ``invalidRequest`` naming the field: that
    Intacct refuses rather than ignores them is **inferred**), except ``ignore`` (``key`` of a
    batch update) and ``href``."""
    if not isinstance(body, dict):
        raise invalid(f"the body of {obj.path} must be a JSON object, got {type(body).__name__}")
    record: Record = {}
    for name, value in dotted(body).items():
        if name in ignore or name == "href":
            continue
        spec = obj.field(name)
        if spec is None:
            raise invalid(f"{name}: unknown field of {obj.path}")
        if not spec.writable:
            raise invalid(f"{name}: read-only field of {obj.path}")
        holder = record
        *parents, leaf = spec.xml.split(".")
        for part in parents:
            inner = holder.setdefault(part, {})
            if isinstance(inner, dict):
                holder = inner
        holder[leaf] = stored_value(spec, value)
    return record
