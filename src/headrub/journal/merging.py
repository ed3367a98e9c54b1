"""``journal merge``: bring in another journal, or the line a failed write printed, append-only.

The union is by content: a line is added unless a line with the same id and the same content
(bookkeeping and ``logged_at`` aside) is already there. Readers fold the rest (one entry per id,
corrections by id order), so merging A into B and B into A give the same entries, and merging
again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from headrub import timeutil
from headrub.errors import JournalError, UsageError
from headrub.journal.appending import append_lines
from headrub.journal.checks import _parse
from headrub.journal.corrections import canonical, strip
from headrub.journal.entries import _utc_stamp
from headrub.journal.files import _reason, _show, open_regular, reading
from headrub.paths import journal_file

KEEP_PREFIX = b"headrub: the entry, to keep by hand: "  # what ``journal_add_cmd.save`` prints
MAX_LINE_BYTES = 1 << 20  # a line longer than this is not an entry headrub would write
MAX_WARNINGS = 10  # lines named one by one in a file; the rest are counted


def foreign_lines(path: Path, warn: Callable[[str], None]) -> list[dict[str, Any]]:
    """The entries and corrections in ``path``, each line checked as the reader checks it.

    A line may be the whole ``headrub: the entry, to keep by hand: {...}`` line from stderr.
    Lines that are neither are skipped with a warning naming their line number (the first
    ``MAX_WARNINGS``, then a count). A file with such lines and no entry at all is not a journal
    (``/etc/passwd``): a ``UsageError`` says so, before anything is merged.
    """
    try:
        handle = open_regular(path)
    except FileNotFoundError:
        raise UsageError(f"{_show(path)}: no such file") from None
    except OSError as err:
        raise JournalError(f"cannot read {_show(path)}: {_reason(err)}") from None
    found: list[dict[str, Any]] = []
    problems: list[tuple[int, str]] = []
    with handle:
        for number, raw in enumerate(handle, start=1):
            if raw.startswith(KEEP_PREFIX):
                raw = raw[len(KEEP_PREFIX) :]
            parsed = _parse(raw)
            if parsed is None:
                continue
            if isinstance(parsed, str):
                problems.append((number, parsed))
                continue
            found.append(strip(parsed.entry))
    if problems and not found:
        number, reason = problems[0]
        raise UsageError(f"{_show(path)} is not a journal: none of its lines is an entry (line {number}: {reason}); nothing merged")
    for number, reason in problems[:MAX_WARNINGS]:
        warn(f"{_show(path)}:{number}: not merged, not a journal entry ({reason})")
    if len(problems) > MAX_WARNINGS:
        warn(f"{_show(path)}: {len(problems) - MAX_WARNINGS} more lines not merged, not journal entries either")
    return found


def merge(paths: list[Path], target: Path | None = None, warn: Callable[[str], None] = print) -> tuple[int, int]:
    """Append to the journal every line of ``paths`` it does not hold yet; (added, already there)."""
    journal = Path(target) if target is not None else journal_file()
    incoming: dict[str, dict[str, Any]] = {}
    for path in paths:
        for line in foreign_lines(path, warn):
            incoming.setdefault(canonical(line), line)
    held = _held(journal)
    missing = [line for key, line in incoming.items() if key not in held]
    now = _utc_stamp(timeutil.now_utc())
    for line in missing:
        if type(line.get("logged_at")) is not str:
            line["logged_at"] = now  # the line a failed write printed has none yet
    if missing:
        append_lines(missing, journal)
    return len(missing), len(incoming) - len(missing)


def _held(journal: Path) -> set[str]:
    """The canonical text of every entry and correction already in the journal."""
    held: set[str] = set()
    try:
        with reading(journal) as handle:
            for raw in handle:
                parsed = _parse(raw)
                if parsed is not None and not isinstance(parsed, str):
                    held.add(canonical(parsed.entry))
    except FileNotFoundError:
        return held
    except OSError as err:
        raise JournalError(f"cannot read the journal {_show(journal)}: {_reason(err)}") from None
    return held
