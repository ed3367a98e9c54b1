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

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

ENTER = "\x1b[?1049h\x1b[?25l\x1b[H"  # alternate screen, cursor hidden, top-left
LEAVE = "\x1b[?25h\x1b[?1049l"  # cursor shown, back to the main screen
CLEAR = "\x1b[H\x1b[2J"  # top-left, whole screen blank
CLEAR_TO_EOL = "\x1b[K"

Key = tuple[str, tuple[object, ...]]


def _key(line: Text) -> Key:
    """What decides how a line looks: its characters and its styles."""
    return line.plain, (line.style, *line.spans)


class Painter:
    """Draws frames on ``console``'s terminal, writing only what changed since the last one."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._rows: list[Key] = []  # what each row shows now; empty: the screen is blank
        self._size: tuple[int, int] | None = None
        self._started = False
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
        lines = frame.split("\n", allow_blank=True)[: max(0, height)]
        rows: list[Key] = []
        for number, line in enumerate(lines):
            if line.cell_len > width:
                line.truncate(width, overflow="crop")
            key = _key(line)
            rows.append(key)
            if number < len(self._rows) and self._rows[number] == key:
                continue
            text = self._ansi(line)
            # A row exactly as wide as the screen needs no clearing, and must not get it: on many
            # terminals an erase with the cursor parked past the last column erases that column.
            tail = "" if line.cell_len >= width else CLEAR_TO_EOL
            out.append(f"\x1b[{number + 1};1H{text}{tail}")
        for number in range(len(lines), len(self._rows)):  # rows the old frame had and this one lacks
            out.append(f"\x1b[{number + 1};1H{CLEAR_TO_EOL}")
        self._rows = rows
        if out:
            self._write("".join(out))

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
