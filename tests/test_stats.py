"""Stats: totals, days practised, streaks by local calendar day, and per routine what works, best first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from headrub.stats import compute_stats, current_streak, longest_streak, per_routine

KEYS = {
    "sessions", "completed_sessions", "strokes_skipped", "minutes", "calendar", "tension_by_week", "days_this_week", "days_this_month",
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
    calendar, weeks = result.pop("calendar"), result.pop("tension_by_week")
    assert result == {k: 0 for k in KEYS - {"routines", "minutes", "calendar", "tension_by_week"}} | {
        "minutes": 0.0, "routines": []
    }
    assert all(day["minutes"] == 0 and day["sessions"] == 0 for day in calendar["days"])
    assert len(weeks) == 12 and all(week["before"] is None and week["after"] is None for week in weeks)


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
        "rated_sessions": 2,
        "change_sd": 0.71,
        "change_range": [-4, -3],
        "verdict": "too few to tell",
    }
    assert rows[-1] == {
        "routine": "head-spa", "sessions": 1, "avg_minutes": 30.0, "avg_tension_change": None,
        "rated_sessions": 0, "change_sd": None, "change_range": None, "verdict": "too few to tell",
    }  # fmt: skip
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


# --- aggregate and finish against the one-pass computation they replaced -------------------------


def reference_stats(entries: list[dict[str, Any]], now: datetime, week_start: int = 0) -> dict[str, Any]:
    """compute_stats as it was before aggregate/finish: one pass of sum() over the entries, the oracle."""
    import statistics

    from headrub import trends
    from headrub.journal import active_seconds, tension_change
    from headrub.stats import session_day
    from headrub.timeutil import week_start_date

    today = now.astimezone().date()
    days = {session_day(entry) for entry in entries}
    week_from = week_start_date(today, week_start)
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(str(entry.get("routine")), []).append(entry)
    rows: list[dict[str, Any]] = []
    for name, group in groups.items():
        changes = [change for change in map(tension_change, group) if change is not None]
        mean = round(sum(changes) / len(changes), 2) if changes else None
        deviation = round(statistics.stdev(changes), 2) if len(changes) > 1 else None
        rows.append(
            {
                "routine": name,
                "sessions": len(group),
                "avg_minutes": round(sum(map(active_seconds, group)) / 60 / len(group), 1),
                "avg_tension_change": mean,
                "rated_sessions": len(changes),
                "change_sd": deviation,
                "change_range": [min(changes), max(changes)] if changes else None,
                "verdict": trends.verdict(len(changes), mean, deviation),
            }
        )
    rows.sort(
        key=lambda r: (
            r["avg_tension_change"] is None,
            r["avg_tension_change"] or 0,
            -r["sessions"],
            r["routine"],
        )
    )
    skipped = (entry.get("strokes_skipped") for entry in entries)
    daily: dict[date, list[float]] = {}
    for entry in entries:
        cell = daily.setdefault(session_day(entry), [0.0, 0, 0, 0, 0, 0])
        cell[0] += active_seconds(entry)
        cell[1] += 1
        for slot, field in ((2, "tension_before"), (4, "tension_after")):
            if type(entry.get(field)) is int and 0 <= entry[field] <= 10:
                cell[slot] += entry[field]
                cell[slot + 1] += 1
    return {
        "sessions": len(entries),
        "completed_sessions": sum(1 for entry in entries if entry.get("completed") is True),
        "strokes_skipped": sum(n for n in skipped if type(n) is int and n > 0),
        "minutes": round(sum(active_seconds(entry) for entry in entries) / 60, 1),
        "days_this_week": sum(1 for day in days if week_from <= day <= today),
        "days_this_month": sum(
            1 for day in days if day.replace(day=1) == today.replace(day=1) and day <= today
        ),
        "current_streak_days": current_streak(days, today),
        "longest_streak_days": longest_streak(days),
        "routines": rows,
        "calendar": trends.calendar(daily, today, week_from),
        "tension_by_week": trends.tension_by_week(daily, today, week_from),
    }


SECONDS = st.one_of(
    st.floats(min_value=0, max_value=1e5),
    st.floats(),  # NaN, infinities, negatives: all count as 0
    st.floats(min_value=1e300, max_value=1.7e308),  # sums that overflow
    st.integers(min_value=-5, max_value=10**20),
    st.sampled_from([None, True, "600", -0.0, 0.1, 0.2, 0.3, 1e16, 1.0]),
)
TENSION = st.one_of(st.none(), st.integers(-2, 12), st.booleans())
ENTRIES = st.lists(
    st.builds(
        lambda moment, hours, routine, seconds, before, after: {
            "v": 1,
            "routine": routine,
            "started_at": moment.replace(tzinfo=timezone(timedelta(hours=hours))).isoformat(),
            "active_s": seconds,
            "tension_before": before,
            "tension_after": after,
        },
        st.datetimes(datetime(2026, 9, 1), datetime(2026, 12, 31)),
        st.integers(-12, 14),
        st.sampled_from(["scalp-sleep", "wake-up", "desk-reset", "é", "0"]),
        SECONDS,
        TENSION,
        TENSION,
    ),
    max_size=40,
)


def same(a: Any, b: Any) -> bool:
    """Equal, counting NaN as equal to NaN and telling -0.0 from 0.0 (json.dumps decides)."""
    import json

    return json.dumps(a) == json.dumps(b)


@given(ENTRIES, st.integers(0, 6))
def test_compute_stats_is_exactly_the_one_pass_computation(
    entries: list[dict[str, Any]], week_start: int
) -> None:
    """finish(aggregate(...)) gives the very same object, float for float, as one pass of sum() did."""
    assert same(compute_stats(entries, NOW, week_start), reference_stats(entries, NOW, week_start))


@given(st.lists(SECONDS.filter(lambda x: type(x) is float)))
def test_running_sum_is_bit_for_bit_the_builtin_sum(values: list[float]) -> None:
    """RunningSum adds floats exactly as sum() does on this Python (compensated from 3.12 on)."""
    from headrub.stats import RunningSum

    total = RunningSum()
    for value in values:
        total.add(value)
    assert same(total.value(), float(sum(values)))  # an empty sum() is the int 0


@given(ENTRIES, ENTRIES)
def test_aggregates_merge_and_survive_json(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> None:
    """merge gives the counts, days and changes of one pass; to_json/from_json changes nothing at all."""
    import json

    from headrub.stats import Aggregate, aggregate, finish

    whole = aggregate(first + second)
    merged = aggregate(first).merge(aggregate(second))
    one, two = finish(whole, NOW), finish(merged, NOW)
    for key in (
        "sessions",
        "days_this_week",
        "days_this_month",
        "current_streak_days",
        "longest_streak_days",
    ):
        assert one[key] == two[key]
    assert [(r["routine"], r["sessions"]) for r in sorted(one["routines"], key=lambda r: r["routine"])] == [
        (r["routine"], r["sessions"]) for r in sorted(two["routines"], key=lambda r: r["routine"])
    ]
    assert {r["routine"]: r["avg_tension_change"] for r in one["routines"]} == {
        r["routine"]: r["avg_tension_change"] for r in two["routines"]
    }
    again = Aggregate.from_json(json.loads(json.dumps(whole.to_json())))
    assert same(finish(again, NOW), one)


def test_sessions_skipped_through_are_counted_apart() -> None:
    """completed_sessions counts only entries that say completed; strokes_skipped adds up what was skipped."""
    done = {**e(d(19)), "completed": True, "strokes_skipped": 0}
    skipped = {**e(d(19)), "completed": False, "strokes_done": 0, "strokes_total": 3, "strokes_skipped": 3}
    old = e(d(18))  # written before strokes_skipped existed
    result = compute_stats([done, skipped, old], NOW)
    assert (result["sessions"], result["completed_sessions"], result["strokes_skipped"]) == (3, 1, 3)


def test_a_routine_needs_five_rated_sessions_and_a_clear_mean_to_get_a_verdict() -> None:
    """Four rated sessions: too few to tell; five that all ease: eases tension; mixed ones: no clear change."""
    four = [e(d(i), "a", 10, 6, 2) for i in range(1, 5)]
    assert per_routine(four)[0]["verdict"] == "too few to tell"
    five = [*four, e(d(5), "a", 10, 6, 3)]
    row = per_routine(five)[0]
    assert (row["rated_sessions"], row["change_range"], row["verdict"]) == (5, [-4, -3], "eases tension")
    mixed = [e(d(i), "b", 10, 5, 5 + (2 if i % 2 else -2)) for i in range(1, 9)]
    assert per_routine(mixed)[0]["verdict"] == "no clear change"
    worse = [e(d(i), "c", 10, 2, 5) for i in range(1, 6)]
    assert per_routine(worse)[0]["verdict"] == "raises tension"


def test_the_calendar_holds_twelve_weeks_to_today_with_minutes_a_day() -> None:
    """Twelve weeks from this week's first day back, one cell a day up to today; tension averaged by week."""
    result = compute_stats([e(d(19), minutes=10, before=6, after=2), e(d(19), minutes=5, before=4), e(d(2))], NOW)
    days = result["calendar"]["days"]
    assert result["calendar"]["first_day"] == "2026-08-31" and days[-1]["date"] == "2026-11-19"
    assert len(days) == 11 * 7 + 4
    by_date = {day["date"]: day for day in days}
    assert by_date["2026-11-19"] == {"date": "2026-11-19", "minutes": 15.0, "sessions": 2}
    assert by_date["2026-11-02"]["sessions"] == 1 and by_date["2026-11-03"]["sessions"] == 0
    week = result["tension_by_week"][-1]
    assert week == {"week_start": "2026-11-16", "before": 5.0, "after": 2.0, "rated_before": 2, "rated_after": 1}


ODD_NUMBERS = st.one_of(st.none(), st.booleans(), st.integers(-3, 12), st.integers(), st.floats(), st.text(max_size=2))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.tuples(ODD_NUMBERS, ODD_NUMBERS, ODD_NUMBERS), max_size=8))
def test_aggregate_add_counts_as_the_entry_readers_do(values: list[tuple[Any, Any, Any]]) -> None:
    """Whatever active_s and the tensions hold (bools, floats, NaN, negatives, huge, text), ``add``
    sums ``active_seconds`` and ``tension_change`` as those functions read each entry."""
    from headrub.journal import active_seconds, tension_change
    from headrub.stats import Aggregate

    totals = Aggregate()
    entries = [{"routine": "r", "active_s": a, "tension_before": b, "tension_after": c} for a, b, c in values]
    day = date(2026, 11, 19)
    for entry in entries:
        totals.add(entry, day)
    seconds = [active_seconds(entry) for entry in entries]
    changes = [change for entry in entries if (change := tension_change(entry)) is not None]
    assert repr(totals.seconds.value()) == repr(sum(seconds, 0.0))
    assert totals.sessions == len(entries)
    if not entries:
        return
    routine = totals.routines["r"]
    assert (routine.change_sum, routine.change_count) == (sum(changes), len(changes))
    assert routine.change_squares == sum(change * change for change in changes)
    if changes:
        assert (routine.change_low, routine.change_high) == (min(changes), max(changes))
    ratings = [[v for e in entries if type(v := e[name]) is int and 0 <= v <= 10] for name in ("tension_before", "tension_after")]
    assert totals.daily[day][2:] == [sum(ratings[0]), len(ratings[0]), sum(ratings[1]), len(ratings[1])]
