"""Reading raw configuration values (environment strings or TOML values) into typed settings.

Every problem is collected with the name the operator wrote (an environment variable or a TOML
key) and the reason; a secret's value is never part of a message.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from datetime import time, timedelta, tzinfo
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.released.settings import ReleasedSettings
from released_intacct.app.scheduler import WorkerSettings
from released_intacct.domain.schedule import Schedule
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import RunPolicy

ENV_PREFIX = "RELEASED_INTACCT_"
NameOf = Callable[[str], str]
T = TypeVar("T")

KEYS = (
    "database",
    "encryption_key",
    "previous_keys",
    "admin_token",
    "admin_max_body_bytes",
    "admin_openapi_public",
    "schedule.at",
    "schedule.timezone",
    "schedule.every_minutes",
    "intacct.endpoint",
    "intacct.api_base",
    "intacct.allowed_hosts",
    "intacct.batch_size",
    "intacct.page_size",
    "intacct.concurrency",
    "intacct.performance_tier",
    "intacct.attempts",
    "intacct.timeout",
    "intacct.max_retry_after",
    "intacct.max_retry_wait",
    "intacct.slot_wait",
    "intacct.setup_lifetime",
    "intacct.company_timezone",
    "intacct.rest_batch_size",
    "intacct.rest_page_size",
    "intacct.rest_composite",
    "intacct.token_early",
    "released.base_url",
    "released.api_key",
    "released.page_size",
    "released.attempts",
    "released.timeout",
    "released.max_retry_after",
    "released.max_retry_wait",
    "sync.stale_after",
    "sync.in_flight",
    "worker.capacity",
    "worker.poll",
    "worker.grace",
)
_INTACCT_INTS = (
    "batch_size",
    "page_size",
    "concurrency",
    "performance_tier",
    "attempts",
    "rest_batch_size",
    "rest_page_size",
)
_RELEASED_INTS = ("page_size", "attempts")
_SECONDS = ("timeout", "max_retry_after", "max_retry_wait")
_FLAGS = {"true": True, "false": False}

EVERY_MINUTES = (1, 1440)
"""The bounds of ``schedule.every_minutes``: once a minute to once a day (for a run a day, the
nightly ``schedule.at`` says when)."""
ADMIN_MAX_BODY_BYTES = 1 << 20
ADMIN_MAX_BODY_RANGE = (4096, 64 << 20)
"""The bounds of ``admin_max_body_bytes``: the largest body the API takes (connecting) is well
under 4 KiB; more than 64 MiB in one request is never an admin request."""
ADMIN_TOKEN_MIN_LENGTH = 32
MAKE_ADMIN_TOKEN = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105


def admin_token_problem(token: Secret) -> str | None:
    """Why ``token`` cannot guard the admin API (never showing it), or None when it can."""
    if len(token.reveal()) >= ADMIN_TOKEN_MIN_LENGTH:
        return None
    return (
        f"must be at least {ADMIN_TOKEN_MIN_LENGTH} characters (its value is not shown); "
        f"make one with: {MAKE_ADMIN_TOKEN}"
    )


class SettingsError(ValueError):
    """The configuration cannot be used; ``problems`` names each variable or key and why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid settings:\n" + "\n".join(f"- {p}" for p in self.problems))


def env_name(key: str) -> str:
    return ENV_PREFIX + key.upper().replace(".", "_")


def env_names() -> str:
    return ", ".join(env_name(key) for key in KEYS)


def key_of_env(name: str) -> str | None:
    return next((key for key in KEYS if env_name(key) == name), None)


def flatten(document: Mapping[str, Any]) -> tuple[dict[str, object], list[str]]:
    """TOML tables to dotted keys; the keys that are not settings."""
    values: dict[str, object] = {}
    unknown: list[str] = []
    for name, value in document.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                values[f"{name}.{inner}"] = item
        else:
            values[name] = value
    for key in list(values):
        if key not in KEYS:
            unknown.append(key)
            del values[key]
    return values, unknown


class Reader:
    """Typed reads of ``values``; each failure adds one problem and reads as None."""

    def __init__(self, values: Mapping[str, object], name_of: NameOf, problems: list[str]) -> None:
        self._values = values
        self._name_of = name_of
        self.problems = problems

    def _problem(self, key: str, reason: str) -> None:
        self.problems.append(f"{self._name_of(key)} {reason}")

    def text(self, key: str, *, required: bool = False) -> str | None:
        raw = self._values.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self._problem(key, "is required and missing (or empty)")
            return None
        if not isinstance(raw, str):
            self._problem(key, "must be a string")
            return None
        return raw.strip()

    def url(self, key: str) -> str | None:
        """An http:// or https:// URL with a host (and a valid port, if any); no trailing ``/``."""
        raw = self.text(key)
        if raw is None:
            return None
        try:
            parts = urlsplit(raw)
            usable = parts.scheme in ("http", "https") and bool(parts.hostname)
            _ = parts.port  # raises ValueError for a port that is not a number in 0-65535
        except ValueError:
            usable = False
        if not usable:
            shown = "a value with user information, not shown" if "@" in raw else repr(raw)
            self._problem(key, f"must be an http:// or https:// URL with a host name, got {shown}")
            return None
        return raw.rstrip("/")

    def secret(self, key: str, *, required: bool = False) -> Secret | None:
        raw = self._values.get(key)
        if raw is None or raw == "":
            if required:
                self._problem(key, "is required and missing (or empty)")
            return None
        if not isinstance(raw, str):
            self._problem(key, "must be a string (its value is not shown)")
            return None
        return Secret(raw)

    def secrets(self, key: str) -> tuple[Secret, ...]:
        items = self._items(key, "must be a list of strings (its values are not shown)")
        return tuple(Secret(item) for item in items or ())

    def names(self, key: str) -> tuple[str, ...] | None:
        """A list of names in lower case (a TOML array; environment: comma-separated)."""
        items = self._items(key, "must be a list of strings")
        return None if items is None else tuple(item.lower() for item in items)

    def _items(self, key: str, problem: str) -> tuple[str, ...] | None:
        raw = self._values.get(key)
        if raw is None:
            return None
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self._problem(key, problem)
            return None
        return tuple(item.strip() for item in items if item.strip())

    def admin_token(self) -> Secret | None:
        token = self.secret("admin_token")
        problem = None if token is None else admin_token_problem(token)
        if problem is not None:
            self._problem("admin_token", problem)
            return None
        return token

    def flag(self, key: str) -> bool | None:
        """A TOML boolean; in the environment ``true`` or ``false`` (any case)."""
        raw = self._values.get(key)
        if raw is None or isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _FLAGS:
            return _FLAGS[raw.strip().lower()]
        self._problem(key, f"must be true or false, got {raw!r}")
        return None

    def integer(self, key: str) -> int | None:
        raw = self._values.get(key)
        if raw is None or (isinstance(raw, int) and not isinstance(raw, bool)):
            return raw
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            return int(raw.strip())
        self._problem(key, f"must be a whole number, got {raw!r}")
        return None

    def bounded(self, key: str, low: int, high: int, *, unit: str = "") -> int | None:
        """A whole number in ``low``-``high``; ``unit`` says what it counts, in the problem."""
        value = self.integer(key)
        if value is None or low <= value <= high:
            return value
        said = f" ({unit})" if unit else ""
        self._problem(key, f"must be {low}-{high}{said}, got {value}")
        return None

    def number(self, key: str) -> float | None:
        raw = self._values.get(key)
        if raw is None:
            return None
        seconds = None
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            seconds = float(raw)
        elif isinstance(raw, str):
            with contextlib.suppress(ValueError):
                seconds = float(raw)
        if seconds is None or not math.isfinite(seconds):
            self._problem(key, f"must be a finite number of seconds, such as 30, got {raw!r}")
            return None
        return seconds

    def zone(self, key: str) -> tzinfo | None:
        name = self.text(key)
        if name is None:
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self._problem(key, f"must be an IANA time zone such as Europe/London, got {name!r}")
            return None

    def clock_time(self, key: str) -> time | None:
        raw = self._values.get(key)
        if raw is None or isinstance(raw, time):
            return raw
        try:
            return time.fromisoformat(str(raw).strip())
        except ValueError:
            self._problem(key, f"must be a time of day such as 02:00, got {raw!r}")
            return None

    def schedule(self) -> Schedule | None:
        at, zone = self.clock_time("schedule.at"), self.zone("schedule.timezone")
        minutes = self.bounded(
            "schedule.every_minutes",
            *EVERY_MINUTES,
            unit="minutes; a run a day is the nightly schedule.at: leave every_minutes out",
        )
        if at is not None and at.tzinfo is not None:
            self._problem("schedule.at", "must be a wall-clock time; give schedule.timezone")
            return None
        return Schedule(
            at=at or time(2, 0),
            timezone=zone or Schedule().timezone,
            every=None if minutes is None else timedelta(minutes=minutes),
        )

    def intacct(self) -> ClientSettings | None:
        given: dict[str, Any] = {
            name: self.integer(f"intacct.{name}") for name in _INTACCT_INTS
        } | {
            "endpoint": self.url("intacct.endpoint"),
            "api_base": self.url("intacct.api_base"),
            "allowed_hosts": self.names("intacct.allowed_hosts"),
            "company_tz": self.zone("intacct.company_timezone"),
            "rest_composite": self.flag("intacct.rest_composite"),
        }
        given |= {name: self.number(f"intacct.{name}") for name in (*_SECONDS, "slot_wait")}
        for name in ("setup_lifetime", "token_early"):
            seconds = self.number(f"intacct.{name}")
            if seconds is not None:
                given[name] = timedelta(seconds=seconds)
        return self._built("intacct", ClientSettings, given)

    def released(self) -> ReleasedSettings | None:
        given: dict[str, Any] = {name: self.integer(f"released.{name}") for name in _RELEASED_INTS}
        given |= {name: self.number(f"released.{name}") for name in _SECONDS}
        return self._built("released", ReleasedSettings, given)

    def runs(self) -> RunPolicy | None:
        """``sync.stale_after`` and ``sync.in_flight``, in seconds (finite and positive)."""
        return self._built("sync", RunPolicy, self._spans("sync", "stale_after", "in_flight"))

    def worker(self) -> WorkerSettings | None:
        """``worker.capacity`` (companies at once), ``worker.poll`` and ``worker.grace``
        (seconds, finite and positive)."""
        given = self._spans("worker", "poll", "grace")
        given["capacity"] = self.integer("worker.capacity")
        return self._built("worker", WorkerSettings, given)

    def _spans(self, table: str, *names: str) -> dict[str, Any]:
        """The ``table.name`` settings given, as spans of seconds (finite and positive)."""
        given: dict[str, Any] = {}
        for name in names:
            seconds = self.number(f"{table}.{name}")  # finite, or a problem already
            if seconds is not None and seconds <= 0:
                reason = f"must be a positive number of seconds, got {seconds}"
                self._problem(f"{table}.{name}", reason)
            elif seconds is not None:
                given[name] = timedelta(seconds=seconds)
        return given

    def _built(self, table: str, make: Callable[..., T], given: dict[str, Any]) -> T | None:
        try:
            return make(**{name: value for name, value in given.items() if value is not None})
        except ValueError as error:
            field = str(error).split()[0]
            key = f"{table}.{field}" if f"{table}.{field}" in KEYS else table
            self._problem(key, f"is out of range: {error}")
            return None
