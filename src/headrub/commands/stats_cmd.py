"""``headrub stats``: totals, streaks, a calendar and what works, for the sessions in a window.

Top-level imports stay stdlib + Typer so that start-up is quick; the store, the stats and Rich
are imported inside the command. What it shows is drawn by ``stats_view``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headrub.commands.journal_cmd import (
    DaysOpt,
    JsonOpt,
    MonthOpt,
    RoutineOpt,
    SinceOpt,
    TodayOpt,
    UntilOpt,
    WeekOpt,
    _week_start,
    _window,
)

if TYPE_CHECKING:
    from headrub.timeutil import Window


def stats(
    today: TodayOpt = False,
    week: WeekOpt = False,
    month: MonthOpt = False,
    days: DaysOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    routine: RoutineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sessions, minutes, days practised, streaks, a calendar, tension by week, and per routine what works
    for you (all time by default)."""
    from headrub import journal as store
    from headrub import stats as numbers
    from headrub.commands.journal_cmd import _nothing_line
    from headrub.commands.journal_output import _emit, _emit_json
    from headrub.commands.stats_view import _stats_lines
    from headrub.output import is_terminal, warn
    from headrub.paths import journal_file
    from headrub.timeutil import now_local

    now = now_local()
    window = _window(
        today=today,
        week=week,
        month=month,
        days=days,
        since=since,
        until=until,
        default="everything",
        now=now,
    )
    if window.is_everything and routine is None:
        # The whole journal: through the stats cache, reading only what was appended since.
        totals = numbers.whole_journal(None, warn)
        result = numbers.finish(totals, now, _week_start())
        empty = totals.sessions == 0
    else:
        entries = store.read_entries(None, window, warn)
        if routine is not None:
            entries = [entry for entry in entries if entry.get("routine") == routine]
        result = numbers.compute_stats(entries, now, _week_start())
        empty = not entries
    if as_json:
        _emit_json(result)
    elif empty:
        _emit(_nothing_line(window, routine, journal_file().exists()) + "\n")
    elif is_terminal():
        _print_stats_rich(result, window)
    else:
        _emit("\n".join(_stats_lines(result, window)) + "\n")


def _print_stats_rich(result: dict[str, Any], window: Window) -> None:
    from rich.text import Text

    from headrub.commands.journal_view import _clock
    from headrub.commands.stats_view import _days, calendar_lines, stats_table, tension_lines
    from headrub.output import make_console

    console = make_console()
    summary = Text()
    summary.append(f"{result['sessions']}", style="bold")
    summary.append(f" session{'s' if result['sessions'] != 1 else ''} {window.label}")
    summary.append(f" ({result['completed_sessions']} completed, {result['strokes_skipped']} strokes skipped) · ")
    summary.append(_clock(result["minutes"]), style="bold")
    summary.append(" in all\n")
    summary.append(
        f"this week {_days(result['days_this_week'])} · this month {_days(result['days_this_month'])}\n"
    )
    summary.append(
        f"current streak {_days(result['current_streak_days'])} · longest {_days(result['longest_streak_days'])}"
    )
    console.print(summary)
    from headrub.commands.journal_narrow import stacked_routines
    from headrub.layout import print_fitting

    print_fitting(console, stats_table(result), stacked_routines(result))
    pictures = calendar_lines(result, plain=False) + tension_lines(result)
    if pictures:
        console.print(Text("\n".join(pictures)))
