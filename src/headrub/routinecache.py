"""Routines found by name, kept checked in the cache folder so ``show`` and ``start`` need not parse them.

Reading a routine file means importing PyYAML, the checker and its field rules, then parsing:
most of headrub's own start-up before ``show`` prints or ``start`` rings its first bell. Once a
routine has been loaded and checked, ``<cache>/routines/SOURCE-NAME.json`` keeps it as plain
JSON, under the file's modification time, size and inode and the stamps of the loader's own
files (as ``summaries`` does). A routine whose file is unchanged is rebuilt from that record
without the loader; any other is loaded as before and recorded again. A file with problems is
never recorded, so its errors show every time. A damaged record is ignored and written anew; an
unwritable cache folder only means parsing each time. A routine given by path is always loaded.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from headrub.cachefiles import write_atomically
from headrub.paths import cache_dir
from headrub.routine import Routine, Stroke
from headrub.summaries import file_stamp, rules_stamp

if TYPE_CHECKING:
    from pathlib import Path

    from headrub.finding import Found

FORMAT = 1


def _record_path(item: Found) -> Path:
    return cache_dir() / "routines" / f"{item.source}-{item.name}.json"


def _from_record(data: dict[str, Any]) -> Routine:
    strokes = tuple(
        Stroke(**{**s, "breath": tuple(s["breath"]) if s["breath"] is not None else None}) for s in data["strokes"]
    )
    return Routine(**{**data, "strokes": strokes, "tags": tuple(data["tags"]), "cautions": tuple(data["cautions"])})


def _recorded(item: Found, stamp: list[Any]) -> Routine | None:
    try:
        record = json.loads(_record_path(item).read_text(encoding="utf-8"))
        if record["format"] != FORMAT or record["stamp"] != stamp or record["path"] != str(item.path):
            return None
        routine = _from_record(record["routine"])
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
    if (routine.name, routine.source, routine.path) != (item.name, item.source, str(item.path)):
        return None
    return routine


def load_found(item: Found) -> Routine:
    """The routine in a found file: from the record when the file is unchanged, else loaded and recorded.

    Raises ``RoutineFileError`` for a file with problems, as ``loader.load_file`` does.
    """
    try:
        stamp: list[Any] | None = [file_stamp(item.path), rules_stamp()]
    except OSError:
        stamp = None
    if stamp is not None:
        routine = _recorded(item, stamp)
        if routine is not None:
            return routine
    from headrub.loader import load_file

    routine = load_file(item.path, name=item.name, source=item.source)
    if stamp is not None:
        with contextlib.suppress(OSError, TypeError, ValueError):  # unwritable, or a value JSON cannot hold
            data = json.dumps(
                {"format": FORMAT, "stamp": stamp, "path": str(item.path), "routine": asdict(routine)},
                ensure_ascii=False, allow_nan=False,
            )
            back = _from_record(json.loads(data)["routine"])
            if back == routine and back.extra == routine.extra:  # only what comes back the same is kept
                write_atomically(_record_path(item), data.encode("utf-8"))
    return routine


def resolve(argument: str) -> Routine:
    """``loader.resolve``, with a routine given by name taken from its record when its file is unchanged."""
    from headrub.finding import is_path_argument, locate
    from headrub.routine import is_valid_name

    if is_path_argument(argument) or not is_valid_name(argument):
        from headrub.loader import resolve as load

        return load(argument)
    return load_found(locate(argument))
