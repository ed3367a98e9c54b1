"""``headrub journal``: the sessions in a window, and the window options ``headrub stats`` shares.

Top-level imports stay stdlib + Typer so that start-up is quick; the store, the views and Rich
are imported inside the command. ``journal add`` is in ``journal_add_cmd``, the output helpers in
``journal_output``, the table, chart and plain lines in ``journal_view``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from headrub import values
from headrub.commands.params import reads
from headrub.completion import complete_routine

if TYPE_CHECKING:
    from datetime import datetime

    from headrub.journal import Entry
    from headrub.timeutil import Window

journal_app = typer.Typer(rich_markup_mode=None, no_args_is_help=False)

_EMPTY_HINT = "Log one with: headrub start NAME, or headrub journal add ROUTINE --minutes N"

TodayOpt = Annotated[bool, typer.Option("--today", help="Today, since 00:00 local time.")]
WeekOpt = Annotated[bool, typer.Option("--week", help="This week, since Monday 00:00 local time.")]
MonthOpt = Annotated[bool, typer.Option("--month", help="This month, since the 1st.")]
DaysOpt = Annotated[
    int | None,
    typer.Option("--days", metavar="N", help="The last N×24 hours.", parser=reads(values.days, "--days")),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="DATE",
        help="From this local date or date-time: today, yesterday, monday, 21:30, 2026-11-01, 'yesterday 21:30'.",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", metavar="DATE", help="Up to this local date-time, or through this whole date."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
RoutineOpt = Annotated[
    str | None,
    typer.Option("--routine", metavar="NAME", help="Only the sessions of this routine.", autocompletion=complete_routine),
]


def _week_start() -> int:
    """The first day of the week from the config's ``week_start``: 0 Monday .. 6 Sunday."""
    from headrub.config import effective, week_start_index

    return week_start_index(effective())


def _window(
    *,
    today: bool,
    week: bool,
    month: bool,
    days: int | None,
    since: str | None,
    until: str | None,
    default: str,
    now: datetime,
) -> Window:
    from headrub.timeutil import make_window

    return make_window(
        today=today,
        week=week,
        month=month,
        days=days,
        since=since,
        until=until,
        default=default,
        now=now,
        week_start=_week_start(),
    )


@journal_app.callback(invoke_without_command=True)
def journal(
    ctx: typer.Context,
    today: TodayOpt = False,
    week: WeekOpt = False,
    month: MonthOpt = False,
    days: DaysOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    routine: RoutineOpt = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print CSV (a header, then one row a session).")
    ] = False,
) -> None:
    """The sessions in a window (this week by default), with totals and a per-day chart."""
    if ctx.invoked_subcommand is not None:
        return
    from headrub import journal as store
    from headrub.commands.csv_output import _csv_text
    from headrub.commands.journal_output import _emit, _emit_json, _emit_utf8, _export
    from headrub.commands.journal_view import _plain_lines
    from headrub.errors import UsageError
    from headrub.output import is_terminal, warn
    from headrub.paths import journal_file
    from headrub.timeutil import now_local

    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    now = now_local()
    window = _window(
        today=today, week=week, month=month, days=days, since=since, until=until, default="week", now=now
    )
    if (as_json or as_csv) and _export(window, routine, as_json):
        return
    lines = store.read_lines(None, window, warn)
    if routine is not None:
        lines = [line for line in lines if line.entry.get("routine") == routine]
    lines.sort(key=lambda line: line.started)
    entries = [line.entry for line in lines]
    if as_json:
        _emit_json(entries)
    elif as_csv:
        _emit_utf8(_csv_text(entries, is_terminal()))
    elif not entries:
        _emit(_nothing_line(window, routine, journal_file().exists()) + "\n")
    elif is_terminal():
        _print_rich(entries, window, now)
    else:
        _emit("\n".join(_plain_lines(entries, window, now)) + "\n")


def _nothing_line(window: Window, routine: str | None, exists: bool) -> str:
    """The friendly line for an empty listing."""
    from headrub.commands.journal_output import _clean

    if not exists:
        return f"The journal is empty. {_EMPTY_HINT}."
    what = f"{_clean(routine)} sessions" if routine is not None else "sessions"
    return f"No {what} {window.label}."


def _print_rich(entries: list[Entry], window: Window, now: datetime) -> None:
    from headrub.commands.journal_narrow import stacked_sessions
    from headrub.commands.journal_view import BAR_WIDTH, day_chart, journal_table
    from headrub.layout import print_fitting
    from headrub.output import make_console

    console = make_console()
    print_fitting(console, journal_table(entries, window), stacked_sessions(entries, window))
    bar_width = max(8, min(BAR_WIDTH, console.width - 24))  # the day, its total, then the bar
    console.print(day_chart(entries, window, now.date(), bar_width))
