"""Totals, days practised, streaks and, per routine, what works: the numbers behind ``headrub stats``.

A session's day is the calendar day where it happened: the date of ``started_at`` in the offset
it was logged with, so a session at 23:30 stays on its day whatever the zone is now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from headrub.journal import Entry, active_seconds, started_at, tension_change
from headrub.timeutil import week_start_date


def session_day(entry: Entry) -> date:
    """The local calendar day the session started on."""
    return started_at(entry).date()


def compute_stats(entries: Iterable[Entry], now: datetime, week_start: int = 0) -> dict[str, Any]:
    """The ``stats --json`` object of CONTRACT section 5 for ``entries``, as seen at ``now`` (aware, local).

    Keys: sessions, minutes, days_this_week, days_this_month, current_streak_days,
    longest_streak_days, routines (best average tension change first, no change last).
    """
    items = list(entries)
    today = now.astimezone().date()
    days = {session_day(entry) for entry in items}
    week_from = week_start_date(today, week_start)
    return {
        "sessions": len(items),
        "minutes": round(sum(active_seconds(entry) for entry in items) / 60, 1),
        "days_this_week": sum(1 for day in days if week_from <= day <= today),
        "days_this_month": sum(
            1 for day in days if day.replace(day=1) == today.replace(day=1) and day <= today
        ),
        "current_streak_days": current_streak(days, today),
        "longest_streak_days": longest_streak(days),
        "routines": per_routine(items),
    }


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
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(str(entry.get("routine")), []).append(entry)
    rows: list[dict[str, Any]] = []
    for name, group in groups.items():
        changes = [change for change in map(tension_change, group) if change is not None]
        rows.append(
            {
                "routine": name,
                "sessions": len(group),
                "avg_minutes": round(sum(map(active_seconds, group)) / 60 / len(group), 1),
                "avg_tension_change": round(sum(changes) / len(changes), 2) if changes else None,
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
