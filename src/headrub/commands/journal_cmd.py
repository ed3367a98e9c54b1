"""``headrub journal``, ``headrub journal add`` and ``headrub stats``: the journal on the command line.

Top-level imports stay stdlib + Typer so that start-up is quick; the store, the stats and Rich
are imported inside the commands. User text is sanitized wherever it is drawn; ``--json`` and
``--csv`` carry it exactly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from headrub import values
from headrub.commands.params import reads
from headrub.completion import complete_routine

if TYPE_CHECKING:
    from datetime import date, datetime

    from rich.table import Table

    from headrub.journal import Entry
    from headrub.timeutil import Window

journal_app = typer.Typer(rich_markup_mode=None, no_args_is_help=False)

CSV_FIELDS = (
    "id",
    "routine",
    "title",
    "started_at",
    "ended_at",
    "planned_s",
    "active_s",
    "completed",
    "strokes_done",
    "strokes_total",
    "strokes_skipped",
    "tension_before",
    "tension_after",
    "note",
    "source",
    "logged_at",
)
MAX_MINUTES = 24 * 60
MAX_NAME_CHARS = 200
DAILY_CHART_MAX_DAYS = 31  # longer windows chart only the days with sessions
BAR_WIDTH = 40
PLAIN_BAR_WIDTH = 30
_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
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


def _clean(text: Any) -> str:
    """Any stored value as text that is safe to draw on a terminal."""
    from headrub.text import sanitize

    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    return sanitize(value).encode("utf-8", "replace").decode("utf-8")


def _emit(text: str) -> None:
    """Write ``text`` to stdout; what the stream cannot encode is replaced rather than a traceback."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        sys.stdout.write(text.encode(encoding, "replace").decode(encoding))


def _emit_json(data: Any) -> None:
    """``data`` as JSON on stdout, text exact: \\u-escaped only where the stream cannot carry it, or
    where a terminal could act on it (``text.safe_json``). A number that is not finite (a hand-made
    unknown field) is null: never NaN or Infinity."""
    import json

    from headrub.text import safe_json

    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(data), ensure_ascii=False, indent=2)
    text = safe_json(text) + "\n"
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        text = json.dumps(json.loads(text), ensure_ascii=True, indent=2) + "\n"
    sys.stdout.write(text)


def _finite(data: Any) -> Any:
    """``data`` with every float that is NaN or infinite made None."""
    import math

    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_finite(value) for value in data]
    return data


def _minutes(entry: Entry) -> float:
    from headrub.journal import active_seconds

    return active_seconds(entry) / 60


def _clock(minutes: float) -> str:
    """Minutes as a clock, ``12:30`` (or ``1:05:00``): the one duration format of every command."""
    from headrub.routine import format_elapsed

    return format_elapsed(round(minutes * 60))


def _result(entry: Entry) -> str:
    """``completed``, ``stopped at k/n``, or either with ``, s skipped`` (strokes skipped short)."""
    done, total, skipped = entry.get("strokes_done"), entry.get("strokes_total"), entry.get("strokes_skipped")
    skipped = skipped if type(skipped) is int and skipped > 0 else 0
    skips = f", {skipped} skipped" if skipped else ""
    if entry.get("completed") is not False:
        return "completed" + skips
    if type(done) is int and type(total) is int:
        if skips and done + skipped == total:
            return f"{done}/{total} done{skips}"  # reached the end by skipping
        return f"stopped at {done}/{total}{skips}"
    return "stopped" + skips


def _tension(entry: Entry) -> str:
    """``6 → 2``, a dash for a missing side, empty when neither was rated."""
    before, after = entry.get("tension_before"), entry.get("tension_after")
    if before is None and after is None:
        return ""
    return f"{_clean(before) if before is not None else '–'} → {_clean(after) if after is not None else '–'}"


# ---------------------------------------------------------------------------------------------
# headrub journal


@journal_app.callback(invoke_without_command=True)
def journal(
    ctx: typer.Context,
    today: TodayOpt = False,
    week: WeekOpt = False,
    month: MonthOpt = False,
    days: DaysOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    routine: Annotated[
        str | None,
        typer.Option(
            "--routine", metavar="NAME", help="Only the sessions of this routine.", autocompletion=complete_routine
        ),
    ] = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print CSV (a header, then one row a session).")
    ] = False,
) -> None:
    """The sessions in a window (this week by default), with totals and a per-day chart."""
    if ctx.invoked_subcommand is not None:
        return
    from headrub import journal as store
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


EXPORT_BATCH = 256  # entries formatted and written at a time when streaming


def _export(window: Window, routine: str | None, as_json: bool) -> bool:
    """Stream ``--json``/``--csv`` in about constant memory (``journal.exporting``); the output is
    byte for byte the in-memory path's. False when there is no stream (then the caller reads all)."""
    from itertools import islice

    from headrub.journal.exporting import export_lines
    from headrub.output import is_terminal, warn

    stream = export_lines(None, window, warn)
    if stream is None:
        return False
    entries = (line.entry for line in stream if routine is None or line.entry.get("routine") == routine)
    if as_json:
        first = True
        while batch := list(islice(entries, EXPORT_BATCH)):
            text = ",\n".join(_json_item(entry) for entry in batch)
            _emit_json_text(("[\n" if first else ",\n") + text)
            first = False
        _emit_json_text("[]\n" if first else "\n]\n")
    else:
        terminal = is_terminal()
        _emit_utf8(_csv_text([], terminal))
        while batch := list(islice(entries, EXPORT_BATCH)):
            _emit_utf8(_csv_text(batch, terminal, header=False))
    return True


def _json_item(entry: Entry) -> str:
    """One entry as it appears inside ``json.dumps(entries, indent=2)``: indented two more spaces."""
    import json

    try:
        text = json.dumps(entry, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(entry), ensure_ascii=False, indent=2)
    return "  " + text.replace("\n", "\n  ")


def _emit_json_text(text: str) -> None:
    """A piece of JSON output, made inert and encodable as ``_emit_json`` does."""
    from headrub.text import safe_json

    text = safe_json(text)
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        text = "".join(char if ord(char) < 128 else _ascii_escape(char) for char in text)
    sys.stdout.write(text)


def _ascii_escape(char: str) -> str:
    """``char`` as JSON \\u escapes (a surrogate pair beyond the BMP)."""
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _nothing_line(window: Window, routine: str | None, exists: bool) -> str:
    """The friendly line for an empty listing."""
    if not exists:
        return f"The journal is empty. {_EMPTY_HINT}."
    what = f"{_clean(routine)} sessions" if routine is not None else "sessions"
    return f"No {what} {window.label}."


def _csv_value(value: Any, terminal: bool = False) -> str:
    """One cell: text as it is but never a formula (``text.safe_cell``); on a terminal, no controls."""
    import json

    from headrub.text import safe_cell, sanitize

    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return safe_cell(sanitize(text, keep_newlines=True) if terminal else text)


def _csv_rows(entries: Iterable[Entry], terminal: bool = False) -> Iterator[list[str]]:
    """The header, then one row an entry; plain numbers and text skip the per-cell function."""
    from headrub.text import FORMULA_STARTS

    yield list(CSV_FIELDS)
    for entry in entries:
        row: list[str] = []
        for field in CSV_FIELDS:
            value: Any = entry.get(field)
            kind = type(value)
            if kind is str and not terminal and not value.startswith(FORMULA_STARTS):
                row.append(value)
            elif kind is int or kind is float:
                row.append(str(value))
            else:
                row.append(_csv_value(value, terminal))
        yield row


def _csv_text(entries: list[Entry], terminal: bool = False, *, header: bool = True) -> str:
    """A header and one row an entry (RFC 4180: CRLF, fields quoted where needed)."""
    import csv
    import io

    buffer = io.StringIO()
    rows = _csv_rows(entries, terminal)
    if not header:
        next(rows)
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _emit_utf8(text: str) -> None:
    """``text`` on stdout as UTF-8 whatever the locale says (CSV files are UTF-8)."""
    data = text.encode("utf-8", "replace")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def _per_day(entries: list[Entry], window: Window, today: date) -> list[tuple[date, float]]:
    """Minutes per day for the chart: every day of a short window, only active days of a long one."""
    from datetime import timedelta

    from headrub.stats import session_day

    totals: dict[date, float] = {}
    for entry in entries:
        day = session_day(entry)
        totals[day] = totals.get(day, 0.0) + _minutes(entry)
    first = min(totals) if window.since is None else min(window.since.astimezone().date(), min(totals))
    end = today if window.until is None else min(window.until.astimezone().date(), today)
    last = max(end, max(totals))
    span = (last - first).days + 1
    if span > DAILY_CHART_MAX_DAYS:
        return sorted(totals.items())
    return [(first + timedelta(days=i), totals.get(first + timedelta(days=i), 0.0)) for i in range(span)]


def _short_ids(entries: list[Entry]) -> dict[str, str]:
    """The id to type for each entry (``journal edit ID``): its shortest prefix that is unique here."""
    from headrub.journal.ids import short_ids

    return {key: _clean(short) for key, short in short_ids([str(entry.get("id")) for entry in entries]).items()}


def _bar(value: float, top: float, width: int) -> str:
    """A bar of block characters in eighths; any time at all shows at least a sliver."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + _EIGHTHS[part]


def _plain_lines(entries: list[Entry], window: Window, now: datetime) -> list[str]:
    """The listing without ANSI: one line a session, the totals, then the time per day."""
    from headrub.journal import started_at

    lines = []
    short = _short_ids(entries)
    for entry in entries:
        moment = started_at(entry)
        parts = [
            short.get(str(entry.get("id")), ""),
            f"{moment:%Y-%m-%d %a %H:%M}",
            _clean(entry.get("routine")),
            _clock(_minutes(entry)),
            _result(entry),
        ]
        if _tension(entry):
            parts.append(f"tension {_tension(entry)}")
        if entry.get("note"):
            parts.append(_clean(entry.get("note")))
        lines.append("  ".join(parts))
    total = sum(map(_minutes, entries))
    count = len(entries)
    lines.append(f"total: {count} session{'s' if count != 1 else ''}, {_clock(total)} {window.label}")
    lines.append("time per day:")
    days = _per_day(entries, window, now.date())
    top = max(minutes for _, minutes in days)
    for day, minutes in days:
        bar = "#" * max(1, round(minutes / top * PLAIN_BAR_WIDTH)) if minutes > 0 else ""
        lines.append(f"  {day:%Y-%m-%d %a} {_clock(minutes):>7}  {bar}".rstrip())
    return lines


def journal_table(entries: list[Entry], window: Window) -> Table:
    """The sessions as a Rich table with a totals row."""
    from rich.table import Table
    from rich.text import Text

    from headrub.journal import started_at

    table = Table(title=f"Sessions {window.label}", title_justify="left")
    short = _short_ids(entries)
    table.add_column("id", no_wrap=True, style="dim")
    table.add_column("day", no_wrap=True)
    table.add_column("time", no_wrap=True)
    table.add_column("routine", overflow="fold")
    table.add_column("length", justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("tension", no_wrap=True)
    table.add_column("note", overflow="fold")
    for entry in entries:
        moment = started_at(entry)
        table.add_row(
            Text(short.get(str(entry.get("id")), "")),
            Text(f"{moment:%a %Y-%m-%d}"),
            Text(f"{moment:%H:%M}"),
            Text(_clean(entry.get("routine"))),
            Text(_clock(_minutes(entry))),
            Text(_result(entry), style="" if entry.get("completed") is not False else "yellow"),
            Text(_tension(entry)),
            Text(_clean(entry.get("note"))),
        )
    table.add_section()
    count = len(entries)
    table.add_row(
        Text(""),
        Text("total", style="bold"),
        Text(""),
        Text(f"{count} session{'s' if count != 1 else ''}", style="bold"),
        Text(_clock(sum(map(_minutes, entries))), style="bold"),
    )
    return table


def day_chart(entries: list[Entry], window: Window, today: date, bar_width: int = BAR_WIDTH) -> Table:
    """Minutes per day as horizontal bars."""
    from rich.table import Table
    from rich.text import Text

    days = _per_day(entries, window, today)
    top = max(minutes for _, minutes in days)
    chart = Table.grid(padding=(0, 1))
    chart.title = "time per day"
    chart.title_justify = "left"
    chart.add_column(no_wrap=True)
    chart.add_column(justify="right", no_wrap=True)
    chart.add_column(no_wrap=True)
    for day, minutes in days:
        chart.add_row(
            Text(f"{day:%a %Y-%m-%d}"),
            Text(_clock(minutes)),
            Text(_bar(minutes, top, bar_width), style="cyan"),
        )
    return chart


def _print_rich(entries: list[Entry], window: Window, now: datetime) -> None:
    from headrub.commands.journal_narrow import stacked_sessions
    from headrub.layout import print_fitting
    from headrub.output import make_console

    console = make_console()
    print_fitting(console, journal_table(entries, window), stacked_sessions(entries, window))
    bar_width = max(8, min(BAR_WIDTH, console.width - 24))  # the day, its total, then the bar
    console.print(day_chart(entries, window, now.date(), bar_width))


# ---------------------------------------------------------------------------------------------
# headrub journal add


@journal_app.command("add")
def add(
    routine: Annotated[str, typer.Argument(metavar="ROUTINE", help="The routine's name (any name will do).")],
    minutes: Annotated[
        float,
        typer.Option(
            "--minutes", metavar="N", help="How long the session was, in minutes (fractions allowed).",
            parser=reads(values.minutes, "--minutes"),
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="WHEN",
            help="When it started, local time: 21:30, 'yesterday 21:30', 'monday 8:00' or 2026-11-20T21:30 (default: it just ended).",
        ),
    ] = None,
    before: Annotated[
        int | None,
        typer.Option("--before", metavar="N", help="Tension before, 0–10.", parser=reads(values.tension, "--before")),
    ] = None,
    after: Annotated[
        int | None,
        typer.Option("--after", metavar="N", help="Tension after, 0–10.", parser=reads(values.tension, "--after")),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note.")] = None,
) -> None:
    """Log a session done without the timer (a salon head spa, a partner's massage)."""
    import math
    from datetime import timedelta

    from headrub import journal as store
    from headrub.errors import UsageError
    from headrub.timeutil import now_local, parse_at

    name = routine.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise UsageError(f"ROUTINE: give the routine's name (1 to {MAX_NAME_CHARS} characters)")
    if not math.isfinite(minutes) or not 0 < minutes <= MAX_MINUTES:
        raise UsageError(
            f"--minutes: give the session's length, more than 0 and at most {MAX_MINUTES}, e.g. --minutes 20"
        )
    store.check_tension(before, "--before")
    store.check_tension(after, "--after")
    now = now_local()
    lasting = timedelta(minutes=minutes)
    started = parse_at(at, now=now, lasting=lasting) if at is not None else now - lasting
    seconds = minutes * 60
    title = _known_title(name)
    entry = store.make_entry(
        routine=name,
        title=title,
        started_at=started,
        ended_at=started + timedelta(seconds=seconds),
        planned_s=seconds,
        active_s=seconds,
        completed=True,
        tension_before=before,
        tension_after=after,
        note=note,
        source="manual",
    )
    if not save(entry):
        raise typer.Exit(1)
    named = f"{_clean(name)} ({_clean(title)})" if title else _clean(name)
    _emit(f"Logged {_clock(minutes)} of {named}, started {store.started_at(entry):%Y-%m-%d %H:%M}.\n")


def save(entry: dict[str, Any]) -> bool:
    """Append ``entry``; when the journal cannot take it, say why and print the entry to keep.

    The one place a failed write is reported (CONTRACT §5 and issue 4): one line naming the
    journal and the reason, then the entry as JSON on stderr, so nothing the person gave is lost.
    """
    from headrub import journal as store
    from headrub.errors import JournalError
    from headrub.output import warn

    try:
        store.append(entry, None, warn)
    except JournalError as err:
        typer.echo(f"headrub: {err}", err=True)
        # ASCII-escaped: the line goes to a terminal, and a note may hold bidi or C1 characters.
        kept = json.dumps(entry, ensure_ascii=True, separators=(",", ":"))
        typer.echo("headrub: the entry, to keep by hand: " + kept, err=True)
        return False
    return True


def _known_title(name: str) -> str | None:
    """The title of the routine called ``name``, if there is one; any name may be logged."""
    from headrub.errors import HeadrubError
    from headrub.loader import find_routine
    from headrub.routine import is_valid_name

    if not is_valid_name(name):
        return None
    try:  # the title is decoration: a broken routine file must not stop the log
        return find_routine(name).title
    except HeadrubError:
        return None


# ---------------------------------------------------------------------------------------------
# headrub stats


def stats(
    today: TodayOpt = False,
    week: WeekOpt = False,
    month: MonthOpt = False,
    days: DaysOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    routine: Annotated[
        str | None, typer.Option("--routine", metavar="NAME", help="Only the sessions of this routine.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sessions, minutes, days practised, streaks, a calendar, tension by week, and per routine what works
    for you (all time by default)."""
    from headrub import journal as store
    from headrub import stats as numbers
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
    from headrub.commands.stats_view import calendar_lines, routine_detail, tension_lines

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

    from headrub.commands.stats_view import routine_detail

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


def _print_stats_rich(result: dict[str, Any], window: Window) -> None:
    from rich.text import Text

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
    from headrub.commands.stats_view import calendar_lines, tension_lines
    from headrub.layout import print_fitting

    print_fitting(console, stats_table(result), stacked_routines(result))
    pictures = calendar_lines(result, plain=False) + tension_lines(result)
    if pictures:
        console.print(Text("\n".join(pictures)))
