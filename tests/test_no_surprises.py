"""Issue 15's "no surprises": questions only when the answers are kept, the journal folder checked first,
files run by path named after themselves, and HEADRUB_DEBUG adding a traceback without changing the status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headrub.cli import app

ONE_SECOND = """\
title: One second
cautions: [Be gentle.]
strokes:
  - {area: temples, technique: circles, duration: 1}
"""


@pytest.fixture
def routine(tmp_path: Path) -> Path:
    path = tmp_path / "My_Test.yaml"
    path.write_text(ONE_SECOND, encoding="utf-8")
    return path


def stdin_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``start`` believe stdin is a terminal (stdout stays a pipe, so the plain lines are drawn)."""
    monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: stream is sys.stdin)


def test_no_journal_asks_no_tension_or_note(routine: Path, monkeypatch: pytest.MonkeyPatch, isolated_dirs: tuple[Path, Path]) -> None:
    """With --no-journal, nothing is asked that would be thrown away (the cautions are still confirmed)."""
    stdin_is_a_terminal(monkeypatch)
    result = CliRunner().invoke(app, ["start", str(routine), "--no-journal"], input="\n")
    assert result.exit_code == 0, result.output
    assert "Tension" not in result.stderr and "note" not in result.stderr
    assert "Go ahead?" in result.stderr
    assert not (isolated_dirs[1] / "journal.jsonl").exists()


def test_questions_read_before_and_after(routine: Path, monkeypatch: pytest.MonkeyPatch, isolated_dirs: tuple[Path, Path]) -> None:
    """The two tension questions say which is which, and the entry keeps both answers."""
    stdin_is_a_terminal(monkeypatch)
    result = CliRunner().invoke(app, ["start", str(routine), "--yes"], input="7\n3\nlovely\n")
    assert result.exit_code == 0, result.output
    assert "Tension before (0–10" in result.stderr and "Tension after (0–10" in result.stderr
    assert result.stdout.splitlines()[-1].endswith("1/1 strokes, tension 7 → 3")
    entry = json.loads((isolated_dirs[1] / "journal.jsonl").read_text(encoding="utf-8"))
    assert (entry["tension_before"], entry["tension_after"], entry["note"]) == (7, 3, "lovely")


def test_a_file_run_by_path_is_journalled_under_its_file_name(routine: Path, isolated_dirs: tuple[Path, Path]) -> None:
    """``start ./My_Test.yaml`` is journalled as ``my-test``, not as ``custom``."""
    result = CliRunner().invoke(app, ["start", str(routine)])
    assert result.exit_code == 0, result.output
    entry = json.loads((isolated_dirs[1] / "journal.jsonl").read_text(encoding="utf-8"))
    assert entry["routine"] == "my-test"


def test_an_unwritable_data_folder_stops_before_the_session(routine: Path, isolated_dirs: tuple[Path, Path]) -> None:
    """A data folder that cannot be made: one line, exit 1, and no session at all."""
    data = isolated_dirs[1]
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text("a file where the folder should be", encoding="utf-8")
    result = CliRunner().invoke(app, ["start", str(routine)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"headrub: cannot write the journal: {data} is not a folder; nothing was started (--no-journal runs without it)\n"
    )


def test_a_data_folder_the_permissions_allow_but_the_system_refuses_stops_before_the_session(
    routine: Path, isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission bits can say yes where making the folder fails (root under /sys): the folder is made before
    the session, so that failure is one line, exit 1, and no session."""
    import os as real_os

    def refuse(path: object, mode: int = 0o777) -> None:
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(real_os, "mkdir", refuse)
    result = CliRunner().invoke(app, ["start", str(routine)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"headrub: cannot write the journal: cannot make {isolated_dirs[1]}: operation not permitted; "
        "nothing was started (--no-journal runs without it)\n"
    )


def test_the_data_folder_is_made_0700_before_the_session(routine: Path, isolated_dirs: tuple[Path, Path]) -> None:
    """A session made where no data folder was yet: the folder exists (0700) and holds the entry."""
    data = isolated_dirs[1]
    assert not data.exists()
    result = CliRunner().invoke(app, ["start", str(routine)])
    assert result.exit_code == 0, result.output
    assert data.is_dir() and (data.stat().st_mode & 0o777) == 0o700
    assert (data / "journal.jsonl").is_file()


def test_a_journal_that_is_a_symlink_stops_before_the_session(routine: Path, isolated_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    """A journal file that is a symbolic link (which headrub never follows) is refused up front."""
    data = isolated_dirs[1]
    data.mkdir(parents=True)
    (data / "journal.jsonl").symlink_to(tmp_path / "elsewhere.jsonl")
    result = CliRunner().invoke(app, ["start", str(routine)])
    assert result.exit_code == 1
    assert "is not a regular file; nothing was started" in result.stderr


def test_an_unwritable_data_folder_does_not_matter_with_no_journal(routine: Path, isolated_dirs: tuple[Path, Path]) -> None:
    """--no-journal needs no journal folder."""
    data = isolated_dirs[1]
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(app, ["start", str(routine), "--no-journal"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("args", "status"), [(["show", "no-such-routine"], 2), (["validate", "missing.yaml"], 2)])
def test_headrub_debug_adds_a_traceback_and_keeps_the_status(args: list[str], status: int, tmp_path: Path) -> None:
    """HEADRUB_DEBUG=1 prints a traceback as well as the one line, and the exit status is unchanged."""
    plain = subprocess.run([sys.executable, "-m", "headrub.cli", *args], capture_output=True, text=True, cwd=tmp_path, check=False)
    debug = subprocess.run(
        [sys.executable, "-m", "headrub.cli", *args], capture_output=True, text=True, cwd=tmp_path, check=False,
        env={**__import__("os").environ, "HEADRUB_DEBUG": "1"},
    )
    assert plain.returncode == debug.returncode == status
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr
    assert debug.stderr.rstrip().endswith(plain.stderr.rstrip().splitlines()[-1])
