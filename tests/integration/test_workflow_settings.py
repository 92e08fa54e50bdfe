"""The settings object and its two readers (environment, TOML file) for the CLI (rules C2, E4)."""

from __future__ import annotations

import logging
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.released.settings import ReleasedSettings
from released_intacct.app.scheduler import WorkerSettings
from released_intacct.app.settings import (
    Settings,
    SettingsError,
    exposed_settings_file,
    settings_from_env,
    settings_from_toml,
)
from released_intacct.domain.schedule import Schedule
from released_intacct.domain.secret import Secret

KEY = "key-6b1f-never-shown"
OLD = "old-key-0c2d-never-shown"
TOKEN = "token-93aa-never-shown-5e1b7c40d2f8"


def test_E4_env_gives_defaults_for_all_but_the_database_and_key() -> None:
    settings = settings_from_env(
        {
            "RELEASED_INTACCT_DATABASE": "/var/lib/ri/state.sqlite3",
            "RELEASED_INTACCT_ENCRYPTION_KEY": KEY,
            "PATH": "/usr/bin",
        }
    )
    assert settings == Settings(database="/var/lib/ri/state.sqlite3", encryption_key=Secret(KEY))
    assert settings.schedule == Schedule()
    assert settings.intacct == ClientSettings()
    assert settings.admin_token is None


def test_E4_env_reads_every_setting() -> None:
    settings = settings_from_env(
        {
            "RELEASED_INTACCT_DATABASE": "state.sqlite3",
            "RELEASED_INTACCT_ENCRYPTION_KEY": KEY,
            "RELEASED_INTACCT_PREVIOUS_KEYS": f"{OLD}, other-old",
            "RELEASED_INTACCT_ADMIN_TOKEN": TOKEN,
            "RELEASED_INTACCT_SCHEDULE_AT": "03:30",
            "RELEASED_INTACCT_SCHEDULE_TIMEZONE": "Europe/London",
            "RELEASED_INTACCT_SCHEDULE_EVERY_MINUTES": "90",
            "RELEASED_INTACCT_INTACCT_BATCH_SIZE": "20",
            "RELEASED_INTACCT_INTACCT_CONCURRENCY": "4",
            "RELEASED_INTACCT_INTACCT_TIMEOUT": "12.5",
            "RELEASED_INTACCT_RELEASED_PAGE_SIZE": "100",
        }
    )
    assert settings.previous_keys == (Secret(OLD), Secret("other-old"))
    assert settings.admin_token == Secret(TOKEN)
    assert settings.schedule == Schedule(
        at=time(3, 30), timezone=ZoneInfo("Europe/London"), every=timedelta(minutes=90)
    )
    assert (settings.intacct.batch_size, settings.intacct.concurrency) == (20, 4)
    assert settings.intacct.timeout == 12.5
    assert settings.released.page_size == 100
    shown = repr(settings)
    for secret in (KEY, OLD, TOKEN):
        assert secret not in shown


def test_C2_env_errors_name_every_bad_variable_and_never_a_secret() -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_env(
            {
                "RELEASED_INTACCT_ADMIN_TOKEN": TOKEN,
                "RELEASED_INTACCT_PREVIOUS_KEYS": OLD,
                "RELEASED_INTACCT_INTACCT_BATCH_SIZE": "lots",
                "RELEASED_INTACCT_INTACCT_CONCURRENCY": "0",
                "RELEASED_INTACCT_SCHEDULE_TIMEZONE": "Mars/Olympus",
                "RELEASED_INTACCT_INTACT_PAGE_SIZE": "10",
            }
        )
    problems = raised.value.problems
    named = " ".join(problems)
    for name in (
        "RELEASED_INTACCT_DATABASE is required",
        "RELEASED_INTACCT_ENCRYPTION_KEY is required",
        "RELEASED_INTACCT_INTACCT_BATCH_SIZE must be a whole number",
        "RELEASED_INTACCT_INTACCT_CONCURRENCY is out of range",
        "RELEASED_INTACCT_SCHEDULE_TIMEZONE must be an IANA time zone",
        "RELEASED_INTACCT_INTACT_PAGE_SIZE is not a setting",
    ):
        assert name in named
    assert len(problems) == 6
    for secret in (TOKEN, OLD):
        assert secret not in str(raised.value)


def test_E4_toml_reads_tables_and_refuses_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        f'database = "state.sqlite3"\nencryption_key = "{KEY}"\nprevious_keys = ["{OLD}"]\n'
        "[schedule]\nat = 04:15:00\n"
        '[intacct]\nendpoint = "http://sim/ia/xml/xmlgw.phtml"\npage_size = 200\n'
        "[released]\nattempts = 3\n",
        encoding="utf-8",
    )
    settings = settings_from_toml(path)
    assert settings.encryption_key == Secret(KEY)
    assert settings.previous_keys == (Secret(OLD),)
    assert settings.schedule.at == time(4, 15)
    assert settings.intacct.endpoint == "http://sim/ia/xml/xmlgw.phtml"
    assert settings.intacct.page_size == 200
    assert settings.released.attempts == 3
    path.write_text(
        f'database = "x"\nencryption_key = "{KEY}"\n[intacct]\nbatchsize = 5\n', encoding="utf-8"
    )
    with pytest.raises(SettingsError, match=r"intacct\.batchsize is not a setting"):
        settings_from_toml(path)


def test_C2_toml_errors_name_the_file_and_hide_secrets(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(SettingsError, match="cannot read the settings file"):
        settings_from_toml(missing)
    broken = tmp_path / "broken.toml"
    broken.write_text(f'encryption_key = "{KEY}"\ndatabase = \n', encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML") as raised:
        settings_from_toml(broken)
    assert KEY not in str(raised.value)
    typed = tmp_path / "typed.toml"
    typed.write_text('database = "x"\nencryption_key = 12345678\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="encryption_key must be a string") as raised:
        settings_from_toml(typed)
    assert "12345678" not in str(raised.value)


def test_settings_built_in_code_refuse_an_empty_key_or_database() -> None:
    with pytest.raises(ValueError, match="encryption_key"):
        Settings(database="state.sqlite3", encryption_key=Secret(""))
    with pytest.raises(ValueError, match="database"):
        Settings(database=" ", encryption_key=Secret(KEY))


# --- F11: every value is checked where it is read, and each problem names its setting ----------

BASE = {"RELEASED_INTACCT_DATABASE": "state.sqlite3", "RELEASED_INTACCT_ENCRYPTION_KEY": KEY}


def _problems_of(extra: dict[str, str]) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as raised:
        settings_from_env(BASE | extra)
    return raised.value.problems


@pytest.mark.parametrize("name", ["INTACCT_TIMEOUT", "RELEASED_TIMEOUT"])
@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "0", "-5", "1e999"])
def test_F11_timeouts_must_be_finite_and_positive(name: str, bad: str) -> None:
    (problem,) = _problems_of({f"RELEASED_INTACCT_{name}": bad})
    assert problem.startswith(f"RELEASED_INTACCT_{name} ")
    assert "finite" in problem or "positive" in problem


def _refused_in_toml(tmp_path: Path, tables: str) -> list[str]:
    """The keys a settings file with ``tables`` (after the required keys) is refused for."""
    path = tmp_path / "settings.toml"
    path.write_text(f'database = "x"\nencryption_key = "{KEY}"\n{tables}', encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        settings_from_toml(path)
    return sorted(p.split(" ", 2)[1] for p in raised.value.problems)


def test_F11_toml_nan_and_inf_timeouts_are_refused_by_key(tmp_path: Path) -> None:
    named = _refused_in_toml(tmp_path, "[intacct]\ntimeout = nan\n[released]\ntimeout = inf\n")
    assert named == ["intacct.timeout", "released.timeout"]


def test_F11_timeouts_built_in_code_are_refused_too() -> None:
    for bad in (float("nan"), float("inf"), 0.0, -1.0):
        with pytest.raises(ValueError, match="timeout must be a positive, finite number"):
            ClientSettings(timeout=bad)
        with pytest.raises(ValueError, match="timeout must be a positive, finite number"):
            ReleasedSettings(timeout=bad)


@pytest.mark.parametrize(
    "bad",
    [
        "api.intacct.com/ia/xml/xmlgw.phtml",
        "ftp://api.intacct.com/",
        "https://",
        "https:///path-only",
        "http://:8001/ia/xml/xmlgw.phtml",
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:port/",
        "http://[::1/",
    ],
)
def test_F11_urls_must_be_http_with_a_host_and_name_their_key(bad: str) -> None:
    problems = _problems_of(
        {"RELEASED_INTACCT_INTACCT_ENDPOINT": bad, "RELEASED_INTACCT_RELEASED_BASE_URL": bad}
    )
    named = sorted(problem.split(" ", 1)[0] for problem in problems)
    assert named == ["RELEASED_INTACCT_INTACCT_ENDPOINT", "RELEASED_INTACCT_RELEASED_BASE_URL"]
    for problem in problems:
        assert "must be an http:// or https:// URL with a host name" in problem


def test_F11_a_url_with_a_password_is_refused_without_showing_it() -> None:
    (problem,) = _problems_of({"RELEASED_INTACCT_RELEASED_BASE_URL": "ftp://me:s3cr3t@host/"})
    assert "s3cr3t" not in problem
    assert problem.startswith("RELEASED_INTACCT_RELEASED_BASE_URL")


def test_F11_admin_token_needs_32_characters_says_how_to_make_one_and_is_never_shown() -> None:
    short = "x7-short-admin-token-31-chars-ab"[:31]
    (problem,) = _problems_of({"RELEASED_INTACCT_ADMIN_TOKEN": short})
    assert problem.startswith("RELEASED_INTACCT_ADMIN_TOKEN must be at least 32 characters")
    assert "secrets.token_urlsafe(32)" in problem
    assert short not in problem
    enough = short + "c"
    settings = settings_from_env(BASE | {"RELEASED_INTACCT_ADMIN_TOKEN": enough})
    assert settings.admin_token == Secret(enough)


MINUTES = [
    ("0", False),
    ("-5", False),
    ("1441", False),
    ("99999999", False),
    ("1", True),
    ("1440", True),
]


@pytest.mark.parametrize(("minutes", "ok"), MINUTES)
def test_F11_every_minutes_is_between_1_and_1440(minutes: str, ok: bool) -> None:
    env = {"RELEASED_INTACCT_SCHEDULE_EVERY_MINUTES": minutes}
    if ok:
        assert settings_from_env(BASE | env).schedule.every == timedelta(minutes=int(minutes))
        return
    (problem,) = _problems_of(env)
    assert problem.startswith("RELEASED_INTACCT_SCHEDULE_EVERY_MINUTES must be 1-1440")


def test_F12_admin_max_body_bytes_defaults_to_1_mib_and_is_bounded() -> None:
    assert settings_from_env(BASE).admin_max_body_bytes == 1024 * 1024
    two = settings_from_env(BASE | {"RELEASED_INTACCT_ADMIN_MAX_BODY_BYTES": "2097152"})
    assert two.admin_max_body_bytes == 2 * 1024 * 1024
    for bad in ("0", "100", str(65 * 1024 * 1024)):
        (problem,) = _problems_of({"RELEASED_INTACCT_ADMIN_MAX_BODY_BYTES": bad})
        assert problem.startswith("RELEASED_INTACCT_ADMIN_MAX_BODY_BYTES must be 4096-67108864")


def test_admin_openapi_public_defaults_to_true_and_takes_only_true_or_false(
    tmp_path: Path,
) -> None:
    assert settings_from_env(BASE).admin_openapi_public is True
    for raw, read in (("false", False), ("FALSE", False), (" true ", True)):
        env = BASE | {"RELEASED_INTACCT_ADMIN_OPENAPI_PUBLIC": raw}
        assert settings_from_env(env).admin_openapi_public is read
    for bad in ("no", "0", ""):
        (problem,) = _problems_of({"RELEASED_INTACCT_ADMIN_OPENAPI_PUBLIC": bad})
        assert (
            problem == f"RELEASED_INTACCT_ADMIN_OPENAPI_PUBLIC must be true or false, got {bad!r}"
        )
    path = tmp_path / "settings.toml"
    path.write_text(f'database = "x"\nencryption_key = "{KEY}"\nadmin_openapi_public = false\n')
    path.chmod(0o600)
    assert settings_from_toml(path).admin_openapi_public is False
    path.write_text(f'database = "x"\nencryption_key = "{KEY}"\nadmin_openapi_public = "off"\n')
    with pytest.raises(
        SettingsError, match="admin_openapi_public must be true or false, got 'off'"
    ):
        settings_from_toml(path)


def test_F12_reading_a_settings_file_others_can_read_logs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'database = "x"\nencryption_key = "{KEY}"\n', encoding="utf-8")
    for mode, warned in ((0o644, True), (0o640, True), (0o602, True), (0o600, False)):
        path.chmod(mode)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="released_intacct.app.settings"):
            assert settings_from_toml(path).encryption_key == Secret(KEY)
        lines = [r.getMessage() for r in caplog.records]
        assert bool(lines) == warned, oct(mode)
        assert bool(exposed_settings_file(path)) == warned
        for line in lines:
            assert line.startswith("event=settings_file_exposed ")
            assert f"chmod 600 {path}" in line
            assert KEY not in line


def test_F1_the_stale_run_time_and_the_in_flight_bound_are_settings() -> None:
    settings = settings_from_env(
        BASE | {"RELEASED_INTACCT_SYNC_STALE_AFTER": "90", "RELEASED_INTACCT_SYNC_IN_FLIGHT": "600"}
    )
    assert (settings.runs.stale_after, settings.runs.in_flight) == (
        timedelta(seconds=90),
        timedelta(seconds=600),
    )
    assert settings_from_env(BASE).runs.stale_after == timedelta(minutes=1)
    for bad in ("0", "-1", "nan", "soon"):
        problems = _problems_of(
            {"RELEASED_INTACCT_SYNC_STALE_AFTER": bad, "RELEASED_INTACCT_SYNC_IN_FLIGHT": bad}
        )
        assert sorted(p.split(" ", 1)[0] for p in problems) == [
            "RELEASED_INTACCT_SYNC_IN_FLIGHT",
            "RELEASED_INTACCT_SYNC_STALE_AFTER",
        ], bad


def test_E4_the_worker_loops_capacity_poll_and_grace_are_settings(tmp_path: Path) -> None:
    settings = settings_from_env(
        BASE
        | {
            "RELEASED_INTACCT_WORKER_CAPACITY": "3",
            "RELEASED_INTACCT_WORKER_POLL": "0.5",
            "RELEASED_INTACCT_WORKER_GRACE": "25",
        }
    )
    assert settings.worker == WorkerSettings(
        capacity=3, poll=timedelta(seconds=0.5), grace=timedelta(seconds=25)
    )
    assert settings_from_env(BASE).worker == WorkerSettings()
    assert WorkerSettings().grace is None  # until the runs finish
    path = tmp_path / "settings.toml"
    path.write_text(
        f'database = "x.db"\nencryption_key = "{KEY}"\n[worker]\ncapacity = 0\npoll = -1\n'
    )
    path.chmod(0o600)
    with pytest.raises(SettingsError) as raised:
        settings_from_toml(path)
    assert sorted(p.split(": ", 1)[1].split()[0] for p in raised.value.problems) == [
        "worker.capacity",
        "worker.poll",
    ]
    problems = _problems_of({"RELEASED_INTACCT_WORKER_GRACE": "0"})
    assert problems[0].startswith("RELEASED_INTACCT_WORKER_GRACE ")


def test_F7_the_limits_on_waiting_are_settings_of_both_clients(tmp_path: Path) -> None:
    settings = settings_from_env(
        BASE
        | {
            "RELEASED_INTACCT_INTACCT_MAX_RETRY_AFTER": "30",
            "RELEASED_INTACCT_INTACCT_MAX_RETRY_WAIT": "90.5",
            "RELEASED_INTACCT_RELEASED_MAX_RETRY_AFTER": "15",
            "RELEASED_INTACCT_RELEASED_MAX_RETRY_WAIT": "45",
        }
    )
    assert (settings.intacct.max_retry_after, settings.intacct.max_retry_wait) == (30.0, 90.5)
    assert (settings.released.max_retry_after, settings.released.max_retry_wait) == (15.0, 45.0)
    defaults = Settings(database="s", encryption_key=Secret(KEY))
    assert (defaults.intacct.max_retry_after, defaults.intacct.max_retry_wait) == (120.0, 300.0)
    assert (defaults.released.max_retry_after, defaults.released.max_retry_wait) == (120.0, 300.0)
    named = _refused_in_toml(
        tmp_path, "[intacct]\nmax_retry_after = -1\n[released]\nmax_retry_wait = inf\n"
    )
    assert named == ["intacct.max_retry_after", "released.max_retry_wait"]
    with pytest.raises(ValueError, match="max_retry_wait must be"):
        ReleasedSettings(max_retry_wait=float("inf"))


def test_the_wait_for_a_shared_request_slot_is_a_setting(tmp_path: Path) -> None:
    """Issue 17: how long a request waits for one of its company's slots shared across processes
    (a PostgreSQL store) before it fails, retriable and unsent."""
    settings = settings_from_env(BASE | {"RELEASED_INTACCT_INTACCT_SLOT_WAIT": "45"})
    assert settings.intacct.slot_wait == 45.0
    assert Settings(database="s", encryption_key=Secret(KEY)).intacct.slot_wait == 300.0
    assert _refused_in_toml(tmp_path, "[intacct]\nslot_wait = -1\n") == ["intacct.slot_wait"]
    with pytest.raises(ValueError, match="slot_wait must be"):
        ClientSettings(slot_wait=float("inf"))


def test_C5_how_long_a_sync_run_may_take_the_set_up_kept_is_a_setting(tmp_path: Path) -> None:
    """Issue 19: ``intacct.setup_lifetime``, in seconds (0: the set-up is read every run)."""
    settings = settings_from_env(BASE | {"RELEASED_INTACCT_INTACCT_SETUP_LIFETIME": "600"})
    assert settings.intacct.setup_lifetime == timedelta(minutes=10)
    default = Settings(database="s", encryption_key=Secret(KEY)).intacct.setup_lifetime
    assert default == timedelta(hours=1)
    assert _refused_in_toml(tmp_path, "[intacct]\nsetup_lifetime = -1\n") == [
        "intacct.setup_lifetime"
    ]


def test_C2_the_rest_api_settings_are_read_from_the_file(tmp_path: Path) -> None:
    """Issue 20: ``intacct.api_base``, ``rest_batch_size``, ``rest_page_size`` and
    ``token_early`` (seconds) come from the settings file or the environment."""
    path = tmp_path / "settings.toml"
    path.write_text(
        f'database = "s"\nencryption_key = "{KEY}"\n[intacct]\n'
        'api_base = "http://127.0.0.1:8001/ia/api/v1/"\nrest_batch_size = 100\n'
        "rest_page_size = 2000\ntoken_early = 30\n",
        encoding="utf-8",
    )
    intacct = settings_from_toml(path).intacct
    assert intacct.api_base == "http://127.0.0.1:8001/ia/api/v1"
    assert (intacct.rest_batch_size, intacct.rest_page_size) == (100, 2000)
    assert intacct.token_early == timedelta(seconds=30)
    env = settings_from_env(BASE | {"RELEASED_INTACCT_INTACCT_TOKEN_EARLY": "90"})
    assert env.intacct.token_early == timedelta(seconds=90)
    assert Settings(database="s", encryption_key=Secret(KEY)).intacct == ClientSettings()


def test_C5_composite_set_up_reads_over_rest_are_a_setting(tmp_path: Path) -> None:
    """``intacct.rest_composite`` (default true): false has the REST set-up read each fact on
    its own (the fix of ``doctor``'s ``rest.composite_entity``)."""
    assert ClientSettings().rest_composite is True
    path = tmp_path / "settings.toml"
    path.write_text(
        f'database = "s"\nencryption_key = "{KEY}"\n[intacct]\nrest_composite = false\n',
        encoding="utf-8",
    )
    assert settings_from_toml(path).intacct.rest_composite is False
    env = settings_from_env(BASE | {"RELEASED_INTACCT_INTACCT_REST_COMPOSITE": "FALSE"})
    assert env.intacct.rest_composite is False
    assert _refused_in_toml(tmp_path, '[intacct]\nrest_composite = "off"\n') == [
        "intacct.rest_composite"
    ]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("rest_batch_size = 501", "intacct.rest_batch_size"),
        ("rest_batch_size = 0", "intacct.rest_batch_size"),
        ("rest_page_size = 4001", "intacct.rest_page_size"),
        ('rest_page_size = "many"', "intacct.rest_page_size"),
        ("token_early = -1", "intacct.token_early"),
        ('token_early = "inf"', "intacct.token_early"),
        ('api_base = "ftp://intacct/ia/api/v1"', "intacct.api_base"),
    ],
)
def test_C2_a_bad_rest_api_setting_is_refused_naming_it(
    tmp_path: Path, line: str, key: str
) -> None:
    assert _refused_in_toml(tmp_path, f"[intacct]\n{line}\n") == [key]


def test_C2_the_performance_tier_bounds_the_concurrency(tmp_path: Path) -> None:
    """Issue 20: Sage's performance tier (1-4) caps the requests one application has in flight
    (6, 8, 12, 15; docs/rest/txn-volume.md), for both APIs: a concurrency above the tier's is
    refused naming ``intacct.concurrency`` and the tier's limit; a tier that is not one of them
    names ``intacct.performance_tier``."""
    path = tmp_path / "settings.toml"
    path.write_text(
        f'database = "s"\nencryption_key = "{KEY}"\n[intacct]\n'
        "performance_tier = 3\nconcurrency = 12\n",
        encoding="utf-8",
    )
    intacct = settings_from_toml(path).intacct
    assert (intacct.performance_tier, intacct.concurrency) == (3, 12)
    assert _refused_in_toml(tmp_path, "[intacct]\nperformance_tier = 1\nconcurrency = 7\n") == [
        "intacct.concurrency"
    ]
    assert _refused_in_toml(tmp_path, "[intacct]\nperformance_tier = 5\n") == [
        "intacct.performance_tier"
    ]
    with pytest.raises(ValueError, match="at most 6"):
        ClientSettings(performance_tier=1, concurrency=7)
    assert ClientSettings(concurrency=40).performance_tier is None  # not said: not bounded


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("state.sqlite3", "{folder}/state.sqlite3"),
        ("data/state.sqlite3", "{folder}/data/state.sqlite3"),
        ("sqlite:///state.sqlite3", "sqlite:///{folder}/state.sqlite3"),
        ("/srv/state.sqlite3", "/srv/state.sqlite3"),
        ("sqlite:////srv/state.sqlite3", "sqlite:////srv/state.sqlite3"),
        ("postgresql://db.example/sync", "postgresql://db.example/sync"),
    ],
)
def test_E4_a_relative_database_path_in_a_file_is_in_the_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, read: str
) -> None:
    """Not in the current directory: the same settings file works from any folder."""
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "settings.toml").write_text(
        f'database = "{written}"\nencryption_key = "{KEY}"\n', encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = settings_from_toml(Path("..") / "conf" / "settings.toml")
    assert settings.database == read.format(folder=folder)
    env = settings_from_env(BASE | {"RELEASED_INTACCT_DATABASE": written})
    assert env.database == written  # the environment's: relative to the current directory
