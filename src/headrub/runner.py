"""The live loop: waits on the keyboard and the engine's next deadline together, draws, cues.

No busy polling: one ``select`` on the terminal and a signal wake-up pipe, with
the engine's next deadline as its timeout. Signals only set a flag (via the
wake-up pipe) and are acted on here, between frames, so nothing is ever torn
half-drawn. The terminal is put back on every way out.

A lead-in (``lead_in`` seconds) may come before the first stroke: the first stroke is shown
(and, through ``on_lead_in``, said) with a countdown so the eyes can close and the hands find
their place. It is not session time: the session starts when it ends, or at once on ``n``;
``q`` or a signal ends everything before anything began.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import select
import signal
import sys
import termios
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from headrub.session import Event, EventKind, Session, Snapshot, State, Step

if TYPE_CHECKING:
    from headrub.keys import RawKeys
    from headrub.painter import Painter, Screen
    from headrub.routine import Routine

# CONTRACT §4: how a signal ends a session (and Ctrl-\, SIGQUIT, like Ctrl-C: 128 + 3).
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129, signal.SIGQUIT: 131}


@dataclass(frozen=True)
class Outcome:
    """How a session ended: what the journal and the exit status need."""

    completed: bool
    exit_code: int
    reason: str  # "finished", "quit", "signal", "error"
    error: BaseException | None = None


def _terminal_gone(error: BaseException) -> bool:
    """Whether ``error`` says the terminal went away (closed window, hung-up line)."""
    if isinstance(error, termios.error):
        return True
    return isinstance(error, OSError) and error.errno in (errno.EIO, errno.ENXIO, errno.ENOTTY, errno.EBADF)


class Runner:
    """Runs one session to its end on a terminal (``live``) or a pipe (plain lines)."""

    def __init__(
        self,
        routine: Routine,
        session: Session,
        *,
        on_event: Callable[[Event], None],
        on_beat: Callable[[], None] | None = None,
        console: Screen | None = None,
        keys: RawKeys | None = None,
        out: IO[str] | None = None,
        lead_in: float = 0.0,
        on_lead_in: Callable[[Step, float], None] | None = None,
        notices: Iterable[str] = (),
    ) -> None:
        self.routine = routine
        self.session = session
        self.on_event = on_event
        self.on_beat = on_beat
        self._last_beat: tuple[int, int] | None = None
        self.console = console
        self.keys = keys
        self.out = out if out is not None else sys.stdout
        self.live: Painter | None = None
        self.lead_in = max(0.0, lead_in)
        self.on_lead_in = on_lead_in
        self.notices = tuple(notices)
        self._pending: list[int] = []
        self._wake_read = -1
        self.show_keys = False  # ``?`` puts the list of keys on screen until pressed again

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Start the session and return once it has finished, been stopped, or failed."""
        restore = self._install_signals()
        try:
            if self.keys is not None:
                self.keys.__enter__()  # only once a signal can no longer leave the terminal raw
            self._start_display()
            ended = self._lead_in()
            if ended is not None:
                return ended
            self._handle(self.session.start())
            self._draw(self.session.snapshot())
            outcome = self._loop()
        except Exception as err:  # a bug must still leave a journal entry and a sane terminal
            self._handle(self.session.stop())
            hung_up = signal.SIGHUP in self._pending or _terminal_gone(err)
            outcome = Outcome(False, 129, "signal") if hung_up else Outcome(False, 1, "error", err)
        finally:
            self._stop_display()
            restore()
        return outcome

    def _loop(self) -> Outcome:
        session = self.session
        while not session.finished:
            deadline = session.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - session.clock.now())
            readable, ended = self._wait(timeout)
            if ended is not None:
                return ended
            if self.keys is not None and self.keys.fd in readable:
                for action in self.keys.read():
                    if self._act(action):
                        return Outcome(False, 0, "quit")
            self._handle(session.tick())
            snapshot = session.snapshot()  # one per wake-up, for the beat and the frame alike
            self._beat(snapshot)
            self._draw(snapshot)
        return Outcome(session.completed, 0, "finished" if session.completed else "quit")

    def _wait(self, timeout: float | None) -> tuple[list[int], Outcome | None]:
        """Wait for a key, a signal or ``timeout``; act on signals. The readable fds, and an Outcome if a signal ended it."""
        watched = [self._wake_read] + ([self.keys.fd] if self.keys is not None else [])
        try:
            readable, _, _ = select.select(watched, [], [], timeout)
        except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for safety
            readable = []
        if self._wake_read in readable:
            self._drain_wakeups()
        for signum in self._take_signals():
            if signum in EXIT_STATUS:
                self._handle(self.session.stop())
                return readable, Outcome(False, EXIT_STATUS[signal.Signals(signum)], "signal")
            if signum == signal.SIGTSTP:
                self._suspend()
        return readable, None

    def _lead_in(self) -> Outcome | None:
        """The get-ready countdown before the first stroke; an Outcome when it ended the session instead."""
        if self.lead_in <= 0:
            return None
        session = self.session
        clock = session.clock
        first = session.steps[0]
        end = clock.now() + self.lead_in
        if self.on_lead_in is not None:
            self.on_lead_in(first, self.lead_in)
        if self.live is None:
            from headrub.display import lead_in_line

            self._print(lead_in_line(first, self.lead_in))
        while (left := end - clock.now()) > 0:
            self._draw_lead_in(left)
            # Wake at each whole second of the countdown, or at once on a key or a signal.
            readable, ended = self._wait(left - math.floor(left - 1e-9) or left)
            if ended is not None:
                return ended
            if self.keys is not None and self.keys.fd in readable:
                actions = self.keys.read()
                if "quit" in actions:
                    self._handle(session.stop())
                    return Outcome(False, 0, "quit")
                if "hangup" in actions:
                    self._pending.append(signal.SIGHUP)
                if "next" in actions:
                    return None
        return None

    def _draw_lead_in(self, left: float) -> None:
        if self.live is None or self.console is None:
            return
        from headrub.display import render_lead_in

        width, height = self.console.size
        frame = render_lead_in(
            self.session.steps[0], self.routine, left, width=min(width, 100), height=height, notices=self.notices
        )
        self.live.draw(frame, width, height)

    def _act(self, action: str) -> bool:
        """Apply one key; True when the session should end now."""
        session = self.session
        if action == "quit":
            self._handle(session.stop())
            return True
        if action == "hangup":
            self._pending.append(signal.SIGHUP)
            return False
        if action == "pause":
            self._handle(session.toggle_pause())
        elif action == "next":
            self._handle(session.skip())
        elif action == "back":
            self._handle(session.back())
        elif action == "keys":
            if self.live is None:  # no screen to toggle (TERM=dumb): the keys as plain lines, each time
                self._print_keys()
            else:
                self.show_keys = not self.show_keys
        return False

    def _print_keys(self) -> None:
        import shutil

        from headrub.display import plain_keys
        from headrub.output import is_terminal

        # On a terminal, broken between words to its width; in a file, one line a key.
        width = shutil.get_terminal_size().columns if is_terminal(self.out) else None
        for line in plain_keys(width):
            self._print(line)

    def _handle(self, events: Iterable[Event]) -> None:
        for event in events:
            if self.live is None and event.step is not None and event.kind in (
                EventKind.STROKE_STARTED,
                EventKind.SIDE_SWITCH,
            ):
                from headrub.display import plain_line

                self._print(plain_line(event.session_time, event.step))  # paused time is not session time
            elif self.live is None and self.keys is not None and event.kind in (EventKind.PAUSED, EventKind.RESUMED):
                self._print("paused (space resumes)" if event.kind is EventKind.PAUSED else "resumed")
            self.on_event(event)

    def _beat(self, snapshot: Snapshot) -> None:
        """Call ``on_beat`` once as each beat of a tempo stroke begins (not while paused)."""
        if self.on_beat is None or snapshot.state != State.RUNNING or snapshot.beat_count is None:
            return
        beat = (snapshot.step_index, snapshot.beat_count)
        if beat != self._last_beat:
            self._last_beat = beat
            if beat[1] > 0:  # beat 0 is the stroke's start, which has its own sound
                self.on_beat()

    def _print(self, line: str) -> None:
        try:
            self.out.write(line + "\n")
            self.out.flush()
        except (OSError, ValueError):
            pass  # a closed pipe must not stop the session or its journal entry

    # -- the screen -------------------------------------------------------------------------

    def _start_display(self) -> None:
        if self.console is None:
            return
        from headrub.painter import Painter

        self.live = Painter(self.console)  # draws only the rows that changed since the last frame
        self.live.start()

    def _stop_display(self) -> None:
        if self.live is not None:
            with contextlib.suppress(OSError, ValueError):  # the terminal may be gone
                self.live.stop()
            self.live = None
        if self.keys is not None:
            self.keys.suspend()
        if self.console is not None:
            with contextlib.suppress(OSError, ValueError):
                self.console.show_cursor(True)

    def _draw(self, snapshot: Snapshot) -> None:
        if self.live is None or self.console is None:
            return
        from headrub.display import render_frame

        width, height = self.console.size
        frame = render_frame(snapshot, self.routine, width=min(width, 100), height=height, show_keys=self.show_keys)
        self.live.draw(frame, width, height)

    def _suspend(self) -> None:
        """Ctrl-Z: pause, give the terminal back, stop; on ``fg`` take it again and go on."""
        was_paused = self.session.state == State.PAUSED
        if not was_paused:
            self._handle(self.session.pause())
        self._stop_display()
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here until SIGCONT
        signal.signal(signal.SIGTSTP, self._on_signal)
        if any(signum in EXIT_STATUS for signum in self._pending):
            return  # woken to be ended (the shell hangs up a stopped job with HUP, then CONT)
        try:
            if self.keys is not None:
                self.keys.restore_raw()
            self._start_display()
        except (OSError, termios.error):  # the terminal is gone
            self._pending.append(signal.SIGHUP)
            return
        if not was_paused:
            self._handle(self.session.resume())

    # -- signals ----------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._pending.append(signum)

    def _take_signals(self) -> list[int]:
        taken, self._pending = self._pending, []
        return taken

    def _drain_wakeups(self) -> None:
        try:
            while os.read(self._wake_read, 512):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def _install_signals(self) -> Callable[[], None]:
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self._wake_read = read_fd
        # SIGTSTP too in plain mode: a stop is a stop, and its time is not session time.
        wanted = [*EXIT_STATUS, signal.SIGWINCH, signal.SIGTSTP]
        previous: dict[int, Any] = {s: signal.signal(s, self._on_signal) for s in wanted}
        old_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)

        def restore() -> None:
            signal.set_wakeup_fd(old_wakeup)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            os.close(read_fd)
            os.close(write_fd)

        return restore
