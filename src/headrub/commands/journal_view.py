"""How the journal listing looks: each session's cells, the Rich table and day chart, the plain lines.

Pure functions of the entries (and the window); Rich is imported inside the functions that draw with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from headrub.commands.journal_output import _clean

if TYPE_CHECKING:
    from datetime import date, datetime

    from rich.table import Table

    from headrub.journal import Entry
    from headrub.timeutil import Window

DAILY_CHART_MAX_DAYS = 31  # longer windows chart only the days with sessions
BAR_WIDTH = 40
PLAIN_BAR_WIDTH = 30
_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


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
