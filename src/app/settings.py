"""The settings of one running service, built by the caller (the library never reads env or files).

``Settings`` is a plain value: a host builds it in code; the CLI builds it with
``settings_from_env(os.environ)`` or ``settings_from_toml(path)``. Both readers share one table of
settings (``_config``), named ``database``, ``intacct.batch_size``, ... in a TOML file and
``RELEASED_INTACCT_DATABASE``, ``RELEASED_INTACCT_INTACCT_BATCH_SIZE``, ... in the environment.

Decided:
- A bad configuration raises ``SettingsError`` (a ``ValueError``) listing *every* problem, each
  naming its variable or key. Configuration is read once at start by the CLI, which stops on it;
  it is not a sync error, so it is not a ``SyncError`` value.
- Secrets (the encryption keys, the admin token) are wrapped in ``Secret`` as soon as they are
  read, and an error about one names it without ever showing its value.
- Unknown ``RELEASED_INTACCT_*`` variables and unknown TOML keys are errors: a misspelt setting
  would otherwise be silently ignored.
- ``previous_keys`` (keys the store may still decrypt with, for key rotation) is a comma-separated
  list in the environment and an array of strings in TOML.
- ``admin_token`` is optional: ``None`` means no admin token is configured, and the admin API
  then refuses every route but health. A token has at least 32 characters (``admin_token_problem``
  says why not, and how to make one); ``create_admin_app`` refuses a shorter one too.
- Values are checked where they are read: time-outs are finite and positive, URLs are http(s)
  with a host, ``schedule.every_minutes`` is 1-1440.
- A settings file that its group or others may read or change is read all the same, with a
  warning (``exposed_settings_file``; logged by ``settings_from_toml``, shown by the CLI): it
  holds the encryption key and the admin token. Refusing it would stop a running installation
  at its next restart over a mode it has always had.
- A relative path in a settings file (the SQLite ``database``, as a path or a ``sqlite:///``
  URL; the only setting that names a file) is relative to the file's folder, not to the current
  directory: the same file works from any folder. In the environment it is relative to the
  current directory, as any path given to a command.
- ``released.base_url`` and ``released.api_key`` are for stand-alone use (the HTTP adapter of
  Re-Leased); a host implementing the Re-Leased port itself leaves them out.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.log import logger
from released_intacct.adapters.released.settings import ReleasedSettings
from released_intacct.app import _config, tomlfile
from released_intacct.app._config import SettingsError, admin_token_problem
from released_intacct.app.scheduler import WorkerSettings
from released_intacct.domain.schedule import Schedule
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import RunPolicy

__all__ = [
    "ADMIN_MAX_BODY_BYTES",
    "ENV_PREFIX",
    "Settings",
    "SettingsError",
    "admin_token_problem",
    "exposed_settings_file",
    "settings_from_env",
    "settings_from_toml",
]

ENV_PREFIX = _config.ENV_PREFIX
ADMIN_MAX_BODY_BYTES = _config.ADMIN_MAX_BODY_BYTES

_log = logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    database: str = field(repr=False)
    """Where the state store lives: a SQLite file path, or a database URL (a ``postgresql://``
    one may hold a password: kept out of the ``repr``)."""
    encryption_key: Secret
    """Encrypts the stored Intacct credentials; kept apart from the database. The SQLite store
    takes a Fernet key (``released_intacct.adapters.state.generate_key`` makes one) and refuses
    any other when it opens."""
    previous_keys: tuple[Secret, ...] = ()
    """Earlier keys, still accepted for decrypting while credentials are re-encrypted (rotation)."""
    schedule: Schedule = field(default_factory=Schedule)
    intacct: ClientSettings = field(default_factory=ClientSettings)
    """Intacct client: endpoint, batch size, page size, concurrency, time-out."""
    released: ReleasedSettings = field(default_factory=ReleasedSettings)
    released_url: str | None = None
    """Stand-alone use: the base URL of the Re-Leased REST API (the HTTP adapter). A host that
    implements the Re-Leased port itself leaves it None."""
    released_api_key: Secret | None = None
    """Stand-alone use: the Re-Leased API key sent as the bearer token."""
    admin_token: Secret | None = None
    """The bearer token of the admin API; None: the admin API refuses every request but
    health (no token is configured)."""
    runs: RunPolicy = field(default_factory=RunPolicy)
    """How runs hold their companies (``sync.stale_after``, ``sync.in_flight``); the holder is
    filled in by the process that runs them."""
    admin_max_body_bytes: int = ADMIN_MAX_BODY_BYTES
    """The largest request body the admin API reads; a larger one is answered 413."""
    admin_openapi_public: bool = True
    """The admin API's ``openapi.json`` (shapes, no data) and its docs pages (``/docs``,
    ``/redoc``) need no token; False: the document needs the token and there are no pages."""
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    """The worker loop of ``serve`` and ``worker`` (``worker.capacity``, ``worker.poll``,
    ``worker.grace``); its lease ttl is ``runs.stale_after``."""

    def __post_init__(self) -> None:
        if not self.database.strip():
            msg = "Settings.database must name a file or a database URL"
            raise ValueError(msg)
        if not self.encryption_key:
            msg = "Settings.encryption_key must not be empty"
            raise ValueError(msg)


def settings_from_env(environ: Mapping[str, str]) -> Settings:
    """Settings from ``RELEASED_INTACCT_*`` variables (see ``ENV_PREFIX`` and the module doc)."""
    values: dict[str, object] = {}
    unknown: list[str] = []
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = _config.key_of_env(name)
        if key is None:
            unknown.append(f"{name} is not a setting; known: {_config.env_names()}")
        else:
            values[key] = raw
    return _build(values, _config.env_name, problems=unknown)


def settings_from_toml(path: str | PathLike[str]) -> Settings:
    """Settings from a TOML file: top-level keys and the tables schedule, intacct and released."""
    where = Path(path)
    exposed = exposed_settings_file(where)
    if exposed is not None:
        _log.warning("settings_file_exposed", path=where, problem=exposed)
    document = tomlfile.load(where, "settings", SettingsError)
    values, unknown = _config.flatten(document)
    problems = [f"{where}: {key} is not a setting" for key in unknown]
    database = values.get("database")
    if isinstance(database, str) and database.strip():
        values["database"] = _beside(database.strip(), Path(os.path.abspath(where)).parent)
    return _build(values, lambda key: f"{where}: {key}", problems=problems)


def _beside(database: str, folder: Path) -> str:
    """A SQLite file named by a relative path (or ``sqlite:///`` URL) in a settings file: in the
    file's ``folder``. An absolute path, or the URL of another database, as it is."""
    scheme = "sqlite:///" if database.startswith("sqlite:///") else ""
    path = database.removeprefix(scheme)
    if (not scheme and "://" in database) or Path(path).is_absolute():
        return database
    return scheme + str(folder / path)


def exposed_settings_file(path: str | PathLike[str]) -> str | None:
    """A warning when the settings file at ``path`` may be read or changed by its group or by
    others (POSIX modes); None when only its owner may, or it cannot be looked at."""
    where = Path(path)
    try:
        mode = stat.S_IMODE(where.stat().st_mode)
    except OSError:
        return None
    if os.name != "posix" or not mode & 0o066:
        return None
    return (
        f"the settings file {where} can be read or changed by its group or by others (mode "
        f"{mode:04o}), and it holds the encryption key and the admin token: chmod 600 {where}"
    )


def _build(
    values: Mapping[str, object], name_of: _config.NameOf, *, problems: list[str]
) -> Settings:
    read = _config.Reader(values, name_of, problems)
    database = read.text("database", required=True)
    key = read.secret("encryption_key", required=True)
    previous = read.secrets("previous_keys")
    admin = read.admin_token()
    max_body = read.bounded("admin_max_body_bytes", *_config.ADMIN_MAX_BODY_RANGE, unit="bytes")
    openapi_public = read.flag("admin_openapi_public")
    schedule = read.schedule()
    intacct = read.intacct()
    released = read.released()
    released_url = read.url("released.base_url")
    released_key = read.secret("released.api_key")
    runs = read.runs()
    worker = read.worker()
    if problems or database is None or key is None:
        raise SettingsError(problems)
    return Settings(
        database=database,
        encryption_key=key,
        previous_keys=previous,
        schedule=schedule or Schedule(),
        intacct=intacct or ClientSettings(),
        released=released or ReleasedSettings(),
        released_url=released_url,
        released_api_key=released_key,
        admin_token=admin,
        runs=runs or RunPolicy(),
        admin_max_body_bytes=max_body or ADMIN_MAX_BODY_BYTES,
        admin_openapi_public=openapi_public is not False,
        worker=worker or WorkerSettings(),
    )
