"""The state store's JSON codec: every value it keeps comes back exactly (Decimal exponents too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from released_intacct.adapters.state import codec
from released_intacct.domain.actions import (
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    UpdateInReleased,
    WriteAction,
)
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    Direction,
    RecordType,
    ReleasedStatus,
)
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import (
    ConnectionId,
    IdempotencyKey,
    IntacctId,
    IntacctKey,
    ReleasedId,
)
from released_intacct.domain.intacct import (
    DimensionValue,
    IntacctRecord,
    Item,
    TaxDetail,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.links import LinkStatus
from released_intacct.domain.matching import Candidate, Step, Target
from released_intacct.domain.onboarding import archive, create_as, match, start_onboarding
from released_intacct.domain.ports import Notification
from released_intacct.domain.released import (
    Account,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.domain.results import (
    Progress,
    RecordCounts,
    RunCounts,
    SyncResult,
    TypeProgress,
)
from released_intacct.fakes import samples
from released_intacct.fakes.strategies import (
    intacct_lists,
    intacct_payments,
    names,
    parties,
    released_side,
    transactions,
)

Record = IntacctRecord | ReleasedRecord

exact = st.decimals(allow_nan=False, allow_infinity=False)
"""Any finite Decimal, any exponent: ``1.10``, ``-0``, ``1E+3``, ``0.000001``."""
zones = st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=zones,
).map(lambda moment: moment.replace(fold=0))  # fold means nothing at a fixed offset
ids = names.map(ReleasedId)


@st.composite
def intacct_records(draw: st.DrawFn) -> list[Record]:
    found = draw(parties())
    made = draw(transactions(found, [DimensionKind.DEPARTMENT, DimensionKind.LOCATION]))
    paid = draw(intacct_payments(made))
    lists = [record for _, record in draw(intacct_lists())]
    return [*lists, *found, *made, *paid]


@st.composite
def released_records(draw: st.DrawFn) -> list[Record]:
    options = st.builds(TrackingOption, id=ids, name=names, status=st.sampled_from(ReleasedStatus))
    extra: list[Record] = [
        Account(id=draw(ids), code=draw(names), name=draw(names)),
        TaxType(id=draw(ids), name=draw(names), rate=draw(exact)),
        TrackingCategory(
            id=draw(ids),
            name=draw(names),
            kind=draw(st.none() | st.sampled_from(DimensionKind)),
            options=tuple(draw(st.lists(options, max_size=3))),
        ),
    ]
    return [*(record for _, record in draw(released_side())), *extra]


@st.composite
def odd_values(draw: st.DrawFn) -> list[Record]:
    """Records carrying any Decimal and any aware datetime (what the planning strategies don't)."""
    line = TransactionLine(
        memo=draw(names),
        amount=draw(exact),
        quantity=draw(exact),
        price=draw(exact),
        dimensions=((DimensionKind.CLASS, IntacctId("K1")),),
        rev_rec_start=draw(st.none() | st.dates()),
    )
    return [
        samples.transaction(lines=(line,), modified_at=draw(moments)),
        TaxDetail(detail_id=IntacctId("T"), rate=draw(exact), modified_at=draw(moments)),
        DimensionValue(kind=DimensionKind.TASK, value_id=IntacctId("V"), name=draw(names)),
        Item(item_id=IntacctId("I"), name="Rent", gl_account_no=IntacctId("4000"), for_sales=True),
        samples.invoice(amount_paid=draw(exact), modified_at=draw(moments)),
        samples.payment(amount=draw(exact)),
    ]


def _exactly(left: object, right: object) -> None:
    assert left == right
    assert repr(left) == repr(right)  # Decimal exponents and offsets too


@given(st.one_of(intacct_records(), released_records(), odd_values()))
def test_every_record_round_trips_exactly(records: list[Record]) -> None:
    for record in records:
        text = codec.encode_record(record)
        _exactly(codec.decode_record(text), record)
        assert codec.encode_record(codec.decode_record(text)) == text


def _actions(record: Record) -> list[WriteAction]:
    key, rid, ikey = IdempotencyKey("ri-1"), ReleasedId("r-1"), IntacctKey("I-1")
    if isinstance(record, ReleasedRecord):
        return [
            CreateInReleased(
                key=key,
                record_type=RecordType.CONTACT,
                intacct_key=ikey,
                record=record,
                source_fingerprint="fp",
            ),
            UpdateInReleased(
                record_type=RecordType.INVOICE,
                released_id=rid,
                intacct_key=ikey,
                record=record,
                source_fingerprint="",
            ),
        ]
    return [
        CreateInIntacct(
            key=key,
            record_type=RecordType.ACCOUNT,
            released_id=rid,
            record=record,
            source_fingerprint="fp",
        ),
        UpdateInIntacct(
            key=key,
            record_type=RecordType.INVOICE,
            released_id=rid,
            intacct_key=ikey,
            record=record,
            source_fingerprint="fp",
            post=True,
        ),
    ]


@given(st.one_of(intacct_records(), released_records(), odd_values()))
def test_every_write_action_round_trips_exactly(records: list[Record]) -> None:
    for record in records:
        for action in _actions(record):
            _exactly(codec.decode_action(codec.encode_action(action)), action)


def test_decimal_never_passes_through_a_float() -> None:
    line = TransactionLine(amount=Decimal("0.1000000000000000000000001"), price=Decimal("1E+3"))
    text = codec.encode_record(samples.transaction(lines=(line,)))
    assert '"0.1000000000000000000000001"' in text
    assert '"1E+3"' in text
    back = codec.decode_record(text)
    assert isinstance(back, Transaction)
    assert (str(back.lines[0].amount), str(back.lines[0].price)) == (
        "0.1000000000000000000000001",
        "1E+3",
    )


def test_an_unknown_tag_is_refused_not_guessed() -> None:
    text = codec.encode_record(samples.party()).replace('"Party"', '"Unheard"')
    with pytest.raises(msgspec.ValidationError, match="unknown tag 'Unheard'"):
        codec.decode_record(text)


def test_onboarding_with_every_decision_round_trips() -> None:
    ob = start_onboarding(
        accounts=(
            Candidate(released_id=ReleasedId("a-1"), label="4000 Rent", keys=("4000",)),
            Candidate(released_id=ReleasedId("a-2"), label="4100 Fees", keys=("4100",)),
        ),
        gl_accounts=(Target(intacct_key=IntacctKey("4000"), label="Rent", keys=("4000",)),),
        contacts=(Candidate(released_id=ReleasedId("c-1"), label="Acme", keys=("Acme",)),),
    )
    ob = archive(ob, Step.ACCOUNTS, ReleasedId("a-2")).unwrap()
    ob = create_as(ob, ReleasedId("c-1"), ContactRole.CUSTOMER).unwrap()
    ob = match(ob, Step.ACCOUNTS, ReleasedId("a-1"), IntacctKey("4000")).unwrap()
    _exactly(codec.decode_onboarding(codec.encode_onboarding(ob)), ob)


counts = st.dictionaries(
    st.sampled_from(RecordType),
    st.builds(
        RecordCounts,
        created=st.integers(0, 9),
        updated=st.integers(0, 9),
        skipped=st.integers(0, 9),
        failed=st.integers(0, 9),
    ),
).map(lambda by_type: RunCounts(by_type=by_type))


@given(counts)
def test_run_counts_round_trip(value: RunCounts) -> None:
    _exactly(codec.decode_counts(codec.encode_counts(value)), value)


progress = st.dictionaries(
    st.sampled_from(RecordType),
    st.builds(TypeProgress, done=st.integers(0, 10**9), total=st.none() | st.integers(0, 10**9)),
).map(lambda by_type: Progress(by_type=by_type))


@given(progress)
def test_E3_run_progress_round_trips(value: Progress) -> None:
    _exactly(codec.decode_progress(codec.encode_progress(value)), value)


@given(
    first=moments,
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)),
    released=st.none() | ids,
    key=st.none() | names.map(IntacctKey),
    rule=st.none() | st.sampled_from(Rule),
    kind=st.sampled_from(ErrorKind),
    message=st.text(),
)
def test_sync_results_and_notifications_round_trip(
    first: datetime,
    later: timedelta,
    released: ReleasedId | None,
    key: IntacctKey | None,
    rule: Rule | None,
    kind: ErrorKind,
    message: str,
) -> None:
    result = SyncResult(
        first_seen=first,
        last_seen=(first + later).astimezone(UTC),
        record_type=RecordType.PAYMENT,
        released_id=released,
        intacct_key=key,
        direction=Direction.INCOMING,
        rule=rule,
        kind=kind,
        message=message,
        fix="Fix it.",
        link_status=LinkStatus.UNLINKED,
        count=3,
    )
    _exactly(codec.decode_result(codec.encode_result(result)), result)
    note = Notification(connection=ConnectionId("c"), title=message, body="b")
    _exactly(codec.decode_notification(codec.encode_notification(note)), note)


@given(moments)
def test_a_datetime_column_is_the_same_instant_and_sorts_as_text(moment: datetime) -> None:
    earlier = moment - timedelta(microseconds=1)
    assert codec.from_column(codec.to_column(moment)) == moment
    assert codec.to_column(earlier) < codec.to_column(moment)
    with pytest.raises(ValueError, match="timezone-aware"):
        codec.to_column(datetime(2026, 1, 1))  # noqa: DTZ001 - the naive value refused
