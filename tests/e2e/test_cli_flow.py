"""The command line over both simulators, served on real loopback ports (E1-E4, C1-C5, O1-O5).

One walk through, as an operator types it: connect -> onboard with the demo's decisions file and
--confirm (the initial sync runs and is followed to its end) -> status -> results -> sync again
-> unlink / relink of a synced invoice. Every command runs in process through ``main`` with its
output captured; ``-v`` is on throughout, so the logs are checked for credentials too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest

from released_intacct.adapters.state import generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import cli as intacct_cli
from released_intacct.fakes.simulators.released import cli as released_cli
from released_intacct.fakes.simulators.released import seed as released_seed

DECISIONS = Path(__file__).parents[2] / "examples" / "demo" / "decisions.toml"
PASSWORDS = {"INTACCT_SENDER_PASSWORD": "demo-sender-pass", "INTACCT_USER_PASSWORD": "ws_pass"}
CREDENTIALS = (*PASSWORDS.values(), released_seed.API_KEY)
ANSI = "\x1b["


@dataclass(frozen=True)
class Said:
    code: int
    out: str
    err: str


@dataclass
class Walk:
    config: Path
    key: str
    said: dict[str, Said] = field(default_factory=dict)
    id: str = ""

    def run(self, name: str, *argv: str, tty: bool = False) -> Said:
        out, err = StringIO(), StringIO()
        console = Console(out=out, err=err, environ=dict(PASSWORDS), tty=tty)
        code = main(["-v", "--config", str(self.config), *argv], console=console)
        self.said[name] = Said(code, out.getvalue(), err.getvalue())
        return self.said[name]


def _config(folder: Path, intacct: str, released: str, key: str) -> Path:
    path = folder / "settings.toml"
    path.write_text(
        f'database = "{folder / "state.sqlite3"}"\n'
        f'encryption_key = "{key}"\n'
        "[intacct]\n"
        f'endpoint = "{intacct}{intacct_app.GATEWAY_PATH}"\n'
        "[released]\n"
        f'base_url = "{released}"\n'
        f'api_key = "{released_seed.API_KEY}"\n'
    )
    path.chmod(0o600)  # it holds the key
    return path


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    intacct = intacct_cli.build(intacct_cli.parser().parse_args(["--seed", "demo"]))
    released = released_cli.build(released_cli.parser().parse_args(["--seed", "demo"]))
    with serving(intacct) as intacct_url, serving(released) as released_url:
        key = generate_key().reveal()
        folder = tmp_path_factory.mktemp("cli")
        w = Walk(config=_config(folder, intacct_url, released_url, key), key=key)
        connected = w.run(
            "connect",
            *("connect", "--company", released_seed.COMPANY_ID, "--sender-id", "demo-sender"),
            *("--company-id", "DEMO", "--user-id", "ws_user"),
            *("--entity", "E100", "--sync-from", "2024-01-01"),
        )
        found = re.search(r"conn-[0-9a-f]+", connected.out)
        assert found is not None, connected
        w.id = found.group(0)
        w.run("onboard", "onboard", w.id, "--decisions", str(DECISIONS), "--confirm")
        w.run("status", "status")
        w.run("status_tty", "status", tty=True)  # the same status (red), at a terminal
        w.run("results", "results", w.id, "--type", "invoice")
        w.run("results_json", "results", w.id, "--type", "invoice", "--json", "--limit", "1000")
        w.run("sync", "sync", w.id)
        w.run("unlink", "unlink", w.id, "invoice", "inv-0002")
        w.run("unlinked", "results", w.id, "--unlinked", "--json")
        w.run("unlink_again", "unlink", w.id, "invoice", "inv-0002")
        w.run("relink", "relink", w.id, "invoice", "inv-0002")
        w.run("unknown", "sync", "conn-nope")
        w.run("doctor", "doctor", w.id)
        w.run("doctor_json", "doctor", w.id, "--json", "-")
        w.run("disconnect", "disconnect", w.id, "--config", str(w.config))  # confirmed: refused
        w.run("after_disconnect", "status", w.id)
        w.run("sync_tty", "sync", w.id, tty=True)
        w.run("results_tty", "results", w.id, "--type", "invoice", tty=True)
        w.run("doctor_tty", "doctor", w.id, tty=True)
        yield w


def test_C2_connect_prints_the_connection_and_the_entities(walk: Walk) -> None:
    said = walk.said["connect"]
    assert said.code == 0, said
    assert "E100" in said.out
    assert "E200" in said.out
    assert "entity chosen: E100" in said.out
    assert "syncing from: 2024-01-01" in said.out


def test_O3_onboard_prints_each_decision_of_the_file(walk: Walk) -> None:
    said = walk.said["onboard"]
    assert "auto-match" in said.out
    assert "con-greenleaf) -> create as customer" in said.out
    assert "con-sparkle) -> create as vendor" in said.out
    assert "-> archive" in said.out
    assert "prerequisites (rule C5): ready" in said.out


def test_correction_5_C5_onboard_shows_what_intacct_cannot_report_as_acknowledged(
    walk: Walk,
) -> None:
    said = walk.said["onboard"].out
    for name in ("customer_sequencing", "vendor_sequencing", "subtotal_defaulting"):
        line = next(line for line in said.splitlines() if f"unknown {name}:" in line)
        assert "Sage Intacct does not report whether" in line
        assert line.endswith("(acknowledged)")
    assert re.search(r"holds\s+items: Sage Intacct: Items exist", said)


def test_E3_onboard_follows_the_initial_sync_to_its_red_end(walk: Walk) -> None:
    said = walk.said["onboard"]
    assert said.code == 1, said
    assert re.search(r"^invoice\s+\[", said.out, re.MULTILINE)
    assert "finished red (failed)" in said.out
    assert re.search(r"^  D13 +\d+  ", said.out, re.MULTILINE)
    assert ANSI not in said.out  # not a terminal: plain lines


def test_E3_onboard_and_status_say_why_the_initial_run_is_red_and_what_it_spent(
    walk: Walk,
) -> None:
    onboard, status = walk.said["onboard"].out, walk.said["status"].out
    assert re.search(r"finished red \(failed\): .*, [1-9]\d* Intacct API transaction", onboard)
    why = onboard[onboard.index("why it is red:") :]
    assert "  - Sync finished with errors: " in why  # the run's notification
    assert re.search(r"  - \[D13\] .* \(\d+ record\(s\)\) Fix: \S", why)
    assert re.search(r"last run .*, [1-9]\d* Intacct API transaction\(s\)", status)
    assert "  why it is red:\n    - Sync finished with errors: " in status
    assert "[D13]" in status[status.index("why it is red:") :]


def test_E3_status_shows_the_confirmed_company_red_with_its_last_run(walk: Walk) -> None:
    said = walk.said["status"]
    assert said.code == 0, said
    assert walk.id in said.out
    assert "phase         confirmed, syncing from 2024-01-01" in said.out
    assert "status        red" in said.out
    assert re.search(r"last run\s+\S+ started .*, \d+ error\(s\)", said.out)


def test_E1_results_of_invoices_name_the_D13_and_D14_refusals_with_their_fix(walk: Walk) -> None:
    said = walk.said["results"]
    assert said.code == 0, said
    rules = set(re.findall(r"^\S+\s+invoice .*? (D\d+|C\d+)\s", said.out, re.MULTILINE))
    assert {"D13", "D14"} <= rules, said.out
    assert "fix: " in said.out
    lines = walk.said["results_json"].out.splitlines()
    assert lines
    rows = [json.loads(line) for line in lines]
    assert all(row["recordType"] == "invoice" for row in rows)  # camelCase, as the admin API
    assert set(rows[0]) == {
        "firstSeen", "lastSeen", "recordType", "releasedId", "intacctKey", "direction", "rule",
        "kind", "message", "fix", "linkStatus", "count",
    }  # fmt: skip


def test_E4_sync_again_exits_by_its_colour(walk: Walk) -> None:
    said = walk.said["sync"]
    colour = re.search(r"finished (blue|red)", said.out)
    assert colour is not None, said
    assert said.code == (0 if colour.group(1) == "blue" else 1)
    assert "created    0" in said.out or "results by rule" in said.out
    assert ANSI not in said.out


def _without_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_E3_a_terminal_gets_rich_s_progress_bars_with_rate_and_time_left(walk: Walk) -> None:
    said = walk.said["sync_tty"]
    assert said.code in (0, 1), said
    assert ANSI in said.out  # drawn in place
    assert "\x1b[?25l" in said.out  # rich's live display hides the cursor while it draws
    drawn = _without_ansi(said.out)
    assert re.search(r"invoice\s.*━+ +\d+/\d+ +100% ", drawn), drawn
    assert re.search(r"\d+:\d\d:\d\d", drawn)  # the time remaining column
    assert "finished" in said.out


def test_E3_a_terminal_gets_the_status_as_a_rich_table_with_why_a_run_is_red(walk: Walk) -> None:
    said, plain = walk.said["status_tty"], walk.said["status"]
    assert said.code == plain.code == 0, said
    drawn = _without_ansi(said.out)
    assert re.search(r"│ companies +│ Re-Leased ", drawn), drawn
    assert re.search(r"│ last run +│ ", drawn), drawn
    assert "why it is red:" in plain.out
    assert re.search(r"│ why it is red +│ ", drawn), drawn  # one row per reason


def test_E1_a_terminal_gets_the_results_as_a_rich_table(walk: Walk) -> None:
    said = walk.said["results_tty"]
    assert said.code == 0, said
    assert "┃" in said.out or "│" in said.out  # rich's box drawing
    assert "LAST SEEN" in said.out
    drawn = _without_ansi(said.out)
    assert re.search(r"┃ +WHAT", drawn), drawn
    assert re.search(r"│ fix: ", drawn), drawn  # the fix in its cell, not a plain line


def test_doctor_at_a_terminal_draws_its_findings_and_prerequisites_as_tables(walk: Walk) -> None:
    said, plain = walk.said["doctor_tty"], walk.said["doctor"]
    assert said.code == plain.code, said
    drawn = _without_ansi(said.out)
    assert re.search(r"┃ +┃ CHECK +┃", drawn), drawn
    assert re.search(r"┃ +┃ PREREQUISITE +┃", drawn), drawn
    assert re.search(r"│ holds +│ items +│", drawn), drawn
    assert "prerequisites (rule C5):" in drawn  # the lines around the tables as they are


def test_E2_unlink_then_relink_a_synced_invoice(walk: Walk) -> None:
    assert walk.said["unlink"].code == 0, walk.said["unlink"]
    assert "inv-0002" in walk.said["unlink"].out
    assert "is now unlinked" in walk.said["unlink"].out
    again = walk.said["unlink_again"]
    assert again.code == 2
    assert again.err.startswith("error: [E2]")
    assert "already unlinked" in again.err
    assert walk.said["relink"].code == 0
    assert "is now linked" in walk.said["relink"].out


def test_E4_a_sync_of_an_unknown_connection_is_refused_in_one_line(walk: Walk) -> None:
    said = walk.said["unknown"]
    assert said.code == 2
    errors = [line for line in said.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "conn-nope" in errors[0]
    assert "Traceback" not in said.err


def test_C2_no_credential_appears_in_any_output_or_log(walk: Walk) -> None:
    assert "level=warning logger=released_intacct.app.runner event=sync_red" in (
        walk.said["onboard"].err
    )  # -v logs, as key=value lines
    for name, said in walk.said.items():
        for secret in (*CREDENTIALS, walk.key):
            assert secret not in said.out, (name, secret)
            assert secret not in said.err, (name, secret)


def test_doctor_checks_the_company_by_reading_and_prints_each_finding(walk: Walk) -> None:
    said = walk.said["doctor"]
    assert said.code == 0, said
    assert "Sage Intacct DEMO at E100; Intacct's now: " in said.out
    assert "zone: calibrated UTC-07:00" in said.out
    for check in ("time.zone", "lines.read", "audit.permission", "audit.modes", "payments.kinds"):
        assert re.search(rf"^  ok +{re.escape(check)}: ", said.out, re.MULTILINE), check
    assert "preferences: GEN ACCTNO_SEPARATOR=-" in said.out
    assert "healthy" in said.out


def test_doctor_json_is_the_report_to_send_with_no_credential(walk: Walk) -> None:
    said = walk.said["doctor_json"]
    assert said.code == 0, said
    report = json.loads(said.out)
    assert report["connection"] == walk.id
    assert report["healthy"] is True
    assert {f["check"] for f in report["findings"]} >= {"time.newest_change", "lines.line_object"}
    assert {p["prerequisite"] for p in report["prerequisites"]} >= {"customer_sequencing"}
    for secret in CREDENTIALS:
        assert secret not in said.out


def test_C1_disconnect_of_a_confirmed_connection_is_refused_with_the_rule_and_the_fix(
    walk: Walk,
) -> None:
    said = walk.said["disconnect"]
    assert said.code == 2, said
    assert said.err.startswith("error: [C1] "), said.err
    assert "was confirmed, so it can never be removed" in said.err
    assert "Keep syncing through this link." in said.err  # the fix
    after = walk.said["after_disconnect"]
    assert after.code == 0, after
    assert "phase         confirmed" in after.out  # nothing changed
