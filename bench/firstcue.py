"""Spawn → first cue: how long ``headrub start`` takes to ring the first stroke's bell or chime.

The session runs in a 100×30 pseudo-terminal that is its controlling terminal, as in a real
window. With ``--sound bell`` the cue is the first bare BEL on the terminal (a BEL ending a
title sequence is not a cue). With ``--sound chime`` the cue is the audio player starting: a
fake ``paplay`` first on ``PATH`` writes one byte to a FIFO the bench is waiting on, so the
figure includes finding the player and having the sound file ready, as a user's first chime
does. The session is killed as soon as its cue arrives.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import tempfile
import termios
import time
from pathlib import Path

from bench.templates import FAKE_PLAYER
from bench.terminal import Markers

ROWS, COLS = 30, 100


def fake_player(work: Path) -> Path:
    """A folder holding the fake ``paplay``; put it first on ``PATH``."""
    folder = work / "fake-player"
    folder.mkdir(exist_ok=True)
    player = folder / "paplay"
    player.write_text(FAKE_PLAYER)
    player.chmod(0o755)
    return folder


def _take_terminal() -> None:  # in the child, after setsid: the PTY becomes its controlling terminal
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def first_cue(argv: list[str], env: dict[str, str], cwd: Path, chime: bool = False,
              timeout: float = 30.0) -> tuple[float | None, str]:
    """Seconds from spawn to the first cue (a BEL, or with ``chime`` the fake player starting), or (None, why)."""
    fifo: Path | None = None
    env = dict(env, TERM="xterm-256color")
    if chime:  # a FIFO of its own each time: a late writer can never answer for the next run
        fifo = Path(tempfile.mkdtemp(prefix="cue-", dir=cwd)) / "fifo"
        os.mkfifo(fifo)
        env["BENCH_CUE_FIFO"] = str(fifo)
        env["PATH"] = f"{fake_player(cwd)}{os.pathsep}{env.get('PATH', '')}"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK) if fifo is not None else None
    markers = Markers()
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            cwd=cwd, start_new_session=True, preexec_fn=_take_terminal)
    os.close(slave)
    got: float | None = None
    why = ""
    try:
        deadline = began + timeout
        watched = [master] + ([reader] if reader is not None else [])
        while got is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                why = f"no cue within {timeout:.0f} s"
                break
            ready, _, _ = select.select(watched, [], [], left)
            now = time.perf_counter()
            if reader is not None and reader in ready and os.read(reader, 64):
                got = now - began
            if master in ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if not data:
                    why = f"exit before any cue: {markers.tail_text[-200:].decode('utf-8', 'replace')!r}"
                    break
                markers.feed(data, now)
                if fifo is None and markers.bells:
                    got = markers.bells[0] - began
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)
        if reader is not None and fifo is not None:
            os.close(reader)
            fifo.unlink()
            fifo.parent.rmdir()
    return got, why
