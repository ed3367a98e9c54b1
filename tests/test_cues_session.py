"""A whole session followed by ear: fake speech and sound players on PATH record what they are asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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
    """Each stroke's area is spoken in order, 'right side' and 'session complete' too, one sound per event."""
    calls, _, _ = run_session(tmp_path, sleep=0)
    spoken = " | ".join(" ".join(args) for name, args in calls if name == "espeak-ng").lower()
    order = [spoken.find(word) for word in ("temples", "base of the skull", "right side", "crown", "session complete")]
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


def run_headrub(tmp_path: Path, *args: str, sleep: float = 0) -> tuple[subprocess.CompletedProcess[str], list[Any]]:
    """``headrub ARGS`` with the fake tools first on PATH; the result and the record of what they were asked."""
    record = tmp_path / "record.jsonl"
    fake_tools(tmp_path / "bin", record, sleep)
    routine = tmp_path / "ear-test.yaml"
    routine.write_text(ROUTINE)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    argv = [arg.replace("ROUTINE", str(routine)) for arg in args]
    done = subprocess.run(
        [sys.executable, "-m", "headrub.cli", *argv],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )
    time.sleep(0.3)  # let the last fake players write their line
    calls = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return done, calls


def test_sound_check_plays_each_chime_and_says_a_sentence(tmp_path: Path) -> None:
    """sound-check with paplay and espeak-ng on PATH: five chimes, one sentence at the rate asked, both named."""
    done, calls = run_headrub(tmp_path, "sound-check", "--speech-rate", "170", "--speech-voice", "en-gb")
    assert done.returncode == 0, done.stderr
    assert "player: paplay" in done.stdout and "speech: espeak-ng, 170 words a minute, en-gb" in done.stdout
    assert [Path(args[-1]).stem for name, args in calls if name == "paplay"] == ["change", "side", "warn", "end", "stop"]
    (said,) = [args for name, args in calls if name == "espeak-ng"]
    assert said[:4] == ["-s", "170", "-v", "en-gb"] and said[-1].startswith("This is headrub at 170 words a minute.")


def test_quiet_mode_and_a_lead_in_asked_for_when_piped(tmp_path: Path) -> None:
    """--quiet --lead-in 1, piped: a get-ready line and "Get ready. First: temples." come first; every stroke is
    spoken, "Right side" too, but no "Halfway." and no "Session complete."; the end chime plays; the lead-in is
    not session time."""
    done, calls = run_headrub(
        tmp_path, "start", "ROUTINE", "--voice", "--sound", "chime", "--no-prompt", "--quiet", "--lead-in", "1"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "get ready (1 s): temples — circles, light"
    said = [args[-1] for name, args in calls if name == "espeak-ng"]
    assert said[0].startswith("Get ready. First: temples.")
    spoken = " | ".join(said)
    assert "Temples" in spoken and "Right side" in spoken and "Crown" in spoken
    assert "Session complete" not in spoken and "Halfway" not in spoken
    assert [Path(args[-1]).stem for name, args in calls if name == "paplay"][-1] == "end"
    entry = json.loads((Path(os.environ["HEADRUB_DATA_DIR"]) / "journal.jsonl").read_text().splitlines()[-1])
    assert entry["active_s"] == pytest.approx(PLANNED, abs=0.3)


COMPLAINING = """#!{python}
import sys
sys.stderr.write("\\nALSA lib \\x1b]0;title\\x07pcm.c:2666: Unknown PCM default\\nerror: No such file\\n")
sys.exit({code})
"""


@pytest.mark.parametrize("code", [0, 1])
def test_sound_check_reports_what_the_engine_complained_of(tmp_path: Path, code: int) -> None:
    """An engine that writes to stderr (espeak-ng does, exiting 0, when no sound device opens): sound-check
    names the complaint's first line, and asks whether it was heard unless the engine failed outright."""
    fake_tools(tmp_path / "bin", tmp_path / "record.jsonl", 0)
    engine = tmp_path / "bin" / "espeak-ng"
    engine.write_text(COMPLAINING.format(python=sys.executable, code=code))
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [sys.executable, "-m", "headrub.cli", "sound-check"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "espeak-ng reported: ALSA lib pcm.c:2666: Unknown PCM default\n" in done.stdout  # its first line, made safe
    assert "\x1b" not in done.stdout and "error: No such file" not in done.stdout
    assert ("if you did not hear it" in done.stdout) is (code == 0)
    assert ("(the engine failed)" in done.stdout) is (code == 1)


def test_sound_check_with_a_clean_engine_reports_nothing_more(tmp_path: Path) -> None:
    """An engine that says nothing on stderr: no "reported" line."""
    done, _ = run_headrub(tmp_path, "sound-check")
    assert done.returncode == 0 and "reported" not in done.stdout and "did not hear" not in done.stdout
