#!/usr/bin/env python3
"""headrub's benchmark suite (issue 6): measure, against baselines taken in the same run, print a table.

    python bench/run.py [--quick] [--verbose] [--out bench/results.json] [--only SECTION,...]

Sections (all by default):

  startup   median wall time of ``headrub --version``, ``list``, ``show scalp-sleep`` (stdout to a
            pipe) against a one-command hello-world Typer app run by the same interpreter
  journal   ``journal --week``, ``stats --days 7``, ``stats``, ``journal add`` over synthetic journals
            of 0, 10,000 and 100,000 entries; wall time against the empty journal and peak memory
  live      in pseudo-terminals (80×24): CPU of a 60 s session with the pulse on, end-time accuracy
            of short and long sessions (journal and observed), key-press latency to the next frame,
            and termdown's start-up, CPU and end accuracy for a 60 s countdown side by side

Everything runs with ``$HEADRUB_DATA_DIR``, ``$HEADRUB_CONFIG_DIR`` and ``$HEADRUB_CACHE_DIR`` in a temporary folder.
Only the standard library plus pexpect and pyte (the test extras) are used. termdown is taken
from ``--termdown PATH``, from PATH, or installed once into a cached venv in the temp folder;
if that fails the table says so. The numbers are targets for the code, not test assertions:
the exit status is 0 whether or not a target is met (2 for a usage error).

How each number is measured is written down in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("startup", "journal", "live")
MIB = 1024 * 1024

# Targets (issue 6).
STARTUP_MAX_RATIO = 1.15
WEEK_ADD_MAX_RATIO = 1.10
STATS_ALL_MAX_RATIO = 3.0
PEAK_MEMORY_MAX_MIB = 60.0
SESSION_CPU_MAX_S = 0.5
END_ERROR_MAX_S = 0.020
KEY_LATENCY_MAX_S = 0.050

HELLO_TYPER = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
'''

PULSE_ROUTINE = """\
title: Bench pulse
summary: One stroke with a tempo, so the pulse is drawn all the way through.
strokes:
  - area: crown
    technique: circles
    pressure: light
    duration: {seconds}s
    tempo: 60
    side: both
    cue: Slow circles with the finger pads, one a second.
"""
PULSE_TITLE = "Bench pulse"


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


def run_piped(argv: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run ``argv`` with stdout on a pipe; wall time and the child's own rusage (``os.wait4``)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                env=env, cwd=cwd)
        assert proc.stdout is not None
        out = proc.stdout.read()
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
    env["HEADRUB_CACHE_DIR"] = str(work / "cache")
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


def bench_startup(work: Path, env: dict[str, str], rounds: int, termdown: Termdown, results: dict[str, Any],
                  warm: int = 2) -> list[Row]:
    hello = work / "hello_typer.py"
    hello.write_text(HELLO_TYPER)
    hr = headrub_argv()
    cases: dict[str, list[str]] = {
        "baseline": [sys.executable, str(hello)],
        "headrub --version": [*hr, "--version"],
        "headrub list": [*hr, "list"],
        "headrub show scalp-sleep": [*hr, "show", "scalp-sleep"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    if termdown.argv:
        cases["termdown --version"] = [*termdown.argv, "--version"]
    names = list(cases)
    failures: dict[str, str] = {}
    for name in names:  # warm the page cache and the bytecode caches
        for _ in range(warm):
            run = run_piped(cases[name], env, work)
            if run.problem():
                failures[name] = run.problem() or ""
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]  # interleave, rotating who goes first
        for name in order:
            if name in failures:
                continue
            run = run_piped(cases[name], env, work)
            walls[name].append(run.wall)
            cpus[name].append(run.cpu)
    results["startup"] = {
        name: {"wall_s": walls[name], "cpu_s": cpus[name], "median_wall_s": median(walls[name]),
               "median_cpu_s": median(cpus[name]), "argv": cases[name], "failure": failures.get(name)}
        for name in names
    }
    base = walls["baseline"]
    rows: list[Row] = []
    if "baseline" in failures:
        return [Row("startup", "start-up baseline (hello Typer)", "failed", note=failures["baseline"])]
    for name in ("headrub --version", "headrub list", "headrub show scalp-sleep"):
        if name in failures:
            rows.append(Row("startup", f"start-up: {name}", "failed", target=f"≤ {STARTUP_MAX_RATIO:.2f}×",
                            met=False, note=failures[name]))
            continue
        ratio = paired_ratio(walls[name], base)
        rows.append(Row(
            "startup", f"start-up: {name}", fmt_s(median(walls[name])), f"{fmt_s(median(base))} hello Typer",
            ratio, f"≤ {STARTUP_MAX_RATIO:.2f}×", ratio is not None and ratio <= STARTUP_MAX_RATIO,
            data={"median_wall_s": median(walls[name]), "baseline_median_wall_s": median(base)},
        ))
    interp = median(walls["python -c pass"])
    rows[0].note = (f"bare interpreter (python -c pass) {fmt_s(interp)}; hello Typer {fmt_s(median(base))}; "
                    f"{rounds} interleaved rounds, ratio = median of per-round ratios")
    if termdown.argv:
        name = "termdown --version"
        if name in failures:
            rows.append(Row("termdown", "termdown: start-up (--version)", "failed", note=failures[name]))
        else:
            ratio = paired_ratio(walls[name], walls["headrub --version"])
            rows.append(Row("termdown", "termdown: start-up (--version)", fmt_s(median(walls[name])),
                            f"{fmt_s(median(walls['headrub --version']))} headrub --version", ratio,
                            "info", None, data={"median_wall_s": median(walls[name])}))
    else:
        rows.append(Row("termdown", "termdown: start-up (--version)", "not run", note=termdown.why))
    return rows


def importtime_report(work: Path, env: dict[str, str], runs: int = 5) -> dict[str, Any]:
    """Modules ``headrub list`` imports beyond the hello-Typer baseline, by self time (min over runs)."""

    def profile(argv: list[str]) -> dict[str, tuple[int, int]]:
        best: dict[str, tuple[int, int]] = {}
        for _ in range(runs):
            run = run_piped([argv[0], "-X", "importtime", *argv[1:]], env, work)
            for line in run.stderr.decode("utf-8", "replace").splitlines():
                m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
                if not m:
                    continue
                name = m.group(4)
                self_us, cum_us = int(m.group(1)), int(m.group(2))
                old = best.get(name)
                best[name] = (min(old[0], self_us), min(old[1], cum_us)) if old else (self_us, cum_us)
        return best

    hello = work / "hello_typer.py"
    base = profile([sys.executable, str(hello)])
    subject = profile([*headrub_argv(), "list"])
    extra = {name: v for name, v in subject.items() if name not in base}
    by_self = sorted(extra.items(), key=lambda kv: -kv[1][0])
    packages: dict[str, int] = {}
    for name, (self_us, _) in extra.items():
        top = name.split(".")[0]
        packages[top] = packages.get(top, 0) + self_us
    return {
        "baseline_total_self_ms": sum(v[0] for v in base.values()) / 1000,
        "headrub_list_total_self_ms": sum(v[0] for v in subject.values()) / 1000,
        "extra_modules": len(extra),
        "extra_self_ms": sum(v[0] for v in extra.values()) / 1000,
        "extra_by_package_ms": dict(sorted(((k, v / 1000) for k, v in packages.items()), key=lambda kv: -kv[1])),
        "top_extra_by_self_ms": [(name, v[0] / 1000, v[1] / 1000) for name, v in by_self[:20]],
    }


def print_importtime(report: dict[str, Any]) -> None:
    print("\nimport time, `headrub list` beyond the hello-Typer baseline (min of 5 runs, -X importtime):")
    print(f"  all imports: headrub list {report['headrub_list_total_self_ms']:.1f} ms, "
          f"baseline {report['baseline_total_self_ms']:.1f} ms; "
          f"{report['extra_modules']} extra modules, {report['extra_self_ms']:.1f} ms")
    print("  by top-level package: " + ", ".join(f"{k} {v:.1f} ms" for k, v in list(report["extra_by_package_ms"].items())[:10]))
    print("  top extra modules (self ms, cumulative ms):")
    for name, self_ms, cum_ms in report["top_extra_by_self_ms"][:15]:
        print(f"    {self_ms:7.2f} {cum_ms:8.2f}  {name}")


# ---------------------------------------------------------------------------------------------
# 2. the journal at scale

ROUTINES = [  # name, title, planned seconds, strokes
    ("scalp-sleep", "Scalp massage for sleep", 600, 9),
    ("tension-headache", "Tension headache relief", 480, 8),
    ("desk-reset", "Desk reset", 300, 6),
    ("neck-and-shoulders", "Neck and shoulders", 540, 10),
    ("head-spa", "Head spa at home", 900, 14),
    ("jaw-release", "Jaw release", 240, 6),
    ("wake-up", "Wake-up scalp tapping", 180, 5),
    ("gentle-holds", "Gentle holds", 420, 7),
    ("back-tennis-ball", "Back of the head with a tennis ball", 360, 6),
]
NOTES = ["fell asleep after", "better", "headache gone", "salon head spa — lovely", "partner did it",
         "tight on the left", "sore spot behind the ear", "did it twice", "😌", "stopped, phone rang"]
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TAIL_DAYS = 28
TAIL_PER_DAY = 2


def _ulid(ms: int, rng: random.Random) -> str:
    value = (ms << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in range(25, -1, -1))


_ROUTINE_WEIGHTS = list(__import__("itertools").accumulate([9, 6, 8, 4, 2, 3, 3, 2, 1]))


def _local_zone() -> dt.tzinfo | None:
    """A fixed offset when the local zone has no DST (fast to convert to), else None (per instant)."""
    if time.daylight:
        return None
    return dt.timezone(dt.timedelta(seconds=-time.timezone))


_LOCAL = _local_zone()


def _entry(rng: random.Random, started: dt.datetime, logged: dt.datetime | None, manual: bool) -> tuple[dt.datetime, dict[str, Any]]:
    name, title, planned, strokes = rng.choices(ROUTINES, cum_weights=_ROUTINE_WEIGHTS)[0]
    if manual:
        planned_s = None
        active = float(rng.choice([10, 15, 20, 30, 45, 60]) * 60)
        completed, done = True, None
        strokes_total = None
    else:
        planned_s = planned
        completed = rng.random() < 0.9
        active = planned if completed else round(rng.uniform(30, planned - 5), 1)
        done = strokes if completed else max(1, int(strokes * active / planned))
        strokes_total = strokes
    ended = started + dt.timedelta(seconds=active + (rng.uniform(0, 90) if rng.random() < 0.1 else 0))
    if logged is None:
        logged = ended + dt.timedelta(milliseconds=rng.randint(5, 400))
    before = rng.randint(3, 9) if rng.random() < 0.6 else None
    after = max(0, before - rng.randint(0, 4)) if before is not None and rng.random() < 0.9 else None
    entry = {
        "v": 1,
        "id": _ulid(int(logged.timestamp() * 1000), rng),
        "routine": name,
        "title": title,
        "started_at": started.astimezone(_LOCAL).isoformat(timespec="seconds"),
        "ended_at": ended.astimezone(_LOCAL).isoformat(timespec="seconds"),
        "planned_s": planned_s,
        "active_s": int(active) if float(active).is_integer() else active,
        "completed": completed,
        "strokes_done": done,
        "strokes_total": strokes_total,
        "tension_before": before,
        "tension_after": after,
        "note": rng.choice(NOTES) if rng.random() < 0.08 else None,
        "source": "manual" if manual else "timer",
        "logged_at": logged.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return logged, entry


def make_journal(path: Path, n: int, now: dt.datetime, seed: int = 6) -> dict[str, Any]:
    """``n`` entries over three years, in ``logged_at`` order, ~5 % back-dated manual ones.

    The last ``TAIL_DAYS`` days always hold the same realistic two sessions a day (whatever
    ``n``), so ``journal --week`` shows the same entries at 10,000 and 100,000 and any growth in
    its time comes from the file, not from a longer table. The rest fill the three years before.
    """
    rng = random.Random(seed)
    now = now.astimezone(dt.UTC)
    items: list[tuple[dt.datetime, dict[str, Any]]] = []
    tail = 0
    if n:
        local_now = now.astimezone()
        for day in range(TAIL_DAYS, -1, -1):
            date = (local_now - dt.timedelta(days=day)).date()
            for hour, minute in ((7, 30), (22, 5))[:TAIL_PER_DAY]:
                naive = dt.datetime(date.year, date.month, date.day, hour, minute) + dt.timedelta(minutes=rng.randint(-40, 40))
                started = naive.astimezone()  # local, DST-aware
                if started + dt.timedelta(minutes=20) > now or len(items) >= n:
                    continue
                items.append(_entry(rng, started, None, manual=False))
        tail = len(items)
    span_end = now - dt.timedelta(days=TAIL_DAYS + 1)
    span_start = now - dt.timedelta(days=3 * 365)
    span = (span_end - span_start).total_seconds()
    for _ in range(n - tail):
        started = span_start + dt.timedelta(seconds=rng.uniform(0, span))
        manual = rng.random() < 0.05
        logged = None
        if manual:  # logged later with journal add --at: back-dated
            logged = started + dt.timedelta(hours=rng.uniform(1, 24 * 7))
        items.append(_entry(rng, started, logged, manual))
    items.sort(key=lambda item: item[0])
    with open(path, "wb") as handle:
        latest = None
        for _, entry in items:  # with the bookkeeping headrub writes: where the line is, latest start so far
            started = dt.datetime.fromisoformat(entry["started_at"]).astimezone(dt.UTC)
            latest = started if latest is None or started > latest else latest
            line = {**entry, "line_at": handle.tell(), "latest_start": latest.isoformat()}
            handle.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
    return {"entries": n, "recent_tail": tail, "bytes": path.stat().st_size,
            "back_dated": sum(1 for _, e in items if e["source"] == "manual")}


# (name, arguments, which copy of the journal): "read" is only read (but may gain headrub's own
# cache files), "cold" has every file but the journal removed before each run, "add" is appended to.
JOURNAL_CASES = [
    ("journal --week", ["journal", "--week"], "read"),
    ("stats --days 7", ["stats", "--days", "7"], "read"),
    ("stats", ["stats"], "read"),
    ("stats, no cache", ["stats"], "cold"),
    ("journal add", ["journal", "add", "scalp-sleep", "--minutes", "5"], "add"),
    ("stats after an add", ["stats"], "add"),
]
JOURNAL_TARGETS = {"journal --week": WEEK_ADD_MAX_RATIO, "journal add": WEEK_ADD_MAX_RATIO,
                   "stats": STATS_ALL_MAX_RATIO, "stats after an add": STATS_ALL_MAX_RATIO}
JOURNAL_NOTES = {
    "stats": "run again on an unchanged journal: whatever headrub keeps in the data folder is warm",
    "stats, no cache": "every file but journal.jsonl removed from the data folder before each run: "
    "the first stats on a journal (a new install, or a cache thrown away)",
    "stats after an add": "right after a journal add on the same copy: the usual case after a session",
}


def bench_journal(work: Path, env: dict[str, str], sizes: list[int], rounds: int, results: dict[str, Any]) -> list[Row]:
    hr = headrub_argv()
    now = dt.datetime.now(dt.UTC)
    dirs: dict[tuple[str, int], Path] = {}
    made: dict[int, Any] = {}
    # Made in helper processes, side by side: this process stays small, and that matters because
    # Linux carries the parent's peak RSS into a vfork-ed child's ru_maxrss (see memory_floor_mib).
    t = time.perf_counter()
    makers = {}
    for n in sizes:
        for kind in ("read", "cold", "add"):
            dirs[(kind, n)] = work / f"journal-{n}" / kind
            dirs[(kind, n)].mkdir(parents=True)
        makers[n] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--make-journal", str(dirs[("read", n)] / "journal.jsonl"),
             str(n), now.isoformat()], stdout=subprocess.PIPE, text=True)
    for n in sizes:
        made[n] = json.loads(makers[n].communicate()[0])
        for kind in ("cold", "add"):  # each its own copy: add grows its journal, cold loses its cache
            shutil.copyfile(dirs[("read", n)] / "journal.jsonl", dirs[(kind, n)] / "journal.jsonl")
        for kind in ("read", "cold", "add"):
            os.chmod(dirs[(kind, n)] / "journal.jsonl", 0o600)
        log(f"  journal of {n:,} entries: {made[n]['bytes'] / MIB:.1f} MiB, {made[n]['back_dated']} back-dated")
    log(f"  made in {time.perf_counter() - t:.1f} s")
    walls: dict[tuple[str, int], list[float]] = {}
    rss: dict[tuple[str, int], list[int]] = {}
    failures: dict[tuple[str, int], str] = {}
    outputs: dict[tuple[str, int], int] = {}
    extra_files: set[str] = set()

    def once(name: str, args: list[str], kind: str, n: int) -> None:
        data = dirs[(kind, n)]
        if kind == "cold":
            for path in data.iterdir():
                if path.name != "journal.jsonl":
                    extra_files.add(path.name)
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        run = run_piped([*hr, *args], with_dirs(env, data), work)
        key = (name, n)
        if run.problem():
            failures[key] = run.problem() or ""
            return
        walls.setdefault(key, []).append(run.wall)
        rss.setdefault(key, []).append(run.maxrss_kib)
        outputs[key] = len(run.stdout.splitlines())

    for name, args, kind in JOURNAL_CASES:  # warm-up (caches, headrub's own too), and find what does not work yet
        for n in sizes if kind != "cold" else sizes[:1]:
            once(name, args, kind, n)
    walls.clear()
    rss.clear()
    for r in range(rounds):
        for name, args, kind in JOURNAL_CASES:
            order = sizes[r % len(sizes):] + sizes[: r % len(sizes)]
            for n in order:
                if (name, n) not in failures:
                    once(name, args, kind, n)
    for n in sizes:
        for kind in ("read", "add"):
            extra_files.update(p.name for p in dirs[(kind, n)].iterdir() if p.name != "journal.jsonl")
    results["journal"] = {
        "journals": {str(n): made[n] for n in sizes},
        "files_headrub_added_to_the_data_folder": sorted(extra_files),
        "runs": {
            f"{name} @{n}": {"wall_s": walls.get((name, n), []), "median_wall_s": median(walls.get((name, n), [])),
                             "maxrss_mib": [k / 1024 for k in rss.get((name, n), [])],
                             "stdout_lines": outputs.get((name, n)), "failure": failures.get((name, n))}
            for name, _, _ in JOURNAL_CASES for n in sizes
        },
    }
    floor = memory_floor_mib()
    results["journal"]["memory_floor_mib"] = floor
    rows: list[Row] = []
    for name, _, _ in JOURNAL_CASES:
        base_key = (name, sizes[0])
        for n in sizes[1:]:
            key = (name, n)
            label = f"{name}, {n // 1000}k entries"
            limit = JOURNAL_TARGETS.get(name) if n == max(sizes) else None
            target = f"≤ {limit:.2f}× of 0" if limit else "info"
            note = JOURNAL_NOTES.get(name, "") if n == max(sizes) else ""
            if name in ("stats", "stats after an add") and not extra_files:
                note = ""  # no cache: these are the plain full reads
            if key in failures or base_key in failures:
                why = failures.get(key) or failures.get(base_key) or ""
                rows.append(Row("journal", label, "failed", target=target, met=False if limit else None, note=why))
                continue
            ratio = paired_ratio(walls[key], walls[base_key])
            rows.append(Row("journal", label, fmt_s(median(walls[key])), f"{fmt_s(median(walls[base_key]))} at 0",
                            ratio, target, (ratio is not None and ratio <= limit) if limit else None, note=note,
                            data={"median_wall_s": median(walls[key]), "baseline_median_wall_s": median(walls[base_key])}))
    for name, _, _ in JOURNAL_CASES:
        peaks = [(max(rss[(name, n)]) / 1024, n) for n in sizes if rss.get((name, n))]
        if not peaks:
            rows.append(Row("memory", f"peak memory: {name}", "failed", target=f"< {PEAK_MEMORY_MAX_MIB:.0f} MiB", met=False,
                            note=next((failures[(name, n)] for n in sizes if (name, n) in failures), "")))
            continue
        peak, at = max(peaks)
        zero = next((p for p, n in peaks if n == 0), None)
        note = f"at or below this script's own peak ({floor:.0f} MiB), so the true figure is lower" if peak <= floor * 1.02 else ""
        rows.append(Row("memory", f"peak memory: {name} (at {at // 1000}k)" if at else f"peak memory: {name}",
                        f"{peak:.1f} MiB", f"{zero:.1f} MiB at 0" if zero is not None else "",
                        peak / zero if zero else None, f"< {PEAK_MEMORY_MAX_MIB:.0f} MiB", peak < PEAK_MEMORY_MAX_MIB,
                        note=note, data={"peak_mib": peak, "by_size_mib": {str(n): p for p, n in peaks}}))
    return rows


# ---------------------------------------------------------------------------------------------
# 3–5. live sessions in pseudo-terminals (each job runs in its own helper process: see --lane)


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
    """The process's user+sys CPU seconds so far, from /proc (Linux), or None."""
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

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, watch: bytes | None = None) -> None:
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
            sys.executable, ["-c", REAPER, str(self.ru_file), *argv], env=env, cwd=cwd, dimensions=(24, 80)
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
    pty = Pty(spec["argv"], spec["env"], spec["cwd"], spec.get("watch", "").encode() or None)
    planned = float(spec["planned_s"])
    start_kind = spec["start"]  # "bell" (headrub: the first stroke's bell) or "osc" (termdown: first title)
    deadline = time.monotonic() + planned + 60
    bells_seen = 0
    cpu_at_last_bell = None
    while pty.eof is None and time.monotonic() < deadline:
        pty.read(deadline - time.monotonic())
        if pty.cpu_at_start is None and (pty.markers.bells if start_kind == "bell" else pty.markers.osc):
            pty.cpu_at_start = _proc_cpu(pty.pid)
        if len(pty.markers.bells) > bells_seen:  # the last one is the end: CPU up to there, without the exit
            bells_seen = len(pty.markers.bells)
            cpu_at_last_bell = _proc_cpu(pty.pid)
    out = pty.reap()
    out["cpu_at_end_s"] = cpu_at_last_bell
    if out["status"] != 0:
        out["problem"] = f"exit {out['status']}: {last_words(pty.markers.tail_text)}"
    m = pty.markers
    starts = m.bells if start_kind == "bell" else m.osc
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
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--lane", str(spec_file)],
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


def bench_live(work: Path, env: dict[str, str], quick: bool, termdown: Termdown, results: dict[str, Any]) -> list[Row]:
    try:
        import pexpect  # noqa: F401
        import pyte  # noqa: F401
    except ImportError as err:
        return [Row("live", "live session benchmarks", "not run", note=f"{err}: install the test extras")]
    hr = headrub_argv()
    pty_env = dict(env, TERM="xterm-256color")
    cpu_len = 10 if quick else 60
    short_len, long_len = (10, 30) if quick else (10, 120)
    short_runs = 1 if quick else 3
    key_samples = 4 if quick else 12

    def routine(seconds: int) -> str:
        path = work / "routines" / f"bench-pulse-{seconds}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(PULSE_ROUTINE.format(seconds=seconds))
        return str(path)

    def session(seconds: int, tag: str, journal: bool) -> dict[str, Any]:
        data = work / "live" / tag
        data.mkdir(parents=True)
        flags = ["--yes", "--no-prompt", "--sound", "bell"] + ([] if journal else ["--no-journal"])
        spec = {"kind": "session", "argv": [*hr, "start", routine(seconds), *flags],
                "env": with_dirs(pty_env, data), "cwd": str(work), "planned_s": seconds, "start": "bell",
                "watch": PULSE_TITLE}
        if journal:
            spec["journal"] = str(data / "journal.jsonl")
        return spec

    keys_spec = {"kind": "keys", "argv": [*hr, "start", routine(60), "--yes", "--no-prompt", "--no-journal", "--sound", "bell"],
                 "env": with_dirs(pty_env, work / "live" / "keys"), "cwd": str(work), "samples": key_samples}
    (work / "live" / "keys").mkdir(parents=True)
    lanes: list[list[dict[str, Any]]] = [
        [session(long_len, "long", True)],
        [session(cpu_len, "cpu", False)],
        [*(session(short_len, f"short{i}", True) for i in range(short_runs)), keys_spec],
    ]
    if termdown.argv:
        lanes.append([{"kind": "session", "argv": [*termdown.argv, str(cpu_len)], "env": pty_env, "cwd": str(work),
                       "planned_s": cpu_len, "start": "osc"}])
    log(f"  {len(lanes)} pseudo-terminal lanes side by side, about {max(long_len, cpu_len) + 5} s")
    done = run_lanes(lanes, timeout=max(long_len, cpu_len) + 120)
    long_run = done[0][0]
    cpu_run = done[1][0]
    short_runs_out = done[2][:-1]
    keys = done[2][-1]
    td = done[3][0] if termdown.argv else None
    results["live"] = {"long": long_run, "cpu": cpu_run, "short": short_runs_out, "keys": keys, "termdown": td,
                       "lengths_s": {"cpu": cpu_len, "short": short_len, "long": long_len}}
    rows: list[Row] = []

    # 3. CPU
    def per_minute(run: dict[str, Any], length: float) -> tuple[float, str]:
        """CPU for a 60 s run: as measured, or start-up + the running part scaled to a minute + exit."""
        if length == 60:
            return run["cpu_s"], ""
        start, end = run.get("cpu_at_start_s"), run.get("cpu_at_end_s")
        if start is not None and end is not None and start <= end <= run["cpu_s"]:
            return start + (end - start) * 60 / length + (run["cpu_s"] - end), f" (a {length} s run scaled to 60 s)"
        return run["cpu_s"] * 60 / length, f" (a {length} s run scaled to 60 s)"

    def split_note(run: dict[str, Any], frames: bool = True) -> str:
        start, end = run.get("cpu_at_start_s"), run.get("cpu_at_end_s")
        if start is None:
            return ""
        parts = f"start-up {start:.2f} s"
        if end is not None and start <= end <= run["cpu_s"]:
            parts += f", running {end - start:.2f} s, exit {run['cpu_s'] - end:.2f} s"
            if frames and run.get("frames"):
                parts += f" ({run['frames']} frames, {(end - start) / run['frames'] * 1000:.1f} ms CPU each)"
        return parts + "; "

    hr_cpu = None
    if "problem" in cpu_run or cpu_run.get("status") != 0:
        rows.append(Row("live", "CPU, 60 s session with pulse", "failed", target=f"< {SESSION_CPU_MAX_S} s", met=False,
                        note=cpu_run.get("problem", f"exit {cpu_run.get('status')}")))
    else:
        hr_cpu, how = per_minute(cpu_run, cpu_len)
        rows.append(Row("live", "CPU, 60 s session with pulse (user+sys)", f"{hr_cpu:.3f} s", "", None,
                        f"< {SESSION_CPU_MAX_S} s", hr_cpu < SESSION_CPU_MAX_S,
                        note=split_note(cpu_run) + f"{cpu_run['bytes'] / 1024:.0f} KiB drawn{how}",
                        data={"cpu_s": hr_cpu}))

    # 4. end accuracy
    def accuracy_rows(run: dict[str, Any], length: int, label: str, rows: list[Row]) -> list[Row]:
        if "problem" in run or run.get("status") != 0:
            rows.append(Row("live", f"end error, {label}", "failed", target=f"≤ {END_ERROR_MAX_S * 1000:.0f} ms",
                            met=False, note=run.get("problem", f"exit {run.get('status')}")))
            return rows
        obs = run.get("end_error_observed_s")
        rows.append(Row("live", f"end error observed, {label}", fmt_signed_ms(obs), "", None,
                        f"|e| ≤ {END_ERROR_MAX_S * 1000:.0f} ms", obs is not None and abs(obs) <= END_ERROR_MAX_S))
        if "end_error_journal_s" in run:
            err = run["end_error_journal_s"]
            rows.append(Row("live", f"end error in journal, {label}", fmt_signed_ms(err), "", None,
                            f"|e| ≤ {END_ERROR_MAX_S * 1000:.0f} ms", abs(err) <= END_ERROR_MAX_S,
                            note="journal times are written to the whole second, so this is exact only to 1 s; "
                            f"active_s − planned_s = {run['active_minus_planned_s']:+.1f} s"))
        elif run.get("journal_problem"):
            rows.append(Row("live", f"end error in journal, {label}", "failed", target=f"|e| ≤ {END_ERROR_MAX_S * 1000:.0f} ms",
                            met=False, note=run["journal_problem"]))
        split = ""
        if "spawn_to_start_s" in run and "end_to_exit_s" in run:
            split = (f"start-up to the first stroke's bell {fmt_s(run['spawn_to_start_s'])}, "
                     f"end bell to exit {fmt_s(run['end_to_exit_s'])}")
        rows.append(Row("live", f"process wall − planned, {label}", fmt_s(run["process_over_planned_s"]), "", None,
                        "info", None, note=split))
        return rows

    good_short = [r for r in short_runs_out if "problem" not in r and r.get("status") == 0]
    if good_short:
        pick = sorted(good_short, key=lambda r: abs(r.get("end_error_observed_s", 1e9)))[len(good_short) // 2]
        got = accuracy_rows(pick, short_len, f"{short_len} s session" + (f" (median of {len(good_short)})" if len(good_short) > 1 else ""), [])
        if len(good_short) > 1:
            got[0].note = "all runs: " + ", ".join(fmt_signed_ms(r.get("end_error_observed_s")) for r in good_short)
        rows += got
    else:
        rows += accuracy_rows(short_runs_out[0], short_len, f"{short_len} s session", [])
    rows += accuracy_rows(long_run, long_len, f"{long_len} s session", [])
    if hr_cpu is not None and cpu_run.get("end_error_observed_s") is not None:
        rows.append(Row("live", f"end error observed, {cpu_len} s session (the CPU run)", fmt_signed_ms(cpu_run["end_error_observed_s"]),
                        "", None, f"|e| ≤ {END_ERROR_MAX_S * 1000:.0f} ms", abs(cpu_run["end_error_observed_s"]) <= END_ERROR_MAX_S))

    # 5. keys
    if keys.get("pause_s"):
        for what in ("pause", "resume"):
            samples = keys[f"{what}_s"]
            lat = median(samples)
            rows.append(Row("live", f"key latency: space → {'PAUSED shown' if what == 'pause' else 'PAUSED gone'}",
                            fmt_s(lat), "", None, f"< {KEY_LATENCY_MAX_S * 1000:.0f} ms",
                            lat is not None and lat < KEY_LATENCY_MAX_S,
                            note=f"median of {len(samples)}; max {fmt_s(max(samples))}" if samples else ""))
        if keys.get("problem") or keys.get("missed"):
            rows[-1].note += f"; {keys.get('problem') or str(keys['missed']) + ' press(es) never showed'}"
    else:
        rows.append(Row("live", "key latency: space → PAUSED shown", "failed", target=f"< {KEY_LATENCY_MAX_S * 1000:.0f} ms",
                        met=False, note=keys.get("problem", "no sample")))

    # termdown
    hr_ok = "problem" not in cpu_run and cpu_run.get("status") == 0
    if td is None:
        rows.append(Row("termdown", f"termdown: CPU, {cpu_len} s countdown", "not run", note=termdown.why))
    elif "problem" in td or td.get("status") != 0:
        rows.append(Row("termdown", f"termdown: CPU, {cpu_len} s countdown", "failed",
                        note=td.get("problem", f"exit {td.get('status')}")))
    else:
        td_cpu, how = per_minute(td, cpu_len)
        rows.append(Row("termdown", "termdown: CPU, 60 s countdown (user+sys)", f"{td_cpu:.3f} s",
                        f"{hr_cpu:.3f} s headrub" if hr_cpu is not None else "",
                        td_cpu / hr_cpu if hr_cpu else None, "info", None,
                        note=split_note(td, frames=False) + f"{td['bytes'] / 1024:.0f} KiB drawn{how}"))
        obs = td.get("end_error_observed_s")
        rows.append(Row("termdown", f"termdown: end error observed, {cpu_len} s", fmt_signed_ms(obs),
                        f"{fmt_signed_ms(cpu_run.get('end_error_observed_s'))} headrub" if hr_ok else "", None, "info", None,
                        note="first title update to the end bell, minus the countdown"))
        rows.append(Row("termdown", f"termdown: process wall − planned, {cpu_len} s", fmt_s(td["process_over_planned_s"]),
                        f"{fmt_s(cpu_run.get('process_over_planned_s'))} headrub" if hr_ok else "", None, "info", None))
    return rows


# ---------------------------------------------------------------------------------------------
# termdown


@dataclass
class Termdown:
    argv: list[str] | None
    why: str = ""
    version: str | None = None


def find_termdown(explicit: str | None, skip: bool) -> Termdown:
    """termdown from --termdown, PATH, or a venv cached in the temp folder (installed once with pip)."""
    if skip:
        return Termdown(None, "skipped (--no-termdown)")

    def usable(script: Path) -> Termdown | None:
        if not script.is_file():
            return None
        head = script.read_bytes()[:200]
        interp = head.split(b"\n", 1)[0][2:].decode().strip() if head.startswith(b"#!") else ""
        argv = [interp, str(script)] if interp and Path(interp).is_file() else [str(script)]
        try:
            out = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            return Termdown(None, f"{script} does not run: {err}")
        if out.returncode != 0:
            return Termdown(None, f"{script} --version failed: {out.stderr.strip()[-200:]}")
        return Termdown(argv, "", out.stdout.strip())

    if explicit:
        return usable(Path(explicit)) or Termdown(None, f"--termdown {explicit}: no such file")
    found = shutil.which("termdown")
    if found:
        got = usable(Path(found))
        if got and got.argv:
            return got
    venv = Path(tempfile.gettempdir()) / "headrub-bench-termdown"
    script = venv / "bin" / "termdown"
    failed = venv.parent / "headrub-bench-termdown.failed"
    if not script.is_file():
        if failed.is_file() and time.time() - failed.stat().st_mtime < 3600:
            return Termdown(None, failed.read_text().strip() + f" (not retried for an hour: delete {failed} to retry)")
        log(f"  installing termdown into {venv} (once; pip needs the network)")
        why = ""
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True,
                           text=True, timeout=300)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--retries", "1",
                            "--timeout", "15", "termdown"], check=True, capture_output=True, text=True, timeout=600)
        except subprocess.CalledProcessError as err:
            last = (err.stderr or err.stdout or "").strip().splitlines()[-1:] or [str(err)]
            why = f"could not install termdown into {venv}: {last[0][:200]}"
        except (OSError, subprocess.TimeoutExpired) as err:
            why = f"could not install termdown into {venv}: {err}"
        if why:
            failed.write_text(why + "\n")
            return Termdown(None, why)
        failed.unlink(missing_ok=True)
    return usable(script) or Termdown(None, f"termdown missing from {venv}")


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="headrub's benchmark suite (issue 6).")
    parser.add_argument("--quick", action="store_true", help="a smoke run in under a minute (fewer samples, shorter sessions)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json", help="where to write the JSON results")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--verbose", "-v", action="store_true", help="also print the import-time offenders of `headrub list`")
    parser.add_argument("--termdown", help="path to a termdown script to compare with")
    parser.add_argument("--no-termdown", action="store_true", help="skip the termdown comparison")
    parser.add_argument("--lane", metavar="SPEC_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--make-journal", nargs=3, metavar=("PATH", "N", "NOW"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lane:
        return lane_main(args.lane)
    if args.make_journal:
        path, n, now = args.make_journal
        print(json.dumps(make_journal(Path(path), int(n), dt.datetime.fromisoformat(now))))
        return 0
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    import importlib.util

    if importlib.util.find_spec("headrub") is None:
        venv_python = REPO / ".venv" / "bin" / "python"
        if venv_python.is_file() and not os.environ.get("HEADRUB_BENCH_REEXEC"):
            os.environ["HEADRUB_BENCH_REEXEC"] = "1"  # once: a venv without headrub must not loop
            os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *(sys.argv[1:] if argv is None else argv)])
        print(f"headrub is not importable by {sys.executable}; run this with the venv's python "
              "(python -m venv .venv && .venv/bin/pip install '.[test]', then .venv/bin/python bench/run.py)",
              file=sys.stderr)
        return 2

    began = time.monotonic()
    results: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": machine_info(),
        "load_average_before": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="headrub-bench-") as tmp:
        work = Path(tmp)
        env = base_env(work)
        termdown = Termdown(None, "not needed")
        if "startup" in sections or "live" in sections:
            termdown = find_termdown(args.termdown, args.no_termdown)
            results["termdown"] = {"argv": termdown.argv, "version": termdown.version, "why_not": termdown.why or None}
        if "startup" in sections:
            log("start-up …")
            rows += bench_startup(work, env, 5 if args.quick else 21, termdown, results, warm=1 if args.quick else 2)
            if not args.quick or args.verbose:
                results["importtime"] = importtime_report(work, env)
        if "journal" in sections:
            log("journal at scale …")
            sizes = [0, 100_000] if args.quick else [0, 10_000, 100_000]
            rows += bench_journal(work, env, sizes, 2 if args.quick else 9, results)
        if "live" in sections:
            log("live sessions …")
            rows += bench_live(work, env, args.quick, termdown, results)
    order = {"startup": 0, "journal": 1, "memory": 2, "live": 3, "termdown": 4}
    rows.sort(key=lambda r: order.get(r.section, 9))
    results["elapsed_s"] = time.monotonic() - began
    results["load_average_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    results["rows"] = [asdict(row) for row in rows]
    results["table_markdown"] = markdown_table(rows)
    m = results["machine"]
    print(f"\nheadrub benchmarks, {results['mode']} run, {results['date']}")
    print(f"{m['platform']}, {m['cpu_count']} CPUs{' (' + m['cpu_model'] + ')' if m.get('cpu_model') else ''}, "
          f"Python {m['python']}; load average {results['load_average_before'][0]:.2f} before, "
          f"{results['load_average_after'][0]:.2f} after; {results['elapsed_s']:.0f} s\n")
    print_table(rows)
    if args.verbose and "importtime" in results:
        print_importtime(results["importtime"])
    missed = [row.name for row in rows if row.met is False]
    print(f"\n{len([r for r in rows if r.met])} targets met, {len(missed)} missed" + (f": {', '.join(missed)}" if missed else ""))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
