"""Reading many lines at once: the same answers as ``checks._parse`` line by line, with less Python.

A big journal is read in chunks of whole lines (``chunks``). ``parse_chunk`` hands a chunk to
orjson as one JSON array (its newlines made commas) and checks each object with one quick test
for the usual entry, the shape headrub writes (``_plain``). That is only a shortcut: whatever it
is not sure of (a line that is not one object, a correction, an unknown field, a newer version,
anything the quick test does not accept) is parsed by ``checks._parse`` alone, so every line
gets exactly the answer, and every bad line the warning, it gets when read by itself.

Why one array gives one object per line: the array parses only if every line is JSON and the
newlines fall between values; it must hold as many objects as the chunk has lines; and no line
may hold ``}`` then ``,`` then ``{`` (two objects on one line). Then no object can span a
newline (that would leave a line with two), so object i is line i.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import repeat
from operator import itemgetter
from typing import Any

from headrub.journal.checks import Line, _parse
from headrub.journal.entries import (
    FORMAT_VERSION,
    MAX_COUNT,
    MAX_SECONDS,
    MAX_YEAR,
    MIN_YEAR,
    TENSION_RANGE,
    aware_in_range,
    parse_instant,
)
from headrub.journal.files import Source

CHUNK = 1 << 17  # bytes read at a time (a chunk is the whole lines among them): its entries stay in the CPU cache
GROUP = 64  # lines parsed together again when a whole chunk cannot be (a damaged line among them)

_TWO_OBJECTS = re.compile(rb"}[ \t\r]*,[ \t\r]*{")  # on one line: the only way two could share it

_loads: Callable[[bytes], Any] | None
try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency; without it every line is parsed alone
    _loads = None

_fromisoformat = datetime.fromisoformat
# Every field an entry of format v1 may carry, with the bookkeeping headrub adds to each line.
_FIELDS = (
    "v", "id", "routine", "title", "started_at", "ended_at", "planned_s", "active_s", "completed", "strokes_done",
    "strokes_total", "strokes_skipped", "tension_before", "tension_after", "note", "source", "logged_at",
    "line_at", "latest_start",
)  # fmt: skip
_PLAIN_KEYS = frozenset(_FIELDS)
_EVERY_FIELD = itemgetter(*_FIELDS)
_BUT_SKIPPED = itemgetter(*(name for name in _FIELDS if name != "strokes_skipped"))


def chunks(handle: Source) -> Iterator[bytes]:
    """From the handle's position: its whole lines, about ``CHUNK`` bytes at a time, each chunk
    ending with a newline; a last line without one (torn, or not yet ended) comes alone, last."""
    pieces: list[bytes] = []  # the start of a line longer than a chunk, joined once its end is found
    while block := handle.read(CHUNK):
        cut = block.rfind(b"\n") + 1
        if not cut:
            pieces.append(block)
            continue
        if pieces:
            pieces.append(block[:cut])
            yield b"".join(pieces)
            pieces = []
        else:
            yield block if cut == len(block) else block[:cut]
        if cut < len(block):
            pieces.append(block[cut:])
    if pieces:
        yield b"".join(pieces)


def split(chunk: bytes) -> list[bytes]:
    """The lines of a chunk, each with its newline (a torn last one without)."""
    lines = chunk.split(b"\n")
    last = lines.pop()
    whole = [line + b"\n" for line in lines]
    if last:
        whole.append(last)
    return whole


class Parsed(list[Line | str | None]):
    """What ``parse_chunk`` gives: a list, with ``columns`` when every line is the usual entry
    checked a field at a time (``_plain_all``): each field's values, line by line."""

    columns: dict[str, Sequence[Any]] | None = None


def parse_chunk(chunk: bytes) -> list[Line | str | None]:
    """``checks._parse`` of each line of ``chunk`` (``chunks`` gives them), in order."""
    text = chunk[:-1] if chunk[-1:] == b"\n" else chunk
    values = _objects(text, text.count(b"\n") + 1)
    if values is None:
        lines = split(chunk)
        if len(lines) <= GROUP:
            return [_parse(raw) for raw in lines]
        parsed: list[Line | str | None] = []
        for at in range(0, len(lines), GROUP):
            parsed += parse_chunk(b"".join(lines[at : at + GROUP]))
        return parsed
    parsed = _plain_all(values) or list(map(_plain, values))
    if None in parsed:
        lines = split(chunk)
        for i, line in enumerate(parsed):
            if line is None:
                parsed[i] = _parse(lines[i])
    return parsed


def _objects(text: bytes, count: int) -> list[Any] | None:
    """Each of ``count`` lines of ``text`` (joined by newlines) as orjson reads it, if every one
    is an object by itself (see the module's note); else None."""
    if _loads is None or _TWO_OBJECTS.search(text) is not None:
        return None
    try:
        values = _loads(b"[" + text.replace(b"\n", b",") + b"]")
    except ValueError:
        return None
    if len(values) != count or set(map(type, values)) != {dict}:
        return None
    return values  # type: ignore[no-any-return]


def _plain(value: dict[str, Any]) -> Line | None:
    """The line ``checks._parse`` makes of ``value``, when it is the usual v1 entry; else None.

    Never more lenient than ``_parse``: only known fields, each of its kind (as ``_plain_v1``
    asks), the bookkeeping an integer and a string, and both instants readable. An object that
    orjson and json could read differently (nested values, huge numbers) has a field of the wrong
    kind.
    """
    if not value.keys() <= _PLAIN_KEYS:
        return None  # a correction, or a field this check does not know
    size = len(value)
    if size == len(_PLAIN_KEYS):  # every field (what headrub writes): taken in one call
        (
            version, name, routine, title, text, ended, planned, active, completed, done, total, skipped,
            before, after, note, source, logged, at, latest,
        ) = _EVERY_FIELD(value)  # fmt: skip
    elif size == len(_PLAIN_KEYS) - 1 and "strokes_skipped" not in value:  # (before it was written)
        (
            version, name, routine, title, text, ended, planned, active, completed, done, total,
            before, after, note, source, logged, at, latest,
        ) = _BUT_SKIPPED(value)  # fmt: skip
        skipped = None
    else:
        get = value.get
        version, name, routine, text = get("v", FORMAT_VERSION), get("id"), get("routine"), get("started_at")
        active, planned, title, note = get("active_s"), get("planned_s"), get("title"), get("note")
        done, total, skipped = get("strokes_done"), get("strokes_total"), get("strokes_skipped")
        before, after, ended = get("tension_before"), get("tension_after"), get("ended_at")
        at, latest, logged = get("line_at"), get("latest_start"), get("logged_at")
        completed, source = get("completed"), get("source")
    if (
        version != FORMAT_VERSION
        or type(version) is not int
        or type(routine) is not str
        or not routine
        or type(text) is not str
        or type(name) is not str
        or type(logged) is not str
        or type(source) is not str
        or type(completed) is not bool
        or not ((type(active) is int or type(active) is float) and 0 <= active <= MAX_SECONDS)
        or (planned is not None and not ((type(planned) is int or type(planned) is float) and 0 <= planned <= MAX_SECONDS))
        or (title is not None and type(title) is not str)
        or (note is not None and type(note) is not str)
        or (done is not None and not (type(done) is int and 0 <= done <= MAX_COUNT))
        or (total is not None and not (type(total) is int and 0 <= total <= MAX_COUNT))
        or (skipped is not None and not (type(skipped) is int and 0 <= skipped <= MAX_COUNT))
        or (before is not None and not (type(before) is int and 0 <= before <= 10))
        or (after is not None and not (type(after) is int and 0 <= after <= 10))
        or (at is not None and type(at) is not int)
        or (latest is not None and type(latest) is not str)
    ):
        return None
    try:
        started = _fromisoformat(text)
        logged_at = _fromisoformat(logged)
        ending = None if ended is None else _fromisoformat(ended)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    if (
        started.tzinfo is None
        or logged_at.tzinfo is None
        or not MIN_YEAR <= started.year <= MAX_YEAR
        or not MIN_YEAR <= logged_at.year <= MAX_YEAR
    ):
        started, logged_at = parse_instant(text), parse_instant(logged, naive_is_utc=True)  # type: ignore[assignment]
        if started is None or logged_at is None:
            return None
    if ending is not None and (ending.tzinfo is None or not MIN_YEAR <= ending.year <= MAX_YEAR):
        return None  # (``_plain_v1`` asks for an offset; the loop of ``_entry_problem`` decides)
    return _new_line(Line, (value, started, logged_at, False))


_new_line = tuple.__new__  # ``Line(...)`` without its Python-level ``__new__``

_NONE = type(None)
_INT, _NUMBER, _TEXT = frozenset({int}), frozenset({int, float}), frozenset({str})
_MAYBE_INT, _MAYBE_NUMBER, _MAYBE_TEXT = _INT | {_NONE}, _NUMBER | {_NONE}, _TEXT | {_NONE}


def _plain_all(values: list[dict[str, Any]]) -> Parsed | None:
    """``_plain`` of each value at once, a field at a time, when every one is the usual entry with
    the same fields (all of them, or all but ``strokes_skipped``); else None (then each alone).

    The same tests as ``_plain`` on whole columns: of each field the kinds of value found, and
    the least and greatest number (zeros and None left out, as both are in every range).
    """
    sizes = set(map(len, values))
    try:
        if sizes == {len(_FIELDS)}:
            columns = list(zip(*map(_EVERY_FIELD, values), strict=True))
        elif sizes == {len(_FIELDS) - 1}:
            columns = list(zip(*map(_BUT_SKIPPED, values), strict=True))
            columns.insert(_FIELDS.index("strokes_skipped"), (None,))
        else:
            return None
    except KeyError:  # a field this check does not know
        return None
    (
        version, name, routine, title, text, ended, planned, active, completed, done, total, skipped,
        before, after, note, source, logged, at, latest,
    ) = columns  # fmt: skip
    if not (
        _kinds(version) == _INT
        and set(version) == {FORMAT_VERSION}
        and _kinds(routine) == _TEXT
        and "" not in routine
        and _kinds(text) == _kinds(name) == _kinds(logged) == _kinds(source) == _TEXT
        and _kinds(completed) == {bool}
        and _kinds(active) <= _NUMBER
        and _within(active, MAX_SECONDS)
        and _kinds(planned) <= _MAYBE_NUMBER
        and _within(planned, MAX_SECONDS)
        and _kinds(title) <= _MAYBE_TEXT
        and _kinds(note) <= _MAYBE_TEXT
        and _kinds(done) <= _MAYBE_INT
        and _kinds(total) <= _MAYBE_INT
        and _kinds(skipped) <= _MAYBE_INT
        and _within(done, MAX_COUNT)
        and _within(total, MAX_COUNT)
        and _within(skipped, MAX_COUNT)
        and _kinds(before) <= _MAYBE_INT
        and _kinds(after) <= _MAYBE_INT
        and _within(before, TENSION_RANGE[-1])
        and _within(after, TENSION_RANGE[-1])
        and _kinds(at) <= _MAYBE_INT
        and _kinds(latest) <= _MAYBE_TEXT
        and _kinds(ended) <= _MAYBE_TEXT
    ):
        return None
    instants = usual_instants(text, logged, ended)
    if instants is None:
        return None
    started, logged_at = instants
    lines = Parsed(map(_new_line, repeat(Line), zip(values, started, logged_at, repeat(False))))
    if len(skipped) != len(values):
        columns[_FIELDS.index("strokes_skipped")] = skipped = (None,) * len(values)
    lines.columns = dict(zip(_FIELDS, columns, strict=True))
    return lines


def _kinds(column: tuple[Any, ...]) -> set[type]:
    return set(map(type, column))


def _within(column: tuple[Any, ...], most: float) -> bool:
    """Whether every number of ``column`` is from 0 to ``most`` (None and zeros left out)."""
    numbers = list(filter(None, column))
    return not numbers or (min(numbers) >= 0 and max(numbers) <= most)


def usual_instants(
    starts: Sequence[str], loggings: Sequence[str], endings: Sequence[str | None]
) -> tuple[list[datetime], list[datetime]] | None:
    """When the usual entries started and were logged, when every ``started_at``, ``logged_at``
    and ``ended_at`` (or None) of theirs is a date-time with an offset and a year in range; else
    None (then ``_plain`` decides, line by line)."""
    try:
        started, logged = list(map(_fromisoformat, starts)), list(map(_fromisoformat, loggings))
        ending = list(map(_fromisoformat, filter(None, endings)))  # (an empty text is no date-time either)
    except (ValueError, OverflowError, OSError):
        return None
    if len(ending) != len(endings) - endings.count(None) or not (aware_in_range(started) and aware_in_range(logged) and aware_in_range(ending)):
        return None
    return started, logged


