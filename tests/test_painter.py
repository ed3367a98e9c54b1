"""The painter: writing only the rows that changed must leave exactly the picture a full redraw gives."""

from __future__ import annotations

import io
import re

import pyte
import pytest
from rich.color import ColorSystem
from rich.text import Text

from headrub.clock import FakeClock
from headrub.display import render_frame
from headrub.painter import ENTER, LEAVE, Painter, Screen
from headrub.routine import Routine, Stroke
from headrub.session import Session

ROUTINE = Routine(
    name="demo",
    title="Demo routine — ünïcode 字",
    strokes=(
        Stroke(area="temples", duration=6, technique="circles", pressure="light", tempo=60, cue="Slow circles."),
        Stroke(area="base of the skull", duration=4, technique="pressing", side="each"),
        Stroke(area="whole head", duration=5, technique="breathing", breath=(2.0, 3.0)),
    ),
)


def terminal(width: int, height: int, color: bool = True) -> tuple[Screen, io.StringIO]:
    out = io.StringIO()
    return Screen(out, size=(width, height), color_system="truecolor" if color else None), out


def full_picture(frame: Text, width: int, height: int) -> list[str]:
    """What the screen shows when ``frame`` is drawn on a blank one in a single piece."""
    console, out = terminal(width, height)
    painter = Painter(console)
    painter.start()
    painter.draw(frame, width, height)
    return screen_of(out.getvalue(), width, height)


def screen_of(data: str, width: int, height: int) -> list[str]:
    screen = pyte.Screen(width, height)
    pyte.Stream(screen).feed(data)
    return [*screen.display]


def frames(widths: list[int], height: int) -> list[tuple[Text, int]]:
    """Frames of a whole session, a pause and a finish, each with the width it is drawn at."""
    clock = FakeClock()
    session = Session(ROUTINE, clock)
    session.start()
    out = []
    step = 0
    while not session.finished:
        width = widths[step % len(widths)]
        out.append((render_frame(session.snapshot(), ROUTINE, width=min(width, 100), height=height), width))
        if step == 7:
            session.toggle_pause()
        if step == 9:
            session.toggle_pause()
        clock.advance(0.5)
        session.tick()
        step += 1
    out.append((render_frame(session.snapshot(), ROUTINE, width=min(widths[-1], 100), height=height), widths[-1]))
    return out


@pytest.mark.parametrize(("width", "height"), [(80, 24), (40, 24), (200, 50), (16, 10)])
def test_drawing_only_changes_gives_the_full_picture_after_every_frame(width: int, height: int) -> None:
    console, out = terminal(width, height)
    painter = Painter(console)
    painter.start()
    screen = pyte.Screen(width, height)
    stream = pyte.Stream(screen)
    for frame, _ in frames([width], height):
        before = len(out.getvalue())
        painter.draw(frame.copy(), width, height)
        stream.feed(out.getvalue()[before:])
        assert screen.display == full_picture(frame.copy(), width, height)


def test_a_resize_redraws_everything_at_the_new_size() -> None:
    console, out = terminal(100, 30)
    painter = Painter(console)
    painter.start()
    shown = frames([100, 100, 60, 60, 45, 100], 30)
    for frame, width in shown:
        before = len(out.getvalue())
        painter.draw(frame.copy(), width, 30)
        written = out.getvalue()[before:]
        # A screen of another size shows only what came after the clear that the resize caused.
        assert screen_of(written if "\x1b[2J" in written else out.getvalue(), width, 30) == full_picture(
            frame.copy(), width, 30
        )


def test_a_frame_that_changes_nothing_writes_nothing_and_a_tick_writes_a_few_rows() -> None:
    console, out = terminal(80, 24)
    painter = Painter(console)
    painter.start()
    clock = FakeClock()
    session = Session(ROUTINE, clock)
    session.start()
    painter.draw(render_frame(session.snapshot(), ROUTINE), 80, 24)
    first = len(out.getvalue())
    painter.draw(render_frame(session.snapshot(), ROUTINE), 80, 24)
    assert len(out.getvalue()) == first
    clock.advance(1.0)
    session.tick()
    painter.draw(render_frame(session.snapshot(), ROUTINE), 80, 24)
    tick = out.getvalue()[first:]
    assert 0 < len(tick) < first / 2
    assert "TEMPLES" not in tick and "Slow circles." not in tick  # unchanged rows are not written again


COLOUR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])(?:;\d+)*m")  # an SGR that sets a foreground colour


def test_no_color_writes_no_colours_but_the_same_text() -> None:
    coloured, plain = terminal(80, 24), terminal(80, 24)
    coloured[0].no_color = False  # the tests run with NO_COLOR set
    plain[0].no_color = True
    frame = render_frame(Session(ROUTINE, FakeClock()).snapshot(), ROUTINE)
    for console, _ in (coloured, plain):
        painter = Painter(console)
        painter.start()
        painter.draw(frame.copy(), 80, 24)
    assert COLOUR.search(coloured[1].getvalue()) and not COLOUR.search(plain[1].getvalue())
    assert "\x1b[1m" in plain[1].getvalue()  # bold is not a colour: it stays
    assert screen_of(coloured[1].getvalue(), 80, 24) == screen_of(plain[1].getvalue(), 80, 24)


def test_start_and_stop_take_and_give_back_the_alternate_screen() -> None:
    console, out = terminal(80, 24)
    painter = Painter(console)
    painter.draw(Text("before start"), 80, 24)  # nothing: not started
    assert out.getvalue() == ""
    painter.start()
    assert out.getvalue().startswith(ENTER)
    painter.stop()
    painter.stop()  # twice is harmless
    assert out.getvalue().endswith(LEAVE) and out.getvalue().count(LEAVE) == 1


def test_a_new_base_style_redraws_every_row() -> None:
    console, out = terminal(40, 5)
    console.no_color = False
    painter = Painter(console)
    painter.start()
    painter.draw(Text("same words"), 40, 5)
    before = len(out.getvalue())
    painter.draw(Text("same words", style="bold"), 40, 5)
    assert "\x1b[1m" in out.getvalue()[before:]


@pytest.mark.parametrize("width", [100, 40])
def test_the_painter_draws_what_rich_prints(width: int) -> None:
    """Characters and colours as Rich renders the same frame (read through pyte, colours included)."""
    screen, out = terminal(width, 24)
    screen.no_color = False
    painter = Painter(screen)
    painter.start()
    frame = render_frame(Session(ROUTINE, FakeClock()).snapshot(), ROUTINE, width=width)
    painter.draw(frame.copy(), width, 24)
    mine = pyte.Screen(width, 24)
    pyte.Stream(mine).feed(out.getvalue())
    theirs_out = io.StringIO()
    from rich.console import Console

    Console(file=theirs_out, width=width, height=24, force_terminal=True, color_system="truecolor", no_color=False,
            legacy_windows=False).print(frame.copy(), end="")
    theirs = pyte.Screen(width + 1, 24)  # a column to spare: Rich ends each full row with a bare newline
    pyte.Stream(theirs).feed(theirs_out.getvalue().replace("\n", "\r\n"))  # as the terminal driver does
    for row in range(24):
        for column in range(width):
            a, b = mine.buffer[row][column], theirs.buffer[row][column]
            assert (a.data, a.fg, a.bold, a.italics, a.reverse) == (b.data, b.fg, b.bold, b.italics, b.reverse), (row, column)


def test_overlapping_styles_combine_as_rich_combines_them() -> None:
    screen, out = terminal(30, 3)
    screen.no_color = False
    painter = Painter(screen)
    painter.start()
    line = Text("abcdefghij", style="italic")
    line.stylize("bold", 2, 6)
    line.stylize("magenta", 4, 8)
    painter.draw(line, 30, 3)
    mine = pyte.Screen(30, 3)
    pyte.Stream(mine).feed(out.getvalue())
    cells = [mine.buffer[0][i] for i in range(10)]
    assert [c.bold for c in cells] == [False, False, True, True, True, True, False, False, False, False]
    assert [c.fg for c in cells][3:9] == ["default", "magenta", "magenta", "magenta", "magenta", "default"]
    assert all(c.italics for c in cells)


def test_screen_finds_colours_and_size_as_rich_does() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert Screen(Tty(), environ={"TERM": "xterm-256color"}).color_system == ColorSystem.EIGHT_BIT
    assert Screen(Tty(), environ={"TERM": "xterm", "COLORTERM": "truecolor"}).color_system == ColorSystem.TRUECOLOR
    assert Screen(Tty(), environ={"TERM": "xterm"}).color_system == ColorSystem.STANDARD
    assert Screen(Tty(), environ={"TERM": "dumb"}).color_system is None
    assert Screen(io.StringIO(), environ={"TERM": "xterm-256color"}).color_system is None  # not a terminal
    assert Screen(Tty(), environ={"NO_COLOR": "1"}).no_color
    assert Screen(Tty(), environ={"COLUMNS": "123", "LINES": "45"}).size == (123, 45)
    assert Screen(Tty(), environ={"TERM": "dumb"}).size == (80, 25)
