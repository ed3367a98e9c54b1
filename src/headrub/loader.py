"""Routine files to ``Routine`` values, with every problem located; finding routines by name."""

from __future__ import annotations

import difflib
import math
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headrub import paths
from headrub.errors import Problem, RoutineFileError, RoutineNotFound, UsageError
from headrub.routine import (
    FORMAT_VERSION,
    MAX_BREATH_S,
    MAX_CUE_CHARS,
    MAX_DURATION_S,
    MAX_FILE_BYTES,
    MAX_SAY_CHARS,
    MAX_STROKES,
    MAX_TEMPO,
    MIN_BREATH_S,
    MIN_DURATION_S,
    MIN_TEMPO,
    PRESSURES,
    SIDES,
    TECHNIQUES,
    Routine,
    Stroke,
    is_valid_name,
    parse_breath,
    parse_duration,
)
from headrub.yamlnodes import Node, YamlProblem, decode, parse, quoted

ROUTINE_KEYS = ("title", "summary", "tags", "cautions", "strokes", "quiet", "format")
STROKE_KEYS = ("area", "technique", "pressure", "duration", "tempo", "side", "cue", "say", "breath")
SUFFIXES = (".yaml", ".yml")


def _type_name(node: Node) -> str:
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    value = node.value
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (quote it to mean text)"
    if isinstance(value, int) and value.bit_length() > 64:
        return _number(value)
    if isinstance(value, int | float):
        return f"the number {_number(value)}"
    return f"the text {quoted(str(value), 30)}"


def _number(value: int | float) -> str:
    """A number as it reads; a huge integer is not spelt out (str() refuses past 4300 digits)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return "a very large number"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _as_float(value: int | float) -> float:
    """``value`` as a float; infinite when it is too large for one (a 300-digit integer)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else f" (expected one of: {', '.join(choices)})"


class _Checker:
    """Walks a located tree, collecting every problem rather than stopping at the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.suggested: set[tuple[int, str]] = set()  # (mapping id, key a misspelling pointed at)

    def fail(self, node: Node, field: str, message: str) -> None:
        prefix = f"{field}: " if field else ""
        self.problems.append(Problem(self.path, node.line, node.column, prefix + message))

    def mapping(self, node: Node, field: str, allowed: tuple[str, ...]) -> dict[str, Node] | None:
        """A mapping's values by key; unknown, duplicate and non-text keys are problems."""
        if node.kind != "map":
            self.fail(node, field, f"expected a mapping of keys to values, found {_type_name(node)}")
            return None
        found: dict[str, Node] = {}
        where = f"{field}." if field else ""
        for key, value in node.pairs:
            if key.kind != "scalar" or not isinstance(key.value, str):
                self.fail(key, field, f"keys are words such as {allowed[0]!r}, found {_type_name(key)}")
            elif key.value in found:
                self.fail(key, where + key.value, "appears twice in the same mapping")
            elif key.value not in allowed:
                self.fail(key, field, f"unknown key {quoted(key.value)}{_suggest(key.value, allowed)}")
                self.suggested.update((id(node), c) for c in difflib.get_close_matches(key.value, allowed, 1, 0.6))
            else:
                found[key.value] = value
        return found

    def text(self, node: Node, field: str, *, required: bool = True, limit: int | None = None) -> str | None:
        if node.kind != "scalar" or not isinstance(node.value, str):
            self.fail(node, field, f"expected text, found {_type_name(node)}")
            return None
        value: str = node.value.strip()
        if required and not value:
            self.fail(node, field, "must not be empty")
            return None
        if limit is not None and len(value) > limit:
            self.fail(node, field, f"is {len(value)} characters; at most {limit}")
            return None
        return value

    def text_list(self, node: Node, field: str) -> tuple[str, ...]:
        if node.kind != "seq":
            self.fail(node, field, f"expected a list of text, found {_type_name(node)}")
            return ()
        values = (self.text(item, f"{field}[{i}]") for i, item in enumerate(node.items))
        return tuple(v for v in values if v is not None)

    def choice(self, node: Node, field: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(node, field)
        if value is not None and value not in choices:
            self.fail(node, field, f"unknown value {quoted(value)}{_suggest(value, choices)}")
            return None
        return value

    def duration(self, node: Node, field: str) -> float | None:
        value = node.value if node.kind == "scalar" else None
        seconds: float | None
        if isinstance(value, bool) or value is None or node.kind != "scalar":
            self.fail(node, field, f'expected seconds or a duration such as "1m30s", found {_type_name(node)}')
            return None
        if isinstance(value, int | float):
            seconds = _as_float(value)
        else:
            seconds = parse_duration(str(value))
            if seconds is None:
                self.fail(node, field, f'{quoted(str(value), 30)} is not a duration; write seconds (90) or "45s", "2m", "1m30s"')
                return None
        if not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
            self.fail(node, field, f"{seconds:g} s is out of range; a stroke lasts 1 s to 1 h")
            return None
        return seconds

    def tempo(self, node: Node, field: str) -> int | None:
        value = node.value
        whole = node.kind == "scalar" and isinstance(value, int | float) and not isinstance(value, bool)
        if whole and isinstance(value, float):
            whole = math.isfinite(value) and value.is_integer()  # .nan and .inf are floats too
        if not whole:
            self.fail(node, field, f"expected a whole number of strokes a minute, found {_type_name(node)}")
            return None
        if not MIN_TEMPO <= value <= MAX_TEMPO:
            self.fail(node, field, f"{_number(value)} is out of range; tempo is {MIN_TEMPO} to {MAX_TEMPO} strokes a minute")
            return None
        return int(value)

    def breath(self, node: Node, field: str) -> tuple[float, float] | None:
        text = self.text(node, field)
        if text is None:
            return None
        pace = parse_breath(text)
        if pace is None:
            self.fail(node, field, f'{quoted(text, 30)} is not a breathing pace; write seconds in and out, e.g. "4-6"')
            return None
        if not all(MIN_BREATH_S <= s <= MAX_BREATH_S for s in pace):
            self.fail(node, field, f"each half of a breath lasts {MIN_BREATH_S:g} to {MAX_BREATH_S:g} s")
            return None
        return pace

    def flag(self, node: Node, field: str) -> bool | None:
        if node.kind != "scalar" or not isinstance(node.value, bool):
            self.fail(node, field, f"expected true or false, found {_type_name(node)}")
            return None
        return node.value

    def format_version(self, node: Node, field: str) -> int | None:
        value = node.value
        if node.kind != "scalar" or isinstance(value, bool) or not isinstance(value, int):
            self.fail(node, field, f"expected the format version {FORMAT_VERSION}, found {_type_name(node)}")
            return None
        if value > FORMAT_VERSION:
            self.fail(node, field, f"format {_number(value)} is newer than this headrub reads (format {FORMAT_VERSION}); upgrade headrub")
            return None
        if value < 1:
            self.fail(node, field, f"{_number(value)} is not a format version; this headrub reads format {FORMAT_VERSION}")
            return None
        return value

    def stroke(self, node: Node, field: str) -> Stroke | None:
        keys = self.mapping(node, field, STROKE_KEYS)
        if keys is None:
            return None
        before = len(self.problems)
        for required in ("area", "duration"):
            if required not in keys and (id(node), required) not in self.suggested:
                self.fail(node, f"{field}.{required}", "is required")
        area = self.text(keys["area"], f"{field}.area") if "area" in keys else None
        duration = self.duration(keys["duration"], f"{field}.duration") if "duration" in keys else None
        optional: dict[str, Callable[[Node, str], Any]] = {
            "technique": lambda n, f: self.choice(n, f, TECHNIQUES),
            "pressure": lambda n, f: self.choice(n, f, PRESSURES),
            "side": lambda n, f: self.choice(n, f, SIDES),
            "tempo": self.tempo,
            "cue": lambda n, f: self.text(n, f, required=False, limit=MAX_CUE_CHARS),
            "say": lambda n, f: self.text(n, f, limit=MAX_SAY_CHARS),
            "breath": self.breath,
        }
        values = {key: check(keys[key], f"{field}.{key}") for key, check in optional.items() if key in keys}
        # A stroke without a technique is no breathing stroke; an invalid technique is already reported.
        technique_bad = "technique" in values and values["technique"] is None
        if "breath" in keys and values.get("technique") != "breathing" and not technique_bad:
            self.fail(keys["breath"], f"{field}.breath", "only a stroke with technique: breathing has a breathing pace")
        if len(self.problems) > before or area is None or duration is None:
            return None
        return Stroke(area=area, duration=duration, **{k: v for k, v in values.items() if v not in (None, "")})

    def routine(self, root: Node | None, name: str, source: str) -> Routine | None:
        if root is None:
            self.problems.append(Problem(self.path, 1, 1, "the file is empty; a routine needs a title and strokes"))
            return None
        keys = self.mapping(root, "", ROUTINE_KEYS)
        if keys is None:
            return None
        for required in ("title", "strokes"):
            if required not in keys and (id(root), required) not in self.suggested:
                self.fail(root, required, "is required")
        title = self.text(keys["title"], "title") if "title" in keys else None
        summary = self.text(keys["summary"], "summary", required=False) if "summary" in keys else None
        tags = self.text_list(keys["tags"], "tags") if "tags" in keys else ()
        cautions = self.text_list(keys["cautions"], "cautions") if "cautions" in keys else ()
        quiet = self.flag(keys["quiet"], "quiet") if "quiet" in keys else False
        version = self.format_version(keys["format"], "format") if "format" in keys else FORMAT_VERSION
        strokes = self.strokes(keys["strokes"]) if "strokes" in keys else None
        if self.problems or title is None or strokes is None:
            return None
        return Routine(
            name=name,
            title=title,
            strokes=strokes,
            summary=summary or None,
            tags=tags,
            cautions=cautions,
            quiet=bool(quiet),
            format=version or FORMAT_VERSION,
            source=source,
            path=self.path,
        )

    def strokes(self, node: Node) -> tuple[Stroke, ...] | None:
        if node.kind != "seq":
            self.fail(node, "strokes", f"expected a list of strokes, found {_type_name(node)}")
            return None
        if not 1 <= len(node.items) <= MAX_STROKES:
            self.fail(node, "strokes", f"has {len(node.items)} strokes; a routine has 1 to {MAX_STROKES}")
            return None
        strokes = [self.stroke(item, f"strokes[{i}]") for i, item in enumerate(node.items)]
        if any(s is None for s in strokes):
            return None
        return tuple(s for s in strokes if s is not None)


# Public names for the other file checkers (headrub.config), so every file speaks alike.
Checker = _Checker
suggest = _suggest
type_name = _type_name


def load_text(text: str, path: str, *, name: str | None = None, source: str = "user") -> Routine:
    """A routine from YAML text; raises ``RoutineFileError`` listing every located problem."""
    checker = _Checker(path)
    try:
        root = parse(text)
    except YamlProblem as problem:
        raise RoutineFileError([problem.problem(path)]) from None
    routine_name = name if name is not None else Path(path).stem
    routine = checker.routine(root, routine_name, source)
    if routine is None:
        raise RoutineFileError(checker.problems)
    return routine


def read_limited(path: Path, limit: int = MAX_FILE_BYTES, kind: str = "routine") -> bytes:
    """A file's bytes, refused by size before reading; raises ``YamlProblem``.

    The file is opened without blocking, so a FIFO with no writer cannot hang the
    command (it then reads as empty); pipes such as ``<(...)`` still read whole.
    """
    too_big = f"the file is over {limit // 1024} KiB; a {kind} file is at most that"
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, os.O_RDONLY | nonblocking)
    except IsADirectoryError:
        raise YamlProblem(1, 1, f"is a folder, not a {kind} file") from None
    except FileNotFoundError:
        raise YamlProblem(1, 1, "no such file") from None
    except OSError as err:
        raise YamlProblem(1, 1, f"cannot read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise YamlProblem(1, 1, f"is a folder, not a {kind} file")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise YamlProblem(1, 1, too_big)
        if nonblocking:
            os.set_blocking(fd, True)  # a FIFO without a writer reads EOF, not EAGAIN
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise YamlProblem(1, 1, f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # a file that grew since fstat, a pipe or a device
        raise YamlProblem(1, 1, too_big)
    return data


def load_file(path: Path, *, name: str | None = None, source: str = "user") -> Routine:
    """A routine from a file; raises ``RoutineFileError`` (never anything else for bad content)."""
    shown = str(path)
    try:
        text = decode(read_limited(path))
    except YamlProblem as problem:
        raise RoutineFileError([problem.problem(shown)]) from None
    try:
        return load_text(text, shown, name=name, source=source)
    except RoutineFileError:
        raise
    except RecursionError:
        raise RoutineFileError([Problem(shown, 1, 1, "the document is nested too deeply")]) from None
    except Exception as err:  # the last guard: whatever the file holds, never a traceback
        raise RoutineFileError([Problem(shown, 1, 1, f"cannot load this file ({type(err).__name__})")]) from None


@dataclass(frozen=True)
class Found:
    """A routine file found by name: where it is, whose it is, and whether it shadows a built-in."""

    name: str
    path: Path
    source: str  # "built-in" or "user"
    shadows: bool = False


def _files(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.suffix in SUFFIXES and is_valid_name(entry.stem) and entry.is_file():
            yield entry


def discover() -> list[Found]:
    """Every routine by name, user files shadowing built-ins, sorted by name."""
    found: dict[str, Found] = {}
    for path in _files(paths.builtin_routines_dir()):
        found.setdefault(path.stem, Found(path.stem, path, "built-in"))
    for path in _files(paths.user_routines_dir()):
        if path.stem in found and found[path.stem].source == "user":
            continue  # NAME.yaml wins over NAME.yml
        shadows = path.stem in found
        found[path.stem] = Found(path.stem, path, "user", shadows)
    return [found[name] for name in sorted(found)]


def locate(name: str) -> Found:
    """The file behind a routine name; raises ``RoutineNotFound`` naming the close matches."""
    known = discover()
    for item in known:
        if item.name == name:
            return item
    names = [item.name for item in known]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name and (n.startswith(name) or name in n) and n not in close][:3]
    hint = f" — did you mean {', '.join(close[:3])}?" if close else ""
    raise RoutineNotFound(f"unknown routine {name!r}{hint} ('headrub list' shows them all)")


def find_routine(name: str) -> Routine:
    """The routine called ``name`` (a user file first, then a built-in)."""
    item = locate(name)
    return load_file(item.path, name=item.name, source=item.source)


def is_path_argument(argument: str) -> bool:
    """CONTRACT §3: a path when it contains ``/`` or ends in ``.yaml``/``.yml``."""
    return "/" in argument or argument.endswith(SUFFIXES) or (Path(argument).anchor != "" and "\\" in argument)


def resolve(argument: str) -> Routine:
    """A routine from a name or a path, as ``start`` takes it."""
    if is_path_argument(argument):
        path = Path(argument).expanduser()
        name = path.stem if is_valid_name(path.stem) else "custom"
        return load_file(path, name=name, source="user")
    if not is_valid_name(argument):
        raise UsageError(
            f"{argument!r} is not a routine name (lower-case letters, digits and '-'); "
            "give a path with '/' or ending in .yaml to run a file"
        )
    return find_routine(argument)
