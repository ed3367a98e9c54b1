"""The real program in a pseudo-terminal: the screen, the keys, every way of ending.

Each test starts ``headrub start`` on a short routine under a tiny job-control
shell (tests/pty_shell.py), reads the screen through pyte, presses keys or
sends signals, and then checks the exit status, the journal line and that the
terminal's settings afterwards equal those before.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

pytestmark = [pytest.mark.pty, pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")]

SHELL = Path(__file__).with_name("pty_shell.py")
ROUTINE = """\
title: PTY test routine
cautions: [Be gentle.]
strokes:
  - {area: temples, technique: circles, pressure: light, duration: 3, tempo: 60, cue: Small circles.}
  - {area: base of the skull, technique: pressing, side: each, duration: 2}
  - {area: whole head, technique: breathing, duration: 3, breath: 1-1}
"""
PLANNED = 3 + 2 * 2 + 3

# Raise inside the draw loop on the third frame, then run headrub as usual.
FAULTY = """\
import headrub.display as display
real, count = display.render_frame, [0]
def broken(*args, **kwargs):
    count[0] += 1
    if count[0] == 3:
        raise RuntimeError("injected fault")
    return real(*args, **kwargs)
display.render_frame = broken
from headrub.cli import run
run()
"""


@dataclass
class Run:
    """A headrub process on a pseudo-terminal and the screen it has drawn."""

    child: Any
    screen: Any
    stream: Any
    result: Path
    data: Path
    raw: bytearray

    def pump(self, seconds: float = 0.05) -> None:
        """Read whatever the program has drawn, for up to ``seconds``."""
        end = time.monotonic() + seconds
        while True:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=max(0.0, end - time.monotonic()))
            except (pexpect.TIMEOUT, pexpect.EOF):
                return
            self.raw.extend(chunk)
            self.stream.feed(chunk)
            if time.monotonic() >= end:
                return

    def text(self) -> str:
        """The screen as text."""
        return "\n".join(self.screen.display)

    def wait_for(self, *needles: str, timeout: float = 15.0) -> str:
        """Read until every one of ``needles`` is on screen; the screen text.

        A frame can reach the terminal in more than one read, so a test that looks at several
        parts of it waits for all of them, not for the first to appear.
        """
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.05)
            if all(needle in self.text() for needle in needles):
                return self.text()
        raise AssertionError(f"{needles!r} never all appeared; the screen:\n{self.text()}")

    def finish(self, timeout: float = 20.0) -> dict[str, Any]:
        """Wait for the shell to end; its report."""
        end = time.monotonic() + timeout
        while self.child.isalive() and time.monotonic() < end:
            self.pump(0.1)
        self.pump(0.1)
        assert self.result.exists(), f"no result; the screen:\n{self.text()}"
        report: dict[str, Any] = json.loads(self.result.read_text())
        return report

    def headrub_pid(self) -> int:
        """The pid of the headrub process (not the shell's)."""
        pid_file = Path(str(self.result) + ".pid")
        end = time.monotonic() + 5
        while not pid_file.exists() and time.monotonic() < end:
            time.sleep(0.02)
        return int(pid_file.read_text())

    def journal(self) -> list[dict[str, Any]]:
        """The journal's entries."""
        path = self.data / "journal.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def start(tmp_path: Path, isolated_dirs: tuple[Path, Path]) -> Iterator[Callable[..., Run]]:
    """Start headrub under the job-control shell on an 80×24 pseudo-terminal."""
    routine = tmp_path / "pty-test.yaml"
    routine.write_text(ROUTINE)
    runs: list[Run] = []

    def launch(*args: str, faulty: bool = False, continue_after: float = 0.5) -> Run:
        config, data = isolated_dirs
        result = tmp_path / f"result-{len(runs)}.json"
        program = ["-c", FAULTY] if faulty else ["-m", "headrub.cli"]
        env = {**os.environ, "HEADRUB_CONFIG_DIR": str(config), "HEADRUB_DATA_DIR": str(data), "TERM": "xterm-256color"}
        env.pop("NO_COLOR", None)
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        child = pexpect.spawn(
            sys.executable,
            [str(SHELL), str(result), str(continue_after), sys.executable, *program, "start", str(routine),
             *([] if "--lead-in" in args else ["--lead-in", "0"]), *args],  # no get-ready unless a test asks
            env=env, dimensions=(24, 80), timeout=20,
        )
        screen = pyte.Screen(80, 24)
        run = Run(child, screen, pyte.ByteStream(screen), result, data, bytearray())
        runs.append(run)
        return run

    yield launch
    for run in runs:
        if run.child.isalive():
            run.child.terminate(force=True)


def test_keys_pause_skip_back_and_quit(start: Callable[..., Run]) -> None:
    """Space pauses and resumes, n skips, b restarts, q ends with 0; the journal has the partial entry."""
    run = start("--yes", "--no-prompt")
    run.wait_for("TEMPLES", "stroke 1 of 3", "Small circles.", "q finish")  # the whole first frame
    run.child.send(" ")
    run.wait_for("PAUSED", timeout=5)
    run.child.send(" ")
    run.child.send("n")
    run.wait_for("BASE OF THE SKULL (LEFT SIDE)", timeout=5)
    run.child.send("b")
    run.wait_for("0:00 / 0:02", timeout=5)
    run.child.send("q")
    report = run.finish()
    assert report["code"] == 0
    assert report["same_termios"]
    (entry,) = run.journal()
    assert entry["completed"] is False
    # The first stroke was skipped at once: moved past, but not done.
    assert (entry["strokes_done"], entry["strokes_skipped"], entry["strokes_total"]) == (0, 1, 3)
    assert entry["source"] == "timer" and entry["routine"] == "pty-test"
    assert cursor_shown(run)


def test_runs_to_the_end_on_time(start: Callable[..., Run]) -> None:
    """A session left alone finishes, exits 0 and journals a completed entry of the planned length."""
    run = start("--yes", "--no-prompt", "--before", "6", "--after", "2", "--note", "fine")
    run.wait_for("TEMPLES")
    report = run.finish(timeout=30)
    assert report["code"] == 0 and report["same_termios"]
    (entry,) = run.journal()
    assert entry["completed"] is True
    assert (entry["strokes_done"], entry["strokes_skipped"]) == (3, 0)
    assert entry["planned_s"] == PLANNED
    assert entry["active_s"] == pytest.approx(PLANNED, abs=0.3)
    assert (entry["tension_before"], entry["tension_after"], entry["note"]) == (6, 2, "fine")


def test_the_lead_in_shows_the_first_stroke_and_n_ends_it(start: Callable[..., Run]) -> None:
    """--lead-in shows "Get ready" with the first stroke; n starts the session, whose time excludes the lead-in."""
    run = start("--yes", "--no-prompt", "--lead-in", "30")
    run.wait_for("Get ready", "TEMPLES", "Small circles.", "n start now")  # the whole get-ready screen
    run.child.send("n")
    run.wait_for("stroke 1 of 3", timeout=5)
    report = run.finish(timeout=30)
    assert report["code"] == 0
    (entry,) = run.journal()
    assert entry["completed"] is True
    assert entry["active_s"] == pytest.approx(PLANNED, abs=0.3)


def test_q_in_the_lead_in_says_nothing_was_started(start: Callable[..., Run]) -> None:
    """q during the get-ready ends with 0, writes no entry, and says so rather than returning silently."""
    run = start("--yes", "--before", "4", "--lead-in", "30")
    run.wait_for("Get ready")
    run.child.send("q")
    report = run.finish()
    assert report["code"] == 0 and report["same_termios"]
    assert run.journal() == []
    assert b"nothing was written to the journal" in bytes(run.raw)  # after the screen is left: raw output


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGQUIT, 131)],
)
def test_signals_journal_the_partial_session(start: Callable[..., Run], signum: int, code: int) -> None:
    """SIGINT, SIGTERM, SIGHUP and Ctrl-\\ end with 130, 143, 129 and 131 after journalling; the terminal is restored."""
    run = start("--yes", "--no-prompt")
    run.wait_for("TEMPLES")
    if signum == signal.SIGINT:
        run.child.sendintr()  # Ctrl-C typed on the terminal
    elif signum == signal.SIGQUIT:
        run.child.send("\x1c")  # Ctrl-\\ typed on the terminal
    else:
        os.kill(run.headrub_pid(), signum)
    report = run.finish()
    assert report["code"] == code
    assert report["same_termios"]
    assert cursor_shown(run)
    (entry,) = run.journal()
    assert entry["completed"] is False


def test_ctrl_z_time_is_not_session_time(start: Callable[..., Run]) -> None:
    """After Ctrl-Z and fg the session goes on, and the time it was stopped is not counted."""
    run = start("--yes", "--no-prompt", continue_after=2.0)
    run.wait_for("TEMPLES")
    run.child.send("\x1a")  # Ctrl-Z
    time.sleep(0.3)
    run.wait_for("TEMPLES", timeout=10)
    report = run.finish(timeout=30)
    assert report["stops"] == 1
    assert report["code"] == 0 and report["same_termios"]
    (entry,) = run.journal()
    assert entry["completed"] is True
    assert entry["active_s"] == pytest.approx(PLANNED, abs=0.3)
    wall = _seconds_between(entry["started_at"], entry["ended_at"])
    assert wall >= PLANNED + 1.5  # the stop lasted two seconds of wall time


def test_fault_in_the_draw_loop_restores_the_terminal(start: Callable[..., Run]) -> None:
    """An exception raised while drawing ends with 1, a one-line message, a sane terminal and a journal entry."""
    run = start("--yes", "--no-prompt", faulty=True)
    report = run.finish()
    assert report["code"] == 1
    assert report["same_termios"]
    assert b"Traceback" not in run.raw
    assert b"injected fault" in run.raw
    assert cursor_shown(run)
    (entry,) = run.journal()
    assert entry["completed"] is False


def test_questions_before_and_after(start: Callable[..., Run]) -> None:
    """Cautions are confirmed, tension is asked before and after (re-asked when out of range), and a note."""
    run = start()
    run.child.expect("Go ahead")
    run.child.send("y\r")
    run.child.expect("Tension before")
    run.child.send("7\r")
    run.wait_for("TEMPLES")
    run.child.send("q")
    run.child.expect("Tension after")
    run.child.send("11\r")
    run.child.expect("whole number")
    run.child.send("3\r")
    run.child.expect("A note")
    run.child.send("better, thanks\r")
    report = run.finish()
    assert report["code"] == 0 and report["same_termios"]
    (entry,) = run.journal()
    assert (entry["tension_before"], entry["tension_after"], entry["note"]) == (7, 3, "better, thanks")


def test_quiet_mode_asks_nothing_after_and_writes_the_entry_at_once(start: Callable[..., Run]) -> None:
    """--quiet: tension is asked before, never after; the session ends by itself and the entry is written."""
    run = start("--yes", "--quiet")
    run.child.expect("Tension before")
    run.child.send("5\r")
    run.wait_for("TEMPLES")
    run.child.send("q")
    report = run.finish()
    assert report["code"] == 0 and report["same_termios"]
    assert b"A note" not in run.raw and b"Tension after" not in run.raw  # raw holds what came after the first question
    (entry,) = run.journal()
    assert (entry["tension_before"], entry["tension_after"], entry["note"]) == (5, None, None)


def test_declining_the_cautions_starts_nothing(start: Callable[..., Run]) -> None:
    """Answering no at the cautions exits 0 without a session or an entry."""
    run = start()
    run.child.expect("Go ahead")
    run.child.send("n\r")
    report = run.finish()
    assert report["code"] == 0
    assert run.journal() == []


def cursor_shown(run: Run) -> bool:
    """The program's last word on the cursor was to show it."""
    return run.raw.rfind(b"\x1b[?25h") > run.raw.rfind(b"\x1b[?25l")


def _seconds_between(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def test_resizing_down_to_40_columns(start: Callable[..., Run]) -> None:
    """Shrinking the terminal to 40 columns mid-session redraws within the width, without a traceback."""
    run = start("--yes", "--no-prompt")
    run.wait_for("TEMPLES")
    run.child.setwinsize(24, 40)
    run.screen.resize(24, 40)
    run.screen.reset()
    run.wait_for("TEMPLES", timeout=5)
    assert all(len(line.rstrip()) <= 40 for line in run.screen.display)
    run.child.setwinsize(30, 100)
    run.screen.resize(30, 100)
    run.wait_for("TEMPLES", timeout=5)
    run.child.send("q")
    report = run.finish()
    assert report["code"] == 0 and report["same_termios"]
    assert b"Traceback" not in run.raw


def test_sigterm_at_the_after_question_still_journals(start: Callable[..., Run]) -> None:
    """SIGTERM while 'Tension after' waits after the session: the entry is written, then exit 143."""
    run = start("--yes", "--before", "4")
    run.wait_for("TEMPLES")
    run.child.send("q")
    run.child.expect("Tension after")
    os.kill(run.headrub_pid(), signal.SIGTERM)
    report = run.finish()
    assert report["code"] == 143 and report["same_termios"]
    (entry,) = run.journal()
    assert entry["tension_before"] == 4 and entry["tension_after"] is None


def test_closing_the_terminal_still_journals(start: Callable[..., Run]) -> None:
    """The terminal window closed mid-session (the PTY hung up): the partial session is journalled."""
    run = start("--yes", "--no-prompt")
    run.wait_for("TEMPLES")
    run.child.close(force=True)
    end = time.monotonic() + 10
    while not run.journal() and time.monotonic() < end:
        time.sleep(0.05)
    (entry,) = run.journal()
    assert entry["completed"] is False
