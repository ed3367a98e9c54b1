"""The pictures of ``headrub stats``: a calendar of the last weeks and tension by week, as text lines.

Plain (ASCII shades) for pipes and files; block shades for a terminal. Pure functions of the
``stats --json`` object.
"""

from __future__ import annotations

from datetime import date
from typing import Any

PLAIN_SHADES = " .:*#"
BLOCK_SHADES = "·░▒▓█"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def shade(minutes: float, top: float, shades: str) -> str:
    """One cell: no session is the first shade; any time at all at least the second."""
    if minutes <= 0 or top <= 0:
        return shades[0]
    steps = len(shades) - 1
    return shades[max(1, min(steps, round(minutes / top * steps + 0.49)))]


def calendar_lines(result: dict[str, Any], plain: bool) -> list[str]:
    """Seven rows (one a weekday, the week's first day on top), one column a week, shaded by minutes."""
    days = result["calendar"]["days"]
    if not days:
        return []
    shades = PLAIN_SHADES if plain else BLOCK_SHADES
    top = max(day["minutes"] for day in days)
    first = date.fromisoformat(days[0]["date"])
    rows = [[] for _ in range(7)]  # type: list[list[str]]
    for index, day in enumerate(days):
        rows[index % 7].append(shade(day["minutes"], top, shades))
    lines = [f"minutes a day, last {(len(days) + 6) // 7} weeks (darker is longer, most {top:g} min):"]
    for offset, cells in enumerate(rows):
        name = WEEKDAYS[(first.weekday() + offset) % 7]
        lines.append(f"  {name} {''.join(cells)}")
    return lines


def tension_lines(result: dict[str, Any]) -> list[str]:
    """Average tension before → after, week by week, for the weeks with ratings."""
    lines = []
    for week in result["tension_by_week"]:
        before, after = week["before"], week["after"]
        if before is None and after is None:
            continue
        shown = f"{before if before is not None else '–'} → {after if after is not None else '–'}"
        lines.append(f"  week of {week['week_start']}: {shown}")
    if not lines:
        return []
    return ["tension by week (average before → after):", *lines]


def routine_detail(row: dict[str, Any]) -> str:
    """``n rated, sd 1.2, from -4 to 0: eases tension`` or ``too few to tell``."""
    count = row["rated_sessions"]
    if row["verdict"] == "too few to tell":
        return f"{count} rated: too few to tell"
    low, high = row["change_range"]
    return f"{count} rated, spread {row['change_sd']:g}, from {low:+d} to {high:+d}: {row['verdict']}"
