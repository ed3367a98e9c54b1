"""``list`` and ``show``: the routines headrub can find, and one routine's strokes, cautions and transcript.

Only typer and the standard library are imported at the top: the loader, Rich
and the rest load inside the command that needs them, so start-up stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from headrub.completion import complete_routine_or_path, complete_tag

if TYPE_CHECKING:
    from rich.console import RenderableType

    from headrub.routine import Routine
    from headrub.summaries import Summary


def _has_tags(routine: Routine | Summary, wanted: list[str]) -> bool:
    """True when the routine carries every tag in ``wanted`` (compared without case)."""
    have = {t.casefold() for t in routine.tags}
    return all(t.casefold() in have for t in wanted)


def list_routines(
    as_json: bool = typer.Option(False, "--json", help="Print the routines as a JSON array."),
    only_tags: list[str] = typer.Option(
        [], "--tag", metavar="TAG", help="Only routines with this tag; repeat it to need them all (--tag quick --tag desk).",
        autocompletion=complete_tag,
    ),
) -> None:
    """Every routine headrub can find: built-in and yours."""
    from headrub.errors import RoutineFileError, UsageError

    if any(not tag.strip() for tag in only_tags):  # "--tag $T" with T unset: no routine could ever match
        raise UsageError("--tag: an empty tag; give one, e.g. --tag sleep ('headrub list' shows the tags)")
    from headrub.finding import discover, unlisted  # not the loader: cached summaries need no YAML
    from headrub.output import is_terminal, print_json, warn
    from headrub.routine import format_clock
    from headrub.summaries import summaries
    from headrub.text import sanitize

    for path, reason in unlisted():
        warn(f"{sanitize(str(path))} is not listed: {reason}")
    rows: list[dict[str, Any]] = []
    known: set[str] = set()
    for item, routine in summaries(discover()):  # unchanged files come from the cache, unparsed
        if isinstance(routine, RoutineFileError):
            warn(f"{item.name} is skipped: {routine.problems[0]}")
            continue
        known.update(routine.tags)
        if not _has_tags(routine, only_tags):
            continue
        rows.append(
            {
                "name": item.name,
                "title": routine.title,
                "minutes": round(routine.total_seconds / 60, 2),
                "total_s": routine.total_seconds,  # for the m:ss column; not in --json, whose shape is fixed
                "strokes": routine.strokes,
                "tags": list(routine.tags),
                "source": item.source,
                "shadows_builtin": item.shadows,
                "path": str(item.path),
            }
        )
    if as_json:
        print_json([{key: value for key, value in r.items() if key != "total_s"} for r in rows])
        return
    if not rows and only_tags:
        wanted = " and ".join(sanitize(t) for t in only_tags)
        in_use = ", ".join(sanitize(t) for t in sorted(known, key=str.casefold)) or "none"
        typer.echo(f"No routine is tagged {wanted}. Tags in use: {in_use}.")
        return
    if not rows:
        typer.echo("No routines found.")
        return
    if not is_terminal():
        width = max(len(r["name"]) for r in rows)
        for r in rows:
            tags = ",".join(sanitize(t) for t in r["tags"])
            typer.echo(
                f"{r['name']:<{width}}  {format_clock(r['total_s']):>5}  {r['strokes']:>3} stroke{'s' if r['strokes'] != 1 else ' '}  "
                f"{sanitize(r['title'])}  [{tags}]  {_label(r)}"
            )
        return
    _list_rich(rows)


def _label(row: dict[str, Any]) -> str:
    return "user (shadows built-in)" if row["shadows_builtin"] else str(row["source"])


def _list_rich(rows: list[dict[str, Any]]) -> None:
    """The routines as a table, or stacked a routine a block where the table would cut them."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from headrub.layout import print_fitting, stacked_block
    from headrub.output import make_console
    from headrub.routine import format_clock
    from headrub.text import sanitize

    table = Table(title="Routines", title_justify="left", expand=False, show_edge=False)
    table.add_column("name", no_wrap=True, min_width=max(cell_len(r["name"]) for r in rows))
    table.add_column("title", min_width=16)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("strokes", justify="right", no_wrap=True)
    table.add_column("tags", min_width=14)
    table.add_column("source", no_wrap=True)
    stacked: list[RenderableType] = [Text("Routines", style="italic")]
    for r in rows:
        title, tags = sanitize(r["title"]), ", ".join(sanitize(t) for t in r["tags"])
        time = format_clock(r["total_s"])
        table.add_row(r["name"], title, time, str(r["strokes"]), tags, _label(r))
        stacked.append(
            stacked_block(
                Text.assemble((r["name"], "bold"), f"  {time} · {r['strokes']} stroke{'s' if r['strokes'] != 1 else ''}"),
                Text(title),
                Text(" · ".join(part for part in (tags, _label(r)) if part), style="dim"),
            )
        )
    console = make_console()
    print_fitting(console, table, stacked)
    console.print("Start one with: headrub start NAME", style="dim")


def _stroke_rows(routine: Routine, rate_wpm: float | None = None) -> list[dict[str, Any]]:
    from headrub.spoken import DEFAULT_RATE_WPM, stroke_line

    rows: list[dict[str, Any]] = []
    at = 0.0
    for number, stroke in enumerate(routine.strokes, 1):
        first_side = "left" if stroke.side == "each" else stroke.side
        rows.append(
            {
                "number": number,
                "area": stroke.area,
                "technique": stroke.technique,
                "pressure": stroke.pressure,
                "side": stroke.side,
                "tempo": stroke.tempo,
                "breath": f"{stroke.breath[0]:g}-{stroke.breath[1]:g}" if stroke.breath else None,
                "duration_s": stroke.duration,
                "total_s": stroke.total_seconds,
                "starts_at_s": at,
                "cue": stroke.cue,
                "say": stroke.say,
                # Exactly what the voice says as the stroke starts (its first side), at normal length.
                "spoken": stroke_line(stroke, first_side, stroke.duration, rate_wpm or DEFAULT_RATE_WPM),
            }
        )
        at += stroke.total_seconds
    return rows


def show(
    name: str = typer.Argument(
        ..., metavar="NAME|PATH", help="A routine name, or a path to a routine file.",
        autocompletion=complete_routine_or_path,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the routine as JSON."),
    spoken: bool = typer.Option(
        False, "--spoken", help="Print everything heard in a session, chimes and phrases, with their times."
    ),
) -> None:
    """One routine: its cautions, then its strokes in order with timing."""
    from headrub.output import is_terminal, print_json
    from headrub.routine import format_clock
    from headrub.routinecache import resolve  # an unchanged routine is not parsed again
    from headrub.text import sanitize

    routine = resolve(name)
    speech = _speech_settings()
    if spoken:
        _show_spoken(routine, speech, as_json)
        return
    rows = _stroke_rows(routine, float(speech["speech_rate"]))
    if as_json:
        print_json(
            {
                "name": routine.name,
                "title": routine.title,
                "summary": routine.summary,
                "tags": list(routine.tags),
                "cautions": list(routine.cautions),
                "source": routine.source,
                "path": routine.path,
                "total_s": routine.total_seconds,
                "quiet": routine.quiet,
                "strokes": rows,
            }
        )
        return
    if not is_terminal():
        typer.echo(f"{sanitize(routine.title)} ({routine.name}, {format_clock(routine.total_seconds)}, {routine.source})")
        if routine.summary:
            typer.echo(sanitize(routine.summary))
        for caution in routine.cautions:  # before the strokes: read them before you begin
            typer.echo(f"Caution: {sanitize(caution)}")
        for r in rows:
            each = " per side" if r["side"] == "each" else ""
            # A stroke with no technique (a set-up step) reads "lying down — 0:30", not "lying down — , 0:30".
            how = ", ".join(part for part in (_manner(r), f"{format_clock(r['duration_s'])}{each}") if part)
            typer.echo(f"{r['number']:>3}. {format_clock(r['starts_at_s']):>6}  {sanitize(r['area'])} — {how}")
            if r["cue"]:
                typer.echo(f"       {sanitize(r['cue'])}")
        return
    _show_rich(routine, rows)


def _manner(row: dict[str, Any]) -> str:
    """How a stroke is done, as ``show`` prints it: ``circles, light, both, 30/min``; empty for a set-up step."""
    parts = [str(v) for v in (row["technique"], row["pressure"], row["side"]) if v]
    if row["tempo"]:
        parts.append(f"{row['tempo']}/min")
    if row["breath"]:
        parts.append(f"breathe {row['breath']}")
    elif row["technique"] == "breathing":  # no breath: set, so the session paces the default: say which
        from headrub.routine import DEFAULT_BREATH

        parts.append(f"breathe {DEFAULT_BREATH[0]:g}-{DEFAULT_BREATH[1]:g}")
    return ", ".join(parts)


def _speech_settings() -> dict[str, Any]:
    """The voice settings in force (config file over defaults): rate, next warning, lead-in, quiet.

    A broken config file is ``start``'s and ``config``'s to report: reading a routine goes on
    with the defaults.
    """
    from headrub.config import DEFAULTS, effective
    from headrub.errors import ConfigFileError

    try:
        return {name: setting.value for name, setting in effective().items()}
    except ConfigFileError:
        return dict(DEFAULTS)


_CHIME_WORDS = {"change": "chime", "side": "side chime", "warn": "soft note", "end": "end chime", "stop": "stop chime"}


def _clock(seconds: float) -> str:
    """``01:25``, or ``-00:05`` for the lead-in before the start."""
    whole = int(abs(seconds) + 1e-6)
    return f"{'-' if seconds < 0 else ''}{whole // 60:02d}:{whole % 60:02d}"


def _show_spoken(routine: Routine, speech: dict[str, Any], as_json: bool) -> None:
    """``show --spoken``: the transcript of a session at normal length, as the config has it."""
    from headrub.commands.start_cmd import with_quiet
    from headrub.output import print_json
    from headrub.spoken import transcript
    from headrub.text import sanitize

    routine = with_quiet(routine, speech["quiet"])
    rate = int(speech["speech_rate"])
    heard = list(transcript(routine, rate_wpm=rate, next_warning=float(speech["next_warning"]),
                            lead_in=float(speech["lead_in"])))
    if as_json:
        print_json([{"at_s": h.at, "sound": h.sound, "text": h.text} for h in heard])
        return
    mode = ", quiet" if routine.quiet else ""
    typer.echo(f"{sanitize(routine.title)} ({routine.name}): what is heard, at {rate} words a minute{mode}")
    for h in heard:
        if h.sound is not None:
            word = _CHIME_WORDS.get(h.sound, h.sound)
            fading = ", fading" if h.sound == "end" and routine.quiet else ""
            typer.echo(f"{_clock(h.at)}  [{word}{fading}]")
        else:
            typer.echo(f'{_clock(h.at)}  "{h.text}"')


def _show_rich(routine: Routine, rows: list[dict[str, Any]]) -> None:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from headrub.layout import print_fitting, stacked_block
    from headrub.output import make_console
    from headrub.routine import format_clock
    from headrub.text import sanitize

    console = make_console()
    console.print(Text(sanitize(routine.title), style="bold"), Text(f"  {routine.name} · {routine.source}", style="dim"))
    if routine.summary:
        console.print(Text(sanitize(routine.summary)))
    if routine.cautions:  # before the strokes: read them before you begin
        console.print(Text("Cautions", style="bold yellow"))
        bullets = Table.grid(padding=(0, 1))  # a wrapped caution stays indented under its own text
        bullets.add_column(no_wrap=True)
        bullets.add_column()
        for caution in routine.cautions:
            bullets.add_row(" •", Text(sanitize(caution)))
        console.print(Padding(bullets, (0, 0, 0, 1)))
    table = Table(expand=False, show_lines=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("at", justify="right", no_wrap=True)
    table.add_column("area", min_width=14)
    table.add_column("how", min_width=14)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("cue", min_width=24)
    stacked: list[RenderableType] = []
    for r in rows:
        how = _manner(r)
        time = format_clock(r["duration_s"]) + (" ×2" if r["side"] == "each" else "")
        table.add_row(
            str(r["number"]), format_clock(r["starts_at_s"]), sanitize(r["area"]), how, time,
            Text(sanitize(r["cue"] or ""), style="dim"),
        )
        head = Text.assemble(f"{r['number']:>2}. {format_clock(r['starts_at_s'])}  ", (sanitize(r["area"]), "bold"), f"  {time}")
        details = [Text(how)] if how else []  # a set-up step has no technique: no empty line for it
        if r["cue"]:
            details.append(Text(sanitize(r["cue"]), style="dim"))
        stacked.append(stacked_block(head, *details, indent=4))
    print_fitting(console, table, stacked)
    console.print(f"Total {format_clock(routine.total_seconds)}")
