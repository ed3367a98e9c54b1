"""Files that are not what they seem, long lines, and readers that never hold a writer up."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from typer.testing import CliRunner

from headrub import journal, stats, statscache
from headrub.cli import app
from headrub.paths import cache_dir, journal_file
from headrub.timeutil import Window

NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files")


def run(*args: str) -> Any:
    with time_machine.travel(NOW, tick=False):
        return CliRunner().invoke(app, list(args))


def one_line_error(result: Any, status: int = 1) -> None:
    assert result.exit_code == status, result.stderr
    assert result.stderr.count("\n") >= 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("headrub: ")


@posix_only
def test_a_journal_that_is_a_symlink_is_neither_followed_nor_written(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_bytes(b"")
    journal_file().parent.mkdir(parents=True)
    journal_file().symlink_to(elsewhere)
    added = run("journal", "add", "x", "--minutes", "5")
    one_line_error(added)
    assert "symbolic link" in added.stderr and "to keep by hand" in added.stderr
    one_line_error(run("journal"))
    one_line_error(run("stats"))
    assert elsewhere.read_bytes() == b""


@posix_only
def test_a_data_folder_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    journal_file().parent.symlink_to(real, target_is_directory=True)
    result = run("journal", "add", "x", "--minutes", "5")
    one_line_error(result)
    assert list(real.iterdir()) == []
    (real / "journal.jsonl").write_text("")
    one_line_error(run("journal"))


@posix_only
def test_a_fifo_in_place_of_the_journal_is_one_line_not_a_hang() -> None:
    journal_file().parent.mkdir(parents=True)
    os.mkfifo(journal_file())
    code = (
        "import sys; from headrub.cli import run; sys.argv = ['headrub'] + sys.argv[1:]; run()"
    )
    for args in (["journal"], ["stats"], ["journal", "add", "x", "--minutes", "3"], ["journal", "--csv"]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 1, (args, done.stderr)
        assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


@posix_only
def test_an_existing_journal_with_a_loose_mode_is_made_0600_with_one_notice() -> None:
    with time_machine.travel(NOW, tick=False):
        journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=60))
    os.chmod(journal_file(), 0o644)
    first = run("journal", "add", "y", "--minutes", "2")
    assert first.exit_code == 0 and "now 0600" in first.stderr and first.stderr.count("0600") == 1
    assert stat.S_IMODE(journal_file().stat().st_mode) == 0o600
    assert "0600" not in run("journal", "add", "z", "--minutes", "2").stderr
    os.chmod(journal_file(), 0o664)
    assert "now 0600" in run("journal").stderr
    assert stat.S_IMODE(journal_file().stat().st_mode) == 0o600


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder", "huge"])
def test_a_stats_cache_that_is_not_a_plain_small_file_is_ignored(kind: str, tmp_path: Path) -> None:
    """A FIFO, a symlink, a folder or an oversized file where the cache goes: stats is right and nothing hangs."""
    with time_machine.travel(NOW, tick=False):
        journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=60))
    cache = cache_dir() / stats.CACHE_NAME
    cache.parent.mkdir(parents=True)
    target = tmp_path / "target"
    target.write_bytes(b"keep")
    if kind == "fifo":
        os.mkfifo(cache)
    elif kind == "symlink":
        cache.symlink_to(target)
    elif kind == "folder":
        cache.mkdir()
    else:
        with cache.open("wb") as handle:
            handle.truncate(statscache.MAX_CACHE_BYTES + 10)
    code = "import sys; from headrub.cli import run; sys.argv = ['headrub', 'stats', '--json']; run()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["sessions"] == 1, done.stderr
    assert target.read_bytes() == b"keep"
    assert [p.name for p in cache.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_ctrl_c_while_the_cache_is_saved_leaves_no_temporary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    with time_machine.travel(NOW, tick=False):
        journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=60))
    real_fsync = os.fsync

    def interrupted(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode) and any(cache_dir().glob(".*.tmp")):
            raise KeyboardInterrupt
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        stats.whole_journal()
    assert list(cache_dir().iterdir()) == []


def test_the_cache_lives_in_the_cache_folder_and_an_old_one_beside_the_journal_goes() -> None:
    with time_machine.travel(NOW, tick=False):
        journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=60))
    old = journal_file().with_name(stats.CACHE_NAME)
    old.write_text("{}")
    assert run("stats").exit_code == 0
    assert (cache_dir() / stats.CACHE_NAME).is_file() and not old.exists()
    assert stat.S_IMODE(cache_dir().stat().st_mode) == 0o700


def test_a_long_run_of_bytes_without_a_newline_is_read_backwards_in_linear_time(tmp_path: Path) -> None:
    """4 MB with no newline, read backwards 64 bytes at a time: one warning, the entry after it still read.
    (Joining the pieces once per line keeps this linear; the old reader copied the tail at every block.)"""
    path = tmp_path / "journal.jsonl"
    with time_machine.travel(NOW, tick=False):
        journal.append(journal.make_entry(routine="before", started_at=NOW, ended_at=NOW, active_s=60), path)
    with path.open("ab") as handle:
        handle.write(b"x" * 4_000_000 + b"\n")
    with time_machine.travel(NOW, tick=False):
        journal.append(journal.make_entry(routine="after", started_at=NOW, ended_at=NOW, active_s=60), path)
    warnings: list[str] = []
    window = Window(NOW - timedelta(days=1), None, "x")
    read = journal.read_entries(path, window, warnings.append, block_size=64)
    assert [entry["routine"] for entry in read] == ["before", "after"]
    assert len(warnings) == 1 and ":2: " in warnings[0]


@posix_only
def test_a_reader_in_the_middle_of_a_read_never_holds_up_a_writer() -> None:
    """While a read is under way (its file open, half its lines taken), another process appends at once."""
    with time_machine.travel(NOW, tick=False):
        for i in range(50):
            journal.append(journal.make_entry(routine=f"r{i}", started_at=NOW, ended_at=NOW, active_s=60))
    code = (
        "from datetime import datetime, UTC; from headrub import journal; now = datetime.now(UTC); "
        "journal.append(journal.make_entry(routine='writer', started_at=now, ended_at=now, active_s=1))"
    )
    with journal.reading(journal_file()) as handle:
        lines = iter(handle)
        next(lines)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        rest = list(lines)
    assert len(rest) == 49  # the reader sees the journal as it was when it began
    assert journal.read_entries()[-1]["routine"] == "writer"
