"""Building entries (times, seconds, tension, text) and reading their fields whatever the version."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from headrub import timeutil
from headrub.errors import UsageError
from headrub.journal.ids import new_id

Entry = dict[str, Any]

FORMAT_VERSION = 1
SOURCES = ("timer", "manual")
TENSION_RANGE = range(0, 11)

_OTHER_SURROGATES = re.compile("[\ud800-\udc7f\udd00-\udfff]")


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
    strokes_skipped: int | None = None,
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
        "strokes_skipped": strokes_skipped,
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


MIN_YEAR, MAX_YEAR = 1900, 9000  # outside these no session happened, and conversions could overflow
# A day inside those years: an offset is less than a day, so a moment from ... until these has its
# year in range wherever it was written.
_SURELY_FROM, _SURELY_UNTIL = datetime(MIN_YEAR, 1, 2, tzinfo=UTC), datetime(MAX_YEAR, 12, 30, tzinfo=UTC)
MAX_SECONDS = 10**6  # about 11 days: more is not a session's length
MAX_COUNT = 10**6  # strokes in a session


def aware_in_range(moments: list[datetime]) -> bool:
    """Whether each of ``moments`` (as ``datetime.fromisoformat`` reads them) has an offset and a
    year from ``MIN_YEAR`` to ``MAX_YEAR``, as ``parse_instant`` accepts them: most lists are
    decided by their least and greatest instants alone (a day inside the range), the rest by
    each one's year."""
    if not moments:
        return True
    if None in map(_zone, moments):
        return False
    if min(moments) >= _SURELY_FROM and max(moments) <= _SURELY_UNTIL:
        return True
    years = list(map(_year, moments))
    return bool(min(years) >= MIN_YEAR and max(years) <= MAX_YEAR)


_zone, _year = attrgetter("tzinfo"), attrgetter("year")


def parse_instant(text: Any, *, naive_is_utc: bool = False) -> datetime | None:
    """An ISO date-time as an aware instant (naive: local, or UTC), or None if it is not one.

    Years outside 1900–9000 are not accepted: no session happened then, and converting such a
    moment between zones could overflow.
    """
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            return None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC) if naive_is_utc else timeutil.localize(moment)
        return moment
    except (ValueError, OverflowError, OSError):
        return None


def _is_number(value: Any) -> bool:
    """A number of seconds: 0 to ``MAX_SECONDS`` (not a bool, never NaN or infinite)."""
    kind = type(value)
    return (kind is int or kind is float) and 0 <= value <= MAX_SECONDS


def _is_count(value: Any) -> bool:
    """A whole number from 0 to ``MAX_COUNT`` (not a bool)."""
    return type(value) is int and 0 <= value <= MAX_COUNT


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
