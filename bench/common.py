"""What every family of figures shares: the table, running a child and timing it, the environment."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RUN_PY = REPO / "bench" / "run.py"  # helper processes run this again, with --lane or --make-journal
SECTIONS = ("startup", "journal", "live")
MIB = 1024 * 1024

# Targets (issues 6 and 16): ratios to a baseline measured in the same run, or absolute bounds.
STARTUP_MAX_RATIO = 1.00  # list, show, journal --week against hello-world Typer (issue 16)
FIRST_CUE_MAX_RATIO = 1.00  # spawn → first bell or chime against hello-world Typer's whole run
WEEK_ADD_MAX_RATIO = 1.10
STATS_ALL_MAX_RATIO = 3.0
PEAK_MEMORY_MAX_MIB = 60.0
LIVE_CPU_PULSE_MAX_RATIO = 1.00  # CPU a minute of counting, with the pulse, against countdown-cli's
LIVE_CPU_PLAIN_MAX_RATIO = 0.50  # the same without the pulse
LIVE_BYTES_MAX_RATIO = 1.00  # bytes a second to the terminal, against countdown-cli's
LIVE_MEMORY_MAX_RATIO = 1.00  # peak memory of a live session, against termdown's
END_ERROR_MAX_S = 0.020
KEY_LATENCY_MAX_S = 0.050

# ---------------------------------------------------------------------------------------------
# small helpers


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def fmt_s(seconds: float | None) -> str:
    """A duration with a sensible unit."""
    if seconds is None:
        return "—"
    if abs(seconds) < 1.0:
        return f"{seconds * 1000:.1f} ms" if abs(seconds) < 0.1 else f"{seconds * 1000:.0f} ms"
    return f"{seconds:.3f} s" if abs(seconds) < 10 else f"{seconds:.2f} s"


def fmt_signed_ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:+.1f} ms"


def fmt_ratio(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}×"


@dataclass
class Row:
    """One line of the table."""

    section: str
    name: str
    measured: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def cells(self) -> list[str]:
        met = "—" if self.met is None else ("yes" if self.met else "NO")
        return [self.name, self.measured, self.baseline or "—", fmt_ratio(self.ratio), self.target or "—", met]


def print_table(rows: list[Row], file: Any = sys.stdout) -> None:
    header = ["name", "measured", "baseline", "ratio", "target", "met?"]
    table = [header] + [row.cells() for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    sep = "  "
    print(sep.join(h.ljust(w) for h, w in zip(header, widths, strict=True)), file=file)
    print(sep.join("-" * w for w in widths), file=file)
    section = None
    for row in rows:
        if section is not None and row.section != section:
            print(file=file)
        section = row.section
        print(sep.join(c.ljust(w) for c, w in zip(row.cells(), widths, strict=True)).rstrip(), file=file)
    notes = [(row.name, row.note) for row in rows if row.note]
    if notes:
        print(file=file)
        for name, note in notes:
            print(f"* {name}: {note}", file=file)


def markdown_table(rows: list[Row]) -> str:
    header = ["name", "measured", "baseline", "ratio", "target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        cells = [c.replace("|", "\\|") for c in row.cells()]
        if row.met is False:
            cells[-1] = "**NO**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass
class Run:
    """One finished child process run with its output on a pipe."""

    wall: float
    cpu: float
    maxrss_kib: int
    status: int
    stdout: bytes
    stderr: bytes

    def problem(self) -> str | None:
        if self.status == 0:
            return None
        first = (self.stderr.decode("utf-8", "replace").strip().splitlines() or ["(no message)"])[-1]
        return f"exit {self.status}: {first[:120]}"


def run_piped(argv: list[str], env: dict[str, str], cwd: Path, *, keep: bool = True) -> Run:
    """Run ``argv`` with stdout on a pipe; wall time and the child's own rusage (``os.wait4``).

    Without ``keep`` the output is read and dropped as it comes (``stdout`` is empty): output
    too big to hold would raise this script's peak, and with it every child's ``ru_maxrss``.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                env=env, cwd=cwd)
        assert proc.stdout is not None
        out = proc.stdout.read() if keep else b""
        while not keep and proc.stdout.read(1 << 20):
            pass
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.stdout.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        err_text = err.read()
    return Run(wall, usage.ru_utime + usage.ru_stime, rss_kib(usage.ru_maxrss), proc.returncode, out, err_text)


def rss_kib(maxrss: int) -> int:
    """``ru_maxrss`` in KiB: Linux reports KiB, macOS bytes."""
    return maxrss // 1024 if sys.platform == "darwin" else maxrss


def memory_floor_mib() -> float:
    """This process's peak RSS: the lowest ru_maxrss a child can report.

    Linux keeps the larger of the child's own peak and the peak of the address space it was
    forked (or vfork-ed) from across ``exec``, so a child's ru_maxrss is never below the
    parent's high-water mark. This script keeps itself small (journals are made in helper
    processes) so the floor stays far below the 60 MiB target.
    """
    import resource

    return rss_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def headrub_argv() -> list[str]:
    """``headrub`` run by this interpreter: its console script, else the entry point via ``-c``."""
    script = Path(sys.executable).parent / "headrub"
    if script.is_file():
        return [sys.executable, str(script)]
    found = shutil.which("headrub")
    if found and Path(found).read_bytes()[:2] == b"#!":
        return [sys.executable, found]
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'headrub'; from headrub.cli import run; run()"]


def base_env(work: Path) -> dict[str, str]:
    """The parent's environment with headrub's folders in ``work`` and nothing from the user's setup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADRUB_")}  # and HEADRUB_BENCH_REEXEC
    # PYTHONDONTWRITEBYTECODE would make an editable install compile every module on every run,
    # which no installed copy does (pip writes the .pyc files); the first warm-up run writes them.
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    env["HEADRUB_CONFIG_DIR"] = str(work / "config")
    env["HEADRUB_DATA_DIR"] = str(work / "data")
    env["HEADRUB_CACHE_DIR"] = str(work / "cache")  # the sounds are made in the warm-up, as on a first run
    (work / "config").mkdir(parents=True, exist_ok=True)
    (work / "data").mkdir(parents=True, exist_ok=True)
    return env


def with_dirs(env: dict[str, str], data: Path, config: Path | None = None) -> dict[str, str]:
    out = dict(env)
    out["HEADRUB_DATA_DIR"] = str(data)
    out["HEADRUB_CACHE_DIR"] = str(data / "cache")  # inside: a "cold" run removes it with the rest
    if config is not None:
        out["HEADRUB_CONFIG_DIR"] = str(config)
    return out


def paired_ratio(subject: list[float], baseline: list[float]) -> float | None:
    """The median of per-round ratios: rounds ran back to back, so they share the machine's load."""
    pairs = [s / b for s, b in zip(subject, baseline, strict=False) if b > 0]
    return statistics.median(pairs) if pairs else None


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
    }
    if hasattr(os, "sched_getaffinity"):
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        info["versions"] = {name: version(name) for name in ("headrub", "typer", "rich", "pyyaml", "platformdirs")}
    except Exception:  # the metadata is a nicety
        pass
    try:
        import yaml

        info["yaml_c_loader"] = hasattr(yaml, "CSafeLoader")
    except ImportError:
        pass
    return info


# ---------------------------------------------------------------------------------------------
# 1. start-up

