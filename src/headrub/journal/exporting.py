"""Streaming a window of the journal in ``started_at`` order, in about constant memory.

``journal --csv`` and ``--json`` over a big journal must not hold every entry. Two passes over
the same snapshot of the file:

1. A light pass (``ordering.scan``) finds, for each line, its ``started_at`` and whether the
   journal needs folding (a correction, or an id not greater than the one before: see
   ``reader.fold_lines``). Lines a little out of order (sessions that overlap) are put in order
   by a heap of ``REORDER`` lines as they stream; the pass runs the same heap on the keys alone,
   and the lines it could not place (back-dated by days, merged) are noted, with their offsets,
   to be put in place from a sorted list.
2. A full pass parses and checks each line as every reader does (``blocks.parse_chunk``: many
   lines at once) and yields the entries in the window, slipping the noted ones in where they
   belong. A chunk whose every line is the usual entry goes quicker still when the shape knows
   records (``of_usual``): msgspec reads and checks it in one call (``usual.read_usual``) and
   the shape makes its rows or items straight from the records.

Memory grows only with the number of lines out of order. A journal that needs folding is read
the ordinary way (``None`` is returned: the caller reads in full).
"""

from __future__ import annotations

import gc
import heapq
import os
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from headrub import timeutil
from headrub.errors import JournalError
from headrub.journal.blocks import chunks, parse_chunk, split
from headrub.journal.checks import Line, _parse, _version
from headrub.journal.corrections import fold, strip
from headrub.journal.entries import FORMAT_VERSION, Entry, started_at
from headrub.journal.files import Snapshot, _reason, _show, reading
from headrub.journal.linekeys import _ID, _OF
from headrub.journal.ordering import (
    REORDER,
    Pending,
    Side,
    scan,
    through,
    window_scan,
)
from headrub.journal.reader import BLOCK_SIZE, Warn, _count_newlines, report_problems
from headrub.paths import journal_file
from headrub.timeutil import Window


def export_batches(
    path: Path | None,
    window: Window | None,
    warn: Warn | None,
    *,
    routine: str | None = None,
    shape: Shape | None = None,
) -> Iterator[list[Any]] | None:
    """The window's entries, as corrected, sorted by ``started_at`` (ties in file order), streamed a
    list at a time, only ``routine``'s entries if given; with ``shape``, what it makes of the
    entries (a row of text each, say) instead of their lines. None when the journal cannot be
    streamed (then it is read in full: ``reader``). Warnings are given once the last list is out.

    ``shape`` is given the entries of each chunk as soon as they are read, in file order, and
    returns one thing for each: made while they are fresh, and small to hold while the lines are
    put in order. A shape with an ``of_columns`` method is given instead, for a chunk of usual
    entries all shown, their fields as ``blocks.parse_chunk`` read them (``Parsed.columns``); one
    with an ``of_usual`` method, a chunk of usual entries as msgspec records (``usual.UsualChunk``)
    with the places of those to shape (None: all), and it may answer None (then the chunk is read
    the ordinary way).
    """
    target = Path(path) if path is not None else journal_file()
    chosen = window or timeutil.EVERYTHING
    try:
        handle_context = reading(target, warn)
        handle = handle_context.__enter__()
    except FileNotFoundError:
        return iter([])
    except OSError as err:
        raise JournalError(f"cannot read the journal {_show(target)}: {_reason(err)}") from None
    try:
        if chosen.since is None:
            start, scanned = 0, scan(handle, 0, REORDER)
        else:
            start, scanned = window_scan(handle, chosen.since, REORDER)
        if scanned.doubtful:  # (a hand-edited line: the quick passes could place it otherwise than JSON reads it)
            handle_context.__exit__(None, None, None)
            return None
        side, suspects = scanned.side, scanned.suspects
        held: list[Pending] = []
        problems: list[tuple[int, str]] = []
        held_numbers: set[int] = set()
        if suspects:
            held, held_numbers, problems = _hold(handle, scanned.regions, suspects, chosen)
            if held_numbers:
                side = side.without(held_numbers)  # folded: put in place as held
    except BaseException:
        handle_context.__exit__(None, None, None)
        raise
    plan = _Plan(side, held, held_numbers, problems, start, scanned.objects)
    return _emit(target, handle, handle_context, plan, chosen, warn, routine, shape or _LINES)


def _hold(
    handle: Snapshot, regions: list[tuple[int, int, bytes | None, bytes | None]], suspects: set[bytes], window: Window
) -> tuple[list[Pending], set[int], list[tuple[int, str]]]:
    """The lines of the ids that need folding, parsed and folded: (the entries in the window as
    pending items at their first copy's place, the line numbers to skip, their problems).

    A suspect id needs folding when it occurs more than once or a correction names it; only
    those lines (and the corrections) are parsed, read back by offset. Only the chunks that can
    hold a suspect or a correction are read again (``ordering._Index.regions``).
    """
    seen: dict[bytes, list[tuple[int, int, int]]] = {}
    fixes: list[tuple[int, int, int]] = []
    corrected: set[bytes] = set()
    in_order = sorted(suspects)  # (a merged journal can hold thousands: each region is one search)
    for i, (offset, number, least, greatest) in enumerate(regions):
        if least is not None and greatest is not None:
            at = bisect_left(in_order, least)
            if at == len(in_order) or in_order[at] > greatest:
                continue  # no suspect id is in it, nor a correction (those chunks are read line by line)
        handle.seek(offset)
        chunk = handle.read(regions[i + 1][0] - offset if i + 1 < len(regions) else -1)
        for raw in split(chunk):
            number += 1
            here, offset = offset, offset + len(raw)
            if b'"correction"' in raw:  # (perhaps only as a value: then an entry, counted below too)
                fixes.append((here, len(raw), number))
                target = _OF.search(raw)
                if target is not None:
                    corrected.add(target.group(1))
            found = _ID.search(raw)
            if found is not None and found.group(1) in suspects:
                seen.setdefault(found.group(1), []).append((here, len(raw), number))
    places = {*fixes}  # (a line naming "correction" only as a value may be a suspect's copy too)
    for key, where in seen.items():
        if len(where) > 1 or key in corrected:
            places.update(where)
    lines: list[tuple[int, int, Line]] = []
    numbers: set[int] = set()
    problems: list[tuple[int, str]] = []
    for here, length, number in sorted(places):
        parsed = _parse(_read(handle, here, length))
        if parsed is None:
            continue
        numbers.add(number)
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
            held.append((line.started, number, here, 0, line))
    return held, numbers, problems


def _read(handle: Snapshot, offset: int, length: int) -> bytes:
    """``length`` bytes at ``offset``, without moving the handle."""
    if hasattr(os, "pread"):
        return os.pread(handle.fileno(), length, offset)
    return _read_at(handle, offset, length)  # pragma: no cover - Windows


Shape = Callable[[list[Entry]], list[Any]]


class _Plan(NamedTuple):
    """What the light passes found: the lines to put in place from the side, the folded ones held
    (and their line numbers), problems found so far, where the window's lines begin, and the
    chunks each of whose lines is one JSON object (``ordering._Index.objects``)."""

    side: Side
    held: list[Pending]
    held_numbers: set[int]
    problems: list[tuple[int, str]]
    start: int
    objects: dict[int, tuple[int, int]]


def _emit(
    target: Path,
    handle: Snapshot,
    handle_context: object,
    plan: _Plan,
    window: Window,
    warn: Warn | None,
    routine: str | None,
    shape: Shape,
) -> Iterator[list[Any]]:
    """The entries in order (or their shapes), a list for each chunk read (fewer steps a line than
    one at a time)."""
    side, held, held_numbers, problems, start, objects = plan
    newest = FORMAT_VERSION
    pending = heapq.merge(
        _read_side(handle, side.in_order()),
        [(*item, None) for item in sorted(held, key=lambda item: item[:2])],
        key=lambda item: item[:2],
    )
    waiting = next(pending, None)  # the next item to put in place
    nearby: list[tuple[datetime, int, Any]] = []  # (started, number, shape) held back, at most REORDER (see index)
    skips = iter(side.numbers)  # in file order
    next_skip = next(skips, -1)
    push, pushpop = heapq.heappush, heapq.heappushpop  # (numbers differ: a Line is never compared)

    def take(item: _Waiting) -> Line | None:
        """A line put in place from the side or held, as shown; None when it is not shown."""
        nonlocal newest
        _, number, _, _, line, parsed = item
        if line is None:
            if isinstance(parsed, str):
                problems.append((number, parsed))
                return None
            if parsed is None or not window.contains(parsed.started):
                return None
            strip(parsed.entry)
            line = parsed
        newest = max(newest, _version(line.entry))
        if routine is not None and line.entry.get("routine") != routine:
            return None
        return line

    batch: list[Any] = []
    unshaped: list[int] = []  # where in ``batch`` lines put in place wait for their shape
    due = None if waiting is None else waiting[0]  # when the next item to put in place started

    def before(started: datetime | None, number: int) -> None:
        """Put in place the items that go before the line (``started``, ``number``); all, with None."""
        nonlocal waiting, due
        while waiting is not None and (started is None or (waiting[0], waiting[1]) < (started, number)):
            line = take(waiting)
            waiting = next(pending, None)
            if line is not None:
                if shape is not _LINES:
                    unshaped.append(len(batch))
                batch.append(line)
        due = None if waiting is None else waiting[0]

    def done() -> list[Any]:
        """``batch``, the lines put in place shaped too (all at once)."""
        if unshaped:
            for i, made in zip(unshaped, shape([batch[i].entry for i in unshaped]), strict=True):
                batch[i] = made
            unshaped.clear()
        return batch

    out = batch.append
    held_in_order = sorted(held_numbers)
    of_usual = getattr(shape, "of_usual", None)
    if of_usual is not None:
        from headrub.journal.usual import read_usual, shown
    last: tuple[datetime, int, Line] | None = None  # the last line the heap gave out
    collecting = gc.isenabled()  # (see ``reader._no_gc``: entries hold no cycles; a million of them
    gc.disable()  # would set off collections that walk the ones still held, a tenth of the time)
    try:
        number, offset = 0, start
        handle.seek(start)
        for chunk in chunks(handle):
            known = objects.get(offset)
            if known is not None and known[0] == len(chunk):  # (the same bytes the light pass read)
                count, one_object_a_line = known[1], True
            else:
                count, one_object_a_line = chunk.count(b"\n"), False
            offset += len(chunk)
            first, number = number + 1, number + count + (chunk[-1:] != b"\n")
            aside: set[int] = set()  # lines of the chunk put in place from the side
            while first <= next_skip <= number:
                aside.add(next_skip)
                next_skip = next(skips, -1)
            if held_numbers and _any_between(held_in_order, first, number):  # (folded: put in place as held)
                aside |= {at for at in range(first, number + 1) if at in held_numbers}
            quick = None
            if of_usual is not None:
                usual = read_usual(chunk, count, one_object_a_line)  # (the usual entry of this format: nothing to strip)
                quick = None if usual is None else shown(usual, first, aside, window, routine, of_usual)
            if quick is None:
                starts, numbers, made, version = _parsed_items(chunk, first, aside, window, routine, shape, problems)
                newest = max(newest, version)
            else:
                starts, numbers, made = quick
            if not made:
                continue
            items = list(zip(starts, numbers, made, strict=True))
            ready, left, failing = through(nearby, items, REORDER, last)
            if not failing:
                nearby = left
            else:  # one at a time: a line would come after a later one (its start read otherwise in the index)
                ready = []
                for item in items:
                    if len(nearby) < REORDER:
                        push(nearby, item)
                    else:
                        ready.append(pushpop(nearby, item))
            if not ready:
                continue
            last = ready[-1]
            if failing or (due is not None and due <= ready[-1][0]):
                for started, at, shaped in ready:
                    if due is not None and due <= started:
                        before(started, at)
                    out(shaped)
            else:
                batch += map(_LINE, ready)
            yield done()
            batch = []
            out = batch.append
        while nearby:
            started, at, ready_line = heapq.heappop(nearby)
            before(started, at)
            batch.append(ready_line)
        before(None, 0)
        yield done()
        if problems and start:
            before_start = _count_newlines(handle, start, BLOCK_SIZE)
            problems = [(number + before_start, reason) for number, reason in problems]
    finally:
        if collecting:
            gc.enable()
        handle_context.__exit__(None, None, None)  # type: ignore[attr-defined]
    if warn is not None:
        report_problems(target, sorted(problems), newest, warn)


_STARTED, _ENTRY, _LINE = itemgetter(1), itemgetter(0), itemgetter(2)
_LINES: Shape = list  # no shape: the lines themselves
SIDE_GROUP = 256  # lines put in place from the side read and parsed at a time

# An item to put in place: ``Pending`` and, for a line from the side, what it parses to.
_Waiting = tuple[datetime, int, int, int, Line | None, Line | str | None]


def _parsed_items(
    chunk: bytes,
    first: int,
    aside: set[int],
    window: Window,
    routine: str | None,
    shape: Shape,
    problems: list[tuple[int, str]],
) -> tuple[list[datetime], Sequence[int], list[Any], int]:
    """(when each started, line number, shape) of the chunk's lines numbered from ``first`` that
    are shown (in the window, of ``routine`` if given, not ``aside``), each parsed as every reader
    does (``blocks.parse_chunk``), with the newest format version among them; a line that is not
    an entry goes to ``problems``."""
    parsed_lines = parse_chunk(chunk)
    numbers: Sequence[int] = range(first, first + len(parsed_lines))
    lines: list[Line] = parsed_lines  # type: ignore[assignment]
    if aside or set(map(type, parsed_lines)) != {Line}:
        numbers, lines = [], []
        for at, parsed in enumerate(parsed_lines, start=first):
            if at in aside or parsed is None:
                continue
            if type(parsed) is str:
                problems.append((at, parsed))
                continue
            numbers.append(at)
            lines.append(parsed)  # type: ignore[arg-type]
    starts = list(map(_STARTED, lines))
    since, until = window.since, window.until
    if starts and ((since is not None and min(starts) < since) or (until is not None and max(starts) > until)):
        kept = [i for i, started in enumerate(starts) if window.contains(started)]
        numbers, lines, starts = [numbers[i] for i in kept], [lines[i] for i in kept], [starts[i] for i in kept]
    if not lines:
        return [], [], [], FORMAT_VERSION
    columns = getattr(parsed_lines, "columns", None) if lines is parsed_lines else None
    of_columns = getattr(shape, "of_columns", None)
    if columns is not None and of_columns is not None and routine is None:
        return starts, numbers, of_columns(columns), FORMAT_VERSION  # (usual entries of this format, every one shown)
    entries = list(map(_ENTRY, lines))
    newest = FORMAT_VERSION
    if set(map(dict.get, entries, repeat("v"), repeat(FORMAT_VERSION))) != {FORMAT_VERSION}:
        newest = max(newest, *map(_version, entries))
    deque(map(dict.pop, entries, repeat("line_at"), repeat(None)), 0)  # ``strip``, at once
    deque(map(dict.pop, entries, repeat("latest_start"), repeat(None)), 0)
    if routine is not None:
        kept = [i for i, entry in enumerate(entries) if entry.get("routine") == routine]
        numbers, lines, starts = [numbers[i] for i in kept], [lines[i] for i in kept], [starts[i] for i in kept]
        entries = [entries[i] for i in kept]
    return starts, numbers, lines if shape is _LINES else shape(entries), newest


def _read_side(handle: Snapshot, items: Iterator[Pending]) -> Iterator[_Waiting]:
    """``items`` (lines on the side, in order) each with what its line parses to: read a group at a
    time and parsed together (``parse_chunk``: each line as ``_parse`` reads it alone)."""
    while group := list(islice(items, SIDE_GROUP)):
        raws = [_read(handle, offset, length) for _, _, offset, length, _ in group]
        whole = [raw for raw in raws if raw[-1:] == b"\n"]  # (a torn last line is parsed alone)
        parsed = iter(parse_chunk(b"".join(whole)) if whole else [])
        for item, raw in zip(group, raws, strict=True):
            yield (*item, next(parsed) if raw[-1:] == b"\n" else _parse(raw))


def _any_between(numbers: list[int], first: int, last: int) -> bool:
    """Whether sorted ``numbers`` hold one from ``first`` to ``last``."""
    at = bisect_left(numbers, first)
    return at < len(numbers) and numbers[at] <= last


def _read_at(handle: Snapshot, offset: int, length: int) -> bytes:  # pragma: no cover - Windows
    position = handle.tell()
    handle.seek(offset)
    data = handle.read(length)
    handle.seek(position)
    return data
