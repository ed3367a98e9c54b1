"""What ``list`` shows of each routine, kept in the cache folder so unchanged files are not parsed again.

``list`` used to read and check every routine file at each run: most of its own start-up, and
growing with the library. ``summaries(found)`` gives each routine's title, length, stroke count
and tags. A file whose modification time, size and inode are those recorded in
``<cache>/routine-summaries.json`` is not read at all; any other is loaded and checked as
before, and the record is updated. A file with problems is never recorded, so its warning shows
at every run. The record also notes the loader's own files: a headrub whose checking rules
changed (an upgrade rewrites them) starts afresh. The record is written through a temporary file renamed into place; a
damaged or unreadable one is ignored and made again, and an unwritable cache folder only means
the files are parsed each time.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from headrub.cachefiles import write_atomically
from headrub.errors import RoutineFileError
from headrub.paths import cache_dir

if TYPE_CHECKING:
    from headrub.finding import Found

CACHE_NAME = "routine-summaries.json"
FORMAT = 1


@dataclass(frozen=True)
class Summary:
    """A routine as ``list`` shows it."""

    title: str
    total_seconds: float
    strokes: int
    tags: tuple[str, ...]


def file_stamp(path: Path) -> list[int]:
    """What says a file is unchanged: its modification time, size and inode."""
    st = path.stat()
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def rules_stamp() -> list[Any]:
    """The files whose code decides what a routine file means: a change to any starts the record afresh."""
    here = Path(__file__).parent
    return [file_stamp(here / name) for name in ("loader.py", "routine.py", "routine_spec.py", "yamlnodes.py")]


def _read(path: Path, rules: list[Any]) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("rules") != rules:
        return {}
    files = record.get("files")
    return files if isinstance(files, dict) else {}


def _from_record(entry: Any, stamp: list[int]) -> Summary | None:
    try:
        if entry["stamp"] != stamp:
            return None
        return Summary(str(entry["title"]), float(entry["total_seconds"]), int(entry["strokes"]),
                       tuple(str(t) for t in entry["tags"]))
    except (KeyError, TypeError, ValueError):
        return None


def summaries(found: list[Found]) -> list[tuple[Found, Summary | RoutineFileError]]:
    """Each routine's summary, or the error that makes it unreadable, in the order given."""
    record_path = cache_dir() / CACHE_NAME
    try:
        rules = rules_stamp()
    except OSError:
        rules = []
    known = _read(record_path, rules) if rules else {}
    files: dict[str, Any] = {}
    out: list[tuple[Found, Summary | RoutineFileError]] = []
    changed = False
    for item in found:
        key = str(item.path)
        try:
            stamp = file_stamp(item.path)
        except OSError:
            stamp = []
        summary = _from_record(known.get(key), stamp) if stamp else None
        if summary is None:
            from headrub.loader import load_file

            try:
                routine = load_file(item.path, name=item.name, source=item.source)
            except RoutineFileError as err:
                out.append((item, err))
                changed = changed or key in known
                continue
            summary = Summary(routine.title, routine.total_seconds, len(routine.strokes), tuple(routine.tags))
            changed = True
        if stamp:
            files[key] = {"stamp": stamp, "title": summary.title, "total_seconds": summary.total_seconds,
                          "strokes": summary.strokes, "tags": list(summary.tags)}
        out.append((item, summary))
    if (changed or set(files) != set(known)) and rules:
        data = json.dumps({"format": FORMAT, "rules": rules, "files": files}, ensure_ascii=False)
        with contextlib.suppress(OSError):  # an unwritable cache only means parsing again next time
            write_atomically(record_path, data.encode("utf-8"))
    return out
