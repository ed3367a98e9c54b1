"""The session through a pipe: plain lines in real time, no ANSI, a summary, a journal entry."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROUTINE = """\
title: Pipe test
strokes:
  - {area: temples, technique: circles, pressure: light, duration: 1.5}
  - {area: base of the skull, technique: pressing, side: each, duration: 1}
"""


def test_plain_lines_when_stdout_is_a_pipe(tmp_path: Path, isolated_dirs: tuple[Path, Path]) -> None:
    """A piped session prints one contract line per stroke as it begins and a summary, with no escape codes."""
    routine = tmp_path / "pipe-test.yaml"
    routine.write_text(ROUTINE)
    done = subprocess.run(
        [sys.executable, "-m", "headrub.cli", "start", str(routine)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "00:00  temples — circles, light, 0:02",
        "00:01  base of the skull (left side) — pressing, 0:01",
        "00:02  base of the skull (right side) — pressing, 0:01",
        "done: pipe-test, 0:04 of 0:04, 2/2 strokes",
    ]
    assert not re.search(r"[\x07\x1b]", done.stdout + done.stderr)
    (line,) = (isolated_dirs[1] / "journal.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert entry["completed"] is True and entry["planned_s"] == 3.5
