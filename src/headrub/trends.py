"""What ``stats`` shows over time: a calendar of the last weeks, tension by week, and how sure a
routine's average change is. Pure functions of an ``Aggregate``'s numbers and a day."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

CALENDAR_WEEKS = 12
TOO_FEW = 5  # below this many rated sessions a routine's average says nothing


def calendar(daily: dict[date, list[float]], today: date, week_from: date) -> dict[str, Any]:
    """The last ``CALENDAR_WEEKS`` weeks, one cell a day up to today: minutes and sessions.

    ``week_from`` is the first day of this week; the calendar starts on that weekday.
    """
    first = week_from - timedelta(weeks=CALENDAR_WEEKS - 1)
    days = []
    day = first
    while day <= today:
        cell = daily.get(day)
        days.append(
            {
                "date": day.isoformat(),
                "minutes": round(cell[0] / 60, 1) if cell else 0.0,
                "sessions": int(cell[1]) if cell else 0,
            }
        )
        day += timedelta(days=1)
    return {"first_day": first.isoformat(), "days": days}


def tension_by_week(daily: dict[date, list[float]], today: date, week_from: date) -> list[dict[str, Any]]:
    """For each of the last ``CALENDAR_WEEKS`` weeks: average tension before and after (None unrated)."""
    weeks = []
    for back in range(CALENDAR_WEEKS - 1, -1, -1):
        start = week_from - timedelta(weeks=back)
        sums = [0.0, 0.0, 0.0, 0.0]
        for offset in range(7):
            cell = daily.get(start + timedelta(days=offset))
            if cell is not None and start + timedelta(days=offset) <= today:
                for slot in range(4):
                    sums[slot] += cell[2 + slot]
        weeks.append(
            {
                "week_start": start.isoformat(),
                "before": round(sums[0] / sums[1], 1) if sums[1] else None,
                "after": round(sums[2] / sums[3], 1) if sums[3] else None,
                "rated_before": int(sums[1]),
                "rated_after": int(sums[3]),
            }
        )
    return weeks


def spread(count: int, total: int, squares: int) -> float | None:
    """The sample standard deviation of ``count`` changes with this sum and sum of squares."""
    if count < 2:
        return None
    variance = (squares - total * total / count) / (count - 1)
    return round(math.sqrt(max(0.0, variance)), 2)


def verdict(count: int, mean: float | None, deviation: float | None) -> str:
    """In words: "too few to tell" below ``TOO_FEW`` rated sessions, else whether the change is clear.

    Clear means the mean is more than two standard errors from no change (a rough 95 % test).
    """
    if count < TOO_FEW or mean is None:
        return "too few to tell"
    error = (deviation or 0.0) / math.sqrt(count)
    if abs(mean) <= 2 * error:
        return "no clear change"
    return "eases tension" if mean < 0 else "raises tension"
