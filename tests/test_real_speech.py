"""Every built-in routine's spoken lines rendered by the real espeak-ng and measured (skipped without it).

The timing tests use fake engines; this one checks the words-a-second figure against the real
thing: each stroke's line, said at the default rate, takes at most half of its stroke, and no
longer than headrub's own estimate.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from headrub import paths
from headrub.heard import step_phrase
from headrub.loader import load_file
from headrub.session import expand_steps
from headrub.spoken import DEFAULT_RATE_WPM, speech_seconds

ESPEAK = shutil.which("espeak-ng")
pytestmark = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (.ci/run installs it)")


def measured_seconds(text: str, folder: Path, number: int) -> float:
    """How long espeak-ng takes to say ``text`` at the default rate: the length of the WAV it writes."""
    out = folder / f"line-{number}.wav"
    assert ESPEAK is not None
    subprocess.run(
        [ESPEAK, "-s", str(DEFAULT_RATE_WPM), "-w", str(out), "--", text], check=True, capture_output=True, timeout=60
    )
    with wave.open(str(out), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def test_every_built_in_line_fits_its_stroke_when_really_spoken(tmp_path: Path) -> None:
    """Each step's line, rendered to WAV, lasts at most half its step and no longer than the estimate."""
    lines = []
    for path in sorted(paths.builtin_routines_dir().glob("*.yaml")):
        for step in expand_steps(load_file(path)):
            lines.append((path.stem, step.index, step.duration, step_phrase(step)))
    with ThreadPoolExecutor(max_workers=4) as pool:
        lengths = list(pool.map(lambda item: measured_seconds(item[1][3], tmp_path, item[0]), enumerate(lines)))
    too_long = [
        (name, index, round(length, 1), duration)
        for (name, index, duration, _), length in zip(lines, lengths, strict=True)
        if length > duration / 2
    ]
    assert too_long == []
    underestimated = [
        (name, index, round(length, 1), round(speech_seconds(text), 1))
        for (name, index, _, text), length in zip(lines, lengths, strict=True)
        if length > speech_seconds(text) + 0.5
    ]
    assert underestimated == []
