"""``IntacctRestAdapter``: the Intacct port over the REST API (``/ia/api/v1``), for a connection
whose ``intacct.api`` is ``rest``.

One adapter serves one company at one entity (``X-IA-API-Param-Entity``, none for the top level): an
``oauth.AccessTokens`` (the client-credentials grant for a Web Services user, or the rotating
refresh token ``tokens`` keeps for the authorization-code grant, spent under the connection's lock;
one for every entity, and shared with the process's other adapters of the same credentials through
an ``oauth.TokenShelf``), one ``RestTransport`` under the company's governor, the query pager and
the batch writer, bundled as a ``family.Rest``. The directory (``directory``, ``doctor``), the
master-data feeds (``feeds``) and the generic writer (``writer``, over the ``families``) are built
on it.

``transactions_spent`` counts as Intacct is taken to count (docs/intacct-rest.md section 12,
**inferred** as over XML, correction 12): one per record written (a batch of 500 is 500), one per
read request; a try repeated after a throttle or a server error is not counted again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import httpx
from returns.future import FutureResult
from returns.result import Failure, Result

from released_intacct.adapters.clock import SystemClock
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.setupcache import SetupCache
from released_intacct.adapters.intacct_rest import documents, feeds, parties, payments
from released_intacct.adapters.intacct_rest.batch import Batches
from released_intacct.adapters.intacct_rest.directory import Directory
from released_intacct.adapters.intacct_rest.doctor import diagnose
from released_intacct.adapters.intacct_rest.family import Family, Rest
from released_intacct.adapters.intacct_rest.oauth import (
    AccessTokens,
    TokenClient,
    TokenShelf,
    TokenStore,
)
from released_intacct.adapters.intacct_rest.orderpayments import OrderPayments
from released_intacct.adapters.intacct_rest.query import QueryPages
from released_intacct.adapters.intacct_rest.transport import Method, Reply, RestTransport, Tokens
from released_intacct.adapters.intacct_rest.writer import Writer
from released_intacct.adapters.slots import LOCAL_ONLY, RequestSlots
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.diagnosis import Diagnosis
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, IntacctId, IntacctKey
from released_intacct.domain.intacct import (
    Deletion,
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Party,
    TaxDetail,
    Transaction,
)
from released_intacct.domain.ports import (
    CANDIDATES,
    Clock,
    Credentials,
    Entity,
    FeedQuery,
    IntacctSetup,
    OAuthCredentials,
    Page,
    WriteOutcome,
)

__all__ = ["IntacctRestAdapter"]

Sleep = Callable[[float], Awaitable[None]]


class _Counted(RestTransport):
    """The transport, counting API transactions: a write one per record of its body, a
    composite one per sub-request (**inferred**, ``composite``), any other request one (each
    request once, whatever its tries)."""

    spent = 0

    async def request(
        self,
        method: Method,
        path: str,
        *,
        body: object = None,
        key: str | None = None,
        resent: bool = False,
        atomic: bool = False,
        reads: bool = False,
    ) -> Result[Reply, SyncError]:
        self.spent += len(body) if isinstance(body, list) else 1
        return await super().request(
            method, path, body=body, key=key, resent=resent, atomic=atomic, reads=reads
        )


class IntacctRestAdapter:
    """Log-in and set-up, change feeds and exactly-once writes for one Intacct company, over
    REST."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        credentials: OAuthCredentials,
        *,
        entity: EntityId | None,
        settings: ClientSettings | None = None,
        tokens: TokenStore | None = None,
        connection: ConnectionId | None = None,
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        slots: RequestSlots = LOCAL_ONLY,
        setups: SetupCache | None = None,
        families: Sequence[Family] = (parties.FAMILY, documents.FAMILY, payments.FAMILY),
        shelf: TokenShelf | None = None,
    ) -> None:
        """``tokens``: the state store keeping the connection's refresh token (the
        authorization-code grant: ``credentials.user_id`` None); ``families``: what the writer
        writes (documents and payments add theirs); ``shelf``: where the adapters of a process
        share their access tokens (``bootstrap``; None: this adapter's own)."""
        self.settings = settings or ClientSettings()
        self._client = client
        self._credentials = credentials
        self._clock = clock or SystemClock()
        self._sleep = sleep
        self._slots = slots
        self.tokens = (shelf or TokenShelf()).tokens(
            client,
            self.settings,
            credentials,
            self._clock,
            store=tokens if credentials.by_authorization else None,
            connection=connection,
        )
        self._rests: dict[EntityId | None, Rest] = {}
        self._counted: dict[EntityId | None, _Counted] = {}
        """The transports of this connection's token, by entity (one governor between them)."""
        self._spent_apart = 0
        """Transactions of log-ins with other credentials."""
        self.rest = self._at(entity or None)
        self._directory = Directory(
            credentials, self.settings, self._at, setups or SetupCache(self._clock)
        )
        self._writer = Writer(self.rest, families)
        self._orders = OrderPayments(self.rest)

    def _rest(self, entity: EntityId | None, tokens: Tokens) -> tuple[_Counted, Rest]:
        transport = _Counted(
            self._client,
            self.settings,
            tokens,
            entity=entity,
            sleep=self._sleep,
            slots=self._slots,
            company=self._credentials.company_id,
        )
        first = next(iter(self._counted.values()), None)
        if first is not None:
            transport.governor = first.governor  # one company, one limit of requests in flight
        return transport, Rest(
            transport=transport,
            pages=QueryPages(transport, self.settings),
            batches=Batches(transport, self.settings),
            settings=self.settings,
            clock=self._clock,
        )

    def _at(self, entity: EntityId | None) -> Rest:
        """The REST API at ``entity`` with this connection's token (kept per entity)."""
        kept = self._rests.get(entity)
        if kept is None:
            transport, kept = self._rest(entity, self.tokens)
            self._counted[entity] = transport
            self._rests[entity] = kept
        return kept

    def transactions_spent(self) -> int:
        return self._spent_apart + sum(t.spent for t in self._counted.values())

    # --- directory -------------------------------------------------------------------------------

    def login(self, credentials: Credentials) -> FutureResult[tuple[Entity, ...], SyncError]:
        """Rules C2, C3: a token for ``credentials`` and the company's entities. The XML API's
        credentials are refused FATAL, naming the fix."""
        return FutureResult(self._login(credentials))

    async def _login(self, credentials: Credentials) -> Result[tuple[Entity, ...], SyncError]:
        if not isinstance(credentials, OAuthCredentials):
            return Failure(_xml_credentials())
        if credentials == self._credentials or credentials.by_authorization:
            granted = await self.tokens.access()
            if isinstance(granted, Failure):
                return Failure(granted.failure())
            return await self._directory.entities(self._at(None))
        client = TokenClient(self._client, self.settings, credentials, self._clock)
        tokens = AccessTokens(client, self.settings, self._clock)
        granted = await tokens.access()
        if isinstance(granted, Failure):
            return Failure(granted.failure())
        transport, rest = self._rest(None, tokens)
        try:
            return await self._directory.entities(rest)
        finally:
            self._spent_apart += transport.spent

    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]:
        """Rule C5 at ``entity`` (``""``: the top level); ``reuse`` as over XML. A run starts
        here: what the query pager held for a second feed is let go (a new run reads afresh)."""
        for rest in self._rests.values():
            rest.pages.let_go()
        learn = self._orders.learn
        return FutureResult(self._directory.setup(entity, reuse=reuse)).map(learn)

    def diagnose(self, entity: EntityId) -> FutureResult[Diagnosis, SyncError]:
        """``doctor``'s read-only checks over REST (``doctor``)."""
        return FutureResult(diagnose(self._at, self._credentials.company_id, entity))

    # --- feeds -----------------------------------------------------------------------------------

    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]:
        return FutureResult(feeds.accounts(self.rest, query))

    def tax_details(self, query: FeedQuery) -> FutureResult[Page[TaxDetail], SyncError]:
        return FutureResult(feeds.tax_details(self.rest, query))

    def dimension_values(
        self, kind: DimensionKind, query: FeedQuery
    ) -> FutureResult[Page[DimensionValue], SyncError]:
        return FutureResult(feeds.dimension_values(self.rest, kind, query))

    def parties(self, role: ContactRole, query: FeedQuery) -> FutureResult[Page[Party], SyncError]:
        return FutureResult(feeds.parties_feed(self.rest, role, query))

    def deletions(
        self, record_type: RecordType, query: FeedQuery
    ) -> FutureResult[Page[Deletion], SyncError]:
        return FutureResult(feeds.deletions(self.rest, record_type, query))

    def payments(
        self, origin: Origin, query: FeedQuery
    ) -> FutureResult[Page[IntacctPayment], SyncError]:
        async def read() -> Result[Page[IntacctPayment], SyncError]:
            page = await payments.payments(self.rest, origin, query)
            return await self._orders.page(origin, page)

        return FutureResult(read())

    def parties_held(
        self, role: ContactRole, ids: Sequence[IntacctId]
    ) -> FutureResult[frozenset[IntacctId], SyncError]:
        return FutureResult(feeds.parties_held(self.rest, role, ids))

    def transactions(
        self, origin: Origin, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Transaction], SyncError]:
        return FutureResult(documents.transactions(self.rest, origin, kind, query))

    def transaction_held(
        self, origin: Origin, kind: DocumentKind, key: IntacctKey
    ) -> FutureResult[Transaction | None, SyncError]:
        return FutureResult(documents.transaction_held(self.rest, origin, kind, key))

    # --- writer ----------------------------------------------------------------------------------

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        return FutureResult(self._orders.write(batch, self._writer.write))

    def find_written(self, write: CreateInIntacct) -> FutureResult[IntacctRecord | None, SyncError]:
        async def find() -> Result[IntacctRecord | None, SyncError]:
            found = await self._writer.find_written(write)
            record = None if isinstance(found, Failure) else found.unwrap()
            if record is None:
                return found
            return (await self._orders.records([record])).map(lambda one: one[0])

        return FutureResult(find())

    def candidates(
        self, write: CreateInIntacct
    ) -> FutureResult[tuple[IntacctRecord, ...], SyncError]:
        async def first() -> Result[tuple[IntacctRecord, ...], SyncError]:
            found = await self._writer.candidates(write)
            if isinstance(found, Failure):
                return found
            return await self._orders.records(found.unwrap()[:CANDIDATES])

        return FutureResult(first())


def _xml_credentials() -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message="The REST API of Sage Intacct signs in with an OAuth 2 client, not a sender id: "
        'intacct.api = "rest" needs an OAuth client of the company.',
        fix="Connect with an OAuth client (connect --api rest), or use the XML adapter "
        '(intacct.api = "xml") for a sender id and Web Services user.',
    )
