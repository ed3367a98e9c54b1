"""The journal store: ``journal.jsonl``, appended one whole line at a time and read without writing.

Appending opens the file with ``O_APPEND`` (created 0600 in a 0700 folder), takes an advisory
lock, starts on a fresh line if a crash left a torn tail, writes the line in one ``os.write``,
then fsyncs. Reading skips, with a warning naming the line, anything that is not an entry; a
window with a start is read backwards from the end and stops once ``logged_at`` is older than the
window (less a day's margin for clock changes), so its cost does not grow with the journal's age.

The package's modules, each small: ``ids`` (new ids), ``entries`` (building an entry and reading
its fields), ``checks`` (whether a line is an entry), ``files`` (opening, modes and locks),
``corrections`` (edits and deletions, and folding them in), ``appending`` and ``reader``
(every entry, or a window).
"""

from __future__ import annotations

from headrub.journal.appending import append, append_lines
from headrub.journal.checks import Line, entry_version, parse, parse_line
from headrub.journal.corrections import make_correction, strip
from headrub.journal.entries import (
    FORMAT_VERSION,
    SOURCES,
    TENSION_RANGE,
    Entry,
    active_seconds,
    check_tension,
    entry_json,
    make_entry,
    parse_instant,
    started_at,
    tension_change,
)
from headrub.journal.files import FILE_MODE, FOLDER_MODE, reading
from headrub.journal.ids import new_id
from headrub.journal.reader import BLOCK_SIZE, Warn, fold_lines, read_entries, read_lines, report_problems

__all__ = [
    "BLOCK_SIZE",
    "FILE_MODE",
    "FOLDER_MODE",
    "FORMAT_VERSION",
    "SOURCES",
    "TENSION_RANGE",
    "Entry",
    "Line",
    "Warn",
    "active_seconds",
    "append",
    "append_lines",
    "check_tension",
    "entry_json",
    "entry_version",
    "fold_lines",
    "make_correction",
    "make_entry",
    "new_id",
    "parse",
    "parse_instant",
    "parse_line",
    "read_entries",
    "read_lines",
    "reading",
    "report_problems",
    "started_at",
    "strip",
    "tension_change",
]
