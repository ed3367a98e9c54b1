"""``headrub start`` with no name, on a terminal: choose a routine with the arrow keys or by typing.

``Picker`` is the choice as a pure state machine (tested without a terminal); ``pick_routine``
draws it on stderr and reads keys in cbreak mode, giving the terminal back however it ends.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field

UP = ("\x1b[A", "\x1bOA", "\x10")  # arrow up, Ctrl-P
DOWN = ("\x1b[B", "\x1bOB", "\x0e")  # arrow down, Ctrl-N
ENTER = ("\r", "\n")
BACKSPACE = ("\x7f", "\x08")
CANCEL = ("\x1b", "\x03", "\x04")  # Esc, Ctrl-C, Ctrl-D
TAIL_BYTES = 16_384  # the last used routine is near the journal's end


@dataclass
class Picker:
    """The names on offer, what has been typed, and which match is highlighted."""

    names: list[str]
    query: str = ""
    index: int = 0
    done: bool = False
    chosen: str | None = field(default=None)

    @property
    def matches(self) -> list[str]:
        """The names holding every typed character in order (``ssl`` finds scalp-sleep).

        Prefixes first, then names holding the typed text whole (``sle``: scalp-sleep before
        neck-and-shoulders, whose s, l and e are scattered), then names that begin with the first
        typed character (``sle``: slow-breathing before neck-and-shoulders), then the rest.
        """
        typed = self.query.lower()

        def holds(name: str) -> bool:
            at = 0
            for ch in typed:
                at = name.find(ch, at) + 1
                if at == 0:
                    return False
            return True

        found = [name for name in self.names if holds(name)]
        return sorted(
            found, key=lambda name: (not name.startswith(typed), typed not in name, not name.startswith(typed[:1]))
        )

    def press(self, key: str) -> None:
        """One key: arrows move, letters filter, Backspace un-types, Enter chooses, Esc cancels."""
        if key in UP:
            self.index = max(0, self.index - 1)
        elif key in DOWN:
            self.index = min(max(0, len(self.matches) - 1), self.index + 1)
        elif key in ENTER:
            matches = self.matches
            if matches:
                self.chosen, self.done = matches[min(self.index, len(matches) - 1)], True
        elif key in CANCEL:
            self.done = True
        elif key in BACKSPACE:
            self.query, self.index = self.query[:-1], 0
        elif len(key) == 1 and key.isprintable():
            self.query, self.index = self.query + key, 0

    def lines(self, rows: int) -> list[str]:
        """What to draw: a prompt line, then up to ``rows`` names with the highlighted one marked."""
        matches = self.matches
        # What was typed comes before the hints: a narrow terminal cuts the line's end, never the filter.
        lines = [f"Start which routine? {self.query + '  ' if self.query else ''}(↑/↓, type to filter, Enter to start, Esc to cancel)"]
        if not matches:
            return [*lines, "  (no routine matches)"]
        first = max(0, min(self.index - rows + 1, len(matches) - rows))
        for position, name in enumerate(matches[first : first + rows], first):
            lines.append(f"{'›' if position == self.index else ' '} {name}")
        return lines


def last_used(path: os.PathLike[str] | str, names: list[str] | None = None) -> str | None:
    """The routine of the latest session near the journal's end, read from its end; None when there is none.

    Latest by when it started, not by its place in the file (``journal merge`` and a back-dated
    ``journal add`` append older sessions), and a timed session before one logged by hand. With
    ``names``, only those routines count (a logged "salon visit" is no routine to offer).
    """
    from datetime import datetime

    from headrub.journal.entries import parse_instant

    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
    except OSError:
        return None
    best: tuple[bool, datetime, int] | None = None
    found: str | None = None
    for place, raw in enumerate(tail.splitlines()):
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("correction") or not isinstance(entry.get("routine"), str):
            continue
        routine = str(entry["routine"])
        if names is not None and routine not in names:
            continue
        started = parse_instant(entry.get("started_at"))  # aware always (a naive time is local), or None
        if started is None:
            if best is None:
                found = routine  # no time to compare: the file's order decides, the last line last
            continue
        rank = (entry.get("source") != "manual", started, place)
        if best is None or rank > best:
            best, found = rank, routine
    return found


def ordered(names: list[str], last: str | None) -> list[str]:
    """``names`` with the last used one first."""
    return [last, *(n for n in names if n != last)] if last in names else list(names)


def _decode(data: bytes) -> list[str]:
    """Keys in one read: escape sequences (arrows) whole, other characters one by one."""
    text = data.decode("utf-8", "replace")
    keys: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\x1b" and i + 2 < len(text) and text[i + 1] in "[O":
            keys.append(text[i : i + 3])
            i += 3
            continue
        keys.append(text[i])
        i += 1
    return keys


def pick_routine(names: list[str]) -> str | None:
    """Let the person choose on the terminal; the name, or None when they cancel."""
    import shutil

    from headrub.keys import RawKeys
    from headrub.paths import journal_file
    from headrub.text import sanitize

    picker = Picker(ordered(names, last_used(journal_file(), names)))
    out = sys.stderr
    size = shutil.get_terminal_size((80, 24))
    rows = max(3, min(12, size.lines - 2))
    drawn = 0
    with RawKeys():
        try:
            while not picker.done:
                if drawn:
                    out.write(f"\x1b[{drawn - 1}F" if drawn > 1 else "\r")
                lines = [sanitize(line)[: size.columns - 1] for line in picker.lines(rows)]
                out.write("\x1b[J" + "\n".join(lines))
                out.flush()
                drawn = len(lines)
                data = os.read(sys.stdin.fileno(), 64)
                if not data:
                    break
                for key in _decode(data):
                    picker.press(key)
        except KeyboardInterrupt:
            picker.done = True
        finally:
            out.write(f"\x1b[{drawn - 1}F\x1b[J" if drawn > 1 else "\r\x1b[J")
            out.flush()
    return picker.chosen
