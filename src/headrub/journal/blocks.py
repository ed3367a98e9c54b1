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
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from headrub.journal.checks import Line, _parse, _plain_v1
from headrub.journal.entries import FORMAT_VERSION, MAX_YEAR, MIN_YEAR, parse_instant
from headrub.journal.files import Source

CHUNK = 1 << 18  # bytes read at a time; a chunk is the whole lines among them
GROUP = 64  # lines parsed together again when a whole chunk cannot be (a damaged line among them)

_TWO_OBJECTS = re.compile(rb"}[ \t\r]*,[ \t\r]*{")  # on one line: the only way two could share it

_loads: Callable[[bytes], Any] | None
try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency; without it every line is parsed alone
    _loads = None

# Every field an entry of format v1 may carry, with the bookkeeping headrub adds to each line.
_PLAIN_KEYS = frozenset(
    {
        "v", "id", "routine", "title", "started_at", "ended_at", "planned_s", "active_s", "completed",
        "strokes_done", "strokes_total", "strokes_skipped", "tension_before", "tension_after", "note",
        "source", "logged_at", "line_at", "latest_start",
    }
)  # fmt: skip
_fromisoformat = datetime.fromisoformat


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
    parsed = list(map(_plain, values))
    if None in parsed:
        lines = split(chunk)
        for i, line in enumerate(parsed):
            if line is None:
                parsed[i] = _parse(lines[i])
    return parsed


def objects(chunk: bytes) -> list[dict[str, Any]] | None:
    """The JSON object of each line of ``chunk`` (whole lines), or None unless every line is one."""
    if chunk[-1:] != b"\n":
        return None
    return _objects(chunk[:-1], chunk.count(b"\n"))


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

    Never more lenient than ``_parse``: only known fields, each of its kind (``_plain_v1``), the
    bookkeeping an integer and a string, and both instants readable. An object that orjson and
    json could read differently (nested values, huge numbers) has a field of the wrong kind.
    """
    if not value.keys() <= _PLAIN_KEYS:
        return None  # a correction, or a field this check does not know
    get = value.get
    version = get("v", FORMAT_VERSION)
    routine = get("routine")
    text = get("started_at")
    at = get("line_at")
    latest = get("latest_start")
    if (
        version != FORMAT_VERSION
        or type(version) is not int
        or type(routine) is not str
        or not routine
        or type(text) is not str
        or (at is not None and type(at) is not int)
        or (latest is not None and type(latest) is not str)
        or not _plain_v1(value)
    ):
        return None
    started = _instant(text, False)
    logged = _instant(value["logged_at"], True)
    if started is None or logged is None:
        return None  # ``_parse`` names the problem
    return Line(value, started, logged)


def _instant(text: str, naive_is_utc: bool) -> datetime | None:
    """``entries.parse_instant`` of ``text``, quicker for the usual date-time with an offset."""
    try:
        moment = _fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        return parse_instant(text, naive_is_utc=naive_is_utc)
    return moment
