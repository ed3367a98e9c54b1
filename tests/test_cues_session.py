"""A whole session followed by ear: fake speech and sound players on PATH record what they are asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake executables are POSIX scripts")

ROUTINE = """\
title: Ear test
strokes:
  - {area: temples, technique: circles, pressure: light, duration: 1.5}
  - {area: base of the skull, technique: pressing, side: each, duration: 1}
  - {area: crown, technique: holding, duration: 1}
"""
PLANNED = 1.5 + 2 + 1

FAKE = """#!{python}
import json, sys, time
with open({record!r}, "a") as handle:
    handle.write(json.dumps([{name!r}, sys.argv[1:]]) + "\\n")
time.sleep({sleep})
"""


def fake_tools(folder: Path, record: Path, sleep: float) -> None:
    """espeak-ng and paplay that append their arguments to ``record`` and then take ``sleep`` seconds."""
    folder.mkdir()
    for name in ("espeak-ng", "paplay"):
        path = folder / name
        path.write_text(FAKE.format(python=sys.executable, record=str(record), name=name, sleep=sleep))
        path.chmod(0o755)


def run_session(tmp_path: Path, sleep: float) -> tuple[list[tuple[str, list[str]]], float, dict[str, object]]:
    """Run the ear-test routine with --voice --sound chime; the record, wall seconds and the journal entry."""
    record = tmp_path / "record.jsonl"
    fake_tools(tmp_path / "bin", record, sleep)
    routine = tmp_path / "ear-test.yaml"
    routine.write_text(ROUTINE)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "headrub.cli", "start", str(routine), "--voice", "--sound", "chime", "--no-prompt"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )
    wall = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    time.sleep(0.3)  # let the last fake players write their line
    calls = [tuple(json.loads(line)) for line in record.read_text().splitlines()]
    journal = Path(os.environ["HEADRUB_DATA_DIR"]) / "journal.jsonl"
    entry = json.loads(journal.read_text().splitlines()[-1])
    return calls, wall, entry  # type: ignore[return-value]


def test_every_stroke_is_spoken_and_every_event_sounds(tmp_path: Path) -> None:
    """Each stroke's area is spoken in order, 'switch sides' and 'session complete' too, one sound per event."""
    calls, _, _ = run_session(tmp_path, sleep=0)
    spoken = " | ".join(" ".join(args) for name, args in calls if name == "espeak-ng").lower()
    order = [spoken.find(word) for word in ("temples", "base of the skull", "switch sides", "crown", "session complete")]
    assert -1 not in order and order == sorted(order), spoken
    sounds = [Path(args[-1]).stem for name, args in calls if name == "paplay"]
    assert sounds == ["change", "change", "side", "change", "end"]


def test_a_slow_speech_engine_never_delays_the_timer(tmp_path: Path) -> None:
    """With players that take 5 s each, the session still ends on plan (it would take 25 s if it waited)."""
    calls, wall, entry = run_session(tmp_path, sleep=5)
    assert entry["completed"] is True
    assert entry["active_s"] == pytest.approx(PLANNED, abs=0.3)
    # Waiting on each player would take at least 5 s a call; the bound is that, not a guess at
    # how fast a shared machine starts Python (a fixed margin failed under load).
    assert wall < 5 * len(calls)
    assert any(name == "espeak-ng" for name, _ in calls)
