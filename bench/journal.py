"""The journal at scale: synthetic journals and headrub's commands over them."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    MIB,
    PEAK_MEMORY_MAX_MIB,
    RUN_PY,
    STATS_ALL_MAX_RATIO,
    WEEK_ADD_MAX_RATIO,
    Row,
    Run,
    fmt_s,
    headrub_argv,
    log,
    median,
    memory_floor_mib,
    paired_ratio,
    run_piped,
    with_dirs,
)
from bench.peers import Peer, not_run
from bench.templates import JRNL_CONFIG
from bench.throughput import FLOOR, FLOOR_CODE, THROUGHPUT_CASES, size_label, throughput_rows

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


_ROUTINE_WEIGHTS = list(itertools.accumulate([9, 6, 8, 4, 2, 3, 3, 2, 1]))


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


def make_journal(path: Path, n: int, now: dt.datetime, seed: int = 6, peers_dir: Path | None = None) -> dict[str, Any]:
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
    if peers_dir is not None:
        write_peer_journals(peers_dir, [entry for _, entry in items])
    return {"entries": n, "recent_tail": tail, "bytes": path.stat().st_size,
            "back_dated": sum(1 for _, e in items if e["source"] == "manual")}


def write_peer_journals(folder: Path, entries: list[dict[str, Any]]) -> None:
    """The same sessions as jrnl's plain-text journal and as Watson's frames, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    by_start = sorted(entries, key=lambda e: e["started_at"])
    with open(folder / "journal.txt", "w", encoding="utf-8") as out:
        for e in by_start:
            started = dt.datetime.fromisoformat(e["started_at"])
            minutes = round(float(e["active_s"]) / 60)
            note = f" {e['note']}" if e.get("note") else ""
            out.write(f"[{started:%Y-%m-%d %H:%M}] {e['title']}, {minutes} min. @massage{note}\n\n")
    (folder / "journal.txt").chmod(0o600)
    frames = []
    for e in by_start:
        start = int(dt.datetime.fromisoformat(e["started_at"]).timestamp())
        stop = int(dt.datetime.fromisoformat(e["ended_at"]).timestamp())
        frames.append([start, max(stop, start + 1), e["routine"], e["id"].lower()[:32], ["massage"], stop])
    (folder / "watson").mkdir(exist_ok=True)
    with open(folder / "watson" / "frames", "w", encoding="utf-8") as out:
        json.dump(frames, out)
    (folder / "jrnl.yaml").write_text(JRNL_CONFIG.format(journal=folder / "journal.txt"))


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


# The peers' nearest to `journal --week`, over the same sessions: (row name, peer, its arguments).
PEER_CASES = [
    ("jrnl: entries of the last week", "jrnl"),
    ("watson: log --week", "watson"),
]
PEER_MAX_ENTRIES = 100_000  # jrnl parses its whole file on every run: a million would take minutes a run
BIG = 1_000_000  # sizes from here on get only this many rounds: a full read there takes seconds
BIG_ROUNDS = 3
TARGET_SIZE = 100_000  # where issue 6's targets are judged; a million is for information


def peer_argv(peer: Peer, folder: Path, now: dt.datetime) -> list[str]:
    assert peer.argv is not None
    if peer.name == "jrnl":
        since = (now.astimezone() - dt.timedelta(days=6)).strftime("%Y-%m-%d")
        return [*peer.argv, "--config-file", str(folder / "jrnl.yaml"), "-from", since]
    return [*peer.argv, "log", "--week", "--no-pager"]


def bench_journal(work: Path, env: dict[str, str], sizes: list[int], rounds: int, peers: dict[str, Peer],
                  results: dict[str, Any]) -> list[Row]:
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
        dirs[("peer", n)] = work / f"journal-{n}" / "peers"
        with_peers = [str(dirs[("peer", n)])] if n <= PEER_MAX_ENTRIES and peers else []
        makers[n] = subprocess.Popen(
            [sys.executable, str(RUN_PY), "--make-journal", str(dirs[("read", n)] / "journal.jsonl"),
             str(n), now.isoformat(), *with_peers], stdout=subprocess.PIPE, text=True)
    for n in sizes:
        made[n] = json.loads(makers[n].communicate()[0])
        for kind in ("cold", "add"):  # each its own copy: add grows its journal, cold loses its cache
            shutil.copyfile(dirs[("read", n)] / "journal.jsonl", dirs[(kind, n)] / "journal.jsonl")
        for kind in ("read", "cold", "add"):
            os.chmod(dirs[(kind, n)] / "journal.jsonl", 0o600)
        log(f"  journal of {n:,} entries: {made[n]['bytes'] / MIB:.1f} MiB, {made[n]['back_dated']} back-dated")
    log(f"  made in {time.perf_counter() - t:.1f} s")
    walls: dict[tuple[str, int], list[float]] = {}
    cpus: dict[tuple[str, int], list[float]] = {}  # user + sys of the child, from os.wait4
    rss: dict[tuple[str, int], list[int]] = {}
    failures: dict[tuple[str, int], str] = {}
    outputs: dict[tuple[str, int], int] = {}
    extra_files: set[str] = set()

    peer_sizes = [n for n in sizes if n <= PEER_MAX_ENTRIES]
    running_peers = [(name, peers[p]) for name, p in PEER_CASES if p in peers and peers[p].argv]

    def record(key: tuple[str, int], run: Run) -> None:
        if run.problem():
            failures[key] = run.problem() or ""
            return
        walls.setdefault(key, []).append(run.wall)
        cpus.setdefault(key, []).append(run.cpu)
        rss.setdefault(key, []).append(run.maxrss_kib)
        outputs[key] = len(run.stdout.splitlines())

    def once_peer(name: str, peer: Peer, n: int) -> None:
        folder = dirs[("peer", n)]
        record((name, n), run_piped(peer_argv(peer, folder, now), dict(env, WATSON_DIR=str(folder / "watson")), work))

    def once(name: str, args: list[str], kind: str, n: int) -> None:
        data = dirs[(kind, n)]
        if kind == "cold":
            for path in data.iterdir():
                if path.name != "journal.jsonl":
                    extra_files.add(path.name)
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        record((name, n), run_piped([*hr, *args], with_dirs(env, data), work))

    def once_export(name: str, args: list[str], kind: str, n: int) -> None:
        # a million entries as JSON are 466 MB: read and dropped, not kept (see run_piped)
        record((name, n), run_piped([*hr, *args], with_dirs(env, dirs[(kind, n)]), work, keep=False))
        outputs.pop((name, n), None)  # (not counted)

    def once_floor(n: int) -> None:
        record((FLOOR, n), run_piped([sys.executable, "-c", FLOOR_CODE, str(dirs[("read", n)] / "journal.jsonl")], env, work))

    for name, args, kind in JOURNAL_CASES:  # warm-up (caches, headrub's own too), and find what does not work yet
        for n in sizes if kind != "cold" else sizes[:1]:
            once(name, args, kind, n)
    for name, args, kind in THROUGHPUT_CASES:  # the exports: once, on the smallest journal
        once_export(name, args, kind, sizes[1])
    for name, peer in running_peers:
        for n in peer_sizes:
            once_peer(name, peer, n)
    walls.clear()
    cpus.clear()
    rss.clear()
    for r in range(rounds):
        order = [n for n in sizes[r % len(sizes):] + sizes[: r % len(sizes)] if n < BIG or r < BIG_ROUNDS]
        for name, args, kind in JOURNAL_CASES:
            for n in order:
                if (name, n) not in failures:
                    once(name, args, kind, n)
        for n in order:  # the floor and the exports, side by side with "stats, no cache" in each round
            if n:
                once_floor(n)
                for name, args, kind in THROUGHPUT_CASES:
                    if (name, n) not in failures:
                        once_export(name, args, kind, n)
        for name, peer in running_peers:
            for n in order:
                if n in peer_sizes and (name, n) not in failures:
                    once_peer(name, peer, n)
    for n in sizes:
        for kind in ("read", "add"):
            extra_files.update(p.name for p in dirs[(kind, n)].iterdir() if p.name != "journal.jsonl")
    results["journal"] = {
        "journals": {str(n): made[n] for n in sizes},
        "files_headrub_added_to_the_data_folder": sorted(extra_files),
        "runs": {
            f"{name} @{n}": {"wall_s": walls.get((name, n), []), "median_wall_s": median(walls.get((name, n), [])),
                             "cpu_s": cpus.get((name, n), []), "median_cpu_s": median(cpus.get((name, n), [])),
                             "maxrss_mib": [k / 1024 for k in rss.get((name, n), [])],
                             "stdout_lines": outputs.get((name, n)), "failure": failures.get((name, n))}
            for name in [*(c[0] for c in JOURNAL_CASES), *(c[0] for c in THROUGHPUT_CASES), FLOOR,
                         *(c[0] for c in PEER_CASES)] for n in sizes
        },
    }
    floor = memory_floor_mib()
    results["journal"]["memory_floor_mib"] = floor
    rows: list[Row] = []
    target_size = TARGET_SIZE if TARGET_SIZE in sizes else max(sizes)
    for name, _, _ in JOURNAL_CASES:
        base_key = (name, sizes[0])
        for n in sizes[1:]:
            key = (name, n)
            label = f"{name}, {size_label(n)} entries"
            limit = JOURNAL_TARGETS.get(name) if n == target_size else None
            target = f"≤ {limit:.2f}× of 0" if limit else "info"
            note = JOURNAL_NOTES.get(name, "") if n == target_size else ""
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
    rows += throughput_rows(sizes, cpus, rss, failures)
    for name, _, _ in JOURNAL_CASES:
        peaks = [(max(rss[(name, n)]) / 1024, n) for n in sizes if rss.get((name, n))]
        if not peaks:
            rows.append(Row("memory", f"peak memory: {name}", "failed", target=f"< {PEAK_MEMORY_MAX_MIB:.0f} MiB", met=False,
                            note=next((failures[(name, n)] for n in sizes if (name, n) in failures), "")))
            continue
        peak, at = max(peaks)
        zero = next((p for p, n in peaks if n == 0), None)
        note = f"at or below this script's own peak ({floor:.0f} MiB), so the true figure is lower" if peak <= floor * 1.02 else ""
        rows.append(Row("memory", f"peak memory: {name} (at {size_label(at)})" if at else f"peak memory: {name}",
                        f"{peak:.1f} MiB", f"{zero:.1f} MiB at 0" if zero is not None else "",
                        peak / zero if zero else None, f"< {PEAK_MEMORY_MAX_MIB:.0f} MiB", peak < PEAK_MEMORY_MAX_MIB,
                        note=note, data={"peak_mib": peak, "by_size_mib": {str(n): p for p, n in peaks}}))
    for name, peer_name in PEER_CASES:
        if not any(peer_name == p.name for _, p in running_peers):
            rows.append(Row("peers", name, "not run", note=not_run(peers, peer_name)))
            continue
        for n in peer_sizes:
            key, ours = (name, n), ("journal --week", n)
            label = f"{name}, {size_label(n)} entries"
            if key in failures or ours in failures:
                rows.append(Row("peers", label, "failed", note=failures.get(key) or failures.get(ours) or ""))
                continue
            rows.append(Row("peers", label, fmt_s(median(walls[key])), f"{fmt_s(median(walls[ours]))} headrub journal --week",
                            paired_ratio(walls[key], walls[ours]), "info", None,
                            note=f"peak {max(rss[key]) / 1024:.1f} MiB" if rss.get(key) else "",
                            data={"median_wall_s": median(walls[key])}))
    return rows


# ---------------------------------------------------------------------------------------------
# 3–5. live sessions in pseudo-terminals (each job runs in its own helper process: see --lane)
