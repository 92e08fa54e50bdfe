"""Authentication: a login (user, company, password, entity) or a session id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.errors import GatewayError, failure
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

SIGN_IN = "XL03000006"


@dataclass(frozen=True)
class Caller:
    company: Company
    user_id: str
    entity: str
    expires_at: datetime


def authenticate(sim: Simulator, auth: Element | None, sender_id: str) -> Caller | GatewayError:
    if auth is None:
        return failure(SIGN_IN, "Sign-in information is incorrect")
    session_id = text_of(auth, "sessionid")
    login = auth.find("login")
    if session_id:
        return _by_session(sim, session_id, sender_id)
    if login is not None:
        return _by_login(sim, login, sender_id)
    return failure(SIGN_IN, "Sign-in information is incorrect")


def _by_session(sim: Simulator, session_id: str, sender_id: str) -> Caller | GatewayError:
    session = sim.live_session(session_id)
    if session is None:
        return failure(
            SIGN_IN,
            "Invalid session: it has expired or does not exist",
            correction="Log in again with getAPISession.",
        )
    company = sim.companies[session.company_id]
    if sender_id not in company.senders:
        return failure(SIGN_IN, "Invalid Web Services Authorization")
    return Caller(company, session.user_id, session.entity, session.expires_at)


def _by_login(sim: Simulator, login: Element, sender_id: str) -> Caller | GatewayError:
    company = sim.companies.get(text_of(login, "companyid"))
    user_id = text_of(login, "userid")
    if company is None or company.users.get(user_id) != text_of(login, "password") or not user_id:
        return failure(SIGN_IN, "Sign-in information is incorrect")
    if sender_id not in company.senders:
        return failure(SIGN_IN, "Invalid Web Services Authorization")
    entity = text_of(login, "locationid")
    if entity and entity not in company.entities:
        return failure(SIGN_IN, f"Sign-in information is incorrect: no entity '{entity}'")
    expires = sim.clock() + timedelta(minutes=company.settings.session_minutes)
    return Caller(company, user_id, entity, expires)
