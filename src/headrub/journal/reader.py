"""Reading: every entry, or a window of them read backwards from the end, never writing."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from headrub import timeutil
from headrub.errors import JournalError
from headrub.journal import scanindex
from headrub.journal.checks import Line, _parse, _version, trusted_bound
from headrub.journal.corrections import fold, strip
from headrub.journal.entries import FORMAT_VERSION, Entry, started_at
from headrub.journal.files import Snapshot, Source, _reason, _show, reading
from headrub.paths import journal_file
from headrub.timeutil import Window

Warn = Callable[[str], None]

BLOCK_SIZE = 64 * 1024


def read_entries(
    path: Path | None = None,
    window: Window | None = None,
    warn: Warn | None = None,
    *,
    block_size: int = BLOCK_SIZE,
) -> list[Entry]:
    """The entries whose ``started_at`` falls in ``window`` (all when None), as corrected, in file order.

    Each id shows once; corrections and deletions are folded in (``corrections.fold``). Lines
    that are neither entries nor corrections are skipped, each with one ``warn`` naming its line
    number; a newer format version gives one warning and is read as far as understood. A
    missing journal is empty. Nothing is ever written or created. An unreadable journal is a
    ``JournalError``.
    """
    return [line.entry for line in read_lines(path, window, warn, block_size=block_size)]


def read_lines(
    path: Path | None = None,
    window: Window | None = None,
    warn: Warn | None = None,
    *,
    block_size: int = BLOCK_SIZE,
) -> list[Line]:
    """``read_entries``, each entry with its parsed ``started`` instant (to sort by without parsing again)."""
    target = Path(path) if path is not None else journal_file()
    chosen = window or timeutil.EVERYTHING
    try:
        with reading(target, warn) as handle:
            if chosen.since is None:
                lines, problems = _scan_forward(handle)
            else:
                points = scanindex.load(target, handle)
                stop_at = scanindex.stop_offset(points, chosen.since)
                lines, problems = _scan_backward(handle, chosen.since, block_size, stop_at)
                if points is None and handle.size >= scanindex.WORTH_IT:
                    _remember(target, handle, lines)
    except FileNotFoundError:
        return []
    except OSError as err:
        raise JournalError(f"cannot read the journal {_show(target)}: {_reason(err)}") from None
    if warn is not None:
        newest = max((_version(line.entry) for line in lines), default=FORMAT_VERSION)
        report_problems(target, problems, newest, warn)
    folded = fold_lines(lines)
    if chosen.since is None and chosen.until is None:
        return folded
    return [line for line in folded if chosen.contains(line.started)]


def fold_lines(lines: list[Line]) -> list[Line]:
    """The entries of ``lines`` as corrected (``corrections.fold``), without their bookkeeping.

    The usual journal, every id new and greater than the one before and no correction, needs
    no folding: its entries are taken as they are.
    """
    top = ""
    for line in lines:
        key = line.entry.get("id")
        if line.is_correction or type(key) is not str or key <= top:
            break
        top = key
    else:
        for line in lines:
            strip(line.entry)
        return lines
    entries = [line.entry for line in lines if not line.is_correction]
    folded = fold(entries, [line.entry for line in lines if line.is_correction])
    return [Line(entry, started_at(entry), None) for entry in folded]


def report_problems(target: Path, problems: Iterable[tuple[int, str]], newest: int, warn: Warn) -> None:
    """The reader's warnings: one per skipped line (number, reason), then one if ``newest`` is a newer format."""
    for number, reason in problems:
        warn(f"{_show(target)}:{number}: skipped a line that is not a journal entry ({reason})")
    if newest > FORMAT_VERSION:
        warn(
            f"{_show(target)} has entries from a newer headrub (format v{newest}); "
            "showing what this version understands"
        )


def _scan_forward(handle: Source) -> tuple[list[Line], list[tuple[int, str]]]:
    lines: list[Line] = []
    problems: list[tuple[int, str]] = []
    with _no_gc():
        for number, raw in enumerate(handle, start=1):
            parsed = _parse(raw)
            if isinstance(parsed, str):
                problems.append((number, parsed))
            elif parsed is not None:
                lines.append(parsed)
    return lines, problems


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a scan builds many objects that hold no cycles.

    Each new entry is a fresh dict, so a long scan otherwise triggers collections that walk every
    entry read so far, a good part of the time on a large journal. Reference counting still frees
    everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _remember(target: Path, handle: Snapshot, lines: list[Line]) -> None:
    """After a scan that read the whole journal, note its checkpoints (``scanindex``)."""
    if not handle.scanned_to_start or len(handle.line_starts) != len(lines):
        return
    start = max(0, handle.size - BLOCK_SIZE)
    handle.seek(start)
    cut = handle.read(BLOCK_SIZE).rfind(b"\n")
    length = start + cut + 1 if cut >= 0 else 0  # complete lines only: a torn tail may yet change
    starts = list(zip(reversed(handle.line_starts), (line.started for line in lines), strict=True))
    scanindex.save(target, handle, scanindex.checkpoints(starts, length))


def _scan_backward(
    handle: Source, since: datetime, block_size: int, stop_at: int = 0
) -> tuple[list[Line], list[tuple[int, str]]]:
    """Read lines from the end until one proves that no line before it started at or after ``since``.

    That proof is a trusted bound (``checks.trusted_bound``): the latest ``started_at`` up to a
    line that headrub wrote where it still is. Lines without one (hand-made, merged by hand, from
    an older headrub) never stop the scan, so no entry is ever hidden; on a journal headrub wrote,
    the scan stops at the first line before the window. Bad lines are counted from the end;
    their line numbers come from the number of newlines before the last line read, counted
    only when there is a bad line to report.
    """
    lines: list[Line] = []
    bad: list[tuple[int, str]] = []  # (index from the end, reason)
    index = -1
    anchor = 0  # byte offset where the last line read starts
    reached_start = True
    starts: list[int] = []
    for raw, start in _lines_backward(handle, block_size):
        if start < stop_at:
            reached_start = False
            break  # every line before this checkpoint started before the window (``scanindex``)
        index += 1
        anchor = start
        parsed = _parse(raw)
        if isinstance(parsed, str):
            bad.append((index, parsed))
        elif parsed is not None:
            lines.append(parsed)
            starts.append(start)
            if parsed.started < since:
                bound = trusted_bound(parsed, start)
                if bound is not None and bound < since:
                    reached_start = False
                    break
    lines.reverse()
    if isinstance(handle, Snapshot):
        handle.scanned_to_start, handle.line_starts = reached_start, starts
    if not bad:
        return lines, []
    anchor_number = _count_newlines(handle, anchor, block_size) + 1
    return lines, [(anchor_number + index - k, reason) for k, reason in reversed(bad)]


def _lines_backward(handle: Source, block_size: int) -> Iterator[tuple[bytes, int]]:
    """Each line (without its newline) and its starting byte offset, from the last to the first.

    Linear in the bytes read: the pieces of a line longer than a block are kept in a list and
    joined once, when its start is found.
    """
    pos = handle.seek(0, os.SEEK_END)
    if pos == 0:
        return
    pieces: list[bytes] = []  # the end of a line whose beginning lies before ``pos``, last piece first
    at_end = True
    while pos > 0:
        step = min(block_size, pos)
        pos -= step
        handle.seek(pos)
        data = handle.read(step)
        cut = data.rfind(b"\n")
        if cut < 0:
            pieces.append(data)
            continue
        if pieces:
            pieces.append(data[cut + 1 :])
            data = data[: cut + 1] + b"".join(reversed(pieces))
            pieces = []
        parts = data.split(b"\n")
        starts = []
        offset = pos
        for part in parts:
            starts.append(offset)
            offset += len(part) + 1
        last = len(parts) - 1
        if at_end and last > 0 and parts[last] == b"":
            last -= 1  # the file's final newline ends a line; it does not start one
        at_end = False
        for i in range(last, 0, -1):
            yield parts[i], starts[i]
        pieces = [parts[0]]
    yield b"".join(reversed(pieces)), 0


def _count_newlines(handle: Source, end: int, block_size: int) -> int:
    """How many newlines the first ``end`` bytes hold."""
    handle.seek(0)
    count = 0
    remaining = end
    while remaining > 0:
        block = handle.read(min(block_size * 16, remaining))
        if not block:
            break
        count += block.count(b"\n")
        remaining -= len(block)
    return count

