"""Appending: one whole line at a time, under a lock, flushed and fsynced."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from headrub import timeutil
from headrub.errors import JournalError
from headrub.journal.entries import Entry, _line_bytes, _utc_stamp
from headrub.journal.files import _ensure_folder, _fsync_folder, _locked, _open_for_append, _reason, _show
from headrub.paths import journal_file


def append(entry: Entry, path: Path | None = None) -> Entry:
    """Append ``entry`` with ``logged_at`` set to now (UTC); return the entry as stored.

    Any failure of the disk is a ``JournalError`` with a one-line message naming the path; the
    file is then as it was (or, after a partial write on a full disk, ends in a torn line that
    the next append steps over).
    """
    target = Path(path) if path is not None else journal_file()
    stored = {key: value for key, value in entry.items() if key != "logged_at"}
    stored["logged_at"] = _utc_stamp(timeutil.now_utc())
    data = _line_bytes(stored)
    try:
        _ensure_folder(target.parent)
        fd, created = _open_for_append(target)
        try:
            with _locked(fd):
                if _ends_torn(fd):
                    data = b"\n" + data  # a crash left half a line: do not let it swallow this one
                _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_folder(target.parent)
    except OSError as err:
        raise JournalError(f"cannot write to the journal {_show(target)}: {_reason(err)}") from None
    return stored


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

