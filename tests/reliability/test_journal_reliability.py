"""The journal under crashes, concurrency, disk faults, a hostile umask and DST changes (issue 7: 1, 2, 3, 6, 8).

Children are real processes (``sys.executable``) appending through ``headrub.journal``; kills are
real SIGKILLs. No test depends on how fast anything runs.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from typer.testing import CliRunner

import headrub
from headrub import journal
from headrub.cli import app
from headrub.errors import JournalError
from headrub.paths import journal_file

SRC = str(Path(headrub.__file__).resolve().parent.parent)
NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and modes")

# A child that appends forever: "ready" after its first line, then on until it is killed.
KILLED_CHILD = r"""
import sys
from datetime import datetime, timezone
from pathlib import Path
from headrub import journal
path, tag, pad = Path(sys.argv[1]), sys.argv[2], "x" * int(sys.argv[3])
moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
i = 0
while True:
    journal.append(journal.make_entry(routine="kill", started_at=moment, ended_at=moment, active_s=1,
                                      note=f"{tag}:{i}:{pad}"), path)
    if i == 0:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
    i += 1
"""

# A child that waits for "go" on stdin, then appends N entries.
CONCURRENT_CHILD = r"""
import sys
from datetime import datetime, timezone
from pathlib import Path
from headrub import journal
path, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
entries = [journal.make_entry(routine="race", started_at=moment, ended_at=moment, active_s=1,
                              note=f"{tag}:{i}:" + "y" * (i % 300)) for i in range(count)]
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.readline()
for made in entries:
    journal.append(made, path)
"""


def child(code: str, *args: str, stdin: bool = False) -> subprocess.Popen[str]:
    """A Python child running ``code`` with headrub importable (no site: quicker to start)."""
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen(
        [sys.executable, "-S", "-c", code, *args],
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )


def note_of(line: bytes) -> tuple[str, int]:
    """The (tag, sequence) a child wrote into a line's note."""
    tag, seq, _ = json.loads(line)["note"].split(":", 2)
    return tag, int(seq)


# --- 1. crashes ------------------------------------------------------------------------------


@posix_only
@pytest.mark.slow
def test_sigkill_while_appending_never_costs_a_written_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """200 children appending (4 at a time) killed with SIGKILL at random moments: no byte written before is
    altered, no child loses a line before its last, and the only unparseable lines are torn last writes."""
    path = tmp_path / "journal.jsonl"
    rng = random.Random(7)
    batches, parallel = 50, 4
    previous = b""
    for batch in range(batches):
        # Lines longer than a page make a write that a kill can cut short: the torn case gets exercised.
        procs = [
            child(KILLED_CHILD, str(path), f"c{batch}-{k}", str(rng.choice([10, 900, 6000])))
            for k in range(parallel)
        ]
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        for proc in rng.sample(procs, len(procs)):
            time.sleep(rng.uniform(0, 0.02))  # a random moment, not a threshold: nothing waits on it
            proc.send_signal(signal.SIGKILL)
        for proc in procs:
            assert proc.wait() == -signal.SIGKILL
            assert proc.stdout is not None
            proc.stdout.close()
        data = path.read_bytes()
        assert data.startswith(previous), f"batch {batch} altered bytes written before it"
        previous = data
    # One more append lands on a line of its own, whatever the tail was.
    stored = journal.append(
        journal.make_entry(routine="after", started_at=NOW, ended_at=NOW, active_s=1), path
    )
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and journal.strip(json.loads(lines[-2])) == stored
    seen: dict[str, list[int]] = {}
    torn: list[bytes] = []
    for line in lines[:-2]:
        try:
            tag, seq = note_of(line)
        except ValueError:
            torn.append(line)
            continue
        seen.setdefault(tag, []).append(seq)
    assert len(seen) == batches * parallel
    for tag, seqs in seen.items():
        assert seqs == list(range(len(seqs))), f"{tag} lost a line before its last"
    assert len(torn) <= batches * parallel  # at most one torn write a killed child
    assert all(line.startswith(b"{\"v\": 1, ") for line in torn), [t[:80] for t in torn if not t.startswith(b"{\"v\": 1, ")]  # each the start of an entry, cut short
    warnings: list[str] = []
    whole = sum(map(len, seen.values()))
    assert len(journal.read_entries(path, None, warnings.append)) == whole + 1
    assert len(warnings) == len(torn)
    with capsys.disabled():
        print(
            f"\n[journal kill test] processes killed: {batches * parallel}, entries appended: {whole}, "
            f"torn last writes stepped over: {len(torn)}, earlier lines lost or altered: 0"
        )


def test_a_torn_tail_does_not_swallow_the_next_entry(path: Path) -> None:
    """Half a line left by a crash, then an append: the new entry and every earlier one parse."""
    first = journal.append(journal.make_entry(routine="a", started_at=NOW, ended_at=NOW, active_s=1))
    line = journal.entries._line_bytes(journal.make_entry(routine="torn", started_at=NOW, ended_at=NOW, active_s=1))
    for cut in (1, len(line) // 2, len(line) - 2):  # up to all but the closing brace
        with path.open("ab") as handle:
            handle.write(line[:cut])
        journal.append(journal.make_entry(routine="b", started_at=NOW, ended_at=NOW, active_s=1))
    warnings: list[str] = []
    read = journal.read_entries(path, None, warnings.append)
    assert read[0] == first and [e["routine"] for e in read] == ["a", "b", "b", "b"]
    assert [w.split(":")[1] for w in warnings] == ["2", "4", "6"]


# --- 2. concurrency --------------------------------------------------------------------------


@posix_only
def test_eight_processes_appending_250_each_give_exactly_2000_whole_lines(tmp_path: Path) -> None:
    """8 processes × 250 appends at once: exactly 2,000 lines, each a whole entry, none lost or interleaved."""
    path = tmp_path / "journal.jsonl"
    procs = [child(CONCURRENT_CHILD, str(path), f"p{k}", "250", stdin=True) for k in range(8)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:  # all released together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.close()
    for proc in procs:
        assert proc.wait() == 0
        assert proc.stdout is not None
        proc.stdout.close()
    data = path.read_bytes()
    assert data.endswith(b"\n")
    lines = data.split(b"\n")[:-1]
    assert len(lines) == 2000
    order: dict[str, list[int]] = {}
    for line in lines:
        tag, seq = note_of(line)
        order.setdefault(tag, []).append(seq)
    assert sorted(order) == [f"p{k}" for k in range(8)]
    assert all(seqs == list(range(250)) for seqs in order.values())
    assert len({json.loads(line)["id"] for line in lines}) == 2000
    assert len(journal.read_entries(path)) == 2000


def test_two_sessions_ending_in_the_same_millisecond_both_land(path: Path) -> None:
    """Two entries written at the same frozen instant are two lines with distinct, ordered ids."""
    with time_machine.travel(NOW, tick=False):
        a = journal.append(journal.make_entry(routine="a", started_at=NOW, ended_at=NOW, active_s=1))
        b = journal.append(journal.make_entry(routine="b", started_at=NOW, ended_at=NOW, active_s=1))
    assert a["logged_at"] == b["logged_at"] and a["id"] < b["id"]
    assert journal.read_entries() == [a, b]


# --- 3. disk faults --------------------------------------------------------------------------


@pytest.fixture
def path() -> Path:
    """The journal in the test's data folder."""
    return journal_file()


@pytest.fixture
def existing(path: Path) -> bytes:
    """A journal holding one entry; its bytes."""
    journal.append(journal.make_entry(routine="kept", started_at=NOW, ended_at=NOW, active_s=60))
    return path.read_bytes()


def refuse_open(target: Path, error: OSError, *, only_writes: bool = True) -> Callable[..., int]:
    """An ``os.open`` that raises ``error`` for ``target`` (when opened for writing)."""
    real_open = os.open

    def fake(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        writing = flags & (os.O_WRONLY | os.O_RDWR)
        if Path(file) == target and (writing or not only_writes):
            raise error
        return real_open(file, flags, *args, **kwargs)

    return fake


def enospc(*args: Any) -> int:
    """An ``os.write`` on a full disk."""
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


FAULTS: dict[str, Callable[[pytest.MonkeyPatch, Path], None]] = {
    "folder unwritable": lambda mp, p: mp.setattr(
        os, "open", refuse_open(p, PermissionError(errno.EACCES, "Permission denied", str(p)))
    ),
    "read-only file": lambda mp, p: mp.setattr(
        os, "open", refuse_open(p, PermissionError(errno.EACCES, "Permission denied", str(p)))
    ),
    "read-only filesystem": lambda mp, p: mp.setattr(
        os, "open", refuse_open(p, OSError(errno.EROFS, "Read-only file system", str(p)))
    ),
    "disk full": lambda mp, p: mp.setattr(os, "write", enospc),
    "fsync fails": lambda mp, p: mp.setattr(os, "fsync", lambda fd: enospc() and None),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_disk_faults_are_one_line_journal_errors_and_leave_the_file(
    fault: str, path: Path, existing: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each simulated fault: JournalError, one line naming the journal and the reason; the file as it was."""
    with monkeypatch.context() as patch:
        FAULTS[fault](patch, path)
        with pytest.raises(JournalError) as caught:
            journal.append(journal.make_entry(routine="lost", started_at=NOW, ended_at=NOW, active_s=1))
    message = str(caught.value)
    assert message.startswith(f"cannot write to the journal {path}: ") and "\n" not in message
    assert caught.value.exit_code == 1
    if fault != "fsync fails":  # an fsync failure comes after the write
        assert path.read_bytes() == existing


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_disk_faults_on_the_command_line_exit_1_and_print_the_entry(
    fault: str, path: Path, existing: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`journal add` under each fault: exit 1, the error line, then the entry as JSON on stderr; no traceback."""
    with monkeypatch.context() as patch, time_machine.travel(NOW, tick=False):
        FAULTS[fault](patch, path)
        result = CliRunner().invoke(app, ["journal", "add", "head-spa", "--minutes", "45", "--note", "salon"])
    assert result.exit_code == 1
    error, kept = result.stderr.splitlines()
    assert error.startswith(f"headrub: cannot write to the journal {path}: ")
    entry = json.loads(kept.split(": ", 1)[1].split(": ", 1)[1])
    assert entry["routine"] == "head-spa" and entry["note"] == "salon" and entry["source"] == "manual"


def test_the_journal_path_being_a_folder(path: Path) -> None:
    """A folder where the journal should be: JournalError saying so, nothing changed."""
    path.mkdir(parents=True)
    with pytest.raises(JournalError, match="is a directory"):
        journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=1))
    assert list(path.iterdir()) == []


def test_the_data_folder_being_a_file(isolated_dirs: tuple[Path, Path]) -> None:
    """A file where the data folder should be: JournalError, the file untouched."""
    _, data = isolated_dirs
    data.write_bytes(b"not a folder")
    with pytest.raises(JournalError, match="not a directory"):
        journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=1))
    assert data.read_bytes() == b"not a folder"


def test_the_data_folder_cannot_be_created(
    isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the data folder cannot be made (permission denied), the error names the journal; nothing is made."""
    _, data = isolated_dirs

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(os, "mkdir", refuse)
        with pytest.raises(JournalError, match="permission denied"):
            journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=1))
    assert not data.exists()


def test_a_write_cut_short_by_a_full_disk_is_stepped_over_by_the_next(
    path: Path, existing: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half a line written, then ENOSPC: a JournalError; the next append starts a fresh line and nothing earlier is lost."""
    real_write = os.write
    calls = []

    def half_then_full(fd: int, data: Any) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        return enospc()

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", half_then_full)
        with pytest.raises(JournalError, match="no space left"):
            journal.append(journal.make_entry(routine="cut", started_at=NOW, ended_at=NOW, active_s=1))
    assert path.read_bytes().startswith(existing) and not path.read_bytes().endswith(b"\n")
    later = journal.append(journal.make_entry(routine="later", started_at=NOW, ended_at=NOW, active_s=1))
    warnings: list[str] = []
    assert [e["routine"] for e in journal.read_entries(path, None, warnings.append)] == ["kept", "later"]
    assert journal.read_entries()[-1] == later and len(warnings) == 1


def unprivileged(action: Callable[[], list[str]]) -> list[str]:
    """``action()``, run as an ordinary user: as is, or (for root, whom modes do not stop) as nobody in a fork."""
    if not IS_ROOT:
        return action()
    import pwd

    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if (
        pid == 0
    ):  # the child: drop privileges, act, report through the pipe, and leave without pytest's cleanup
        try:
            os.close(read_end)
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            report = json.dumps(action())
        except BaseException as err:
            report = json.dumps([f"child failed: {err!r}"])
        os.write(write_end, report.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report_bytes = pipe.read()
    os.waitpid(pid, 0)
    return list(json.loads(report_bytes))


@posix_only
def test_real_modes_a_read_only_journal_and_an_unwritable_folder() -> None:
    """With real modes, as an unprivileged user: a 0400 journal, a 0500 folder, and a folder inside it each give a
    one-line JournalError; the journal is untouched and nothing is created."""
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="headrub-modes-"))
    try:
        base.chmod(0o755)
        read_only, locked = base / "read-only", base / "locked"
        read_only.mkdir()
        locked.mkdir()
        kept = read_only / "journal.jsonl"
        kept.write_bytes(b'{"kept": true}\n')
        if IS_ROOT:
            import pwd

            uid = pwd.getpwnam("nobody").pw_uid
            for item in (read_only, kept, locked):
                os.chown(item, uid, -1)
        kept.chmod(0o400)
        locked.chmod(0o500)
        targets = [kept, locked / "journal.jsonl", locked / "data" / "journal.jsonl"]

        def try_each() -> list[str]:
            results = []
            for target in targets:
                made = journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=1)
                try:
                    journal.append(made, target)
                    results.append(f"wrote {target}")
                except JournalError as err:
                    results.append(str(err))
            return results

        results = unprivileged(try_each)
        assert results == [f"cannot write to the journal {t}: permission denied" for t in targets]
        assert kept.read_bytes() == b'{"kept": true}\n' and list(locked.iterdir()) == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- 6. privacy ------------------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    """Run with the common umask 022 (which would give 0644 files and 0755 folders)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@posix_only
def test_the_journal_is_0600_in_a_0700_folder_under_umask_022(
    umask_022: None, isolated_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    """First use creates the data folder 0700 and the journal 0600 despite umask 022; nothing else is written."""
    config, data = isolated_dirs
    data_parent = tmp_path / "deeper"
    with time_machine.travel(NOW, tick=False):
        result = CliRunner().invoke(app, ["journal", "add", "scalp-sleep", "--minutes", "3"])
    assert result.exit_code == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(journal_file().stat().st_mode) == 0o600
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "data",
        "data/journal.jsonl",
    ]
    nested = data_parent / "a" / "headrub" / "journal.jsonl"
    journal.append(journal.make_entry(routine="x", started_at=NOW, ended_at=NOW, active_s=1), nested)
    assert stat.S_IMODE(nested.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(nested.stat().st_mode) == 0o600
    assert not config.exists()


# --- 8. clock changes ------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_day_windows_are_exact_through_both_dst_changes(zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions at 00:30 and 23:30 every day of a year: --since D --until D holds exactly D's two, for every
    day of the weeks around both DST changes and every tenth day besides."""
    tz = ZoneInfo(zone)
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        path = journal_file()
        path.parent.mkdir(parents=True)
        days = [datetime(2026, 1, 1) + timedelta(days=i) for i in range(365)]
        lines = []
        for day in days:
            for hour, minute in ((0, 30), (23, 30)):
                start = day.replace(hour=hour, minute=minute, tzinfo=tz)
                made = journal.make_entry(routine="r", started_at=start, ended_at=start, active_s=60)
                lines.append({**made, "logged_at": journal.entries._utc_stamp(start)})
        journal.append_lines(lines, path)
        checked = 0
        with time_machine.travel(datetime(2027, 1, 2, 12, 0, tzinfo=tz), tick=False):
            changes = [d for d in days if tz.utcoffset(d + timedelta(days=1)) != tz.utcoffset(d)]
            assert len(changes) == 2
            near = {d for d in days for c in changes if abs((d - c).days) <= 8}
            for day in sorted(near | set(days[::10])):
                text = day.date().isoformat()
                result = CliRunner().invoke(app, ["journal", "--since", text, "--until", text, "--json"])
                got = [e["started_at"][:16] for e in json.loads(result.stdout)]
                assert got == [f"{text}T00:30", f"{text}T23:30"], text
                checked += 1
        assert checked >= 60
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_week_windows_through_dst_changes_read_backwards_match_a_full_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """For every day of a year in New York, --week read backwards equals the full journal filtered by the same week."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        tz = ZoneInfo("America/New_York")
        path = journal_file()
        path.parent.mkdir(parents=True)
        lines = []
        for i in range(365 * 3):
            start = datetime(2026, 1, 1, tzinfo=tz) + timedelta(hours=8 * i + 0.5)
            made = journal.make_entry(routine="r", started_at=start, ended_at=start, active_s=60)
            lines.append({**made, "logged_at": journal.entries._utc_stamp(start + timedelta(hours=1))})
        journal.append_lines(lines, path)
        everything = journal.read_entries()
        from headrub.timeutil import make_window

        for i in range(0, 365, 3):
            now = datetime(2026, 1, 1, 12, tzinfo=tz) + timedelta(days=i)
            window = make_window(week=True, now=now)
            expected = [
                e
                for e in everything
                if window.contains(journal.started_at(e)) and journal.started_at(e) <= now
            ]
            got = [e for e in journal.read_entries(None, window) if journal.started_at(e) <= now]
            assert got == expected and got
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
