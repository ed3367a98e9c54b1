"""Programs in pseudo-terminals: markers, the reaper, the jobs and the lanes they run in."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import RUN_PY, rss_kib
from bench.templates import PULSE_TITLE


class Markers:
    """Timestamps of what a terminal program signals: bare BELs (not OSC terminators), OSC titles,
    entering and leaving the alternate screen, and a given text's first appearance."""

    def __init__(self, watch: bytes | None = None) -> None:
        self.state = 0  # 0 text, 1 after ESC, 2 inside OSC, 3 inside OSC after ESC
        self.bells: list[float] = []
        self.osc: list[float] = []
        self.enter: float | None = None
        self.leave: float | None = None
        self.watch = watch
        self.seen: float | None = None
        self.tail = b""
        self.tail_text = b""  # the last few KiB, to say why a run failed
        self.bytes = 0
        self.homes = 0  # cursor-home sequences: one per full-screen frame (Rich Live's screen mode)

    def feed(self, data: bytes, t: float) -> None:
        self.bytes += len(data)
        self.homes += data.count(b"\x1b[H")
        window = self.tail + data
        if self.enter is None and b"\x1b[?1049h" in window:
            self.enter = t
        if b"\x1b[?1049l" in window:
            self.leave = t
        if self.watch is not None and self.seen is None and self.watch in window:
            self.seen = t
        self.tail = window[-16:]
        self.tail_text = (self.tail_text + data)[-4096:]
        if self.state == 0 and b"\x1b" not in data:
            if b"\x07" in data:
                self.bells.append(t)
            return
        state = self.state
        for byte in data:
            if state == 0:
                if byte == 0x07:
                    self.bells.append(t)
                elif byte == 0x1B:
                    state = 1
            elif state == 1:
                if byte == 0x5D:  # ESC ] starts an OSC string
                    state = 2
                    self.osc.append(t)
                else:
                    state = 0 if byte != 0x1B else 1
            elif state == 2:
                if byte == 0x07:
                    state = 0
                elif byte == 0x1B:
                    state = 3
            else:  # ESC inside OSC: ESC \ ends it
                state = 0 if byte == 0x5C else 2
        self.state = state


def last_words(raw: bytes) -> str:
    """The last non-empty line of terminal output, escape sequences removed."""
    text = re.sub(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]", "", raw.decode("utf-8", "replace"))
    lines = [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]
    return lines[-1][:160] if lines else "(no output)"


def _proc_cpu(pid: int) -> float | None:
    """The process's CPU seconds so far, from /proc (Linux), or None.

    From each thread's ``schedstat`` (nanoseconds on a CPU) where the kernel has it: the clock
    ticks of ``stat`` are 10 ms, too coarse for a program that uses a few per second.
    """
    try:
        total = 0
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
        if total:
            return total / 1e9
    except (OSError, IndexError, ValueError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


REAPER = """\
import json, os, sys
out = sys.argv[1]
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
with open(out + ".pid", "w") as handle:
    handle.write(str(pid))
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as handle:
    json.dump({"status": os.waitstatus_to_exitcode(status), "user_s": usage.ru_utime,
               "sys_s": usage.ru_stime, "maxrss": usage.ru_maxrss}, handle)
os._exit(0)
"""


class Pty:
    """A child in an 80×24 pseudo-terminal (pexpect), reaped with ``os.wait4`` for its rusage."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, watch: bytes | None = None,
                 dims: tuple[int, int] = (24, 80)) -> None:
        import warnings

        import pexpect

        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        self.pexpect = pexpect
        self.markers = Markers(watch)
        # pexpect reaps a child when it sees EOF, taking its rusage with it; so the child runs
        # under a small reaper that writes its pid and then its rusage to files we read.
        handle, name = tempfile.mkstemp(prefix="headrub-bench-ru-", suffix=".json")
        os.close(handle)
        self.ru_file = Path(name)
        self.t0 = time.monotonic()
        self.child = pexpect.spawn(
            sys.executable, ["-c", REAPER, str(self.ru_file), *argv], env=env, cwd=cwd, dimensions=dims
        )
        self.eof: float | None = None
        self.cpu_at_start: float | None = None
        self._pid: int | None = None

    @property
    def pid(self) -> int:
        """The measured program's pid (not the reaper's); the reaper's until the program has started."""
        if self._pid is None:
            try:
                self._pid = int(Path(str(self.ru_file) + ".pid").read_text())
            except (OSError, ValueError):
                return int(self.child.pid)
        return self._pid

    def read(self, timeout: float) -> tuple[float, bytes] | None:
        """The next chunk and when it arrived, None on timeout; sets ``eof`` at the end."""
        if self.eof is not None:
            return None
        try:
            data = self.child.read_nonblocking(65536, timeout=max(0.0, timeout))
        except self.pexpect.TIMEOUT:
            return None
        except self.pexpect.EOF:
            self.eof = time.monotonic()
            return None
        t = time.monotonic()
        self.markers.feed(data, t)
        return t, data

    def send(self, data: bytes) -> float:
        t = time.monotonic()
        os.write(self.child.child_fd, data)
        return t

    def drain(self, limit: float) -> None:
        end = time.monotonic() + limit
        while self.eof is None and time.monotonic() < end:
            self.read(end - time.monotonic())

    def reap(self) -> dict[str, Any]:
        if self.eof is None:
            self.child.kill(9)
            self.drain(5)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.child.pid, 0)  # pexpect may have reaped the reaper already
        t_exit = time.monotonic()
        self.child.ptyproc.terminated = True  # reaped here, so pexpect must not wait for it again
        self.child.ptyproc.delayafterclose = 0
        with contextlib.suppress(Exception):
            self.child.close()
        usage = json.loads(self.ru_file.read_text())
        for leftover in (self.ru_file, Path(str(self.ru_file) + ".pid")):
            leftover.unlink(missing_ok=True)
        return {"status": usage["status"], "cpu_s": usage["user_s"] + usage["sys_s"],
                "user_s": usage["user_s"], "sys_s": usage["sys_s"], "maxrss_mib": rss_kib(usage["maxrss"]) / 1024,
                "wall_s": t_exit - self.t0}


def job_session(spec: dict[str, Any]) -> dict[str, Any]:
    """Run a session or countdown to its end; CPU, markers and end-time errors."""
    pty = Pty(spec["argv"], spec["env"], spec["cwd"], spec.get("watch", "").encode() or None,
              tuple(spec.get("dims", (24, 80))))
    planned = float(spec["planned_s"])
    # "bell" (headrub: the first stroke's bell), "osc" (termdown: its first title), "none" (countdown-cli)
    start_kind = spec["start"]
    deadline = time.monotonic() + planned + 60
    bells_seen = 0
    cpu_at_last_bell = None
    # A window of steady counting, in seconds from the spawn: CPU and bytes read at both ends.
    marks = [pty.t0 + t for t in spec.get("window", [])]
    window: list[tuple[float, float | None, int]] = []  # (when, cpu so far, bytes so far)
    while pty.eof is None and time.monotonic() < deadline:
        wake = marks[len(window)] if len(window) < len(marks) else deadline
        pty.read(min(deadline, wake) - time.monotonic())
        if len(window) < len(marks) and time.monotonic() >= marks[len(window)]:
            window.append((time.monotonic(), _proc_cpu(pty.pid), pty.markers.bytes))
        if pty.cpu_at_start is None and start_kind != "none" and (
            pty.markers.bells if start_kind == "bell" else pty.markers.osc
        ):
            pty.cpu_at_start = _proc_cpu(pty.pid)
        if len(pty.markers.bells) > bells_seen:  # the last one is the end: CPU up to there, without the exit
            bells_seen = len(pty.markers.bells)
            cpu_at_last_bell = _proc_cpu(pty.pid)
    out = pty.reap()
    out["cpu_at_end_s"] = cpu_at_last_bell
    if len(window) == 2 and window[0][1] is not None and window[1][1] is not None:
        (t1, c1, b1), (t2, c2, b2) = window
        out["window"] = {"seconds": t2 - t1, "cpu_s": c2 - c1, "bytes": b2 - b1}
    if out["status"] != 0:
        out["problem"] = f"exit {out['status']}: {last_words(pty.markers.tail_text)}"
    m = pty.markers
    starts = m.bells if start_kind == "bell" else m.osc if start_kind == "osc" else []
    out["bells"] = len(m.bells)
    out["bytes"] = m.bytes
    out["frames"] = m.homes
    out["cpu_at_start_s"] = pty.cpu_at_start
    if starts and m.bells:
        out["observed_s"] = m.bells[-1] - starts[0]
        out["end_error_observed_s"] = out["observed_s"] - planned
        out["spawn_to_start_s"] = starts[0] - pty.t0
        if pty.eof is not None:
            out["end_to_exit_s"] = pty.eof - m.bells[-1]
    if m.enter is not None and m.leave is not None:
        out["screen_s"] = m.leave - m.enter
    out["process_over_planned_s"] = out["wall_s"] - planned
    if pty.cpu_at_start is not None:
        out["session_cpu_s"] = out["cpu_s"] - pty.cpu_at_start
    journal = spec.get("journal")
    if journal:
        try:
            line = Path(journal).read_text(encoding="utf-8").strip().splitlines()[-1]
            entry = json.loads(line)
            started = dt.datetime.fromisoformat(entry["started_at"])
            ended = dt.datetime.fromisoformat(entry["ended_at"])
            out["journal_entry"] = entry
            out["end_error_journal_s"] = (ended - started).total_seconds() - float(entry["planned_s"])
            out["active_minus_planned_s"] = float(entry["active_s"]) - float(entry["planned_s"])
        except (OSError, IndexError, KeyError, TypeError, ValueError) as err:
            out["journal_problem"] = f"{type(err).__name__}: {err}"
    return out


def job_keys(spec: dict[str, Any]) -> dict[str, Any]:
    """Press space (pause) and space again (resume) several times; time to the frame that shows it."""
    import pyte

    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    pty = Pty(spec["argv"], spec["env"], spec["cwd"])
    rng = random.Random(5)

    def showing(text: str) -> bool:
        return any(text in line for line in screen.display)

    def pump(until: Any, limit: float) -> float | None:
        """Read and draw until ``until()`` holds; the arrival time of the chunk that made it so."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            got = pty.read(end - time.monotonic())
            if pty.eof is not None:
                return None
            if got is None:
                continue
            stream.feed(got[1])
            if until is not None and until():
                return got[0]
        return None

    out: dict[str, Any] = {"pause_s": [], "resume_s": [], "missed": 0}
    if pump(lambda: showing(PULSE_TITLE), 15) is None:
        out.update(pty.reap())
        out["problem"] = f"the session screen never appeared (exit {out['status']}: {last_words(pty.markers.tail_text)})"
        return out
    pump(None, 0.6)
    for _ in range(spec["samples"]):
        pump(None, rng.uniform(0.15, 0.45))  # spread the presses over the frame clock
        if showing("PAUSED"):
            out["problem"] = "PAUSED on screen before the key was pressed"
            break
        t = pty.send(b" ")
        seen = pump(lambda: showing("PAUSED"), 2.0)
        if seen is None:
            out["missed"] += 1
            break
        out["pause_s"].append(seen - t)
        pump(None, rng.uniform(0.15, 0.35))
        t = pty.send(b" ")
        seen = pump(lambda: not showing("PAUSED"), 2.0)
        if seen is None:
            out["missed"] += 1
            break
        out["resume_s"].append(seen - t)
    t = pty.send(b"q")
    pump(None, 5)
    if pty.markers.leave is not None:
        out["quit_to_screen_restored_s"] = pty.markers.leave - t
    out.update(pty.reap())
    if out["status"] != 0 and "problem" not in out:
        out["problem"] = f"exit {out['status']}: {last_words(pty.markers.tail_text)}"
    return out


JOBS = {"session": job_session, "keys": job_keys}


def lane_main(spec_file: str) -> int:
    """Helper process: run the job specs in ``spec_file`` one after another, print their results as JSON."""
    specs = json.loads(Path(spec_file).read_text())
    results = []
    for spec in specs:
        try:
            results.append(JOBS[spec["kind"]](spec))
        except Exception as err:  # report, do not lose the other jobs
            results.append({"problem": f"{type(err).__name__}: {err}"})
    json.dump(results, sys.stdout)
    return 0


def run_lanes(lanes: list[list[dict[str, Any]]], timeout: float) -> list[list[dict[str, Any]]]:
    """Each lane in its own helper process, all at once; jobs within a lane one after another."""
    procs = []
    for i, lane in enumerate(lanes):
        spec_file = Path(lane[0]["cwd"]) / f"lane-{i}.json"
        spec_file.write_text(json.dumps(lane))
        if i:
            time.sleep(0.5)  # stagger the starts: four interpreters starting at once would crowd two cores
        proc = subprocess.Popen([sys.executable, str(RUN_PY), "--lane", str(spec_file)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
    out = []
    for proc, lane in zip(procs, lanes, strict=True):
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
            out.append(json.loads(stdout))
        except (subprocess.TimeoutExpired, ValueError) as err:
            proc.kill()
            stdout, stderr = proc.communicate()
            out.append([{"problem": f"lane failed: {type(err).__name__}; {stderr.strip()[-300:]}"}] * len(lane))
    return out

