"""``released-intacct release CONNECTION`` (issue 16, F7; rule E4): a company whose run's process
died is freed at once; a run that may be alive is not released."""

from __future__ import annotations

import asyncio
import io
import socket
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from released_intacct.adapters.state.sqlite import SqliteStateStore
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console
from released_intacct.app.ports import this_process
from released_intacct.domain.ids import ConnectionId, EntityId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.results import RunStatus
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection, Phase, Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.stored import stored_connection

ID = ConnectionId("conn-release")


def _dead_process() -> str:
    """The holder of a process of this host that has ended."""
    ended = subprocess.Popen(["true"])
    ended.wait()
    return f"{socket.gethostname()}/{ended.pid}"


def _store_with_open_run(tmp_path: Path, holder: str, *, started: datetime) -> Path:
    connection = Connection(
        id=ID,
        released_company=ReleasedCompanyId("RL-1"),
        intacct_company=IntacctCompanyId("C"),
        phase=Phase.CONFIRMED,
        entity=EntityId(""),
        sync_from=date(2026, 1, 1),
        created_at=started,
        confirmed_at=started,
    )
    return stored_connection(
        tmp_path, connection, lambda store: value(store.start_run(ID, at=started, holder=holder))
    )


def _runs(tmp_path: Path, config: Path) -> tuple[Run, ...]:
    key = Secret(config.read_text().split('encryption_key = "')[1].split('"')[0])

    async def read() -> tuple[Run, ...]:
        store = await SqliteStateStore.open(tmp_path / "state.sqlite3", key=key)
        try:
            return await value(store.runs(ID))
        finally:
            await store.close()

    return asyncio.run(read())


def _release(config: Path) -> tuple[int, str, str]:
    console = Console(out=io.StringIO(), err=io.StringIO(), environ={})
    code = main(["--config", str(config), "release", ID], console=console)
    assert isinstance(console.out, io.StringIO)
    assert isinstance(console.err, io.StringIO)
    return code, console.out.getvalue(), console.err.getvalue()


def test_F7_release_frees_a_company_whose_run_process_is_dead(tmp_path: Path) -> None:
    dead = _dead_process()
    config = _store_with_open_run(tmp_path, dead, started=datetime.now(UTC))
    code, out, err = _release(config)
    assert code == 0, (out, err)
    assert f"held by {dead}" in out
    (run,) = _runs(tmp_path, config)
    assert run.status is RunStatus.FAILED
    assert run.released_at is not None
    code, out, err = _release(config)  # nothing open any more
    assert code == 2
    assert "is free" in err


def test_F7_release_refuses_a_run_that_may_be_alive_and_frees_a_silent_one(
    tmp_path: Path,
) -> None:
    config = _store_with_open_run(tmp_path, this_process(), started=datetime.now(UTC))
    code, out, err = _release(config)
    assert code == 2, (out, err)
    assert "may still be alive" in err
    assert "SIGTERM" in err
    (run,) = _runs(tmp_path, config)
    assert run.status is RunStatus.RUNNING
    other = tmp_path / "other"
    other.mkdir()
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    silent = _store_with_open_run(other, "another-host/42", started=long_ago)
    code, out, err = _release(silent)
    assert code == 0, (out, err)
