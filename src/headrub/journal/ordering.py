"""The light passes of an export (``exporting``): where a window's lines begin, and which lines
are out of ``started_at`` order or may need folding.

Both read chunks of whole lines. A chunk of the usual lines (one ``"id"`` and one
``"started_at"`` a line, no correction) is done in a few calls over the whole chunk; any other
chunk line by line, with the regular expressions that define the answer (``_ID``,
``_STARTED``). The quick way is taken only where it gives the same answer.
"""

from __future__ import annotations

import heapq
import os
import re
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice
from operator import attrgetter, lt

from headrub.journal.blocks import CHUNK, chunks, split
from headrub.journal.checks import Line, _parse, trusted_bound
from headrub.journal.entries import MAX_YEAR, MIN_YEAR, parse_instant
from headrub.journal.files import Snapshot

_STARTED = re.compile(rb'"started_at"\s*:\s*"([^"\\]{1,64})"')
_ID = re.compile(rb'"id"\s*:\s*"([^"\\]{1,200})"')
_OF = re.compile(rb'"of"\s*:\s*"([^"\\]{1,200})"')

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
REORDER = 1024  # lines held back to be put in order as they stream (sessions that overlap, say)
_fromisoformat = datetime.fromisoformat
_zone, _year = attrgetter("tzinfo"), attrgetter("year")


def _key(started: datetime) -> int:
    """A line's sort key: when it started, in microseconds (ties go by line number: file order)."""
    return (started - _EPOCH) // _MICROSECOND


# Something to put in place among the lines in order: (sort key, line number, offset, length, the
# line when already parsed and folded, else None: read it at ``offset`` when its turn comes).
Pending = tuple[int, int, int, int, Line | None]


class Side:
    """The lines out of order, in four compact arrays (a million entries must not cost a gigabyte)."""

    def __init__(self) -> None:
        self.keys, self.offsets, self.lengths, self.numbers = array("q"), array("q"), array("q"), array("q")

    def add(self, key: int, offset: int, length: int, number: int) -> None:
        self.keys.append(key)
        self.offsets.append(offset)
        self.lengths.append(length)
        self.numbers.append(number)

    def without(self, numbers: set[int]) -> Side:
        kept = Side()
        for i, number in enumerate(self.numbers):
            if number not in numbers:
                kept.add(self.keys[i], self.offsets[i], self.lengths[i], number)
        return kept

    def in_order(self) -> Iterator[Pending]:
        """(key, number, offset, length, None) by key, then number (added in file order: a stable sort)."""
        keys = self.keys
        for i in sorted(range(len(keys)), key=keys.__getitem__):
            yield keys[i], self.numbers[i], self.offsets[i], self.lengths[i], None


class _Index:
    """What ``index`` gathers: the lines out of order, the suspect ids, the reordering heap."""

    def __init__(self, reorder: int) -> None:
        self.reorder = reorder
        self.side = Side()
        self.suspects: set[bytes] = set()
        self.nearby: list[tuple[int, int]] = []  # the same reordering heap the full pass keeps, keys only
        self.last: tuple[int, int] | None = None  # the last key that heap gave out
        self.top = b""  # the greatest id so far

    def place(self, key: int, number: int) -> bool:
        """Run a line through the heap; False when it comes too late for it (it goes on the side)."""
        item = (key, number)
        if self.last is not None and item < self.last:
            return False
        if len(self.nearby) < self.reorder:
            heapq.heappush(self.nearby, item)
        else:  # one sift, not a push and a pop
            self.last = heapq.heappushpop(self.nearby, item)
        return True

    def line(self, raw: bytes, number: int, offset: int, *, order: bool = True) -> None:
        """One line, read by itself: the rule every quick path must agree with (its ids alone
        without ``order``)."""
        if b'"correction"' in raw:
            target = _OF.search(raw)
            self.suspects.add(target.group(1) if target is not None else b"")
        found = _ID.search(raw)
        if found is not None:
            key = found.group(1)
            if key <= self.top:
                self.suspects.add(key)
            self.top = max(self.top, key)
        if not order:
            return
        started = _started(raw)
        if started is not None and not self.place(_key(started), number):
            self.side.add(_key(started), offset, len(raw), number)

    def ids(self, ids: list[bytes]) -> None:
        """The ids of lines in file order, each found by ``_ID``."""
        if not ids:
            return
        if ids[0] > self.top and all(map(lt, ids, islice(ids, 1, None))):
            self.top = ids[-1]  # the usual case: each new and greater than the one before
            return
        for key in ids:
            if key <= self.top:
                self.suspects.add(key)
            self.top = max(self.top, key)


def index(handle: Snapshot, start: int, reorder: int = REORDER) -> tuple[Side, set[bytes]]:
    """The lines out of ``started_at`` order (for a heap of ``reorder`` lines), and the ids that
    may need folding (not greater than one before them, or named by a correction)."""
    _, side, suspects = _index(handle, start, reorder, None)
    return side, suspects


def window_index(handle: Snapshot, since: datetime, reorder: int = REORDER) -> tuple[int, Side, set[bytes]]:
    """``stop_offset(handle, since)``, and ``index`` from there: one pass when the journal's first
    lines are in the window already (an export of everything, say), else the backward scan first."""
    handle.seek(0)
    first = next(chunks(handle), b"")
    quick = _ids_and_keys(first)
    if quick is None or min(quick[1]) < _key(since):
        start = stop_offset(handle, since)
        return (start, *index(handle, start, reorder))
    return _index(handle, 0, reorder, since)


def _index(handle: Snapshot, start: int, reorder: int, since: datetime | None) -> tuple[int, Side, set[bytes]]:
    """``index`` from ``start``; with ``since``, started again after each line that proves every
    line before it started before ``since`` (``_proves``): the last one is ``stop_offset``'s."""
    state = _Index(reorder)
    number, offset = 0, start
    bound = _LAST_KEY if since is None else _key(since)
    handle.seek(start)
    for chunk in chunks(handle):
        quick = _ids_and_keys(chunk)
        if since is not None and (quick is None or min(quick[1]) < bound):
            lines = split(chunk)
            starts = list(accumulate(map(len, lines), initial=offset))
            last = next((i for i in range(len(lines) - 1, -1, -1) if _proves(lines[i], starts[i], since)), None)
            if last is not None:  # the window begins after this line: what came before does not count
                torn = lines[last][-1:] != b"\n"  # (``stop_offset`` counts a newline after a torn last line)
                state, number, start = _Index(reorder), 0, starts[last + 1] + torn
                lines, starts = lines[last + 1 :], starts[last + 1 :]
                quick = None
            if quick is None:
                for raw, at in zip(lines, starts, strict=False):
                    number += 1
                    state.line(raw, number, at)
                offset += len(chunk)
                continue
        if quick is None:
            for raw in split(chunk):
                number += 1
                state.line(raw, number, offset)
                offset += len(raw)
            continue
        ids, keys = quick
        state.ids(ids)
        starts_in: list[int] | None = None
        place = state.place
        for i, key in enumerate(keys, start=number + 1):
            if not place(key, i):
                if starts_in is None:  # where each line of the chunk starts (its newline counted)
                    starts_in = list(accumulate(map(_plus_newline, chunk.split(b"\n")), initial=offset))
                j = i - number - 1  # its place in the chunk
                state.side.add(key, starts_in[j], starts_in[j + 1] - starts_in[j], i)
        number += len(keys)
        offset += len(chunk)
    return start, state.side, state.suspects


_LAST_KEY = 1 << 62


def _proves(raw: bytes, at: int, since: datetime) -> bool:
    """Whether the line ``raw`` at offset ``at`` proves that no line before it is in the window
    (the test of ``stop_offset``, line by line)."""
    line = raw[:-1] if raw[-1:] == b"\n" else raw
    started = _started_quickly(line)
    if started is not None and started >= since:
        return False
    parsed = _parse(line)
    if not isinstance(parsed, Line) or parsed.started >= since:
        return False
    bound = trusted_bound(parsed, at)
    return bound is not None and bound < since


def _plus_newline(line: bytes) -> int:
    return len(line) + 1


def _ids_and_keys(chunk: bytes) -> tuple[list[bytes], list[int]] | None:
    """The ids (``_ID`` matches) and each line's sort key (as ``_started``), for a chunk of whole
    lines that each have a ``started_at`` ``_STARTED`` finds; None for any other chunk (then each
    line is read by itself).

    Both expressions never match across a newline, so over the chunk they find each line's
    matches in turn: ``_STARTED_LINE`` takes the rest of the line with its first, so as many
    matches as lines is one a line. The ids may hold more than one a line (and no line's first
    is left out): that can only add suspects, and a suspect is folded only if its id is repeated
    or corrected, so the export is the same.
    """
    count = chunk.count(b"\n")
    if not count or chunk[-1:] != b"\n" or b'"correction"' in chunk:
        return None
    texts = _STARTED_LINE.findall(chunk)
    joined = b'"'.join(texts)  # (no text holds a quote)
    if len(texts) != count or not joined.isascii():
        return None
    moments = _moments(joined.decode().split('"'))
    if moments is None:
        return None
    return _ID_LINE.findall(chunk), [(moment - _EPOCH) // _MICROSECOND for moment in moments]


# ``_STARTED`` and ``_ID`` as they match inside one line (with no newline in them, as any match
# in a line is: a line's only newline is its last byte), the first up to the end of its line.
_STARTED_LINE = re.compile(rb'"started_at"[ \t\r\f\v]*:[ \t\r\f\v]*"([^"\\\n]{1,64})"[^\n]*\n')
_ID_LINE = re.compile(rb'"id"[ \t\r\f\v]*:[ \t\r\f\v]*"([^"\\\n]{1,200})"')


def suspects(handle: Snapshot) -> set[bytes]:
    """The ids ``index`` finds suspect from the start (or more: see ``_ids_and_keys``)."""
    state = _Index(REORDER)
    handle.seek(0)
    for chunk in chunks(handle):
        if b'"correction"' in chunk or chunk[-1:] != b"\n":
            for raw in split(chunk):
                state.line(raw, 0, 0, order=False)
        else:
            state.ids(_ID_LINE.findall(chunk))
    return state.suspects


def _moments(texts: list[str]) -> list[datetime] | None:
    """``parse_instant`` of each text, when every one is a date-time with an offset in range."""
    try:
        moments = list(map(_fromisoformat, texts))
    except (ValueError, OverflowError, OSError):
        return None
    if (
        None in map(_zone, moments)
        or min(map(_year, moments)) < MIN_YEAR
        or max(map(_year, moments)) > MAX_YEAR
    ):
        return None
    return moments


def _started_quickly(raw: bytes) -> datetime | None:
    found = _STARTED.search(raw)
    return parse_instant(found.group(1).decode("ascii", "replace")) if found is not None else None


def _started(raw: bytes) -> datetime | None:
    moment = _started_quickly(raw)
    if moment is not None:
        return moment
    parsed = _parse(raw)
    return parsed.started if isinstance(parsed, Line) else None


def stop_offset(handle: Snapshot, since: datetime) -> int:
    """Where a window's lines begin: after the last line that proves none before it is in the
    window (the rule of ``reader._scan_backward``); 0 when no line does.

    Read from the end a chunk at a time; a chunk whose every ``started_at`` is in the window is
    passed over whole (``_all_from``), any other read line by line.
    """
    for at, chunk in _chunks_backward(handle):
        if _all_from(chunk, since):
            continue
        lines = split(chunk)
        starts = list(accumulate(map(len, lines), initial=at))
        for i in range(len(lines) - 1, -1, -1):
            raw = lines[i][:-1] if lines[i][-1:] == b"\n" else lines[i]
            started = _started_quickly(raw)
            if started is not None and started >= since:
                continue
            parsed = _parse(raw)
            if isinstance(parsed, Line) and parsed.started < since:
                bound = trusted_bound(parsed, starts[i])
                if bound is not None and bound < since:
                    return starts[i] + len(raw) + 1
    return 0


def _all_from(chunk: bytes, since: datetime) -> bool:
    """Whether line by line every line of ``chunk`` would be passed over: its ``started_at`` (as
    ``_STARTED`` finds it) at or after ``since``.

    With no backslash, every ``started_at`` field is named in plain bytes; when each of those
    names is a match of ``_STARTED`` whose date-time is at or after ``since``, each line's first
    match is too, and a line with none has no ``started_at`` (not an entry: passed over too).
    """
    if b"\\" in chunk:
        return False
    found = _STARTED.findall(chunk)
    if not found or len(found) != chunk.count(b'"started_at"'):
        return False
    joined = b'"'.join(found)  # (no text holds a quote)
    if not joined.isascii():
        return False
    moments = _moments(joined.decode().split('"'))
    return moments is not None and min(moments) >= since


def _chunks_backward(handle: Snapshot) -> Iterator[tuple[int, bytes]]:
    """(offset, chunk) of whole lines from the end of the file to its start, about ``CHUNK``
    bytes each: each chunk starts at a line's start and ends where the one before it began."""
    pos = handle.seek(0, os.SEEK_END)
    tail: list[bytes] = []  # the start of the chunk given next: bytes after the last cut
    while pos > 0:
        step = min(CHUNK, pos)
        pos -= step
        handle.seek(pos)
        data = handle.read(step)
        cut = data.find(b"\n") + 1 if pos else 0
        if pos and not cut:
            tail.insert(0, data)  # inside a line longer than a chunk
            continue
        yield pos + cut, b"".join([data[cut:], *tail])
        tail = [data[:cut]]
