"""Start-up: headrub's commands against a hello-world Typer app, round by round."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    FIRST_CUE_MAX_RATIO,
    STARTUP_MAX_RATIO,
    Row,
    fmt_s,
    headrub_argv,
    median,
    paired_ratio,
    run_piped,
)
from bench.firstcue import first_cue
from bench.peers import Peer
from bench.templates import HELLO_TYPER, HELLO_TYPER_OS_EXIT, PULSE_ROUTINE

# What runs in each round, beside the two baselines: (name, arguments after headrub's argv).
HEADRUB_CASES = [
    ("headrub --version", ["--version"]),
    ("headrub list", ["list"]),
    ("headrub show scalp-sleep", ["show", "scalp-sleep"]),
    ("headrub journal --week", ["journal", "--week"]),
]
TARGETED = {"headrub list", "headrub show scalp-sleep", "headrub journal --week"}
CUES = [("first bell", "bell"), ("first chime", "chime")]
LIVE_PEERS = ("countdown-cli", "termdown", "jrnl", "watson")


def bench_startup(work: Path, env: dict[str, str], rounds: int, peers: dict[str, Peer], results: dict[str, Any],
                  warm: int = 2) -> list[Row]:
    """Every command once a round, baselines and subjects interleaved, the first one rotating."""
    hello = work / "hello_typer.py"
    hello.write_text(HELLO_TYPER)
    hello_exit = work / "hello_typer_os_exit.py"
    hello_exit.write_text(HELLO_TYPER_OS_EXIT)
    routine = work / "routines" / "first-cue.yaml"
    routine.parent.mkdir(exist_ok=True)
    routine.write_text(PULSE_ROUTINE.format(seconds=30))
    week = work / "startup-week"  # a journal with four weeks of two sessions a day, for journal --week
    week.mkdir(exist_ok=True)
    from bench.journal import make_journal

    make_journal(week / "journal.jsonl", 200, dt.datetime.now(dt.UTC))
    hr = headrub_argv()
    cases: dict[str, list[str]] = {
        "baseline": [sys.executable, str(hello)],
        "baseline, os._exit": [sys.executable, str(hello_exit)],
        **{name: [*hr, *args] for name, args in HEADRUB_CASES},
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    for name in LIVE_PEERS:
        peer = peers.get(name)
        if peer is not None and peer.argv:
            cases[f"{name} --version"] = [*peer.argv, "--version"]
    envs = {name: env for name in cases}
    envs["headrub journal --week"] = dict(env, HEADRUB_DATA_DIR=str(week))
    # No get-ready countdown: the figure is what it costs to start, not the lead-in a user may choose.
    start = [*hr, "start", str(routine), "--yes", "--no-prompt", "--no-journal", "--lead-in", "0", "--sound"]
    names = [*cases, *(name for name, _ in CUES)]
    failures: dict[str, str] = {}
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}

    def once(name: str, keep: bool) -> None:
        if name in cases:
            run = run_piped(cases[name], envs[name], work)
            if run.problem():
                failures[name] = run.problem() or ""
            elif keep:
                walls[name].append(run.wall)
                cpus[name].append(run.cpu)
            return
        mode = dict(CUES)[name]
        took, why = first_cue([*start, mode], env, work, chime=mode == "chime")
        if took is None:
            failures[name] = why
        elif keep:
            walls[name].append(took)

    for name in names:  # warm the page cache and the bytecode caches; the first start makes the sounds
        for _ in range(warm):
            once(name, keep=False)
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]  # interleave, rotating who goes first
        for name in order:
            if name not in failures:
                once(name, keep=True)
    results["startup"] = {
        name: {"wall_s": walls[name], "cpu_s": cpus[name], "median_wall_s": median(walls[name]),
               "median_cpu_s": median(cpus[name]), "argv": cases.get(name, [*start, dict(CUES).get(name, "")]),
               "failure": failures.get(name)}
        for name in names
    }
    if "baseline" in failures:
        return [Row("startup", "start-up baseline (hello Typer)", "failed", note=failures["baseline"])]
    base, base_exit = walls["baseline"], walls.get("baseline, os._exit", [])
    rows: list[Row] = []
    for name in [n for n, _ in HEADRUB_CASES] + [n for n, _ in CUES]:
        label = f"start-up: {name}" if name.startswith("headrub") else f"spawn → {name} (headrub start)"
        limit = FIRST_CUE_MAX_RATIO if name in dict(CUES) else STARTUP_MAX_RATIO
        targeted = name in TARGETED or name in dict(CUES)
        target = f"≤ {limit:.2f}×" if targeted else "info"
        if name in failures:
            rows.append(Row("startup", label, "failed", target=target, met=False if targeted else None,
                            note=failures[name]))
            continue
        ratio = paired_ratio(walls[name], base)
        ratio_exit = paired_ratio(walls[name], base_exit)
        note = f"{fmt_ratio_text(ratio_exit)} hello Typer ending with os._exit ({fmt_s(median(base_exit))})"
        rows.append(Row(
            "startup", label, fmt_s(median(walls[name])), f"{fmt_s(median(base))} hello Typer", ratio, target,
            (ratio is not None and ratio <= limit) if targeted else None, note=note,
            data={"median_wall_s": median(walls[name]), "baseline_median_wall_s": median(base),
                  "ratio_to_os_exit_baseline": ratio_exit},
        ))
    rows[0].note = (f"bare interpreter (python -c pass) {fmt_s(median(walls['python -c pass']))}; hello Typer "
                    f"{fmt_s(median(base))}, ending with os._exit {fmt_s(median(base_exit))}; {rounds} interleaved "
                    f"rounds, ratio = median of per-round ratios; " + rows[0].note)
    for name in LIVE_PEERS:
        label = f"{name}: start-up (--version)"
        key = f"{name} --version"
        peer = peers.get(name)
        if peer is None or not peer.argv:
            rows.append(Row("peers", label, "not run", note=peer.why if peer else "not asked for"))
        elif key in failures:
            rows.append(Row("peers", label, "failed", note=failures[key]))
        else:
            ratio = paired_ratio(walls[key], walls["headrub --version"])
            rows.append(Row("peers", label, fmt_s(median(walls[key])),
                            f"{fmt_s(median(walls['headrub --version']))} headrub --version", ratio,
                            "info", None, data={"median_wall_s": median(walls[key])}))
    return rows


def fmt_ratio_text(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}× the"


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
