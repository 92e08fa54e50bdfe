"""The readers' dates and timestamps (``adapters/intacct/convert/fields.py``): ``as_date`` and
``as_stamp`` read the exact shapes Intacct writes (``mm/dd/yyyy``, ``yyyy-mm-dd`` over REST,
``mm/dd/yyyy HH:MM:SS``) without ``strptime``, and answer what ``strptime`` answers for every
text, those shapes or not (a single digit, padding, an impossible day, anything else)."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from released_intacct.adapters.intacct.convert.fields import DATE, STAMP, as_date, as_stamp


def _strptime_date(text: str) -> dt.date | None:
    for pattern in (DATE, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a plain date
        except ValueError:
            continue
    return None


def _strptime_stamp(text: str, tz: dt.tzinfo) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), STAMP).replace(tzinfo=tz)
    except ValueError:
        return None


_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=5)
_TEXTS = st.one_of(
    st.builds(lambda m, d, y: f"{m}/{d}/{y}", _DIGITS, _DIGITS, _DIGITS),
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", _DIGITS, _DIGITS, _DIGITS),
    st.builds(
        lambda d, h, m, s, pad: f"{pad}{d} {h}:{m}:{s}{pad}",
        st.builds(lambda m, d, y: f"{m}/{d}/{y}", _DIGITS, _DIGITS, _DIGITS),
        _DIGITS,
        _DIGITS,
        _DIGITS,
        st.sampled_from(["", " ", "\t"]),
    ),
    st.dates().map(lambda d: d.strftime(DATE)),
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(lambda t: t.strftime(STAMP)),
    st.text(max_size=25),
)


@given(_TEXTS)
def test_as_date_reads_what_strptime_reads(text: str) -> None:
    assert as_date(text) == _strptime_date(text)


@given(_TEXTS, st.sampled_from([UTC, timezone(timedelta(hours=-7))]))
def test_as_stamp_reads_what_strptime_reads(text: str, tz: dt.tzinfo) -> None:
    assert as_stamp(text, tz) == _strptime_stamp(text, tz)


def test_the_exact_shapes_and_impossible_days() -> None:
    assert as_date("04/30/2026") == dt.date(2026, 4, 30)
    assert as_date("2026-04-30") == dt.date(2026, 4, 30)
    assert as_date("4/3/2026") == dt.date(2026, 4, 3)
    assert as_date("02/30/2026") is None
    assert as_date("2026-02-30") is None
    assert as_stamp(" 04/30/2026 23:59:59 ", UTC) == datetime(2026, 4, 30, 23, 59, 59, tzinfo=UTC)
    assert as_stamp("04/30/2026 24:00:00", UTC) is None
