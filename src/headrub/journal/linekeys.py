"""What the light passes read of a line without parsing it: its id, its start, whether it is a
correction and what it corrects (``_ID``, ``_STARTED``, ``_OF``), line by line or a chunk at a
time, and whether JSON would read the line otherwise (``_doubtful``).
"""

from __future__ import annotations

import re
from datetime import datetime
from operator import itemgetter
from typing import NamedTuple

from headrub.journal.checks import Line, _parse
from headrub.journal.entries import aware_in_range, parse_instant

_STARTED = re.compile(rb'"started_at"\s*:\s*"([^"\\]{1,64})"')
_ID = re.compile(rb'"id"\s*:\s*"([^"\\]{1,200})"')
_OF = re.compile(rb'"of"\s*:\s*"([^"\\]{1,200})"')
_fromisoformat = datetime.fromisoformat


def _doubtful(raw: bytes) -> bool:
    """Whether ``raw``, read as JSON, is something other than the expressions make of it: another
    id (``_ID``), start (``_STARTED``), correction (``"correction"``) or target (``_OF``).

    Only a line with an escape, a key written twice, or a key the expressions do not match is
    parsed to find out; without those, each expression reads its key's value as JSON does.
    """
    keys = (b'"id"', b'"started_at"', b'"correction"', b'"of"')
    if (
        b"\\" not in raw
        and max(map(raw.count, keys)) <= 1
        and (b'"id"' not in raw or _ID.search(raw) is not None)
        and (b'"started_at"' not in raw or _STARTED.search(raw) is not None)
        and (b'"correction"' not in raw or b'"of"' not in raw or _OF.search(raw) is not None)
    ):
        return False
    parsed = _parse(raw)
    if not isinstance(parsed, Line):
        return False
    found, of, started = _ID.search(raw), _OF.search(raw), _started_quickly(raw)
    entry = parsed.entry
    return (
        _text(found) != entry.get("id")
        or parsed.is_correction != (b'"correction"' in raw)
        or (parsed.is_correction and _text(of) != entry.get("of"))
        or (not parsed.is_correction and started != parsed.started)
    )


def _text(found: re.Match[bytes] | None) -> str | None:
    return found.group(1).decode("utf-8", "replace") if found is not None else None


def _escapes_doubtful(chunk: bytes) -> bool:
    """Whether a line of ``chunk`` that holds a backslash is ``_doubtful`` (each looked at once)."""
    at = chunk.find(b"\\")
    while at >= 0:
        start = chunk.rfind(b"\n", 0, at) + 1
        end = chunk.find(b"\n", at) + 1 or len(chunk)
        if _doubtful(chunk[start:end]):
            return True
        at = chunk.find(b"\\", end)
    return False


class ChunkKeys(NamedTuple):
    """What ``_ids_and_moments`` reads of a chunk: each line's id and start, and whether msgspec
    read it (then each line is one JSON object: ``usual._records``)."""

    ids: list[bytes]
    moments: list[datetime]
    objects: bool


def _ids_and_moments(chunk: bytes) -> ChunkKeys | None:
    """The ids (``_ID`` matches) and when each line started (as ``_started``), for a chunk of whole
    lines that each have a ``started_at`` ``_STARTED`` finds; None for any other chunk (then each
    line is read by itself).

    A chunk without a backslash whose lines are all JSON objects is read by msgspec instead
    (``usual.ids_and_starts``), when what it reads is what the expressions would find. It
    refuses only a line with a ``correction`` key, where the expressions refuse the chunk for the
    word anywhere: a line that holds it only as a value, read alone, would add a suspect no line
    has as its id (its ``"of"``, if any, at most). More suspects change no export: a suspect's
    lines are held and folded only when its id is repeated or a correction names it, and
    ``exporting._hold`` counts such a line among its id's copies as any other.

    Both expressions never match across a newline, so over the chunk they find each line's
    matches in turn: ``_STARTED_LINE`` takes the rest of the line with its first, so as many
    matches as lines is one a line. The ids may hold more than one a line (and no line's first
    is left out): that can only add suspects, and a suspect is folded only if its id is repeated
    or corrected, so the export is the same.
    """
    count = chunk.count(b"\n")
    if not count or chunk[-1:] != b"\n":
        return None
    if chunk.count(b'"started_at"') != count or chunk.count(b'"id"') != count:
        return None  # (some line holds a key twice, or none: each line is looked at alone)
    read = None if b"\\" in chunk else _read_keys(chunk, count)
    if read is not None:  # every line an object, none a correction: its id and start as the expressions find them
        ids, starts = read
        if not "".join(starts).isascii():
            return None
    else:
        if b'"correction"' in chunk:
            return None
        usual = _USUAL_START.findall(b"\n" + chunk)
        if len(usual) == count:  # every line starts as headrub writes it: its id and start in one go
            ids, texts = list(map(_FIRST, usual)), list(map(_SECOND, usual))
        else:  # one match each a line, found with the rest of its line: with the counts, one key a line
            ids, texts = _ID_REST.findall(chunk), _STARTED_LINE.findall(chunk)
            if len(ids) != count:
                return None
        joined = b'"'.join(texts)  # (no text holds a quote)
        if len(texts) != count or not joined.isascii():
            return None
        if b"\\" in chunk and _escapes_doubtful(chunk):
            return None
        starts = joined.decode().split('"')
    moments = _moments(starts)
    if moments is None:
        return None
    return ChunkKeys(ids, moments, read is not None)


# ``_STARTED`` and ``_ID`` as they match inside one line (with no newline in them, as any match
# in a line is: a line's only newline is its last byte), the first up to the end of its line.
_STARTED_LINE = re.compile(rb'"started_at"[ \t\r\f\v]*:[ \t\r\f\v]*"([^"\\\n]{1,64})"[^\n]*\n')
_ID_REST = re.compile(rb'"id"[ \t\r\f\v]*:[ \t\r\f\v]*"([^"\\\n]{1,200})"[^\n]*\n')
# The start of a line as headrub writes it, after the newline before it: the first ``_ID`` and
# ``_STARTED`` matches of the line are its id and start (what comes before them holds neither:
# no quote inside a value). Each match begins a line, so as many as lines is one a line.
_USUAL_START = re.compile(
    rb'\n\{"v": 1, "id": "([^"\\\n]{1,200})", "routine": "[^"\\\n]*", "title": (?:"[^"\\\n]*"|null), '
    rb'"started_at": "([^"\\\n]{1,64})"'
)
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _read_keys(chunk: bytes, count: int) -> tuple[list[bytes], list[str]] | None:
    from headrub.journal.usual import ids_and_starts

    return ids_and_starts(chunk, count)


def _moments(texts: list[str]) -> list[datetime] | None:
    """``parse_instant`` of each text, when every one is a date-time with an offset in range."""
    try:
        moments = list(map(_fromisoformat, texts))
    except (ValueError, OverflowError, OSError):
        return None
    return moments if aware_in_range(moments) else None


def _started_quickly(raw: bytes) -> datetime | None:
    found = _STARTED.search(raw)
    return parse_instant(found.group(1).decode("ascii", "replace")) if found is not None else None


def _started(raw: bytes) -> datetime | None:
    moment = _started_quickly(raw)
    if moment is not None:
        return moment
    parsed = _parse(raw)
    return parsed.started if isinstance(parsed, Line) else None
