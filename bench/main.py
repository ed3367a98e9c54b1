"""The command line of the benchmark: sections, the run, the table, results.json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import REPO, RUN_PY, SECTIONS, Row, base_env, log, machine_info, markdown_table, print_table
from bench.journal import bench_journal, make_journal
from bench.live import bench_live
from bench.peers import PEERS, find_peers
from bench.startup import bench_startup, importtime_report, print_importtime
from bench.terminal import lane_main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="headrub's benchmark suite (issues 6 and 16).")
    parser.add_argument("--quick", action="store_true", help="a smoke run in under a minute (fewer samples, shorter sessions)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json", help="where to write the JSON results")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--verbose", "-v", action="store_true", help="also print the import-time offenders of `headrub list`")
    parser.add_argument("--peer", action="append", default=[], metavar="NAME=PATH",
                        help=f"a peer's script to use instead of finding or installing it ({', '.join(PEERS)})")
    parser.add_argument("--no-peers", action="store_true", help="measure headrub alone, without the peers")
    parser.add_argument("--lane", metavar="SPEC_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--make-journal", nargs="+", metavar="PATH N NOW [PEERS_DIR]", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lane:
        return lane_main(args.lane)
    if args.make_journal:
        path, n, now, *peers_dir = args.make_journal
        made = make_journal(Path(path), int(n), dt.datetime.fromisoformat(now),
                            peers_dir=Path(peers_dir[0]) if peers_dir else None)
        print(json.dumps(made))
        return 0
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    explicit: dict[str, str] = {}
    for item in args.peer:
        name, _, path = item.partition("=")
        if name not in PEERS or not path:
            parser.error(f"--peer wants NAME=PATH with NAME one of {', '.join(PEERS)}, not {item!r}")
        explicit[name] = path
    import importlib.util

    if importlib.util.find_spec("headrub") is None:
        venv_python = REPO / ".venv" / "bin" / "python"
        if venv_python.is_file() and not os.environ.get("HEADRUB_BENCH_REEXEC"):
            os.environ["HEADRUB_BENCH_REEXEC"] = "1"  # once: a venv without headrub must not loop
            os.execv(str(venv_python), [str(venv_python), str(RUN_PY), *(sys.argv[1:] if argv is None else argv)])
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
        peers = find_peers(sections, explicit, args.no_peers)
        results["peers"] = {name: {"argv": p.argv, "version": p.version, "why_not": p.why or None}
                            for name, p in peers.items()}
        if "startup" in sections:
            log("start-up …")
            rows += bench_startup(work, env, 3 if args.quick else 21, peers, results, warm=1 if args.quick else 2)
            if not args.quick or args.verbose:
                results["importtime"] = importtime_report(work, env)
        if "journal" in sections:
            log("journal at scale …")
            sizes = [0, 10_000] if args.quick else [0, 10_000, 100_000, 1_000_000]
            rows += bench_journal(work, env, sizes, 2 if args.quick else 9, peers, results)
        if "live" in sections:
            log("live sessions …")
            rows += bench_live(work, env, args.quick, peers, results)
    order = {"startup": 0, "journal": 1, "memory": 2, "live": 3, "peers": 4}
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

