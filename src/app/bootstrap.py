"""The composition root: the ``Service`` built from settings and the clients passed in.

A host embedding the product builds it in code::

    store = await SqliteStateStore.open(path, key=settings.encryption_key)
    async with Pools.made(timeout=60) as http:
        service = build_service(settings, Clients(store=store, http=http, released_for=my_port))

``http`` is ``Pools`` (``adapters.pools``: one connection pool per company, so one company cannot
starve the others) or a single ``httpx.AsyncClient`` that every company then shares.

``released_for`` is the host's own implementation of the Re-Leased port (``ReleasedPort``) for a
Re-Leased company id; left out, the HTTP adapter of Re-Leased is used with
``settings.released_url`` and ``settings.released_api_key`` (stand-alone use: the CLI, the demo).

``open_service(settings)`` does the above for the stand-alone case: it opens the state store of
``settings.database``, an HTTP connection pool per company (``Pools``), builds the service, and on
leaving waits for the runs under way, then closes the pools and the store. A command that never
calls Re-Leased (reading the store, connecting, checking Intacct) opens it with
``needs_released=False``: the Re-Leased settings are then not demanded. Left by an exception
or a cancellation (the CLI's SIGINT and SIGTERM), it stops the runs under way instead of waiting:
each is finished red in the store, so no company is left locked (rule E4).

Decided:
- ``database`` is a SQLite file path or ``sqlite:///<path>`` URL (the embedded default), or a
  ``postgresql://`` (``postgres://``) URL of a PostgreSQL database (``PostgresStateStore``, for
  many workers, issue 17); any other URL is a ``SettingsError`` naming the setting. Opening
  either store migrates it.
- Without a host port and without ``released.base_url`` / ``released.api_key``, building the
  service is a ``SettingsError`` naming both settings (nothing could sync).
- Over a PostgreSQL store, every Intacct port holds one of its company's request slots in the
  store for each request (``PostgresStateStore.request_slots``, through the store's pool and
  closed with it), so ``intacct.concurrency`` holds per Intacct company id across every process
  sharing the database: workers and the admin API alike. Over any other store the limit is per
  process (``slots.LOCAL_ONLY``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Final

import httpx

from released_intacct.adapters.clock import SystemClock
from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.setupcache import SetupCache
from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.adapters.intacct_rest.oauth import TokenShelf
from released_intacct.adapters.pools import Pools
from released_intacct.adapters.released import ReleasedAdapter
from released_intacct.adapters.slots import LOCAL_ONLY, RequestSlots
from released_intacct.adapters.state import SqliteStateStore
from released_intacct.adapters.state.pgslots import expiry_for
from released_intacct.adapters.state.postgres import PostgresStateStore
from released_intacct.app import _config
from released_intacct.app.authorize import Authorizations, OAuthFlow, code_exchange
from released_intacct.app.ports import IntacctFor, Ports, ReleasedFor, run_policy
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings, SettingsError
from released_intacct.domain.ids import EntityId, ReleasedCompanyId
from released_intacct.domain.ports import (
    Clock,
    Credentials,
    IntacctPort,
    OAuthCredentials,
    ReleasedPort,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import StateStore

POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")

__all__ = [
    "POSTGRES_SCHEMES",
    "Clients",
    "Pools",
    "SystemClock",
    "build_service",
    "database_path",
    "is_postgres",
    "open_service",
    "open_store",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Clients:
    """What the service talks through, made and closed by the caller."""

    store: StateStore
    http: Pools | httpx.AsyncClient
    """Requests to Intacct (and to Re-Leased when ``released_for`` is None): one pool per company
    (``Pools``), or one client all companies share."""
    released_for: ReleasedFor | None = None
    """The host's Re-Leased port for a company; None: the HTTP adapter of the settings."""
    clock: Clock = field(default_factory=SystemClock)


def build_service(settings: Settings, clients: Clients) -> Service:
    """The service over ``clients``; a ``SettingsError`` when nothing could reach Re-Leased."""
    http = clients.http if isinstance(clients.http, Pools) else Pools.shared(clients.http)
    released_for = clients.released_for or _released_over_http(settings, http)
    ports = Ports(
        store=clients.store,
        intacct_for=_intacct_over_http(
            settings,
            http,
            _request_slots(settings, clients.store),
            SetupCache(clients.clock),
            clients.clock,
        ),
        released_for=released_for,
        clock=clients.clock,
        policy=run_policy(settings.runs.stale_after, settings.runs.in_flight, _attempt(settings)),
    )
    oauth = OAuthFlow(
        authorizations=Authorizations(clients.clock),
        exchange=code_exchange(settings.intacct, http.for_intacct, clients.clock),
        api_base=settings.intacct.api_base,
    )
    return Service(ports, schedule=settings.schedule, worker=settings.worker, oauth=oauth)


def _attempt(settings: Settings) -> timedelta:
    """The longest one request may run at the other end (``RunPolicy.attempt``): the larger of
    the clients' time-outs."""
    return timedelta(seconds=max(settings.intacct.timeout, settings.released.timeout))


@asynccontextmanager
async def open_service(
    settings: Settings,
    *,
    released_for: ReleasedFor | None = None,
    clock: Clock | None = None,
    needs_released: bool = True,
) -> AsyncIterator[Service]:
    """Stand-alone: the state store and the HTTP pools opened, the service built over them.

    ``needs_released=False``: the caller never reaches Re-Leased, so ``released.base_url`` and
    ``released.api_key`` may be left out (a call to Re-Leased would then be the same
    ``SettingsError`` naming them)."""
    if not is_postgres(settings.database):
        database_path(settings.database)  # an unknown kind of database: refused before opening
    if released_for is None and needs_released:
        _released_endpoint(settings)  # fail before anything is opened
    elif released_for is None and None in (settings.released_url, settings.released_api_key):
        released_for = _released_not_configured
    store = await open_store(settings)
    try:
        async with Pools.made(timeout=settings.intacct.timeout) as http:
            clients = Clients(
                store=store, http=http, released_for=released_for, clock=clock or SystemClock()
            )
            service = build_service(settings, clients)
            try:
                yield service
            except BaseException:
                await service.stop()  # interrupted (SIGINT, SIGTERM) or failed: runs end red now
                raise
            await service.drain()
    finally:
        await store.close()


async def open_store(settings: Settings) -> SqliteStateStore | PostgresStateStore:
    """The store of ``settings.database`` with its keys, opened (a SQLite file created if need
    be) and migrated; the caller closes it."""
    if is_postgres(settings.database):
        return await PostgresStateStore.open(
            settings.database,
            key=settings.encryption_key,
            previous_keys=settings.previous_keys,
            pool_size=settings.worker.capacity + 2,  # a session per run, the loop's and the API's
            migrate=True,
        )
    return await SqliteStateStore.open(
        database_path(settings.database),
        key=settings.encryption_key,
        previous_keys=settings.previous_keys,
    )


def is_postgres(database: str) -> bool:
    """Whether the ``database`` setting names a PostgreSQL database (a ``postgresql://`` URL)."""
    return database.startswith(POSTGRES_SCHEMES)


def database_path(database: str) -> Path:
    """The SQLite file of the ``database`` setting (a path, or ``sqlite:///<path>``)."""
    if database.startswith("sqlite:///"):
        return Path(database.removeprefix("sqlite:///"))
    if "://" in database:
        scheme = database.split("://", 1)[0]
        name = _config.env_name("database")
        raise SettingsError(
            [
                f"database ({name}) names a {scheme}:// database; only SQLite and PostgreSQL "
                "are supported: give a file path, sqlite:///<path> or postgresql://..."
            ]
        )
    return Path(database)


def _request_slots(settings: Settings, store: StateStore) -> RequestSlots:
    """The slots every process on ``store`` shares: a PostgreSQL store's, else none."""
    if not isinstance(store, PostgresStateStore):
        return LOCAL_ONLY
    intacct = settings.intacct
    return store.request_slots(
        limit=intacct.concurrency, expiry=expiry_for(intacct.timeout), wait=intacct.slot_wait
    )


def _intacct_over_http(
    settings: Settings, http: Pools, slots: RequestSlots, setups: SetupCache, clock: Clock
) -> IntacctFor:
    """Every adapter of the service shares ``setups``: a run takes the set-up facts an earlier
    run of its connection read within ``intacct.setup_lifetime``; and a REST connection's access
    token (``TokenShelf``: the set-up check, confirm and the run ask one token, not one each),
    judged fresh by the service's clock (the one the code exchange stamps a grant with). The
    credentials choose the API (``intacct_adapter``)."""
    shelf = TokenShelf()

    def intacct_for(credentials: Credentials, entity: EntityId | None) -> IntacctPort:
        client = http.for_intacct(credentials.company_id)
        return intacct_adapter(
            client,
            credentials,
            entity,
            settings=settings.intacct,
            slots=slots,
            setups=setups,
            shelf=shelf,
            clock=clock,
        )

    return intacct_for


def intacct_adapter(
    client: httpx.AsyncClient,
    credentials: Credentials,
    entity: EntityId | None,
    *,
    settings: ClientSettings,
    slots: RequestSlots = LOCAL_ONLY,
    setups: SetupCache | None = None,
    shelf: TokenShelf | None = None,
    clock: Clock | None = None,
) -> IntacctPort:
    """The Intacct port a connection's credentials speak: the XML gateway for a sender and Web
    Services user (``intacct.api = "xml"``), the REST API for an OAuth client (``"rest"``),
    whose authorization-code grant spends the refresh token where its credentials say it is
    kept (``OAuthCredentials.refresh``). The one place an adapter is chosen."""
    if isinstance(credentials, OAuthCredentials):
        source = credentials.refresh
        return IntacctRestAdapter(
            client,
            credentials,
            entity=entity,
            settings=settings,
            tokens=None if source is None else source.tokens,
            connection=None if source is None else source.connection,
            slots=slots,
            setups=setups,
            shelf=shelf,
            clock=clock,
        )
    return IntacctAdapter(
        client, credentials, entity=entity, settings=settings, slots=slots, setups=setups
    )


def _released_endpoint(settings: Settings) -> tuple[str, Secret]:
    url, key = settings.released_url, settings.released_api_key
    if url is None or key is None:
        raise _released_missing()
    return url, key


def _released_not_configured(company: ReleasedCompanyId) -> ReleasedPort:
    """The Re-Leased port of a command that was opened not to need one."""
    raise _released_missing()


def _released_missing() -> SettingsError:
    names = [_config.env_name(k) for k in ("released.base_url", "released.api_key")]
    return SettingsError(
        [
            "Re-Leased is not reachable: give released.base_url and released.api_key "
            f"({' and '.join(names)}), or pass the host's own Re-Leased port (released_for)"
        ]
    )


def _released_over_http(settings: Settings, http: Pools) -> ReleasedFor:
    url, key = _released_endpoint(settings)

    def released_for(company: ReleasedCompanyId) -> ReleasedPort:
        return ReleasedAdapter(
            http.for_released(company),
            base_url=url,
            api_key=key,
            company_id=company,
            settings=settings.released,
        )

    return released_for
