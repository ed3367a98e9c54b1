"""``validate``: check routine files like a linter, and warn where a spoken line outlasts its stroke.

Only typer and the standard library are imported at the top: the loader and the
YAML reader load inside the command, so start-up stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from headrub.commands.params import _given_path

if TYPE_CHECKING:
    from headrub.routine import Routine


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
                f"{sanitize(str(target))}: ok ({len(routine.strokes)} stroke{'s' if len(routine.strokes) != 1 else ''}, {format_clock(routine.total_seconds)})"
            )
            _fit_warnings(target, routine)
    if problems:
        count, where = len(problems), len(bad_files)
        raise UsageError(
            f"{count} problem{'s' if count != 1 else ''} in {where} file{'s' if where != 1 else ''}"
        )

def _fit_warnings(path: Path, routine: Routine) -> None:
    """``PATH:LINE:COL: warning: ...`` on stdout, beside the problems, for each stroke whose spoken line outlasts half of it."""
    from headrub.commands.routines_cmd import _speech_settings
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
