"""How ``headrub stats`` looks: the plain lines, the Rich table of what works, the calendar of the last
weeks and tension by week.

Plain (ASCII shades) for pipes and files; block shades for a terminal. Pure functions of the
``stats --json`` object; Rich is imported inside the function that draws with it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from headrub.commands.journal_output import _clean
from headrub.commands.journal_view import _clock

if TYPE_CHECKING:
    from rich.table import Table

    from headrub.timeutil import Window

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


def _change(value: float | None) -> str:
    """A tension change as ``−2.5``/``+1``/``0``, or ``no ratings``."""
    if value is None:
        return "no ratings"
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return text if value == 0 else ("−" if value < 0 else "+") + text


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _stats_lines(result: dict[str, Any], window: Window) -> list[str]:
    """The stats without ANSI."""
    lines = [
        f"sessions {window.label}: {result['sessions']} ({result['completed_sessions']} completed)",
        f"time: {_clock(result['minutes'])}",
        f"days this week: {result['days_this_week']}",
        f"days this month: {result['days_this_month']}",
        f"current streak: {_days(result['current_streak_days'])}",
        f"longest streak: {_days(result['longest_streak_days'])}",
        f"strokes skipped: {result['strokes_skipped']}",
        "what works for you (average tension change, best first):",
    ]
    for row in result["routines"]:
        lines.append(
            f"  {_clean(row['routine'])}  {row['sessions']} session{'s' if row['sessions'] != 1 else ''}"
            f"  {_clock(row['avg_minutes'])} on average  tension {_change(row['avg_tension_change'])}"
            f"  ({routine_detail(row)})"
        )
    return lines + calendar_lines(result, plain=True) + tension_lines(result)


def stats_table(result: dict[str, Any]) -> Table:
    """Per routine, best first: "what works for you"."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="What works for you", title_justify="left")
    table.add_column("routine", overflow="fold")
    table.add_column("sessions", justify="right")
    table.add_column("avg length", justify="right")
    table.add_column("avg tension change", justify="right")
    table.add_column("how sure", overflow="fold")
    for row in result["routines"]:
        change = row["avg_tension_change"]
        style = "green" if change is not None and change < 0 else ""
        table.add_row(
            Text(_clean(row["routine"])),
            Text(str(row["sessions"])),
            Text(_clock(row["avg_minutes"])),
            Text(_change(change), style=style),
            Text(routine_detail(row)),
        )
    return table
