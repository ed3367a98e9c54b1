"""Totals, days practised, streaks and, per routine, what works: the numbers behind ``headrub stats``.

A session's day is the calendar day where it happened: the date of ``started_at`` in the offset
it was logged with, so a session at 23:30 stays on its day whatever the zone is now.

The numbers come in two steps: ``aggregate`` folds entries into an ``Aggregate`` (counts, sums
and the set of days, in file order), and ``finish`` turns one into the ``stats --json`` object as
seen at a moment. Because the journal is only ever appended to, ``whole_journal`` keeps the
aggregate of the journal's complete lines in ``<data>/stats-cache.json`` with a digest of the
bytes it covers, and on the next run reads only what was appended since. The cache is an
optimisation only: whenever it is missing, stale or unusable the journal is read in full, and
a cache that cannot be written is simply not written.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from headrub import trends
from headrub.journal import (
    FORMAT_VERSION,
    Entry,
    Line,
    Warn,
    active_seconds,
    entry_version,
    fold_lines,
    parse,
    read_entries,
    reading,
    report_problems,
    started_at,
    strip,
    tension_change,
)
from headrub.journal.files import Snapshot, _ensure_folder, open_regular
from headrub.timeutil import week_start_date

# Since Python 3.12 ``sum()`` of floats is compensated (Neumaier), so its result depends on the
# order and grouping of the numbers. ``RunningSum`` reproduces whichever ``sum()`` this is.
_COMPENSATED = sum([1e100, 1.0, -1e100]) == 1.0

CACHE_NAME = "stats-cache.json"
CACHE_FORMAT = 3  # bump when what the cache holds, or how a line is read or counted, changes
CACHE_MODE = 0o600
_CHUNK = 1 << 20


def session_day(entry: Entry) -> date:
    """The local calendar day the session started on."""
    return started_at(entry).date()


# ---------------------------------------------------------------------------------------------
# aggregating


class RunningSum:
    """A float total that comes out exactly as ``sum()`` of the same floats, in the same order, would."""

    __slots__ = ("hi", "lo")

    def __init__(self, hi: float = 0.0, lo: float = 0.0) -> None:
        self.hi = hi  # the running sum
        self.lo = lo  # the compensation for bits lost (always 0.0 where sum() is not compensated)

    def add(self, x: float) -> None:
        """Add one float, as ``sum()`` does."""
        hi = self.hi
        total = hi + x
        if _COMPENSATED:
            if abs(hi) >= abs(x):
                self.lo += (hi - total) + x
            else:
                self.lo += (x - total) + hi
        self.hi = total

    def value(self) -> float:
        """The total, as ``sum()`` would return it."""
        lo = self.lo
        if lo and math.isfinite(lo):
            return self.hi + lo
        return self.hi

    def copy(self) -> RunningSum:
        return RunningSum(self.hi, self.lo)

    def to_json(self) -> list[float]:
        return [self.hi, self.lo]

    @classmethod
    def from_json(cls, data: Any) -> RunningSum:
        _expect(isinstance(data, list) and len(data) == 2 and all(type(x) is float for x in data))
        return cls(data[0], data[1])


@dataclass
class RoutineTotals:
    """One routine's part of an ``Aggregate``."""

    sessions: int = 0
    seconds: RunningSum = field(default_factory=RunningSum)
    change_sum: int = 0  # the sum of tension changes over the entries that have both ratings
    change_count: int = 0  # how many entries have both ratings
    change_squares: int = 0  # the sum of their squares (for the spread)
    change_low: int = 0  # the least and greatest change (meaningful when change_count > 0)
    change_high: int = 0


@dataclass
class Aggregate:
    """What ``finish`` needs to know about a run of entries; ``add`` folds one more in, in file order.

    Counts, sums and the set of days; serialisable with ``to_json`` and mergeable with ``merge``.
    """

    sessions: int = 0
    seconds: RunningSum = field(default_factory=RunningSum)
    days: set[date] = field(default_factory=set)
    routines: dict[str, RoutineTotals] = field(default_factory=dict)
    completed: int = 0  # sessions that reached their end with no stroke skipped
    skipped: int = 0  # strokes skipped before half their time ran
    # Per day: [seconds, sessions, sum of tension before, how many, sum of tension after, how many].
    daily: dict[date, list[float]] = field(default_factory=dict)

    def add(self, entry: Entry, day: date | None = None) -> None:
        """Fold in one entry (``day``: its session day, when the caller already has it)."""
        day = session_day(entry) if day is None else day
        self.days.add(day)
        seconds = active_seconds(entry)
        cell = self.daily.get(day)
        if cell is None:
            cell = self.daily[day] = [0.0, 0, 0, 0, 0, 0]
        cell[0] += seconds
        cell[1] += 1
        for slot, name in ((2, "tension_before"), (4, "tension_after")):
            rating = entry.get(name)
            if type(rating) is int and 0 <= rating <= 10:
                cell[slot] += rating
                cell[slot + 1] += 1
        change = tension_change(entry)
        name = str(entry.get("routine"))
        self.sessions += 1
        self.seconds.add(seconds)
        if entry.get("completed") is True:
            self.completed += 1
        skipped = entry.get("strokes_skipped")
        if type(skipped) is int and skipped > 0:
            self.skipped += skipped
        totals = self.routines.get(name)
        if totals is None:
            totals = self.routines[name] = RoutineTotals()
        totals.sessions += 1
        totals.seconds.add(seconds)
        if change is not None:
            totals.change_low = change if not totals.change_count else min(totals.change_low, change)
            totals.change_high = change if not totals.change_count else max(totals.change_high, change)
            totals.change_sum += change
            totals.change_count += 1
            totals.change_squares += change * change

    def merge(self, other: Aggregate) -> Aggregate:
        """Fold ``other`` (the entries after this one's) into this aggregate; returns it.

        Counts, days and tension changes merge exactly. Float sums merge as ``sum()`` of the two
        totals would, which can differ in the last bit from one ``sum()`` over every entry
        (Python 3.12+ compensates its float sums); to stay bit-identical, ``whole_journal``
        folds appended entries into the cached aggregate with ``add`` instead.
        """
        self.sessions += other.sessions
        self.completed += other.completed
        self.skipped += other.skipped
        self.seconds.add(other.seconds.value())
        self.days |= other.days
        for name, theirs in other.routines.items():
            mine = self.routines.get(name)
            if mine is None:
                mine = self.routines[name] = RoutineTotals()
            mine.sessions += theirs.sessions
            mine.seconds.add(theirs.seconds.value())
            if theirs.change_count:
                both = mine.change_count > 0
                mine.change_low = min(mine.change_low, theirs.change_low) if both else theirs.change_low
                mine.change_high = max(mine.change_high, theirs.change_high) if both else theirs.change_high
            mine.change_sum += theirs.change_sum
            mine.change_count += theirs.change_count
            mine.change_squares += theirs.change_squares
        for day, theirs_cell in other.daily.items():
            cell = self.daily.setdefault(day, [0.0, 0, 0, 0, 0, 0])
            for slot, value in enumerate(theirs_cell):
                cell[slot] += value
        return self

    def copy(self) -> Aggregate:
        return Aggregate(
            self.sessions,
            self.seconds.copy(),
            set(self.days),
            {
                name: RoutineTotals(
                    t.sessions, t.seconds.copy(), t.change_sum, t.change_count,
                    t.change_squares, t.change_low, t.change_high,
                )
                for name, t in self.routines.items()
            },
            self.completed,
            self.skipped,
            {day: list(cell) for day, cell in self.daily.items()},
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: days as ISO dates, float sums as their exact running state."""
        return {
            "sessions": self.sessions,
            "completed": self.completed,
            "skipped": self.skipped,
            "seconds": self.seconds.to_json(),
            "days": sorted(day.isoformat() for day in self.days),
            "daily": {day.isoformat(): cell for day, cell in sorted(self.daily.items())},
            "routines": {
                name: {
                    "sessions": t.sessions,
                    "seconds": t.seconds.to_json(),
                    "change_sum": t.change_sum,
                    "change_count": t.change_count,
                    "change_squares": t.change_squares,
                    "change_range": [t.change_low, t.change_high],
                }
                for name, t in self.routines.items()
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> Aggregate:
        """The aggregate ``to_json`` gave; ``ValueError`` for anything else."""
        _expect(isinstance(data, dict))
        days = data["days"]
        routines = data["routines"]
        _expect(isinstance(days, list) and all(type(day) is str for day in days))
        _expect(isinstance(routines, dict))
        result = cls(_count(data["sessions"]), RunningSum.from_json(data["seconds"]))
        result.completed = _count(data["completed"])
        result.skipped = _count(data["skipped"])
        result.days = {date.fromisoformat(day) for day in days}
        for name, totals in routines.items():
            _expect(isinstance(totals, dict))
            change_sum, (low, high) = totals["change_sum"], totals["change_range"]
            _expect(type(change_sum) is int and type(low) is int and type(high) is int)
            result.routines[name] = RoutineTotals(
                _count(totals["sessions"]),
                RunningSum.from_json(totals["seconds"]),
                change_sum,
                _count(totals["change_count"]),
                _count(totals["change_squares"]),
                low,
                high,
            )
        daily = data["daily"]
        _expect(isinstance(daily, dict))
        for day, cell in daily.items():
            _expect(isinstance(cell, list) and len(cell) == 6 and type(cell[0]) is float)
            _expect(all(type(value) is int and value >= 0 for value in cell[1:]))
            result.daily[date.fromisoformat(day)] = cell
        _expect(sum(t.sessions for t in result.routines.values()) == result.sessions)
        return result


def _expect(condition: bool) -> None:
    if not condition:
        raise ValueError("not what was expected")


def _count(value: Any) -> int:
    _expect(type(value) is int and value >= 0)
    return int(value)


def aggregate(entries: Iterable[Entry]) -> Aggregate:
    """The ``Aggregate`` of ``entries``, folded in the order given."""
    result = Aggregate()
    for entry in entries:
        result.add(entry)
    return result


def finish(totals: Aggregate, now: datetime, week_start: int = 0) -> dict[str, Any]:
    """The ``stats --json`` object of CONTRACT section 5 for an aggregate, as seen at ``now`` (aware, local).

    Keys: sessions, minutes, days_this_week, days_this_month, current_streak_days,
    longest_streak_days, routines (best average tension change first, no change last).
    """
    today = now.astimezone().date()
    days = totals.days
    week_from = week_start_date(today, week_start)
    return {
        "sessions": totals.sessions,
        "completed_sessions": totals.completed,
        "strokes_skipped": totals.skipped,
        "minutes": round(totals.seconds.value() / 60, 1),
        "days_this_week": sum(1 for day in days if week_from <= day <= today),
        "days_this_month": sum(
            1 for day in days if day.replace(day=1) == today.replace(day=1) and day <= today
        ),
        "current_streak_days": current_streak(days, today),
        "longest_streak_days": longest_streak(days),
        "routines": _routine_rows(totals),
        "calendar": trends.calendar(totals.daily, today, week_from),
        "tension_by_week": trends.tension_by_week(totals.daily, today, week_from),
    }


def compute_stats(entries: Iterable[Entry], now: datetime, week_start: int = 0) -> dict[str, Any]:
    """The ``stats --json`` object of CONTRACT section 5 for ``entries``, as seen at ``now`` (aware, local).

    Keys: sessions, minutes, days_this_week, days_this_month, current_streak_days,
    longest_streak_days, routines (best average tension change first, no change last).
    """
    return finish(aggregate(entries), now, week_start)


def current_streak(days: set[date], today: date) -> int:
    """Consecutive days with a session ending today, or yesterday while today has none yet."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def longest_streak(days: set[date]) -> int:
    """The longest run of consecutive days with a session."""
    best = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def per_routine(entries: list[Entry]) -> list[dict[str, Any]]:
    """Per routine: sessions, average minutes, average tension change (null without ratings).

    Best (most negative change) first, routines without a change last; ties by sessions, then name.
    """
    return _routine_rows(aggregate(entries))


def _routine_rows(totals: Aggregate) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, group in totals.routines.items():
        changes = group.change_count
        mean = round(group.change_sum / changes, 2) if changes else None
        deviation = trends.spread(changes, group.change_sum, group.change_squares)
        rows.append(
            {
                "routine": name,
                "sessions": group.sessions,
                "avg_minutes": round(group.seconds.value() / 60 / group.sessions, 1),
                "avg_tension_change": mean,
                "rated_sessions": changes,
                "change_sd": deviation,
                "change_range": [group.change_low, group.change_high] if changes else None,
                "verdict": trends.verdict(changes, mean, deviation),
            }
        )
    rows.sort(
        key=lambda row: (
            row["avg_tension_change"] is None,
            row["avg_tension_change"] or 0,
            -row["sessions"],
            row["routine"],
        )
    )
    return rows


# ---------------------------------------------------------------------------------------------
# the whole journal, through the cache

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
    """A line after the cached part touches what came before (a correction, an id not new): read it all."""


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
    length, number, tail = known.length, known.lines, None
    for raw in handle:
        if raw[-1:] != b"\n":
            tail = raw  # a torn last line: counted now, never cached
            break
        number += 1
        length += len(raw)
        parsed = parse(raw)
        if isinstance(parsed, str):
            problems.append((number, parsed))
        elif parsed is not None:
            top = _add_new(parsed, totals, top)
            newest = max(newest, entry_version(parsed.entry))
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
    except _Refold:
        return _kept(handle)


def _kept(handle: Snapshot) -> tuple[Aggregate, list[tuple[int, str]], int, _Covered | None]:
    """``_everything`` with every line kept in memory, for a journal that needs folding."""
    lines: list[Line] = []
    problems: list[tuple[int, str]] = []
    newest, number, length, tail = FORMAT_VERSION, 0, 0, None
    handle.seek(0)
    for raw in handle:
        if raw[-1:] != b"\n":
            tail = raw
            break
        number += 1
        length += len(raw)
        parsed = parse(raw)
        if isinstance(parsed, str):
            problems.append((number, parsed))
        elif parsed is not None:
            lines.append(parsed)
            newest = max(newest, entry_version(parsed.entry))
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
    for module in [*sorted(package.glob("*.py")), Path(__file__)]:
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
