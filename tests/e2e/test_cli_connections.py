"""``connect`` and ``disconnect`` over the Intacct simulator (rules C1, C3, C4).

Connect is one step, all or nothing: a refused entity or sync-from date leaves no connection in
the store. A company without entities is connected at its top level without ``--entity ""``.
The settings name no Re-Leased: neither command calls it, and neither does ``status``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import httpx
import pytest

from released_intacct.adapters.state import generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import cli as intacct_cli

PASSWORDS = {"INTACCT_SENDER_PASSWORD": "demo-sender-pass", "INTACCT_USER_PASSWORD": "ws_pass"}
SOLO = {  # an Intacct company without entities
    "company_id": "SOLO",
    "senders": {"demo-sender": "demo-sender-pass"},
    "users": {"ws_user": "ws_pass"},
}


@dataclass(frozen=True)
class Said:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Cli:
    config: Path

    def __call__(self, *argv: str) -> Said:
        out, err = StringIO(), StringIO()
        console = Console(out=out, err=err, environ=dict(PASSWORDS))
        code = main(["--config", str(self.config), *argv], console=console)
        return Said(code, out.getvalue(), err.getvalue())

    def connect(self, company: str, intacct: str, *choice: str) -> Said:
        return self(
            *("connect", "--company", company, "--sender-id", "demo-sender"),
            *("--company-id", intacct, "--user-id", "ws_user", *choice),
        )

    def connections(self) -> list[str]:
        said = self("status")
        assert said.code == 0, said
        return re.findall(r"^conn-[0-9a-f]+$", said.out, re.MULTILINE)


@pytest.fixture(scope="module")
def intacct() -> Iterator[str]:
    app = intacct_cli.build(intacct_cli.parser().parse_args(["--seed", "demo"]))
    with serving(app) as url:
        httpx.post(f"{url}/_sim/companies", json=SOLO).raise_for_status()
        yield url


@pytest.fixture
def cli(intacct: str, tmp_path: Path) -> Cli:
    path = tmp_path / "settings.toml"
    path.write_text(  # no [released]: nothing here calls Re-Leased
        'database = "state.sqlite3"\n'  # beside this file (not in the current directory)
        f'encryption_key = "{generate_key().reveal()}"\n'
        f'[intacct]\nendpoint = "{intacct}{intacct_app.GATEWAY_PATH}"\n'
    )
    path.chmod(0o600)
    return Cli(path)


@pytest.mark.parametrize(
    ("choice", "rule", "said"),
    [
        (("--entity", "E999"), "C3", 'Entity "E999" is not an entity'),
        (("--entity", "E100", "--sync-from", "2017-12-31"), "C4", "may not be before 2018-01-01"),
        (("--sync-from", "2024-01-01"), "C3", "No Sage Intacct entity is chosen"),
        (("--top-level",), "C3", "has entities, so it cannot be synced at its top level"),
    ],
)
def test_C3_C4_a_refused_connect_stores_nothing(
    cli: Cli, choice: tuple[str, ...], rule: str, said: str
) -> None:
    refused = cli.connect("RL-DEMO", "DEMO", *choice)
    assert refused.code == 2, refused
    assert refused.err.startswith(f"error: [{rule}] "), refused
    assert said in refused.err
    assert refused.out == ""
    assert cli.connections() == []
    again = cli.connect("RL-DEMO", "DEMO", "--entity", "E100", "--sync-from", "2024-01-01")
    assert again.code == 0, again  # corrected, the same command simply works: nothing was left
    assert "entity chosen: E100" in again.out
    assert "syncing from: 2024-01-01" in again.out
    assert len(cli.connections()) == 1
    assert (cli.config.parent / "state.sqlite3").exists()


def test_C3_a_company_without_entities_is_connected_at_its_top_level(cli: Cli) -> None:
    solo = cli.connect("RL-SOLO", "SOLO", "--sync-from", "2024-01-01")
    assert solo.code == 0, solo
    assert "entities: none (top level only)" in solo.out
    assert "entity chosen: top level" in solo.out
    assert "syncing from: 2024-01-01" in solo.out
    status = cli("status")
    assert "(entity top level)" in status.out
    assert "phase         onboarding, syncing from 2024-01-01" in status.out


def test_C3_the_top_level_is_chosen_explicitly_and_an_empty_entity_is_refused(
    cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = cli.connect("RL-SOLO", "SOLO", "--entity", "")
    assert empty.code == 2
    assert "argument --entity: needs an entity id; for the top level" in capsys.readouterr().err
    assert cli.connections() == []
    explicit = cli.connect("RL-SOLO", "SOLO", "--top-level")
    assert explicit.code == 0, explicit
    assert "entity chosen: top level" in explicit.out
    assert "--sync-from YYYY-MM-DD" in explicit.out  # what onboard still needs


def test_C1_disconnect_forgets_an_unconfirmed_connection(cli: Cli) -> None:
    connected = cli.connect("RL-DEMO", "DEMO")
    assert connected.code == 0, connected
    assert "next: released-intacct onboard" in connected.out
    assert "--entity ID --sync-from YYYY-MM-DD" in connected.out
    [id] = cli.connections()
    gone = cli("disconnect", id)
    assert gone.code == 0, gone
    assert f"disconnected {id}" in gone.out
    assert cli.connections() == []
    unknown = cli("disconnect", id)
    assert unknown.code == 2
    assert id in unknown.err
    assert cli.connect("RL-DEMO", "DEMO", "--entity", "E200").code == 0  # free again (C1)
