"""The journal store: ``journal.jsonl``, appended one whole line at a time and read without writing.

Appending opens the file with ``O_APPEND`` (created 0600 in a 0700 folder), takes an advisory
lock, starts on a fresh line if a crash left a torn tail, writes the line in one ``os.write``,
then fsyncs. Reading skips, with a warning naming the line, anything that is not an entry; a
window with a start is read backwards from the end and stops once ``logged_at`` is older than the
window (less a day's margin for clock changes), so its cost does not grow with the journal's age.
"""

from __future__ import annotations

import errno
import gc
import json
import math
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from headrub import timeutil
from headrub.errors import JournalError, UsageError
from headrub.paths import journal_file
from headrub.text import sanitize
from headrub.timeutil import Window

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

Entry = dict[str, Any]
Warn = Callable[[str], None]

FORMAT_VERSION = 1
SOURCES = ("timer", "manual")
TENSION_RANGE = range(0, 11)
BLOCK_SIZE = 64 * 1024
SCAN_MARGIN = timedelta(days=1)
FILE_MODE = 0o600
FOLDER_MODE = 0o700

# Lock errors that mean "this filesystem does not do locks": append without one rather than fail.
_NO_LOCKING = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL}


# ---------------------------------------------------------------------------------------------
# ids


# Lone surrogates that are not surrogate escapes of a byte (U+DC80..U+DCFF).
_OTHER_SURROGATES = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_TIME_MASK = (1 << 48) - 1


class _IdState:
    """The last id's time and random part, so ids made in one process only ever grow."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_ms = -1
        self.last_random = 0

    def reset(self) -> None:
        """Forget the last id (a forked child must not continue its parent's sequence)."""
        self.last_ms = -1
        self.last_random = 0


_ids = _IdState()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ids.reset)


def _base32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id() -> str:
    """A ULID-style id: 26 Crockford base32 characters, 48 bits of milliseconds then 80 random bits.

    Ids sort by time; within one process each id is greater than the last, even in the same
    millisecond or when the clock steps back.
    """
    with _ids.lock:
        ms = max(0, timeutil.epoch_ms()) & _TIME_MASK
        if ms <= _ids.last_ms:
            ms = _ids.last_ms
            random_part = _ids.last_random + 1
            if random_part >> _RANDOM_BITS:
                ms += 1
                random_part = int.from_bytes(os.urandom(10), "big") >> 1
        else:
            # One bit short of the full 80 leaves room to count up within a millisecond.
            random_part = int.from_bytes(os.urandom(10), "big") >> 1
        _ids.last_ms, _ids.last_random = ms, random_part
    return _base32(ms, 10) + _base32(random_part, 16)


# ---------------------------------------------------------------------------------------------
# building entries


def _valid_text(text: str) -> str:
    """``text`` with lone surrogates made U+FFFD, so it encodes as UTF-8.

    Undecodable bytes from argv arrive as surrogate escapes: each becomes one U+FFFD.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    text = _OTHER_SURROGATES.sub("\ufffd", text)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _seconds(value: float) -> int | float:
    """Seconds rounded to 0.1, written as an integer when whole (``600``, ``598.4``)."""
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"seconds must be a finite number >= 0, not {value!r}")
    rounded = round(number, 1)
    return int(rounded) if rounded.is_integer() else rounded


def _stamp(moment: datetime) -> str:
    """An aware (or naive local) date-time as local ISO 8601 with its offset, to the second."""
    return timeutil.localize(moment).astimezone().isoformat(timespec="seconds")


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_tension(value: int | None, option: str) -> int | None:
    """``value`` if it is a tension rating 0–10 (or None); ``UsageError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in TENSION_RANGE:
        raise UsageError(f"{option}: tension is a whole number from 0 to 10, not {value!r}")
    return value


def make_entry(
    *,
    routine: str,
    started_at: datetime,
    ended_at: datetime,
    active_s: float,
    title: str | None = None,
    planned_s: float | None = None,
    completed: bool = True,
    strokes_done: int | None = None,
    strokes_total: int | None = None,
    tension_before: int | None = None,
    tension_after: int | None = None,
    note: str | None = None,
    source: str = "timer",
    entry_id: str | None = None,
) -> Entry:
    """One journal entry (CONTRACT section 5), without ``logged_at``: ``append`` adds that.

    Times are aware (a naive one is taken as local) and stored as local ISO with the offset;
    seconds are rounded to 0.1; an empty note is no note. Tension outside 0–10 is a ``UsageError``.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    cleaned_note = _valid_text(note) if note else None
    return {
        "v": FORMAT_VERSION,
        "id": entry_id or new_id(),
        "routine": _valid_text(routine),
        "title": _valid_text(title) if title is not None else None,
        "started_at": _stamp(started_at),
        "ended_at": _stamp(ended_at),
        "planned_s": _seconds(planned_s) if planned_s is not None else None,
        "active_s": _seconds(active_s),
        "completed": bool(completed),
        "strokes_done": strokes_done,
        "strokes_total": strokes_total,
        "tension_before": check_tension(tension_before, "--before"),
        "tension_after": check_tension(tension_after, "--after"),
        "note": cleaned_note,
        "source": source,
    }


def entry_json(entry: Entry) -> str:
    """``entry`` as one line of JSON, for a person to keep when it could not be written."""
    return json.dumps(entry, ensure_ascii=False)


def _line_bytes(entry: Entry) -> bytes:
    """The entry as one UTF-8 line; text that cannot be UTF-8 (lone surrogates) is \\u-escaped."""
    text = json.dumps(entry, ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(entry, ensure_ascii=True, allow_nan=False).encode("ascii") + b"\n"


# ---------------------------------------------------------------------------------------------
# appending


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


# ---------------------------------------------------------------------------------------------
# reading


@dataclass
class _Line:
    """A parsed entry with the two instants the reader needs."""

    entry: Entry
    started: datetime
    logged: datetime | None


def read_entries(
    path: Path | None = None,
    window: Window | None = None,
    warn: Warn | None = None,
    *,
    block_size: int = BLOCK_SIZE,
) -> list[Entry]:
    """The entries whose ``started_at`` falls in ``window`` (all when None), in file order.

    Lines that are not entries are skipped, each with one ``warn`` naming its line number; a
    newer format version gives one warning and is read as far as understood. A missing journal
    is empty. Nothing is ever written or created. An unreadable journal is a ``JournalError``.
    """
    target = Path(path) if path is not None else journal_file()
    chosen = window or timeutil.EVERYTHING
    cutoff = _cutoff(chosen)
    try:
        with reading(target) as handle:
            if cutoff is None:
                lines, problems = _scan_forward(handle)
            else:
                lines, problems = _scan_backward(handle, cutoff, block_size)
    except FileNotFoundError:
        return []
    except OSError as err:
        raise JournalError(f"cannot read the journal {_show(target)}: {_reason(err)}") from None
    if warn is not None:
        newest = max((_version(line.entry) for line in lines), default=FORMAT_VERSION)
        report_problems(target, problems, newest, warn)
    return [line.entry for line in lines if chosen.contains(line.started)]


def report_problems(target: Path, problems: Iterable[tuple[int, str]], newest: int, warn: Warn) -> None:
    """The reader's warnings: one per skipped line (number, reason), then one if ``newest`` is a newer format."""
    for number, reason in problems:
        warn(f"{_show(target)}:{number}: skipped a line that is not a journal entry ({reason})")
    if newest > FORMAT_VERSION:
        warn(
            f"{_show(target)} has entries from a newer headrub (format v{newest}); "
            "showing what this version understands"
        )


@contextmanager
def reading(path: Path) -> Iterator[IO[bytes]]:
    """The journal opened for reading (binary) under a shared lock; nothing is created or written.

    A missing journal raises ``FileNotFoundError``; other failures their ``OSError``.
    """
    with _open_for_read(path) as handle, _shared_lock(handle):
        yield handle


def _cutoff(window: Window) -> datetime | None:
    """Where a backward scan may stop: a day before the window starts; None for a full scan."""
    if window.since is None:
        return None
    try:
        return window.since - SCAN_MARGIN
    except OverflowError:
        return None


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


def _scan_forward(handle: IO[bytes]) -> tuple[list[_Line], list[tuple[int, str]]]:
    lines: list[_Line] = []
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


# How many entries in a row, all logged before a window's cutoff, end a backward scan.
STOP_RUN = 16


def _scan_backward(
    handle: IO[bytes], cutoff: datetime, block_size: int
) -> tuple[list[_Line], list[tuple[int, str]]]:
    """Read lines from the end until ``STOP_RUN`` entries in a row were logged before ``cutoff``.

    One old line is not enough to stop: a line logged while the clock was wrong, or appended from
    another machine, must not hide the entries above it. Bad lines are counted from the end;
    their line numbers come from the number of newlines before the last line read, counted
    only when there is a bad line to report.
    """
    lines: list[_Line] = []
    bad: list[tuple[int, str]] = []  # (index from the end, reason)
    index = -1
    anchor = 0  # byte offset where the last line read starts
    old_in_a_row = 0
    for raw, start in _lines_backward(handle, block_size):
        index += 1
        anchor = start
        parsed = _parse(raw)
        if isinstance(parsed, str):
            bad.append((index, parsed))
        elif parsed is not None:
            lines.append(parsed)
            old_in_a_row = old_in_a_row + 1 if parsed.logged is not None and parsed.logged < cutoff else 0
            if old_in_a_row >= STOP_RUN:
                break
    lines.reverse()
    if not bad:
        return lines, []
    anchor_number = _count_newlines(handle, anchor, block_size) + 1
    return lines, [(anchor_number + index - k, reason) for k, reason in reversed(bad)]


def _lines_backward(handle: IO[bytes], block_size: int) -> Iterator[tuple[bytes, int]]:
    """Each line (without its newline) and its starting byte offset, from the last to the first."""
    pos = handle.seek(0, os.SEEK_END)
    if pos == 0:
        return
    rest = b""  # the start of a line whose beginning lies before ``pos``
    at_end = True
    while pos > 0:
        step = min(block_size, pos)
        pos -= step
        handle.seek(pos)
        data = handle.read(step) + rest
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
        rest = parts[0]
    yield rest, 0


def _count_newlines(handle: IO[bytes], end: int, block_size: int) -> int:
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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # NaN and Infinity are not JSON


def parse_line(raw: bytes) -> tuple[Entry, datetime] | str | None:
    """One line (with or without its newline) as the reader takes it.

    The entry and its ``started_at`` instant, the reason it is not an entry (the text of the
    reader's warning), or None for a blank line.
    """
    parsed = _parse(raw)
    if parsed is None or isinstance(parsed, str):
        return parsed
    return parsed.entry, parsed.started


def entry_version(entry: Entry) -> int:
    """The format version an entry was written in (1 when it does not say)."""
    return _version(entry)


def _parse(raw: bytes) -> _Line | str | None:
    """A line as an entry, a reason it is not one, or None for a blank line."""
    if raw[:1] != b"{" and not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        return "not valid JSON; cut short by a crash, or edited by hand"
    if not isinstance(value, dict):
        return "not a JSON object"
    problem = _entry_problem(value)
    if problem is not None:
        return problem
    started = parse_instant(value["started_at"])
    if started is None:
        return "started_at is not a date-time"
    logged_text = value.get("logged_at")
    logged = parse_instant(logged_text, naive_is_utc=True) if isinstance(logged_text, str) else None
    if logged is None and logged_text is not None and _version(value) == FORMAT_VERSION:
        return "logged_at is not a date-time"
    return _Line(value, started, logged)


def parse_instant(text: Any, *, naive_is_utc: bool = False) -> datetime | None:
    """An ISO date-time as an aware instant (naive: local, or UTC), or None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC) if naive_is_utc else timeutil.localize(moment)
        return moment
    except (ValueError, OverflowError, OSError):
        return None


def _version(entry: Entry) -> int:
    version = entry.get("v", FORMAT_VERSION)
    return version if isinstance(version, int) and not isinstance(version, bool) else FORMAT_VERSION


def _is_number(value: Any) -> bool:
    """A finite number >= 0 (not a bool)."""
    kind = type(value)
    return (kind is int or kind is float) and 0 <= value < math.inf


def _is_count(value: Any) -> bool:
    """A whole number >= 0 (not a bool)."""
    return type(value) is int and value >= 0


_TEXT, _INSTANT, _SECONDS, _FLAG, _COUNT, _TENSION = range(6)
_KINDS = (
    "a string",
    "a date-time",
    "a number of seconds",
    "true or false",
    "a count",
    "a tension from 0 to 10",
)
# The fields of format v1: (name, kind, may be null). logged_at's date-time is checked by ``_parse``.
_V1_FIELDS = (
    ("id", _TEXT, False),
    ("title", _TEXT, True),
    ("ended_at", _INSTANT, True),
    ("logged_at", _TEXT, False),
    ("planned_s", _SECONDS, True),
    ("active_s", _SECONDS, False),
    ("completed", _FLAG, False),
    ("strokes_done", _COUNT, True),
    ("strokes_total", _COUNT, True),
    ("tension_before", _TENSION, True),
    ("tension_after", _TENSION, True),
    ("note", _TEXT, True),
    ("source", _TEXT, False),
)


def _fits(kind: int, item: Any) -> bool:
    """Whether a non-null ``item`` is of ``kind``."""
    if kind == _TEXT:
        return type(item) is str
    if kind == _SECONDS:
        return _is_number(item)
    if kind == _FLAG:
        return type(item) is bool
    if kind == _COUNT:
        return _is_count(item)
    if kind == _TENSION:
        return type(item) is int and 0 <= item <= 10
    return parse_instant(item) is not None


def _plain_v1(value: dict[str, Any]) -> bool:
    """True for the usual well-formed v1 entry, checked in one go (the reader's hot path).

    Only a shortcut past the field-by-field loop of ``_entry_problem``, and never more lenient:
    it asks for every field the appender writes to be present with its kind, or null where the
    loop allows null, and for ``ended_at`` to carry an offset. Anything else (a missing or
    odd field, a naive ``ended_at``) returns False and takes the loop, which accepts or names the
    problem exactly as before.
    """
    get = value.get
    item: Any
    if (
        type(get("id")) is not str
        or type(get("logged_at")) is not str
        or type(get("source")) is not str
        or type(get("completed")) is not bool
    ):
        return False
    item = get("active_s")
    kind = type(item)
    if not ((kind is float or kind is int) and 0 <= item < math.inf):
        return False
    item = get("planned_s")
    if item is not None:
        kind = type(item)
        if not ((kind is float or kind is int) and 0 <= item < math.inf):
            return False
    item = get("title")
    if item is not None and type(item) is not str:
        return False
    item = get("note")
    if item is not None and type(item) is not str:
        return False
    item = get("strokes_done")
    if item is not None and not (type(item) is int and item >= 0):
        return False
    item = get("strokes_total")
    if item is not None and not (type(item) is int and item >= 0):
        return False
    item = get("tension_before")
    if item is not None and not (type(item) is int and 0 <= item <= 10):
        return False
    item = get("tension_after")
    if item is not None and not (type(item) is int and 0 <= item <= 10):
        return False
    item = get("ended_at")
    if item is None:
        return True
    if type(item) is not str:
        return False
    try:
        return datetime.fromisoformat(item).tzinfo is not None
    except ValueError:
        return False


def _entry_problem(value: dict[str, Any]) -> str | None:
    """Why a JSON object is not an entry, or None. A newer version is held only to its core."""
    version = value.get("v", FORMAT_VERSION)
    if type(version) is not int or version < 1:
        return "v is not a format version"
    routine = value.get("routine")
    if type(routine) is not str or not routine:
        return "no routine"
    if type(value.get("started_at")) is not str:
        return "no started_at"
    if version > FORMAT_VERSION:
        return None
    if _plain_v1(value):
        return None
    for name, kind, nullable in _V1_FIELDS:
        item = value.get(name)
        if item is None:
            if nullable or name not in value:
                continue
            return f"{name} is not {_KINDS[kind]}"
        if not _fits(kind, item):
            return f"{name} is not {_KINDS[kind]}"
    return None


# ---------------------------------------------------------------------------------------------
# reading fields, whatever the version


def started_at(entry: Entry) -> datetime:
    """When the session started, as an aware instant (entries from ``read_entries`` always have one)."""
    moment = parse_instant(entry.get("started_at"))
    if moment is None:
        raise ValueError("entry has no started_at")
    return moment


def active_seconds(entry: Entry) -> float:
    """The session's active seconds, 0 when missing or not a number."""
    value = entry.get("active_s")
    return float(value) if isinstance(value, int | float) and _is_number(value) else 0.0


def tension_change(entry: Entry) -> int | None:
    """``tension_after - tension_before`` when both are ratings, else None."""
    before, after = entry.get("tension_before"), entry.get("tension_after")
    if isinstance(before, int) and isinstance(after, int) and _is_count(before) and _is_count(after):
        return after - before
    return None
