"""The command line without the simulators: help, settings, the state store, refusals at input."""

from __future__ import annotations

import io
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from released_intacct.adapters.state import generate_key, schema
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console

COMMANDS = (
    "serve", "connect", "disconnect", "onboard", "sync", "release", "status", "results", "unlink",
    "relink", "rotate-key", "intents", "resolve",
)  # fmt: skip


def _config(tmp_path: Path, key: str | None = None, *, released: bool = True) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        f'database = "{tmp_path / "state.sqlite3"}"\n'
        f'encryption_key = "{key or generate_key().reveal()}"\n'
        + ('[released]\nbase_url = "http://127.0.0.1:9"\napi_key = "unused"\n' if released else "")
    )
    path.chmod(0o600)  # it holds the key: only its owner may read it
    return path


def _console(**environ: str) -> Console:
    return Console(out=io.StringIO(), err=io.StringIO(), environ=environ)


def _said(console: Console) -> tuple[str, str]:
    assert isinstance(console.out, io.StringIO)
    assert isinstance(console.err, io.StringIO)
    return console.out.getvalue(), console.err.getvalue()


@pytest.mark.parametrize("command", [*COMMANDS, "migrate"])
def test_E3_every_command_has_help_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: released-intacct {command}")
    assert "examples:" in out


def test_E3_the_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(command in out for command in (*COMMANDS, "migrate"))


def test_C2_bad_settings_from_the_environment_exit_2_naming_each_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELEASED_INTACCT_DATABASE", "state.db")
    monkeypatch.setenv("RELEASED_INTACCT_INTACCT_BATCH_SIZE", "many")
    monkeypatch.setenv("RELEASED_INTACCT_NOPE", "1")
    monkeypatch.delenv("RELEASED_INTACCT_ENCRYPTION_KEY", raising=False)
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == "error: the settings cannot be used:"
    for name in (
        "RELEASED_INTACCT_ENCRYPTION_KEY",
        "RELEASED_INTACCT_INTACCT_BATCH_SIZE",
        "RELEASED_INTACCT_NOPE",
    ):
        assert sum(line.startswith("  - ") and name in line for line in lines) >= 1, name
    assert "Traceback" not in err


def test_C2_a_key_that_is_not_a_fernet_key_exits_2_naming_the_setting(tmp_path: Path) -> None:
    console = _console()
    config = _config(tmp_path, key="not-a-key")
    assert main(["--config", str(config), "migrate"], console=console) == 2
    _, err = _said(console)
    assert err.startswith("error: ")
    assert "RELEASED_INTACCT_ENCRYPTION_KEY" in err
    assert "not-a-key" not in err


def test_E4_migrate_creates_the_store_and_prints_the_version_reached(tmp_path: Path) -> None:
    config = _config(tmp_path)
    for _ in range(2):  # again: nothing left to apply, same version
        console = _console()
        assert main(["--config", str(config), "migrate"], console=console) == 0
        out, _ = _said(console)
        assert f"schema version {len(schema.MIGRATIONS)}" in out
    assert (tmp_path / "state.sqlite3").exists()


def test_F12_a_settings_file_others_can_read_is_warned_about_and_still_used(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    config.chmod(0o644)
    console = _console()
    assert main(["--config", str(config), "migrate"], console=console) == 0
    out, err = _said(console)
    assert err == (
        f"warning: the settings file {config} can be read or changed by its group or by others "
        f"(mode 0644), and it holds the encryption key and the admin token: chmod 600 {config}\n"
    )
    assert "schema version" in out
    config.chmod(0o600)
    console = _console()
    assert main(["--config", str(config), "migrate"], console=console) == 0
    assert _said(console)[1] == ""


def test_C2_connect_without_the_passwords_names_the_variables(tmp_path: Path) -> None:
    console = _console()
    argv = ["--config", str(_config(tmp_path)), "connect", "--company", "RL-DEMO"]
    argv += ["--sender-id", "s", "--company-id", "C", "--user-id", "u"]
    assert main(argv, console=console) == 2
    _, err = _said(console)
    assert "INTACCT_SENDER_PASSWORD and INTACCT_USER_PASSWORD" in err


def test_C2_a_password_is_never_taken_as_an_argument(tmp_path: Path) -> None:
    console = _console()
    argv = ["--config", str(_config(tmp_path)), "connect", "--company", "RL-DEMO"]
    argv += ["--sender-id", "s", "--company-id", "C", "--user-id", "u", "--sender-password", "x"]
    assert main(argv, console=console) == 2


def test_O3_onboard_with_no_decisions_and_no_one_to_ask_is_refused(tmp_path: Path) -> None:
    console = _console()
    assert main(["--config", str(_config(tmp_path)), "onboard", "conn-x"], console=console) == 2
    _, err = _said(console)
    assert "--decisions FILE" in err


def test_E1_results_refuses_a_since_that_is_not_a_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--config", str(_config(tmp_path)), "results", "conn-x", "--since", "yesterday"]
    assert main(argv) == 2
    assert "ISO date" in capsys.readouterr().err


def test_E4_an_unknown_connection_is_refused_in_one_line(tmp_path: Path) -> None:
    console = _console()
    assert main(["--config", str(_config(tmp_path)), "status", "conn-x"], console=console) == 2
    _, err = _said(console)
    assert err.count("\n") == 1
    assert "conn-x" in err


def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    """``released-intacct status | head -0``: no traceback, exit code 141 (128 + SIGPIPE)."""
    cli = str(Path(sys.executable).with_name("released-intacct"))
    command = [cli, "--config", str(_config(tmp_path)), "status"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # the reader is gone before the first line
    with process.stderr:
        err = process.stderr.read().decode()
    assert process.wait(timeout=30) == 141
    assert err == ""


def test_a_closed_output_in_process_is_the_pipe_closed_exit_code(tmp_path: Path) -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    console = Console(out=Closed(), err=io.StringIO(), environ={})
    assert main(["--config", str(_config(tmp_path)), "status"], console=console) == 141
    assert isinstance(console.err, io.StringIO)
    assert console.err.getvalue() == ""


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"released-intacct {metadata.version('released-intacct')}\n"


def test_E4_config_and_verbose_are_taken_after_the_command_too(tmp_path: Path) -> None:
    config = str(_config(tmp_path))
    for argv in (["--config", config, "migrate"], ["migrate", "--config", config, "-vv"]):
        console = _console()
        assert main(argv, console=console) == 0, _said(console)
        assert "schema version" in _said(console)[0]
    moved = tmp_path / "moved"
    moved.mkdir()
    other = str(_config(moved))
    console = _console()  # given on both sides: the one after the command wins
    assert main(["--config", "absent.toml", "migrate", "--config", other], console=console) == 0
    assert (moved / "state.sqlite3").exists()


def test_E4_commands_that_never_call_re_leased_need_no_re_leased_settings(tmp_path: Path) -> None:
    config = str(_config(tmp_path, released=False))
    for argv in (["status"], ["results", "conn-x"], ["intents", "conn-x"], ["unlink", "conn-x",
                 "invoice", "inv-1"], ["release", "conn-x"], ["disconnect", "conn-x"]):  # fmt: skip
        console = _console()
        code = main(["--config", config, *argv], console=console)
        out, err = _said(console)
        assert "released.base_url" not in err, (argv, err)
        assert code == (0 if argv == ["status"] else 2), (argv, err)
        assert argv != ["status"] or "no connections yet" in out
    console = _console()  # a sync does call Re-Leased: refused before anything is opened
    assert main(["--config", config, "sync", "conn-x"], console=console) == 2
    assert "give released.base_url and released.api_key" in _said(console)[1]


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (("--entity", ""), "argument --entity: needs an entity id; for the top level"),
        (("--entity", "E100", "--top-level"), "argument --top-level: not allowed with argument"),
        (("--sync-from", "soon"), "argument --sync-from: must be a date such as 2024-01-01"),
    ],
)
def test_C3_C4_onboard_takes_the_entity_top_level_and_date_options_of_connect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: tuple[str, ...], said: str
) -> None:
    """``onboard`` chooses the entity and date with connect's own options: the top level is
    ``--top-level``, never the undocumented ``--entity ""``."""
    argv = ["--config", str(_config(tmp_path)), "onboard", "conn-x", *given]
    assert main(argv) == 2
    assert said in capsys.readouterr().err
