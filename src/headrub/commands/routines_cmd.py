"""``list``, ``show``, ``validate``, ``schema``, ``new`` and ``edit``: the routine commands.

Only typer and the standard library are imported at the top: the loader, Rich
and the rest load inside the command that needs them, so start-up stays quick.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from headrub.completion import complete_routine, complete_routine_or_path, complete_tag

if TYPE_CHECKING:
    from rich.console import RenderableType

    from headrub.loader import Found
    from headrub.routine import Routine
    from headrub.summaries import Summary

TEMPLATE = """\
# A headrub routine. Check it with: headrub validate {path}
# The format: headrub schema, or docs/routines.md in the project.
format: 1                     # the routine format this file is written in
title: {title}
summary: What this routine is for, in one line.
tags: [scalp]
cautions:                     # shown before the session starts
  - Skip it over cuts, sores or a rash.
  - Stop if anything hurts or a headache gets worse.
strokes:                      # 1 to 200, in order
  - area: front hairline      # where the hands go
    technique: circles        # circles kneading gliding tapping pressing holding combing stretching breathing rest
    pressure: light           # light | medium | firm
    duration: 1m              # seconds (90) or "45s", "2m", "1m30s"; 1 s to 1 h
    tempo: 30                 # strokes a minute, drawn as a pulse (optional)
    cue: Slow circles with the finger pads, moving the skin, not the hair.
  - area: base of the skull
    technique: pressing
    pressure: medium
    side: each                # left | right | both | each (each: once per side, duration per side)
    duration: 30s
    cue: Head level, never tipped back. Two finger pads in the hollow under the skull on this side; press to about 5 out of 10 and hold.
    say: Head level. Fingers in the hollow under the skull. Press to five out of ten and hold.   # what the voice says (optional, about 20 words)
  - area: whole head
    technique: breathing
    breath: 4-6               # seconds in, seconds out
    duration: 1m
    cue: Hands still, breathe in for four and out for six.
"""


def _source_label(item: Found) -> str:
    return "user (shadows built-in)" if item.shadows else item.source


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
    from headrub.loader import discover
    from headrub.output import is_terminal, print_json, warn
    from headrub.routine import format_clock
    from headrub.summaries import summaries
    from headrub.text import sanitize

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
                f"{r['name']:<{width}}  {format_clock(r['total_s']):>5}  {r['strokes']:>3} strokes  "
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
    from headrub.loader import resolve
    from headrub.output import is_terminal, print_json
    from headrub.routine import format_clock
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


def validate(
    names: list[str] = typer.Argument(..., metavar="PATH", help="Routine files (or folders of them) to check."),
) -> None:
    """Check routine files and folders; print PATH:LINE:COL: message for each problem (on stdout, like a linter)."""
    from headrub.errors import Problem, RoutineFileError, UsageError

    files = [_given_path(name, "PATH") for name in names]
    from headrub.loader import SUFFIXES, load_file
    from headrub.output import warn
    from headrub.routine import format_clock, is_valid_name
    from headrub.text import sanitize

    problems: list[Problem] = []
    bad_files: set[str] = set()

    def report(found: list[Problem]) -> None:
        for problem in found:
            typer.echo(str(problem))
            bad_files.add(problem.path)
        problems.extend(found)

    for path in files:
        if not path.is_dir():
            targets = [path]
        else:
            try:
                targets = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES)
            except OSError as err:
                report([Problem(str(path), 1, 1, f"cannot read this folder: {err.strerror or err}")])
                continue
            if not targets:  # otherwise a folder of .yaml.txt or .json files passes in silence, as if checked
                warn(f"{sanitize(str(path))} holds no routine files ({', '.join(SUFFIXES)}); nothing was checked there")
        for target in targets:
            try:
                routine = load_file(target)
            except RoutineFileError as err:
                report(err.problems)
                continue
            if not is_valid_name(target.stem):
                report([Problem(str(target), 1, 1, f"the file name {target.stem!r} is not a routine name; "
                                "use lower-case letters, digits and '-' (e.g. my-evening.yaml)")])
                continue
            typer.echo(
                f"{sanitize(str(target))}: ok ({len(routine.strokes)} strokes, {format_clock(routine.total_seconds)})"
            )
            _fit_warnings(target, routine)
    if problems:
        count, where = len(problems), len(bad_files)
        raise UsageError(
            f"{count} problem{'s' if count != 1 else ''} in {where} file{'s' if where != 1 else ''}"
        )


def _fit_warnings(path: Path, routine: Routine) -> None:
    """``PATH:LINE:COL: warning: ...`` on stdout, beside the problems, for each stroke whose spoken line outlasts half of it."""
    from headrub.spoken import too_long
    from headrub.text import sanitize

    rate = int(_speech_settings()["speech_rate"])
    found = too_long(routine, rate)
    if not found:
        return
    places = _stroke_places(path)
    for item in found:
        line, column = places[item.index] if item.index < len(places) else (1, 1)
        side = f" ({item.side} side)" if routine.strokes[item.index].side == "each" else ""
        typer.echo(
            f"{sanitize(str(path))}:{line}:{column}: warning: strokes[{item.index}]{side}: its spoken line takes about "
            f"{item.seconds:.0f} s at {rate} words a minute, more than half of its {item.duration:g} s; "
            + ("shorten its say:" if routine.strokes[item.index].say else "give it a shorter say:")
        )


def _stroke_places(path: Path) -> list[tuple[int, int]]:
    """Where each stroke's ``say`` (else ``cue``, else the stroke itself) is in the file, as (line, column)."""
    from headrub.loader import read_limited
    from headrub.yamlnodes import YamlProblem, decode, parse

    try:
        root = parse(decode(read_limited(path)), yaml12=True)  # read as the loader reads it
    except (YamlProblem, OSError):
        return []
    strokes = next((v for k, v in (root.pairs if root is not None else []) if k.value == "strokes"), None)
    places = []
    for item in strokes.items if strokes is not None else []:
        keys = {k.value: v for k, v in item.pairs}
        node = keys.get("say") or keys.get("cue") or item
        places.append((node.line, node.column))
    return places


def _given_path(text: str, what: str) -> Path:
    """A path typed on the command line; an empty one is a mistake, never the current folder (``Path("")``)."""
    from headrub.errors import UsageError

    if not text:
        raise UsageError(f"{what}: an empty path; give a file or a folder")
    return Path(text)


def schema(
    output: str = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the schema to PATH (a file, or a folder to put routine-format-1.json in; - for stdout) "
        "and print where.",
    ),
) -> None:
    """Print the JSON Schema of the routine format (for editors: see docs/routines.md)."""
    from headrub import schema_file

    if output == "-" or output is None:
        sys.stdout.write(schema_file.text())
        return
    typer.echo(str(schema_file.write(_given_path(output, "--output"))))


def _user_path(name: str) -> Path:
    from headrub import paths
    from headrub.errors import UsageError
    from headrub.routine import is_valid_name

    if not is_valid_name(name):
        raise UsageError(f"{name!r} is not a routine name: use lower-case letters, digits and '-' (e.g. my-evening)")
    return paths.user_routines_dir() / f"{name}.yaml"


def _write_new(path: Path, content: bytes) -> None:
    from headrub.errors import HeadrubError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as err:
        raise HeadrubError(f"cannot write {path}: {err.strerror or err}") from None


def _read_source(path: Path) -> bytes:
    """A routine file's bytes as they are (copied, not re-encoded); unreadable is one line."""
    from headrub.errors import HeadrubError

    try:
        return path.read_bytes()
    except OSError as err:
        raise HeadrubError(f"cannot read {path}: {err.strerror or err}") from None


def _with_schema_line(content: bytes) -> bytes:
    """``content`` with a first line pointing editors at the schema, written first so the line never dangles.

    When the schema cannot be written, the routine is still written, without the line, and a warning says why.
    """
    from headrub import schema_file
    from headrub.errors import HeadrubError
    from headrub.output import warn

    try:
        return schema_file.with_modeline(content, schema_file.write())
    except HeadrubError as err:
        warn(f"{err.message}; the routine is written without the line that points editors at it")
        return content


def new(
    name: str = typer.Argument(..., metavar="NAME", help="The new routine's name (lower-case letters, digits, '-')."),
    from_routine: str = typer.Option(
        None, "--from", metavar="ROUTINE", help="Start from a copy of this routine.", autocompletion=complete_routine
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite a user routine of the same name, or shadow a built-in one."
    ),
) -> None:
    """Write a new user routine (a copy or a commented template) and print its path."""
    from headrub.errors import UsageError
    from headrub.loader import locate

    path = _user_path(name)
    existing = [p for p in (path, path.with_suffix(".yml")) if p.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]} already exists; use --force to overwrite it, or 'headrub edit {name}'")
    if _is_builtin(name) and not existing and not force:
        raise UsageError(
            f"{name} is a built-in routine and a new one would shadow it; choose another name, "
            f"use 'headrub edit {name}' to change your own copy, or --force to shadow it"
        )
    if from_routine:
        content = _read_source(locate(from_routine).path)
    else:
        title = json.dumps(name.replace("-", " ").capitalize())  # quoted: "Yes" or "123" stay text
        content = TEMPLATE.format(path=path, title=title).encode("utf-8")
    _write_new(path, _with_schema_line(content))
    typer.echo(str(path))


def _is_builtin(name: str) -> bool:
    """True when a built-in routine is called ``name`` (whether or not a user file shadows it)."""
    from headrub import paths
    from headrub.loader import SUFFIXES

    folder = paths.builtin_routines_dir()
    return any((folder / f"{name}{suffix}").is_file() for suffix in SUFFIXES)


def _can_ask() -> bool:
    """True when a question can be asked and answered (stdin and stderr are a terminal)."""
    from headrub.output import is_terminal

    return is_terminal(sys.stdin) and is_terminal(sys.stderr)


def _reopen(problems: str) -> bool:
    """After an invalid edit: show the problems and ask whether to open the file again."""
    typer.echo(problems, err=True)
    try:
        answer = input("Open it again to fix this? [Y/n] ")
    except (EOFError, KeyboardInterrupt, OSError):
        return False
    return answer.strip().lower() in ("", "y", "yes")


def _run_editor(command: list[str], path: Path) -> None:
    import subprocess

    from headrub.errors import EditorError

    shown = " ".join(command)
    try:
        status = subprocess.call([*command, str(path)])
    except (OSError, ValueError) as err:
        raise EditorError(f"cannot start the editor {shown!r}: {getattr(err, 'strerror', None) or err}") from None
    if status != 0:
        raise EditorError(f"the editor {shown!r} exited with status {status}; {path} is kept as it is")


def _discard_copy(path: Path, copied: bytes) -> bool:
    """Remove an untouched copy of a built-in; True when it was removed."""
    try:
        if path.read_bytes() != copied:
            return False
        path.unlink()
    except OSError:
        return False
    return True


def edit(
    name: str = typer.Argument(
        ..., metavar="NAME", help="The routine to edit; a built-in is copied to your folder first.",
        autocompletion=complete_routine,
    ),
) -> None:
    """Open a routine in your editor ($VISUAL, $EDITOR, else nano or vi), then validate it."""
    from headrub.editor import editor_command
    from headrub.errors import EditorError, RoutineFileError, RoutineNotFound
    from headrub.loader import load_file, locate
    from headrub.routine import format_clock

    path = _user_path(name)
    try:
        found = locate(name)
    except RoutineNotFound as err:
        raise RoutineNotFound(f"{err.message}; 'headrub new {name}' makes a new one") from None
    command = editor_command(str(found.path if found.source == "user" else path))
    copied: bytes | None = None
    if found.source == "user":
        path = found.path
    else:
        copied = _with_schema_line(_read_source(found.path))
        _write_new(path, copied)
    while True:
        try:
            _run_editor(command, path)
        except EditorError:
            if copied is not None:
                _discard_copy(path, copied)
            raise
        if copied is not None and _discard_copy(path, copied):
            typer.echo(f"No changes: no copy kept; the built-in {name} is used as before.", err=True)
            return
        try:
            routine = load_file(path, name=name, source="user")
        except RoutineFileError as err:
            if _can_ask() and _reopen(str(err)):
                continue
            raise
        break
    if copied is not None:
        typer.echo(f"Copied the built-in {name} to {path}; your copy is used from now on.", err=True)
    typer.echo(f"{path}: ok ({len(routine.strokes)} strokes, {format_clock(routine.total_seconds)})")
