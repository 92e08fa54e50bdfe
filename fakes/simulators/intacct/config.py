"""Companies from plain JSON-able config: credentials, entities, settings and records.

{"company_id": "DEMO", "senders": {"demo-sender": "demo-sender-pass"},
 "users": {"ws_user": "ws_pass"}, "entities": {"E100": "East"},
 "settings": {"base_currency": "USD", "customer_sequencing": true},
 "records": {"CUSTOMER": [{"CUSTOMERID": "C1", "NAME": "Acme"}]},
 "oauth_clients": {"demo-client": {"secret": "demo-client-secret", "sender": "demo-sender",
                   "redirect_uris": ["http://127.0.0.1/oauth/callback"], "login": "ws_user"}}}

``oauth_clients`` registers the REST API's OAuth clients (``rest.state.OAuthClient``): ``login``
is the user the authorize endpoint signs in as for this company (optional).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from released_intacct.fakes.simulators.intacct import catalog, contactrefs
from released_intacct.fakes.simulators.intacct.company import Company, Record, Settings
from released_intacct.fakes.simulators.intacct.errors import GatewayError
from released_intacct.fakes.simulators.intacct.rest.state import OAuthClient
from released_intacct.fakes.simulators.intacct.simulator import Simulator


class ConfigError(ValueError):
    """A company config that cannot be loaded; the message names the field."""


def _str_map(config: Mapping[str, object], key: str) -> dict[str, str]:
    value = config.get(key, {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        msg = f"'{key}' must be an object of strings"
        raise ConfigError(msg)
    return dict(value)


def settings_from(config: object) -> Settings:
    if not isinstance(config, Mapping):
        msg = "'settings' must be an object"
        raise ConfigError(msg)
    known = {f.name: f.type for f in fields(Settings)}
    unknown = sorted(set(config) - set(known))
    if unknown:
        msg = f"unknown settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        raise ConfigError(msg)
    settings = Settings()
    for name, value in config.items():
        expected = type(getattr(settings, name))
        if type(value) is not expected:
            msg = f"setting '{name}' must be a {expected.__name__}"
            raise ConfigError(msg)
        setattr(settings, name, value)
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        zone = settings.timezone
        msg = f"setting 'timezone' must be an IANA time zone such as America/Phoenix, got {zone!r}"
        raise ConfigError(msg) from error
    if settings.preferences not in ("documented", "inferred"):
        given = settings.preferences
        msg = f"setting 'preferences' must be 'documented' or 'inferred', got {given!r}"
        raise ConfigError(msg)
    return settings


def load_company(sim: Simulator, config: Mapping[str, object], *, now: datetime) -> Company:
    """Add the company (and its senders) to ``sim``; records get RECORDNOs and timestamps."""
    company_id = config.get("company_id")
    if not isinstance(company_id, str) or not company_id:
        msg = "'company_id' is required (a non-empty string)"
        raise ConfigError(msg)
    senders = _str_map(config, "senders")
    company = Company(
        company_id=company_id,
        users=_str_map(config, "users"),
        senders=set(senders),
        entities=_str_map(config, "entities"),
        settings=settings_from(config.get("settings", {})),
    )
    clients = _clients(company, config.get("oauth_clients", {}))
    _load_records(company, config.get("records", {}), now=now)
    for sender, password in senders.items():
        sim.add_sender(sender, password)
    for client in clients:
        sim.rest.add_client(client)
    sim.add_company(company)
    return company


_CLIENT_FIELDS = ("secret", "sender", "redirect_uris", "login")


def _clients(company: Company, config: object) -> list[OAuthClient]:
    if not isinstance(config, Mapping):
        msg = "'oauth_clients' must be an object of client id -> client"
        raise ConfigError(msg)
    found = []
    for client_id, raw in config.items():
        where = f"oauth_clients.{client_id}"
        if not isinstance(raw, Mapping) or not set(raw) <= set(_CLIENT_FIELDS):
            msg = f"{where} must be an object of {', '.join(_CLIENT_FIELDS)}"
            raise ConfigError(msg)
        secret, sender, login = (raw.get(name, "") for name in ("secret", "sender", "login"))
        uris = raw.get("redirect_uris", [])
        if not isinstance(secret, str) or not secret or not isinstance(sender, str) or not sender:
            msg = f"{where}: 'secret' and 'sender' are required (non-empty strings)"
            raise ConfigError(msg)
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            msg = f"{where}.redirect_uris must be a list of URLs"
            raise ConfigError(msg)
        if not isinstance(login, str) or (login and login not in company.users):
            msg = f"{where}.login must name one of the company's users, got {login!r}"
            raise ConfigError(msg)
        logins = {company.company_id: login} if login else {}
        found.append(OAuthClient(str(client_id), secret, sender, tuple(uris), logins))
    return found


def _load_records(company: Company, records: object, *, now: datetime) -> None:
    if not isinstance(records, Mapping):
        msg = "'records' must be an object of object name -> list of records"
        raise ConfigError(msg)
    for name, rows in records.items():
        insert_records(company, str(name), rows, now=now)


def insert_records(company: Company, name: str, rows: object, *, now: datetime) -> list[str]:
    """Store ``rows`` as records of object ``name`` (what a company holds already, entered in
    Intacct's UI or by CSV); their RECORDNOs."""
    obj = catalog.lookup(name)
    if obj is None or not isinstance(rows, list):
        msg = f"records.{name}: unknown object or not a list"
        raise ConfigError(msg)
    made = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            msg = f"records.{name}[{index}] must be an object"
            raise ConfigError(msg)
        try:
            record: Record = contactrefs.referenced(company, obj.name, dict(row))
        except GatewayError as error:
            msg = f"records.{name}[{index}]: {error} (list CONTACT before the parties naming it)"
            raise ConfigError(msg) from error
        entity = str(record.pop("MEGAENTITYID", ""))
        made.append(str(company.insert(obj.name, record, now=now, entity=entity)["RECORDNO"]))
    return made
