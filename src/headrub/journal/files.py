"""Opening the journal: folders and modes, advisory locks, and the one-line reasons of failures."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from headrub.text import sanitize

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

FILE_MODE = 0o600
FOLDER_MODE = 0o700

# Lock errors that mean "this filesystem does not do locks": append without one rather than fail.
_NO_LOCKING = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL}


def _show(path: Path) -> str:
    return sanitize(str(path))


def _reason(err: OSError) -> str:
    text = err.strerror or str(err) or type(err).__name__
    return sanitize(text[:1].lower() + text[1:])


def _ensure_folder(folder: Path) -> None:
    """Create the journal's folder 0700 (whatever the umask) if it is missing; leave an existing one be."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(folder, FOLDER_MODE)
    except FileExistsError:
        return  # made by a concurrent writer, or not a folder: opening the file will say
    os.chmod(folder, FOLDER_MODE)


def _open_for_append(path: Path) -> tuple[int, bool]:
    """An O_APPEND descriptor (read-write, to check the tail) and whether the file was created."""
    flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return os.open(path, flags), False
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd, True


@contextmanager
def _locked(fd: int) -> Iterator[None]:
    """Hold an exclusive advisory lock on the journal while checking its tail and writing."""
    if sys.platform == "win32":
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                break
            except OSError as err:
                if err.errno != errno.EDEADLK:  # LK_LOCK gives up after ten seconds: keep waiting
                    raise
        try:
            yield
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            locked = True
        except OSError as err:
            if err.errno not in _NO_LOCKING:
                raise
            locked = False  # O_APPEND and one write still keep lines whole
        try:
            yield
        finally:
            if locked:
                fcntl.flock(fd, fcntl.LOCK_UN)


def _fsync_folder(folder: Path) -> None:
    """Make the new file's name durable too (POSIX; Windows cannot open a folder)."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.EBADF):  # some filesystems refuse to sync a folder
            raise
    finally:
        os.close(fd)


@contextmanager
def reading(path: Path) -> Iterator[IO[bytes]]:
    """The journal opened for reading (binary) under a shared lock; nothing is created or written.

    A missing journal raises ``FileNotFoundError``; other failures their ``OSError``.
    """
    with _open_for_read(path) as handle, _shared_lock(handle):
        yield handle


@contextmanager
def _shared_lock(handle: IO[bytes]) -> Iterator[None]:
    """A shared advisory lock while reading, so a line being appended is never seen half-written.

    Best effort: where locks are not to be had (or on Windows, where they are mandatory), read without.
    """
    if sys.platform == "win32":
        yield
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        locked = True
    except (OSError, AttributeError, ValueError):
        locked = False
    try:
        yield
    finally:
        if locked:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _open_for_read(path: Path) -> IO[bytes]:
    """The journal opened for reading, in binary (the only split is on b"\\n")."""
    return open(path, "rb")

