"""Live sessions in pseudo-terminals: CPU a minute, bytes a second, memory, accuracy, keys — beside the peers.

CPU a minute of counting is read from ``/proc`` at two moments of a 70 s run, 8 s after the
spawn and 2 s before the planned end (``--quick``: a 15 s run, from 5 s to 13 s), and scaled
to 60 s: start-up and exit are outside that window, whatever the machine's load makes of them,
and what is left is what the program costs while it counts. Bytes a second are what reached the terminal in the
same window. Peak memory is the run's ``ru_maxrss``. Each program runs in a 100×30 pseudo-terminal.
headrub runs twice over: a stroke with a tempo (the pulse redraws twice a second) and one
without. countdown-cli and termdown count down the same time side by side.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.common import (
    END_ERROR_MAX_S,
    KEY_LATENCY_MAX_S,
    LIVE_BYTES_MAX_RATIO,
    LIVE_CPU_PLAIN_MAX_RATIO,
    LIVE_CPU_PULSE_MAX_RATIO,
    LIVE_MEMORY_MAX_RATIO,
    Row,
    fmt_s,
    fmt_signed_ms,
    headrub_argv,
    log,
    median,
    run_piped,
    with_dirs,
)
from bench.peers import Peer, not_run
from bench.templates import HELLO_TYPER, PLAIN_ROUTINE, PLAIN_TITLE, PULSE_ROUTINE, PULSE_TITLE
from bench.terminal import run_lanes

PANE = (30, 100)  # rows, columns: the pane the CPU figures are taken in
SUBJECTS = ("headrub, pulse", "headrub, no pulse", "countdown-cli", "termdown")


def _failed(run: dict[str, Any]) -> str | None:
    if "problem" in run:
        return str(run["problem"])
    return None if run.get("status") == 0 else f"exit {run.get('status')}"


WINDOW_START_S = 8.0  # after start-up, even on a loaded machine
QUICK_WINDOW_START_S = 5.0
WINDOW_END_BEFORE_S = 2.0  # before the end and its bell


def per_minute(run: dict[str, Any]) -> dict[str, float] | None:
    """CPU a minute and bytes a second in the run's counting window, and its peak memory."""
    window = run.get("window")
    if not window or window["seconds"] <= 0:
        return None
    return {"cpu_per_min_s": window["cpu_s"] * 60 / window["seconds"],
            "bytes_per_s": window["bytes"] / window["seconds"],
            "window_s": window["seconds"],
            "peak_mib": run["maxrss_mib"]}


def bench_live(work: Path, env: dict[str, str], quick: bool, peers: dict[str, Peer], results: dict[str, Any]) -> list[Row]:
    try:
        import pexpect  # noqa: F401
        import pyte  # noqa: F401
    except ImportError as err:
        return [Row("live", "live session benchmarks", "not run", note=f"{err}: install the test extras")]
    hr = headrub_argv()
    pty_env = dict(env, TERM="xterm-256color")
    cpu_len = 15 if quick else 70
    window = [QUICK_WINDOW_START_S if quick else WINDOW_START_S, cpu_len - WINDOW_END_BEFORE_S]
    short_len, long_len = (10, 15) if quick else (10, 120)
    short_runs = 1 if quick else 3
    key_samples = 4 if quick else 12

    def routine(seconds: int, template: str = PULSE_ROUTINE, tag: str = "pulse") -> str:
        path = work / "routines" / f"bench-{tag}-{seconds}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(template.format(seconds=seconds))
        return str(path)

    def session(seconds: int, tag: str, journal: bool, plain: bool = False, dims: tuple[int, int] = (24, 80)) -> dict[str, Any]:
        data = work / "live" / tag
        data.mkdir(parents=True)
        flags = ["--yes", "--no-prompt", "--lead-in", "0", "--sound", "bell"] + ([] if journal else ["--no-journal"])
        path = routine(seconds, PLAIN_ROUTINE, "plain") if plain else routine(seconds)
        spec = {"kind": "session", "argv": [*hr, "start", path, *flags], "env": with_dirs(pty_env, data),
                "cwd": str(work), "planned_s": seconds, "start": "bell", "watch": PLAIN_TITLE if plain else PULSE_TITLE,
                "dims": dims}
        if journal:
            spec["journal"] = str(data / "journal.jsonl")
        return spec

    def peer_session(name: str, seconds: int) -> dict[str, Any]:
        peer = peers[name]
        assert peer.argv is not None
        arg = f"{seconds}s" if name == "countdown-cli" else str(seconds)
        return {"kind": "session", "argv": [*peer.argv, arg], "env": pty_env, "cwd": str(work), "planned_s": seconds,
                "start": "osc" if name == "termdown" else "none", "dims": PANE, "window": window}

    def subject(name: str, seconds: int) -> dict[str, Any]:
        if name.startswith("headrub"):
            plain = name == "headrub, no pulse"
            return dict(session(seconds, f"{'plain' if plain else 'pulse'}-{seconds}", False, plain, PANE), window=window)
        return peer_session(name, seconds)

    running = [n for n in SUBJECTS if n.startswith("headrub") or (peers.get(n) is not None and peers[n].argv)]
    keys_spec = {"kind": "keys", "argv": [*hr, "start", routine(60), "--yes", "--no-prompt", "--no-journal", "--lead-in", "0",
                                          "--sound", "bell"],
                 "env": with_dirs(pty_env, work / "live" / "keys"), "cwd": str(work), "samples": key_samples}
    (work / "live" / "keys").mkdir(parents=True)
    lanes: list[list[dict[str, Any]]] = [
        [session(long_len, "long", True)],
        [*(session(short_len, f"short{i}", True) for i in range(short_runs)), keys_spec],
        *([subject(name, cpu_len)] for name in running),
    ]
    longest = max(long_len, cpu_len, short_len * short_runs + 20)
    log(f"  {len(lanes)} pseudo-terminal lanes side by side, about {longest + 10} s")
    done = run_lanes(lanes, timeout=longest + 120)
    long_run = done[0][0]
    short_runs_out = done[1][:-1]
    keys = done[1][-1]
    cpu_runs = {name: done[2 + i] for i, name in enumerate(running)}
    results["live"] = {"long": long_run, "short": short_runs_out, "keys": keys, "cpu_runs": cpu_runs,
                       "lengths_s": {"cpu": cpu_len, "window": window, "short": short_len, "long": long_len}}
    rows: list[Row] = []

    # 3. CPU a minute, bytes a second, peak memory
    figures: dict[str, dict[str, float]] = {}
    problems: dict[str, str] = {}
    for name in SUBJECTS:
        if name not in cpu_runs:
            problems[name] = f"not run: {not_run(peers, name)}"
            continue
        run = cpu_runs[name][0]
        why = _failed(run)
        got = None if why else per_minute(run)
        if got is None:
            problems[name] = why or "no counting window measured (/proc unreadable?)"
        else:
            figures[name] = got
    results["live"]["figures"] = figures
    how = f"{window[0]:.0f}–{window[1]:.0f} s of a {cpu_len} s run, {PANE[1]}×{PANE[0]} pane"

    def compare(label: str, subject: str, key: str, peer: str, limit: float | None, unit: str) -> None:
        fmt = (lambda v: f"{v:.3f} s") if unit == "s" else (lambda v: f"{v:,.0f} B/s") if unit == "B/s" else (lambda v: f"{v:.1f} MiB")
        target = f"≤ {limit:.2f}× {peer}" if limit is not None else "info"
        if subject not in figures:
            rows.append(Row("live", label, "failed", target=target, met=False if limit else None, note=problems.get(subject, "")))
            return
        value = figures[subject][key]
        if peer not in figures:
            rows.append(Row("live", label, fmt(value), f"{peer}: {problems.get(peer, 'not run')}", None, target, None,
                            data={key: value}))
            return
        base = figures[peer][key]
        ratio = value / base if base > 0 else None
        rows.append(Row("live", label, fmt(value), f"{fmt(base)} {peer}", ratio, target,
                        (ratio is not None and ratio <= limit) if limit is not None else None,
                        data={key: value, "baseline": base}))

    compare("CPU a minute, with the pulse", "headrub, pulse", "cpu_per_min_s", "countdown-cli", LIVE_CPU_PULSE_MAX_RATIO, "s")
    rows[-1].note = how
    compare("CPU a minute, no pulse", "headrub, no pulse", "cpu_per_min_s", "countdown-cli", LIVE_CPU_PLAIN_MAX_RATIO, "s")
    compare("bytes a second, with the pulse", "headrub, pulse", "bytes_per_s", "countdown-cli", LIVE_BYTES_MAX_RATIO, "B/s")
    compare("bytes a second, no pulse", "headrub, no pulse", "bytes_per_s", "countdown-cli", None, "B/s")
    compare("peak memory, live session", "headrub, pulse", "peak_mib", "termdown", LIVE_MEMORY_MAX_RATIO, "MiB")
    hello = work / "hello_typer.py"
    hello.write_text(HELLO_TYPER)
    floor = max(run_piped([sys.executable, str(hello)], env, work).maxrss_kib for _ in range(3)) / 1024
    results["live"]["hello_typer_peak_mib"] = floor
    rows[-1].note = f"a hello-world Typer app's own peak is {floor:.1f} MiB"
    for peer in ("countdown-cli", "termdown"):
        if peer in figures:
            f = figures[peer]
            rows.append(Row("peers", f"{peer}: CPU a minute", f"{f['cpu_per_min_s']:.3f} s", "", None, "info", None,
                            note=f"{f['bytes_per_s']:,.0f} B/s drawn, peak {f['peak_mib']:.1f} MiB; {how}", data=f))
        else:
            rows.append(Row("peers", f"{peer}: CPU a minute", "not run" if peer not in cpu_runs else "failed",
                            note=problems.get(peer, "")))

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
    pulse_long = cpu_runs["headrub, pulse"][0]
    if pulse_long.get("end_error_observed_s") is not None:
        rows.append(Row("live", f"end error observed, {cpu_len} s session (the CPU run)",
                        fmt_signed_ms(pulse_long["end_error_observed_s"]), "", None,
                        f"|e| ≤ {END_ERROR_MAX_S * 1000:.0f} ms", abs(pulse_long["end_error_observed_s"]) <= END_ERROR_MAX_S))

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

    return rows
