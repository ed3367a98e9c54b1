"""Streaming a window of the journal in ``started_at`` order, in about constant memory.

``journal --csv`` and ``--json`` over a big journal must not hold every entry. Two passes over
the same snapshot of the file:

1. A light pass finds, for each line, its ``started_at`` with a regular expression (a full
   parse only where that fails) and whether the journal needs folding (a correction, or an id
   not greater than the one before: see ``reader.fold_lines``). Lines that start earlier than a
   line before them (back-dated, merged) are noted, with their offsets, to be put in place; the
   rest are already in order.
2. A full pass parses and checks each line as every reader does and yields the entries in the
   window, slipping the noted ones in where they belong.

Memory grows only with the number of lines out of order. A journal that needs folding is read
the ordinary way (``None`` is returned: the caller reads in full).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from headrub import timeutil
from headrub.errors import JournalError
from headrub.journal.checks import Line, _parse, _version, trusted_bound
from headrub.journal.corrections import strip
from headrub.journal.entries import FORMAT_VERSION, parse_instant
from headrub.journal.files import Snapshot, _reason, _show, reading
from headrub.journal.reader import BLOCK_SIZE, Warn, _count_newlines, _lines_backward, report_problems
from headrub.paths import journal_file
from headrub.timeutil import Window

_STARTED = re.compile(rb'"started_at"\s*:\s*"([^"\\]{1,64})"')
_ID = re.compile(rb'"id"\s*:\s*"([^"\\]{1,200})"')


def export_lines(path: Path | None, window: Window | None, warn: Warn | None) -> Iterator[Line] | None:
    """The window's entries sorted by ``started_at`` (ties in file order), streamed; None if the
    journal needs folding. Warnings are given once the last entry has been yielded."""
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
        side = _index(handle, start)
    except BaseException:
        handle_context.__exit__(None, None, None)
        raise
    if side is None:
        handle_context.__exit__(None, None, None)
        return None
    return _emit(target, handle, handle_context, side, start, chosen, warn)


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


def _index(handle: Snapshot, start: int) -> list[tuple[datetime, int, int, int]] | None:
    """The lines out of ``started_at`` order as (started, offset, length, index); None to fold."""
    side: list[tuple[datetime, int, int, int]] = []
    last: datetime | None = None
    top = b""
    offset = start
    handle.seek(start)
    for number, raw in enumerate(handle, start=1):
        length = len(raw)
        if b'"correction"' in raw:
            return None
        found = _ID.search(raw)
        if found is not None:
            key = found.group(1)
            if key <= top:
                return None
            top = key
        started = _started(raw)
        if started is not None:
            if last is not None and started < last:
                side.append((started, offset, length, number))
            else:
                last = started
        offset += length
    side.sort(key=lambda item: (item[0], item[1]))
    return side


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
    side: list[tuple[datetime, int, int, int]],
    start: int,
    window: Window,
    warn: Warn | None,
) -> Iterator[Line]:
    problems: list[tuple[int, str]] = []
    newest = FORMAT_VERSION
    noted = {offset for _, offset, _, _ in side}
    waiting = 0  # the next noted line to put in place

    def noted_line(index: int) -> Line | None:
        nonlocal newest
        _, offset, length, number = side[index]
        raw = os.pread(handle.fileno(), length, offset) if hasattr(os, "pread") else _read_at(handle, offset, length)
        parsed = _parse(raw)
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
            if here in noted:
                continue
            parsed = _parse(raw)
            if isinstance(parsed, str):
                problems.append((number, parsed))
                continue
            if parsed is None or not window.contains(parsed.started):
                continue
            while waiting < len(side) and side[waiting][0] < parsed.started:
                line = noted_line(waiting)
                waiting += 1
                if line is not None:
                    yield line
            newest = max(newest, _version(parsed.entry))
            strip(parsed.entry)
            yield parsed
        while waiting < len(side):
            line = noted_line(waiting)
            waiting += 1
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
