"""A throwaway PostgreSQL 15 cluster for tests (issue 17): ``Cluster.start()`` runs ``initdb`` and
``pg_ctl`` from Debian's ``postgresql-15`` in a folder of its own, listening only on a Unix
socket there, and ``database()`` makes a fresh database in it; ``stop()`` removes everything.

Decided:
- ``initdb`` refuses to run as root, so a root caller runs it (and the server) as the
  ``postgres`` user (``runuser -u postgres --``), in a folder under the system's temporary folder
  (pytest's own temporary root is 0700 root: ``postgres`` could not enter it). Anyone else runs
  it as themselves.
- Durability is off (``fsync``, ``synchronous_commit``, ``full_page_writes``): a test cluster
  that outlives nothing, started in about two seconds.
- ``find()`` answers where the binaries are, or why not (one line), so a test skips with that
  line; the ``REQUIRE`` variable (``.ci/run`` sets it) makes it a failure instead.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict

__all__ = ["REQUIRE", "Cluster", "find", "url_of"]

REQUIRE: Final = "RELEASED_INTACCT_REQUIRE_POSTGRES"
"""Set (to anything but empty) when the PostgreSQL tests must run: missing binaries then fail."""
_BIN: Final = Path("/usr/lib/postgresql/15/bin")
_USER: Final = "postgres"


def find() -> Path | str:
    """The folder of ``initdb`` and ``pg_ctl`` of PostgreSQL 15, or why they cannot be used."""
    if not (_BIN / "initdb").exists() or not (_BIN / "pg_ctl").exists():
        return f"PostgreSQL 15 is not installed ({_BIN}/initdb): apt-get install postgresql-15"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: initdb cannot be run as the postgres user"
    return _BIN


@dataclass
class Cluster:
    folder: Path
    port: int
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(cls, binaries: Path, *, settings: Mapping[str, str] | None = None) -> Cluster:
        """A cluster started with ``settings`` (server parameters: ``-c name=value``) besides
        the test settings (the benchmark loads ``pg_stat_statements``)."""
        folder = Path(tempfile.mkdtemp(prefix="released-intacct-pg-"))
        folder.chmod(0o755)
        data = folder / "data"
        as_user = _as_postgres(folder)
        _run([*as_user, str(binaries / "initdb"), "-D", str(data), "-U", _USER, "-A", "trust",
              "-E", "UTF8", "--no-sync"])  # fmt: skip
        port = 50_000 + os.getpid() % 10_000
        options = (
            f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
        log = folder / "server.log"
        _run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
              "-w", "start"])  # fmt: skip
        return cls(folder=folder, port=port)

    def dsn(self, database: str = "postgres") -> str:
        return f"host={self.folder} port={self.port} user={_USER} dbname={database}"

    def database(self) -> str:
        """A fresh, empty database; its connection string."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.dsn(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        data = self.folder / "data"
        if data.exists():
            subprocess.run(  # noqa: S603 - our own binaries and arguments
                [*_as_postgres(self.folder), str(_BIN / "pg_ctl"), "-D", str(data), "-m",
                 "immediate", "-w", "stop"],
                capture_output=True, check=False,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def url_of(dsn: str) -> str:
    """The ``postgresql://`` URL of a key=value connection string (the cluster's Unix socket),
    as the ``database`` setting takes it."""
    parts = conninfo_to_dict(dsn)
    socket = quote(str(parts["host"]), safe="")
    return f"postgresql://{parts['user']}@/{parts['dbname']}?host={socket}&port={parts['port']}"


def _as_postgres(folder: Path) -> list[str]:
    """The command prefix that runs a program as the postgres user when we are root."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, user=_USER, group=_USER)
    return ["runuser", "-u", _USER, "--"]


def _run(command: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 - our own binaries and arguments
        command, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        msg = f"{command[-1]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
        raise RuntimeError(msg)
