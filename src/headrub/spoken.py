"""What the voice says: each stroke's spoken instruction, the short forms, and a session's transcript.

Plain Python (no Typer, no Rich, no processes): ``cues.py`` speaks these lines, ``show --json``
and ``show --spoken`` print them, ``validate`` checks that they fit.

How a stroke's spoken line is chosen (docs/routines.md says the same):

1. A stroke with ``say:`` speaks it as written (the first side of a ``side: each`` stroke puts
   "Left side." before it) whenever it ends a second before the stroke does (``validate`` warns
   when it takes more than half). Only a stroke made that short (``--minutes``) shortens it: as
   many opening sentences as fit plus every later sentence that warns ("Nothing on the
   throat.", "never past seven"); then the first clause with them; then the warnings alone
   when they are six words or more (an instruction too: "Press to six, never past seven.");
   then only the opening sentences; then the first clause. An opening of three words or fewer
   ("Eyes closed.", "Head up slowly.") is kept when there is room, never said alone.
2. Otherwise the header — area, side, technique with its pace, pressure, time — and the whole
   ``cue``, when both fit in half the stroke at the speech rate.
3. Otherwise the longest form that fits, tried in this order: the area and the whole cue; then,
   for fewer and fewer of the cue's opening sentences, the header with them, then the area with
   them; then the area and the cue's first clause (up to its first comma, semicolon or colon).
4. If nothing fits, the area and that clause cut before its first "and" or "then" all the same:
   a stroke with an instruction is never announced by its header alone. A stroke with neither
   ``say`` nor ``cue`` gets the header.

The second side of a ``side: each`` stroke says "Right side." and the short instruction: its
``say`` (as in 1), or the cue's opening sentences that fit (at least its first clause).

"Next: temples." names the coming area; when the coming step works on the area the hands are
already on, it says so instead ("Next: same place, holding."), since naming where they already
are sounds like a move.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from headrub.routine import Routine, Stroke, format_duration_words
from headrub.text import sanitize

# How long espeak-ng takes to say a line, measured, not guessed. 203 lines (every cue of the nine
# built-in routines and every spoken step line made from them) rendered with
# ``espeak-ng -s 150 -w out.wav -- LINE`` (espeak-ng 1.51, Debian 12, default voice) and timed
# with ``soxi -D out.wav``. Words alone give 2.63 words a second on average, but lines of short
# sentences ("Shoulders. Slow stretching. 20 seconds.") run longer: espeak-ng pauses at each full
# stop and comma. A least-squares fit of seconds against words, sentence ends and commas gave
# 0.2725 s a word (3.67 words a second between pauses), 0.75 s a sentence end and 0.33 s a
# comma; the longest any line ran over that fit was 17 %, so estimates carry an 18 % margin and
# are never short on the library. At -s 120 and -s 200 all three figures scaled with 150 / rate
# (within 6 %), so other rates scale linearly. scripts/measure_speech.py measures them again.
MEASURED_WORDS_PER_S = 3.67
SENTENCE_PAUSE_S = 0.75
CLAUSE_PAUSE_S = 0.33
ESTIMATE_MARGIN = 1.18
MEASURED_AT_WPM = 150
DEFAULT_RATE_WPM = 150
MIN_RATE_WPM, MAX_RATE_WPM = 80, 450
# "Next: temples" is this many seconds before each change unless a setting says otherwise.
DEFAULT_NEXT_WARNING_S = 5
MAX_SPOKEN_CHARS = 600

_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"[,;:](?=\s)")
_SENTENCE_PAUSE = re.compile(r"[.!?](?:\s|$)")
_CLAUSE_PAUSE = re.compile(r"[,;:]\s")
_JOINER = re.compile(r"\s(?:and|then)\s")
# A ``say`` line ends at least this long before its stroke does, so the next chime never cuts it.
_SAY_GAP_S = 1.0
# A sentence that warns: kept when a ``say`` line is shortened, for as long as it fits at all.
_WARNS = re.compile(
    r"\b(?:never|nothing|not|no|stop|avoid|don't|don’t|do not|leave out|skip|careful|test it|get up|stand up)\b",
    re.IGNORECASE,
)


def speakable(text: str) -> str:
    """``text`` made safe to hand to a speech engine as one argument.

    Escape sequences and control characters are removed, runs of white space become one
    space, and leading hyphens are dropped so the text can never be read as an option.
    """
    cleaned = _SPACES.sub(" ", sanitize(text)).strip()
    return cleaned.lstrip("- ")[:MAX_SPOKEN_CHARS]


def words_per_second(rate_wpm: float = DEFAULT_RATE_WPM) -> float:
    """How many words a second the engine speaks at ``rate_wpm`` (scaled from the measured figure)."""
    return MEASURED_WORDS_PER_S * rate_wpm / MEASURED_AT_WPM


def speech_seconds(text: str, rate_wpm: float = DEFAULT_RATE_WPM) -> float:
    """How long ``text`` takes to say at ``rate_wpm``, at most: its words, and a pause at each stop and comma."""
    stops = len(_SENTENCE_PAUSE.findall(text))
    commas = len(_CLAUSE_PAUSE.findall(text))
    pauses = (stops * SENTENCE_PAUSE_S + commas * CLAUSE_PAUSE_S) * MEASURED_AT_WPM / rate_wpm
    return ESTIMATE_MARGIN * (len(text.split()) / words_per_second(rate_wpm) + pauses)


def _sentence(text: str) -> str:
    """``text`` cleaned, capitalised and ending in a full stop (or its own ! or ?)."""
    cleaned = speakable(text).rstrip(" .,;:")
    if not cleaned:
        return ""
    end = "" if cleaned[-1] in "!?" else "."
    return cleaned[0].upper() + cleaned[1:] + end


def _how(stroke: Stroke) -> str:
    """``"slow circles, light pressure"`` — the technique with its pace, and the pressure."""
    technique = stroke.technique or ""
    if technique and stroke.tempo is not None:
        if stroke.tempo < 40:
            technique = f"slow {technique}"
        elif stroke.tempo > 100:
            technique = f"quick {technique}"
    pressure = f"{stroke.pressure} pressure" if stroke.pressure else ""
    return ", ".join(p for p in (technique, pressure) if p)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def header(stroke: Stroke, side: str | None, duration: float) -> str:
    """``"Temples. Slow circles, light pressure. 2 minutes."``: area, side, how, time."""
    where = _sentence(stroke.area)
    if side in ("left", "right"):  # "both" is the usual case and goes unsaid
        where = _join(where, f"{side.capitalize()} side.")
    return _join(where, _sentence(_how(stroke)), _sentence(format_duration_words(duration)))


def _area(stroke: Stroke, side: str | None) -> str:
    where = _sentence(stroke.area)
    return _join(where, f"{side.capitalize()} side.") if side in ("left", "right") else where


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, each cleaned and ending in a stop."""
    return [s for s in (_sentence(part) for part in _SENTENCE_END.split(speakable(text))) if s]


def first_clause(text: str) -> str:
    """The opening of ``text`` up to its first comma, semicolon, colon or full stop, as a sentence."""
    first = (sentences(text) or [""])[0]
    return _sentence(_CLAUSE_END.split(first, maxsplit=1)[0])


def shortest_clause(text: str) -> str:
    """The first clause, cut again before its first "and" or "then" when it has one."""
    clause = first_clause(text)
    cut = _JOINER.split(clause.rstrip("."), maxsplit=1)[0]
    return _sentence(cut) if len(cut.split()) >= 3 else clause


def _fits(text: str, duration: float, rate_wpm: float) -> bool:
    return speech_seconds(text, rate_wpm) <= duration / 2


def stroke_line(stroke: Stroke, side: str | None, duration: float, rate_wpm: float = DEFAULT_RATE_WPM) -> str:
    """What is said as a stroke (or its first side) begins; see the module docstring for the rule."""
    if stroke.say and speakable(stroke.say):
        opening = "Left side." if stroke.side == "each" and side == "left" else ""
        return _join(opening, _say_within(stroke.say, _say_budget(opening, duration, rate_wpm), rate_wpm))
    head = header(stroke, side, duration)
    if not stroke.cue or not sentences(stroke.cue):
        return head
    area = _area(stroke, side)
    parts = sentences(stroke.cue)
    candidates = [_join(head, *parts), _join(area, *parts)]
    for count in range(len(parts) - 1, 0, -1):
        candidates += [_join(head, *parts[:count]), _join(area, *parts[:count])]
    candidates.append(_join(area, first_clause(stroke.cue)))
    fallback = _join(area, shortest_clause(stroke.cue))
    candidates.append(fallback)
    return next((c for c in candidates if _fits(c, duration, rate_wpm)), fallback)


def short_instruction(stroke: Stroke, budget_s: float, rate_wpm: float = DEFAULT_RATE_WPM) -> str:
    """The stroke's ``say``, or as many of its cue's opening sentences as take ``budget_s`` (at least the first clause).

    Without either, how the stroke is done ("Pressing, medium pressure.").
    """
    if stroke.say and speakable(stroke.say):
        return _sentence(stroke.say)
    if not stroke.cue or not sentences(stroke.cue):
        return _sentence(_how(stroke))
    parts = sentences(stroke.cue)
    for count in range(len(parts), 0, -1):
        text = _join(*parts[:count])
        if speech_seconds(text, rate_wpm) <= budget_s:
            return text
    clause = first_clause(stroke.cue)
    return clause if speech_seconds(clause, rate_wpm) <= budget_s else shortest_clause(stroke.cue)


def _say_budget(opening: str, duration: float, rate_wpm: float) -> float:
    """Seconds a ``say`` line may take after ``opening``: all but a second of the stroke (at least half of it)."""
    room = max(duration / 2, duration - _SAY_GAP_S)
    return room - (speech_seconds(opening, rate_wpm) if opening else 0.0)


def _say_within(say: str, budget_s: float, rate_wpm: float) -> str:
    """A ``say`` line as written when it takes ``budget_s`` or less, else shortened (module docstring, 1)."""
    whole = _sentence(say)
    if speech_seconds(whole, rate_wpm) <= budget_s:
        return whole
    parts = sentences(say)
    lead = 0
    while lead < len(parts) - 1 and len(parts[lead].split()) <= 3:
        lead += 1  # "Eyes closed.", "Head up slowly.": said when there is room, never as the whole instruction

    def warnings(rest: list[str]) -> list[str]:
        return [part for part in rest if _WARNS.search(part)]

    ends = range(len(parts) - 1, lead, -1)
    warned = warnings(parts)
    opening, clause = parts[:lead], first_clause(parts[lead])
    # Every form that keeps the warnings first, the shortest of them the warnings alone; then the rest.
    shorter = [_join(*parts[:end], *warnings(parts[end:])) for end in ends]
    shorter += [_join(*parts[lead:end], *warnings(parts[end:])) for end in ends]
    if not _WARNS.search(parts[lead]):  # cut to its first clause, the opening sentence loses no warning
        shorter += [_join(*opening, clause, *warnings(parts[lead + 1 :])), _join(clause, *warnings(parts[lead + 1 :]))]
    # The warnings alone only when they say what to do as well ("Press to six, never past seven."), not
    # when they are a bare "Nothing on the throat.": an instruction comes before a bare warning.
    shorter += [_join(*warned)] if len(_join(*warned).split()) >= 6 else []
    shorter += [_join(*parts[:end]) for end in ends] + [_join(*parts[lead:end]) for end in ends]
    shorter += [_join(*opening, clause), clause]
    return next((text for text in shorter if speech_seconds(text, rate_wpm) <= budget_s), shortest_clause(parts[lead]))


def side_switch_line(stroke: Stroke, side: str | None, duration: float, rate_wpm: float = DEFAULT_RATE_WPM) -> str:
    """``"Right side. Thumbs in the hollows under the skull."``: the second side is an instruction too."""
    opening = f"{(side or 'other').capitalize()} side."
    if stroke.say and speakable(stroke.say):
        return _join(opening, _say_within(stroke.say, _say_budget(opening, duration, rate_wpm), rate_wpm))
    budget = duration / 2 - speech_seconds(opening, rate_wpm)
    return _join(opening, short_instruction(stroke, budget, rate_wpm))


def next_line(stroke: Stroke, side: str | None, switches_side: bool, *, same_area: bool = False) -> str:
    """``"Next: temples."``, ``"Next: right side."`` before a side switch, or, when the coming step
    works on the area and side the hands are on, ``"Next: same place, holding."``.

    The side of a coming one-sided step is left to its instruction: in a partner routine "left"
    needs "their", which the routine's own line says.
    """
    if switches_side:
        return f"Next: {side or 'other'} side."
    if same_area:
        parts = ["same place", stroke.technique or "", f"{side} side" if side in ("left", "right") else ""]
        return f"Next: {', '.join(p for p in parts if p)}."
    return f"Next: {speakable(stroke.area).rstrip(' .')}."


def lead_in_line(stroke: Stroke, side: str | None, seconds: float, rate_wpm: float = DEFAULT_RATE_WPM) -> str:
    """``"Get ready. First: temples. Pads of three fingers…"``: said while the hands find their place.

    The instruction is left out when it would still be being said as the stroke begins.
    """
    where = speakable(stroke.area).rstrip(" .")
    if side in ("left", "right"):
        where += f", {side} side"
    opening = f"Get ready. First: {where}."
    # The instruction too when it is said before the stroke begins (the stroke then says it again).
    whole = _join(opening, short_instruction(stroke, seconds - speech_seconds(opening, rate_wpm), rate_wpm))
    return whole if speech_seconds(whole, rate_wpm) <= seconds else opening


@dataclass(frozen=True)
class TooLong:
    """A stroke whose spoken line takes more than half of it at the speech rate."""

    index: int  # the stroke's place in the routine, from 0
    side: str | None
    text: str
    seconds: float  # how long it takes to say
    duration: float  # the stroke's (one side's) length


def too_long(routine: Routine, rate_wpm: float = DEFAULT_RATE_WPM) -> list[TooLong]:
    """Each stroke (and second side) whose spoken line, at its normal length, outlasts half of it."""
    found = []
    for index, stroke in enumerate(routine.strokes):
        sides = ("left", "right") if stroke.side == "each" else (stroke.side,)
        for side in sides:
            if stroke.side == "each" and side == "right":
                text = side_switch_line(stroke, side, stroke.duration, rate_wpm)
            else:
                text = stroke_line(stroke, side, stroke.duration, rate_wpm)
            seconds = speech_seconds(text, rate_wpm)
            if seconds > stroke.duration / 2:
                found.append(TooLong(index, side, text, seconds, stroke.duration))
    return found


@dataclass(frozen=True)
class Heard:
    """One moment of a transcript: ``at`` seconds into the session, a chime (``sound``) or a phrase (``text``)."""

    at: float
    sound: str | None = None
    text: str | None = None


def transcript(
    routine: Routine,
    *,
    rate_wpm: float = DEFAULT_RATE_WPM,
    next_warning: float = DEFAULT_NEXT_WARNING_S,
    quiet: bool | None = None,
    lead_in: float = 0.0,
    chimes: bool = True,
) -> Iterator[Heard]:
    """Everything heard in a session run straight through at normal length, in time order.

    The real engine and the real cue rules (``cues.heard_for``) on a fake clock; a phrase that
    gives way to a stroke's instruction still being spoken (by its estimated length) is left out,
    as in a session. ``lead_in`` seconds before the start come first, at negative times.
    """
    from headrub.clock import FakeClock
    from headrub.heard import heard_for
    from headrub.session import Session

    quiet = routine.quiet if quiet is None else quiet
    clock = FakeClock(0.0)
    session = Session(routine, clock, next_warning=next_warning)
    if lead_in > 0:
        first = session.steps[0]
        yield Heard(-lead_in, text=lead_in_line(first.stroke, first.side, lead_in, rate_wpm))
    speaking_until = -1.0
    events = session.start()
    while True:
        for event in events:
            at = event.at
            plan = heard_for(event, quiet=quiet, rate_wpm=rate_wpm)
            if plan.sound is not None and chimes:
                yield Heard(at, sound=plan.sound)
            if plan.text is None or (plan.gives_way and at < speaking_until):
                continue
            yield Heard(at, text=plan.text)
            speaking_until = at + speech_seconds(plan.text, rate_wpm)
        if session.finished:
            return
        due = session.next_event_at()
        if due is None:  # pragma: no cover - a running session always has one
            return
        clock.set(max(due, clock.now()))
        events = session.tick()
