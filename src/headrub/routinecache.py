"""Routines kept checked in the cache folder, so that ``show`` and ``start`` need not parse them again.

Reading a routine file means importing PyYAML, the checker and its field rules, then parsing:
most of headrub's own start-up before ``show`` prints or ``start`` rings its first bell. Once a
routine, given by name or by path, has been loaded and checked, it is kept as plain JSON in
``<cache>/routines/SOURCE-NAME-HASH.json`` (the hash is of the file's absolute path), under the
file's modification time, size and inode and the stamps of the loader's own files (as
``summaries`` does). A routine whose file is unchanged is rebuilt from that record without the
loader; any other is loaded as before and recorded again. A file with problems is never
recorded, so its errors show every time; nor is anything but a regular file (a FIFO, a device).
A damaged record is ignored and written anew; an unwritable cache folder only means parsing
each time.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from headrub.cachefiles import write_atomically
from headrub.paths import cache_dir
from headrub.routine import Routine, Stroke
from headrub.summaries import file_stamp, rules_stamp

if TYPE_CHECKING:
    from headrub.finding import Found

FORMAT = 1


def _record_path(where: str, name: str, source: str) -> Path:
    # The name for the reader, the hash of the whole path so that files of one name in two folders never meet.
    return cache_dir() / "routines" / f"{source}-{name}-{zlib.crc32(os.fsencode(where)):08x}.json"


def _from_record(data: dict[str, Any]) -> Routine:
    strokes = tuple(
        Stroke(**{**s, "breath": tuple(s["breath"]) if s["breath"] is not None else None}) for s in data["strokes"]
    )
    return Routine(**{**data, "strokes": strokes, "tags": tuple(data["tags"]), "cautions": tuple(data["cautions"])})


def _recorded(record_path: Path, where: str, stamp: list[Any], expected: tuple[str, str, str]) -> Routine | None:
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if record["format"] != FORMAT or record["stamp"] != stamp or record["path"] != where:
            return None
        routine = _from_record(record["routine"])
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
    return routine if (routine.name, routine.source, routine.path) == expected else None


def _stamp(path: Path) -> list[Any] | None:
    """The file's and the rules' stamps; None for anything but a regular file (a FIFO, a device), never recorded."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        return [file_stamp(path), rules_stamp()]
    except (OSError, ValueError):
        return None


def load_cached(path: Path, *, name: str, source: str) -> Routine:
    """``loader.load_file(path, name=name, source=source)``, from the record when the file is unchanged.

    Raises ``RoutineFileError`` for a file with problems, as the loader does.
    """
    stamp = _stamp(path)
    if stamp is not None:
        where = os.path.abspath(path)
        record_path = _record_path(where, name, source)
        routine = _recorded(record_path, where, stamp, (name, source, str(path)))
        if routine is not None:
            return routine
    from headrub.loader import load_file

    routine = load_file(path, name=name, source=source)
    if stamp is not None:
        with contextlib.suppress(OSError, TypeError, ValueError):  # unwritable, or a value JSON cannot hold
            data = json.dumps({"format": FORMAT, "stamp": stamp, "path": where, "routine": asdict(routine)},
                              ensure_ascii=False, allow_nan=False)
            back = _from_record(json.loads(data)["routine"])
            if back == routine and back.extra == routine.extra:  # only what comes back the same is kept
                write_atomically(record_path, data.encode("utf-8"))
    return routine


def load_found(item: Found) -> Routine:
    """The routine in a file found by name (see ``load_cached``)."""
    return load_cached(item.path, name=item.name, source=item.source)


def resolve(argument: str) -> Routine:
    """``loader.resolve``: a routine from a name or a path, taken from its record when its file is unchanged."""
    from headrub.finding import resolve_with

    return resolve_with(argument, load_cached)
