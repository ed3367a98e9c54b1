"""What a session looks like: a Rich frame from a snapshot, and the plain lines for a pipe.

Every frame is a pure function of the engine's snapshot (and the routine), so
tests draw it on a fixed-width, colourless console and compare text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Span, Text

from headrub.routine import Routine, format_clock, format_elapsed
from headrub.text import sanitize

if TYPE_CHECKING:
    from headrub.session import Session, Snapshot, Step

FOOTER = "space pause · n/→ next · b/← back · q finish"
SHORT_FOOTER = "space pause · n next · b back · q finish"

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


def lead_in_line(step: Step, seconds: float) -> str:
    """The plain line for a lead-in: ``get ready (5 s): front hairline — circles, light``."""
    manner = step.stroke.describe()
    return f"get ready ({seconds:g} s): {step_label(step)}" + (f" — {manner}" if manner else "")


def render_lead_in(
    step: Step, routine: Routine, left: float, width: int = 80, height: int = 24, notices: Sequence[str] = ()
) -> Text:
    """The get-ready screen: the first stroke, its cue, the seconds until it begins, and any sound notice."""
    width = max(20, width)
    inner = width - 4
    dim = routine.quiet
    # Wrapped in cells, never cut: at 40 columns the instruction itself takes two lines.
    strong = "dim" if dim else "bold"
    lines = [Text(row, style=strong) for row in _wrapped("Get ready: close your eyes and place your hands.", inner)]
    lines.append(Text(""))
    label = _wrapped(step_label(step).upper(), inner - 7)
    lines.extend(Text(("first  " if i == 0 else " " * 7) + row, style=strong) for i, row in enumerate(label))
    manner = step_manner(step)
    if manner:
        lines.extend(Text(row, style="dim" if dim else "cyan") for row in _wrapped(manner, inner))
    cue = step.stroke.cue or step.stroke.say
    if cue:
        lines.extend(Text(row, style="dim italic" if dim else "italic") for row in _wrapped(sanitize(cue), inner))
    lines.append(Text(""))
    count = str(max(1, int(-(-left // 1))))
    digit_rows = big_digits(count)
    if width >= 48 and height >= 22:
        lines.extend(Text(row.center(inner).rstrip(), style="dim" if dim else "bold") for row in digit_rows)
    else:
        lines.append(Text(count.center(inner).rstrip(), style="dim" if dim else "bold"))
    for notice in notices:  # a missing player or speech engine: still visible before the eyes close
        lines.extend(Text(row, style="bold") for row in _wrapped(sanitize(notice), inner))
    frame = _boxed(lines, sanitize(routine.title), "starting", width, "bright_black" if dim else "blue")
    frame.append("\n ")
    frame.append("n start now · q quit"[: width - 1], "dim")
    return frame


def summary_line(session: Session, routine: Routine, before: int | None = None, after: int | None = None) -> str:
    """The one line at the end of a session: ``done: scalp-sleep, 10:00 of 10:00, 9/9 strokes, tension 7 → 3``.

    ``done`` when it ran to the end with nothing skipped, ``ended`` when it ran to the end past skipped
    strokes, ``stopped`` when it was stopped early (as the journal's ``completed`` counts them).

    The tension change is shown when either rating is known; a missing one is a dash.
    """
    # "done" only as the journal counts it (to the end, nothing skipped); "ended" when strokes were skipped.
    whole = session.completed and not session.strokes_skipped
    word = "done" if whole else "ended" if session.completed else "stopped"
    # A done session reads like its plan (both rounded up); any other as the journal will show it: the
    # tenth of a second it stores, rounded to the nearest second (``journal`` says 0:10 for 9.6 s too).
    from headrub.journal.entries import _seconds  # the journal's own rounding of active_s

    stored = _seconds(session.active_seconds)
    active = format_clock(session.active_seconds) if whole else format_elapsed(round(stored))
    tension = ""
    if before is not None or after is not None:
        tension = f", tension {'–' if before is None else before} → {'–' if after is None else after}"
    return (
        f"{word}: {routine.name}, {active} of {format_clock(session.planned_seconds)}, "
        f"{session.strokes_done}/{session.strokes_total} strokes"
        + (f", {session.strokes_skipped} skipped" if session.strokes_skipped else "")
        + tension
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


def _bar(label: str, done: float, total: float, right: str, inner: int) -> Text:
    """``label  ━━━━━━───────  0:10 / 1:30``: done is heavy, to go is light (readable without colour)."""
    right = f" {right:>13}"
    cells = max(4, inner - 9 - len(right))
    filled = min(cells, round(cells * done / total)) if total > 0 else cells
    return Text.assemble(
        (f"{label:<8} ", "dim"), ("━" * filled, "magenta"), ("─" * (cells - filled), "bright_black"), right
    )


def _fit_cells(text: str, width: int) -> str:
    """The longest start of ``text`` that fills at most ``width`` terminal cells (at least one character)."""
    end = 0
    while end < len(text) and cell_len(text[: end + 1]) <= width:
        end += 1
    return text[: max(1, end)]


@lru_cache(maxsize=64)
def _wrapped(text: str, width: int) -> tuple[str, ...]:
    """A cue wrapped to ``width`` terminal cells once per stroke, not once per frame.

    Counted in cells, not characters: a CJK character or an emoji takes two, a zero-width joiner
    none. A word wider than the line (a run of CJK text has no spaces) is folded, never cut.
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        while cell_len(word) > width:
            if line:
                lines.append(line)
                line = ""
            head = _fit_cells(word, width)
            lines.append(head)
            word = word[len(head) :]
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return tuple(lines) or ("",)


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken between words (a word wider than a line folds)."""
    return list(_wrapped(text, max(1, width)))


def _clip(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, an ellipsis marking a cut."""
    if cell_len(text) <= width:
        return text
    return _fit_cells(text, max(1, width - 1)) + "…"


def _boxed(lines: list[Text], title: str, subtitle: str, width: int, border: str) -> Text:
    """``lines`` inside a rounded box ``width`` wide, the title top left and the subtitle bottom right."""
    inner = width - 4
    title = f" {_clip(title, max(1, width - 6))} "
    subtitle = f" {_clip(subtitle, max(1, width - 6))} "
    frame = Text(no_wrap=True, overflow="crop")
    frame.append("╭─", border)
    frame.append(title, "bold")
    frame.append("─" * max(0, width - 3 - cell_len(title)) + "╮\n", border)
    for line in lines:
        line.truncate(inner, overflow="ellipsis", pad=True)
        frame.append("│ ", border)
        frame.append_text(line)
        frame.append(" │\n", border)
    frame.append("╰" + "─" * max(0, width - 3 - cell_len(subtitle)), border)
    frame.append(subtitle, border)
    frame.append("─╯", border)
    return frame


# Key hints, longest first: the first that fits the width is drawn. One word for q everywhere.
FOOTERS = {
    False: (FOOTER + " · ? keys", SHORT_FOOTER + " · ? keys", SHORT_FOOTER, "space pause · n · b · q finish · ?",
            "space · n · b · q finish"),
    True: (FOOTER.replace("pause", "resume") + " · ? keys", SHORT_FOOTER.replace("pause", "resume"),
           "space resume · n · b · q finish · ?", "space resume · q finish", "space · q"),
}
KEYS_HELP = (
    ("space, p", "pause; again to resume"),
    ("n, →", "next stroke"),
    ("b, ←", "back to the start of this stroke; twice quickly: the stroke before"),
    ("q", "finish now (the session is kept)"),
    ("?", "hide these keys"),
)


def plain_keys(width: int | None = None) -> list[str]:
    """The keys as plain lines, for a terminal that cannot redraw (``?`` there prints them again).

    With a ``width`` (a terminal's), each meaning is broken between words beside its key.
    """
    column = 2 + max(cell_len(key) for key, _ in KEYS_HELP) + 2
    lines = ["keys:"]
    for key, meaning in KEYS_HELP:
        if key == "?":
            continue
        rows = [meaning] if width is None else _wrapped(meaning, max(10, width - column))
        head = f"  {key}" + " " * (column - 2 - cell_len(key))  # padded in cells, not characters
        lines.extend((head if i == 0 else " " * column) + row for i, row in enumerate(rows))
    return lines


# What goes first when the frame is too short: higher numbers are dropped before lower ones.
_KEEP, _BARS, _NEXT, _CUE, _MORE_CUE, _PULSE, _SPACE = 0, 1, 2, 3, 4, 5, 6


def footer(paused: bool, width: int) -> str:
    """The key hints for the state the session is in, as long as fits in ``width`` cells."""
    choices = FOOTERS[paused]
    return next((text for text in choices if cell_len(text) < width), choices[-1])


def _fit_height(lines: list[tuple[int, Text]], rows: int) -> list[Text]:
    """Drop the least important lines (the last of the lowest rank first) until ``rows`` are left."""
    kept = list(lines)
    while len(kept) > rows:
        worst = max(rank for rank, _ in kept)
        if worst == _KEEP:
            break
        index = max(i for i, (rank, _) in enumerate(kept) if rank == worst)
        del kept[index]
    return [line for _, line in kept[:rows]] if rows > 0 else []


def _keys_lines(inner: int) -> list[tuple[int, Text]]:
    """The keys and what each does, the meanings wrapped beside the keys."""
    lines: list[tuple[int, Text]] = [(_KEEP, Text("KEYS", style="bold"))]
    for key, meaning in KEYS_HELP:
        for i, row in enumerate(_wrapped(meaning, max(10, inner - 10))):
            lines.append((_KEEP, Text.assemble((f"{key if i == 0 else '':<10}", "bold cyan"), row)))
    return lines


def render_frame(
    snapshot: Snapshot, routine: Routine, width: int = 80, height: int = 24, *, show_keys: bool = False
) -> Text:
    """The live screen for one snapshot, fitting ``width`` × ``height`` (down to 40 columns).

    Drawn as plain fixed-width lines of Rich ``Text`` rather than panels and tables: the same
    picture at a fraction of the cost, which matters at two frames a second for an hour. When
    the height is short, the least important lines go (spacing, the pulse, the cue, the next
    stroke) and the box stays whole. ``show_keys`` puts the key list in place of the cue.
    """
    width = max(20, width)
    inner = width - 4
    step = snapshot.step
    paused = snapshot.state.value == "paused"
    title = sanitize(routine.title)
    if step is None:
        return _boxed([Text("Finished.", style="bold")], title, "done", width, "blue")
    remaining = format_clock(snapshot.step_remaining)
    lines: list[tuple[int, Text]] = [(_KEEP, Text(step_label(step).upper(), style="bold")),
                                     (_BARS, Text(step_manner(step), style="cyan"))]
    if show_keys:
        lines.extend(_keys_lines(inner))
    elif step.stroke.cue:
        rows = _wrapped(sanitize(step.stroke.cue), inner)
        lines.extend((_CUE if i == 0 else _MORE_CUE, Text(row, style="italic")) for i, row in enumerate(rows))
    lines.append((_SPACE, Text("")))
    digit_rows = big_digits(remaining)
    if width >= 48 and height >= 22 and cell_len(digit_rows[0]) <= inner:
        style = "dim" if paused else "bold"
        lines.extend((_KEEP, Text(row.center(inner).rstrip(), style=style)) for row in digit_rows)
    else:
        lines.append((_KEEP, Text(remaining.center(inner).rstrip(), style="bold")))
    if paused:
        notice = "PAUSED — press space to go on"
        lines.append((_KEEP, Text(" " * max(0, (inner - cell_len(notice)) // 2)).append(notice, "bold reverse yellow")))
    lines.append((_SPACE, Text("")))
    lines.append((_BARS, _bar("stroke", snapshot.step_elapsed, snapshot.step_duration,
                              f"{format_elapsed(snapshot.step_elapsed)} / {format_clock(snapshot.step_duration)}", inner)))
    # Where you are in the routine: the planned time of the strokes before, plus this one's so far.
    place = max(0.0, snapshot.planned - snapshot.remaining)
    lines.append((_NEXT, _bar("session", place, snapshot.planned,
                              f"{format_elapsed(place)} / {format_clock(snapshot.planned)}", inner)))
    pulse = _pulse(snapshot, step)
    if pulse is not None:
        lines.append((_PULSE, pulse))
    following = snapshot.next_step
    if following is not None:
        manner = following.stroke.describe()
        soon = snapshot.next_soon and not paused  # the last seconds before a change: it stands out
        lines.append((_NEXT, Text.assemble(
            ("NEXT  " if soon else "next  ", "bold reverse" if soon else "dim"), " " if soon else "",
            (step_label(following), "bold" if soon else ""),
            (f" — {manner}" if manner else "", "dim"), (f", {format_clock(following.duration)}", "dim"))))
    else:
        lines.append((_NEXT, Text("next  the end", style="dim")))
    border = "yellow" if paused else "blue"
    subtitle = "PAUSED" if paused else f"stroke {snapshot.stroke_number} of {snapshot.strokes_total}"
    if routine.quiet:  # a sleep routine: a dim screen, no bright colours; only what stands out is bold
        lines = [(rank, _dimmed(line)) for rank, line in lines]
        border = "bright_black"
    frame = _boxed(_fit_height(lines, height - 3), title, subtitle, width, border)
    frame.append("\n ")
    frame.append(_clip(footer(paused, width - 1), width - 1), "dim")
    return frame


def _dimmed(line: Text) -> Text:
    """``line`` in dim grey, keeping only bold and reverse (what must stand out) from its styles."""
    dimmed = Text(line.plain, style="dim")
    for span in [*line.spans, Span(0, len(line.plain), line.style)]:
        style = str(span.style)
        keep = " ".join(word for word in ("bold", "reverse") if word in style.split())
        if keep:
            dimmed.stylize(keep, span.start, span.end)
    return dimmed
