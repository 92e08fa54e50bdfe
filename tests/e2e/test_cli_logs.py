"""The one log pipeline (``adapters.log`` + ``cli.logs``): product events and libraries' records
through the same processors, one line each, logfmt or JSON, every secret hidden (rule C2)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from released_intacct.adapters.log import Event, logger
from released_intacct.adapters.state import generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.logs import formatter, logging_to
from released_intacct.app.cli.shell import Console
from released_intacct.app.http_server import server_config
from released_intacct.domain.secret import Secret

SECRET = "hunter2-s3cret"
NAME = "released_intacct.tests.logs"


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def kept() -> Iterator[_Kept]:
    """The records of the logger ``NAME``, as a host's own handler gets them."""
    handler, named = _Kept(), logging.getLogger(NAME)
    named.addHandler(handler)
    named.setLevel(logging.DEBUG)
    named.propagate = False
    yield handler
    named.removeHandler(handler)
    named.propagate = True


def _crash(log: object) -> None:
    try:
        raise RuntimeError(f"refused with {SECRET}")
    except RuntimeError:
        logger(NAME).exception("sync_crashed", connection="conn-1", run="run-9")


def test_an_event_reaches_a_host_s_handler_as_data_and_as_a_logfmt_message(kept: _Kept) -> None:
    logger(NAME).info("sync_done", connection="conn-1", run="run-9", errors=0)
    (record,) = kept.records
    assert isinstance(record.msg, Event)
    assert dict(record.msg) == {
        "event": "sync_done",
        "connection": "conn-1",
        "run": "run-9",
        "errors": 0,
    }
    assert (record.levelno, record.name) == (logging.INFO, NAME)
    assert record.getMessage() == "event=sync_done connection=conn-1 run=run-9 errors=0"
    assert (record.pathname, record.funcName) == (
        __file__,
        "test_an_event_reaches_a_host_s_handler_as_data_and_as_a_logfmt_message",
    )
    _crash(None)
    assert kept.records[-1].exc_info is not None  # a host's handler prints the traceback


def test_C2_every_secret_is_hidden_in_values_exceptions_and_library_records(kept: _Kept) -> None:
    logger(NAME).warning("sent", header=f"Bearer {SECRET}", said=f'"{SECRET}"')
    _crash(None)
    foreign = logging.LogRecord("httpx", logging.INFO, __file__, 1, "sent %s", (SECRET,), None)
    records = [*kept.records, foreign]
    for log_format in ("logfmt", "json"):
        for verbose in (False, True):
            lines = formatter([Secret(SECRET)], log_format=log_format, verbose=verbose)
            said = "\n".join(lines.format(record) for record in records)
            assert SECRET not in said, (log_format, verbose)
            assert said.count("**********") >= 4


def test_a_line_is_logfmt_at_level_logger_event_then_the_pairs(kept: _Kept) -> None:
    logger(NAME).warning("run_lost", connection="conn-1", run="run 9")
    line = formatter([]).format(kept.records[0])
    assert line.startswith("at=20")
    assert line.endswith(
        f' level=warning logger={NAME} event=run_lost connection=conn-1 run="run 9"'
    )


def test_an_exception_stays_on_its_event_s_one_line_its_traceback_only_at_vv(kept: _Kept) -> None:
    _crash(None)
    (record,) = kept.records
    line = formatter([]).format(record)
    assert "\n" not in line
    assert "error_type=RuntimeError" in line
    assert "Traceback" not in line
    verbose = formatter([], verbose=True).format(record)
    assert "\n" not in verbose
    assert "exception=" in verbose
    assert "Traceback (most recent call last):" in verbose
    decoded = json.loads(formatter([], log_format="json", verbose=True).format(record))
    assert decoded["event"] == "sync_crashed"
    assert decoded["error_type"] == "RuntimeError"
    assert "raise RuntimeError" in decoded["exception"]


def test_httpx_request_lines_are_shown_at_vv_only_and_as_debug() -> None:
    for verbosity, shown in ((1, False), (2, True)):
        stream = io.StringIO()
        with logging_to(stream, verbosity=verbosity, secrets=[]):
            logging.getLogger("httpx").info('HTTP Request: GET http://x "HTTP/1.1 200 OK"')
        said = stream.getvalue()
        assert ("HTTP Request" in said) is shown
        if shown:
            assert " level=debug logger=httpx " in said


@pytest.mark.parametrize("after", [False, True], ids=["before-the-command", "after-it"])
def test_log_format_json_makes_every_log_line_a_json_object(tmp_path: Path, after: bool) -> None:
    key = generate_key().reveal()
    config = tmp_path / "settings.toml"
    config.write_text(
        f'database = "{tmp_path / "state.db"}"\nencryption_key = "{key}"\n'
        '[released]\nbase_url = "http://127.0.0.1:9"\napi_key = "unused"\n'
    )
    config.chmod(0o644)  # readable by others: the settings module logs a warning
    console = Console(out=io.StringIO(), err=io.StringIO(), environ={})
    options = ["-v", "--log-format", "json", "--config", str(config)]
    argv = ["status", *options] if after else [*options, "status"]
    assert main(argv, console=console) == 0
    assert isinstance(console.err, io.StringIO)
    err = console.err.getvalue()
    logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert [e["event"] for e in logged] == ["settings_file_exposed"]
    assert logged[0]["level"] == "warning"
    assert logged[0]["logger"] == "released_intacct.app.settings"
    assert key not in err


def test_an_unknown_log_format_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--log-format", "xml", "status"]) == 2
    assert "--log-format" in capsys.readouterr().err


def test_uvicorn_s_records_go_through_the_same_pipeline_not_handlers_of_its_own() -> None:
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    earlier = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in names
    }
    for name in names:  # as a fresh process has them (a test server may have set them up)
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    try:
        server_config(Starlette(), log_level="info")
        assert all(not logging.getLogger(name).handlers for name in names)
        stream = io.StringIO()
        with logging_to(stream, verbosity=1, secrets=[Secret(SECRET)]):
            logging.getLogger("uvicorn.error").error("Exception in ASGI application %s", SECRET)
        (line,) = stream.getvalue().splitlines()
        assert " level=error logger=uvicorn.error " in line
        assert SECRET not in line
    finally:
        for name, (handlers, propagate) in earlier.items():
            logging.getLogger(name).handlers = handlers
            logging.getLogger(name).propagate = propagate
