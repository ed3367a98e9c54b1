"""Any terminal: with TERM=dumb the plain lines, and keys whenever stdin is a terminal, whatever stdout is."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")
pytestmark = [pytest.mark.pty, pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")]

ROUTINE = """\
title: Any terminal
strokes:
  - {area: temples, technique: circles, duration: 30}
  - {area: crown, technique: holding, duration: 30}
"""


def spawn(tmp_path: Path, command: str, term: str, columns: int = 80) -> tuple[object, Path]:
    routine = tmp_path / "any-terminal.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    env = {**os.environ, "TERM": term, "HEADRUB_DATA_DIR": str(tmp_path / "d"), "HEADRUB_CONFIG_DIR": str(tmp_path / "c")}
    start = f"{shlex.quote(sys.executable)} -m headrub.cli start {shlex.quote(str(routine))} --no-prompt --sound none"
    child = pexpect.spawn("/bin/sh", ["-c", command.format(start=start)], env=env, dimensions=(24, columns),
                          encoding="utf-8", timeout=20)
    return child, tmp_path / "d" / "journal.jsonl"


def press(child: Any, keys: str, *expected: str) -> None:
    """Send ``keys`` and wait for each of ``expected`` in turn."""
    child.send(keys)
    for pattern in expected:
        child.expect(pattern)


def quit_and_end(child: Any) -> str:
    """Press q, see the summary begin, and check the session ended with status 0; what came after it."""
    press(child, "q", "stopped: any-terminal")
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0
    return str(child.before)


def test_term_dumb_prints_plain_lines_and_the_keys_work(tmp_path: Path) -> None:
    """TERM=dumb on a real terminal: a plain line per stroke as it starts; n skips, q finishes; no escapes."""
    child, journal = spawn(tmp_path, "{start}", "dumb")
    child.expect("00:00  temples")
    press(child, "n", "crown")
    press(child, " ", r"paused \(space resumes\)")
    assert "\x1b[" not in quit_and_end(child)
    # n at once: the first stroke is moved past but skipped, not done (issue 14)
    text = journal.read_text(encoding="utf-8")
    assert '"strokes_done": 0' in text and '"strokes_skipped": 1' in text


def test_term_dumb_question_mark_prints_the_keys_and_stroke_times_leave_out_pauses(tmp_path: Path) -> None:
    """TERM=dumb: ? prints the keys as plain lines; a stroke's line shows session time, the pause left out."""
    child, _ = spawn(tmp_path, "{start}", "dumb")
    child.expect("00:00  temples")
    press(child, "?", "keys:", "twice quickly", "q +finish now")
    press(child, " ", r"paused \(space resumes\)")
    child.expect(pexpect.TIMEOUT, timeout=3)  # three seconds paused: none of it session time
    press(child, " ", "resumed")
    press(child, "n", r"(\d\d):(\d\d)  crown")
    assert int(child.match.group(1)) * 60 + int(child.match.group(2)) < 3
    assert "\x1b[" not in quit_and_end(child)


def test_the_summary_breaks_between_words_on_a_narrow_terminal(tmp_path: Path) -> None:
    """At 40 columns the summary after a session comes in lines that fit, broken between words, never mid-word."""
    child, _ = spawn(tmp_path, "{start} --before 6", "dumb", columns=40)
    child.expect("00:00  temples")
    press(child, "n", "crown")
    rows = ("stopped: any-terminal" + quit_and_end(child)).split("\r\n")
    summary = rows[: next(i for i, row in enumerate(rows) if "tension 6" in row) + 1]
    assert " ".join(row.strip() for row in summary) == "stopped: any-terminal, 0:00 of 1:00, 0/2 strokes, 1 skipped, tension 6 → –"
    assert len(summary) > 1 and all(len(row) <= 40 for row in summary)


def test_keys_work_with_stdout_in_a_file(tmp_path: Path) -> None:
    """stdout redirected to a file, stdin a terminal: q still finishes, and the keys do not echo."""
    out = tmp_path / "out.txt"
    child, journal = spawn(tmp_path, "{start} > " + shlex.quote(str(out)), "xterm")
    child.expect(pexpect.TIMEOUT, timeout=1.5)  # let it start
    child.send("xq")
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0
    assert "xq" not in (child.before or "")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("00:00  temples") and lines[-1].startswith("stopped: any-terminal")
    assert journal.exists()


def test_question_mark_and_b_twice_on_the_live_screen(tmp_path: Path) -> None:
    """On a real terminal: ? lists the keys; n then b twice quickly returns to the first stroke."""
    child, _ = spawn(tmp_path, "{start}", "xterm")
    child.expect("stroke 1 of 2")
    press(child, "?", "twice quickly")
    press(child, "n", "stroke 2 of 2")
    press(child, "bb", "stroke 1 of 2")
    quit_and_end(child)
