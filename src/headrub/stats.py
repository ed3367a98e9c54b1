"""Totals, days practised, streaks and, per routine, what works: the numbers behind ``headrub stats``.

A session's day is the calendar day where it happened: the date of ``started_at`` in the offset
it was logged with, so a session at 23:30 stays on its day whatever the zone is now.

The numbers come in two steps: ``aggregate`` folds entries into an ``Aggregate`` (counts, sums,
the days and what each day held, in file order), and ``finish`` turns one into the ``stats --json``
object as seen at a moment. ``whole_journal`` (in ``statscache``, re-exported here) gives the
aggregate of the whole journal through a cache, reading only what was appended since.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from headrub import trends
from headrub.journal import (
    Entry,
    started_at,
)
from headrub.journal.entries import MAX_COUNT, MAX_SECONDS
from headrub.timeutil import week_start_date

# Since Python 3.12 ``sum()`` of floats is compensated (Neumaier), so its result depends on the
# order and grouping of the numbers. ``RunningSum`` reproduces whichever ``sum()`` this is.
_COMPENSATED = sum([1e100, 1.0, -1e100]) == 1.0

CACHE_NAME = "stats-cache.json"
CACHE_FORMAT = 3  # bump when what the cache holds, or how a line is read or counted, changes
CACHE_MODE = 0o600
_CHUNK = 1 << 20


def session_day(entry: Entry) -> date:
    """The local calendar day the session started on."""
    return started_at(entry).date()


# ---------------------------------------------------------------------------------------------
# aggregating


class RunningSum:
    """A float total that comes out exactly as ``sum()`` of the same floats, in the same order, would."""

    __slots__ = ("hi", "lo")

    def __init__(self, hi: float = 0.0, lo: float = 0.0) -> None:
        self.hi = hi  # the running sum
        self.lo = lo  # the compensation for bits lost (always 0.0 where sum() is not compensated)

    def add(self, x: float) -> None:
        """Add one float, as ``sum()`` does."""
        hi = self.hi
        total = hi + x
        if _COMPENSATED:
            if abs(hi) >= abs(x):
                self.lo += (hi - total) + x
            else:
                self.lo += (x - total) + hi
        self.hi = total

    def value(self) -> float:
        """The total, as ``sum()`` would return it."""
        lo = self.lo
        if lo and math.isfinite(lo):
            return self.hi + lo
        return self.hi

    def copy(self) -> RunningSum:
        return RunningSum(self.hi, self.lo)

    def to_json(self) -> list[float]:
        return [self.hi, self.lo]

    @classmethod
    def from_json(cls, data: Any) -> RunningSum:
        _expect(isinstance(data, list) and len(data) == 2 and all(type(x) is float for x in data))
        return cls(data[0], data[1])


@dataclass
class RoutineTotals:
    """One routine's part of an ``Aggregate``."""

    sessions: int = 0
    seconds: RunningSum = field(default_factory=RunningSum)
    change_sum: int = 0  # the sum of tension changes over the entries that have both ratings
    change_count: int = 0  # how many entries have both ratings
    change_squares: int = 0  # the sum of their squares (for the spread)
    change_low: int = 0  # the least and greatest change (meaningful when change_count > 0)
    change_high: int = 0


@dataclass
class Aggregate:
    """What ``finish`` needs to know about a run of entries; ``add`` folds one more in, in file order.

    Counts, sums and the set of days; serialisable with ``to_json`` and mergeable with ``merge``.
    """

    sessions: int = 0
    seconds: RunningSum = field(default_factory=RunningSum)
    days: set[date] = field(default_factory=set)
    routines: dict[str, RoutineTotals] = field(default_factory=dict)
    completed: int = 0  # sessions that reached their end with no stroke skipped
    skipped: int = 0  # strokes skipped before half their time ran
    # Per day: [seconds, sessions, sum of tension before, how many, sum of tension after, how many].
    daily: dict[date, list[float]] = field(default_factory=dict)

    def add(self, entry: Entry, day: date | None = None) -> None:
        """Fold in one entry (``day``: its session day, when the caller already has it)."""
        day = session_day(entry) if day is None else day
        self.days.add(day)
        get = entry.get
        # ``active_seconds`` and ``tension_change`` inlined: this runs once an entry in a first stats
        value: Any = get("active_s")
        kind = type(value)
        seconds = float(value) if (kind is int or kind is float) and 0 <= value <= MAX_SECONDS else 0.0
        cell = self.daily.get(day)
        if cell is None:
            cell = self.daily[day] = [0.0, 0, 0, 0, 0, 0]
        cell[0] += seconds
        cell[1] += 1
        before: Any = get("tension_before")
        after: Any = get("tension_after")
        if type(before) is int and 0 <= before <= 10:
            cell[2] += before
            cell[3] += 1
        if type(after) is int and 0 <= after <= 10:
            cell[4] += after
            cell[5] += 1
        change = (
            after - before
            if type(before) is int and type(after) is int and 0 <= before <= MAX_COUNT and 0 <= after <= MAX_COUNT
            else None
        )
        name = str(entry.get("routine"))
        self.sessions += 1
        self.seconds.add(seconds)
        if entry.get("completed") is True:
            self.completed += 1
        skipped = entry.get("strokes_skipped")
        if type(skipped) is int and skipped > 0:
            self.skipped += skipped
        totals = self.routines.get(name)
        if totals is None:
            totals = self.routines[name] = RoutineTotals()
        totals.sessions += 1
        totals.seconds.add(seconds)
        if change is not None:
            totals.change_low = change if not totals.change_count else min(totals.change_low, change)
            totals.change_high = change if not totals.change_count else max(totals.change_high, change)
            totals.change_sum += change
            totals.change_count += 1
            totals.change_squares += change * change

    def merge(self, other: Aggregate) -> Aggregate:
        """Fold ``other`` (the entries after this one's) into this aggregate; returns it.

        Counts, days and tension changes merge exactly. Float sums merge as ``sum()`` of the two
        totals would, which can differ in the last bit from one ``sum()`` over every entry
        (Python 3.12+ compensates its float sums); to stay bit-identical, ``whole_journal``
        folds appended entries into the cached aggregate with ``add`` instead.
        """
        self.sessions += other.sessions
        self.completed += other.completed
        self.skipped += other.skipped
        self.seconds.add(other.seconds.value())
        self.days |= other.days
        for name, theirs in other.routines.items():
            mine = self.routines.get(name)
            if mine is None:
                mine = self.routines[name] = RoutineTotals()
            mine.sessions += theirs.sessions
            mine.seconds.add(theirs.seconds.value())
            if theirs.change_count:
                both = mine.change_count > 0
                mine.change_low = min(mine.change_low, theirs.change_low) if both else theirs.change_low
                mine.change_high = max(mine.change_high, theirs.change_high) if both else theirs.change_high
            mine.change_sum += theirs.change_sum
            mine.change_count += theirs.change_count
            mine.change_squares += theirs.change_squares
        for day, theirs_cell in other.daily.items():
            cell = self.daily.setdefault(day, [0.0, 0, 0, 0, 0, 0])
            for slot, value in enumerate(theirs_cell):
                cell[slot] += value
        return self

    def copy(self) -> Aggregate:
        return Aggregate(
            self.sessions,
            self.seconds.copy(),
            set(self.days),
            {
                name: RoutineTotals(
                    t.sessions, t.seconds.copy(), t.change_sum, t.change_count,
                    t.change_squares, t.change_low, t.change_high,
                )
                for name, t in self.routines.items()
            },
            self.completed,
            self.skipped,
            {day: list(cell) for day, cell in self.daily.items()},
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: days as ISO dates, float sums as their exact running state."""
        return {
            "sessions": self.sessions,
            "completed": self.completed,
            "skipped": self.skipped,
            "seconds": self.seconds.to_json(),
            "days": sorted(day.isoformat() for day in self.days),
            "daily": {day.isoformat(): cell for day, cell in sorted(self.daily.items())},
            "routines": {
                name: {
                    "sessions": t.sessions,
                    "seconds": t.seconds.to_json(),
                    "change_sum": t.change_sum,
                    "change_count": t.change_count,
                    "change_squares": t.change_squares,
                    "change_range": [t.change_low, t.change_high],
                }
                for name, t in self.routines.items()
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> Aggregate:
        """The aggregate ``to_json`` gave; ``ValueError`` for anything else."""
        _expect(isinstance(data, dict))
        days = data["days"]
        routines = data["routines"]
        _expect(isinstance(days, list) and all(type(day) is str for day in days))
        _expect(isinstance(routines, dict))
        result = cls(_count(data["sessions"]), RunningSum.from_json(data["seconds"]))
        result.completed = _count(data["completed"])
        result.skipped = _count(data["skipped"])
        result.days = {date.fromisoformat(day) for day in days}
        for name, totals in routines.items():
            _expect(isinstance(totals, dict))
            change_sum, (low, high) = totals["change_sum"], totals["change_range"]
            _expect(type(change_sum) is int and type(low) is int and type(high) is int)
            result.routines[name] = RoutineTotals(
                _count(totals["sessions"]),
                RunningSum.from_json(totals["seconds"]),
                change_sum,
                _count(totals["change_count"]),
                _count(totals["change_squares"]),
                low,
                high,
            )
        daily = data["daily"]
        _expect(isinstance(daily, dict))
        for day, cell in daily.items():
            _expect(isinstance(cell, list) and len(cell) == 6 and type(cell[0]) is float)
            _expect(all(type(value) is int and value >= 0 for value in cell[1:]))
            result.daily[date.fromisoformat(day)] = cell
        _expect(sum(t.sessions for t in result.routines.values()) == result.sessions)
        return result


def _expect(condition: bool) -> None:
    if not condition:
        raise ValueError("not what was expected")


def _count(value: Any) -> int:
    _expect(type(value) is int and value >= 0)
    return int(value)


def aggregate(entries: Iterable[Entry]) -> Aggregate:
    """The ``Aggregate`` of ``entries``, folded in the order given."""
    result = Aggregate()
    for entry in entries:
        result.add(entry)
    return result


def finish(totals: Aggregate, now: datetime, week_start: int = 0) -> dict[str, Any]:
    """The ``stats --json`` object of CONTRACT section 5 for an aggregate, as seen at ``now`` (aware, local).

    Keys: sessions, minutes, days_this_week, days_this_month, current_streak_days,
    longest_streak_days, routines (best average tension change first, no change last).
    """
    today = now.astimezone().date()
    days = totals.days
    week_from = week_start_date(today, week_start)
    return {
        "sessions": totals.sessions,
        "completed_sessions": totals.completed,
        "strokes_skipped": totals.skipped,
        "minutes": round(totals.seconds.value() / 60, 1),
        "days_this_week": sum(1 for day in days if week_from <= day <= today),
        "days_this_month": sum(
            1 for day in days if day.replace(day=1) == today.replace(day=1) and day <= today
        ),
        "current_streak_days": current_streak(days, today),
        "longest_streak_days": longest_streak(days),
        "routines": _routine_rows(totals),
        "calendar": trends.calendar(totals.daily, today, week_from),
        "tension_by_week": trends.tension_by_week(totals.daily, today, week_from),
    }


def compute_stats(entries: Iterable[Entry], now: datetime, week_start: int = 0) -> dict[str, Any]:
    """The ``stats --json`` object of CONTRACT section 5 for ``entries``, as seen at ``now`` (aware, local).

    Keys: sessions, minutes, days_this_week, days_this_month, current_streak_days,
    longest_streak_days, routines (best average tension change first, no change last).
    """
    return finish(aggregate(entries), now, week_start)


def current_streak(days: set[date], today: date) -> int:
    """Consecutive days with a session ending today, or yesterday while today has none yet."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def longest_streak(days: set[date]) -> int:
    """The longest run of consecutive days with a session."""
    best = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def per_routine(entries: list[Entry]) -> list[dict[str, Any]]:
    """Per routine: sessions, average minutes, average tension change (null without ratings).

    Best (most negative change) first, routines without a change last; ties by sessions, then name.
    """
    return _routine_rows(aggregate(entries))


def _routine_rows(totals: Aggregate) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, group in totals.routines.items():
        changes = group.change_count
        mean = round(group.change_sum / changes, 2) if changes else None
        deviation = trends.spread(changes, group.change_sum, group.change_squares)
        rows.append(
            {
                "routine": name,
                "sessions": group.sessions,
                "avg_minutes": round(group.seconds.value() / 60 / group.sessions, 1),
                "avg_tension_change": mean,
                "rated_sessions": changes,
                "change_sd": deviation,
                "change_range": [group.change_low, group.change_high] if changes else None,
                "verdict": trends.verdict(changes, mean, deviation),
            }
        )
    rows.sort(
        key=lambda row: (
            row["avg_tension_change"] is None,
            row["avg_tension_change"] or 0,
            -row["sessions"],
            row["routine"],
        )
    )
    return rows


from headrub.statscache import whole_journal  # noqa: E402  (it builds on the classes above)

__all__ = ["Aggregate", "aggregate", "compute_stats", "finish", "per_routine", "whole_journal"]
