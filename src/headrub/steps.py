"""What a session is made of: its steps, the events it yields, its states and the snapshot drawn.

The vocabulary of ``headrub.session`` (which re-exports every name here), kept apart from the
state machine itself: ``expand_steps`` lays a routine out as timed steps, ``exact_offsets`` gives
their exact start times, and ``beat_at``/``breath_at``/``next_edge`` say where a tempo or a breath
is at a moment. Plain Python: no clock, no display, no sound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from headrub.routine import DEFAULT_BREATH, Routine, Stroke


class EventKind(StrEnum):
    """What happened in a session."""

    SESSION_STARTED = "session_started"
    STROKE_STARTED = "stroke_started"
    SIDE_SWITCH = "side_switch"
    HALFWAY = "halfway"
    TEN_SECONDS_LEFT = "ten_seconds_left"
    NEXT_SOON = "next_soon"
    PAUSED = "paused"
    RESUMED = "resumed"
    STROKE_SKIPPED = "stroke_skipped"
    STROKE_RESTARTED = "stroke_restarted"
    FINISHED = "finished"
    STOPPED = "stopped"


class State(StrEnum):
    """Where a session is in its life."""

    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Step:
    """One timed segment: a stroke, or one side of a ``side: each`` stroke."""

    index: int
    stroke_index: int
    stroke: Stroke
    side: str | None
    duration: float

    @property
    def switches_side(self) -> bool:
        """True for the second side of a ``side: each`` stroke (its start is a ``SIDE_SWITCH``)."""
        return self.stroke.side == "each" and self.side == "right"

    @property
    def beat_period(self) -> float | None:
        """Seconds per beat for a stroke with a tempo, else None."""
        return 60.0 / self.stroke.tempo if self.stroke.tempo else None

    @property
    def breath(self) -> tuple[float, float] | None:
        """Seconds (in, out) for a breathing stroke, else None."""
        if self.stroke.breath is not None:
            return self.stroke.breath
        return DEFAULT_BREATH if self.stroke.technique == "breathing" else None


@dataclass(frozen=True)
class Event:
    """Something that happened, stamped with its scheduled monotonic time (not when it was noticed)."""

    kind: EventKind
    at: float
    step: Step | None
    # Session time (pauses excluded, CONTRACT §4) when a stroke or side begins; 0 for other events.
    session_time: float = 0.0
    # For TEN_SECONDS_LEFT: a NEXT_SOON is still to come in this step, so the two would be heard
    # within seconds of each other ("Ten seconds." then "Next: temples.").
    next_follows: bool = False
    # For NEXT_SOON: the coming step works on the same area as the current one (the hands stay).
    same_area: bool = False


@dataclass(frozen=True)
class Snapshot:
    """Everything a renderer needs, computed at one instant."""

    state: State
    step: Step | None
    step_index: int
    steps_total: int
    step_elapsed: float
    step_remaining: float
    step_duration: float
    elapsed: float
    planned: float
    remaining: float
    next_step: Step | None
    stroke_number: int
    strokes_total: int
    beat_phase: float | None
    beat_count: int | None
    breath_phase: tuple[str, float] | None
    next_soon: bool = False


def expand_steps(routine: Routine) -> tuple[Step, ...]:
    """The routine's strokes as timed steps: a ``side: each`` stroke becomes left then right."""
    steps: list[Step] = []
    for stroke_index, stroke in enumerate(routine.strokes):
        sides = ("left", "right") if stroke.side == "each" else (stroke.side,)
        for side in sides:
            steps.append(Step(len(steps), stroke_index, stroke, side, float(stroke.duration)))
    return tuple(steps)


def exact_offsets(durations: Sequence[float]) -> tuple[float, ...]:
    """Prefix sums ``0, d0, d0+d1, ...``, each the correctly rounded exact sum (no accumulated error)."""
    # math.fsum is the correctly rounded exact sum, as float(sum of Fractions) was, without
    # importing fractions (and decimal) before the first bell; a routine has at most 400 steps.
    return tuple(math.fsum(durations[:end]) for end in range(len(durations) + 1))


def next_edge(base: float, period: float, now: float) -> float:
    """The first time ``base + k * period`` (any integer k) strictly after ``now``."""
    k = math.floor((now - base) / period) + 1
    edge = base + k * period
    return edge if edge > now else base + (k + 1) * period


def beat_at(step: Step, elapsed: float) -> tuple[float | None, int | None]:
    """(phase 0..1 within the beat, whole beats so far) ``elapsed`` seconds into a step."""
    period = step.beat_period
    if period is None:
        return None, None
    beats = elapsed / period
    count = math.floor(beats)
    return beats - count, count


def breath_at(step: Step, elapsed: float) -> tuple[str, float] | None:
    """("in"|"out", fraction of that half) ``elapsed`` seconds into a breathing step, else None."""
    breath = step.breath
    if breath is None:
        return None
    inhale, exhale = breath
    within = math.fmod(elapsed, inhale + exhale)
    if within < inhale:
        return "in", within / inhale
    return "out", min(1.0, (within - inhale) / exhale)
