"""Issue 15's acceptance, through the command line, against the simulators as Sage documents
Intacct (``preferences: documented``): the onboarding shows what Intacct cannot report, is refused
until it is acknowledged, then confirms and syncs invoices with every line and payments applied
to the right invoices; an invoice deleted in Intacct afterwards is reported under D8.

Both simulators are served on loopback ports; every check reads them through their own HTTP
control APIs, as QA would.
"""

from __future__ import annotations

import asyncio
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console
from released_intacct.domain.enums import RecordType
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.secret import Secret
from released_intacct.fakes import xmlgw
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import cli as intacct_cli
from released_intacct.fakes.simulators.released import cli as released_cli
from released_intacct.fakes.simulators.released import seed as released_seed

DEMO_DECISIONS = Path(__file__).parents[2] / "examples" / "demo" / "decisions.toml"
PASSWORDS = {"INTACCT_SENDER_PASSWORD": "demo-sender-pass", "INTACCT_USER_PASSWORD": "ws_pass"}
UNKNOWN = (
    "customer_sequencing",
    "vendor_sequencing",
    "account_labels_off",
    "external_tax",
    "subtotal_defaulting",
)


@dataclass(frozen=True)
class Said:
    code: int
    out: str
    err: str


@dataclass
class Walk:
    config: Path
    intacct: str
    released: str
    key: Secret
    said: dict[str, Said] = field(default_factory=dict)
    id: str = ""
    deleted: str = ""
    invoices: dict[str, str] = field(default_factory=dict)
    """Intacct RECORDNO -> Re-Leased invoice id, from the links the sync stored."""

    def run(self, name: str, *argv: str) -> Said:
        out, err = StringIO(), StringIO()
        console = Console(out=out, err=err, environ=dict(PASSWORDS))
        code = main(["--config", str(self.config), *argv], console=console)
        self.said[name] = Said(code, out.getvalue(), err.getvalue())
        return self.said[name]

    def intacct_records(self, object_name: str) -> list[dict[str, Any]]:
        url = f"{self.intacct}/_sim/companies/DEMO/records/{object_name}"
        found: list[dict[str, Any]] = httpx.get(url).json()["records"]
        return found

    def released_records(self, resource: str) -> list[dict[str, Any]]:
        url = f"{self.released}/_sim/companies/{released_seed.COMPANY_ID}/records/{resource}"
        found: list[dict[str, Any]] = httpx.get(url).json()["records"]
        return found


def _config(folder: Path, intacct: str, released: str, key: Secret) -> Path:
    path = folder / "settings.toml"
    path.write_text(
        f'database = "{folder / "state.sqlite3"}"\n'
        f'encryption_key = "{key.reveal()}"\n'
        "[intacct]\n"
        f'endpoint = "{intacct}{intacct_app.GATEWAY_PATH}"\n'
        "[released]\n"
        f'base_url = "{released}"\n'
        f'api_key = "{released_seed.API_KEY}"\n'
    )
    path.chmod(0o600)  # it holds the key
    return path


def _decisions_without_acknowledgements(folder: Path) -> Path:
    """The demo's decisions, less its [prerequisites]: nothing acknowledged beforehand."""
    document = tomllib.loads(DEMO_DECISIONS.read_text())
    assert "prerequisites" in document
    contacts = "\n".join(f'"{rid}" = {{ create = "{d["create"]}" }}'
                         for rid, d in document["contacts"].items())  # fmt: skip
    path = folder / "decisions.toml"
    path.write_text(f'[contacts]\n{contacts}\n\n[unresolved]\naction = "archive"\n')
    return path


def _linked_invoices(walk: Walk) -> dict[str, str]:
    """The invoice links the sync stored: Intacct key -> Re-Leased id (its own state store)."""

    async def read() -> dict[str, str]:
        store = await SqliteStateStore.open(walk.config.parent / "state.sqlite3", key=walk.key)
        try:
            links = await value(store.links(ConnectionId(walk.id), RecordType.INVOICE))
        finally:
            await store.close()
        return {str(link.intacct_key): str(link.released_id) for link in links}

    return asyncio.run(read())


def _delete_in_intacct(walk: Walk) -> str:
    """An invoice the initial sync brought to Re-Leased, unpaid, deleted in Intacct the way the
    official SDKs' InvoiceDelete does it; its RECORDNO."""
    (doomed, *_) = [
        r
        for r in walk.intacct_records("ARINVOICE")
        if r["STATE"] == "Posted" and r["RECORDNO"] in walk.invoices and r["CURRENCY"] == "USD"
    ]
    body = xmlgw.request(f'<delete_invoice key="{doomed["RECORDNO"]}"/>')
    reply = httpx.post(f"{walk.intacct}{intacct_app.GATEWAY_PATH}", content=body)
    assert xmlgw.statuses(reply.content) == ["success"]
    return str(doomed["RECORDNO"])


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    intacct = intacct_cli.build(intacct_cli.parser().parse_args(["--seed", "demo"]))
    released = released_cli.build(released_cli.parser().parse_args(["--seed", "demo"]))
    with serving(intacct) as intacct_url, serving(released) as released_url:
        folder, key = tmp_path_factory.mktemp("acceptance"), generate_key()
        w = Walk(_config(folder, intacct_url, released_url, key), intacct_url, released_url, key)
        decisions = str(_decisions_without_acknowledgements(folder))
        connected = w.run(
            "connect",
            *("connect", "--company", released_seed.COMPANY_ID, "--sender-id", "demo-sender"),
            *("--company-id", "DEMO", "--user-id", "ws_user"),
            *("--entity", "E100", "--sync-from", "2024-01-01"),
        )
        found = re.search(r"conn-[0-9a-f]+", connected.out)
        assert found is not None, connected
        w.id = found.group(0)
        w.run("prerequisites", "prerequisites", w.id)
        w.run("onboard_refused", "onboard", w.id, "--decisions", decisions, "--confirm")
        w.run("acknowledge", "acknowledge", w.id, *UNKNOWN)
        w.run("onboard", "onboard", w.id, "--decisions", decisions, "--confirm")
        w.invoices = _linked_invoices(w)
        w.deleted = _delete_in_intacct(w)
        w.run("sync", "sync", w.id)
        w.run("results", "results", w.id, "--json", "--limit", "1000")
        yield w


def test_correction_5_the_unknown_prerequisites_are_shown_with_where_to_check_them(
    walk: Walk,
) -> None:
    said = walk.said["prerequisites"]
    assert said.code == 2, said
    for name in UNKNOWN:
        line = next(line for line in said.out.splitlines() if f"unknown {name}:" in line)
        assert "Sage Intacct does not report whether" in line
    assert said.out.count("Check it in Sage Intacct: ") == len(UNKNOWN)
    assert "error: the Intacct set-up is not ready (rule C5)" in said.err


def test_correction_5_onboarding_is_refused_until_they_are_acknowledged(walk: Walk) -> None:
    refused = walk.said["onboard_refused"]
    assert refused.code == 2, refused
    assert "[C5]" in refused.err or "C5" in refused.err
    assert "confirmed" not in refused.out
    told = walk.said["acknowledge"]
    assert told.code == 0, told
    assert all(f"unknown {name}:" in told.out for name in UNKNOWN)
    assert told.out.count("(acknowledged)") == len(UNKNOWN)
    assert "prerequisites (rule C5): ready" in told.out


def _synced(walk: Walk) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(Intacct ARINVOICE, Re-Leased invoice) of every linked pair, as they stood after the
    initial sync."""
    released = {i["id"]: i for i in walk.released_records("invoices")}
    return [
        (record, released[walk.invoices[record["RECORDNO"]]])
        for record in walk.intacct_records("ARINVOICE")
        if record["RECORDNO"] in walk.invoices and record["RECORDNO"] != walk.deleted
    ]


def test_correction_1_the_acknowledged_onboarding_confirms_and_syncs_every_line(
    walk: Walk,
) -> None:
    said = walk.said["onboard"]
    assert "confirmed: the initial sync runs now" in said.out, said
    pairs = _synced(walk)
    assert len(pairs) >= 10
    counted = [(len(mine["lines"]), len(theirs["ARINVOICEITEMS"])) for theirs, mine in pairs]
    assert all(mine == theirs for mine, theirs in counted), counted
    assert any(theirs > 1 for _, theirs in counted)
    for theirs, mine in pairs:
        amounts = sorted(Decimal(line["TRX_AMOUNT"]) for line in theirs["ARINVOICEITEMS"])
        assert sorted(Decimal(line["lineAmount"]) for line in mine["lines"]) == amounts


def test_correction_2_payments_are_applied_to_the_right_invoices(walk: Walk) -> None:
    paid = [(theirs, mine) for theirs, mine in _synced(walk) if Decimal(theirs["TOTALPAID"]) > 0]
    assert len(paid) >= 5
    live = [p for p in walk.released_records("payments") if p["status"] == "Active"]
    for theirs, mine in paid:
        assert Decimal(mine["amountPaid"]) == Decimal(theirs["TOTALPAID"]), theirs["RECORDID"]
        applied = sum(Decimal(p["amount"]) for p in live if p["invoiceId"] == mine["id"])
        assert applied == Decimal(theirs["TOTALPAID"]), theirs["RECORDID"]


def test_correction_4_D8_an_invoice_deleted_in_intacct_is_reported(walk: Walk) -> None:
    rows = [json.loads(line) for line in walk.said["results"].out.splitlines() if line.strip()]
    (deleted,) = [r for r in rows if r["intacctKey"] == walk.deleted and r["rule"] == "D8"]
    assert deleted["kind"] == "needs_user"
    assert deleted["releasedId"] == walk.invoices[walk.deleted]
    assert "was deleted in Sage Intacct" in deleted["message"]
    assert "unlink" in deleted["fix"].lower()
