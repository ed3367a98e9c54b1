"""The stats cache: `stats` over everything reads only what was appended, and always prints what a full read would."""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from headrub import journal, stats, statscache
from headrub.cli import app
from headrub.paths import cache_dir, journal_file

NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)  # a Thursday
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def cache_file() -> Path:
    return cache_dir() / stats.CACHE_NAME


def entry(
    day: int, routine: str = "scalp-sleep", seconds: float = 600.4, before: int = 6, after: int = 2
) -> bytes:
    """One stored line for a session on November ``day`` of 2026 (logged when it ended)."""
    start = datetime(2026, 11, day, 21, 0, tzinfo=UTC)
    stored = journal.make_entry(
        routine=routine, started_at=start, ended_at=start + timedelta(seconds=seconds), active_s=seconds,
        tension_before=before, tension_after=after, entry_id=f"0000{day:02d}{routine}",  # sorts before the ids headrub makes
    )  # fmt: skip
    stored["logged_at"] = (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(stored).encode() + b"\n"


def write(data: bytes) -> None:
    """Append raw bytes to the journal (creating it and its folder)."""
    journal_file().parent.mkdir(parents=True, exist_ok=True)
    with journal_file().open("ab") as handle:
        handle.write(data)


def run(*args: str) -> tuple[int, str, str]:
    """``headrub ARGS`` at the frozen NOW: exit status, stdout, stderr."""
    with time_machine.travel(NOW, tick=False):
        result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


class Parses:
    """Counts the lines the cached path parses, one by one or a chunk at a time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = journal.parse
        real_chunk = statscache.parse_chunk

        def counting(raw: bytes) -> Any:
            self.count += 1
            return real(raw)

        def counting_chunk(chunk: bytes) -> Any:
            parsed = real_chunk(chunk)
            self.count += len(parsed)
            return parsed

        monkeypatch.setattr(statscache, "parse", counting)
        monkeypatch.setattr(statscache, "parse_chunk", counting_chunk)

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Parses:
    return Parses(monkeypatch)


def uncached(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """``stats ARGS`` the way it was before the cache: a full read_entries, no cache read or written."""
    with monkeypatch.context() as patch:
        patch.setattr(
            stats, "whole_journal", lambda path, warn: stats.aggregate(journal.read_entries(path, None, warn))
        )
        return run("stats", *args)


def check(monkeypatch: pytest.MonkeyPatch) -> None:
    """`stats` and `stats --json` print exactly what the full read prints, warnings included."""
    for args in ((), ("--json",)):
        cached = run("stats", *args)
        assert cached[0] == 0
        assert cached == uncached(monkeypatch, *args)


@pytest.fixture
def journal_of_five() -> None:
    """Five sessions on consecutive days and one bad line among them."""
    write(b"".join(entry(day) for day in (13, 14, 15)) + b"not json\n" + entry(16, "wake-up") + entry(17))


def test_first_and_second_runs_match_a_full_read_and_the_second_parses_nothing(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch, parses: Parses
) -> None:
    """The first run parses every line and writes the cache; later runs parse none and print the same."""
    check(monkeypatch)
    assert parses.take() == 6 and cache_file().exists()
    check(monkeypatch)
    check(monkeypatch)
    assert parses.take() == 0
    assert "journal.jsonl:4: skipped a line" in run("stats")[2]  # the warning comes from the cache


def test_an_append_is_the_only_line_parsed(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch, parses: Parses
) -> None:
    """After a `journal add`, only the new line is parsed, and the numbers match a full read."""
    run("stats")
    parses.take()
    with time_machine.travel(NOW, tick=False):
        assert (
            CliRunner()
            .invoke(app, ["journal", "add", "head-spa", "--minutes", "7", "--before", "5"])
            .exit_code
            == 0
        )
    check(monkeypatch)
    assert parses.take() == 1
    write(entry(18, "desk-reset") + b"\n" + b"[1, 2]\n")
    check(monkeypatch)
    # That line's id sorts before the one `journal add` made, so it may repeat an earlier entry:
    # The cached path stops there; reading from the start streams up to it, then the whole
    # journal is kept and folded (and cached), so later runs parse nothing.
    assert 9 < parses.take() <= 3 * 9
    check(monkeypatch)
    assert parses.take() == 0


def test_a_copy_or_a_correction_after_the_cached_part_is_folded_like_a_full_read(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duplicated line and an edit appended after the cache: the numbers are a full read's."""
    check(monkeypatch)
    write(entry(17))  # the same session again (a hand-concatenated journal)
    check(monkeypatch)
    assert json.loads(run("stats", "--json")[1])["sessions"] == 5
    (last,) = [e for e in journal.read_entries() if e["id"] == "000017scalp-sleep"]
    fix = {**journal.make_correction(last, "edit", {"tension_after": 6}), "logged_at": "2026-11-19T20:00:00Z"}
    write(json.dumps(fix).encode() + b"\n")
    check(monkeypatch)
    gone = {**journal.make_correction(last, "delete"), "logged_at": "2026-11-19T20:00:00Z"}
    write(json.dumps(gone).encode() + b"\n")
    check(monkeypatch)
    assert json.loads(run("stats", "--json")[1])["sessions"] == 4


def test_a_replaced_journal_is_read_afresh(journal_of_five: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal replaced by another file (a sync, a restore) with the same length: not the cache's."""
    check(monkeypatch)
    data = journal_file().read_bytes()
    swapped = data.replace(b'"tension_after": 2', b'"tension_after": 9')
    assert len(swapped) == len(data)
    fresh = journal_file().with_name("new.jsonl")
    fresh.write_bytes(swapped)
    os.replace(fresh, journal_file())
    check(monkeypatch)


def test_the_check_reads_the_same_few_blocks_whatever_the_size(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm stats reads a bounded number of bytes to trust the cache: not the whole journal."""
    write(b"".join(entry(1 + i % 12, f"r{i}") for i in range(3000)))
    run("stats")
    sizes = []
    for extra in (0, 6000):
        write(b"".join(entry(1 + i % 12, f"s{extra}-{i}") for i in range(extra)))
        run("stats")
        with monkeypatch.context() as patch:
            opened = CountingOpen(patch)
            run("stats")
        sizes.append(opened.total)
    assert sizes[1] == sizes[0] < 400_000 < journal_file().stat().st_size


class CountingOpen:
    """Counts the bytes read from journal.jsonl through the journal's reader."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.total = 0
        real = journal.files._open_for_read

        def opener(path: Path) -> Any:
            handle = real(path)
            outer = self

            class Counting:
                def __enter__(self) -> Any:
                    return self

                def __exit__(self, *exc: object) -> None:
                    handle.close()

                def fileno(self) -> int:
                    return handle.fileno()

                def seek(self, offset: int, whence: int = 0) -> int:
                    return handle.seek(offset, whence)

                def tell(self) -> int:
                    return handle.tell()

                def read(self, size: int = -1) -> bytes:
                    data = handle.read(size)
                    outer.total += len(data)
                    return data

            return Counting()

        patch.setattr(journal.files, "_open_for_read", opener)


def test_a_back_dated_add_counts_on_its_own_day(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`journal add --at` weeks back changes the streaks just as a full read says."""
    check(monkeypatch)
    with time_machine.travel(NOW, tick=False):
        added = CliRunner().invoke(
            app, ["journal", "add", "scalp-sleep", "--minutes", "9", "--at", "2026-11-12T08:00"]
        )
    assert added.exit_code == 0
    check(monkeypatch)
    assert json.loads(run("stats", "--json")[1])["longest_streak_days"] == 6


def test_a_torn_last_line_is_warned_every_time_but_never_cached(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch, parses: Parses
) -> None:
    """A torn tail is warned with its number on every run, never cached, and read right once an append mends it."""
    check(monkeypatch)
    write(b'{"v": 1, "routine": "cut-sh')
    check(monkeypatch)
    check(monkeypatch)
    body = json.loads(cache_file().read_bytes())["body"]
    assert (
        body["length"] == journal_file().stat().st_size - len(b'{"v": 1, "routine": "cut-sh')
        and body["lines"] == 6
    )
    assert "journal.jsonl:7: skipped" in run("stats")[2]
    with time_machine.travel(NOW, tick=False):
        assert CliRunner().invoke(app, ["journal", "add", "wake-up", "--minutes", "4"]).exit_code == 0
    parses.take()
    check(monkeypatch)
    assert parses.take() == 2  # the torn line, now whole, and the new one, then both are cached
    assert "journal.jsonl:7: skipped" in run("stats")[2]


def test_a_torn_tail_that_happens_to_parse_counts_but_is_not_cached(
    monkeypatch: pytest.MonkeyPatch, parses: Parses
) -> None:
    """A last line without its newline still counts when it parses, and is read again next time."""
    write(entry(13) + entry(14)[:-1])
    check(monkeypatch)
    assert json.loads(run("stats", "--json")[1])["sessions"] == 2
    assert json.loads(cache_file().read_bytes())["body"]["lines"] == 1
    parses.take()
    run("stats")
    assert parses.take() == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"active_s": 600.4', b'"active_s": 900.4'),
        (b'"active_s": 600.4', b'"active_s": 60.4'),
        (b"not json", b"{}"),
    ],
    ids=["same length", "shorter", "a bad line edited"],
)
def test_a_hand_edit_in_the_covered_part_invalidates_the_cache(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch, parses: Parses, old: bytes, new: bytes
) -> None:
    """Changing any byte the cache covers makes the next run read everything again, and get it right."""
    check(monkeypatch)
    data = journal_file().read_bytes()
    at = data.index(old, len(data) // 3)
    journal_file().write_bytes(data[:at] + new + data[at + len(old) :])
    parses.take()
    check(monkeypatch)
    assert parses.take() == 6  # the first run reads it all and rewrites the cache; the second reads none
    check(monkeypatch)
    assert parses.take() == 0


def test_truncation_below_the_cached_length_invalidates(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal cut shorter than the cache covers (to a line end, or mid-line) is read afresh."""
    check(monkeypatch)
    data = journal_file().read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    journal_file().write_bytes(data[:cut])
    check(monkeypatch)
    journal_file().write_bytes(data[: cut - 10])
    check(monkeypatch)
    journal_file().write_bytes(b"")
    check(monkeypatch)
    assert run("stats")[1].startswith("No sessions")


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"\xff\xfe\x00",
        b"[]",
        b'{"check": "0", "body": {}}',
        b"null",
    ],
)
def test_a_damaged_cache_falls_back_silently(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    """Whatever the cache holds, stats prints the full read's output, no more warnings, exit 0, and mends it."""
    check(monkeypatch)
    cache_file().write_bytes(damage)
    check(monkeypatch)
    assert json.loads(cache_file().read_bytes())["body"]["lines"] == 6


def test_a_cache_with_wrong_numbers_but_a_stale_check_is_not_believed(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing the cached numbers (or its version, or its types) without its checksum is ignored."""
    check(monkeypatch)
    good = json.loads(cache_file().read_bytes())
    for path, value in ((("aggregate", "sessions"), 99), (("context", "format"), 0), (("lines",), "six")):
        data = json.loads(json.dumps(good))
        target = data["body"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        cache_file().write_text(json.dumps(data))
        check(monkeypatch)


def test_a_cache_for_another_zone_or_python_is_stale(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch, parses: Parses
) -> None:
    """A cache written with other reading rules (here: another local zone) is not used."""
    check(monkeypatch)
    parses.take()
    monkeypatch.setattr(statscache, "_context", lambda target: {"other": "zone"})
    run("stats")
    assert parses.take() == 6


def test_an_unwritable_cache_changes_nothing(journal_of_five: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder where the cache should be, or a full disk, leaves stats' output and exit status alone."""
    cache_file().parent.mkdir(parents=True, exist_ok=True)
    cache_file().mkdir()
    check(monkeypatch)
    cache_file().rmdir()

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    for name in ("replace", "fsync", "write"):
        with monkeypatch.context() as patch:
            patch.setattr(os, name, full)
            check(monkeypatch)
        assert not cache_file().exists()
        assert sorted(p.name for p in journal_file().parent.iterdir()) == [
            "journal.jsonl"
        ]  # no temp file left


def test_an_unreadable_cache_is_ignored(journal_of_five: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """If opening the cache fails, stats reads the journal as it always did."""
    check(monkeypatch)
    real_open = open

    def refuse(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(stats.CACHE_NAME):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    check(monkeypatch)


def test_a_broken_cache_path_falls_back_to_the_full_read(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even an unexpected error inside the cached path gives the full read's output."""

    def broken(*args: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(statscache, "_read_through", broken)
    check(monkeypatch)
    assert not cache_file().exists()


@posix_only
@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_the_cache_is_private(journal_of_five: None, umask: int) -> None:
    """The cache is 0600 whatever the umask."""
    old = os.umask(umask)
    try:
        run("stats")
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache_file().stat().st_mode) == 0o600


def test_no_journal_means_no_cache(isolated_dirs: tuple[Path, Path]) -> None:
    """Without a journal, stats creates nothing at all."""
    _, data = isolated_dirs
    assert run("stats")[0] == 0 and run("stats", "--json")[0] == 0
    assert not data.exists()
    data.mkdir()
    run("stats")
    assert list(data.iterdir()) == []


def test_an_unreadable_journal_is_still_the_same_error(isolated_dirs: tuple[Path, Path]) -> None:
    """A journal that is a folder: exit 1, one line, no cache."""
    journal_file().mkdir(parents=True)
    status, _, err = run("stats")
    assert status == 1 and err.count("\n") == 1 and str(journal_file()) in err
    assert not cache_file().exists()


def test_a_window_neither_needs_nor_writes_the_cache(
    journal_of_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stats --days 7` (and other windows) read the journal as before and leave the cache alone."""
    for args in (("--days", "7"), ("--week",), ("--since", "2026-11-01")):
        assert run("stats", *args)[0] == 0
    assert not cache_file().exists()
    cache_file().parent.mkdir(parents=True)
    cache_file().write_bytes(b"junk")
    assert run("stats", "--days", "7", "--json")[0] == 0
    assert cache_file().read_bytes() == b"junk"


def test_the_journal_is_never_written(journal_of_five: None) -> None:
    """Reading through the cache leaves journal.jsonl byte for byte as it was."""
    before = journal_file().read_bytes()
    write(b'{"torn')
    before += b'{"torn'
    for _ in range(3):
        run("stats")
    assert journal_file().read_bytes() == before


# --- whole_journal against a full read on random journals ----------------------------------------

GOOD = st.builds(
    lambda day, routine, seconds, before, after, version: (
        entry(day, routine, seconds, before, after)
        if version == 1
        else json.dumps(
            {"v": version, "routine": routine, "started_at": f"2026-11-{day:02d}T08:00:00+02:00"}
        ).encode()
        + b"\n"
    ),
    st.integers(1, 19),
    st.sampled_from(["scalp-sleep", "wake-up", "desk-reset"]),
    st.floats(0, 5000),
    st.integers(0, 10),
    st.integers(0, 10),
    st.sampled_from([1, 1, 1, 2]),
)
ODD = st.sampled_from(
    [
        b"not json\n",
        b"\n",
        b"   \n",
        b"\xff\xfe\n",
        b"[1, 2]\n",
        b'{"v": 1, "routine": "x", "started_at": "2026-11-02T08:00:00", "logged_at": "2026-11-02T09:00:00Z"}\n',
        b'{"v": 1, "routine": "x", "started_at": "2026-11-03T08:00:00Z", "tension_before": 11}\n',
        b'{"v": 1, "routine": "x", "started_at": "2026-11-03T08:00:00Z", "active_s": NaN}\n',
        b'{"v": 1, "routine": "x", "started_at": "2026-11-04T08:00:00+05:00", "ended_at": "yesterday"}\n',
    ]
)
CHUNKS = st.lists(st.lists(st.one_of(GOOD, GOOD, ODD), max_size=6).map(b"".join), min_size=1, max_size=5)


def full_read(target: Path) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    totals = stats.aggregate(journal.read_entries(target, None, warnings.append))
    return stats.finish(totals, NOW), warnings


def through_cache(target: Path) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    return stats.finish(stats.whole_journal(target, warnings.append), NOW), warnings


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CHUNKS, st.binary(max_size=30), st.data())
def test_appending_in_chunks_always_matches_a_full_read(
    tmp_path: Path, chunks: list[bytes], torn: bytes, data: st.DataObject
) -> None:
    """Random journals appended in chunks, then torn, mended and hand-edited: always a full read's answer and warnings."""
    folder = tmp_path / f"j{os.urandom(6).hex()}"
    folder.mkdir()
    target = folder / "journal.jsonl"
    target.write_bytes(b"")
    for chunk in chunks:
        with target.open("ab") as handle:
            handle.write(chunk)
        assert through_cache(target) == full_read(target)
        assert through_cache(target) == full_read(target)
    with target.open("ab") as handle:
        handle.write(torn.replace(b"\n", b""))
    assert through_cache(target) == full_read(target)
    if torn:
        with target.open("ab") as handle:
            handle.write(b"\n" + entry(19) + b"not json\n")  # as journal.append steps over a torn tail
        assert through_cache(target) == full_read(target)
        assert through_cache(target) == full_read(target)
    content = target.read_bytes()
    if content:
        at = data.draw(st.integers(0, len(content) - 1))
        edit = data.draw(st.binary(max_size=3))
        target.write_bytes(content[:at] + edit + content[at + data.draw(st.integers(0, 3)) :])
        assert through_cache(target) == full_read(target)
        assert through_cache(target) == full_read(target)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["new", "new", "backdated", "copy", "edit", "delete", "junk"]), st.integers(0, 99)), max_size=30))
def test_a_first_read_of_a_journal_that_needs_folding_is_a_full_reads_answer(
    tmp_path: Path, steps: list[tuple[str, int]]
) -> None:
    """Copies, edits, deletions and back-dated ids: the first stats (streamed, folding only what
    repeats) and the next (through the cache) equal aggregate(read_entries(...))."""
    folder = tmp_path / f"j{os.urandom(6).hex()}"
    folder.mkdir()
    target = folder / "journal.jsonl"
    target.write_bytes(b"")
    made: list[dict[str, Any]] = []
    for kind, n in steps:
        moment = NOW - timedelta(days=n % 40, minutes=n)
        if kind in ("copy", "edit", "delete") and made:
            chosen = made[n % len(made)]
            if kind == "copy":
                line = dict(chosen)
            else:
                line = {**journal.make_correction(chosen, kind, {"tension_after": n % 11} if kind == "edit" else None), "logged_at": "2026-11-19T19:00:00Z"}
            journal.append_lines([line], target)
        elif kind == "junk":
            with target.open("ab") as handle:
                handle.write(b"{oops\n")
        elif kind != "copy" and kind != "edit" and kind != "delete":
            with time_machine.travel(moment if kind == "backdated" else NOW - timedelta(days=40 - len(made) % 40), tick=False):
                entry_id = journal.new_id()
            entry = journal.make_entry(routine=f"r{n % 3}", started_at=moment, ended_at=moment, active_s=60 + n,
                                       tension_before=n % 11, tension_after=(n * 7) % 11, entry_id=entry_id)  # fmt: skip
            made.append({**entry, "logged_at": "2026-11-19T19:00:00Z"})
            journal.append_lines([made[-1]], target)
        for cache in cache_dir().glob("*"):
            cache.unlink()
        assert through_cache(target) == full_read(target)
    assert through_cache(target) == full_read(target)
