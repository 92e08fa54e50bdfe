"""Connecting a Re-Leased company to a Sage Intacct company (rules C1-C4; C5 is
``rules.prerequisites``).

Every refusal names the field or company it is about and never carries a credential's value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import IntacctApi
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    ReleasedCompanyId,
)
from released_intacct.domain.ports import (
    Credentials,
    Entity,
    OAuthCredentials,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.settings import EARLIEST_SYNC_FROM
from released_intacct.domain.state import Connection, Phase

TOP_LEVEL = EntityId("")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionRecord:
    """One link between a Re-Leased company and an Intacct company at one entity (rule C1)."""

    released_company: ReleasedCompanyId
    intacct_company: IntacctCompanyId
    entity: EntityId
    confirmed: bool
    """The initial sync was confirmed: the link can no longer change."""
    connection: ConnectionId


def validate_sync_from(value: date | None) -> Result[date, SyncError]:
    """Rule C4: the sync-from date is required and not before 2018-01-01."""
    if value is None:
        return _failure(
            ErrorKind.NEEDS_USER,
            Rule.C4,
            "The sync-from date is required.",
            f"Enter a sync-from date on or after {EARLIEST_SYNC_FROM.isoformat()}.",
        )
    if value < EARLIEST_SYNC_FROM:
        return _failure(
            ErrorKind.NEEDS_USER,
            Rule.C4,
            f"The sync-from date {value.isoformat()} is too early: it may not be before "
            f"{EARLIEST_SYNC_FROM.isoformat()}.",
            f"Enter a sync-from date on or after {EARLIEST_SYNC_FROM.isoformat()}.",
        )
    return Success(value)


def fix_sync_from(current: date, requested: date, *, confirmed: bool) -> Result[date, SyncError]:
    """Rule C4: the sync-from date may change until confirm; afterwards it is fixed."""
    if not confirmed:
        return validate_sync_from(requested)
    if requested != current:
        return _failure(
            ErrorKind.REJECTED,
            Rule.C4,
            f"The sync-from date is fixed at {current.isoformat()} since the initial sync was "
            f"confirmed; it cannot be changed to {requested.isoformat()}.",
            f"Keep {current.isoformat()}: transactions dated before it are never synced.",
        )
    return Success(current)


def validate_credentials(credentials: Credentials) -> Result[Credentials, SyncError]:
    """Rule C2: every field the credentials' API needs is filled in.

    Ids are compared after trimming spaces; secrets are only checked for being non-empty, as
    spaces may belong to a password and the domain never reveals a secret. The OAuth client's
    user id is checked only when given (the client-credentials grant); None is the
    authorization-code grant, which has no user of its own.
    """
    if isinstance(credentials, OAuthCredentials):
        return _all_filled(
            credentials,
            {
                "client id": bool(credentials.client_id.strip()),
                "client secret": bool(credentials.client_secret),
                "company id": bool(credentials.company_id.strip()),
                "user id": credentials.user_id is None or bool(credentials.user_id.strip()),
            },
            'Enter the OAuth client\'s client id and client secret (intacct.api = "rest"), the '
            "company id, and for the client-credentials grant the Web Services user id.",
        )
    return _all_filled(
        credentials,
        {
            "sender id": bool(credentials.sender_id.strip()),
            "sender password": bool(credentials.sender_password),
            "company id": bool(credentials.company_id.strip()),
            "user id": bool(credentials.user_id.strip()),
            "user password": bool(credentials.user_password),
        },
        "Enter the Web Services user's sender id and sender password, and the company id, "
        "user id and user password.",
    )


def check_refresh_token(
    credentials: Credentials, refresh_token: Secret | None
) -> Result[Credentials, SyncError]:
    """Rule C2: an OAuth client without a user (the authorization-code grant) is connected with
    its refresh token; any other credentials without one."""
    authorized = isinstance(credentials, OAuthCredentials) and credentials.by_authorization
    if authorized == (refresh_token is not None):
        return Success(credentials)
    if authorized:
        return _failure(
            ErrorKind.NEEDS_USER,
            Rule.C2,
            "An OAuth client without a Web Services user connects through the user's "
            "authorization, and none was given.",
            "Give the Web Services user (client credentials), or authorize the app: "
            "`released-intacct connect --api rest --authorization-code`.",
        )
    return _failure(
        ErrorKind.NEEDS_USER,
        Rule.C2,
        "A refresh token belongs only to an OAuth client connected by the user's "
        "authorization (no Web Services user).",
        "Connect without a refresh token, or leave out the Web Services user.",
    )


def _all_filled(
    credentials: Credentials, filled: dict[str, bool], fix: str
) -> Result[Credentials, SyncError]:
    missing = [field for field, ok in filled.items() if not ok]
    if missing:
        return _failure(
            ErrorKind.NEEDS_USER,
            Rule.C2,
            f"The Sage Intacct credentials are incomplete: the {_and(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing.",
            fix,
        )
    return Success(credentials)


def api_of(credentials: Credentials) -> IntacctApi:
    """The API ``credentials`` log in to: an OAuth client the REST API, a sender the XML API."""
    if isinstance(credentials, OAuthCredentials):
        return IntacctApi.REST
    return IntacctApi.XML


def parse_api(raw: str) -> Result[IntacctApi, SyncError]:
    """A connection's ``intacct.api`` setting from text: ``xml`` or ``rest`` (spaces and case
    ignored)."""
    given = raw.strip().lower()
    for api in IntacctApi:
        if api.value == given:
            return Success(api)
    allowed = " or ".join(f'"{api.value}"' for api in IntacctApi)
    return _failure(
        ErrorKind.NEEDS_USER,
        Rule.C2,
        f'The setting intacct.api is "{raw.strip()}", which is not an API of Sage Intacct.',
        f"Set intacct.api to {allowed}: xml for a sender id and Web Services user, rest for an "
        "OAuth 2 client.",
    )


def api_refusal(api: IntacctApi, credentials: Credentials) -> SyncError | None:
    """Rule C2: None when ``credentials`` are the kind ``api`` logs in with, else the refusal."""
    if api_of(credentials) is api:
        return None
    if api is IntacctApi.XML:
        needs = "a sender id and a Web Services user"
    else:
        needs = "an OAuth 2 client (client id and client secret)"
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.C2,
        message=f'The connection uses intacct.api = "{api.value}", which needs {needs}; other '
        "credentials were given.",
        fix=f'Enter {needs}, or connect with intacct.api = "{api_of(credentials).value}".',
    )


def api_change_refusal(stored: Connection, new: Connection) -> SyncError | None:
    """A connection's API is its credentials' kind, fixed when it is stored: None when ``new``
    keeps it, else the refusal."""
    if new.api is stored.api:
        return None
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.C2,
        message=f'The connection uses intacct.api = "{stored.api.value}"; it cannot change to '
        f'"{new.api.value}".',
        fix="Nothing was changed. To use the other API, remove this connection before its initial "
        "sync is confirmed and connect again with that API's credentials.",
    )


def choose_entity(entities: Sequence[Entity], entity_id: EntityId) -> Result[Entity, SyncError]:
    """Rule C3: one of the company's entities, or the top level when it has none."""
    if not entities:
        if entity_id == TOP_LEVEL:
            return Success(Entity(id=TOP_LEVEL, name="Top level"))
        return _failure(
            ErrorKind.NEEDS_USER,
            Rule.C3,
            f'Entity "{entity_id}" does not exist: this Sage Intacct company has no entities.',
            "Sync with the top level of the company.",
        )
    for entity in entities:
        if entity.id == entity_id:
            return Success(entity)
    valid = ", ".join(f'"{entity.id}"' for entity in entities)
    if entity_id == TOP_LEVEL:
        return _failure(
            ErrorKind.NEEDS_USER,
            Rule.C3,
            "This Sage Intacct company has entities, so it cannot be synced at its top level.",
            f"Choose one of its entities: {valid}.",
        )
    return _failure(
        ErrorKind.NEEDS_USER,
        Rule.C3,
        f'Entity "{entity_id}" is not an entity of this Sage Intacct company.',
        f"Choose one of its entities: {valid}.",
    )


def check_new_link(
    existing: Sequence[ConnectionRecord],
    *,
    released_company: ReleasedCompanyId,
    intacct_company: IntacctCompanyId,
    entity: EntityId,
) -> Result[None, SyncError]:
    """Rule C1: one Re-Leased company to one Intacct company (+ entity), and the other way round."""
    for record in existing:
        if record.released_company == released_company:
            return _failure(
                ErrorKind.REJECTED,
                Rule.C1,
                f"Re-Leased company {released_company} is already linked to "
                f"{intacct_side(record.intacct_company, record.entity)}.",
                holder_fix(confirmed=record.confirmed),
            )
        if record.intacct_company == intacct_company and record.entity == entity:
            return _failure(
                ErrorKind.REJECTED,
                Rule.C1,
                f"{intacct_side(intacct_company, entity)} is already linked to "
                f"Re-Leased company {record.released_company}.",
                holder_fix(confirmed=record.confirmed),
            )
    return Success(None)


def record_of(connection: Connection) -> ConnectionRecord:
    """The connection as rule C1 sees it (an entity not chosen yet reads as the top level)."""
    return ConnectionRecord(
        released_company=connection.released_company,
        intacct_company=connection.intacct_company,
        entity=TOP_LEVEL if connection.entity is None else connection.entity,
        confirmed=connection.phase is Phase.CONFIRMED,
        connection=connection.id,
    )


def change_refusal(connection: Connection) -> SyncError | None:
    """Rule C1: the refusal of any change of ``connection`` once confirmed; None before."""
    return check_link_change(record_of(connection)).swap().value_or(None)


def check_link_change(record: ConnectionRecord) -> Result[ConnectionRecord, SyncError]:
    """Rule C1: once the initial sync is confirmed, the link can never be removed or changed."""
    if record.confirmed:
        return _failure(
            ErrorKind.REJECTED,
            Rule.C1,
            f"The link between Re-Leased company {record.released_company} and "
            f"{intacct_side(record.intacct_company, record.entity)} was confirmed, so it can "
            "never be removed or changed.",
            "Nothing was changed. Keep syncing through this link.",
        )
    return Success(record)


def intacct_side(company: IntacctCompanyId, entity: EntityId | None) -> str:
    """The Intacct side of a link, for a message: the company, and the entity once chosen."""
    if entity is None:
        return f"Sage Intacct company {company}"
    where = "its top level" if entity == TOP_LEVEL else f'entity "{entity}"'
    return f"Sage Intacct company {company} at {where}"


def holder_fix(*, confirmed: bool) -> str:
    """Rule C1's fix when another connection holds a side: its link is confirmed, or not yet."""
    if confirmed:
        return "That link was confirmed and can never be changed; use another company."
    return "Use that connection, or remove it before its initial sync is confirmed."


def _and(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _failure(kind: ErrorKind, rule: Rule, message: str, fix: str) -> Failure[SyncError]:
    return Failure(SyncError(kind=kind, rule=rule, message=message, fix=fix))
