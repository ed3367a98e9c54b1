"""``new`` and ``edit``: writing your own routines, from the commented template or a copy of another.

A built-in routine is copied to your folder before it is edited, and every file written gets a
first line pointing editors at the schema. Only typer and the standard library are imported at
the top, so start-up stays quick.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from headrub.completion import complete_routine

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


def _source_path(argument: str) -> Path:
    """The file ``--from`` names: a routine by name, or a file by path as ``start`` takes it.

    A file given by path is read as a routine first, so one that is not (a typo, a folder, a YAML
    mistake) is refused with its located problems, as ``start`` would refuse it, before anything is written.
    """
    from headrub.loader import is_path_argument, load_file, locate

    if is_path_argument(argument):
        path = Path(argument).expanduser()
        load_file(path)
        return path
    return locate(argument).path


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
        None,
        "--from",
        metavar="ROUTINE",
        help="Start from a copy of this routine: a name, or a routine file's path as for start.",
        autocompletion=complete_routine,
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite a user routine of the same name, or shadow a built-in one."
    ),
) -> None:
    """Write a new user routine (a copy or a commented template) and print its path."""
    from headrub.errors import UsageError

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
        content = _read_source(_source_path(from_routine))
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
