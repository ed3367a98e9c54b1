"""The all-time totals through ``<cache>/stats-cache.json``: ``stats`` reads only what was appended.

The cache holds the ``Aggregate`` of the journal's complete lines with the file's identity and a
digest of sampled blocks of the bytes it covers (``_sample``); the next run checks those and reads
only the lines after. A correction or an id that is not new after the cached part means the
whole journal is folded again. The cache is an optimisation only: whenever it is missing, stale
or unusable the journal is read in full, and a cache that cannot be written is simply not written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headrub.journal import (
    FORMAT_VERSION,
    Line,
    Warn,
    entry_version,
    fold_lines,
    parse,
    read_entries,
    reading,
    report_problems,
    strip,
)
from headrub.journal.blocks import chunks, parse_chunk
from headrub.journal.files import Snapshot, _ensure_folder, open_regular
from headrub.journal.reader import _no_gc
from headrub.stats import (
    _COMPENSATED,
    CACHE_FORMAT,
    CACHE_MODE,
    CACHE_NAME,
    Aggregate,
    _count,
    _expect,
    aggregate,
)

MAX_CACHE_BYTES = 32 << 20  # a bigger cache is not believed (it is never that big: days, not entries)
SAMPLE_BLOCK = 4096
SAMPLES = 8  # blocks spread over the covered part, besides its first and last 64 KiB


@dataclass
class _Covered:
    """What the cache knows about the journal's first ``length`` bytes (all complete lines)."""

    length: int
    sample: str  # ``_sample`` of those bytes: the file's identity and a digest of some of its blocks
    lines: int
    problems: list[tuple[int, str]]
    newest: int
    totals: Aggregate
    top_id: str  # the greatest id (of an entry, a correction or a corrected entry) in those bytes


class _Refold(Exception):
    """A line after the cached part touches what came before (a correction, an id not new): read it all.

    Raised by a first read, it carries what that read had summed before the line (``_Done``).
    """

    def __init__(self, done: _Done | None = None) -> None:
        super().__init__()
        self.done = done


@dataclass
class _Done:
    """The aggregate of a journal's first ``lines`` lines, all new ids and no correction."""

    lines: int
    totals: Aggregate
    problems: list[tuple[int, str]]
    newest: int
    top: str


def whole_journal(path: Path | None = None, warn: Warn | None = None) -> Aggregate:
    """The aggregate of every entry in the journal (as corrected), with the warnings of ``read_entries``.

    The same as ``aggregate(read_entries(path, None, warn))``, but the part of the journal
    covered by a valid cache (``<cache>/stats-cache.json``) is not parsed again, and the cache is
    brought up to the journal's last complete line. A missing journal is empty and leaves no
    cache. An unreadable journal is the same ``JournalError`` as from ``read_entries``.
    """
    from headrub.paths import cache_dir, journal_file

    target = Path(path) if path is not None else journal_file()
    try:
        cache = cache_dir() / CACHE_NAME
        cached = _load(cache, target)
    except Exception:
        cache, cached = None, None
    try:
        with _no_gc():  # (many entries, no cycles: see ``reader._no_gc``)
            outcome = _read_through(target, cached)
    except FileNotFoundError:
        return Aggregate()
    except Exception:  # anything at all: the cache must never change the answer, so read it all
        return aggregate(read_entries(target, None, warn))
    totals, problems, newest, fresh = outcome
    if warn is not None:
        report_problems(target, problems, newest, warn)
    if fresh is not None and cache is not None:
        _save(cache, target, fresh)
    return totals


def _read_through(
    target: Path, cached: _Covered | None
) -> tuple[Aggregate, list[tuple[int, str]], int, _Covered | None]:
    """The journal's aggregate, warnings and newest version, and the cache to write (None: keep it)."""
    with reading(target) as handle:
        if (
            cached is not None
            and cached.length <= handle.size
            and _sample(handle, cached.length) == cached.sample
        ):
            try:
                return _after(handle, cached)
            except _Refold:
                pass
        return _everything(handle)


def _after(handle: Snapshot, known: _Covered) -> tuple[Aggregate, list[tuple[int, str]], int, _Covered | None]:
    """The cached aggregate with the lines after it folded in; ``_Refold`` if one touches the past."""
    totals = known.totals.copy()
    problems, newest, top = list(known.problems), known.newest, known.top_id
    handle.seek(known.length)
    read = _Lines(handle, known.lines, known.length, problems)
    add = totals.add
    for line in read:  # ``_add_new`` inlined: this runs once a line in a first stats
        entry = line.entry
        key = entry.get("id")
        if line.is_correction or (type(key) is str and key <= top):
            raise _Refold(_Done(read.number - 1, totals, problems, newest, top) if not known.length else None)
        entry.pop("line_at", None)  # ``strip``
        entry.pop("latest_start", None)
        add(entry, line.started.date())
        if type(key) is str:
            top = key
        if entry.get("v", FORMAT_VERSION) != FORMAT_VERSION:
            newest = max(newest, entry_version(entry))
    length, number, tail = read.length, read.number, read.tail
    fresh = None
    if length > known.length:
        fresh = _Covered(length, _sample(handle, length), number, list(problems), newest, totals.copy(), top)
    if tail is not None:
        parsed = parse(tail)
        if isinstance(parsed, str):
            problems.append((number + 1, parsed))
        elif parsed is not None:
            _add_new(parsed, totals, top)
            newest = max(newest, entry_version(parsed.entry))
    return totals, problems, newest, fresh


class _Lines:
    """The complete lines from the handle's position on, parsed; problems noted with their numbers.

    ``number`` and ``length`` count on from where they start; a torn last line (no newline) is
    kept apart in ``tail``: counted by the caller now, never cached.
    """

    def __init__(self, handle: Snapshot, number: int, length: int, problems: list[tuple[int, str]]) -> None:
        self.handle, self.number, self.length, self.problems = handle, number, length, problems
        self.tail: bytes | None = None

    def __iter__(self) -> Iterator[Line]:
        for chunk in chunks(self.handle):
            if chunk[-1:] != b"\n":
                self.tail = chunk
                return
            self.length += len(chunk)
            for parsed in parse_chunk(chunk):
                self.number += 1
                if isinstance(parsed, str):
                    self.problems.append((self.number, parsed))
                elif parsed is not None:
                    yield parsed


def _add_new(line: Line, totals: Aggregate, top: str) -> str:
    """Fold in an entry whose id is greater than every id before it; ``_Refold`` for anything else."""
    entry = line.entry
    key = entry.get("id")
    if line.is_correction or (type(key) is str and key <= top):
        raise _Refold
    totals.add(strip(entry), line.started.date())
    return key if type(key) is str else top


def _everything(handle: Snapshot) -> tuple[Aggregate, list[tuple[int, str]], int, _Covered | None]:
    """Every line read and folded; the cache covers the complete lines.

    Streamed when every id is new (the usual journal); otherwise the lines are kept and folded.
    """
    try:
        return _after(handle, _Covered(0, "", 0, [], FORMAT_VERSION, Aggregate(), ""))
    except _Refold as refold:
        done = refold.done
    try:
        return _folded_stream(handle, done)
    except _Refold:
        return _kept(handle)


def _folded_stream(
    handle: Snapshot, done: _Done | None = None
) -> tuple[Aggregate, list[tuple[int, str]], int, _Covered | None]:
    """``_everything`` for a journal that needs folding, in about constant memory.

    The lines of ids that repeat or are corrected, and the corrections, are found and folded
    first (``ordering.suspect_scan`` and ``exporting._hold``); then every line is read in order, each
    folded entry added where its first copy stands, so the sums come out as a full read's. What
    a first read ``done`` summed is kept when none of those lines is among its lines (an id made
    in the same millisecond as the one before, say, repeats nothing): those are not read again.
    """
    from headrub.journal.exporting import _hold
    from headrub.journal.ordering import suspect_scan
    from headrub.timeutil import EVERYTHING

    start = max(0, handle.size - (1 << 16))
    handle.seek(start)
    cut = handle.read(1 << 16).rfind(b"\n")
    complete = start + cut + 1 if cut >= 0 else 0
    whole = Snapshot(handle.handle, complete)
    scanned = suspect_scan(whole)
    if scanned.doubtful:  # (a line whose id JSON reads otherwise than the quick scan: read it all)
        raise _Refold
    suspects = scanned.suspects
    held, skip, problems = _hold(whole, scanned.regions, suspects, EVERYTHING) if suspects else ([], set(), [])
    at = {item[1]: item[4] for item in held}  # by line number
    if done is not None and min([*skip, *at], default=done.lines + 1) > done.lines:
        totals, newest, top, skipping = done.totals, done.newest, done.top, done.lines
        problems = [*done.problems, *problems]
    else:
        totals, newest, top, skipping = Aggregate(), FORMAT_VERSION, "", 0
    add = totals.add
    number = 0
    whole.seek(0)
    for chunk in chunks(whole):
        parsed_lines = None
        if number < skipping:  # lines already summed: counted, not read again
            count = chunk.count(b"\n")
            if number + count <= skipping:
                number += count
                continue
            parsed_lines, number = parse_chunk(chunk)[skipping - number :], skipping
        for parsed in parse_chunk(chunk) if parsed_lines is None else parsed_lines:
            number += 1
            line = at.get(number)
            if line is not None:
                parsed = line
            elif number in skip:
                continue
            if isinstance(parsed, str):
                problems.append((number, parsed))
            elif parsed is not None:
                entry = parsed.entry
                if entry.get("v", FORMAT_VERSION) != FORMAT_VERSION:
                    newest = max(newest, entry_version(entry))
                key = entry.get("id") if not parsed.is_correction else _ids_of(parsed)
                if type(key) is str and key > top:
                    top = key
                entry.pop("line_at", None)  # ``strip``
                entry.pop("latest_start", None)
                add(entry, parsed.started.date())
    top = max([top, *(key.decode("utf-8", "replace") for key in suspects)])  # corrected ids too
    problems.sort()
    fresh = _Covered(complete, _sample(handle, complete), number, list(problems), newest, totals.copy(), top)
    handle.seek(complete)
    tail = handle.read()
    if tail:
        parsed = parse(tail)
        if isinstance(parsed, str):
            problems.append((number + 1, parsed))
        elif parsed is not None:
            newest = max(newest, entry_version(parsed.entry))
            _add_new(parsed, totals, top)
    return totals, problems, newest, fresh


def _kept(handle: Snapshot) -> tuple[Aggregate, list[tuple[int, str]], int, _Covered | None]:
    """``_everything`` with every line kept in memory, for a journal that needs folding."""
    lines: list[Line] = []
    problems: list[tuple[int, str]] = []
    newest = FORMAT_VERSION
    handle.seek(0)
    read = _Lines(handle, 0, 0, problems)
    for line in read:
        lines.append(line)
        newest = max(newest, entry_version(line.entry))
    length, number, tail = read.length, read.number, read.tail
    top = max((_ids_of(line) for line in lines), default="")
    totals = aggregate(line.entry for line in fold_lines(lines))
    fresh = _Covered(length, _sample(handle, length), number, list(problems), newest, totals.copy(), top)
    if tail is not None:
        parsed = parse(tail)
        if isinstance(parsed, str):
            problems.append((number + 1, parsed))
        elif parsed is not None:
            newest = max(newest, entry_version(parsed.entry))
            try:
                _add_new(parsed, totals, top)
            except _Refold:
                totals = aggregate(line.entry for line in fold_lines([*lines, parsed]))
    return totals, problems, newest, fresh


def _ids_of(line: Line) -> str:
    """The greatest id a line names: its own, and for a correction the entry it corrects."""
    names = [line.entry.get("id"), line.entry.get("of") if line.is_correction else None]
    return max((name for name in names if type(name) is str), default="")


def _sample(handle: Snapshot, length: int) -> str:
    """A digest of the file's identity (device, inode) and of some blocks of its first ``length`` bytes.

    The first and last 64 KiB and ``SAMPLES`` blocks spread between: a replaced file (another
    inode), a truncation or an edit that moves bytes changes it, at a cost that does not grow with
    the journal. (An edit in place that keeps every length and touches only unsampled bytes is
    not seen: headrub never does that, and a person editing by hand rarely does.)
    """
    import hashlib

    info = os.fstat(handle.fileno())
    digest = hashlib.sha256(f"{info.st_dev}:{info.st_ino}:{length}".encode())
    spans = [(0, 1 << 16), (max(0, length - (1 << 16)), 1 << 16)]
    spans += [(length * (i + 1) // (SAMPLES + 1), SAMPLE_BLOCK) for i in range(SAMPLES)]
    for start, size in spans:
        handle.seek(start)
        digest.update(handle.read(max(0, min(size, length - start))))
    return digest.hexdigest()


def _context(target: Path) -> dict[str, Any]:
    """What besides the journal's bytes decides the numbers: a cache made under anything else is stale.

    The journal it covers, the reading rules (this code and the journal's), how ``sum()`` adds
    floats, and the local zone (a date-time without an offset is read as local time).
    """
    import hashlib

    from headrub import journal

    if journal.__file__ is None:
        raise OSError("no source file")
    package = Path(journal.__file__).parent
    code = hashlib.sha256()
    here = Path(__file__).parent
    for module in [*sorted(package.glob("*.py")), *(here / name for name in ("stats.py", "statscache.py", "trends.py"))]:
        code.update(module.name.encode() + b"\0")
        with open(module, "rb") as handle:
            code.update(handle.read())
    return {
        "format": CACHE_FORMAT,
        "journal": os.fsdecode(os.path.abspath(target)).encode("utf-8", "surrogateescape").hex(),
        "journal_format": FORMAT_VERSION,
        "code": code.hexdigest(),
        "compensated_sum": _COMPENSATED,
        "python": list(sys.version_info[:2]),
        "zone": [os.environ.get("TZ"), list(time.tzname), time.timezone, time.altzone],
    }


def _checked_json(body: dict[str, Any]) -> str:
    """The SHA-256 of ``body``'s canonical JSON, kept beside it so that a damaged cache is never believed."""
    import hashlib
    import json

    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _load(cache: Path, target: Path) -> _Covered | None:
    """The cache's record for ``target``, or None if missing, not a regular file, too big, damaged or stale."""
    import json

    try:
        with open_regular(cache) as handle:
            data = json.loads(handle.read(MAX_CACHE_BYTES + 1)[: MAX_CACHE_BYTES + 1])
        _expect(isinstance(data, dict) and set(data) == {"check", "body"})
        body = data["body"]
        _expect(isinstance(body, dict) and data["check"] == _checked_json(body))
        _expect(body["context"] == _context(target))
        checked: list[tuple[int, str]] = []
        problems = body["problems"]
        _expect(isinstance(problems, list))
        for item in problems:
            _expect(isinstance(item, list) and len(item) == 2 and type(item[1]) is str)
            checked.append((_count(item[0]), item[1]))
        sample, newest, top = body["sample"], body["newest"], body["top_id"]
        _expect(type(sample) is str and type(newest) is int and newest >= FORMAT_VERSION and type(top) is str)
        record = _Covered(
            _count(body["length"]), sample, _count(body["lines"]), checked, newest,
            Aggregate.from_json(body["aggregate"]), top,
        )  # fmt: skip
        _expect(record.lines >= len(checked))
        return record
    except Exception:
        return None


def _save(cache: Path, target: Path, record: _Covered) -> None:
    """Write the cache atomically (a 0600 temp file beside it, fsync, rename); any failure leaves it be.

    Nothing is left behind: the temporary file goes whatever happens, Ctrl-C included. The
    cache of headrub 0.x in the data folder is removed.
    """
    import json

    try:
        body = {
            "context": _context(target),
            "length": record.length,
            "sample": record.sample,
            "lines": record.lines,
            "problems": [list(item) for item in record.problems],
            "newest": record.newest,
            "top_id": record.top_id,
            "aggregate": record.totals.to_json(),
        }
        data = json.dumps({"check": _checked_json(body), "body": body}).encode("ascii")
        if len(data) > MAX_CACHE_BYTES:
            return
        _ensure_folder(cache.parent)
    except Exception:
        return
    temporary = cache.with_name(f".{CACHE_NAME}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(temporary, flags | getattr(os, "O_NOFOLLOW", 0), CACHE_MODE)
    except OSError:
        return
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, CACHE_MODE)
            else:  # pragma: no cover - Windows
                os.chmod(temporary, CACHE_MODE)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError("the disk accepted no more data")
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        _replace(temporary, cache)
        _forget_old_cache(target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if not isinstance(err, Exception):
            raise  # Ctrl-C and the like still stop headrub, with no temporary file left


def _replace(temporary: Path, cache: Path) -> None:
    """Rename over ``cache`` unless it is something other than a regular file or missing."""
    try:
        mode = os.lstat(cache).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise OSError(f"{cache} is not a regular file")
    os.replace(temporary, cache)


def _forget_old_cache(target: Path) -> None:
    """Remove the cache an earlier headrub kept beside the journal (only a regular file of that name)."""
    old = target.with_name(CACHE_NAME)
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.lstat(old).st_mode):
            os.unlink(old)
