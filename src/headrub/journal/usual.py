"""The usual entry, a chunk at a time, read by msgspec: typed and checked in one call.

An export (``exporting``) reads every line of the journal, and nearly all of them are the entry
headrub writes. For a chunk of those, msgspec decodes the lines straight into typed records
(``Usual``), checking each field's kind and range as it reads, several times faster than
orjson's objects checked by ``blocks._plain_all``. It accepts only what ``_plain_all`` accepts
(the same fields, each of the same kind and range; any other chunk gives None and is read the
ordinary way, ``blocks.parse_chunk``), and reads each value as ``json`` does: a key written
twice keeps its last value, text and numbers are the same values.

What ``read_usual`` gives is only for shapes that know records (``of_usual``: a CSV row or a
JSON item each; ``shown`` picks the records an export shows); nothing else in headrub sees
them. The light passes read each line's id and start with msgspec too (``ids_and_starts``).
Without msgspec every chunk is read the ordinary way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal

from headrub.journal.blocks import usual_instants
from headrub.journal.entries import MAX_COUNT, MAX_SECONDS, TENSION_RANGE

if TYPE_CHECKING:
    from headrub.timeutil import Window

try:
    import msgspec
    from msgspec import UNSET, Meta, Struct, UnsetType
except ImportError:  # pragma: no cover - msgspec is a dependency; without it every chunk is read the ordinary way
    msgspec = None  # type: ignore[assignment]

if msgspec is not None:
    _Seconds = Annotated[int, Meta(ge=0, le=MAX_SECONDS)] | Annotated[float, Meta(ge=0, le=MAX_SECONDS)]
    _Count = Annotated[int, Meta(ge=0, le=MAX_COUNT)]
    _Tension = Annotated[int, Meta(ge=TENSION_RANGE[0], le=TENSION_RANGE[-1])]

    class Usual(Struct, forbid_unknown_fields=True, gc=False, kw_only=True):
        """The entry headrub writes, fields in its order: what ``blocks._plain`` accepts of it.

        ``strokes_skipped`` may be missing (lines written before it was); UNSET then, never
        written back. ``line_at`` and ``latest_start`` (bookkeeping) come last, and are left
        out of what is shown (``exporting`` strips them from every entry;
        ``journal_output._usual_items``).
        """

        v: Literal[1]
        id: str
        routine: Annotated[str, Meta(min_length=1)]
        title: str | None
        started_at: str
        ended_at: str | None
        planned_s: _Seconds | None
        active_s: _Seconds
        completed: bool
        strokes_done: _Count | None
        strokes_total: _Count | None
        strokes_skipped: _Count | UnsetType | None = UNSET
        tension_before: _Tension | None
        tension_after: _Tension | None
        note: str | None
        source: str
        logged_at: str
        line_at: int | None
        latest_start: str | None

    class _Keys(Struct, gc=False):
        """What the light passes read of a line (``linekeys._ids_and_moments``): its id and start
        as the expressions ``linekeys._ID`` and ``_STARTED`` could match them (an id of 1 to 50
        characters, 200 bytes at most; a start of 1 to 64), and no ``correction``; other fields
        are skipped."""

        id: Annotated[str, Meta(min_length=1, max_length=50)]
        started_at: Annotated[str, Meta(min_length=1, max_length=64)]
        correction: UnsetType = UNSET  # (a correction is refused: its line is read alone)

    _decode_lines = msgspec.json.Decoder(Usual).decode_lines
    _decode_key_lines = msgspec.json.Decoder(_Keys).decode_lines
    _encode = msgspec.json.Encoder().encode
    _DecodeError = msgspec.DecodeError  # (a ValidationError is one too)


class UsualChunk:
    """A chunk whose every line is the usual entry: its records, when each started, and (asked
    once, by ``canonical``) whether each line is written exactly as msgspec writes its record."""

    def __init__(self, records: list[Any], started: list[datetime], chunk: bytes) -> None:
        self.records = records
        self.started = started
        self.chunk = chunk
        self._canonical: bool | None = None
        self._encoded: bytes | None = None

    def canonical(self) -> bool:
        """Whether each line is byte for byte its record as msgspec writes it, with ``", "`` and
        ``": "`` between items (as ``json.dumps`` writes by default, and headrub does): then its
        keys are in the record's order and every value is spelt as ``json.dumps`` spells it
        (floats below 1e-4 aside: checked where they are written)."""
        if self._canonical is None:
            text = b"[" + self.chunk[:-1].replace(b"\n", b", ") + b"]"  # (its lines as one array)
            self._canonical = msgspec.json.format(self.encoded(), indent=0) == text
        return self._canonical

    def encoded(self) -> bytes:
        """The records as msgspec writes them: one JSON array."""
        if self._encoded is None:
            self._encoded = _encode(self.records)
        return self._encoded


# Where two values meet on one line (the only way ``decode_lines`` could give a line two).
_TWO_VALUES = re.compile(rb"}[ \t\r]*{")


def _records(decode_lines: Callable[[bytes], list[Any]], chunk: bytes, count: int, objects: bool = False) -> list[Any] | None:
    """One record a line of ``chunk`` (``count`` whole lines, each ending with a newline), or None.

    ``decode_lines`` passes over blank lines and reads values across lines or two on a line. As
    many objects as lines, none meeting another on a line, is one a line: an object across two
    lines would leave some line two objects. ``objects``: that is known already (the light pass
    proved it of the same bytes).
    """
    if msgspec is None or (not objects and (chunk[-1:] != b"\n" or _TWO_VALUES.search(chunk) is not None)):
        return None
    try:
        records = decode_lines(chunk)
    except (_DecodeError, UnicodeDecodeError):  # (older msgspec raises the latter for text that is not UTF-8)
        return None
    return records if len(records) == count else None


def read_usual(chunk: bytes, count: int, objects: bool = False) -> UsualChunk | None:
    """The records of the ``count`` lines of ``chunk`` when every line (whole lines, each ending
    with a newline) is the usual entry and its three date-times have an offset and a year in
    range; else None. ``objects``: each line is known to be one JSON object (``_records``)."""
    records = _records(_decode_lines, chunk, count, objects)
    if records is None:
        return None
    instants = usual_instants(list(map(_STARTED, records)), list(map(_LOGGED, records)), list(map(_ENDED, records)))
    if instants is None:
        return None
    started = instants[0]
    return UsualChunk(records, started, chunk)


def no_small_float(records: Sequence[Any]) -> bool:
    """Whether no record holds seconds below 1e-4 but 0, which msgspec and orjson write
    otherwise than ``json`` and ``str`` do (``1e-5``, ``0.00001``: ``1e-05``); the other numbers
    are whole, or seconds up to 10**6, which they write alike."""
    least = min(filter(None, map(_ACTIVE, records)), default=1)
    least = min(least, min(filter(None, map(_PLANNED, records)), default=1))
    return least >= 1e-4


_ACTIVE, _PLANNED = attrgetter("active_s"), attrgetter("planned_s")


_ID, _STARTED, _LOGGED, _ENDED = attrgetter("id"), attrgetter("started_at"), attrgetter("logged_at"), attrgetter("ended_at")


def ids_and_starts(chunk: bytes, count: int) -> tuple[list[bytes], list[str]] | None:
    """Of each of the ``count`` lines of ``chunk`` (whole lines, with no backslash, each naming
    ``"id"`` and ``"started_at"`` once: ``linekeys._ids_and_moments`` checks), its id and start
    as ``linekeys._ID`` and ``_STARTED`` find them, when every line is an object whose two are
    text those expressions match (``_Keys``) and none is a correction; else None. Read by
    msgspec, several times faster than the expressions.
    """
    keys = _records(_decode_key_lines, chunk, count)
    if keys is None:
        return None
    joined = "\n".join(map(_ID, keys))  # (no text holds a newline)
    return joined.encode().split(b"\n"), list(map(_STARTED, keys))


def shown(
    usual: UsualChunk,
    first: int,
    aside: set[int],
    window: Window,
    routine: str | None,
    of_usual: Callable[..., list[Any] | None],
) -> tuple[list[datetime], Sequence[int], list[Any]] | None:
    """(when each started, line number, shape) of the usual records numbered from ``first`` that
    are in the window (and of ``routine``, if given), but for the line numbers ``aside`` (put in
    place later); None when the shape cannot be made of them."""
    starts = usual.started
    keep: list[int] | None = None
    since, until = window.since, window.until
    if (since is not None and min(starts) < since) or (until is not None and max(starts) > until):
        keep = [i for i, started in enumerate(starts) if window.contains(started) and first + i not in aside]
    elif aside:
        skip = {at - first for at in aside}
        keep = [i for i in range(len(starts)) if i not in skip]
    if routine is not None:
        records = usual.records
        keep = [i for i in (range(len(starts)) if keep is None else keep) if records[i].routine == routine]
    made = of_usual(usual, keep)
    if made is None:
        return None
    if keep is None:
        return starts, range(first, first + len(starts)), made
    return [starts[i] for i in keep], [first + i for i in keep], made
