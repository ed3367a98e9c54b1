"""Stats: totals, days practised, streaks by local calendar day, and per routine what works, best first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from headrub.stats import compute_stats, current_streak, longest_streak, per_routine

KEYS = {
    "sessions", "minutes", "days_this_week", "days_this_month",
    "current_streak_days", "longest_streak_days", "routines",
}  # fmt: skip
NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)  # a Thursday


def e(
    day: date | datetime,
    routine: str = "scalp-sleep",
    minutes: float = 10,
    before: int | None = None,
    after: int | None = None,
) -> dict[str, Any]:
    """A stored entry started on ``day`` (at 21:00 UTC when a date)."""
    moment = day if isinstance(day, datetime) else datetime(day.year, day.month, day.day, 21, 0, tzinfo=UTC)
    return {
        "v": 1,
        "routine": routine,
        "started_at": moment.isoformat(timespec="seconds"),
        "active_s": minutes * 60,
        "tension_before": before,
        "tension_after": after,
    }


def d(day: int, month: int = 11) -> date:
    """A day of 2026."""
    return date(2026, month, day)


def test_an_empty_journal_gives_zeros_and_exactly_the_contract_keys() -> None:
    """No entries: every count 0, no routines, and exactly the stats --json keys."""
    result = compute_stats([], NOW)
    assert set(result) == KEYS
    assert result == {k: 0 for k in KEYS - {"routines", "minutes"}} | {"minutes": 0.0, "routines": []}


def test_sessions_and_minutes_use_active_seconds() -> None:
    """sessions counts entries; minutes sums active_s / 60, rounded to 0.1."""
    result = compute_stats(
        [e(d(19), minutes=10.04), e(d(18), minutes=5), {**e(d(17)), "active_s": "junk"}], NOW
    )
    assert result["sessions"] == 3 and result["minutes"] == 15.0


def test_days_this_week_and_month_count_distinct_days() -> None:
    """Two sessions on one day count once; the week starts Monday (or week_start); the month on the 1st."""
    entries = [e(d(19)), e(d(19)), e(d(16)), e(d(15)), e(d(2)), e(d(31, 10))]
    result = compute_stats(entries, NOW)
    assert result["days_this_week"] == 2  # Mon 16 and Thu 19
    assert result["days_this_month"] == 4  # 2, 15, 16, 19
    assert compute_stats(entries, NOW, week_start=6)["days_this_week"] == 3  # from Sunday 15


def test_current_streak_counts_back_from_today() -> None:
    """With a session today, the current streak runs back from today."""
    assert current_streak({d(19), d(18), d(17), d(15)}, d(19)) == 3


def test_current_streak_counts_from_yesterday_while_today_has_none() -> None:
    """Before today's session, yesterday's run still counts; a gap of a whole day ends it."""
    assert current_streak({d(18), d(17)}, d(19)) == 2
    assert current_streak({d(17), d(16)}, d(19)) == 0
    assert current_streak(set(), d(19)) == 0


def test_longest_streak_is_the_longest_run_of_days() -> None:
    """The longest run of consecutive days, across month ends."""
    assert longest_streak({d(29, 10), d(30, 10), d(31, 10), d(1), d(3), d(4)}) == 4
    assert longest_streak(set()) == 0 and longest_streak({d(1)}) == 1


def test_a_session_keeps_the_day_it_happened_on_in_its_own_offset() -> None:
    """A session at 23:30 +01:00 counts on that day, though it is the next day in UTC."""
    late = datetime(2026, 11, 18, 23, 30, tzinfo=timezone(timedelta(hours=1)))
    early_next_day_utc = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)  # also the 18th
    result = compute_stats([e(late), e(early_next_day_utc), e(d(17))], NOW)
    assert result["current_streak_days"] == 2 and result["days_this_week"] == 2


def test_streak_runs_through_a_dst_change() -> None:
    """Sessions each evening around the autumn change in Berlin make one unbroken streak."""
    berlin = ZoneInfo("Europe/Berlin")
    entries = [e(datetime(2026, 10, day, 22, 30, tzinfo=berlin)) for day in range(22, 29)]
    now = datetime(2026, 10, 28, 23, 0, tzinfo=berlin)
    result = compute_stats(entries, now)
    assert result["current_streak_days"] == 7 == result["longest_streak_days"]


def test_routines_best_tension_change_first_and_no_ratings_last() -> None:
    """Per routine: sessions, average minutes, mean of after−before over rated entries; best first, nulls last."""
    entries = [
        e(d(1), "wake-up", 5, 3, 4),
        e(d(2), "scalp-sleep", 10, 6, 2),
        e(d(3), "scalp-sleep", 20, 5, None),  # not rated after: not in the average
        e(d(4), "scalp-sleep", 15, 7, 4),
        e(d(5), "head-spa", 30),
        e(d(6), "jaw-release", 8, 5, 4),
    ]
    rows = per_routine(entries)
    assert [r["routine"] for r in rows] == ["scalp-sleep", "jaw-release", "wake-up", "head-spa"]
    assert rows[0] == {
        "routine": "scalp-sleep",
        "sessions": 3,
        "avg_minutes": 15.0,
        "avg_tension_change": -3.5,
    }
    assert rows[-1] == {"routine": "head-spa", "sessions": 1, "avg_minutes": 30.0, "avg_tension_change": None}
    assert compute_stats(entries, NOW)["routines"] == rows


def test_routine_ties_go_to_more_sessions_then_name() -> None:
    """Equal changes: the routine with more sessions first, then by name."""
    rows = per_routine(
        [e(d(1), "b", 1, 5, 4), e(d(2), "a", 1, 5, 4), e(d(3), "c", 1, 5, 4), e(d(4), "c", 1, 5, 4)]
    )
    assert [r["routine"] for r in rows] == ["c", "a", "b"]


@given(st.sets(st.integers(0, 60)))
def test_streaks_never_exceed_the_days_and_current_at_most_longest(offsets: set[int]) -> None:
    """For any set of days: 0 <= current <= longest <= number of days."""
    today = d(19)
    days = {today - timedelta(days=i) for i in offsets}
    assert 0 <= current_streak(days, today) <= longest_streak(days) <= len(days)
