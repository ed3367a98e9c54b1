"""What a session looks like: a Rich frame from a snapshot, and the plain lines for a pipe.

Every frame is a pure function of the engine's snapshot (and the routine), so
tests draw it on a fixed-width, colourless console and compare text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from headrub.routine import Routine, format_clock, format_elapsed
from headrub.text import sanitize

if TYPE_CHECKING:
    from headrub.session import Session, Snapshot, Step

FOOTER = "space pause · n/→ next · b/← back · q finish"

# A five-row font for the countdown: readable with a glance from arm's length.
_DIGITS = {
    "0": ("███", "█ █", "█ █", "█ █", "███"),
    "1": (" █ ", "██ ", " █ ", " █ ", "███"),
    "2": ("███", "  █", "███", "█  ", "███"),
    "3": ("███", "  █", " ██", "  █", "███"),
    "4": ("█ █", "█ █", "███", "  █", "  █"),
    "5": ("███", "█  ", "███", "  █", "███"),
    "6": ("███", "█  ", "███", "█ █", "███"),
    "7": ("███", "  █", "  █", "  █", "  █"),
    "8": ("███", "█ █", "███", "█ █", "███"),
    "9": ("███", "█ █", "███", "  █", "███"),
    ":": ("   ", " ▪ ", "   ", " ▪ ", "   "),
}


def big_digits(clock: str) -> list[str]:
    """``clock`` (digits and colons) as five rows of block characters."""
    glyphs = [_DIGITS.get(ch, _DIGITS["0"]) for ch in clock]
    return ["  ".join(g[row] for g in glyphs) for row in range(5)]


def step_label(step: Step) -> str:
    """``front hairline`` or ``base of the skull (left side)``."""
    area = sanitize(step.stroke.area)
    if step.stroke.side == "each" and step.side:
        return f"{area} ({step.side} side)"
    return area


def step_manner(step: Step) -> str:
    """``circles · light · both sides · 30/min``: how the stroke is done."""
    stroke = step.stroke
    parts = [p for p in (stroke.technique, stroke.pressure) if p]
    if stroke.side in ("left", "right"):
        parts.append(f"{stroke.side} side")
    elif stroke.side == "both":
        parts.append("both sides")
    if stroke.tempo:
        parts.append(f"{stroke.tempo}/min")
    return " · ".join(parts)


def plain_line(elapsed: float, step: Step) -> str:
    """CONTRACT §4's line as a stroke begins: ``00:00  front hairline — circles, light, 1:30``."""
    minutes, seconds = divmod(int(elapsed + 1e-6), 60)
    manner = step.stroke.describe()
    how = f" — {manner}, " if manner else " — "
    return f"{minutes:02d}:{seconds:02d}  {step_label(step)}{how}{format_clock(step.duration)}"


def summary_line(session: Session, routine: Routine) -> str:
    """The one line at the end of a session: ``done: scalp-sleep, 10:00 of 10:00, 9/9 strokes``."""
    word = "done" if session.completed else "stopped"
    return (
        f"{word}: {routine.name}, {format_clock(session.active_seconds)} of {format_clock(session.planned_seconds)}, "
        f"{session.strokes_done}/{session.strokes_total} strokes"
    )


def _pulse(snapshot: Snapshot, step: Step) -> Text | None:
    if snapshot.breath_phase is not None:
        phase, fraction = snapshot.breath_phase
        cells = 12
        filled = round(fraction * cells) if phase == "in" else round((1 - fraction) * cells)
        word = "breathe in " if phase == "in" else "breathe out"
        return Text.assemble((f"{word}  ", "bold cyan"), ("●" * filled, "cyan"), ("·" * (cells - filled), "dim"))
    if snapshot.beat_phase is not None and step.stroke.tempo:
        on = snapshot.beat_phase < 0.5
        beat = (snapshot.beat_count or 0) + 1
        return Text.assemble(
            ("pulse  ", "dim"), ("●" if on else "○", "bold magenta" if on else "magenta"),
            (f"  {step.stroke.tempo} strokes a minute · {beat}", "dim"),
        )
    return None


def _bar(label: str, done: float, total: float, right: str, width: int) -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=8)
    grid.add_column(ratio=1)
    grid.add_column(justify="right", width=max(len(right), 13))
    bar = ProgressBar(total=max(total, 0.001), completed=min(done, total), width=max(10, width - 26))
    grid.add_row(Text(label, style="dim"), bar, Text(right))
    return grid


def render_frame(snapshot: Snapshot, routine: Routine, width: int = 80, height: int = 24) -> RenderableType:
    """The live screen for one snapshot, fitting ``width`` × ``height`` (down to 40 columns)."""
    step = snapshot.step
    paused = snapshot.state.value == "paused"
    title = Text(sanitize(routine.title), style="bold")
    counter = f"stroke {snapshot.stroke_number} of {snapshot.strokes_total}"
    if step is None:
        body: RenderableType = Text("Finished.", style="bold")
        return Panel(body, title=title, subtitle=FOOTER, width=width)
    remaining = format_clock(snapshot.step_remaining)
    parts: list[RenderableType] = [
        Text(step_label(step).upper(), style="bold"),
        Text(step_manner(step), style="cyan"),
    ]
    if step.stroke.cue:
        parts.append(Text(sanitize(step.stroke.cue), style="italic"))
    parts.append(Text(""))
    digit_rows = big_digits(remaining)
    if width >= 48 and height >= 22 and len(digit_rows[0]) <= width - 8:
        style = "dim" if paused else "bold"
        parts.extend(Text(row, style=style, justify="center") for row in digit_rows)
    else:
        parts.append(Text(remaining, style="bold", justify="center"))
    if paused:
        parts.append(Text("PAUSED — press space to go on", style="bold reverse yellow", justify="center"))
    parts.append(Text(""))
    inner = width - 4
    parts.append(
        _bar("stroke", snapshot.step_elapsed, snapshot.step_duration,
             f"{format_elapsed(snapshot.step_elapsed)} / {format_clock(snapshot.step_duration)}", inner)
    )
    parts.append(
        _bar("session", snapshot.elapsed, snapshot.planned,
             f"{format_elapsed(snapshot.elapsed)} / {format_clock(snapshot.planned)}", inner)
    )
    pulse = _pulse(snapshot, step)
    if pulse is not None:
        parts.append(pulse)
    following = snapshot.next_step
    if following is not None:
        manner = following.stroke.describe()
        parts.append(
            Text.assemble(("next  ", "dim"), step_label(following),
                          (f" — {manner}" if manner else "", "dim"), (f", {format_clock(following.duration)}", "dim"))
        )
    else:
        parts.append(Text("next  the end", style="dim"))
    border = "yellow" if paused else "blue"
    subtitle = "PAUSED" if paused else counter
    panel = Panel(
        Group(*parts), title=title, title_align="left", subtitle=subtitle, subtitle_align="right",
        border_style=border, width=width, padding=(0, 1),
    )
    return Group(panel, Padding(Text(FOOTER, style="dim"), (0, 1)))
