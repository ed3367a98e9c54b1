"""Routine files to ``Routine`` values, with every problem located.

Finding them by name is ``headrub.finding``'s (re-exported here): it needs no YAML.
"""

from __future__ import annotations

import difflib
import math
import os
import stat
from pathlib import Path
from typing import Any

from headrub.errors import Problem, RoutineFileError

# Finding routine files needs no YAML: it lives in headrub.finding, which `list` imports alone.
from headrub.finding import SUFFIXES as SUFFIXES
from headrub.finding import Found as Found
from headrub.finding import discover as discover
from headrub.finding import is_path_argument as is_path_argument
from headrub.finding import locate as locate
from headrub.finding import name_from_file as name_from_file
from headrub.finding import resolve_with
from headrub.routine import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    Routine,
    Stroke,
    parse_breath,
    parse_duration,
)
from headrub.routine_spec import ROUTINE_FIELDS, STROKE_FIELDS, Field
from headrub.routine_spec import ROUTINE_KEYS as ROUTINE_KEYS  # the keys, for callers that list them
from headrub.routine_spec import STROKE_KEYS as STROKE_KEYS
from headrub.yamlnodes import Node, YamlProblem, decode, parse, quoted, yaml11_reading


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
        written = node.plain
        if written is not None and written != _number(value):  # 0o17, 1e3, 0x1F: YAML 1.2 numbers
            return f"the number {_number(value)} (written {written[:30]}; quote it to mean text)"
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


# YAML 1.1's merge key is an ordinary key in YAML 1.2, which is how routine files (and editors) read it.
_MERGE_HINT = " (YAML 1.2 has no merge keys: write the keys out, or repeat a value with an alias such as *name)"


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
                hint = _MERGE_HINT if key.value == "<<" else _suggest(key.value, allowed)
                self.fail(key, field, f"unknown key {quoted(key.value)}{hint}")
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
        if value is not None and node.value not in choices:  # as written: " circles" is not a technique
            self.fail(node, field, f"unknown value {quoted(node.value)}{_suggest(value, choices)}")
            return None
        return value

    def duration(self, node: Node, field: str, low: float, high: float) -> float | None:
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
                self.fail(node, field, f'{quoted(str(value), 30)} is not a duration; write seconds (90) or "45s", "2m", "1m30s"'
                          + _older_number(node))
                return None
        if not low <= seconds <= high:
            self.fail(node, field, f"{seconds:g} s is out of range; a stroke lasts {low:g} s to {high / 3600:g} h")
            return None
        return seconds

    def tempo(self, node: Node, field: str, low: float, high: float) -> int | None:
        value = _whole(node)
        if value is None:
            self.fail(node, field, f"expected a whole number of strokes a minute, found {_type_name(node)}{_older_number(node)}")
            return None
        if not low <= value <= high:
            self.fail(node, field, f"{_number(value)} is out of range; tempo is {low:g} to {high:g} strokes a minute")
            return None
        return int(value)

    def breath(self, node: Node, field: str, low: float, high: float) -> tuple[float, float] | None:
        text = self.text(node, field)
        if text is None:
            return None
        pace = parse_breath(text)
        if pace is None:
            colon = parse_breath(text.replace(":", "-", 1)) if text.count(":") == 1 else None
            if colon is not None:  # 4:6, which older YAML read as the number 246
                self.fail(node, field, f'{quoted(text, 30)} is not a breathing pace; write the breath as '
                          f'"{text.strip().replace(":", "-")}" (seconds in, seconds out)')
            else:
                self.fail(node, field, f'{quoted(text, 30)} is not a breathing pace; write seconds in and out, e.g. "4-6"')
            return None
        if not all(low <= s <= high for s in pace):
            self.fail(node, field, f"each half of a breath lasts {low:g} to {high:g} s")
            return None
        return pace

    def flag(self, node: Node, field: str) -> bool | None:
        if node.kind != "scalar" or not isinstance(node.value, bool):
            older = yaml11_reading(node)
            hint = ""
            if isinstance(older, bool):
                hint = f"; YAML 1.2 reads {node.plain} as text (older YAML read it as {str(older).lower()}): write {str(older).lower()}"
            self.fail(node, field, f"expected true or false, found {_type_name(node)}{hint}")
            return None
        return node.value

    def format_version(self, node: Node, field: str, low: float, high: float) -> int | None:
        value = _whole(node)
        if value is None:
            self.fail(node, field, f"expected the format version {FORMAT_VERSION}, found {_type_name(node)}")
            return None
        if value > high:
            self.fail(node, field, f"format {_number(value)} is newer than this headrub reads (it reads format "
                      f"{FORMAT_VERSION}{_own_version()}); upgrade headrub to read it")
            return None
        if value < low:
            self.fail(node, field, f"{_number(value)} is not a format version; this headrub reads format {FORMAT_VERSION}")
            return None
        return int(value)

    def value(self, spec: Field, node: Node, field: str) -> Any:
        """One field's value as the specification describes it (None when it is a problem, now recorded)."""
        kind = spec.kind
        if kind == "text":
            return self.text(node, field, required=not spec.empty_ok, limit=spec.limit)
        if kind == "texts":
            return self.text_list(node, field)
        if kind == "choice":
            return self.choice(node, field, spec.choices)
        if kind == "duration":
            return self.duration(node, field, spec.low, spec.high)
        if kind == "whole":
            return self.tempo(node, field, spec.low, spec.high)
        if kind == "breath":
            return self.breath(node, field, spec.low, spec.high)
        if kind == "flag":
            return self.flag(node, field)
        if kind == "version":
            return self.format_version(node, field, spec.low, spec.high)
        if kind == "strokes":
            return self.strokes(node, spec.low, spec.high)
        raise ValueError(f"unknown field kind {kind!r}")  # pragma: no cover - routine_spec.KINDS

    def fields(self, node: Node, field: str, specs: tuple[Field, ...]) -> dict[str, Any] | None:
        """A mapping's values checked field by field; None when anything in it is a problem."""
        keys = self.mapping(node, field, tuple(s.key for s in specs))
        if keys is None:
            return None
        before = len(self.problems)
        where = f"{field}." if field else ""
        for spec in specs:
            if spec.required and spec.key not in keys and (id(node), spec.key) not in self.suggested:
                self.fail(node, where + spec.key, "is required")
        values = {s.key: self.value(s, keys[s.key], where + s.key) for s in specs if s.key in keys}
        for spec in specs:
            if spec.only_with is None or spec.key not in keys:
                continue
            other, wanted = spec.only_with
            other_bad = other in keys and values.get(other) is None  # already reported
            if values.get(other) != wanted and not other_bad:
                self.fail(keys[spec.key], where + spec.key, f"only a stroke with {other}: {wanted} has a {spec.label or spec.key}")
        if len(self.problems) > before or any(s.required and values.get(s.key) is None for s in specs):
            return None
        return values

    def stroke(self, node: Node, field: str) -> Stroke | None:
        values = self.fields(node, field, STROKE_FIELDS)
        if values is None:
            return None
        return Stroke(**_given(values))

    def routine(self, root: Node | None, name: str, source: str) -> Routine | None:
        if root is None:
            self.problems.append(Problem(self.path, 1, 1, "the file is empty; a routine needs a title and strokes"))
            return None
        values = self.fields(root, "", ROUTINE_FIELDS)
        if values is None or self.problems:
            return None
        # Each field is the model's attribute of the same name; one left out (or empty text) keeps its default.
        return Routine(name=name, source=source, path=self.path, **_given(values))

    def strokes(self, node: Node, low: float, high: float) -> tuple[Stroke, ...] | None:
        if node.kind != "seq":
            self.fail(node, "strokes", f"expected a list of strokes, found {_type_name(node)}")
            return None
        if not low <= len(node.items) <= high:
            self.fail(node, "strokes", f"has {len(node.items)} strokes; a routine has {low:g} to {high:g}")
            return None
        strokes = [self.stroke(item, f"strokes[{i}]") for i, item in enumerate(node.items)]
        if any(s is None for s in strokes):
            return None
        return tuple(s for s in strokes if s is not None)


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The checked values that were given: unset and empty text fall back to the model's defaults."""
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _whole(node: Node) -> int | float | None:
    """A scalar's whole-number value (``30`` or ``30.0``), else None: not text, a boolean, .nan or .inf."""
    value = node.value
    if node.kind != "scalar" or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return value


def _older_number(node: Node) -> str:
    """How older YAML read a plain value as a number (``1:30`` was 90, ``1_000`` a thousand), to say so plainly."""
    older = yaml11_reading(node)
    if isinstance(older, bool) or not isinstance(older, int | float) or isinstance(node.value, int | float):
        return ""
    return f" (YAML 1.2 reads {node.plain} as text; older YAML read it as the number {_number(older)}: write {_number(older)})"


def _own_version() -> str:
    """`` (headrub 0.1.0)``: the version that reads the format, for the upgrade message."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f", as headrub {version('headrub')} does"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return ""


# Public names for the other file checkers (headrub.config), so every file speaks alike.
Checker = _Checker
suggest = _suggest
type_name = _type_name


def load_text(text: str, path: str, *, name: str | None = None, source: str = "user") -> Routine:
    """A routine from YAML text; raises ``RoutineFileError`` listing every located problem."""
    checker = _Checker(path)
    try:
        root = parse(text, yaml12=True)
    except YamlProblem as problem:
        raise RoutineFileError([problem.problem(path)]) from None
    routine_name = name if name is not None else Path(path).stem
    routine = checker.routine(root, routine_name, source)
    if routine is None:  # in file order, as linters print them (a stroke's keys are checked in a fixed order)
        raise RoutineFileError(sorted(checker.problems, key=lambda problem: (problem.line, problem.column)))
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


def find_routine(name: str) -> Routine:
    """The routine called ``name`` (a user file first, then a built-in)."""
    item = locate(name)
    return load_file(item.path, name=item.name, source=item.source)


def resolve(argument: str) -> Routine:
    """A routine from a name or a path, as ``start`` takes it (``routinecache.resolve`` is the same, cached)."""
    return resolve_with(argument, load_file)
