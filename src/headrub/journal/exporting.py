"""Streaming a window of the journal in ``started_at`` order, in about constant memory.

``journal --csv`` and ``--json`` over a big journal must not hold every entry. Two passes over
the same snapshot of the file:

1. A light pass finds, for each line, its ``started_at`` with a regular expression (a full
   parse only where that fails) and whether the journal needs folding (a correction, or an id
   not greater than the one before: see ``reader.fold_lines``). Lines a little out of order
   (sessions that overlap) are put in order by a heap of ``REORDER`` lines as they stream; the
   pass runs the same heap on the keys alone, and the lines it could not place (back-dated by
   days, merged) are noted, with their offsets, to be put in place from a sorted list.
2. A full pass parses and checks each line as every reader does and yields the entries in the
   window, slipping the noted ones in where they belong.

Memory grows only with the number of lines out of order. A journal that needs folding is read
the ordinary way (``None`` is returned: the caller reads in full).
"""

from __future__ import annotations

import heapq
import os
import re
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from headrub import timeutil
from headrub.errors import JournalError
from headrub.journal.checks import Line, _parse, _version, trusted_bound
from headrub.journal.corrections import fold, strip
from headrub.journal.entries import FORMAT_VERSION, parse_instant, started_at
from headrub.journal.files import Snapshot, _reason, _show, reading
from headrub.journal.reader import BLOCK_SIZE, Warn, _count_newlines, _lines_backward, report_problems
from headrub.paths import journal_file
from headrub.timeutil import Window

_STARTED = re.compile(rb'"started_at"\s*:\s*"([^"\\]{1,64})"')
_ID = re.compile(rb'"id"\s*:\s*"([^"\\]{1,200})"')


def export_lines(path: Path | None, window: Window | None, warn: Warn | None) -> Iterator[Line]:
    """The window's entries, as corrected, sorted by ``started_at`` (ties in file order), streamed.

    Warnings are given once the last entry has been yielded.
    """
    target = Path(path) if path is not None else journal_file()
    chosen = window or timeutil.EVERYTHING
    try:
        handle_context = reading(target, warn)
        handle = handle_context.__enter__()
    except FileNotFoundError:
        return iter(())
    except OSError as err:
        raise JournalError(f"cannot read the journal {_show(target)}: {_reason(err)}") from None
    try:
        start = 0 if chosen.since is None else _stop_offset(handle, chosen.since)
        side, suspects = _index(handle, start)
        held: list[Pending] = []
        problems: list[tuple[int, str]] = []
        held_offsets: set[int] = set()
        if suspects:
            held, held_offsets, problems = _hold(handle, start, suspects, chosen)
            if held_offsets:
                side = side.without(held_offsets)  # folded: put in place as held
    except BaseException:
        handle_context.__exit__(None, None, None)
        raise
    return _emit(target, handle, handle_context, side, held, held_offsets, problems, start, chosen, warn)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REORDER = 1024  # lines held back to be put in order as they stream (sessions that overlap, say)


_MICROSECOND = timedelta(microseconds=1)


def _key(started: datetime) -> int:
    """A line's sort key: when it started, in microseconds (ties go by offset: a stable sort's order)."""
    return (started - _EPOCH) // _MICROSECOND


class Side:
    """The lines out of order, in four compact arrays (a million entries must not cost a gigabyte)."""

    def __init__(self) -> None:
        self.keys, self.offsets, self.lengths, self.numbers = array("q"), array("q"), array("q"), array("q")

    def add(self, key: int, offset: int, length: int, number: int) -> None:
        self.keys.append(key)
        self.offsets.append(offset)
        self.lengths.append(length)
        self.numbers.append(number)

    def without(self, offsets: set[int]) -> Side:
        kept = Side()
        for i, offset in enumerate(self.offsets):
            if offset not in offsets:
                kept.add(self.keys[i], offset, self.lengths[i], self.numbers[i])
        return kept

    def in_order(self) -> Iterator[tuple[int, int, int, int, Line | None]]:
        """(key, offset, length, number, None) by key, then offset (added in file order: a stable sort)."""
        keys = self.keys
        for i in sorted(range(len(keys)), key=keys.__getitem__):
            yield keys[i], self.offsets[i], self.lengths[i], self.numbers[i], None


# Something to put in place among the lines in order: (sort key, offset, length, line number, the
# line when already parsed and folded, else None: read it at ``offset`` when its turn comes).
Pending = tuple[int, int, int, int, Line | None]
_OF = re.compile(rb'"of"\s*:\s*"([^"\\]{1,200})"')


def _index(handle: Snapshot, start: int) -> tuple[Side, set[bytes]]:
    """The lines out of ``started_at`` order, and the ids that may need folding (not greater than
    one before them, or named by a correction)."""
    side = Side()
    suspects: set[bytes] = set()
    nearby: list[tuple[int, int]] = []  # the same reordering heap the full pass keeps, keys only
    last: tuple[int, int] | None = None  # the last key that heap gave out
    top = b""
    offset = start
    handle.seek(start)
    for number, raw in enumerate(handle, start=1):
        length = len(raw)
        if b'"correction"' in raw:
            target = _OF.search(raw)
            suspects.add(target.group(1) if target is not None else b"")
        found = _ID.search(raw)
        if found is not None:
            key = found.group(1)
            if key <= top:
                suspects.add(key)
            top = max(top, key)
        started = _started(raw)
        if started is not None:
            key = (_key(started), offset)
            if last is not None and key < last:
                side.add(key[0], offset, length, number)
            elif len(nearby) < REORDER:
                heapq.heappush(nearby, key)
            else:  # one sift, not a push and a pop
                last = heapq.heappushpop(nearby, key)
        offset += length
    return side, suspects


def _hold(
    handle: Snapshot, start: int, suspects: set[bytes], window: Window
) -> tuple[list[Pending], set[int], list[tuple[int, str]]]:
    """The lines of the ids that need folding, parsed and folded: (the entries in the window as
    pending items at their first copy's place, the offsets to skip, their problems).

    A suspect id needs folding when it occurs more than once or a correction names it; only
    those lines (and the corrections) are parsed, read back by offset.
    """
    seen: dict[bytes, list[tuple[int, int, int]]] = {}
    fixes: list[tuple[int, int, int]] = []
    corrected: set[bytes] = set()
    offset = start
    handle.seek(start)
    for number, raw in enumerate(handle, start=1):
        here, offset = offset, offset + len(raw)
        if b'"correction"' in raw:
            fixes.append((here, len(raw), number))
            target = _OF.search(raw)
            if target is not None:
                corrected.add(target.group(1))
            continue
        found = _ID.search(raw)
        if found is not None and found.group(1) in suspects:
            seen.setdefault(found.group(1), []).append((here, len(raw), number))
    places = [*fixes]
    for key, where in seen.items():
        if len(where) > 1 or key in corrected:
            places.extend(where)
    places.sort()
    lines: list[tuple[int, int, Line]] = []
    offsets: set[int] = set()
    problems: list[tuple[int, str]] = []
    for here, length, number in places:
        parsed = _parse(_read(handle, here, length))
        if parsed is None:
            continue
        offsets.add(here)
        if isinstance(parsed, str):
            problems.append((number, parsed))
        else:
            lines.append((here, number, parsed))
    first: dict[str, tuple[int, int]] = {}
    for here, number, line in lines:
        if not line.is_correction:
            first.setdefault(str(line.entry.get("id")), (here, number))
    entries = [line.entry for _, _, line in lines if not line.is_correction]
    folded = fold(entries, [line.entry for _, _, line in lines if line.is_correction])
    held: list[Pending] = []
    for entry in folded:
        line = Line(entry, started_at(entry), None)
        if window.contains(line.started):
            here, number = first[str(entry.get("id"))]
            held.append((_key(line.started), here, 0, number, line))
    return held, offsets, problems


def _read(handle: Snapshot, offset: int, length: int) -> bytes:
    """``length`` bytes at ``offset``, without moving the handle."""
    if hasattr(os, "pread"):
        return os.pread(handle.fileno(), length, offset)
    return _read_at(handle, offset, length)  # pragma: no cover - Windows


def _stop_offset(handle: Snapshot, since: datetime) -> int:
    """Where a window's lines begin: after the last line that proves none before it is in the
    window (the rule of ``reader._scan_backward``); 0 when no line does."""
    for raw, start in _lines_backward(handle, BLOCK_SIZE):
        started = _started_quickly(raw)
        if started is not None and started >= since:
            continue
        parsed = _parse(raw)
        if isinstance(parsed, Line) and parsed.started < since:
            bound = trusted_bound(parsed, start)
            if bound is not None and bound < since:
                return start + len(raw) + 1
    return 0


def _started_quickly(raw: bytes) -> datetime | None:
    found = _STARTED.search(raw)
    return parse_instant(found.group(1).decode("ascii", "replace")) if found is not None else None


def _started(raw: bytes) -> datetime | None:
    moment = _started_quickly(raw)
    if moment is not None:
        return moment
    parsed = _parse(raw)
    return parsed.started if isinstance(parsed, Line) else None


def _emit(
    target: Path,
    handle: Snapshot,
    handle_context: object,
    side: Side,
    held: list[Pending],
    held_offsets: set[int],
    problems: list[tuple[int, str]],
    start: int,
    window: Window,
    warn: Warn | None,
) -> Iterator[Line]:
    newest = FORMAT_VERSION
    pending = heapq.merge(
        side.in_order(), sorted(held, key=lambda item: item[:2]), key=lambda item: (item[0], item[1])
    )
    waiting = next(pending, None)  # the next item to put in place
    nearby: list[tuple[int, int, Line]] = []  # (key, offset, line) held back, at most REORDER (see _index)
    skips = iter(side.offsets)  # in file order
    next_skip = next(skips, -1)

    def take(item: Pending) -> Line | None:
        nonlocal newest
        _, offset, length, number, line = item
        if line is not None:
            newest = max(newest, _version(line.entry))
            return line
        parsed = _parse(_read(handle, offset, length))
        if isinstance(parsed, str):
            problems.append((number, parsed))
            return None
        if parsed is None or not window.contains(parsed.started):
            return None
        newest = max(newest, _version(parsed.entry))
        strip(parsed.entry)
        return parsed

    try:
        offset = start
        handle.seek(start)
        for number, raw in enumerate(handle, start=1):
            here = offset
            offset += len(raw)
            if here == next_skip:
                next_skip = next(skips, -1)
                continue
            if here in held_offsets:
                continue
            parsed = _parse(raw)
            if isinstance(parsed, str):
                problems.append((number, parsed))
                continue
            if parsed is None or not window.contains(parsed.started):
                continue
            newest = max(newest, _version(parsed.entry))
            strip(parsed.entry)
            item = (_key(parsed.started), here, parsed)  # offsets differ: a Line is never compared
            if len(nearby) < REORDER:
                heapq.heappush(nearby, item)
                continue
            key, at, ready = heapq.heappushpop(nearby, item)
            while waiting is not None and (waiting[0], waiting[1]) < (key, at):
                line = take(waiting)
                waiting = next(pending, None)
                if line is not None:
                    yield line
            yield ready
        while nearby:
            key, at, ready = heapq.heappop(nearby)
            while waiting is not None and (waiting[0], waiting[1]) < (key, at):
                line = take(waiting)
                waiting = next(pending, None)
                if line is not None:
                    yield line
            yield ready
        while waiting is not None:
            line = take(waiting)
            waiting = next(pending, None)
            if line is not None:
                yield line
        if problems and start:
            before = _count_newlines(handle, start, BLOCK_SIZE)
            problems = [(number + before, reason) for number, reason in problems]
    finally:
        handle_context.__exit__(None, None, None)  # type: ignore[attr-defined]
    if warn is not None:
        report_problems(target, sorted(problems), newest, warn)


def _read_at(handle: Snapshot, offset: int, length: int) -> bytes:  # pragma: no cover - Windows
    position = handle.tell()
    handle.seek(offset)
    data = handle.read(length)
    handle.seek(position)
    return data
