"""What the sync crash test compares and counts, over both simulators' records and the links.

- ``snapshot(intacct, released, links, baseline=...)``: the final state as a multiset of
  normalised records and links, equal for two runs that left the same data. What each run
  generates afresh is taken out: timestamps (``WHENMODIFIED``, a party's ``WHENCREATED``,
  ``lastModified``), versions, and the ids the simulators hand out (Intacct RECORDNOs and
  sequenced ids of records the baseline does not hold; Re-Leased counter ids such as
  ``lin-000041``). A reference to such an id becomes a label made from the content of the record
  it names, so a payment still names *which* invoice it pays. Re-Leased ids proposed by the
  sync (``ri-...``) come from idempotency keys, which a fixed connection id keeps the same.
  Intacct's ``AUDITHISTORY`` is left out: it logs writes, and an update sent again after a crash
  (by design: an update is idempotent by its content) logs a second ``Modified``.
- ``duplicates(intacct, released)``: records written twice, found without a reference run:
  Intacct records of one object carrying the same source reference (the idempotency key the
  sync writes into a queryable field, alone or in a text such as a customer's display contact
  name, at any depth); Intacct documents of one object with the same number and party (over
  the REST API a document carries no source reference: the product finds it by what it wrote,
  docs/intacct-rest.md section 10); Re-Leased documents with the same type, number and contact
  (the REST demo company holds Intacct invoices numbered as Re-Leased's, for other customers);
  contacts with the same name.
- ``dangling(links, intacct, released)``: links naming a record either side does not hold;
  ``linked_twice(links)``: records of either side with more than one link of a record type.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from released_intacct.domain.enums import RecordType
from released_intacct.domain.links import Link
from released_intacct.fakes.crash_trial import Records
from released_intacct.fakes.simulators.intacct.catalog import OBJECTS

__all__ = ["dangling", "duplicates", "linked_twice", "snapshot"]

_GENERATED = frozenset({"RECORDNO", "WHENMODIFIED", "lastModified", "version"})
_STAMP = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d")
_COUNTER = re.compile(r"[a-z]+-\d{6}")
_SOURCE_REF = re.compile(r"ri-[0-9a-f]{32}")
_DOCUMENTS = ("ARINVOICE", "APBILL", "ARADJUSTMENT", "APADJUSTMENT")
_ORDERS = ("SODOCUMENT", "PODOCUMENT")
_PAYMENTS = ("ARPYMT", "APPYMT")
_LOG = "AUDITHISTORY"
Swap = Callable[[str], str]


def _canon(value: Any, swap: Swap) -> Any:
    if isinstance(value, dict):
        return {
            k: _canon(v, swap)
            for k, v in value.items()
            if k not in _GENERATED and not (isinstance(v, str) and _STAMP.fullmatch(v))
        }
    if isinstance(value, list):
        return [_canon(v, swap) for v in value]
    return swap(value) if isinstance(value, str) else value


def _text(value: Any, swap: Swap) -> str:
    return json.dumps(_canon(value, swap), sort_keys=True)


def _label(kind: str, record: dict[str, Any], swap: Swap) -> str:
    digest = hashlib.sha256(_text(record, swap).encode()).hexdigest()[:12]
    return f"<{kind}#{digest}>"


def _rows(records: Records) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, rows in sorted(records.items()):
        for row in rows:
            yield kind, row


def _intacct_tokens(intacct: Records, baseline: Records) -> dict[str, tuple[str, dict[str, Any]]]:
    """The ids Intacct generated since the baseline, each with the record it names."""
    held = {row.get("RECORDNO") for _, row in _rows(baseline)}
    tokens: dict[str, tuple[str, dict[str, Any]]] = {}
    for obj, row in _rows(intacct):
        if row.get("RECORDNO") in held:
            continue
        tokens[str(row["RECORDNO"])] = (obj, row)
        definition = OBJECTS[obj]
        if definition.sequence and definition.id_field and row.get(definition.id_field):
            tokens[str(row[definition.id_field])] = (obj, row)
    return tokens


def _intacct_labels(intacct: Records, baseline: Records) -> dict[str, str]:
    """Each generated id's label: its record's content, with the generated ids it names
    labelled in turn (by their own content, those ids blanked)."""
    tokens = _intacct_tokens(intacct, baseline)

    def blank(text: str) -> str:
        return "#" if text in tokens else text

    first = {token: _label(obj, row, blank) for token, (obj, row) in tokens.items()}

    def named(text: str) -> str:
        return first.get(text, text)

    return {token: _label(obj, row, named) for token, (obj, row) in tokens.items()}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def snapshot(
    intacct: Records,
    released: Records,
    links: Sequence[Link],
    *,
    baseline: tuple[Records, Records],
) -> Counter[str]:
    """Every record of both sides and every link, normalised (see the module's docstring)."""
    labels = _intacct_labels(intacct, baseline[0])
    seeded = {s for s in _strings(baseline[1]) if _COUNTER.fullmatch(s)}

    def intacct_swap(text: str) -> str:
        return labels.get(text, text)

    def released_swap(text: str) -> str:
        return "#" if _COUNTER.fullmatch(text) and text not in seeded else text

    found: Counter[str] = Counter()
    for obj, row in _rows(intacct):
        if obj != _LOG:
            found[f"intacct {obj} {_text(row, intacct_swap)}"] += 1
    for resource, row in _rows(released):
        found[f"released {resource} {_text(row, released_swap)}"] += 1
    for link in links:
        key = re.sub(r"[^/:]+", lambda m: intacct_swap(m.group(0)), link.intacct_key)
        found[
            f"link {link.record_type.value} {link.released_id} {key} {link.origin.value} "
            f"{link.status.value} posted={link.posted} {link.released_fingerprint} "
            f"{link.intacct_fingerprint}"
        ] += 1
    return found


def _twice(keys: Iterable[str]) -> list[str]:
    return sorted(key for key, n in Counter(keys).items() if n > 1)


def duplicates(intacct: Records, released: Records) -> list[str]:
    """Records written twice (see the module's docstring); [] when none."""
    refs = [
        f"intacct {obj} {ref}"
        for obj, row in _rows(intacct)
        for ref in {found for v in _strings(row) for found in _SOURCE_REF.findall(v)}
    ]
    documents = [
        f"intacct {obj} {row['RECORDID']} {row.get('CUSTOMERID') or row.get('VENDORID')}"
        for obj, row in _rows(intacct)
        if obj in _DOCUMENTS and row.get("RECORDID")
    ]
    numbers = [
        f"released {res} {row.get('type')} {row.get('invoiceNumber')} {row.get('contactId')}"
        for res, row in _rows(released)
        if res in ("invoices", "credit-notes")
    ]
    names = [f"released contact {row.get('name')}" for row in released["contacts"]]
    return _twice(refs) + _twice(documents) + _twice(numbers) + _twice(names)


def _intacct_keys(intacct: Records) -> dict[RecordType, set[str]]:
    def ids(obj: str, field: str) -> set[str]:
        return {str(row.get(field)) for row in intacct[obj]}

    handles = {
        f"{obj}:{row.get(d.id_field)}"
        for obj, d in OBJECTS.items()
        if d.id_field
        for row in intacct[obj]
    }
    documents = set().union(*(ids(obj, "RECORDNO") for obj in _DOCUMENTS))
    documents |= set().union(*(ids(obj, "DOCID") for obj in _ORDERS))
    paid = set().union(*(ids(obj, "RECORDNO") for obj in _PAYMENTS))
    return {
        RecordType.ACCOUNT: ids("GLACCOUNT", "ACCOUNTNO"),
        RecordType.TAX_TYPE: ids("TAXDETAIL", "DETAILID"),
        RecordType.ITEM: ids("ITEM", "ITEMID"),
        RecordType.TRACKING_CATEGORY: set(OBJECTS),
        RecordType.TRACKING_OPTION: handles,
        RecordType.CONTACT: handles,
        RecordType.INVOICE: documents,
        RecordType.CREDIT_NOTE: documents,
        RecordType.PAYMENT: {f"{p}/{d}" for p in paid for d in documents},
    }


def _released_ids(released: Records) -> dict[RecordType, set[str]]:
    def ids(resource: str) -> set[str]:
        return {str(row["id"]) for row in released[resource]}

    options = {
        str(option["id"])
        for category in released["tracking-categories"]
        for option in category.get("options", [])
    }
    return {
        RecordType.ACCOUNT: ids("accounts"),
        RecordType.TAX_TYPE: ids("tax-types"),
        RecordType.ITEM: ids("accounts"),  # an item's id is "<account id>/<item id>"
        RecordType.TRACKING_CATEGORY: ids("tracking-categories"),
        RecordType.TRACKING_OPTION: options,
        RecordType.CONTACT: ids("contacts"),
        RecordType.INVOICE: ids("invoices"),
        RecordType.CREDIT_NOTE: ids("credit-notes"),
        RecordType.PAYMENT: ids("payments"),
    }


def dangling(links: Sequence[Link], intacct: Records, released: Records) -> list[str]:
    """The links naming a record that one side does not hold; [] when none."""
    on_intacct, on_released = _intacct_keys(intacct), _released_ids(released)
    return [
        f"{link.record_type.value} {link.released_id} -> {link.intacct_key}"
        for link in links
        if link.intacct_key not in on_intacct[link.record_type]
        or link.released_id.split("/")[0] not in on_released[link.record_type]
    ]


def linked_twice(links: Sequence[Link]) -> list[str]:
    """The records of either side with more than one link of a record type; [] when none."""
    return _twice(f"{link.record_type.value} released {link.released_id}" for link in links) + (
        _twice(f"{link.record_type.value} intacct {link.intacct_key}" for link in links)
    )
