"""Entry checks: whether a line of the journal is an entry, and why not."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from headrub.journal.corrections import correction_problem, is_correction
from headrub.journal.entries import (
    FORMAT_VERSION,
    MAX_COUNT,
    MAX_SECONDS,
    MAX_YEAR,
    MIN_YEAR,
    Entry,
    _is_count,
    _is_number,
    parse_instant,
)


class Line(NamedTuple):
    """A parsed line: an entry, or a correction (``is_correction``), with the instants readers need.

    A named tuple: a million of them are made in a big export, and a tuple is made in one call.
    """

    entry: Entry
    started: datetime
    logged: datetime | None
    is_correction: bool = False


_Line = Line


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # NaN and Infinity are not JSON

_fast_loads: Callable[[bytes], Any] | None
try:  # four times json's speed on journal lines; only ever a shortcut to json's own answer
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency, but the stdlib path stands alone
    _fast_loads = None
_UNREAD = object()
_WHOLE_LIMIT = 2.0**63  # orjson reads a longer integer as a float, where json keeps it whole


def _load_quickly(raw: bytes) -> Any:
    """``raw`` as orjson reads it, or ``_UNREAD`` wherever json's answer could differ.

    That is a line orjson refuses (json takes lone surrogates, and names every reason), a float
    that may have been a long integer, and nested values (not checked for those: left to json).
    """
    if _fast_loads is None:
        return _UNREAD
    try:
        value = _fast_loads(raw)
    except ValueError:
        return _UNREAD
    if type(value) is dict:
        kinds = set(map(type, value.values()))
        if dict in kinds or list in kinds:
            return _UNREAD
        if float in kinds:
            for item in value.values():
                if type(item) is float and not -_WHOLE_LIMIT < item < _WHOLE_LIMIT:
                    return _UNREAD
    elif type(value) is not list:  # a bare value: not an entry whatever it is
        return _UNREAD
    return value


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
    value = _load_quickly(raw)
    if value is _UNREAD:
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
    if is_correction(value):
        return _correction(value)
    problem = _entry_problem(value)
    if problem is not None:
        return problem
    return _with_instants(value, False)


def _correction(value: dict[str, Any]) -> Line | str:
    problem = correction_problem(value)
    if problem is not None:
        return problem
    return _with_instants(value, True)


def _with_instants(value: dict[str, Any], correction: bool) -> Line | str:
    """The checked line with its ``started_at`` and ``logged_at`` instants, or why it has none."""
    started = parse_instant(value["started_at"])
    if started is None:
        return "started_at is not a date-time"
    logged_text = value.get("logged_at")
    logged = parse_instant(logged_text, naive_is_utc=True) if isinstance(logged_text, str) else None
    if logged is None and logged_text is not None and not correction and _version(value) == FORMAT_VERSION:
        return "logged_at is not a date-time"
    return Line(value, started, logged, correction)


def parse(raw: bytes) -> Line | str | None:
    """One line as an entry or correction, the reason it is neither, or None for a blank line."""
    return _parse(raw)


def trusted_bound(line: Line, offset: int) -> datetime | None:
    """The latest ``started_at`` up to this line, if the line says so where headrub wrote it.

    A line records the byte offset it was written at (``line_at``) and the latest ``started_at``
    of itself and every line before it (``latest_start``). Only when ``line_at`` is the line's
    offset now is the claim believed: a line copied, concatenated or moved is just a line.
    """
    value = line.entry
    if value.get("line_at") != offset or type(value.get("line_at")) is not int:
        return None
    latest = parse_instant(value.get("latest_start"), naive_is_utc=True)
    if latest is None or latest < line.started:
        return None
    return latest


def _version(entry: Entry) -> int:
    version = entry.get("v", FORMAT_VERSION)
    return version if isinstance(version, int) and not isinstance(version, bool) else FORMAT_VERSION


MAX_VERSION = 1000
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
    ("strokes_skipped", _COUNT, True),
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
    if not ((kind is float or kind is int) and 0 <= item <= MAX_SECONDS):
        return False
    item = get("planned_s")
    if item is not None:
        kind = type(item)
        if not ((kind is float or kind is int) and 0 <= item <= MAX_SECONDS):
            return False
    item = get("title")
    if item is not None and type(item) is not str:
        return False
    item = get("note")
    if item is not None and type(item) is not str:
        return False
    item = get("strokes_done")
    if item is not None and not (type(item) is int and 0 <= item <= MAX_COUNT):
        return False
    item = get("strokes_skipped")
    if item is not None and not (type(item) is int and 0 <= item <= MAX_COUNT):
        return False
    item = get("strokes_total")
    if item is not None and not (type(item) is int and 0 <= item <= MAX_COUNT):
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
        moment = datetime.fromisoformat(item)
        return moment.tzinfo is not None and MIN_YEAR <= moment.year <= MAX_YEAR
    except ValueError:
        return False


def _entry_problem(value: dict[str, Any]) -> str | None:
    """Why a JSON object is not an entry, or None. A newer version is held only to its core."""
    version = value.get("v", FORMAT_VERSION)
    if type(version) is not int or not 1 <= version <= MAX_VERSION:
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

