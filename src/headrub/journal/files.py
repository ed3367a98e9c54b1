"""Opening the journal: folders and modes, advisory locks, and the one-line reasons of failures."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

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
    """Create the journal's folder 0700 (whatever the umask) if it is missing; refuse one that is a symlink."""
    check_folder(folder)
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(folder, FOLDER_MODE)
    except FileExistsError:
        return  # made by a concurrent writer, or not a folder: opening the file will say
    os.chmod(folder, FOLDER_MODE)


def check_folder(folder: Path) -> None:
    """An ``OSError`` if ``folder`` is a symbolic link: headrub keeps its files only in real folders."""
    try:
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            raise OSError(errno.ELOOP, f"{sanitize(str(folder))} is a symbolic link, which headrub does not follow")
    except FileNotFoundError:
        return


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer


def _regular(fd: int, path: Path) -> None:
    """Close ``fd`` and raise unless it is a regular file."""
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, socket or device)"
        raise OSError(errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL, f"it is {kind}")


def _open_flags(path: Path, flags: int, mode: int = FILE_MODE) -> int:
    """``os.open`` that never follows a symlink at ``path`` and accepts only a regular file."""
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0), mode)
    except OSError as err:
        if err.errno == errno.ELOOP or (err.errno == errno.EEXIST and os.path.islink(path)):
            raise OSError(errno.ELOOP, "it is a symbolic link, which headrub does not follow") from None
        raise
    _regular(fd, path)
    if _NONBLOCK and hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def open_regular(path: Path) -> IO[bytes]:
    """``path`` opened for reading in binary, if it is a regular file and not a symlink."""
    return os.fdopen(_open_flags(path, os.O_RDONLY), "rb")


def _open_for_append(path: Path, warn: Callable[[str], None] | None = None) -> tuple[int, bool]:
    """An O_APPEND descriptor (read-write, to check the tail) and whether the file was created.

    An existing journal that others may read or write is made 0600, with one ``warn``.
    """
    flags = os.O_RDWR | os.O_APPEND
    try:
        fd = _open_flags(path, flags | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        fd = _open_flags(path, flags)
        tighten(fd, path, warn)
        return fd, False
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd, True


def tighten(fd: int, path: Path, warn: Callable[[str], None] | None) -> None:
    """Make the file 0600 if its mode lets others in; say so once. Best effort (not our file: leave it)."""
    if not hasattr(os, "fchmod"):
        return
    mode = stat.S_IMODE(os.fstat(fd).st_mode)
    if mode & 0o077 == 0:
        return
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:
        return
    if warn is not None:
        warn(f"{_show(path)} could be read by others (mode {mode:04o}); it is now 0600")


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
def reading(path: Path, warn: Callable[[str], None] | None = None) -> Iterator[Snapshot]:
    """The journal as it is now, opened for reading (binary); nothing is created or written.

    The shared lock is held only while the size is taken: every byte before it belongs to a
    whole line (appends are one write under the exclusive lock), so the read goes on without
    the lock and a session ending meanwhile saves at once. A missing journal raises
    ``FileNotFoundError``; a symlink or a file that is not regular an ``OSError``.
    """
    check_folder(path.parent)
    with _open_for_read(path) as handle:
        if warn is not None:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                tighten(handle.fileno(), path, warn)
        with _shared_lock(handle):
            size = handle.seek(0, os.SEEK_END)
        yield Snapshot(handle, size)


class Source(Protocol):
    """What the scans read from: a binary file, or a ``Snapshot`` of one."""

    def seek(self, offset: int, whence: int = ..., /) -> int: ...

    def read(self, size: int = ..., /) -> bytes: ...

    def __iter__(self) -> Iterator[bytes]: ...


class Snapshot:
    """A read-only view of a file's first ``size`` bytes: ``seek``, ``read``, ``tell`` and lines."""

    CHUNK = 1 << 20

    def __init__(self, handle: IO[bytes], size: int) -> None:
        self.handle, self.size = handle, size
        self.scanned_to_start = False  # set by a backward scan that had to read every line
        self.line_starts: list[int] = []  # and where its entries start, last first
        handle.seek(0)

    def fileno(self) -> int:
        return self.handle.fileno()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END:
            offset += self.size
        return self.handle.seek(min(max(0, offset), self.size))

    def tell(self) -> int:
        return self.handle.tell()

    def read(self, size: int = -1) -> bytes:
        left = self.size - self.handle.tell()
        if left <= 0:
            return b""
        return self.handle.read(left if size < 0 else min(size, left))

    def __iter__(self) -> Iterator[bytes]:
        """The lines from here to ``size``, each with its newline (the last perhaps without)."""
        rest = b""
        while True:
            block = self.read(self.CHUNK)
            if not block:
                break
            lines = block.split(b"\n")
            if rest:
                lines[0] = rest + lines[0]
            rest = lines.pop()
            for line in lines:
                yield line + b"\n"
        if rest:
            yield rest


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
    """The journal opened for reading, in binary (the only split is on b"\\n"), never through a symlink."""
    return open_regular(path)

