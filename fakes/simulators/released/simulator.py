"""The simulator's state: companies, the injectable clock, fault rules and request counters.

``Simulator.load`` puts records into a company through the same validation as ``POST /api/...``
(ids kept, no idempotency key; documents may be loaded Voided), in ``company.RESOURCES`` order so
references resolve. ``app.create_app`` serves a simulator over HTTP.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from released_intacct.fakes.simulators.released import resources
from released_intacct.fakes.simulators.released.checks import Json
from released_intacct.fakes.simulators.released.company import RESOURCES, Clock, Company
from released_intacct.fakes.simulators.released.errors import ApiError, Detail
from released_intacct.fakes.simulators.released.faults import FaultBook


def _located(error: ApiError, where: str) -> ApiError:
    details = [Detail(f"{where}.{d.field}" if d.field else where, d.message) for d in error.details]
    message = f"{where}: {error.message}"
    return ApiError(422, error.code, message, details or [Detail(where, error.message)])


def utc_now() -> datetime:
    return datetime.now(UTC)


class Simulator:
    """Everything the API and the control API share; ``fault_seed`` seeds the faults' RNG.

    ``clock`` reads the injected clock moved forward by what ``advance`` added (``shifted``);
    assigning it replaces the injected clock and keeps the shift.
    """

    def __init__(self, *, clock: Clock = utc_now, fault_seed: int | str | None = None) -> None:
        self._clock = clock
        self.shifted = timedelta(0)
        """How far ``advance`` has moved the clock past the injected one."""
        self.companies: dict[str, Company] = {}
        self.faults = FaultBook(seed=fault_seed)
        self.requests: Counter[str] = Counter()
        """Requests per company (the ``X-Company-Id`` they named, when it is a company)."""
        self.by_resource: dict[str, Counter[str]] = {}
        """Requests per company, per resource."""
        self.resource_totals: Counter[str] = Counter()
        """Requests per resource, whatever company they named."""

    @property
    def clock(self) -> Clock:
        return self._now

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock() + self.shifted

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward by ``by`` (never back; ``Company.stamp`` keeps each company's
        ``lastModified`` strictly increasing in any case): what is written from now on, and
        the idempotency replays' age, read the later time."""
        if by < timedelta(0):
            msg = f"by: the clock only moves forward, got {by}"
            raise ValueError(msg)
        self.shifted += by
        return self.clock()

    def add_company(self, company_id: str, api_key: str) -> Company:
        if company_id in self.companies:
            msg = f"company {company_id!r} exists"
            raise ValueError(msg)
        company = Company(company_id, api_key, clock=self.clock)
        self.companies[company_id] = company
        return company

    def load(self, company: Company, records: Mapping[str, Sequence[object]]) -> list[Json]:
        """Add ``records`` (resource -> bodies) to ``company``; what was stored, in order.

        Raises ``errors.ApiError`` (422) for the first body that is refused, its fields named from
        the top (``records.invoices[0].lines[0].unitPrice``); earlier bodies stay stored.
        """
        stored: list[Json] = []
        for resource in RESOURCES:
            for index, body in enumerate(records.get(resource, ())):
                try:
                    stored.append(resources.create(company, resource, body, key=None, loading=True))
                except ApiError as error:
                    raise _located(error, f"records.{resource}[{index}]") from error
        return stored

    def count(self, company_id: str | None, resource: str) -> None:
        self.resource_totals[resource] += 1
        if company_id is not None and company_id in self.companies:
            self.requests[company_id] += 1
            self.by_resource.setdefault(company_id, Counter())[resource] += 1

    def stats(self) -> Json:
        companies = {
            company_id: {
                "requests": self.requests[company_id],
                "resources": dict(sorted(self.by_resource.get(company_id, Counter()).items())),
                "faultsFired": self.faults.by_company[company_id],
            }
            for company_id in sorted(self.companies)
        }
        return {
            "companies": companies,
            "resources": dict(sorted(self.resource_totals.items())),
            "faultsFired": self.faults.total,
        }

    def reset(self) -> None:
        """No companies, no fault rules, no counters (the clock and fault seed stay)."""
        self.companies.clear()
        self.faults.reset()
        self.requests.clear()
        self.by_resource.clear()
        self.resource_totals.clear()
