"""What each session event sounds like: its chime and its spoken line, and which lines give way.

One table for the live session (``cues.Cues``) and the transcript (``spoken.transcript``), so
what ``show --spoken`` prints is what a session says. Plain Python: no processes, no Rich.
"""

from __future__ import annotations

from dataclasses import dataclass

from headrub.routine import Stroke
from headrub.session import Event, EventKind, Step
from headrub.spoken import DEFAULT_RATE_WPM, next_line, side_switch_line, stroke_line

# The ten-seconds warning is for long steps only: in a short one it would crowd the change sound.
LONG_STEP_S = 60.0
SOUND_FOR: dict[EventKind, str] = {
    EventKind.STROKE_STARTED: "change",
    EventKind.SIDE_SWITCH: "side",
    EventKind.TEN_SECONDS_LEFT: "warn",
    EventKind.FINISHED: "end",
    EventKind.STOPPED: "stop",
}
SPOKEN_FOR: dict[EventKind, str] = {
    EventKind.TEN_SECONDS_LEFT: "Ten seconds.",
    EventKind.FINISHED: "Session complete.",
    EventKind.STOPPED: "Session stopped.",
    EventKind.HALFWAY: "Halfway.",
    EventKind.PAUSED: "Paused.",
    EventKind.RESUMED: "Resumed.",
}


@dataclass(frozen=True)
class Plan:
    """What one event sounds like: a chime's name, a phrase, and whether the phrase is news that gives way."""

    sound: str | None
    text: str | None
    gives_way: bool = False


_NEWS = (EventKind.NEXT_SOON, EventKind.TEN_SECONDS_LEFT, EventKind.HALFWAY)


def heard_for(event: Event, *, quiet: bool = False, rate_wpm: float = DEFAULT_RATE_WPM) -> Plan:
    """The chime and phrase for ``event`` (the module docstring's table), the same in a session and a transcript."""
    kind = event.kind
    step = event.step
    if kind is EventKind.TEN_SECONDS_LEFT and (quiet or step is None or step.duration < LONG_STEP_S):
        return Plan(None, None)
    if kind is EventKind.TEN_SECONDS_LEFT and event.next_follows:
        # "Next: temples." follows within seconds and says the same: the soft note alone marks the time.
        return Plan(SOUND_FOR[kind], None)
    if kind is EventKind.HALFWAY and quiet:
        return Plan(None, None)
    if kind is EventKind.STROKE_RESTARTED and step is not None:
        # Back to the start of the step: it begins again, so it sounds and is said again.
        return Plan("side" if step.switches_side else "change", step_phrase(step, rate_wpm))
    if kind is EventKind.SIDE_SWITCH and step is not None:
        return Plan("side", side_switch_line(step.stroke, step.side, step.duration, rate_wpm))
    if kind is EventKind.STROKE_STARTED and step is not None:
        return Plan("change", step_phrase(step, rate_wpm))
    if kind is EventKind.NEXT_SOON and step is not None:
        return Plan(None, next_line(step.stroke, step.side, step.switches_side, same_area=event.same_area), gives_way=True)
    if kind is EventKind.FINISHED and quiet:
        return Plan("end", None)
    return Plan(SOUND_FOR.get(kind), SPOKEN_FOR.get(kind), gives_way=kind in _NEWS)


def stroke_phrase(stroke: Stroke, side: str | None, duration: float, rate_wpm: float = DEFAULT_RATE_WPM) -> str:
    """What is said as a stroke begins (``spoken.stroke_line``)."""
    return stroke_line(stroke, side, duration, rate_wpm)


def step_phrase(step: Step, rate_wpm: float = DEFAULT_RATE_WPM) -> str:
    """The line for a step as it begins: its instruction, or "Right side." and the short one."""
    if step.switches_side:
        return side_switch_line(step.stroke, step.side, step.duration, rate_wpm)
    return stroke_line(step.stroke, step.side, step.duration, rate_wpm)
