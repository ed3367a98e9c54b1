"""Start-up: headrub's commands against a hello-world Typer app, round by round."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    STARTUP_MAX_RATIO,
    Row,
    fmt_s,
    headrub_argv,
    median,
    paired_ratio,
    run_piped,
)
from bench.peers import Termdown
from bench.templates import HELLO_TYPER


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
