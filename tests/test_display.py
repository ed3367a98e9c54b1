"""Frames drawn from engine snapshots on a fixed-width, colourless console."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from headrub.clock import FakeClock
from headrub.display import big_digits, plain_keys, plain_line, render_frame, summary_line, wrap_words
from headrub.routine import Routine, Stroke
from headrub.session import Session

ROUTINE = Routine(
    name="demo",
    title="Demo routine",
    strokes=(
        Stroke(area="temples", duration=90, technique="circles", pressure="light", tempo=30, cue="Slow circles."),
        Stroke(area="base of the skull", duration=30, technique="pressing", side="each"),
        Stroke(area="whole head", duration=60, technique="breathing", breath=(4.0, 6.0)),
    ),
)


def draw(session: Session, width: int = 80, height: int = 24) -> str:
    """The frame as plain text at ``width`` columns."""
    console = Console(file=io.StringIO(), width=width, height=height, color_system=None, legacy_windows=False)
    console.print(render_frame(session.snapshot(), ROUTINE, width=width, height=height))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def at(seconds: float) -> Session:
    """A session of the demo routine, ``seconds`` in."""
    clock = FakeClock()
    session = Session(ROUTINE, clock)
    session.start()
    clock.advance(seconds)
    session.tick()
    return session


def test_frame_shows_stroke_countdown_bars_pulse_and_next() -> None:
    """A running frame names the stroke, its manner and cue, the countdown, both bars, the pulse and what is next."""
    text = draw(at(10.2))
    assert "TEMPLES" in text
    assert "circles · light · 30/min" in text
    assert "Slow circles." in text
    assert "0:10 / 1:30" in text  # stroke elapsed / length
    assert "0:10 / 3:30" in text  # session elapsed / planned
    assert "pulse" in text and "30 strokes a minute" in text
    assert "next  base of the skull (left side) — pressing, 0:30" in text
    assert "stroke 1 of 3" in text
    assert "q finish" in text
    assert big_digits("1:20")[0].strip() in text  # 79.8 s left shows as 1:20 in large digits


def test_frame_fits_80_by_24() -> None:
    """No line of a frame is wider than 80 columns and it has at most 24 rows."""
    lines = draw(at(5)).splitlines()
    assert len(lines) <= 24
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("width", [40, 45, 60, 100, 160])
def test_frame_survives_narrow_and_wide_terminals(width: int) -> None:
    """Down to 40 columns the frame draws without error and within the width."""
    lines = draw(at(5), width=width, height=24).splitlines()
    assert max(len(line) for line in lines) <= width
    assert any("TEMPLES" in line for line in lines)


def test_paused_frame_is_unmistakable() -> None:
    """A paused session says PAUSED in the body and the border."""
    session = at(12)
    session.pause()
    text = draw(session)
    assert text.count("PAUSED") >= 2


def test_each_side_and_breathing_pacer() -> None:
    """The right side of an each-stroke is named, and a breathing stroke shows the pacer."""
    assert "BASE OF THE SKULL (RIGHT SIDE)" in draw(at(125))
    text = draw(at(152))
    assert "breathe in" in text


def test_finished_frame() -> None:
    """After the last stroke the frame says finished."""
    assert "Finished." in draw(at(1000))


def test_plain_line_and_summary() -> None:
    """Plain mode's line follows the contract's form and the summary counts strokes."""
    session = at(0)
    step = session.snapshot().step
    assert step is not None
    assert plain_line(0, step) == "00:00  temples — circles, light, 1:30"
    assert plain_line(125.2, session.steps[2]) == "02:05  base of the skull (right side) — pressing, 0:30"
    done = at(1000)
    assert summary_line(done, ROUTINE) == "done: demo, 3:30 of 3:30, 3/3 strokes"
    skipped = at(1)
    while not skipped.finished:
        skipped.skip()
    assert summary_line(skipped, ROUTINE).endswith(", 0/3 strokes, 3 skipped")
    assert summary_line(skipped, ROUTINE).startswith("ended: demo, ")  # not "done": the journal says not completed
    assert summary_line(done, ROUTINE, 7, 3) == "done: demo, 3:30 of 3:30, 3/3 strokes, tension 7 → 3"
    assert summary_line(done, ROUTINE, 7, None) == "done: demo, 3:30 of 3:30, 3/3 strokes, tension 7 → –"


def test_a_stopped_summary_shows_the_time_the_journal_will_show() -> None:
    """Stopped after 9.6 s: the summary says 0:10, as ``journal`` will for the 9.6 s it stores, not 0:09."""
    from headrub.commands.journal_view import _clock

    stopped = at(9.6)
    stopped.stop()
    assert summary_line(stopped, ROUTINE).startswith("stopped: demo, 0:10 of 3:30, ")
    assert _clock(round(stopped.active_seconds, 1) / 60) == "0:10"


def test_hostile_text_is_not_interpreted() -> None:
    """Escape sequences, markup and bidi controls in routine text are shown literally or dropped."""
    evil = Routine(
        name="evil",
        title="\x1b]0;owned\x07Title [red]x[/red]",
        strokes=(Stroke(area="\x1b[2Jarea\u202e", duration=5, cue="[link=http://x]y[/link]"),),
    )
    clock = FakeClock()
    session = Session(evil, clock)
    session.start()
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(render_frame(session.snapshot(), evil))
    out = console.file
    assert isinstance(out, io.StringIO)
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "[red]x[/red]" in text
    assert "[link=http://x]y[/link]" in text


WIDE = Routine(
    name="wide",
    title="頭皮マッサージ 🌙 for sleep",
    strokes=(
        Stroke(area="こめかみ 👩‍👩‍👧", duration=60, technique="circles", cue="ゆっくりと円を描くように指の腹で頭皮を動かします。" * 3),
        Stroke(area="e\u0301 zero\u200bwidth", duration=30, cue="Cafe\u0301 🙂 " * 20),
    ),
)


@pytest.mark.parametrize("width", [40, 57, 80, 200])
@pytest.mark.parametrize("seconds", [1.0, 61.0])
def test_wide_and_zero_width_text_keeps_the_border_straight(width: int, seconds: float) -> None:
    """CJK, emoji and zero-width characters are counted in cells: every boxed line is exactly ``width`` cells."""
    from rich.cells import cell_len

    clock = FakeClock()
    session = Session(WIDE, clock)
    session.start()
    clock.advance(seconds)
    session.tick()
    frame = render_frame(session.snapshot(), WIDE, width=width, height=40)
    lines = frame.plain.splitlines()
    boxed = [line for line in lines if line[:1] in "╭│╰"]
    assert len(boxed) >= 6
    assert all(cell_len(line) == width for line in boxed), [(cell_len(line), line) for line in boxed]
    assert all(line.endswith(("╮", "│", "╯")) for line in boxed)


def test_the_session_bar_is_your_place_in_the_routine() -> None:
    """Skipped to the third stroke at once, the session bar reads 2:00 (the strokes before), not the time spent."""
    clock = FakeClock()
    session = Session(ROUTINE, clock)
    session.start()
    clock.advance(2.0)
    session.skip()
    session.skip()
    clock.advance(3.0)
    session.tick()
    text = draw(session)
    assert "2:03 / 3:30" in text
    assert "0:07 / 3:30" not in text


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_the_footer_follows_the_state_and_says_finish(width: int) -> None:
    """Running: space pause; paused: space resume; q is always 'finish'; never wider than the screen."""
    running = draw(at(10), width=width).splitlines()[-1]
    paused_session = at(10)
    paused_session.pause()
    paused = draw(paused_session, width=width).splitlines()[-1]
    assert "space pause" in running or running.strip().startswith("space ·")
    assert "pause" not in paused and ("resume" in paused or paused.strip().startswith("space ·"))
    assert "quit" not in running + paused
    assert len(running) <= width and len(paused) <= width


def test_a_short_terminal_drops_lines_not_the_border() -> None:
    """At 80×12 the frame is 12 rows with both borders whole, the stroke, countdown and bars kept."""
    text = draw(at(10.2), width=80, height=12)
    lines = text.rstrip("\n").splitlines()
    assert len(lines) <= 12
    assert lines[0].startswith("╭") and any(line.startswith("╰") for line in lines)
    assert "TEMPLES" in text and "1:20" in text and "0:10 / 1:30" in text
    shorter = draw(at(10.2), width=80, height=9)
    assert len(shorter.rstrip("\n").splitlines()) <= 9
    assert "pulse" not in shorter and "Slow circles." not in shorter  # spacing, pulse and cue go first
    assert "next  base of the skull" in shorter
    assert "TEMPLES" in shorter and "0:10 / 1:30" in shorter


def test_question_mark_shows_the_keys_in_place_of_the_cue() -> None:
    """With the keys shown, the frame lists every key and what it does."""
    frame = render_frame(at(10).snapshot(), ROUTINE, width=80, height=24, show_keys=True).plain
    assert "KEYS" in frame and "twice quickly: the stroke before" in frame and "finish now" in frame
    assert "Slow circles." not in frame


def test_the_summary_wraps_between_words_at_forty_columns() -> None:
    """wrap_words breaks the reviewer's summary at spaces within 40 cells; every word stays whole."""
    line = "stopped: quick-desk, 0:07 of 1:00, 1/7 strokes, 1 skipped, tension 6 → 3"
    rows = wrap_words(line, 40)
    assert rows == ["stopped: quick-desk, 0:07 of 1:00, 1/7", "strokes, 1 skipped, tension 6 → 3"]
    assert wrap_words(line, 200) == [line]


def test_plain_keys_wrap_beside_their_keys_on_a_narrow_terminal() -> None:
    """The ? list for TERM=dumb: at 40 cells each meaning breaks between words under itself; unwrapped in a file."""
    narrow = plain_keys(40)
    assert all(cell_len(row) <= 40 for row in narrow)
    assert "  b, ←      back to the start of this" in narrow and "            stroke before" in narrow
    assert "  b, ←      back to the start of this stroke; twice quickly: the stroke before" in plain_keys()
    assert not any("?" in row for row in plain_keys())
