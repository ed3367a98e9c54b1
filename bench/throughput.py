"""Whole-journal reads against the floor (issue 16): rows of CPU time against json.loads of every line."""

from __future__ import annotations

from bench.common import Row, fmt_s, median, paired_ratio

# Issue 16: a whole journal exported or totted up, as CPU time against a plain loop of the standard
# library's json.loads over every line of the same file (the floor a Python reader cannot beat).
THROUGHPUT_CASES = [
    ("journal --csv, everything", ["journal", "--since", "2000-01-01", "--csv"], "read"),
    ("journal --json, everything", ["journal", "--since", "2000-01-01", "--json"], "read"),
]
FLOOR = "json.loads of every line"
FLOOR_CODE = "import json, sys\nwith open(sys.argv[1], 'rb') as lines:\n    for line in lines:\n        json.loads(line)\n"
FLOOR_RATIO_CASES = ["journal --csv, everything", "journal --json, everything", "stats, no cache"]
THROUGHPUT_MAX_RATIO = 2.0  # CPU time at most twice the floor's, at a million entries
EXPORT_MEMORY_MAX_MIB = 50.0  # peak memory of the exports at a million entries


def throughput_rows(sizes: list[int], cpus: dict[tuple[str, int], list[float]], rss: dict[tuple[str, int], list[int]],
                    failures: dict[tuple[str, int], str]) -> list[Row]:
    """CPU time against the json.loads floor in the same rounds (target at a million entries), and
    the exports' peak memory."""
    rows: list[Row] = []
    for name in FLOOR_RATIO_CASES:
        for n in sizes:
            if not n:
                continue
            key, floor = (name, n), (FLOOR, n)
            limit = THROUGHPUT_MAX_RATIO if n == MILLION else None
            label, target = f"{name}, {size_label(n)} entries, CPU", f"≤ {limit:.2f}× of {FLOOR}" if limit else "info"
            if not cpus.get(key) or not cpus.get(floor):
                why = failures.get(key) or failures.get(floor) or "not run"
                rows.append(Row("journal", label, "failed", target=target, met=False if limit else None, note=why))
                continue
            ratio = paired_ratio(cpus[key], cpus[floor])
            rows.append(Row("journal", label, fmt_s(median(cpus[key])), f"{fmt_s(median(cpus[floor]))} {FLOOR}", ratio,
                            target, (ratio is not None and ratio <= limit) if limit else None,
                            note="user + sys CPU of the child (os.wait4); ratio: median of the per-round ratios" if limit else "",
                            data={"median_cpu_s": median(cpus[key]), "floor_median_cpu_s": median(cpus[floor])}))
    for name, _, _ in THROUGHPUT_CASES:
        peaks = [(max(rss[(name, n)]) / 1024, n) for n in sizes if rss.get((name, n))]
        if not peaks:
            continue
        peak, at = max(peaks)
        judged = at == MILLION
        rows.append(Row("memory", f"peak memory: {name} (at {size_label(at)})", f"{peak:.1f} MiB", "", None,
                        f"≤ {EXPORT_MEMORY_MAX_MIB:.0f} MiB at 1M" if judged else "info",
                        peak <= EXPORT_MEMORY_MAX_MIB if judged else None, data={"peak_mib": peak}))
    return rows


MILLION = 1_000_000  # where the targets are judged


def size_label(n: int) -> str:
    """10k, 100k, 1M."""
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n >= 1000 else str(n)
