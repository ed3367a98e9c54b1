"""The live screen on the terminal: full-screen frames, drawing only the lines that changed.

``display.render_frame`` makes each frame as fixed-width lines of Rich ``Text``. Drawing the
whole screen through Rich at every frame cost most of a session's CPU and about 4 KB a frame.
The painter keeps what each row of the screen shows; a new frame writes only the rows whose
text or styles differ, each as "go to the row, write it, clear the rest of the row". A frame
that changes nothing writes nothing. A new terminal size (or a fresh start, as after Ctrl-Z)
clears the screen and draws every row again.

The picture is the one Rich's full-screen ``Live`` drew: the frame's lines from the top-left
corner, cropped to the terminal's width and height, the rest of the screen blank.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:
    from rich.console import Console
    from rich.style import Style
    from rich.text import Text

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


class Painter:
    """Draws frames on ``console``'s terminal, writing only what changed since the last one."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._rows: list[Key] = []  # what each row shows now; empty: the screen is blank
        self._size: tuple[int, int] | None = None
        self._base: str | Style = ""
        self._started = False
        self._styles: dict[tuple[object, object], Style] = {}  # base and span style → the style drawn
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
            cells = cell_len(key[0])
            text = self._ansi_fast(key, frame.style) if cells <= width else None
            if text is None:  # too wide for the screen, or overlapping styles: Rich does it all
                line = self._text(key, frame.style)
                if cells > width:
                    line.truncate(width, overflow="crop")
                cells = line.cell_len
                text = self._ansi(line)
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

    def _ansi_fast(self, key: Key, base: str | Style) -> str | None:
        """The line's escape sequences straight from its styled ranges, or None if they overlap.

        The same sequences Rich writes for such a line (each piece in its base-plus-span style),
        without building ``Text`` and ``Segment`` objects for it.
        """
        text, ranges = key
        parts: list[str] = []
        position = 0
        for start, end, style in ranges:
            if start < position:
                return None
            if start > position:
                parts.append(self._piece(text[position:start], base, None))
            parts.append(self._piece(text[start:end], base, style))
            position = end
        if position < len(text):
            parts.append(self._piece(text[position:], base, None))
        return "".join(parts)

    def _piece(self, text: str, base: str | Style, span: object) -> str:
        style = self._styles.get((base, span))
        if style is None:
            console = self.console
            style = console.get_style(base)
            if span is not None:
                style = style + (span if not isinstance(span, str) else console.get_style(span))  # type: ignore[operator]
            if console.no_color:
                style = style.without_color
            self._styles[(base, span)] = style
        return style.render(text, color_system=self.console._color_system) if style else text

    def _ansi(self, line: Text) -> str:
        """One line as the terminal's escape sequences, with the console's colours (or none)."""
        console = self.console
        segments = list(line.render(console))
        color_system = console._color_system
        if console.no_color and color_system:
            from rich.segment import Segment

            segments = list(Segment.remove_color(segments))
        parts = []
        for segment in segments:
            text, style = segment.text, segment.style
            if "\n" in text:
                text = text.replace("\n", "")
            parts.append(style.render(text, color_system=color_system) if style else text)
        return "".join(parts)

    def _write(self, data: str) -> None:
        file = self.console.file
        file.write(data)
        file.flush()
        self.bytes_written += len(data)
