"""Wall-clock time, dates from the command line, and windows — including across DST changes."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from headrub.errors import UsageError
from headrub.timeutil import (
    EVERYTHING,
    Window,
    localize,
    make_window,
    now_local,
    now_utc,
    parse_at,
    parse_local,
    start_of_day,
    week_start_date,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def set_tz(name: str | None) -> None:
    """Point the process's local zone at ``name`` (None: the original)."""
    if name is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = name
    time.tzset()


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    """The process's local zone is ``name`` inside the block, and what it was after."""
    old = os.environ.get("TZ")
    set_tz(name)
    try:
        yield
    finally:
        set_tz(old)


@pytest.fixture
def berlin() -> Iterator[None]:
    """Run the test with Europe/Berlin as the local zone."""
    with local_zone("Europe/Berlin"):
        yield


@pytest.fixture
def new_york() -> Iterator[None]:
    """Run the test with America/New_York as the local zone."""
    with local_zone("America/New_York"):
        yield


def test_now_is_aware_and_frozen_by_time_machine(berlin: None) -> None:
    """now_local and now_utc are aware and come from the (frozen) clock, local in the system zone."""
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=BERLIN)
    with time_machine.travel(moment, tick=False):
        assert now_utc() == moment and now_utc().utcoffset() == timedelta(0)
        assert now_local() == moment
        assert now_local().utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("2026-11-20", datetime(2026, 11, 20, 0, 0), False),
        ("2026-11-20T21:30", datetime(2026, 11, 20, 21, 30), True),
        ("2026-11-20 21:30", datetime(2026, 11, 20, 21, 30), True),
        (" 2026-11-20 21:30:15 ", datetime(2026, 11, 20, 21, 30, 15), True),
    ],
)
def test_parse_local_reads_iso_dates_and_times_as_local(
    berlin: None, text: str, expected: datetime, has_time: bool
) -> None:
    """ISO dates and date-times (T or space) are read in local time, with the offset of that day."""
    moment, with_time = parse_local(text, "--since")
    assert with_time is has_time
    assert moment == expected.replace(tzinfo=BERLIN)
    assert moment.utcoffset() == timedelta(hours=1)


def test_parse_local_keeps_an_explicit_offset() -> None:
    """A date-time naming its offset (or Z) is that instant, not local time."""
    moment, _ = parse_local("2026-11-20T21:30+05:00", "--at")
    assert moment == datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
    assert parse_local("2026-11-20T21:30Z", "--at")[0] == datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["", "nope", "20/11/2026", "2026-13-01", "2026-02-30", "2026-11-20T25:00", "2026-11-20T21", "tomorrow"],
)
def test_parse_local_rejects_other_text_with_an_example(text: str) -> None:
    """Anything else is a UsageError (exit 2) naming the option and showing an example."""
    with pytest.raises(UsageError) as caught:
        parse_local(text, "--since")
    message = str(caught.value)
    assert message.startswith("--since: ") and "2026-11-20T21:30" in message
    assert "\n" not in message and caught.value.exit_code == 2


def test_parse_at_needs_a_time_and_refuses_the_future() -> None:
    """--at takes a date-time in the past (or now); a bare date or a future time is a UsageError."""
    now = datetime(2026, 11, 20, 22, 0).astimezone()
    assert parse_at("2026-11-20T21:30", now=now) == datetime(2026, 11, 20, 21, 30).astimezone()
    assert parse_at("2026-11-20 22:00", now=now) == now
    with pytest.raises(UsageError, match="time of day"):
        parse_at("2026-11-20", now=now)
    with pytest.raises(UsageError, match="in the future"):
        parse_at("2026-11-20T22:01", now=now)


def test_parse_at_uses_the_frozen_clock_by_default() -> None:
    """Without ``now``, --at is compared with the clock (time-machine here, never the real date)."""
    with time_machine.travel(datetime(2030, 1, 1, 12, 0, tzinfo=UTC), tick=False):
        assert parse_at("2029-12-31T23:00").year == 2029
        with pytest.raises(UsageError):
            parse_at("2030-01-01T13:00+00:00")


def test_window_contains_is_inclusive_at_both_ends() -> None:
    """A window holds its since and until instants; open ends hold everything on that side."""
    a = datetime(2026, 1, 1, tzinfo=UTC)
    b = datetime(2026, 1, 2, tzinfo=UTC)
    window = Window(a, b, "x")
    assert window.contains(a) and window.contains(b)
    assert not window.contains(a - timedelta(microseconds=1)) and not window.contains(
        b + timedelta(seconds=1)
    )
    assert EVERYTHING.contains(datetime(1, 1, 2, tzinfo=UTC)) and EVERYTHING.is_everything


def test_week_starts_on_monday_or_the_given_day() -> None:
    """The week holding a day starts on its Monday by default, or on ``week_start`` (6 = Sunday)."""
    sunday = date(2026, 11, 22)
    assert week_start_date(sunday) == date(2026, 11, 16)
    assert week_start_date(sunday, 6) == sunday
    assert week_start_date(date(2026, 11, 16)) == date(2026, 11, 16)


def test_named_windows_in_a_plain_week(berlin: None) -> None:
    """--today, --week, --month and --days N start where the contract says, in local time."""
    now = datetime(2026, 11, 19, 15, 45, tzinfo=BERLIN)  # a Thursday
    assert make_window(today=True, now=now).since == datetime(2026, 11, 19, tzinfo=BERLIN)
    assert make_window(week=True, now=now).since == datetime(2026, 11, 16, tzinfo=BERLIN)
    assert make_window(now=now) == make_window(week=True, now=now)
    assert make_window(now=now, week_start=6).since == datetime(2026, 11, 15, tzinfo=BERLIN)
    assert make_window(month=True, now=now).since == datetime(2026, 11, 1, tzinfo=BERLIN)
    assert make_window(days=3, now=now).since == now - timedelta(hours=72)
    assert make_window(now=now, default="everything") == EVERYTHING
    labels = [
        make_window(now=now, **flags).label
        for flags in ({"today": True}, {"month": True}, {"days": 1}, {"days": 7})
    ]
    assert labels == ["today", "this month", "in the last day", "in the last 7 days"]


def test_week_across_the_autumn_dst_change_starts_at_monday_midnight_summer_time(berlin: None) -> None:
    """On the Sunday clocks go back, the week still starts at Monday 00:00 CEST (+02:00), not an hour off."""
    now = datetime(2026, 10, 25, 12, 0, tzinfo=BERLIN)  # 03:00 CEST became 02:00 CET this morning
    with time_machine.travel(now, tick=False):
        week = make_window(week=True)
        today = make_window(today=True)
        last_day = make_window(days=1)
    assert week.since == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert week.since is not None and week.since.utcoffset() == timedelta(hours=2)
    assert today.since == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # midnight was still summer time
    assert last_day.since == datetime(2026, 10, 24, 11, 0, tzinfo=UTC)  # exactly 24 h, 13:00 wall time
    # A session at 00:30 on Monday (summer time) is in the week; one at 23:30 on Sunday before is not.
    assert week.contains(datetime(2026, 10, 19, 0, 30, tzinfo=BERLIN))
    assert not week.contains(datetime(2026, 10, 18, 23, 30, tzinfo=BERLIN))


def test_windows_across_the_spring_dst_change(new_york: None) -> None:
    """In New York on the Tuesday after clocks go forward, the week and month start at local midnight."""
    now = datetime(2026, 3, 10, 9, 0, tzinfo=NEW_YORK)
    with time_machine.travel(now, tick=False):
        week = make_window(week=True)
        month = make_window(month=True)
        days = make_window(days=2)
    assert week.since == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)  # Monday 00:00 EDT
    assert month.since == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # the 1st, 00:00 EST
    assert days.since == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # 48 h, though the wall clock says 47
    sunday_window = make_window(since="2026-03-08", until="2026-03-08", now=now)
    assert sunday_window.since == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert sunday_window.until == datetime(2026, 3, 9, 4, 0, tzinfo=UTC) - timedelta(microseconds=1)


def test_start_of_day_and_localize_use_the_offset_of_that_day(berlin: None) -> None:
    """Local midnight in winter is +01:00 and in summer +02:00; an aware time is left as it is."""
    assert start_of_day(date(2026, 1, 10)).utcoffset() == timedelta(hours=1)
    assert start_of_day(date(2026, 7, 10)).utcoffset() == timedelta(hours=2)
    aware = datetime(2026, 7, 10, tzinfo=UTC)
    assert localize(aware) is aware


def test_since_and_until_combine_and_a_date_means_its_whole_day(berlin: None) -> None:
    """--since DATE starts at its 00:00, --until DATE runs through its last instant; a date-time is exact."""
    now = datetime(2026, 11, 22, 12, 0, tzinfo=BERLIN)
    window = make_window(since="2026-11-01", until="2026-11-10", now=now)
    assert window.since == datetime(2026, 11, 1, tzinfo=BERLIN)
    assert window.until == datetime(2026, 11, 11, tzinfo=BERLIN) - timedelta(microseconds=1)
    assert window.label == "from 2026-11-01 to 2026-11-10"
    exact = make_window(until="2026-11-10 21:30", now=now)
    assert exact.since is None and exact.until == datetime(2026, 11, 10, 21, 30, tzinfo=BERLIN)
    assert exact.label == "until 2026-11-10 21:30"
    assert make_window(since="2026-11-01", now=now).label == "since 2026-11-01"


@pytest.mark.parametrize(
    "flags",
    [
        {"today": True, "week": True},
        {"week": True, "month": True},
        {"month": True, "days": 3},
        {"today": True, "since": "2026-01-01"},
        {"days": 3, "until": "2026-01-01"},
        {"week": True, "since": "2026-01-01", "until": "2026-02-01"},
    ],
)
def test_window_combinations_that_cannot_be_are_usage_errors(flags: dict[str, object]) -> None:
    """At most one of --today/--week/--month/--days, and none of them with --since/--until."""
    with pytest.raises(UsageError, match="choose one window"):
        make_window(now=datetime(2026, 1, 5, tzinfo=UTC), **flags)  # type: ignore[arg-type]


@pytest.mark.parametrize("days", [0, -1, 36_501, 10**12])
def test_days_out_of_range_is_a_usage_error(days: int) -> None:
    """--days must be 1..36500 (a huge N must not overflow into a traceback)."""
    with pytest.raises(UsageError, match="--days"):
        make_window(days=days, now=datetime(2026, 1, 5, tzinfo=UTC))


def test_since_after_until_is_a_usage_error() -> None:
    """--since later than --until is refused."""
    with pytest.raises(UsageError, match="after --until"):
        make_window(since="2026-02-01", until="2026-01-01", now=datetime(2026, 3, 1, tzinfo=UTC))


def test_far_dates_are_errors_or_windows_never_tracebacks() -> None:
    """The first and last dates there are give a window or a UsageError, not an OverflowError."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    for since, until in (("0001-01-01", None), (None, "9999-12-31"), ("0001-01-01", "9999-12-31")):
        try:
            window = make_window(since=since, until=until, now=now)
        except UsageError:
            continue
        assert window.contains(now)


@pytest.fixture
def santiago() -> Iterator[None]:
    """America/Santiago, where the clocks skip midnight (2026-09-06 starts at 01:00)."""
    with local_zone("America/Santiago"):
        yield


def test_a_day_whose_midnight_is_skipped_starts_on_that_day(santiago: None) -> None:
    """--since/--until on the day the clocks jump over midnight cover that day, not the last hour of the day before."""
    start = start_of_day(date(2026, 9, 6))
    assert (start.date(), start.hour) == (date(2026, 9, 6), 1)
    window = make_window(since="2026-09-06", until="2026-09-06")
    assert window.since == start
    assert window.until is not None and window.until.date() == date(2026, 9, 6)
    assert not window.contains(localize(datetime(2026, 9, 5, 23, 30)))
    assert window.contains(localize(datetime(2026, 9, 6, 12, 0)))


def test_a_wall_time_in_the_spring_gap_moves_forward(berlin: None) -> None:
    """02:30 on the night clocks go forward does not exist; it is read as 03:30 summer time, not 01:30."""
    moment = localize(datetime(2026, 3, 29, 2, 30))
    assert moment.isoformat() == "2026-03-29T03:30:00+02:00"


@pytest.mark.parametrize("text", ["0001-01-01T00:30+05:00", "9999-12-31T23:59-05:00", "1899-12-31"])
def test_dates_out_of_range_are_usage_errors(text: str) -> None:
    """Years near the ends of the calendar are refused with a message, never an overflow."""
    with pytest.raises(UsageError, match="out of range"):
        parse_local(text, "--since")


# --- dates as people type them ------------------------------------------------------------------------

# A Wednesday evening, so "monday" is two days back and "wednesday" is today.
NOW = datetime(2026, 11, 25, 22, 0)


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("today", datetime(2026, 11, 25), False),
        ("Yesterday", datetime(2026, 11, 24), False),
        ("monday", datetime(2026, 11, 23), False),
        ("mon", datetime(2026, 11, 23), False),
        ("wednesday", datetime(2026, 11, 25), False),
        ("thursday", datetime(2026, 11, 19), False),
        ("21:30", datetime(2026, 11, 25, 21, 30), True),
        ("7:05", datetime(2026, 11, 25, 7, 5), True),
        ("yesterday 21:30", datetime(2026, 11, 24, 21, 30), True),
        ("sunday  9:00", datetime(2026, 11, 22, 9, 0), True),
        ("2026-11-20 21:30", datetime(2026, 11, 20, 21, 30), True),
    ],
)
def test_dates_as_people_type_them(berlin: None, text: str, expected: datetime, has_time: bool) -> None:
    """today, yesterday, a weekday (the last one, today included), a bare time (today) and a day with a time."""
    moment, with_time = parse_local(text, "--since", now=NOW.replace(tzinfo=BERLIN))
    assert (moment, with_time) == (expected.replace(tzinfo=BERLIN), has_time)


@pytest.mark.parametrize("text", ["tomorrow", "24:00", "21:60", "someday 21:30", "monday21:30", "21"])
def test_other_words_and_impossible_times_are_refused(berlin: None, text: str) -> None:
    """Words that are no day, and times that do not exist, are one UsageError with examples."""
    with pytest.raises(UsageError, match="--since: cannot read"):
        parse_local(text, "--since", now=NOW.replace(tzinfo=BERLIN))


def test_at_refuses_a_session_that_would_end_in_the_future(berlin: None) -> None:
    """--at 21:30 with 20 minutes is fine at 22:00; with 45 minutes it would end at 22:15 and is refused."""
    now = NOW.replace(tzinfo=BERLIN)
    assert parse_at("21:30", now=now, lasting=timedelta(minutes=20)) == datetime(2026, 11, 25, 21, 30, tzinfo=BERLIN)
    with pytest.raises(UsageError, match="would end at 22:15, in the future"):
        parse_at("21:30", now=now, lasting=timedelta(minutes=45))


def test_at_a_weekday_whose_time_is_still_to_come_today_means_a_week_before(berlin: None) -> None:
    """--at 'wed 9:00' early on a Wednesday is last Wednesday at nine; a bare '9:00' or 'today 9:00' is still
    refused as in the future (today is what they name)."""
    now = NOW.replace(tzinfo=BERLIN)  # a Wednesday, 22:00
    wednesday = now.strftime("%a").lower()
    assert parse_at(f"{wednesday} 21:30", now=now) == datetime(2026, 11, 25, 21, 30, tzinfo=BERLIN)
    assert parse_at(f"{wednesday} 23:00", now=now) == datetime(2026, 11, 18, 23, 0, tzinfo=BERLIN)
    with pytest.raises(UsageError, match="would end at 22:15, in the future"):  # it started today: not moved
        parse_at(f"{wednesday} 21:30", now=now, lasting=timedelta(minutes=45))
    for text in ("23:00", "today 23:00"):
        with pytest.raises(UsageError, match="in the future"):
            parse_at(text, now=now)


def test_a_window_from_words(berlin: None) -> None:
    """--since monday --until yesterday: from Monday 00:00 through the whole of yesterday."""
    window = make_window(since="monday", until="yesterday", now=NOW.replace(tzinfo=BERLIN))
    assert window.since == datetime(2026, 11, 23, tzinfo=BERLIN)
    assert window.until == datetime(2026, 11, 25, tzinfo=BERLIN) - timedelta(microseconds=1)
    assert window.label == "from monday to yesterday"
