"""The CLI while a confirm of the connection is under way in another process (rule O5; F4):
``status`` shows the phase ``confirming`` with since when, by which process and until when it holds
the connection, and ``onboard --confirm`` is refused, saying so, with the refusal's exit code."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from released_intacct.app.cli import main
from released_intacct.app.cli.shell import REFUSED, Console
from released_intacct.domain.ids import ConnectionId, EntityId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.state import DEFAULT_STALE_AFTER, Connection, Phase
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.stored import stored_connection

ID = ConnectionId("conn-confirming")
ELSEWHERE = "another-host/4242"


def _confirming_elsewhere(tmp_path: Path, at: datetime) -> Path:
    """Settings of a store whose connection another process is confirming since ``at``."""
    connection = Connection(
        id=ID,
        released_company=ReleasedCompanyId("RL-1"),
        intacct_company=IntacctCompanyId("C"),
        phase=Phase.ONBOARDING,
        entity=EntityId(""),
        sync_from=date(2024, 1, 1),
        created_at=at,
    )
    (tmp_path / "decisions.toml").write_text("", encoding="utf-8")
    return stored_connection(
        tmp_path,
        connection,
        lambda store: value(store.claim_confirm(ID, token="other", at=at, holder=ELSEWHERE)),
    )


def _cli(config: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--config", str(config), *args], console=Console(out=out, err=err, environ={}))
    return code, out.getvalue(), err.getvalue()


def _utc(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def test_F4_cli_status_shows_the_confirm_under_way_and_onboard_is_refused(tmp_path: Path) -> None:
    at = datetime.now(UTC).replace(microsecond=0)
    config = _confirming_elsewhere(tmp_path, at)
    code, out, err = _cli(config, "status", ID)
    assert code == 0, (out, err)
    assert "phase         confirming, syncing from 2024-01-01" in out
    until = at + DEFAULT_STALE_AFTER
    assert f"confirming    since {_utc(at)} by {ELSEWHERE}, held until {_utc(until)}" in out
    decisions = str(tmp_path / "decisions.toml")
    code, out, err = _cli(config, "onboard", ID, "--decisions", decisions, "--confirm")
    assert code == REFUSED, (out, err)
    assert "[O5] A confirm of connection conn-confirming is already under way" in err
    assert f"by process {ELSEWHERE}" in err
    assert "Wait for it to finish" in err
