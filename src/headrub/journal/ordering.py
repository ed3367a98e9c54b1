"""The light passes of an export (``exporting``): where a window's lines begin, and which lines
are out of ``started_at`` order or may need folding.

Both read chunks of whole lines. A chunk of the usual lines (one ``"id"`` and one
``"started_at"`` a line, no correction) is done in a few calls over the whole chunk; any other
chunk line by line, with the regular expressions that define the answer (``linekeys``: ``_ID``,
``_STARTED``). The quick way is taken only where it gives the same answer.
"""

from __future__ import annotations

import heapq
import os
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice, repeat
from operator import gt, lt
from typing import Any, TypeVar

from headrub.journal.blocks import CHUNK, chunks, split
from headrub.journal.checks import Line, _parse, trusted_bound
from headrub.journal.files import Snapshot
from headrub.journal.linekeys import (
    _ID,
    _ID_REST,
    _OF,
    _STARTED,
    _doubtful,
    _escapes_doubtful,
    _ids_and_moments,
    _moments,
    _started,
    _started_quickly,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
REORDER = 1024  # lines held back to be put in order as they stream (sessions that overlap, say)


def _key(started: datetime) -> int:
    """A line's sort key: when it started, in microseconds (ties go by line number: file order)."""
    return (started - _EPOCH) // _MICROSECOND


# Something to put in place among the lines in order: (when it started, line number, offset,
# length, the line when already parsed and folded, else None: read it at ``offset`` when its turn comes).
Pending = tuple[datetime, int, int, int, Line | None]


_Item = TypeVar("_Item", bound=tuple[Any, ...])


def through(
    nearby: list[_Item], items: list[_Item], size: int, last: _Item | None
) -> tuple[list[_Item], list[_Item], list[int]]:
    """Pushing ``items`` one by one through the heap ``nearby`` (``heappush`` while it holds fewer
    than ``size``, then ``heappushpop``), worked out at once: (the items given out, in order, the
    heap left, and where the items are that make that answer wrong). Items are never equal.

    When no item comes too late (after a greater one was given out; ``last``: the last one given
    out before them), what is given out is the least of all, in order, and the heap keeps the rest
    (a sorted list is a heap). That is checked against the answer itself: each item must be
    greater than what it gave out just before the item arrived. The answer stands only when no
    item fails.
    """
    run = sorted(nearby + items)
    out = max(0, len(run) - size)
    given = run[:out]
    first_out = max(0, size - len(nearby))  # the first step that gives one out (the heap full)
    failing: list[int] = []
    if last is not None and not all(map(gt, items[: first_out + 1], repeat(last))):
        failing = [i for i, item in enumerate(items[: first_out + 1]) if not item > last]
    if not all(map(gt, islice(items, first_out + 1, None), given)):
        checked = zip(islice(items, first_out + 1, None), given, strict=False)
        failing += [first_out + 1 + i for i, (item, before) in enumerate(checked) if not item > before]
    return given, run[out:], failing


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
        """(moment, number, offset, length, None) by key, then number (added in file order: a stable sort)."""
        keys = self.keys
        for i in sorted(range(len(keys)), key=keys.__getitem__):
            yield _EPOCH + timedelta(microseconds=keys[i]), self.numbers[i], self.offsets[i], self.lengths[i], None


class _Index:
    """What ``scan`` gathers: the lines out of order, the suspect ids, the reordering heap."""

    def __init__(self, reorder: int) -> None:
        self.reorder = reorder
        self.side = Side()
        self.suspects: set[bytes] = set()
        self.nearby: list[tuple[datetime, int]] = []  # the reordering heap of the full pass: (started, number)
        self.last: tuple[datetime, int] | None = None  # the last item that heap gave out
        self.top_id = b""  # the greatest id so far
        # Each chunk read: (offset, lines before it, the least and greatest id found in it); both
        # None when its lines were read one by one. Where a suspect id can be (``exporting._hold``).
        self.regions: list[tuple[int, int, bytes | None, bytes | None]] = []
        # The chunks msgspec read, each line one JSON object: offset -> (length, lines). The full
        # pass reads the same chunks, and need not prove or count that again (``exporting._emit``).
        self.objects: dict[int, tuple[int, int]] = {}
        # A line whose id or start, as JSON reads it, is not what ``_ID`` or ``_STARTED`` finds (a
        # key written twice, or spelt with an escape): no quick pass can follow such a journal.
        self.doubtful = False

    def place(self, started: datetime, number: int) -> bool:
        """Run a line through the heap; False when it comes too late for it (it goes on the side)."""
        item = (started, number)
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
        if not self.doubtful and _doubtful(raw):
            self.doubtful = True
        found = _ID.search(raw)
        if found is not None:
            key = found.group(1)
            if key <= self.top_id:
                self.suspects.add(key)
            self.top_id = max(self.top_id, key)
        if not order:
            return
        started = _started(raw)
        if started is not None and not self.place(started, number):
            self.side.add(_key(started), offset, len(raw), number)

    def ids(self, ids: list[bytes]) -> None:
        """The ids of lines in file order, each found by ``_ID``."""
        if not ids:
            return
        if ids[0] > self.top_id and all(map(lt, ids, islice(ids, 1, None))):
            self.top_id = ids[-1]  # the usual case: each new and greater than the one before
            return
        for key in ids:
            if key <= self.top_id:
                self.suspects.add(key)
            self.top_id = max(self.top_id, key)

    def moments(self, moments: list[datetime], first: int) -> list[int]:
        """``place`` the lines that started at ``moments`` in turn (numbered from ``first``):
        where the late ones are among them.

        Worked out at once (``through``) when it can be: the lines that started before the last
        one given out are late for sure; any other that comes too late is found by the answer's
        own check, and then the answer is checked again without it.
        """
        items = list(zip(moments, range(first, first + len(moments)), strict=True))
        late: set[int] = set()
        if self.last is not None and items and min(moments) < self.last[0]:  # (a later line: a greater number)
            late = {i for i, started in enumerate(moments) if started < self.last[0]}
        sure = len(late)
        first_out = max(0, self.reorder - len(self.nearby))
        for _ in range(3):
            kept = [i for i in range(len(items)) if i not in late] if late else range(len(items))
            given, left, failing = through(self.nearby, [items[i] for i in kept], self.reorder, self.last)
            if failing:
                late.update(kept[i] for i in failing)
                continue
            if len(late) > sure and not all(
                _late_in(items[i], bisect_left(kept, i) - first_out - 1, given, self.last) for i in late
            ):
                break
            self.nearby = left
            if given:
                self.last = given[-1]
            return sorted(late)
        place = self.place
        return [i for i, started in enumerate(moments) if not place(started, first + i)]


def _late_in(item: tuple[datetime, int], before: int, given: list[tuple[datetime, int]], last: tuple[datetime, int] | None) -> bool:
    """Whether ``item`` comes too late when ``given[before]`` (``last`` below 0) is the last given out."""
    bound = given[before] if before >= 0 else last
    return bound is not None and item < bound


def scan(handle: Snapshot, start: int, reorder: int = REORDER) -> _Index:
    """The lines out of ``started_at`` order (for a heap of ``reorder`` lines), the ids that may
    need folding (not greater than one before them, or named by a correction), and where each
    chunk's ids lie (``_Index.regions``)."""
    return _index(handle, start, reorder, None)[1]


def window_scan(handle: Snapshot, since: datetime, reorder: int = REORDER) -> tuple[int, _Index]:
    """``stop_offset(handle, since)``, and ``scan`` from there: one pass when the journal's first
    lines are in the window already (an export of everything, say), else the backward scan first."""
    handle.seek(0)
    first = next(chunks(handle), b"")
    quick = _ids_and_moments(first)
    if quick is None or min(quick.moments) < since:
        start = stop_offset(handle, since)
        return start, scan(handle, start, reorder)
    return _index(handle, 0, reorder, since)


def _index(handle: Snapshot, start: int, reorder: int, since: datetime | None) -> tuple[int, _Index]:
    """``scan`` from ``start``; with ``since``, started again after each line that proves every
    line before it started before ``since`` (``_proves``): the last one is ``stop_offset``'s."""
    state = _Index(reorder)
    number, offset = 0, start
    handle.seek(start)
    for chunk in chunks(handle):
        quick = _ids_and_moments(chunk)
        if since is not None and (quick is None or min(quick.moments) < since):
            lines = split(chunk)
            starts = list(accumulate(map(len, lines), initial=offset))
            last = next((i for i in range(len(lines) - 1, -1, -1) if _proves(lines[i], starts[i], since)), None)
            if last is not None:  # the window begins after this line: what came before does not count
                torn = lines[last][-1:] != b"\n"  # (``stop_offset`` counts a newline after a torn last line)
                state, number, start = _Index(reorder), 0, starts[last + 1] + torn
                lines, starts = lines[last + 1 :], starts[last + 1 :]
                quick = None
            if quick is None:
                if lines:
                    state.regions.append((starts[0], number, None, None))
                for raw, at in zip(lines, starts, strict=False):
                    number += 1
                    state.line(raw, number, at)
                offset += len(chunk)
                continue
        if quick is None:
            state.regions.append((offset, number, None, None))
            for raw in split(chunk):
                number += 1
                state.line(raw, number, offset)
                offset += len(raw)
            continue
        ids, moments, objects = quick
        state.regions.append((offset, number, min(ids, default=None), max(ids, default=None)))
        if objects:
            state.objects[offset] = (len(chunk), len(moments))
        state.ids(ids)
        late = state.moments(moments, number + 1)
        at, line = 0, 0  # where line ``line`` of the chunk starts (the late ones are in order)
        for j in late:
            while line < j:
                at, line = chunk.index(b"\n", at) + 1, line + 1
            end = chunk.index(b"\n", at) + 1
            state.side.add(_key(moments[j]), offset + at, end - at, number + 1 + j)
        number += len(moments)
        offset += len(chunk)
    return start, state


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


def suspect_scan(handle: Snapshot) -> _Index:
    """The ids ``scan`` finds suspect from the start (or more: see ``_ids_and_moments``), with where
    each chunk's ids lie (``_Index.regions``); no line put in order."""
    state = _Index(REORDER)
    number, offset = 0, 0
    handle.seek(0)
    for chunk in chunks(handle):
        lines = chunk.count(b"\n")
        whole = chunk[-1:] == b"\n" and b'"correction"' not in chunk
        ids = _ID_REST.findall(chunk) if whole else []
        if (
            not whole
            or len(ids) != lines
            or chunk.count(b'"id"') != lines
            or (b"\\" in chunk and _escapes_doubtful(chunk))
        ):  # (a line holds no id, or a key twice, or is doubtful: each line is looked at alone)
            state.regions.append((offset, number, None, None))
            for raw in split(chunk):
                state.line(raw, 0, 0, order=False)
        else:  # one id a line (with the count: one "id" key a line)
            state.regions.append((offset, number, min(ids, default=None), max(ids, default=None)))
            state.ids(ids)
        number += chunk.count(b"\n") + (chunk[-1:] != b"\n")
        offset += len(chunk)
    return state


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
