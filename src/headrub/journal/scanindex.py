"""A note in the cache folder that lets windowed reads stop early on journals without bookkeeping.

Lines written by an older headrub, merged by hand or concatenated carry no trusted bound
(``checks.trusted_bound``), so a window's backward scan reads them all. After such a full scan
(or the appender's), ``scan-index.json`` records checkpoints: for line boundaries about every
MiB of the journal's first ``length`` bytes, the latest ``started_at`` of the lines before it.
A window's scan may stop at the last checkpoint whose latest start is before the window. It is believed only for the same file (device and
inode), at least that long, with the same bytes in sampled blocks (as the stats cache), so a
replaced, truncated or rewritten journal is scanned afresh. It is only ever a shortcut: missing,
damaged or stale, it is ignored; it cannot be written, it is not written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from headrub.journal.entries import parse_instant
from headrub.journal.files import Snapshot, _ensure_folder, open_regular

INDEX_NAME = "scan-index.json"
WORTH_IT = 1 << 20  # journals smaller than this are read in full quickly enough
STEP = 1 << 20  # bytes between checkpoints
_MAX_BYTES = 1 << 22

Checkpoints = list[tuple[int, datetime]]  # (offset of a line boundary, latest start before it)


def _where() -> Path:
    from headrub.paths import cache_dir

    return cache_dir() / INDEX_NAME


def sample(handle: Snapshot, length: int) -> str:
    """The file's identity and a digest of the first and last 64 KiB and eight blocks between."""
    info = os.fstat(handle.fileno())
    digest = hashlib.sha256(f"{info.st_dev}:{info.st_ino}:{length}".encode())
    spans = [(0, 1 << 16), (max(0, length - (1 << 16)), 1 << 16)]
    spans += [(length * (i + 1) // 9, 4096) for i in range(8)]
    for start, size in spans:
        handle.seek(start)
        digest.update(handle.read(max(0, min(size, length - start))))
    return digest.hexdigest()


def load(target: Path, handle: Snapshot) -> Checkpoints | None:
    """The checkpoints, if the index holds for this journal as it is now (the last is its length)."""
    try:
        with open_regular(_where()) as stream:
            data = json.loads(stream.read(_MAX_BYTES + 1)[:_MAX_BYTES])
        if data["journal"] != os.fsencode(os.path.abspath(target)).hex():
            return None
        points: Checkpoints = []
        for offset, text in data["checkpoints"]:
            latest = parse_instant(text, naive_is_utc=True)
            if type(offset) is not int or latest is None or (points and offset <= points[-1][0]):
                return None
            points.append((offset, latest))
        length = points[-1][0]
        if not 0 < length <= handle.size or data["sample"] != sample(handle, length):
            return None
        return points
    except Exception:
        return None


def stop_offset(points: Checkpoints | None, since: datetime) -> int:
    """The greatest checkpoint offset before which every line started before ``since`` (0: none)."""
    best = 0
    for offset, latest in points or ():
        if latest >= since:
            break
        best = offset
    return best


def checkpoints(starts: list[tuple[int, datetime]], length: int) -> Checkpoints:
    """From (offset, started_at) of every line in file order, the checkpoints up to ``length``."""
    points: Checkpoints = []
    latest: datetime | None = None
    due = STEP
    for offset, started in starts:
        if offset >= due and latest is not None:
            points.append((offset, latest))
            due = offset + STEP
        if offset >= length:
            break
        latest = started if latest is None or started > latest else latest
    if latest is not None and (not points or points[-1][0] < length):
        points.append((length, latest))
    return points


def save(target: Path, handle: Snapshot, points: Checkpoints) -> None:
    """Record the checkpoints (the last one's offset is the length covered); best effort."""
    if not points or points[-1][0] < WORTH_IT:
        return
    temporary = None
    try:
        where = _where()
        record = {
            "journal": os.fsencode(os.path.abspath(target)).hex(),
            "sample": sample(handle, points[-1][0]),
            "checkpoints": [[offset, latest.isoformat()] for offset, latest in points],
        }
        _ensure_folder(where.parent)
        temporary = where.with_name(f".{INDEX_NAME}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(temporary, flags, 0o600)
        try:
            os.write(fd, json.dumps(record).encode("ascii"))
        finally:
            os.close(fd)
        os.replace(temporary, where)
        temporary = None
    except Exception:
        return
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
