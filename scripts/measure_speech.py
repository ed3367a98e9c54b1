"""Measure how fast espeak-ng speaks headrub's lines: the figures behind ``headrub.spoken``.

Renders every cue of the built-in routines and every spoken step line made from them with
``espeak-ng -s RATE -w out.wav`` (timed with ``soxi -D`` when it is there, else the WAV header),
then fits seconds = a·words + b·sentence ends + c·commas by least squares and prints a, b, c,
the words a second between pauses, and the largest ratio of measured to fitted time.

Usage: python scripts/measure_speech.py [RATE]   (needs espeak-ng; RATE defaults to 150)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from headrub import paths
from headrub.heard import step_phrase
from headrub.loader import load_file
from headrub.session import expand_steps


def seconds_of(text: str, rate: int, out: Path) -> float:
    """How long espeak-ng takes to say ``text`` at ``rate`` words a minute."""
    subprocess.run(["espeak-ng", "-s", str(rate), "-w", str(out), "--", text], check=True)
    if shutil.which("soxi"):
        return float(subprocess.run(["soxi", "-D", str(out)], capture_output=True, text=True, check=True).stdout)
    with wave.open(str(out), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def solve(rows: list[list[float]], ys: list[float]) -> list[float]:
    """Least squares for three unknowns through the normal equations (Gaussian elimination)."""
    n = len(rows[0])
    a = [[sum(r[i] * r[j] for r in rows) for j in range(n)] + [sum(r[i] * y for r, y in zip(rows, ys, strict=True))]
         for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def main() -> int:
    rate = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed", file=sys.stderr)
        return 1
    texts: list[str] = []
    for path in sorted(paths.builtin_routines_dir().glob("*.yaml")):
        routine = load_file(path)
        texts += [s.cue for s in routine.strokes if s.cue]
        texts += [step_phrase(step) for step in expand_steps(routine)]
    rows, ys = [], []
    with tempfile.TemporaryDirectory() as folder:
        for text in texts:
            rows.append([float(len(text.split())), float(len(re.findall(r"[.!?](?:\s|$)", text))),
                         float(len(re.findall(r"[,;:]\s", text)))])
            ys.append(seconds_of(text, rate, Path(folder) / "line.wav"))
    word, stop, comma = solve(rows, ys)
    worst = max(y / (word * r[0] + stop * r[1] + comma * r[2]) for r, y in zip(rows, ys, strict=True))
    words = sum(r[0] for r in rows)
    print(f"rate {rate}: {len(texts)} lines, {words:.0f} words, {sum(ys):.1f} s; {words / sum(ys):.2f} words/s overall")
    print(f"fit: {word:.4f} s a word ({1 / word:.2f} words/s), {stop:.3f} s a sentence end, {comma:.3f} s a comma")
    print(f"largest measured/fitted ratio: {worst:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
