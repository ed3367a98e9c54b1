"""Appending: one whole line at a time, under a lock, flushed and fsynced."""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from headrub import timeutil
from headrub.errors import JournalError
from headrub.journal import scanindex
from headrub.journal.checks import _parse, trusted_bound
from headrub.journal.corrections import BOOKKEEPING
from headrub.journal.entries import Entry, _line_bytes, _utc_stamp, parse_instant
from headrub.journal.files import (
    Snapshot,
    _ensure_folder,
    _fsync_folder,
    _locked,
    _open_for_append,
    _reason,
    _show,
)
from headrub.journal.reader import BLOCK_SIZE, Warn, _lines_backward
from headrub.paths import journal_file


def append(entry: Entry, path: Path | None = None, warn: Warn | None = None) -> Entry:
    """Append ``entry`` with ``logged_at`` set to now (UTC); return the entry as stored.

    Any failure of the disk is a ``JournalError`` with a one-line message naming the path; the
    file is then as it was (or, after a partial write on a full disk, ends in a torn line that
    the next append steps over).
    """
    stored = {key: value for key, value in entry.items() if key != "logged_at"}
    stored["logged_at"] = _utc_stamp(timeutil.now_utc())
    append_lines([stored], path, warn)
    return stored


def append_lines(lines: list[dict[str, Any]], path: Path | None = None, warn: Warn | None = None) -> None:
    """Append whole lines (entries or corrections, ``logged_at`` already set) in one write.

    Each line is given its bookkeeping: the byte offset it is written at (``line_at``) and the
    latest ``started_at`` of itself and every line before it (``latest_start``), which lets a
    windowed read stop early (``reader._scan_backward``).
    """
    target = Path(path) if path is not None else journal_file()
    try:
        _ensure_folder(target.parent)
        fd, created = _open_for_append(target, warn)
        try:
            with os.fdopen(os.dup(fd), "rb") as handle:
                known = _latest_before(handle, os.fstat(fd).st_size, None, target)  # the slow part, unlocked
                with _locked(fd):
                    size = os.fstat(fd).st_size
                    latest = _latest_before(handle, size, known, target)
                    torn = _ends_torn(fd)
                    data = _encode(lines, size + torn, latest[1])
                    _write_all(fd, b"\n" + data if torn else data)  # a torn tail must not swallow this
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_folder(target.parent)
    except OSError as err:
        raise JournalError(f"cannot write to the journal {_show(target)}: {_reason(err)}") from None


def _encode(lines: list[dict[str, Any]], offset: int, latest: datetime | None) -> bytes:
    """The lines as bytes, each with its ``line_at`` and ``latest_start``."""
    out = []
    for line in lines:
        started = parse_instant(line.get("started_at"))
        if started is not None and (latest is None or started > latest):
            latest = started
        stored = {key: value for key, value in line.items() if key not in BOOKKEEPING}
        if latest is not None:
            stored["line_at"] = offset
            stored["latest_start"] = latest.astimezone(UTC).isoformat()
        data = _line_bytes(stored)
        out.append(data)
        offset += len(data)
    return b"".join(out)


Known = tuple[int, datetime | None]  # (bytes covered, the latest started_at within them)


def _latest_before(handle: IO[bytes], end: int, known: Known | None, target: Path) -> Known:
    """The latest ``started_at`` of the lines in the first ``end`` bytes.

    The last line that is an entry or correction says it, if it is trusted; otherwise every line
    is read, from where ``known`` (an earlier answer for a prefix) or the scan index
    (``scanindex``) left off, and the index is brought up to date.
    """
    for raw, start in _lines_backward(Snapshot(handle, end), BLOCK_SIZE):
        parsed = _parse(raw)
        if parsed is None or isinstance(parsed, str):
            continue  # not an entry: nothing to bound
        bound = trusted_bound(parsed, start)
        if bound is not None:
            return end, bound
        break
    else:
        return end, None
    covered, latest = (0, None) if known is None or known[0] > end else known
    if known is None:
        noted = scanindex.load(target, Snapshot(handle, end))
        covered, latest = noted[-1] if noted else (0, None)
    start = covered
    handle.seek(covered)
    remaining = end - covered
    offset = covered
    pairs: list[tuple[int, datetime]] = []  # (offset, started) of each line, for the checkpoints
    for raw in handle:
        if remaining <= 0:
            break
        remaining -= len(raw)
        here, offset = offset, offset + len(raw)
        if remaining < 0:
            raw = raw[:remaining]
        parsed = _parse(raw)
        if parsed is not None and not isinstance(parsed, str):
            pairs.append((here, parsed.started))
            if latest is None or parsed.started > latest:
                latest = parsed.started
    covered = _line_start(handle, end)
    if covered - start >= scanindex.WORTH_IT and latest is not None:
        points = scanindex.checkpoints(pairs, covered) if start == 0 else []
        scanindex.save(target, Snapshot(handle, covered), points)
    return covered, latest


def _line_start(handle: IO[bytes], end: int) -> int:
    """Where the line holding byte ``end - 1`` would end: ``end`` if it ends a line, else its start."""
    if end == 0:
        return 0
    handle.seek(max(0, end - BLOCK_SIZE))
    block = handle.read(min(BLOCK_SIZE, end))
    cut = block.rfind(b"\n")
    return end if cut == len(block) - 1 else end - len(block) + cut + 1


def _ends_torn(fd: int) -> bool:
    """True when the file is not empty and its last byte is not a newline."""
    size = os.fstat(fd).st_size
    if size == 0:
        return False
    if hasattr(os, "pread"):
        last = os.pread(fd, 1, size - 1)
    else:  # pragma: no cover - Windows
        os.lseek(fd, size - 1, os.SEEK_SET)
        last = os.read(fd, 1)
    return last != b"\n"


def _write_all(fd: int, data: bytes) -> None:
    """One ``os.write``; a short write (a disk filling up) is finished by more, or fails."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the disk accepted no more data")
        view = view[written:]

