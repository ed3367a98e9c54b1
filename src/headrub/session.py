"""The session engine: a state machine over a routine's strokes, driven by an injected clock.

No display, terminal or sound lives here: callers act (``start``, ``pause``,
``skip``...), call ``tick()`` to collect the events whose time has come, draw
``snapshot()``, and sleep until ``next_deadline()``.

Time model. The routine is laid out on a *schedule*: step ``i`` occupies
``[offset[i], offset[i+1])`` where ``offset`` holds the exact (correctly
rounded) prefix sums of the step durations. While running, the schedule
position is ``now - origin``, so every deadline is ``origin + offset[k]``:
a late ``tick()`` never moves a later deadline, and a thousand strokes add no
rounding error. Pause/resume shift ``origin`` by the paused time; ``skip`` and
``back`` move it so the next (or current) step starts now. ``skew`` records
how far ``skip``/``back`` moved the position, so that active time is
``position - skew`` (exactly the planned total for a session run straight
through, pauses or not).

Step starts. Each step start yields exactly one event: ``STROKE_STARTED``, or
``SIDE_SWITCH`` when the step is the second (right) side of a ``side: each``
stroke, so the cue layer says "Right side." and the instruction instead of
announcing the stroke again. Consumers that want "a step began" handle both.

Next. With ``next_warning`` (seconds, 0 for none), ``NEXT_SOON`` comes that long before
each change to another step, in steps at least twice that long, so the cue layer can say
"Next: temples" while the hands can still get there; its ``step`` is the step to come.
``Snapshot.next_soon`` is true from then until the change, for a screen to make the
"next" line stand out.
"""

from __future__ import annotations

import math

from headrub.clock import Clock, MonotonicClock
from headrub.routine import Routine
from headrub.steps import (
    Event,
    EventKind,
    Snapshot,
    State,
    Step,
    beat_at,
    breath_at,
    exact_offsets,
    expand_steps,
    next_edge,
)

# The session's vocabulary lives in ``headrub.steps``; callers import it from here as well.
__all__ = [
    "BACK_AGAIN_S", "TEN_SECONDS", "TEN_SECONDS_MIN_STEP", "Event", "EventKind", "Session", "Snapshot",
    "State", "Step", "beat_at", "breath_at", "exact_offsets", "expand_steps", "next_edge",
]

TEN_SECONDS = 10.0
# ``back`` this soon after a step began goes to the step before (``b`` pressed twice).
BACK_AGAIN_S = 2.0
# Only steps longer than this get a ten-seconds-left event.
TEN_SECONDS_MIN_STEP = 20.0

# What a pending deadline is; the number also orders events due at the same instant. Of the
# news that gives way to speech already under way, what comes next matters most with the eyes
# closed, so it goes first: "Next: right side." rather than "Halfway." when both fall together.
_STEP_END, _NEXT, _TEN_LEFT, _HALFWAY = 0, 1, 2, 3


class Session:
    """A guided session over one routine: call actions, ``tick()``, ``snapshot()``, ``next_deadline()``.

    Every action first catches up with the clock (as ``tick()`` would), so a
    key pressed just after a boundary acts on the step that is current now;
    the events it returns include those caught up, in time order.
    """

    def __init__(self, routine: Routine, clock: Clock | None = None, *, next_warning: float = 0.0) -> None:
        self.routine = routine
        self.next_warning = max(0.0, float(next_warning))
        self.clock: Clock = clock if clock is not None else MonotonicClock()
        self.steps = expand_steps(routine)
        if not self.steps:
            raise ValueError("a session needs at least one stroke")
        if not all(math.isfinite(s.duration) and s.duration > 0 for s in self.steps):
            raise ValueError("every stroke needs a positive, finite duration")
        self._offsets = exact_offsets([s.duration for s in self.steps])
        self.planned_seconds = self._offsets[-1]
        self.strokes_total = len(routine.strokes)
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self._state = State.READY
        self._index = 0
        self._origin = 0.0
        self._skew = 0.0
        self._paused_at = 0.0
        self._stopped_position = 0.0
        self._halfway_done = False
        self._ten_done = False
        self._next_done = False
        self._skipped: set[int] = set()  # steps skipped before half their time ran

    # -- what the session is now -------------------------------------------------

    @property
    def state(self) -> State:
        """The current state."""
        return self._state

    @property
    def finished(self) -> bool:
        """True once the session has ended, by reaching the end or by ``stop()``."""
        return self._state in (State.FINISHED, State.STOPPED)

    @property
    def completed(self) -> bool:
        """True when the session reached its end (not stopped early)."""
        return self._state is State.FINISHED

    @property
    def active_seconds(self) -> float:
        """Session time so far, pauses excluded."""
        return self._active(self.clock.now())

    @property
    def strokes_done(self) -> int:
        """Strokes moved past and done: every step of them ran at least half its time.

        The stroke under way does not count; a stroke skipped earlier counts in ``strokes_skipped``.
        """
        return self._strokes_passed() - self.strokes_skipped

    @property
    def strokes_skipped(self) -> int:
        """Strokes moved past with a step skipped before half its time ran."""
        passed = self._strokes_passed()
        return len({self.steps[index].stroke_index for index in self._skipped} & set(range(passed)))

    def _strokes_passed(self) -> int:
        if self._state is State.FINISHED:
            return self.strokes_total
        if self._state is State.READY:
            return 0
        return self.steps[self._index].stroke_index

    # -- actions -------------------------------------------------------------------

    def start(self) -> list[Event]:
        """Begin: ``SESSION_STARTED`` then ``STROKE_STARTED`` for the first step (no-op unless READY)."""
        if self._state is not State.READY:
            return []
        now = self.clock.now()
        self.started_at = self._origin = now
        self._state = State.RUNNING
        self._enter(0)
        return [
            Event(EventKind.SESSION_STARTED, now, None),
            Event(EventKind.STROKE_STARTED, now, self.steps[0], 0.0),
        ]

    def tick(self) -> list[Event]:
        """Every event whose scheduled time is at or before now, in time order."""
        if self._state is not State.RUNNING:
            return []
        return self._catch_up(self.clock.now())

    def pause(self) -> list[Event]:
        """Freeze session time (no-op unless running)."""
        now = self.clock.now()
        events = self._catch_up(now)
        if self._state is not State.RUNNING:
            return events
        self._paused_at = now
        self._state = State.PAUSED
        return [*events, Event(EventKind.PAUSED, now, self._step())]

    def resume(self) -> list[Event]:
        """Carry on where the pause left off; every deadline moves by the paused time (no-op unless paused)."""
        if self._state is not State.PAUSED:
            return []
        now = self.clock.now()
        self._origin += max(0.0, now - self._paused_at)
        self._state = State.RUNNING
        return [Event(EventKind.RESUMED, now, self._step())]

    def toggle_pause(self) -> list[Event]:
        """Pause when running, resume when paused."""
        return self.resume() if self._state is State.PAUSED else self.pause()

    def skip(self) -> list[Event]:
        """``STROKE_SKIPPED``, then the next step starts now (``FINISHED`` after the last step)."""
        now = self.clock.now()
        events = self._catch_up(now)
        if self._state not in (State.RUNNING, State.PAUSED):
            return events
        target = self._index + 1
        if self._position(now) - self._offsets[self._index] < self._step().duration / 2:
            self._skipped.add(self._index)
        events.append(Event(EventKind.STROKE_SKIPPED, now, self._step()))
        if target == len(self.steps):
            self._skew += self.planned_seconds - self._position(now)
            events.append(self._finish(now))
            return events
        self._jump(target, now)
        if self._offsets[target] >= self.planned_seconds / 2:
            self._halfway_done = True  # skipped past: announcing it now would be stale
        events.append(self._step_started(now))
        return events

    def back(self) -> list[Event]:
        """``STROKE_RESTARTED``: the current step starts again now (paused stays paused).

        Within ``BACK_AGAIN_S`` of a step's start (so ``b`` twice in quick succession, as on a
        music player) the step before starts instead, announced like any step start.
        """
        now = self.clock.now()
        events = self._catch_up(now)
        if self._state not in (State.RUNNING, State.PAUSED):
            return events
        into_step = self._position(now) - self._offsets[self._index]
        if into_step < BACK_AGAIN_S and self._index > 0:
            target = self._index - 1
            self._jump(target, now)  # HALFWAY, once said, is not said again (as after a plain back)
            return [*events, self._step_started(now)]
        self._jump(self._index, now)
        return [*events, Event(EventKind.STROKE_RESTARTED, now, self._step())]

    def stop(self) -> list[Event]:
        """``STOPPED``: end now (a user quit or a signal). A session already at its end just finishes."""
        now = self.clock.now()
        if self.finished:
            return []
        events = self._catch_up(now)
        if self._state is State.FINISHED:
            return events
        step = None if self._state is State.READY else self._step()
        self._stopped_position = self._position(now)
        self._state = State.STOPPED
        self.ended_at = now
        return [*events, Event(EventKind.STOPPED, now, step)]

    # -- what a renderer and a loop need --------------------------------------------

    def snapshot(self) -> Snapshot:
        """The session at this instant; call ``tick()`` first so the current step is up to date."""
        now = self.clock.now()
        position = self._position(now)
        step = None if self._state is State.FINISHED else self._step()
        step_elapsed = position - self._offsets[self._index] if step is not None else 0.0
        duration = step.duration if step is not None else 0.0
        beat_phase, beat_count = beat_at(step, step_elapsed) if step is not None else (None, None)
        return Snapshot(
            state=self._state,
            step=step,
            step_index=self._index if step is not None else len(self.steps),
            steps_total=len(self.steps),
            step_elapsed=step_elapsed,
            step_remaining=duration - step_elapsed,
            step_duration=duration,
            elapsed=self._active(now),
            planned=self.planned_seconds,
            remaining=self.planned_seconds - position,
            next_step=self.steps[self._index + 1] if self._index + 1 < len(self.steps) else None,
            stroke_number=step.stroke_index + 1 if step is not None else self.strokes_total,
            strokes_total=self.strokes_total,
            beat_phase=beat_phase,
            beat_count=beat_count,
            breath_phase=breath_at(step, step_elapsed) if step is not None else None,
            next_soon=step is not None and self._warns_next() and duration - step_elapsed <= self.next_warning,
        )

    def next_deadline(self) -> float | None:
        """The next monotonic time at which ``tick()`` emits or the display changes; None unless running.

        Never before now: when an event is already due (``tick()`` not yet
        called) it is now. Display changes counted: whole seconds of the step
        countdown, of the session's remaining and elapsed time, beat starts and
        mid-points, and breath turns.
        """
        if self._state is not State.RUNNING:
            return None
        now = self.clock.now()
        due = min(self._pending())[0]
        if due <= now:
            return now
        return min(due, *self._display_edges(now))

    def next_event_at(self) -> float | None:
        """When ``tick()`` will next emit an event (display changes aside); None unless running."""
        if self._state is not State.RUNNING:
            return None
        return min(self._pending())[0]

    # -- inside ----------------------------------------------------------------------

    def _step(self) -> Step:
        """The current step (the first before the start)."""
        return self.steps[self._index]

    def _position(self, now: float) -> float:
        """Where on the schedule the session is: 0 .. planned, frozen while not running."""
        if self._state is State.READY:
            return 0.0
        if self._state is State.FINISHED:
            return self.planned_seconds
        if self._state is State.STOPPED:
            return self._stopped_position
        ref = self._paused_at if self._state is State.PAUSED else now
        low, high = self._offsets[self._index], self._offsets[self._index + 1]
        return min(high, max(low, ref - self._origin))

    def _active(self, now: float) -> float:
        """Session time at ``now``, pauses excluded: the schedule position less the skip/back jumps."""
        if self._state is State.READY:
            return 0.0
        return max(0.0, self._position(now) - self._skew)

    def _pending(self) -> list[tuple[float, int]]:
        """The current step's outstanding deadlines as (time, what), while running."""
        end = self._origin + self._offsets[self._index + 1]
        pending = [(end, _STEP_END)]
        if not self._halfway_done:
            pending.append((self._origin + self.planned_seconds / 2, _HALFWAY))
        if not self._ten_done and self._step().duration > TEN_SECONDS_MIN_STEP:
            pending.append((end - TEN_SECONDS, _TEN_LEFT))
        if not self._next_done and self._warns_next():
            pending.append((end - self.next_warning, _NEXT))
        return pending

    def _warns_next(self) -> bool:
        """Whether the current step gets a ``NEXT_SOON``: another step follows and this one is long enough."""
        return (
            self.next_warning > 0
            and self._index + 1 < len(self.steps)
            and self._step().duration >= 2 * self.next_warning
        )

    def _catch_up(self, now: float) -> list[Event]:
        """Fire every deadline at or before ``now``, earliest first."""
        events: list[Event] = []
        while self._state is State.RUNNING:
            at, what = min(self._pending())
            if at > now:
                break
            events.append(self._fire(at, what))
        return events

    def _fire(self, at: float, what: int) -> Event:
        """Act on one due deadline and say what happened."""
        if what == _HALFWAY:
            self._halfway_done = True
            return Event(EventKind.HALFWAY, at, self._step())
        if what == _TEN_LEFT:
            self._ten_done = True
            follows = self._warns_next() and not self._next_done and self.next_warning < TEN_SECONDS
            return Event(EventKind.TEN_SECONDS_LEFT, at, self._step(), next_follows=follows)
        if what == _NEXT:
            self._next_done = True
            coming, now_on = self.steps[self._index + 1], self._step()
            # The hands stay only on the same area and the same side (right shoulder → left shoulder is a move).
            same = coming.stroke.area.strip().casefold() == now_on.stroke.area.strip().casefold() and (
                coming.side == now_on.side or {coming.side, now_on.side} <= {None, "both"}
            )
            return Event(EventKind.NEXT_SOON, at, coming, same_area=same)
        if self._index + 1 == len(self.steps):
            return self._finish(at)
        self._enter(self._index + 1)
        return self._step_started(at)

    def _enter(self, index: int) -> None:
        """Make step ``index`` current, its ten-seconds warning still to come."""
        self._index = index
        self._ten_done = False
        self._next_done = False

    def _jump(self, index: int, now: float) -> None:
        """Move the schedule so step ``index`` starts now (or at the pause, when paused)."""
        ref = self._paused_at if self._state is State.PAUSED else now
        self._skew += self._offsets[index] - self._position(now)
        self._origin = ref - self._offsets[index]
        self._enter(index)

    def _step_started(self, at: float) -> Event:
        """The event that opens the current step: a side switch or a stroke start."""
        step = self._step()
        kind = EventKind.SIDE_SWITCH if step.switches_side else EventKind.STROKE_STARTED
        # The step starts at its offset on the schedule; skips and backs moved the schedule by ``_skew``.
        return Event(kind, at, step, max(0.0, self._offsets[self._index] - self._skew))

    def _finish(self, at: float) -> Event:
        """Reach the end of the routine."""
        self._state = State.FINISHED
        self.ended_at = at
        return Event(EventKind.FINISHED, at, None)

    def _display_edges(self, now: float) -> list[float]:
        """Times after ``now`` when some number or pulse on screen changes, within the current step."""
        step = self._step()
        start = self._origin + self._offsets[self._index]
        edges = [
            next_edge(start + step.duration, 1.0, now),  # step countdown
            next_edge(self._origin + self.planned_seconds, 1.0, now),  # session remaining
            next_edge(self._origin + self._skew, 1.0, now),  # session elapsed
        ]
        if step.beat_period is not None:
            edges.append(next_edge(start, step.beat_period / 2, now))
        if step.breath is not None:
            inhale, exhale = step.breath
            edges.append(next_edge(start, inhale + exhale, now))
            edges.append(next_edge(start + inhale, inhale + exhale, now))
        return edges
