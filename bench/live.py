"""Live sessions: CPU, accuracy and key latency, side by side with the peers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.common import (
    END_ERROR_MAX_S,
    KEY_LATENCY_MAX_S,
    SESSION_CPU_MAX_S,
    Row,
    fmt_s,
    fmt_signed_ms,
    headrub_argv,
    log,
    median,
    with_dirs,
)
from bench.peers import Termdown
from bench.templates import PULSE_ROUTINE, PULSE_TITLE
from bench.terminal import run_lanes


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

