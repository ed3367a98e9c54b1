"""The live screen on the terminal: full-screen frames, drawing only the lines that changed.

``display.render_frame`` makes each frame as fixed-width lines of Rich ``Text``. Drawing the
whole screen through Rich at every frame cost most of a session's CPU and about 4 KB a frame.
The painter keeps what each row of the screen shows; a new frame writes only the rows whose
text or styles differ, each as "go to the row, write it, clear the rest of the row". A frame
that changes nothing writes nothing. A new terminal size (or a fresh start, as after Ctrl-Z)
clears the screen and draws every row again.

The picture is the one Rich's full-screen ``Live`` drew: the frame's lines from the top-left
corner, cropped to the terminal's width and height, the rest of the screen blank.

No Rich ``Console`` is needed: ``Screen`` knows the terminal's size, its colours (found as Rich
finds them) and its bell, and styles are rendered straight from the frame's spans. A session
never imports ``rich.console``, so its first bell rings sooner and it holds less memory. The
rest of Rich (cells, colours, styles) is imported when the first frame is drawn, not before:
the first stroke's bell, which comes before that frame, does not wait for it.
"""

from __future__ import annotations

import os
import sys
from bisect import bisect_right
from collections.abc import Callable, Mapping
from functools import lru_cache
from itertools import pairwise
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.color import ColorSystem
    from rich.style import Style
    from rich.text import Text

# As Rich reads them: the part of $TERM after its last hyphen. Names of Rich's ColorSystem members.
_TERM_COLORS = {"kitty": "EIGHT_BIT", "256color": "EIGHT_BIT", "16color": "STANDARD"}
COLOR_SYSTEMS = {"standard": "STANDARD", "256": "EIGHT_BIT", "truecolor": "TRUECOLOR"}

ENTER = "\x1b[?1049h\x1b[?25l\x1b[H"  # alternate screen, cursor hidden, top-left
LEAVE = "\x1b[?25h\x1b[?1049l"  # cursor shown, back to the main screen
CLEAR = "\x1b[H\x1b[2J"  # top-left, whole screen blank
CLEAR_TO_EOL = "\x1b[K"

Key = tuple[str, tuple[tuple[int, int, object], ...]]


def _lines(frame: Text) -> list[Key]:
    """The frame's lines, each as its text and its styled ranges (relative to the line).

    What decides how a line looks, found without cutting the frame into ``Text`` pieces (the
    costliest part of drawing): rows that did not change are compared and left alone.
    """
    texts = frame.plain.split("\n")
    starts = []
    position = 0
    for text in texts:
        starts.append(position)
        position += len(text) + 1
    styled: list[list[tuple[int, int, object]]] = [[] for _ in texts]
    for span in frame.spans:
        first = bisect_right(starts, span.start) - 1
        for row in range(max(0, first), len(texts)):
            start = starts[row]
            end = start + len(texts[row])
            if start >= span.end:
                break
            if span.end > start and span.start < end:
                styled[row].append((max(span.start, start) - start, min(span.end, end) - start, span.style))
    return [(text, tuple(ranges)) for text, ranges in zip(texts, styled, strict=True)]


class Screen:
    """The terminal a session draws on: its size, its colours and its bell, found as Rich finds them.

    ``size`` and ``color_system`` may be given (tests); otherwise the size is the terminal's
    (``$COLUMNS``/``$LINES`` win, 80×25 when unknown) and the colours come from ``$COLORTERM``
    and ``$TERM`` (none for ``TERM=dumb`` or a file that is not a terminal). ``NO_COLOR`` keeps
    bold, dim and reverse but drops every colour.
    """

    def __init__(self, file: IO[str] | None = None, *, size: tuple[int, int] | None = None,
                 color_system: str | None = "auto", no_color: bool | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.file = file if file is not None else sys.stdout
        self._environ = os.environ if environ is None else environ
        self._size = size
        term = self._environ.get("TERM", "").strip().lower()
        self._dumb = term in ("dumb", "unknown")
        self.no_color = bool(self._environ.get("NO_COLOR")) if no_color is None else no_color
        self._colors: str | None  # the name of Rich's ColorSystem member, looked up when drawing
        if color_system == "auto":
            self._colors = self._detect(term)
        else:
            self._colors = COLOR_SYSTEMS[color_system] if color_system else None

    @property
    def color_system(self) -> ColorSystem | None:
        """The colours the terminal shows, as Rich's ``ColorSystem``; None for none."""
        if self._colors is None:
            return None
        from rich.color import ColorSystem

        return ColorSystem[self._colors]

    def _is_terminal(self) -> bool:
        try:
            return bool(self.file.isatty())
        except (AttributeError, ValueError):
            return False

    def _detect(self, term: str) -> str | None:
        if self._dumb or not self._is_terminal():
            return None
        if self._environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
            return "TRUECOLOR"
        return _TERM_COLORS.get(term.rpartition("-")[2], "STANDARD")

    @property
    def size(self) -> tuple[int, int]:
        """(columns, rows) now: a resize shows at the next frame."""
        if self._size is not None:
            return self._size
        if self._dumb:
            return 80, 25
        width = height = 0
        for fd in (0, 1, 2):
            try:
                width, height = os.get_terminal_size(fd)
                break
            except (AttributeError, ValueError, OSError):
                continue
        columns, lines = self._environ.get("COLUMNS", ""), self._environ.get("LINES", "")
        width = int(columns) if columns.isdigit() else width
        height = int(lines) if lines.isdigit() else height
        return width or 80, height or 25

    def bell(self) -> None:
        """Ring the terminal's bell."""
        self.file.write("\a")
        self.file.flush()

    def show_cursor(self, show: bool = True) -> None:
        if self._is_terminal():
            self.file.write("\x1b[?25h" if show else "\x1b[?25l")
            self.file.flush()


@lru_cache(maxsize=256)
def _style(name: str) -> Style:
    from rich.style import Style

    return Style.parse(name) if name else Style.null()


def _as_style(style: object) -> Style:
    from rich.style import Style

    return style if isinstance(style, Style) else _style(str(style))


_UNKNOWN = object()


def _first_cell_len(text: str) -> int:
    """Rich's ``cell_len``, imported with the first frame (and from then on called directly)."""
    global _cell_len
    from rich.cells import cell_len

    _cell_len = cell_len
    return cell_len(text)


_cell_len: Callable[[str], int] = _first_cell_len


class Painter:
    """Draws frames on ``screen``, writing only what changed since the last one."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self._rows: list[Key] = []  # what each row shows now; empty: the screen is blank
        self._size: tuple[int, int] | None = None
        self._base: str | Style = ""
        self._started = False
        self._styles: dict[tuple[object, tuple[object, ...]], Style] = {}  # base and spans → the style drawn
        self._color_system: object = _UNKNOWN
        self.bytes_written = 0

    def start(self) -> None:
        """Take the alternate screen; the next frame is drawn in full."""
        self._write(ENTER)
        self._rows = []
        self._size = None  # so the first frame clears the screen and draws every row
        self._started = True

    def stop(self) -> None:
        """Give the main screen back, as it was."""
        if self._started:
            self._started = False
            self._write(LEAVE)

    def draw(self, frame: Text, width: int, height: int) -> None:
        """Show ``frame`` on a ``width`` × ``height`` terminal, writing only the rows that changed."""
        if not self._started:
            return
        out: list[str] = []
        if (width, height) != self._size:  # a resize: start from a blank screen
            self._size = (width, height)
            self._rows = []
            out.append(CLEAR)
        if frame.style != self._base:  # every row is drawn in the frame's base style: all change
            self._base = frame.style
            self._rows = []
        rows = _lines(frame)[: max(0, height)]
        for number, key in enumerate(rows):
            if number < len(self._rows) and self._rows[number] == key:
                continue
            cells = _cell_len(key[0])
            if cells > width:  # too wide for the screen: cropped by cells, as Rich crops
                line = self._text(key, frame.style)
                line.truncate(width, overflow="crop")
                key, cells = _lines(line)[0], line.cell_len
            text = self._ansi(key, frame.style)
            # A row exactly as wide as the screen needs no clearing, and must not get it: on many
            # terminals an erase with the cursor parked past the last column erases that column.
            tail = "" if cells >= width else CLEAR_TO_EOL
            out.append(f"\x1b[{number + 1};1H{text}{tail}")
        for number in range(len(rows), len(self._rows)):  # rows the old frame had and this one lacks
            out.append(f"\x1b[{number + 1};1H{CLEAR_TO_EOL}")
        self._rows = rows
        if out:
            self._write("".join(out))

    @staticmethod
    def _text(key: Key, base: str | Style) -> Text:
        """One line back as ``Text``, from its key."""
        from rich.text import Span, Text

        text, ranges = key
        return Text(text, style=base, spans=[Span(start, end, style) for start, end, style in ranges],  # type: ignore[arg-type]
                    no_wrap=True, overflow="crop", end="")

    def _ansi(self, key: Key, base: str | Style) -> str:
        """The line's escape sequences, each piece in its base style plus the spans over it.

        The sequences Rich writes for such a line (``Text.render`` then ``Style.render``),
        without building ``Text`` and ``Segment`` objects for it.
        """
        text, ranges = key
        edges = sorted({0, len(text), *(e for start, end, _ in ranges for e in (start, end))})
        parts = []
        for start, end in pairwise(edges):
            if start >= end:
                continue
            over = tuple(style for a, b, style in ranges if a <= start and b >= end)
            parts.append(self._piece(text[start:end], base, over))
        return "".join(parts)

    def _piece(self, text: str, base: str | Style, spans: tuple[object, ...]) -> str:
        style = self._styles.get((base, spans))
        if style is None:
            style = _as_style(base)
            for span in spans:
                style = style + _as_style(span)
            if self.screen.no_color:
                style = style.without_color
            self._styles[(base, spans)] = style
        if self._color_system is _UNKNOWN:  # once: Rich's colours are imported with the first frame
            self._color_system = self.screen.color_system
        return style.render(text, color_system=self._color_system) if style else text  # type: ignore[arg-type]

    def _write(self, data: str) -> None:
        file = self.screen.file
        file.write(data)
        file.flush()
        self.bytes_written += len(data)
